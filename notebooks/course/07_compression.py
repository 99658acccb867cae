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
# # Lesson 7 — Matryoshka and compression: truncation, int8, binary with rescoring
#
# **Learning goals.** After this lesson you can
# 1. truncate embeddings to their first $m$ coordinates and re-normalise them (the
#    Matryoshka way), and measure what it costs;
# 2. quantise embeddings to 8-bit integers with a per-dimension range calibrated on data;
# 3. search binary codes by Hamming distance and recover most of the quality by rescoring
#    a short list of candidates with the full vectors;
# 4. read a size–quality trade-off and choose a method for a memory budget.
#
# **Prerequisites.** Lessons 1 and 4 (cosine, nearest neighbours, nDCG@10); bits and bytes.
#
# **Time.** About 60 minutes: 15 reading, 35 for the five exercises, 10 for the discussion.
#
# A 384-dimensional float32 vector takes 1,536 bytes; a billion of them take 1.5 TB. Three
# ways to shrink them: keep fewer coordinates (*truncation*; Matryoshka representation
# learning, Kusupati et al. 2022, trains models so that the first coordinates carry most of
# the meaning), store fewer bits per coordinate (*scalar quantisation*: int8 is 4x
# smaller), or one bit per coordinate (*binary*: 32x smaller), searched by Hamming distance
# and then *rescored* (Yamada, Asai and Hajishirzi, 2021, for binary passage retrieval).
# The task is lesson 4's: docstring -> function retrieval with all-MiniLM-L6-v2.

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_QUERIES = 30 if SMOKE else 100  # docstring queries
N_DOCS = 200 if SMOKE else 1000  # functions searched (the same subset as lesson 4: its vectors are cached)
WIDTHS = (384, 256, 128, 64, 32, 16)

# %%
import numpy as np
import pandas as pd

import workbench as wb
from workbench.compress import BinaryQuantizer, ScalarQuantizer, Truncate
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import calibration_vectors, vectors_and_width
from workbench.evaluate import evaluate_retrieval, retrieval_subset
from workbench.search import BinaryIndex, RescoredIndex, rescore

data = retrieval_subset(wb.datasets.load("python-docstrings"), N_QUERIES, n_docs=N_DOCS)
enc = wb.load_encoder("minilm")
Q = enc.encode([data.queries[q] for q in data.query_ids])  # unit rows, aligned with data.query_ids
X = enc.encode([data.corpus[d] for d in data.doc_ids])  # unit rows, aligned with data.doc_ids
full = evaluate_retrieval((Q, X), data, n_resamples=0)["ndcg@10"]
print(f"{len(Q)} queries, {len(X)} functions, {X.shape[1]} dimensions; float32 nDCG@10 = {full:.3f}")

# %% [markdown]
# ## 1. Truncation
#
# **Exercise 1 (write a function).** `truncate(X, m)`: keep the first `m` columns of the
# `(n, d)` array `X` and scale every row to unit length, so that inner products are
# cosines again. Return an `(n, m)` array.

# %% tags=["exercise:lesson07-ex1"]
def truncate(X, m):
    """The first m coordinates of each row of X, re-normalised to unit length."""
    ### BEGIN SOLUTION
    T = np.asarray(X, dtype=np.float32)[:, :m]
    return T / np.linalg.norm(T, axis=1, keepdims=True)
    ### END SOLUTION


# %%
check_function("truncate", lambda X, m: Truncate(m).fit(X).transform(X), vectors_and_width,
               exercise="lesson07-ex1", rtol=1e-4, atol=1e-5, hints=["not_unit"],
               mistakes={"normalise after cutting, not before: the first m coordinates of a unit vector are "
                         "shorter than 1": lambda X, m: (X / np.linalg.norm(X, axis=1, keepdims=True))[:, :m]})

# %% [markdown]
# **Exercise 2 (compute a number).** `ndcg_64`: nDCG@10 on `data` when queries and
# functions keep only their first 64 coordinates. Use your `truncate` and
# `evaluate_retrieval((query_vectors, doc_vectors), data, n_resamples=0)["ndcg@10"]`.

# %% tags=["exercise:lesson07-ex2"]
### BEGIN SOLUTION
ndcg_64 = evaluate_retrieval((truncate(Q, 64), truncate(X, 64)), data, n_resamples=0)["ndcg@10"]
### END SOLUTION
ndcg_64

# %%
by_width = {m: evaluate_retrieval((Q, X), data, dim=m, n_resamples=0)["ndcg@10"] for m in WIDTHS}
check_number("ndcg_64", by_width[64], exercise="lesson07-ex2", tol=1e-4,
             mistakes={"that is the full 384-d score: truncate both queries and functions": full})
pd.Series(by_width, name="nDCG@10").rename_axis("kept coordinates").round(3)

# %% [markdown]
# all-MiniLM-L6-v2 was not trained for truncation, so its quality falls as soon as
# coordinates go; a Matryoshka-trained model (`notebooks/04_training`) keeps much more
# of it at 64 or 32 coordinates.
#
# ## 2. int8 scalar quantisation
#
# Each dimension $j$ gets its own range $[\ell_j, h_j]$, the minimum and maximum of that
# column in a *calibration* sample; the range is cut into 255 equal steps
# $s_j = (h_j - \ell_j)/255$, and a value becomes the integer level
# $c = \mathrm{round}((x - \ell_j)/s_j)$, clipped to 0..255 and stored in one byte.
#
# **Exercise 3 (write a function).** `int8_codes(X)`: calibrate on `X` itself and return
# its codes as a `uint8` array of shape `(n, d)`. Round to the nearest level (`np.rint`)
# and compute in float32, the dtype `X` comes in.

# %% tags=["exercise:lesson07-ex3"]
def int8_codes(X):
    """Per-dimension 8-bit codes of X, calibrated on X (min and max of each column, 255 steps)."""
    ### BEGIN SOLUTION
    low, high = X.min(axis=0), X.max(axis=0)
    step = (high - low) / 255
    step = np.where(step > 0, step, 1)
    return np.clip(np.rint((X - low) / step), 0, 255).astype(np.uint8)
    ### END SOLUTION


# %%
def one_range(X):  # typical mistakes, for the hints
    low, step = X.min(), (X.max() - X.min()) / 255
    return np.clip(np.rint((X - low) / step), 0, 255)


check_function("int8_codes", lambda X: ScalarQuantizer(bits=8).fit(X).transform(X), calibration_vectors,
               exercise="lesson07-ex3", rtol=0, atol=0,
               mistakes={"each dimension has its own range: take the min and max of every column": one_range,
                         "round to the nearest level (np.rint), do not truncate": lambda X: np.floor(
                             (X - X.min(0)) / ((X.max(0) - X.min(0)) / 255)),
                         "256 levels are 255 steps: divide the range by 255": lambda X: np.clip(np.rint(
                             (X - X.min(0)) / ((X.max(0) - X.min(0)) / 256)), 0, 255)})

# %% [markdown]
# ## 3. Binary codes and rescoring
#
# One bit per coordinate — is it above 0? — packs a 384-d vector into 48 bytes. Two codes
# are compared by their Hamming distance (how many bits differ); $d - 2\,\mathrm{hamming}$
# is the inner product of the $\pm 1$ vectors. Search is then a fast scan of bits, but the
# ranking is coarse. **Rescoring** keeps a few times $k$ candidates from the binary search
# and re-ranks just them with the float vectors (kept on disk, read only for candidates).
#
# `BinaryIndex()` searches binary codes; `RescoredIndex(BinaryIndex(), rescore_multiplier=4)`
# takes the best 4k of them and re-ranks those against the float vectors. Either can be
# handed to `evaluate_retrieval((Q, X), data, index=..., n_resamples=0)`; by hand,
# `BinaryIndex().fit(X).search(Q, 40)` gives candidate ids and `rescore(Q, candidates, X, 10)`
# re-ranks them.
#
# **Exercise 4 (compute a number).** `rescored_ndcg`: nDCG@10 of binary search with the
# best 40 candidates (4 x 10) of each query rescored with the float vectors.

# %% tags=["exercise:lesson07-ex4"]
### BEGIN SOLUTION
rescoring = RescoredIndex(BinaryIndex(), rescore_multiplier=4)
rescored_ndcg = evaluate_retrieval((Q, X), data, index=rescoring, n_resamples=0)["ndcg@10"]
### END SOLUTION
rescored_ndcg

# %%
binary_only = evaluate_retrieval((Q, X), data, index=BinaryIndex(), n_resamples=0)["ndcg@10"]
rescored_reference = evaluate_retrieval((Q, X), data, index=RescoredIndex(BinaryIndex(), rescore_multiplier=4),
                                        n_resamples=0)["ndcg@10"]
check_number("rescored_ndcg", rescored_reference, exercise="lesson07-ex4", tol=1e-3,
             mistakes={"that is binary search alone: re-rank its best 40 candidates with the float vectors":
                       binary_only})

# %%
int8 = ScalarQuantizer(bits=8).fit(X)
int8_ndcg = evaluate_retrieval((Q, int8.inverse_transform(int8.transform(X))), data, n_resamples=0)["ndcg@10"]
bits = BinaryQuantizer().fit(X)
pd.DataFrame([("float32", 4 * X.shape[1], full),
              ("int8", int8.bytes_per_vector, int8_ndcg),
              ("first 64 coordinates, float32", 4 * 64, by_width[64]),
              ("binary", bits.bytes_per_vector, binary_only),
              ("binary + rescoring 40 with float32", bits.bytes_per_vector, rescored_reference)],
             columns=["method", "bytes per vector (searched)", "nDCG@10"]).round(3)

# %% [markdown]
# **Exercise 5 (explain a finding).** In three to six sentences: rank the methods in the
# table by bytes per vector and by quality. Why does int8 lose almost nothing while binary
# loses more, and why does rescoring win binary's loss back? What does rescoring
# cost — what must still be stored, and where? Which method would you choose for 100
# million vectors in 16 GB of RAM?
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 1: int8 keeps 256 levels per dimension calibrated to the data's range: the rounding
#   error is tiny next to the differences between documents, so the ranking barely
#   changes; binary keeps only the sign, a much coarser score with many ties.
# - 1: binary search still puts most of the true top 10 among its top 40; rescoring with
#   the exact vectors then fixes the order, so quality comes back close to float32.
# - 1: the cost: the float (or int8) vectors must still be stored — on disk or memory-mapped,
#   read only for the candidates — and each query does extra work for the 4k candidates.
# - 1: a sound choice with arithmetic: 100 M x 48 B = 4.8 GB of binary codes fit in 16 GB
#   (float32 at 153.6 GB and int8 at 38.4 GB do not), with the full vectors on disk for
#   rescoring; truncation would need a Matryoshka-trained model.
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson07-ex5"]
### BEGIN SOLUTION
explanation = """By size the order is float32 (1,536 bytes), int8 (384), the first 64 float coordinates
(256) and binary (48); by quality float32 and int8 are nearly tied, truncation of this model loses a
lot, and binary alone loses more than int8 until it is rescored. int8 keeps 256 levels per dimension fitted
to the data's range, so its rounding error is tiny next to the differences between documents and
the ranking hardly changes, while a sign bit throws away every magnitude and leaves a coarse score
with many ties. The true top 10 is still mostly among binary's best 40, so re-ranking those few
candidates with the exact vectors restores the order. The price is that the float or int8 vectors
must still be stored, on disk or memory-mapped and read only for candidates, plus the extra work per
query. For 100 million vectors in 16 GB I would keep the 4.8 GB of binary codes in memory and rescore
from int8 or float vectors on disk; float32 would need 154 GB and int8 38 GB."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson07-ex5", min_words=40)
