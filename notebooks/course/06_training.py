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
# # Lesson 6 — Training: InfoNCE, a short fine-tune, in-batch and hard negatives
#
# **Learning goals.** After this lesson you can
# 1. write the InfoNCE loss with in-batch negatives, and say what the temperature does;
# 2. add mined hard negatives to the loss;
# 3. fine-tune a sentence encoder for a few steps on a CPU and measure the effect on
#    held-out queries;
# 4. explain why hard negatives help, and how they can hurt (false negatives).
#
# **Prerequisites.** Lessons 1 and 4 (cosine, nDCG@10); softmax and cross-entropy; the
# idea of gradient descent. PyTorch is not needed: the loss is written in numpy.
#
# **Time.** About 90 minutes: 20 reading, 50 for the five exercises, 20 for the discussion
# (the fine-tunes themselves take a few minutes of CPU time).
#
# A bi-encoder learns from pairs $(q_i, d_i)$ — a query and a text that answers it. In a
# batch of $B$ pairs every other $d_j$ is a free negative for $q_i$: the model must pick
# $d_i$ out of the batch. This is the InfoNCE loss (van den Oord, Li and Vinyals, 2018),
# called the multiple-negatives ranking loss by Henderson et al. (2017):
#
# $$\mathcal{L} = -\frac{1}{B}\sum_{i=1}^{B} \log
# \frac{\exp(\cos(q_i, d_i)/\tau)}{\sum_{j=1}^{B} \exp(\cos(q_i, d_j)/\tau)}$$
#
# with a temperature $\tau$ (0.05 is common). Random in-batch negatives are mostly easy;
# **hard negatives** — texts the model ranks high that do not answer the query — join the
# denominator of their own query only (Karpukhin et al., 2020).

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_TRAIN = 16 if SMOKE else 256  # training pairs (docstring -> function code)
N_TEST = 8 if SMOKE else 100  # held-out queries
STEPS = 1 if SMOKE else 16  # optimizer steps per fine-tune
BATCH = 4 if SMOKE else 16  # pairs per batch: each query sees BATCH - 1 in-batch negatives
MAX_LENGTH = 32 if SMOKE else 48  # tokens per text

# %%
import numpy as np
import torch

import workbench as wb
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import query_doc_batch, query_doc_hard
from workbench.evaluate import evaluate_retrieval
from workbench.train import TrainConfig, mine, mine_hard_negatives, train, training_split
from workbench.train import info_nce as reference_info_nce

pairs, test = training_split("python-docstrings", n_train=N_TRAIN, n_test=N_TEST, n_test_docs=4 * N_TEST)
enc = wb.load_encoder("minilm")
print(f"{len(pairs)} training pairs; {len(test.queries)} held-out queries over {len(test.corpus)} functions")
print("QUERY:", pairs.queries[0])
print("POSITIVE:", pairs.positives[0][:200])

# %% [markdown]
# ## 1. InfoNCE with in-batch negatives
#
# **Exercise 1 (write a function).** `info_nce(q, d, temperature)`: `q` and `d` are numpy
# arrays of shape `(B, D)`, row `i` of `d` the positive of row `i` of `q`. Return the loss
# above as a float. Normalise the rows first (the logits are *cosines* over `temperature`),
# and compute the log-softmax stably: subtract each row's maximum before `np.exp`.

# %% tags=["exercise:lesson06-ex1"]
def info_nce(q, d, temperature):
    """InfoNCE with in-batch negatives: mean over queries of -log softmax(cos / temperature)[positive]."""
    ### BEGIN SOLUTION
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    d = d / np.linalg.norm(d, axis=1, keepdims=True)
    logits = q @ d.T / temperature
    logits = logits - logits.max(axis=1, keepdims=True)
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-np.mean(np.diag(log_softmax)))
    ### END SOLUTION


# %%
def package_loss(q, d, temperature, hard=None):
    """The package's InfoNCE on numpy inputs, as a float."""
    hard = None if hard is None else torch.from_numpy(np.asarray(hard, dtype=np.float32))
    return float(reference_info_nce(torch.from_numpy(q), torch.from_numpy(d), hard_negatives=hard,
                                    temperature=temperature))


def unnormalised(q, d, temperature):  # typical mistakes, for the hints
    logits = torch.from_numpy(q @ d.T / temperature)
    return float(torch.nn.functional.cross_entropy(logits, torch.arange(len(q))))


check_function("info_nce", package_loss, query_doc_batch, exercise="lesson06-ex1", rtol=1e-4, atol=1e-5,
               hints=["negated"],
               mistakes={"the logits must be cosines: normalise the rows of q and d first": unnormalised,
                         "divide the cosines by the temperature before the softmax":
                             lambda q, d, t: package_loss(q, d, 1.0)})

# %% [markdown]
# What the temperature does: the same batch of real vectors, scored at three temperatures.
# A small $\tau$ sharpens the softmax, so the loss is dominated by the negatives that come
# closest to the positive.

# %%
batch = enc.encode(pairs.queries[:BATCH], max_length=MAX_LENGTH), enc.encode(pairs.positives[:BATCH],
                                                                             max_length=MAX_LENGTH)
print({t: round(package_loss(*batch, t), 3) for t in (1.0, 0.1, 0.05)}, "chance level log B =",
      round(float(np.log(BATCH)), 3))

# %% [markdown]
# ## 2. Hard negatives
#
# **Exercise 2 (write a function).** `info_nce_hard(q, d, hard, temperature)`: as before,
# plus `hard` of shape `(B, m, D)`: `m` hard negatives *of each query*. Row `i` of the
# logits gets `m` extra entries, the cosines of `q[i]` with `hard[i, 0..m-1]` (over the
# temperature); query `i` never sees another query's hard negatives.

# %% tags=["exercise:lesson06-ex2"]
def info_nce_hard(q, d, hard, temperature):
    """InfoNCE with in-batch negatives and m hard negatives per query."""
    ### BEGIN SOLUTION
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    d = d / np.linalg.norm(d, axis=1, keepdims=True)
    hard = hard / np.linalg.norm(hard, axis=2, keepdims=True)
    logits = np.concatenate([q @ d.T, np.einsum("bd,bmd->bm", q, hard)], axis=1) / temperature
    logits = logits - logits.max(axis=1, keepdims=True)
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-np.mean(np.diag(log_softmax)))
    ### END SOLUTION


# %%
def shared_hard(q, d, hard, temperature):  # a typical mistake: every query sees every query's hard negatives
    return package_loss(q, np.concatenate([d, hard.reshape(-1, hard.shape[2])]), temperature)


check_function("info_nce_hard", lambda q, d, h, t: package_loss(q, d, t, h), query_doc_hard,
               exercise="lesson06-ex2", rtol=1e-4, atol=1e-5,
               mistakes={"each query's hard negatives belong to it alone: score q[i] only against hard[i]":
                         shared_hard,
                         "you left the hard negatives out of the denominator": lambda q, d, h, t: package_loss(q, d, t)})

# %% [markdown]
# ## 3. A short fine-tune
#
# `train(encoder, pairs, config)` runs the package's loop: AdamW, a linear warm-up, batches
# that never hold the same query twice, and the same InfoNCE you wrote (temperature 0.05).
# It returns a result whose `.encoder` is the fine-tuned model; the base model is left
# unchanged. `evaluate_retrieval(model, test, max_length=MAX_LENGTH, n_resamples=0)` scores
# a model on the held-out queries (no training pair's function is in the test corpus).

# %%
config = TrainConfig(steps=STEPS, batch_size=BATCH, lr=1e-4, max_length=MAX_LENGTH)
tuned = train(enc, pairs, config, show_progress=False)
print(f"{tuned.steps} steps in {tuned.seconds:.0f} s; loss {tuned.history[0]['loss']:.3f} -> "
      f"{tuned.history[-1]['loss']:.3f}")

# %% [markdown]
# **Exercise 3 (compute a number).** `tuned_gain`: nDCG@10 of the fine-tuned model
# (`tuned.encoder`) minus nDCG@10 of the base model `enc`, on `test`.

# %% tags=["exercise:lesson06-ex3"]
### BEGIN SOLUTION
base_ndcg = evaluate_retrieval(enc, test, max_length=MAX_LENGTH, n_resamples=0)["ndcg@10"]
tuned_gain = evaluate_retrieval(tuned.encoder, test, max_length=MAX_LENGTH, n_resamples=0)["ndcg@10"] - base_ndcg
### END SOLUTION
tuned_gain


# %%
def ndcg(model):
    return evaluate_retrieval(model, test, max_length=MAX_LENGTH, n_resamples=0)["ndcg@10"]


base_reference, tuned_reference = ndcg(enc), ndcg(tuned.encoder)
check_number("tuned_gain", tuned_reference - base_reference, exercise="lesson06-ex3", tol=1e-4,
             mistakes={"that is the fine-tuned model's nDCG@10: subtract the base model's": tuned_reference})

# %% [markdown]
# ## 4. Mining hard negatives, and the false ones
#
# To mine, the base model scores every training function for every training query; the
# best-scoring function that is not the query's answer becomes its hard negative — unless
# it scores above 95% of the answer's own score. Such a near-tie is likely an *unlabelled
# answer* (a near-duplicate function, say), a **false negative** that would teach the model
# to push a right answer away; the margin skips it and takes the next candidate.
#
# `Q` holds the unit vectors of the training queries, `X` those of the distinct training
# functions, and `positives[i]` the rows of `X` that answer query `i` (its own first).
#
# **Exercise 4 (compute a number).** `likely_false`: the number of training queries whose
# best-scoring *non-answer* function scores above `0.95` times the query's own answer
# (`positives[i][0]`). Scores are inner products of the unit vectors.

# %%
functions = list(dict.fromkeys(pairs.positives))
row = {text: i for i, text in enumerate(functions)}
Q = enc.encode(pairs.queries, max_length=MAX_LENGTH)
X = enc.encode(functions, max_length=MAX_LENGTH)
answers = {}
for group, positive in zip(pairs.groups, pairs.positives):
    answers.setdefault(group, []).append(row[positive])
positives = [[row[p]] + [j for j in answers[g] if j != row[p]] for g, p in zip(pairs.groups, pairs.positives)]
Q.shape, X.shape

# %% tags=["exercise:lesson06-ex4"]
### BEGIN SOLUTION
likely_false = 0
for i, answer_rows in enumerate(positives):
    scores = X @ Q[i]
    own = scores[answer_rows[0]]
    scores[answer_rows] = -np.inf
    likely_false += int(scores.max() > 0.95 * own)
### END SOLUTION
likely_false

# %%
kept = mine(Q, X, positives, n_negatives=1, margin=0.95, k=len(X))[:, 0]
best = mine(Q, X, positives, n_negatives=1, margin=None, k=len(X))[:, 0]
check_number("likely_false", int((kept != best).sum()), exercise="lesson06-ex4", tol=0,
             mistakes={"a query's own answer is not a candidate: leave the positives out before taking the best":
                       len(Q)})
print(f"{int((kept != best).sum())} of {len(Q)} training queries have a near-tie the margin skips")

# %% [markdown]
# The same mining, done by the package on the texts, and a fine-tune on the mined pairs
# with the same settings:

# %%
mined = mine_hard_negatives(enc, pairs, n_negatives=1, margin=0.95, max_length=MAX_LENGTH)
hard_tuned = train(enc, mined, config, show_progress=False)
hard_reference = ndcg(hard_tuned.encoder)
print("QUERY:", mined.queries[0], "\nHARD NEGATIVE:", mined.negatives[0][0][:200])
print(f"nDCG@10 on {len(test.queries)} held-out queries: base {base_reference:.3f}, in-batch fine-tune "
      f"{tuned_reference:.3f}, with hard negatives {hard_reference:.3f}")

# %% [markdown]
# **Exercise 5 (explain a finding).** In three to six sentences: what does a hard negative
# teach the model that in-batch negatives do not? What goes wrong when a "hard negative" is
# really an unlabelled answer, and what does the margin do about it? Compare the two
# fine-tunes above (mind the size of the differences against the number of held-out
# queries and of training steps).
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 1: random in-batch negatives are mostly easy (another topic entirely): the loss is
#   already small for them and their gradient teaches little; a hard negative shares the
#   query's words or topic, so the model must learn the finer distinction.
# - 1: a false negative (an unlabelled answer, e.g. a near-duplicate function) is pushed
#   away from a query it answers: the model learns the wrong thing; the margin drops
#   candidates scoring above 95% of the positive, the likely false negatives.
# - 1: an honest comparison: a few steps on a few hundred pairs give small
#   differences, within the noise of 100 queries (a bootstrap interval or paired test,
#   lesson 3, is needed before claiming one run is better).
# - 1: mentions the temperature or the batch size (more in-batch negatives make a harder
#   task; a small temperature focuses the loss on the hardest negatives).
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson06-ex5"]
### BEGIN SOLUTION
explanation = """In-batch negatives are random other pairs, usually about another topic, so the model
already ranks them low and they teach little. A hard negative is a function the model itself ranks
high for the query, sharing its words or topic, so the loss forces the finer distinction the task
needs. If the mined text is really an unlabelled answer, a near-duplicate function for example,
the loss pushes a correct answer away from its query and teaches the wrong thing; the margin skips
candidates that score above 95% of the positive, which are the likely false negatives. With a few
steps and a hundred test queries the two fine-tunes differ by little, within the noise, so I would
need a bootstrap interval or a paired test before calling one recipe better. A larger batch or a
smaller temperature also makes the in-batch task harder."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson06-ex5", min_words=40)
