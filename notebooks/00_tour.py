# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A tour of the Embedding Workbench
#
# Five minutes from raw text to a first result, all offline:
#
# 1. load the default model, all-MiniLM-L6-v2, from the package that ships its weights;
# 2. embed a real data set — 200 newsgroup posts on atheism and on space, cleaned of quoted
#    replies and signatures;
# 3. look at the embedding space in an interactive projection coloured by topic;
# 4. ask for the nearest neighbours of a query you type;
# 5. get a first number: how well cosine similarity agrees with people on the Lee
#    document-similarity pairs (Spearman correlation, the main score of MTEB's STS tasks).

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_POSTS = 60 if SMOKE else 200
QUERY = "the cost of launching a satellite into orbit"
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import pandas as pd

import workbench as wb
from workbench.evaluate import evaluate_sts
from workbench.search import exact_search
from workbench.viz.figures import projection

# %% [markdown]
# ## 1. A model
# `load_encoder` knows the embedded models by name and also takes any Hugging Face id or
# local folder. The sentence-transformers pooling config travels with the model: mean
# pooling, then L2 normalisation.

# %%
enc = wb.load_encoder("minilm")
enc

# %% [markdown]
# ## 2. Real data
# The packaged data sets are listed by `wb.datasets.describe()`. The newsgroup posts are
# loaded with `clean=True`: the loader drops the lines quoted from earlier posts, the
# "In article <...> someone writes:" lines and the signatures, so each post is its author's
# own words (the mail headers, which name the newsgroup, are always cut).

# %%
wb.datasets.describe()[["name", "kind", "size", "description"]]

# %%
newsgroups = wb.datasets.load("mini-newsgroups", clean=True)
posts = newsgroups.select(list(range(0, len(newsgroups), len(newsgroups) // N_POSTS))[:N_POSTS])
X = enc.encode(posts.texts)  # cached on disk: a second run is instant
labels = list(posts.labels)
X.shape

# %% [markdown]
# ## 3. The space, projected
# Each point is a post; hover to read it. Two topics, two clouds — with no training on
# these labels at all.

# %%
fig = projection(X, "pca", labels=labels, hover=posts.texts, title="Newsgroup posts, all-MiniLM-L6-v2, PCA")
fig

# %% [markdown]
# ## 4. Nearest neighbours of a query
# Vectors are unit length, so the inner product is the cosine similarity,
#
# $$\cos(u, v) = \frac{u \cdot v}{\lVert u \rVert \, \lVert v \rVert} \in [-1, 1],$$
#
# and exact search returns the $k$ posts with the largest cosine to the query's vector.

# %%
scores, ids = exact_search(enc.encode([QUERY]), X, k=5)
print(f"query: {QUERY!r}; {sum(labels[i] == 'sci.space' for i in ids[0])} of the top 5 come from sci.space")
pd.DataFrame({
    "cosine": scores[0].round(3),
    "topic": [labels[i] for i in ids[0]],
    "post": [" ".join(posts.texts[i].split())[:100] for i in ids[0]],
})

# %% [markdown]
# ## 5. A first number
# Spearman correlation between cosine similarity and the mean human rating of 1,225 pairs
# of news documents (Lee et al., 2005). Pooling is one argument: the same model with its
# `[CLS]` vector instead of the mean, and GloVe word vectors averaged, for comparison.
#
# Each pair $(a, b)$ gets the cosine of its two vectors, and the score is Spearman's rank
# correlation (Spearman, 1904) between those cosines and the human ratings $y$: the
# Pearson correlation of their ranks, which without ties is
#
# $$\rho = 1 - \frac{6 \sum_{i=1}^{n} d_i^2}{n (n^2 - 1)},$$
#
# where $d_i$ is the difference between pair $i$'s rank by cosine and its rank by rating
# (with ties, the Pearson correlation of the average ranks is used, as `scipy.stats.spearmanr`
# does). Only the order of the similarities counts, not their scale.

# %%
lee = wb.datasets.load("lee-pairs")
glove = wb.load_encoder("glove-50d")
results = pd.DataFrame([
    {"model": "minilm", "pooling": "mean", **evaluate_sts(enc, lee)},
    {"model": "minilm", "pooling": "cls", **evaluate_sts(enc, lee, pooling="cls")},
    {"model": "glove-50d", "pooling": "mean", **evaluate_sts(glove, lee)},
])
results.round(3)

# %% [markdown]
# `spearman_ci` is a 95% bootstrap interval: the 1,225 pairs are resampled with
# replacement and the score recomputed, and the interval holds the middle 95% of those
# scores. Two rows' intervals overlapping does not settle which configuration is better,
# and separate intervals are not a test either: both configurations score the *same*
# pairs, so the right comparison is a paired test on the difference, which
# `notebooks/07_evaluate` runs for mean against `[CLS]` pooling.

# %% [markdown]
# ## 6. Explore
# Every choice above — data set, model, pooling, layer, post-processing, projection — is a
# control in the Explorer. Change one and the picture and the diagnostics table beside it
# update in place; "colour by" also offers geometric diagnostics per point: how often a
# point is another's near neighbour (k-occurrence: hubs are bright), its local intrinsic
# dimension, and the norm of its raw vector. Recolouring reuses the vectors and the
# projection, so it is instant. Lasso points to select them; `notebooks/06_visualise`
# shows the Neighbours and Compare panels too.

# %%
from workbench.viz import Explorer

explorer = Explorer(newsgroups, model=enc, models=[enc, glove], max_points=N_POSTS)
explorer
