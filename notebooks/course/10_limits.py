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
# # Lesson 10 — The limits of a single vector: free embeddings, critical n, LIMIT
#
# **Learning goals.** After this lesson you can
# 1. write the "every pair of documents" relevance pattern and measure whether a set of
#    vectors solves it (top-k accuracy);
# 2. bound the dimension a pattern needs with a matrix rank;
# 3. run the free-embedding experiment — the best any model of dimension $d$ could do —
#    and read its critical $n$;
# 4. explain why a simple-looking data set (LIMIT) defeats strong embedding models.
#
# **Prerequisites.** Lessons 1 and 4 (top-k, recall@k); lesson 6 (InfoNCE); matrix rank.
#
# **Time.** About 75 minutes: 20 reading, 40 for the five exercises, 15 for the discussion.
#
# A single-vector retriever scores document $j$ for query $i$ by $q_i \cdot d_j$. Weller et
# al. (2025, "On the theoretical limitations of embedding-based retrieval") ask which
# *relevance patterns* such scores can express at all. Take $n$ documents and one query for
# every pair of them (its two relevant documents): to solve the pattern, each query's two
# relevant documents must outscore all others. They optimise the query and document
# vectors directly — **free embeddings**, no text, no model — so if even free vectors of
# dimension $d$ fail, no model of dimension $d$ can succeed. The largest $n$ free vectors
# solve grows only polynomially with $d$ (their Figure 2 fits a cubic), and their LIMIT
# data set ("Who likes Quokkas?") turns such a pattern into text.

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_DOCS = 8  # documents of the pattern in exercises 3 and 4
DIMS = (2, 3, 4) if SMOKE else (2, 3, 4, 5, 6)  # dimensions of the critical-n curve
SEEDS = 1 if SMOKE else 3  # free-embedding seeds per dimension
N_LIMIT_QUERIES = 100 if SMOKE else 1000  # LIMIT-style queries (1,000 as LIMIT-small: 46 documents)

# %%
import numpy as np

import workbench as wb
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import scores_and_qrels, subset_sizes
from workbench.evaluate import evaluate_retrieval
from workbench.limits import critical_n_curve, dense, free_embedding, generate_limit, rank_upper_bound
from workbench.limits import topk_accuracy as reference_topk_accuracy

# %% [markdown]
# ## 1. The pattern
#
# **Exercise 1 (write a function).** `dense_qrels(n, k)`: a 0/1 matrix with one row per
# `k`-subset of the `n` documents (`itertools.combinations(range(n), k)` lists them) and
# `n` columns, 1 where the document belongs to the row's subset: shape `(C(n, k), n)`. Any
# order of the rows is accepted.

# %% tags=["exercise:lesson10-ex1"]
def dense_qrels(n, k):
    """One row per k-subset of n documents, 1 on the subset's documents."""
    ### BEGIN SOLUTION
    import itertools

    subsets = list(itertools.combinations(range(n), k))
    A = np.zeros((len(subsets), n), dtype=np.int64)
    for i, subset in enumerate(subsets):
        A[i, list(subset)] = 1
    return A
    ### END SOLUTION


# %%
check_function("dense_qrels", dense, subset_sizes, exercise="lesson10-ex1", compare="rows", hints=[])

# %% [markdown]
# ## 2. Is a pattern solved?
#
# Given scores `S` (queries x documents) and the pattern `A`, query $i$ with $r_i$ relevant
# documents is judged on its top $r_i$: the **top-k accuracy** is the number of relevant
# documents found in those top-$r_i$ lists divided by the total number of relevant
# documents. The pattern is *solved* when it is 1.
#
# **Exercise 2 (write a function).** `topk_accuracy(scores, qrels)`: both of shape
# `(m, n)`; every row of `qrels` has the same number `r` of ones. Return the accuracy as a
# float.

# %% tags=["exercise:lesson10-ex2"]
def topk_accuracy(scores, qrels):
    """Share of relevant documents found in each query's top r (r = its number of relevant documents)."""
    ### BEGIN SOLUTION
    r = int(qrels[0].sum())
    top = np.argsort(-scores, axis=1, kind="stable")[:, :r]
    return float(np.take_along_axis(qrels, top, axis=1).sum() / qrels.sum())
    ### END SOLUTION


# %%
def top_one(scores, qrels):  # a typical mistake, for the hint
    return float(np.take_along_axis(qrels, np.argmax(scores, axis=1)[:, None], axis=1).mean())


check_function("topk_accuracy", reference_topk_accuracy, scores_and_qrels, exercise="lesson10-ex2",
               hints=["percent"],
               mistakes={"judge each query on its top r, where r is its number of relevant documents, not only "
                         "its best one": top_one})

# %% [markdown]
# ## 3. How many dimensions are enough?
#
# Write $A$ for the 0/1 pattern. If $A$ has rank $r$, it factors as $A = U V^\top$ with $r$
# columns: queries $U$, documents $V$ in $\mathbb{R}^r$ reproduce $A$'s scores exactly, and
# relevant documents (score 1) beat the others (score 0). The same holds for the sign
# matrix $2A - 1$. So $\min(\mathrm{rank}(A), \mathrm{rank}(2A - 1))$ dimensions always
# suffice — an upper bound; the true requirement can be far lower.
#
# **Exercise 3 (compute a number).** `enough_dims`: that bound for `A = dense(N_DOCS, 2)`
# (`np.linalg.matrix_rank` computes a rank).

# %% tags=["exercise:lesson10-ex3"]
### BEGIN SOLUTION
A = dense(N_DOCS, 2)
enough_dims = int(min(np.linalg.matrix_rank(A), np.linalg.matrix_rank(2 * A - 1)))
### END SOLUTION
enough_dims

# %%
A8 = dense(N_DOCS, 2)
check_number("enough_dims", rank_upper_bound(A8), exercise="lesson10-ex3", tol=0,
             mistakes={"that is the number of queries (rows): the rank counts independent rows": len(A8)})

# %% [markdown]
# ## 4. Free embeddings and the critical n
#
# `free_embedding(A, d, seed=0)` optimises free query and document vectors in
# $\mathbb{R}^d$ with InfoNCE (Adam, temperature 0.1, as the paper) until the pattern is
# solved or the loss stops improving; `.solved` and `.best_accuracy` report the outcome.
#
# **Exercise 4 (compute a number).** `smallest_d`: the smallest dimension `d` (from 1 up)
# in which free embeddings with `seed=0` solve `dense(N_DOCS, 2)`.

# %% tags=["exercise:lesson10-ex4"]
### BEGIN SOLUTION
smallest_d = 1
while not free_embedding(dense(N_DOCS, 2), smallest_d, seed=0, show_progress=False).solved:
    smallest_d += 1
### END SOLUTION
smallest_d

# %%
solved_in = {d: free_embedding(A8, d, seed=0, show_progress=False) for d in range(1, rank_upper_bound(A8) + 1)}
check_number("smallest_d", min(d for d, res in solved_in.items() if res.solved), exercise="lesson10-ex4", tol=0,
             mistakes={"that is the rank bound of exercise 3: optimise free embeddings and find the first d "
                       "that solves the pattern": rank_upper_bound(A8)})
{d: round(res.best_accuracy, 3) for d, res in solved_in.items()}

# %% [markdown]
# The **critical n** of a dimension $d$ is the smallest number of documents whose pairs
# free vectors in $\mathbb{R}^d$ cannot solve. The curve below searches it per dimension
# (a gallop, then a bisection) beside the cubic the paper fitted up to $d = 45$:

# %%
curve = critical_n_curve(DIMS, seeds=SEEDS, show_progress=False)
curve[["d", "median", "min", "max", "paper"]]

# %% [markdown]
# ## 5. LIMIT in words
#
# The LIMIT data set writes such a pattern in plain sentences: each document lists what a
# person likes, each query asks "Who likes X?", and exactly two people like each X.
# `generate_limit` builds one from the project's word lists. Real models, far larger than
# these free vectors' $d$, still miss:

# %%
limit = generate_limit(N_LIMIT_QUERIES, seed=0)
q = limit.query_ids[0]
print(len(limit.queries), "queries,", len(limit.corpus), "documents;", limit.queries[q], "->",
      [limit.corpus[d][:80] + "..." for d in limit.qrels[q]])
minilm = wb.load_encoder("minilm")
{"minilm recall@2": round(evaluate_retrieval(minilm, limit, n_resamples=0)["recall@2"], 3),
 "BM25 recall@2": round(evaluate_retrieval(wb.bm25.BM25(), limit, n_resamples=0)["recall@2"], 3)}

# %% [markdown]
# **Exercise 5 (explain a finding).** In three to six sentences: what does the critical-n
# curve say about a model with 384 or 4,096 dimensions and a corpus of millions of
# documents, if queries may ask for *any* combination of documents? Why is LIMIT hard for
# a dense model even though every query is a simple string match, and why does BM25 do well?
# Name one way out that keeps retrieval practical.
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 1: free embeddings are the best case of any model of that dimension; their critical n
#   grows only polynomially (about cubically) with $d$, so for a fixed $d$ there are corpora
#   of modest size whose top-2 combinations no single vector per query can express — and
#   the number of possible combinations grows much faster than that.
# - 1: LIMIT asks for many different pairs of the same documents, a dense pattern: each
#   document vector must be near many unrelated queries at once, which a low-dimensional
#   inner product cannot arrange; the difficulty is the combinatorics, not the language.
# - 1: BM25 scores exact word overlap in a vocabulary-sized sparse space: its "dimension" is
#   huge, so the pattern fits.
# - 1: a way out: multi-vector (late-interaction) models, sparse or hybrid retrieval,
#   cross-encoder re-ranking of candidates, or larger dimensions where the pattern demands.
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson10-ex5"]
### BEGIN SOLUTION
explanation = """Free embeddings are the best any model of dimension d can do, and their critical n
grows only polynomially, about with the cube of d, so for 384 or even 4,096 dimensions there are
corpora of modest size in which some top-2 combinations cannot be produced by any single query
vector, while the number of combinations grows much faster than the corpus. LIMIT asks for many
different pairs of the same people, a dense pattern: each document must sit near many unrelated
queries at once, which a low-dimensional inner product cannot arrange, so the difficulty is
combinatorial, not linguistic. BM25 scores exact word overlap in a sparse space as wide as the
vocabulary, so its effective dimension is huge and the pattern fits. Ways out are multi-vector late
interaction, sparse or hybrid retrieval, or re-ranking candidates with a cross-encoder."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson10-ex5", min_words=40)
