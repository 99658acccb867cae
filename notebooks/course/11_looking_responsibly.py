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
# # Lesson 11 — Looking responsibly: what projections distort, seeds and stability, hubs
#
# **Learning goals.** After this lesson you can
# 1. measure how much of a space's neighbourhood structure a 2-D projection keeps;
# 2. check whether a picture is stable across random seeds before reading anything into it;
# 3. compute hubness — points that are everyone's neighbour — and say why it arises in
#    high dimension;
# 4. write a caption for an embedding plot that claims no more than the plot shows.
#
# **Prerequisites.** Lessons 1 and 5 (nearest neighbours, PCA); skewness of a distribution.
#
# **Time.** About 60 minutes: 15 reading, 35 for the five exercises, 10 for the discussion.
#
# Embedding plots persuade: clusters, gaps and outliers seem to jump out. But a 2-D picture
# of a 50- or 384-dimensional space must throw most of it away. PCA keeps the directions
# of largest variance and flattens the rest; t-SNE (van der Maaten and Hinton, 2008) keeps
# local neighbourhoods at the cost of distances between clusters (Wattenberg, Viégas and
# Johnson, 2016, "How to use t-SNE effectively"); UMAP (McInnes, Healy and Melville, 2018)
# does the same faster, and both can depend on a random seed. And in high
# dimension some points become **hubs**, near neighbours of very many others
# (Radovanović, Nanopoulos and Ivanović, 2010). The vectors: GloVe words.

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_WORDS = 300 if SMOKE else 1500  # frequent words (after the first 200, mostly function words)
K = 10  # neighbours compared

# %%
import numpy as np
from scipy import stats

import workbench as wb
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import cloud_and_k, result_ids
from workbench.geometry import hubness as reference_hubness
from workbench.geometry.core import prepare
from workbench.geometry.knn import knn_graph
from workbench.viz.compare import neighbour_overlap as reference_overlap
from workbench.viz.projection import project

glove = wb.load_encoder("glove-50d")
words = glove.tokenizer.words[200:200 + N_WORDS]
X = glove.vectors.numpy()[200:200 + N_WORDS]
X = X / np.linalg.norm(X, axis=1, keepdims=True)  # unit rows: Euclidean neighbours = cosine neighbours
X.shape, words[:10]

# %% [markdown]
# ## 1. Comparing neighbourhoods
#
# For each point, take its $k$ nearest neighbours in two spaces (say the original and a
# projection) and compare the two sets with the **Jaccard overlap**
# $|A \cap B| / |A \cup B|$: 1 when they agree, 0 when they share nothing.
#
# **Exercise 1 (write a function).** `neighbour_overlap(ids_a, ids_b)`: two integer arrays
# of shape `(n, k)`, row $i$ the neighbours of point $i$ in each space. Return the `n`
# Jaccard overlaps, shape `(n,)`.

# %% tags=["exercise:lesson11-ex1"]
def neighbour_overlap(ids_a, ids_b):
    """Per-row Jaccard overlap of two (n, k) neighbour arrays."""
    ### BEGIN SOLUTION
    out = []
    for a, b in zip(ids_a, ids_b):
        a, b = set(a.tolist()), set(b.tolist())
        out.append(len(a & b) / len(a | b))
    return np.array(out)
    ### END SOLUTION


# %%
check_function("neighbour_overlap", reference_overlap, result_ids, exercise="lesson11-ex1",
               mistakes={"that is the shared share of k: Jaccard divides by the size of the union": lambda a, b: np.array(
                   [len(set(x.tolist()) & set(y.tolist())) / len(x) for x, y in zip(a, b)])})

# %% [markdown]
# ## 2. What a projection keeps
#
# `knn_graph(prepare(Y), K)[1]` gives each row's `K` nearest other rows (Euclidean, the
# point itself left out) of any array `Y`; `project(X, "pca")` and
# `project(X, "tsne")` and `project(X, "umap", seed=s)` give 2-D coordinates.
#
# **Exercise 2 (compute a number).** `pca_kept`: the mean Jaccard overlap between each
# word's `K` nearest neighbours in the 50-d space `X` and in its 2-D PCA projection.

# %% tags=["exercise:lesson11-ex2"]
### BEGIN SOLUTION
original = knn_graph(prepare(X), K)[1]
pca_kept = float(np.mean(neighbour_overlap(original, knn_graph(prepare(project(X, "pca")), K)[1])))
### END SOLUTION
pca_kept


# %%
def neighbours(Y):
    return knn_graph(prepare(Y), K)[1]


true_ids = neighbours(X)
kept = {"pca": reference_overlap(true_ids, neighbours(project(X, "pca"))).mean()}
check_number("pca_kept", kept["pca"], exercise="lesson11-ex2", tol=1e-3, hints=["percent"])

# %% [markdown]
# ## 3. Seeds and stability
#
# Before reading a picture, make it twice. The package's t-SNE starts from the PCA
# picture, so its seed changes nothing; UMAP starts from a random state.
#
# **Exercise 3 (compute a number).** `seed_overlap`: the mean Jaccard overlap between the
# `K`-neighbourhoods of two UMAP pictures of `X`, made with `seed=0` and `seed=1` (compare
# the pictures with each other, not with `X`).

# %% tags=["exercise:lesson11-ex3"]
### BEGIN SOLUTION
umap0, umap1 = project(X, "umap", seed=0), project(X, "umap", seed=1)
seed_overlap = float(np.mean(neighbour_overlap(knn_graph(prepare(umap0), K)[1], knn_graph(prepare(umap1), K)[1])))
### END SOLUTION
seed_overlap

# %%
umap_ids = {seed: neighbours(project(X, "umap", seed=seed)) for seed in (0, 1)}
tsne_ids = {seed: neighbours(project(X, "tsne", seed=seed)) for seed in (0, 1)}
between_seeds = {"umap": reference_overlap(umap_ids[0], umap_ids[1]).mean(),
                 "tsne": reference_overlap(tsne_ids[0], tsne_ids[1]).mean()}
kept["umap (seed 0)"] = reference_overlap(true_ids, umap_ids[0]).mean()
kept["tsne"] = reference_overlap(true_ids, tsne_ids[0]).mean()
check_number("seed_overlap", between_seeds["umap"], exercise="lesson11-ex3", tol=1e-3,
             mistakes={"that compares a UMAP picture with the original space: compare the two seeds' pictures":
                       kept["umap (seed 0)"]})
print("kept of the 50-d neighbourhoods:", {name: round(float(v), 3) for name, v in kept.items()})
print("seed 0 against seed 1:", {name: round(float(v), 3) for name, v in between_seeds.items()})

# %% [markdown]
# ## 3. Hubs
#
# Let $N_k(x)$ count how many points have $x$ among their $k$ nearest neighbours. Every
# point has $k$ neighbours, so $N_k$ averages $k$; in high dimension its distribution gets
# a long right tail — a few **hubs** appear in very many lists, and many points in none.
# **Hubness** is the skewness of $N_k$ over the points.
#
# **Exercise 4 (write a function).** `hubness(X, k)`: for an `(n, d)` array, find each
# row's `k` nearest *other* rows by Euclidean distance, count $N_k$ for every row (0 for a
# row no one picks), and return the skewness of the counts (`scipy.stats.skew`) as a float.

# %% tags=["exercise:lesson11-ex4"]
def hubness(X, k):
    """Skewness of the k-occurrence counts of the rows of X (Euclidean, self excluded)."""
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=np.float64)
    D = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=2)
    np.fill_diagonal(D, np.inf)
    ids = np.argsort(D, axis=1)[:, :k]
    counts = np.bincount(ids.ravel(), minlength=len(X))
    return float(stats.skew(counts))
    ### END SOLUTION


# %%
def with_self(X, k):  # a typical mistake, for the hint: each point counted as its own neighbour
    own = knn_graph(prepare(X), k)[1][:, :k - 1]
    return float(stats.skew(np.bincount(np.hstack([np.arange(len(X))[:, None], own]).ravel(), minlength=len(X))))


check_function("hubness", lambda X, k: reference_hubness(X, k=k), cloud_and_k, exercise="lesson11-ex4",
               rtol=1e-4, atol=1e-6,
               mistakes={"a point is not its own neighbour: leave each row out of its own list": with_self})

# %% [markdown]
# The words that are everyone's neighbour, and the hubness of the space against its pictures:

# %%
counts = np.bincount(true_ids.ravel(), minlength=len(X))
print("hubs:", ", ".join(f"{words[i]} ({counts[i]})" for i in np.argsort(-counts)[:8]))
print("never a neighbour:", int((counts == 0).sum()), "of", len(X), "words")
{"50-d GloVe": round(reference_hubness(X, k=K), 2), "2-D PCA": round(reference_hubness(project(X, "pca"), k=K), 2),
 "2-D t-SNE": round(reference_hubness(project(X, "tsne", seed=0), k=K), 2)}

# %% [markdown]
# **Exercise 5 (explain a finding).** In three to six sentences, using your numbers: how
# much of the neighbourhood structure do the 2-D pictures keep, and what does that license
# you to say about a cluster or a gap you see in them? What do two UMAP seeds tell you?
# Why do hubs appear in 50 dimensions and what do they do to a nearest-neighbour search
# or a recommender? Write the caption you would put under a t-SNE plot of these words.
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 1: reads the numbers: PCA to 2-D keeps little of the 10-NN structure, t-SNE and UMAP
#   keep more locally but not all; so only strong, repeated structure may be read, never distances
#   between clusters or the sizes of gaps (t-SNE does not preserve them).
# - 1: two UMAP seeds give neighbourhoods that differ noticeably: a feature present in
#   one picture only is an artefact; report several seeds (and perplexities or neighbour
#   counts) or a stability number. t-SNE from a PCA start is repeatable, which makes it
#   reproducible, not right.
# - 1: hubs arise from high dimension (distance concentration: points near the centre of
#   the data are close to everything); they appear in many result lists and crowd out
#   others; remedies such as centring, CSLS or mutual-proximity rescaling.
# - 1: a caption that names the method, its seed and parameters, what is preserved (local
#   neighbourhoods, partly) and what is not (global distances, cluster sizes).
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson11-ex5"]
### BEGIN SOLUTION
explanation = """The 2-D PCA picture keeps only a small share of each word's ten nearest neighbours
and t-SNE and UMAP keep more of them but far from all, so a picture licenses claims only about strong local
structure that recurs, never about distances between clusters or the size of a gap, which t-SNE
does not preserve. Two UMAP seeds give noticeably different neighbourhoods, so anything seen in one
picture only is an artefact of the seed; I would show several seeds or report a stability number,
and remember that t-SNE's repeatability from a PCA start makes it reproducible, not right.
Hubs appear because in 50 dimensions distances concentrate and points near the centre of the data
are close to almost everything; they turn up in many result lists, crowd out other items and leave
many words that are never anyone's neighbour, which centring or CSLS-style rescaling reduces. My
caption: t-SNE of the GloVe words, PCA start, perplexity 30; nearby words are often neighbours in the
original space, but distances between groups and group sizes carry no meaning."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson11-ex5", min_words=40)
