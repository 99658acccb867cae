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
# # Lesson 2 — From tokens to a sentence: pooling modes and layers
#
# **Learning goals.** After this lesson you can
# 1. read a transformer's output as one vector per token per layer, with an attention mask;
# 2. pool token states into one sentence vector by hand (mean and max), ignoring padding;
# 3. compare pooling modes and layers on a real similarity task;
# 4. explain why the best pooling depends on how a model was trained.
#
# **Prerequisites.** Lesson 1 (cosine, Spearman); numpy axes and boolean masks. Knowing
# what a transformer layer does helps, but the lesson treats the model as a black box that
# maps tokens to vectors.
#
# **Time.** About 60 minutes: 15 reading, 35 for the five exercises, 10 for the discussion.
#
# The model is all-MiniLM-L6-v2 (Reimers and Gurevych, 2019; Wang et al., 2020): 6
# transformer layers, 384 dimensions, fine-tuned on sentence pairs with mean pooling.

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_DOCS = 12 if SMOKE else 50  # Lee documents whose pairs are compared (all 50: 1,225 pairs)

# %%
import numpy as np
import torch
from scipy import stats

import workbench as wb
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import token_states
from workbench.evaluate import evaluate_sts
from workbench.pooling import pool

enc = wb.load_encoder("minilm")
enc

# %% [markdown]
# ## 1. Token states
#
# `enc.hidden_states(texts)` runs the model once and returns the states of every layer
# (index 0 is the embedding layer, 1–6 the transformer layers), each of shape
# `(texts, tokens, 384)`, and the **attention mask**: 1 for a real token, 0 for padding
# added so that texts of different lengths fit in one array.

# %%
texts = ["A cat sat on the mat.", "Dogs bark."]
hidden, mask = enc.hidden_states(texts)
print(len(hidden), tuple(hidden[-1].shape))
print(mask)
print(enc.token_embeddings(texts[1:])[0][0])  # the tokens of the second text

# %% [markdown]
# ## 2. Mean pooling by hand
#
# Mean pooling averages the states of the real tokens: for text $i$,
# $v_i = \sum_t m_{it} h_{it} / \sum_t m_{it}$. Padding may sit on the right *or* on the
# left (decoders often pad on the left), so read positions from the mask.
#
# **Exercise 1 (write a function).** `mean_pool(states, mask)`: `states` is a numpy array
# `(b, t, h)`, `mask` is `(b, t)` of 0/1; return the `(b, h)` mean over real tokens.

# %% tags=["exercise:lesson02-ex1"]
def mean_pool(states, mask):
    """Mean of each text's real-token states: (b, t, h), (b, t) -> (b, h)."""
    ### BEGIN SOLUTION
    m = np.asarray(mask, dtype=np.float64)[:, :, None]
    return (np.asarray(states, dtype=np.float64) * m).sum(axis=1) / m.sum(axis=1)
    ### END SOLUTION


# %%
def package_pool(mode):
    """The package's pooling as a numpy function, for the checks."""
    return lambda states, mask: pool(torch.from_numpy(states), torch.from_numpy(mask), mode).numpy()


check_function("mean_pool", package_pool("mean"), token_states, exercise="lesson02-ex1", rtol=1e-4,
               hints=["unmasked_mean", "scaled"])

# %% [markdown]
# **Exercise 2 (write a function).** `max_pool(states, mask)`: the coordinate-wise maximum
# over real tokens, `(b, h)`. Padding states can be large: they must never win.

# %% tags=["exercise:lesson02-ex2"]
def max_pool(states, mask):
    """Coordinate-wise maximum over each text's real tokens: (b, t, h), (b, t) -> (b, h)."""
    ### BEGIN SOLUTION
    masked = np.where(np.asarray(mask)[:, :, None] == 1, states, -np.inf)
    return masked.max(axis=1)
    ### END SOLUTION


# %%
check_function("max_pool", package_pool("max"), token_states, exercise="lesson02-ex2", rtol=1e-5,
               hints=["unmasked_max"])

# %% [markdown]
# Your mean pooling of the last layer, normalised, is the model's sentence vector:

# %%
try:
    mine = mean_pool(hidden[-1].numpy(), mask.numpy())
    mine = mine / np.linalg.norm(mine, axis=1, keepdims=True)
    print("largest difference from enc.encode:", float(np.abs(mine - enc.encode(texts)).max()))
except NotImplementedError:
    print("solve exercise 1 first")

# %% [markdown]
# ## 3. Which pooling, which layer?
#
# The Lee corpus (Lee, Pincombe and Welsh, 2005) has 50 news documents and a human
# similarity score for each of their 1,225 pairs. We use the pairs among the first
# `N_DOCS` documents. `enc.encode(texts, pooling=...)` pools with any mode of
# `wb.pooling.POOLING_MODES`; `enc.encode_layers(texts)` returns every layer's vectors,
# shape `(7, n, 384)`.

# %%
lee = wb.datasets.load("lee-pairs")
docs = list(dict.fromkeys([*lee.text1, *lee.text2]))[:N_DOCS]
keep = set(docs)
lee = lee.select([i for i, (a, b) in enumerate(zip(lee.text1, lee.text2)) if a in keep and b in keep])
first = [docs.index(t) for t in lee.text1]   # row of each pair's first document in `docs`
second = [docs.index(t) for t in lee.text2]
print(len(docs), "documents,", len(lee), "pairs;", wb.pooling.POOLING_MODES)

# %% [markdown]
# **Exercise 3 (compute a number).** Compute `gap`: the Spearman correlation with the
# human scores when the vectors are mean-pooled, *minus* the same with CLS pooling (the
# first token's state). Use `enc.encode(docs, pooling=...)`, the cosine of each pair and
# `stats.spearmanr`.

# %% tags=["exercise:lesson02-ex3"]
### BEGIN SOLUTION
def lee_spearman(X):
    cos = (X[first] * X[second]).sum(axis=1)  # encode returns unit vectors: the dot product is the cosine
    return stats.spearmanr(cos, lee.scores).statistic


gap = lee_spearman(enc.encode(docs, pooling="mean")) - lee_spearman(enc.encode(docs, pooling="cls"))
### END SOLUTION
gap

# %%
by_mode = {mode: evaluate_sts(enc, lee, pooling=mode, n_resamples=0) for mode in ("mean", "cls")}
check_number("gap", by_mode["mean"]["spearman"] - by_mode["cls"]["spearman"], exercise="lesson02-ex3", tol=2e-3,
             mistakes={"that is the gap in Pearson's r; use Spearman's rho":
                       by_mode["mean"]["pearson"] - by_mode["cls"]["pearson"]})

# %% [markdown]
# **Exercise 4 (compute a number).** Which layer's mean-pooled vectors agree best with
# people? Compute `best_layer`, the index (0 = embedding layer, 6 = last) with the highest
# Spearman correlation. Normalise each layer's vectors before taking cosines (or compute
# cosines directly).

# %% tags=["exercise:lesson02-ex4"]
### BEGIN SOLUTION
layers = enc.encode_layers(docs, pooling="mean")
per_layer = [lee_spearman(X / np.linalg.norm(X, axis=1, keepdims=True)) for X in layers]
best_layer = int(np.argmax(per_layer))
### END SOLUTION
best_layer

# %%
layer_vectors = enc.encode_layers(docs, pooling="mean")  # read from the vector cache after your run
per_layer_ref = [evaluate_sts((H[first], H[second]), lee, n_resamples=0)["spearman"] for H in layer_vectors]
print([round(s, 3) for s in per_layer_ref])
check_number("best_layer", int(np.argmax(per_layer_ref)), exercise="lesson02-ex4", tol=0,
             mistakes={"that is the worst layer: take the argmax, not the argmin": int(np.argmin(per_layer_ref))})

# %% [markdown]
# **Exercise 5 (explain a finding).** In three to six sentences: why does mean pooling
# beat CLS pooling for this model, and why might the last layer be best here when, for a
# model never fine-tuned on sentence pairs, middle layers often are? Cite what you
# measured.
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 2: all-MiniLM-L6-v2 was fine-tuned (Reimers and Gurevych, 2019) with a loss applied to
#   the *mean-pooled* last layer, so that vector is the one shaped to reflect similarity;
#   the CLS state received no such training signal in this model.
# - 1: fine-tuning reshapes the last layer for the objective; in a pre-trained-only model
#   the last layers specialise in the pre-training task (predicting tokens) and are more
#   context-specific (Ethayarajh, 2019), so middle layers often transfer better.
# - 1: quotes their own numbers (the gap, the per-layer scores) and notes the sample is
#   small (pairs of `N_DOCS` documents), so small differences may not be real.
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson02-ex5"]
### BEGIN SOLUTION
explanation = """all-MiniLM-L6-v2 was fine-tuned on sentence pairs with a loss computed on the mean of
the last layer's token states, so that mean vector is exactly what training shaped to reflect
similarity, while the CLS state never received that signal; my gap of mean over CLS is positive.
Fine-tuning also reshapes the last layer for the objective, which is why the last layer scores best
here. A model that was only pre-trained specialises its last layers in predicting tokens, whose
states are very context-specific, so its middle layers often transfer better. The sample of pairs
is small, so small differences between layers may not be real."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson02-ex5", min_words=40)
