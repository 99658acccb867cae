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
# # Lesson 5 — Geometry: anisotropy, centring, whitening, and when they help
#
# **Learning goals.** After this lesson you can
# 1. measure anisotropy: the average cosine between random vectors, and IsoScore;
# 2. centre and whiten embeddings by hand, and say why whitening is defined only up to a
#    rotation;
# 3. test whether a post-processing step helps on a real task, fitting it on other data;
# 4. explain why a step that makes the space "more isotropic" can still hurt.
#
# **Prerequisites.** Lessons 1–3; covariance matrices and eigenvectors (principal
# component analysis).
#
# **Time.** About 60 minutes: 15 reading, 35 for the five exercises, 10 for the discussion.
#
# Embeddings are often **anisotropic**: they crowd into a narrow cone, so any two vectors
# have a high cosine (Ethayarajh, 2019). Remedies: subtract the mean (centring), remove the
# top principal directions ("all-but-the-top", Mu and Viswanath, 2018), or whiten — rotate
# and rescale so the covariance becomes the identity (Su et al., 2021). IsoScore (Rudman et
# al., 2022) measures how evenly a cloud uses its dimensions: 0 on a line, 1 for a round cloud.
# We use GloVe document vectors (the mean of a document's word vectors).

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_BACKGROUND = 100 if SMOKE else 300  # Lee background documents the post-processing is fitted on

# %%
import numpy as np

import workbench as wb
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import anisotropic_cloud
from workbench.evaluate import evaluate_sts
from workbench.geometry import isoscore
from workbench.geometry.cosine import average_cosine
from workbench.postprocess import AllButTheTop, Center, Normalize, Whitening

glove = wb.load_encoder("glove-50d")
background = glove.encode(wb.datasets.load("lee-background").texts[:N_BACKGROUND], normalize=False)
lee = wb.datasets.load("lee-pairs")
docs = list(dict.fromkeys([*lee.text1, *lee.text2]))
first, second = [docs.index(t) for t in lee.text1], [docs.index(t) for t in lee.text2]
D = glove.encode(docs, normalize=False)  # the 50 Lee documents, raw mean vectors
background.shape, D.shape

# %% [markdown]
# ## 1. How narrow is the cone?
#
# **Exercise 1 (write a function).** `mean_pair_cosine(X)`: the mean cosine similarity
# over all *distinct* pairs of rows `i < j` of an `(n, d)` array (a row with itself does
# not count).

# %% tags=["exercise:lesson05-ex1"]
def mean_pair_cosine(X):
    """Mean cosine of distinct pairs of rows of X."""
    ### BEGIN SOLUTION
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    C = U @ U.T
    n = len(X)
    return float((C.sum() - np.trace(C)) / (n * (n - 1)))
    ### END SOLUTION


# %%
def with_diagonal(X):  # a typical mistake, for the hint
    return average_cosine(X)["value"] * (len(X) - 1) / len(X) + 1 / len(X)


check_function("mean_pair_cosine", lambda X: average_cosine(X)["value"], anisotropic_cloud,
               exercise="lesson05-ex1", rtol=1e-6,
               mistakes={"you counted each row with itself: only pairs i != j count": with_diagonal})

# %%
try:
    print(f"GloVe document vectors: mean pair cosine {mean_pair_cosine(D):.3f}, "
          f"IsoScore of the background {isoscore(background):.3f}")
except NotImplementedError:
    print("solve exercise 1 first")

# %% [markdown]
# ## 2. Whitening by hand
#
# Whitening maps $x \mapsto (x - \mu) W$ with $W = U \Lambda^{-1/2}$, where
# $\Sigma = U \Lambda U^\top$ is the eigendecomposition of the covariance. The output has
# identity covariance. Any rotation $R$ of it, $(x - \mu) W R$, is just as white, so the
# check compares your output *up to a rotation* (the same inner products between rows).
#
# **Exercise 2 (write a function).** `whiten(X)` fits on `X` and returns `X` whitened,
# shape `(n, d)`. The covariance divides by `n - 1`; `np.cov(X, rowvar=False)` and
# `np.linalg.eigh` help.

# %% tags=["exercise:lesson05-ex2"]
def whiten(X):
    """X centred, rotated and rescaled to identity covariance (fitted on X itself)."""
    ### BEGIN SOLUTION
    mu = X.mean(axis=0)
    vals, vecs = np.linalg.eigh(np.cov(X, rowvar=False))
    return (X - mu) @ (vecs / np.sqrt(vals))
    ### END SOLUTION


# %%
def not_centred(X):  # typical mistakes, for the hints
    return X @ Whitening().fit(X).components_


def divided_by_n(X):
    return Whitening().fit_transform(X) * np.sqrt(len(X) / (len(X) - 1))


check_function("whiten", lambda X: Whitening().fit_transform(X), anisotropic_cloud, exercise="lesson05-ex2",
               compare="rotation", rtol=1e-4, atol=1e-6, hints=["scaled"],
               mistakes={"you did not subtract the mean before rotating": not_centred,
                         "the covariance divides by n - 1 (np.cov's default), not by n": divided_by_n})

# %% [markdown]
# ## 3. Does it help on a task?
#
# Fit each step on the *background* documents (never on the test pairs), apply it to the
# 50 Lee documents, normalise, and score the Lee pairs with Spearman. `Center()`,
# `Whitening()` and `AllButTheTop()` follow scikit-learn (`.fit(A).transform(B)`), and
# `evaluate_sts((vectors1, vectors2), lee)` scores precomputed vectors.
#
# **Exercise 3 (compute a number).** `center_gain`: Spearman after centring minus Spearman
# of the raw vectors.
#
# **Exercise 4 (compute a number).** `whiten_gain`: the same for whitening.
#
# `lee_score(Y)` scores vectors of the 50 Lee documents (rows in the order of `docs`):

# %%
def lee_score(Y):
    """Spearman on the Lee pairs of one vector per document in ``docs``, after normalising the rows."""
    Y = Normalize().fit_transform(Y)
    return evaluate_sts((Y[first], Y[second]), lee, n_resamples=0)["spearman"]


# %% tags=["exercise:lesson05-ex3"]
### BEGIN SOLUTION
raw_score = lee_score(D)
center_gain = lee_score(Center().fit(background).transform(D)) - raw_score
### END SOLUTION
center_gain


# %%
def reference_score(step):
    fitted = D if step is None else step.fit(background).transform(D)
    unit = Normalize().fit_transform(fitted)
    return evaluate_sts((unit[first], unit[second]), lee, n_resamples=0)["spearman"]


raw_ref = reference_score(None)
own_mean = Normalize().fit_transform(D - D.mean(axis=0))  # centred on the test documents themselves
check_number("center_gain", reference_score(Center()) - raw_ref, exercise="lesson05-ex3", tol=1e-4,
             mistakes={"fit on the background documents: you centred with the test documents' own mean":
                       evaluate_sts((own_mean[first], own_mean[second]), lee, n_resamples=0)["spearman"] - raw_ref})

# %% tags=["exercise:lesson05-ex4"]
### BEGIN SOLUTION
whiten_gain = lee_score(Whitening().fit(background).transform(D)) - raw_score
### END SOLUTION
whiten_gain

# %%
check_number("whiten_gain", reference_score(Whitening()) - raw_ref, exercise="lesson05-ex4", tol=1e-4)
print({name: round(reference_score(step) - raw_ref, 3) for name, step in
       [("center", Center()), ("whitening", Whitening()), ("all-but-the-top (3)", AllButTheTop(n_remove=3))]})

# %% [markdown]
# **Exercise 5 (explain a finding).** In three to six sentences: centring removes almost
# all the anisotropy and helps; whitening makes the space even more isotropic yet hurts
# here. Why? What does whitening do to directions of small variance, and what do those
# directions hold in averaged word vectors? When would you expect whitening to help?
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 1: the raw vectors share a large common component (frequent words shared by every
#   document); it dominates every cosine, and centring removes it, so topic differences
#   decide the cosine.
# - 2: whitening rescales *every* principal direction to unit variance, so directions of
#   tiny variance — noise, idiosyncrasies of the fit set — weigh as much as the few
#   directions that carry topic; isotropy is not the goal, a similarity that tracks
#   meaning is. With few fit documents the small-variance directions are also poorly
#   estimated.
# - 1: whitening helps when the useful signal is spread over many directions and the
#   anisotropy distorts it (Su et al., 2021, for BERT's raw [CLS]/mean vectors), when the fit
#   set is large and from the same domain, and often with `n_components` below `d`.
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson05-ex5"]
### BEGIN SOLUTION
explanation = """Averaged GloVe vectors share a large common component from the frequent words every
document contains; it dominates every cosine, which is why the average cosine is near 0.95, and
centring removes it so the differences between topics decide the cosine. Whitening goes further and
rescales every principal direction to unit variance, so directions of tiny variance, mostly noise
and quirks of the background documents, weigh as much as the few directions that carry topic.
Isotropy is not the goal; a similarity that tracks meaning is. Whitening helps when the signal is
spread over many directions, as for raw BERT vectors in Su et al. (2021), when the fit set is large
and in domain, or when only the top components are kept."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson05-ex5", min_words=40)
