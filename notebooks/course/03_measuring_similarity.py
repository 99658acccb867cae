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
# # Lesson 3 — Measuring similarity: STS, Spearman, and how sure we are
#
# **Learning goals.** After this lesson you can
# 1. compute Spearman's rank correlation by hand, ties included;
# 2. score a model on a semantic textual similarity (STS) task the way MTEB does;
# 3. put a 95% bootstrap confidence interval around that score by hand;
# 4. decide whether one model really beats another, and say what the interval assumes.
#
# **Prerequisites.** Lessons 1 and 2; mean, standard deviation, percentiles; the idea of
# sampling with replacement.
#
# **Time.** About 60 minutes: 10 reading, 40 for the four exercises, 10 for the discussion.
#
# An STS benchmark gives pairs of texts with a human similarity score; a model's score is
# the Spearman correlation between its cosines and the human scores (Cer et al., 2017;
# the main STS metric of MTEB, Muennighoff et al., 2023). Every such number comes from a
# sample of pairs, so it has sampling error: the bootstrap (Efron, 1979; Efron and
# Tibshirani, 1993) estimates it by resampling the pairs.

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_DOCS = 20 if SMOKE else 50  # Lee documents whose pairs are scored (all 50: 1,225 pairs)
N_RESAMPLES = 1000  # bootstrap resamples

# %%
import numpy as np
from scipy import stats

import workbench as wb
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import paired_with_ties
from workbench.evaluate import evaluate_sts
from workbench.evaluate.stats import STATISTICS, bootstrap_ci, paired_test
from workbench.evaluate.sts import cosine_rows

# %% [markdown]
# ## 1. Spearman's rho by hand
#
# Spearman's $\rho$ is Pearson's correlation of the *ranks*: replace each value by its
# position in sorted order (1 = smallest), then correlate. Human scores are often coarse
# (many pairs rated 3.0), so **ties** are common: tied values all get the average of the
# positions they occupy (values 5, 7, 7, 9 get ranks 1, 2.5, 2.5, 4).
#
# **Exercise 1 (write a function).** `spearman(x, y)` returns Spearman's $\rho$ of two
# 1-d arrays of the same length, as a float. Use numpy; `scipy.stats.rankdata` gives
# average ranks (or write the ranks yourself).

# %% tags=["exercise:lesson03-ex1"]
def spearman(x, y):
    """Spearman's rank correlation of two paired samples, ties given average ranks."""
    ### BEGIN SOLUTION
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return float((rx * ry).sum() / np.sqrt((rx * rx).sum() * (ry * ry).sum()))
    ### END SOLUTION


# %%
def package_spearman(x, y):
    """The package's Spearman (vectorised over resamples; here one row)."""
    return float(STATISTICS["spearman"](np.asarray(x)[None], np.asarray(y)[None])[0])


check_function("spearman", package_spearman, paired_with_ties, exercise="lesson03-ex1", rtol=1e-6,
               hints=["pearson", "ordinal_ranks", "negated"])

# %% [markdown]
# ## 2. An STS score
#
# The Lee pairs (Lee, Pincombe and Welsh, 2005): news documents with the mean similarity
# rating of about ten people per pair. We score all-MiniLM-L6-v2 (mean pooling, unit
# vectors) on the pairs among the first `N_DOCS` documents.

# %%
enc = wb.load_encoder("minilm")
lee = wb.datasets.load("lee-pairs")
docs = list(dict.fromkeys([*lee.text1, *lee.text2]))[:N_DOCS]
keep = set(docs)
lee = lee.select([i for i, (a, b) in enumerate(zip(lee.text1, lee.text2)) if a in keep and b in keep])
first, second = [docs.index(t) for t in lee.text1], [docs.index(t) for t in lee.text2]
X = enc.encode(docs)                 # each document once
A, B = X[first], X[second]           # the vectors of each pair's two documents
gold = np.asarray(lee.scores)
len(lee), A.shape

# %% [markdown]
# **Exercise 2 (compute a number).** Compute `rho`, the Spearman correlation between the
# cosine of each pair (`A[i]`, `B[i]`) and `gold`, with your `spearman`.

# %% tags=["exercise:lesson03-ex2"]
### BEGIN SOLUTION
cosines = cosine_rows(A, B)
rho = spearman(cosines, gold)
### END SOLUTION
rho

# %%
reference = evaluate_sts((A, B), lee, n_resamples=0)
check_number("rho", reference["spearman"], exercise="lesson03-ex2", tol=1e-4,
             mistakes={"that is Pearson's r; Spearman correlates the ranks": reference["pearson"]})

# %% [markdown]
# ## 3. A bootstrap interval by hand
#
# The percentile bootstrap: draw `n` pairs *with replacement* from the `n` pairs, compute
# $\rho$ on the resample, repeat `N_RESAMPLES` times; the middle 95% of those values
# (the 2.5th and 97.5th percentiles) is the interval.
#
# **Exercise 3 (compute a number).** Compute `ci = (low, high)`, the 95% percentile
# bootstrap interval of $\rho$ over pairs. Use `rng = np.random.default_rng(0)`,
# `rng.integers` to draw indices, and `np.quantile`. Your interval will differ from the
# package's by a little Monte-Carlo noise; the check allows 7% of the interval's width.

# %% tags=["exercise:lesson03-ex3"]
### BEGIN SOLUTION
rng = np.random.default_rng(0)
cos_all = cosine_rows(A, B)
rhos = []
for _ in range(N_RESAMPLES):
    idx = rng.integers(0, len(gold), size=len(gold))
    rhos.append(spearman(cos_all[idx], gold[idx]))
ci = (float(np.quantile(rhos, 0.025)), float(np.quantile(rhos, 0.975)))
### END SOLUTION
ci

# %%
cos_ref = cosine_rows(A, B)
ci_ref = bootstrap_ci(cos_ref, gold, statistic="spearman", n_resamples=4000, seed=1)
print("package:", tuple(round(v, 3) for v in ci_ref))
check_number("ci", ci_ref, exercise="lesson03-ex3", tol=0.07 * (ci_ref[1] - ci_ref[0]),
             mistakes={"that is a 90% interval (5th to 95th percentile); take the 2.5th and 97.5th":
                       bootstrap_ci(cos_ref, gold, statistic="spearman", n_resamples=4000, seed=1,
                                    confidence=0.90)})

# %% [markdown]
# ## 4. Is MiniLM better than GloVe here?
#
# Two intervals that overlap do not settle it: both models are scored on the *same* pairs,
# so their errors are correlated. A **paired** test resamples (or swaps) the two models'
# outputs pair by pair. The package's `paired_test` gives the difference, its interval and
# a permutation p-value.

# %%
glove = wb.load_encoder("glove-50d")
G = glove.encode(docs)
cos_glove = cosine_rows(G[first], G[second])
print("MiniLM", round(reference["spearman"], 3), "GloVe", round(stats.spearmanr(cos_glove, gold).statistic, 3))
paired_test(cos_ref, cos_glove, gold, statistic="spearman", n_resamples=2000)

# %% [markdown]
# **Exercise 4 (explain a finding).** The 1,225 Lee pairs are built from only 50
# documents: every document appears in 49 pairs. In three to six sentences: does the
# bootstrap over *pairs* make the interval too narrow or too wide, and why? How would you
# resample instead?
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 2: too narrow: the bootstrap assumes independent examples, but pairs sharing a
#   document are correlated (a document the model embeds badly spoils all 49 of its
#   pairs), so the effective sample size is far below 1,225.
# - 1: resample *documents* (a cluster or block bootstrap: draw documents with
#   replacement, keep the pairs among the drawn documents) so the dependence is kept.
# - 1: connects it to the comparison: with honest (wider) intervals, or a paired test that
#   also resamples documents, a small difference between two models may not be real.
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson03-ex4"]
### BEGIN SOLUTION
explanation = """The interval is too narrow. The bootstrap treats the pairs as independent draws, but
every document appears in 49 pairs, so if the model embeds one document badly all of its pairs go
wrong together; the pairs are correlated and the effective sample size is much smaller than 1,225.
Resampling pairs ignores that dependence and understates the variance. I would resample documents
instead, a cluster bootstrap: draw documents with replacement and keep the pairs among the drawn
documents. With honest, wider intervals a small difference between two models may not be real."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson03-ex4", min_words=40)
