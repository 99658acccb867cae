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
# # Lesson 8 — Approximate search: flat, IVF, HNSW, recall against speed, filters
#
# **Learning goals.** After this lesson you can
# 1. measure an approximate index by its recall@k against exact search;
# 2. tune an inverted-file index (IVF) and a graph index (HNSW) along the recall–speed curve;
# 3. search with a filter (only rows with some attribute), exactly, by pre-filtering and by
#    post-filtering, and say when post-filtering fails;
# 4. choose an index for a corpus size, a memory budget and a latency target.
#
# **Prerequisites.** Lesson 1 (cosine, top-k); lesson 7 helps (compressed codes). k-means
# clustering at the level of "assign each point to its nearest centre".
#
# **Time.** About 60 minutes: 15 reading, 35 for the five exercises, 10 for the discussion.
#
# Exact (*flat*) search compares a query with every vector: $O(nd)$ per query, fine for a
# million vectors, too slow for a billion. An **IVF** index clusters the corpus with k-means
# into `nlist` cells and scans only the `nprobe` cells nearest the query (Jégou, Douze and
# Schmid, 2011). **HNSW** builds a layered graph of near neighbours and walks it greedily,
# keeping a beam of `ef_search` candidates (Malkov and Yashunin, 2018). Both trade recall
# for speed. The vectors here are GloVe word vectors, so no model has to run.

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_CORPUS = 5_000 if SMOKE else 100_000  # word vectors searched (the most frequent words after the first 100)
N_QUERIES = 100 if SMOKE else 500  # query words (the next ones in frequency order, not in the corpus)
NLIST = 50 if SMOKE else 400  # IVF cells, about 1.3 sqrt(n)
K = 10

# %%
import numpy as np
import pandas as pd

import workbench as wb
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import queries_corpus_mask, result_ids
from workbench.search import (
    HNSWIndex,
    IVFFlatIndex,
    exact_search,
    filtered_recall,
    filtered_search,
    index_lab,
    knn_recall,
)

glove = wb.load_encoder("glove-50d")
V = glove.vectors.numpy()
V = V / np.linalg.norm(V, axis=1, keepdims=True)  # unit rows: inner product = cosine
X = np.ascontiguousarray(V[100:100 + N_CORPUS])
Q = np.ascontiguousarray(V[100 + N_CORPUS:100 + N_CORPUS + N_QUERIES])
corpus_words = glove.tokenizer.words[100:100 + N_CORPUS]
_, truth = exact_search(Q, X, K)  # the exact top 10 of every query
X.shape, Q.shape

# %% [markdown]
# ## 1. Recall@k
#
# An approximate index is measured against exact search on the same queries: **recall@k**
# is the share of the exact top-$k$ that the index returns in its own top $k$, averaged over
# queries. Order inside the top $k$ does not matter.
#
# **Exercise 1 (write a function).** `recall_at_k(ids, truth)`: two integer arrays of
# shape `(m, k)` — the ids an index returned and the exact ids, one row per query. Return
# the mean over rows of |found ∩ true| / k as a float.

# %% tags=["exercise:lesson08-ex1"]
def recall_at_k(ids, truth):
    """Mean share of each row of ``truth`` found anywhere in the same row of ``ids``."""
    ### BEGIN SOLUTION
    return float(np.mean([len(set(a.tolist()) & set(b.tolist())) / len(b) for a, b in zip(ids, truth)]))
    ### END SOLUTION


# %%
check_function("recall_at_k", knn_recall, result_ids, exercise="lesson08-ex1",
               mistakes={"recall ignores the order inside the top k: count the true ids found anywhere in the row":
                         lambda a, b: float(np.mean(a == b))})

# %% [markdown]
# ## 2. Tuning IVF
#
# `IVFFlatIndex(nlist=NLIST, nprobe=p).fit(X)` builds the cells; `.search(Q, K)` returns
# `(scores, ids)`. Visiting more cells finds more true neighbours and costs more time. The
# cells do not depend on `nprobe`: set `index.nprobe = p` on a fitted index to change it.
#
# **Exercise 2 (compute a number).** `nprobe_95`: the smallest `nprobe` among
# 1, 2, 4, 8, 16, 32, 64 at which the IVF index reaches recall@10 of at least 0.95 on `Q`.

# %% tags=["exercise:lesson08-ex2"]
### BEGIN SOLUTION
cells = IVFFlatIndex(nlist=NLIST).fit(X)  # the cells are built once; nprobe only changes the search
nprobe_95 = None
for nprobe in (1, 2, 4, 8, 16, 32, 64):
    cells.nprobe = nprobe
    if recall_at_k(cells.search(Q, K)[1], truth) >= 0.95:
        nprobe_95 = nprobe
        break
### END SOLUTION
nprobe_95

# %%
ivf = IVFFlatIndex(nlist=NLIST, nprobe=1).fit(X)
recall_by_nprobe = {}
for p in (1, 2, 4, 8, 16, 32, 64):
    ivf.nprobe = p
    recall_by_nprobe[p] = knn_recall(ivf.search(Q, K)[1], truth)
check_number("nprobe_95", min(p for p, r in recall_by_nprobe.items() if r >= 0.95), exercise="lesson08-ex2", tol=0)
pd.Series(recall_by_nprobe, name="recall@10").rename_axis("nprobe").round(3)

# %% [markdown]
# The index lab builds each index and measures recall, queries per second, memory and
# build time side by side (timings depend on the machine and on what else it is running):

# %%
index_lab(X, Q, ["flat", IVFFlatIndex(nlist=NLIST, nprobe=8), HNSWIndex(ef_search=16),
                 HNSWIndex(ef_search=64)], k=K, show_progress=False).round(3)

# %% [markdown]
# ## 3. Filtered search
#
# Often only some rows may be returned: reviews of one department, documents a user may
# read. Here the attribute is the word's length. **Exact** filtered search scans just the
# admissible rows. **Pre-filtering** tells the index which rows are admissible while it
# searches. **Post-filtering** asks the index for more results than needed (say 10 x k)
# and keeps the admissible ones — cheap, but a selective filter can leave fewer than k.
#
# **Exercise 3 (write a function).** `filtered_exact(Q, X, mask, k)`: for each query, the
# ids of the `k` rows of `X` with the highest inner product *among rows where `mask` is
# True*, best first, shape `(m, k)`; where fewer than `k` rows are admissible, fill the
# rest of the row with `-1`.

# %% tags=["exercise:lesson08-ex3"]
def filtered_exact(Q, X, mask, k):
    """Top-k admissible rows of X per query (inner product), best first, -1 where there are not enough."""
    ### BEGIN SOLUTION
    rows = np.flatnonzero(mask)
    out = np.full((len(Q), k), -1, dtype=np.int64)
    if len(rows):
        scores = Q @ X[rows].T
        best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        out[:, :best.shape[1]] = rows[best]
    return out
    ### END SOLUTION


# %%
check_function("filtered_exact", lambda Q, X, m, k: filtered_search(Q, k, m, vectors=X, strategy="exact")[1],
               queries_corpus_mask, exercise="lesson08-ex3", compare="exact",
               mistakes={"the ids must be rows of X, not positions among the admissible rows: map them back with "
                         "np.flatnonzero(mask)": lambda Q, X, m, k: np.pad(
                             np.argsort(-(Q @ X[m].T), axis=1)[:, :k], ((0, 0), (0, max(0, k - int(m.sum())))),
                             constant_values=-1)})

# %% [markdown]
# **Exercise 4 (compute a number).** `post_recall`: the filtered recall@10 of
# post-filtering on an HNSW index (`HNSWIndex().fit(X)`, `oversample=10`) for the filter
# "words of at least 10 letters" (`long_words`, below). Compare with the exact filtered
# results using `filtered_recall(ids, exact_ids)`; `filtered_search(Q, K, mask,
# index=..., strategy="post", oversample=10)` and `filtered_search(Q, K, mask, vectors=X,
# strategy="exact")` give the ids (the second element of what they return).

# %%
attributes = pd.DataFrame({"word": corpus_words, "length": [len(w) for w in corpus_words]})
long_words = (attributes["length"] >= 10).to_numpy()
hnsw = HNSWIndex().fit(X)
print(f"{long_words.mean():.1%} of the corpus passes the filter")

# %% tags=["exercise:lesson08-ex4"]
### BEGIN SOLUTION
exact_ids = filtered_search(Q, K, long_words, vectors=X, strategy="exact")[1]
post_ids = filtered_search(Q, K, long_words, index=hnsw, strategy="post", oversample=10)[1]
post_recall = filtered_recall(post_ids, exact_ids)
### END SOLUTION
post_recall

# %%
exact_ref = filtered_search(Q, K, long_words, vectors=X, strategy="exact")[1]
post_ref = filtered_recall(filtered_search(Q, K, long_words, index=hnsw, strategy="post", oversample=10)[1], exact_ref)
pre_ref = filtered_recall(filtered_search(Q, K, long_words, index=hnsw, strategy="pre")[1], exact_ref)
check_number("post_recall", post_ref, exercise="lesson08-ex4", tol=1e-6,
             mistakes={"that is pre-filtering: ask the index for 10 x k results without the mask, then filter":
                       pre_ref})
{"post-filter recall@10": round(post_ref, 3), "pre-filter recall@10": round(pre_ref, 3)}

# %% [markdown]
# **Exercise 5 (explain a finding).** In three to six sentences: how do recall and speed
# move with `nprobe` and `ef_search`, and why? Why does post-filtering lose results on a
# selective filter, and what would you do about it? Which index would you pick for 10
# million vectors on one machine that must answer in a few milliseconds?
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 1: more cells (`nprobe`) or a wider beam (`ef_search`) visit more candidates: recall
#   rises towards 1 and queries per second fall; the true neighbours of a query near a cell
#   border lie in neighbouring cells, which a small `nprobe` never opens.
# - 1: post-filtering keeps the admissible rows of an unfiltered top 10 x k: when only a
#   few percent of rows pass, that list holds fewer than k of them (the nearest admissible
#   rows are further away than the 100th neighbour), so results are missing.
# - 1: remedies: pre-filter inside the index, raise the oversampling with the filter's
#   selectivity, or scan the admissible rows exactly when they are few.
# - 1: a reasoned choice for 10 M vectors: HNSW (or IVF with enough `nprobe`) with a recall
#   target measured on held-out queries; memory of the vectors and links, or IVF-PQ /
#   compressed codes when memory is short.
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson08-ex5"]
### BEGIN SOLUTION
explanation = """Raising nprobe opens more IVF cells and raising ef_search keeps a wider beam in the
HNSW graph, so each query compares more candidates: recall climbs towards 1 and queries per second
fall. A small nprobe misses true neighbours that sit just across a cell border. Post-filtering keeps
the admissible rows of an unfiltered top 100, and when only a small share of words passes the filter
the nearest admissible words are often further away than that, so rows come back short of ten.
I would pre-filter inside the index, raise the oversampling in proportion to the selectivity, or
scan the admissible rows exactly when they are few. For 10 million vectors with a latency of a few
milliseconds I would choose HNSW tuned to a measured recall target, or IVF-PQ if the memory for
full vectors and graph links is not there."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson08-ex5", min_words=40)
