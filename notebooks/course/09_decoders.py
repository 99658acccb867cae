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
# # Lesson 9 — Decoders as embedders: last token, mean, prompts, the causal mask
#
# **Learning goals.** After this lesson you can
# 1. say which tokens a decoder's causal mask lets each token see, and what that means
#    for pooling;
# 2. pool the last real token of each text under left or right padding;
# 3. measure how pooling and a prompt change a decoder's sentence similarity;
# 4. leave a prompt's tokens out of mean pooling.
#
# **Prerequisites.** Lesson 2 (token states, attention mask, mean pooling) and lesson 3
# (Spearman on pairs). What a language model does: predict the next token.
#
# **Time.** About 60 minutes: 15 reading, 35 for the five exercises, 10 for the discussion.
#
# An encoder such as BERT lets every token attend to every other. A decoder — a GPT-style
# language model — uses a **causal mask**: token $t$ attends only to tokens $1..t$, so only
# the *last* token has seen the whole text. Decoder embedders therefore pool the last
# token (Neelakantan et al., 2022; Wang et al., 2024, E5-Mistral), or ask the model to
# summarise the text in its next word with a prompt (PromptEOL, Jiang et al., 2023), or
# lift the causal mask and train it bidirectional (BehnamGhader et al., 2024, LLM2Vec).
# The decoder here is SmolLM2-135M-Instruct, untrained as an embedder; the pairs are the
# Lee documents with human similarity ratings (lesson 2).

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_DOCS = 12 if SMOKE else 50  # Lee documents (the pairs among them are scored)
MAX_LENGTH = 32 if SMOKE else 160  # tokens per document

# %%
import numpy as np
import torch

import workbench as wb
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import mask_and_prefix, token_states
from workbench.evaluate import evaluate_sts
from workbench.pooling import exclude_prefix as reference_exclude_prefix
from workbench.pooling import pool

smol = wb.load_encoder("smollm2")
lee = wb.datasets.load("lee-pairs")
docs = list(dict.fromkeys([*lee.text1, *lee.text2]))[:N_DOCS]
row = {d: i for i, d in enumerate(docs)}
pairs = lee.select([i for i, (a, b) in enumerate(zip(lee.text1, lee.text2)) if a in row and b in row])
first, second = [row[t] for t in pairs.text1], [row[t] for t in pairs.text2]


def lee_spearman(**options):
    """Spearman on the Lee pairs of smollm2 vectors of ``docs`` encoded with ``options`` (pooling, prompt, ...)."""
    Y = smol.encode(docs, max_length=MAX_LENGTH, **options)
    return evaluate_sts((Y[first], Y[second]), pairs, n_resamples=0)["spearman"]


print(f"{smol.name}: {smol.n_layers} layers, {smol.dim} dimensions, decoder: {smol.is_decoder}; "
      f"{len(docs)} documents, {len(pairs)} rated pairs")

# %% [markdown]
# ## 1. The last real token
#
# Batches are padded to the longest text. Decoders are often padded on the *left*, so the
# last position of every row is a real token; with right padding the last position of a
# short text is padding. A pooling must find, in each row, the last position whose
# attention mask is 1.
#
# **Exercise 1 (write a function).** `last_token(states, mask)`: `states` has shape
# `(b, t, h)` and `mask` `(b, t)` (1 for a real token, 0 for padding; rows are padded on
# the left or the right). Return the state of each row's last real token, shape `(b, h)`.

# %% tags=["exercise:lesson09-ex1"]
def last_token(states, mask):
    """State of the last real token of each row (left or right padding)."""
    ### BEGIN SOLUTION
    last = mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)
    return states[np.arange(len(states)), last]
    ### END SOLUTION


# %%
check_function("last_token", lambda s, m: pool(torch.from_numpy(s), torch.from_numpy(m), "last").numpy(),
               token_states, exercise="lesson09-ex1",
               mistakes={"the last position is padding on right-padded rows: find each row's last real token":
                         lambda s, m: s[:, -1],
                         "that is the first real token: you want the last one (the only one that saw the whole text)":
                         lambda s, m: s[np.arange(len(s)), np.argmax(m, axis=1)]})

# %% [markdown]
# ## 2. Last token or mean?
#
# `lee_spearman(pooling=...)` embeds the documents with SmolLM2 and scores the pairs
# (Spearman of cosine with the ratings). Under the causal mask the first tokens of a text
# saw almost nothing, yet mean pooling gives them the same weight as the last.
#
# **Exercise 2 (compute a number).** `last_minus_mean`: Spearman with `pooling="last"`
# minus Spearman with `pooling="mean"`.

# %% tags=["exercise:lesson09-ex2"]
### BEGIN SOLUTION
last_minus_mean = lee_spearman(pooling="last") - lee_spearman(pooling="mean")
### END SOLUTION
last_minus_mean

# %%
scores = {"last": lee_spearman(pooling="last"), "mean": lee_spearman(pooling="mean")}
check_number("last_minus_mean", scores["last"] - scores["mean"], exercise="lesson09-ex2", tol=1e-4,
             hints=["negated"])

# %% [markdown]
# ## 3. A prompt
#
# PromptEOL wraps each text as `This sentence : "<text>" means in one word:"`: the model's
# next word should sum up the text, so the last token's state is asked to hold its
# meaning. `prompt="prompteol"` applies it.
#
# **Exercise 3 (compute a number).** `prompt_gain`: Spearman with `pooling="last",
# prompt="prompteol"` minus Spearman with `pooling="last"` and no prompt.

# %% tags=["exercise:lesson09-ex3"]
### BEGIN SOLUTION
prompt_gain = lee_spearman(pooling="last", prompt="prompteol") - lee_spearman(pooling="last")
### END SOLUTION
prompt_gain

# %%
scores["last + PromptEOL"] = lee_spearman(pooling="last", prompt="prompteol")
check_number("prompt_gain", scores["last + PromptEOL"] - scores["last"], exercise="lesson09-ex3", tol=1e-4,
             mistakes={"that is the prompted score itself: subtract the score without the prompt":
                       scores["last + PromptEOL"]})

# %% [markdown]
# ## 4. Keeping a prompt out of the mean
#
# With a prompt and mean pooling, the prompt's tokens — the same in every text — would
# be averaged in and pull all vectors together. The package leaves them out: it masks the
# first `n` real tokens of each row (the prompt's length) before pooling.
#
# **Exercise 4 (write a function).** `exclude_prefix(mask, n)`: return a copy of the
# `(b, t)` attention mask in which the first `n` *real* tokens of each row are set to 0.
# Rows may be padded on the left, so "first real token" is not always position 0.

# %% tags=["exercise:lesson09-ex4"]
def exclude_prefix(mask, n):
    """A copy of ``mask`` with each row's first n real tokens set to 0."""
    ### BEGIN SOLUTION
    out = mask.copy()
    start = np.argmax(mask, axis=1)
    for i, s in enumerate(start):
        out[i, s:s + n] = 0
    return out
    ### END SOLUTION


# %%
check_function("exclude_prefix", lambda m, n: reference_exclude_prefix(torch.from_numpy(m), n).numpy(),
               mask_and_prefix, exercise="lesson09-ex4", compare="exact",
               mistakes={"rows padded on the left start later: skip n tokens from each row's first real token":
                         lambda m, n: np.where(np.arange(m.shape[1]) < n, 0, m)})

# %% [markdown]
# Lifting the causal mask: `attention="bidirectional"` lets every token see the whole text
# — a model never trained that way, so its states are off its usual track:

# %%
scores["mean, bidirectional"] = lee_spearman(pooling="mean", attention="bidirectional")
{name: round(value, 3) for name, value in scores.items()}

# %% [markdown]
# **Exercise 5 (explain a finding).** In three to six sentences: explain the differences
# between the four scores above using the causal mask. Why can the last token of an
# untrained decoder still be a poor sentence vector even though it has seen the whole
# text, and what does a prompt change? Why does lifting the mask without training not
# simply help?
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 1: under the causal mask token $t$ sees only tokens $1..t$: early tokens carry little
#   of the text, so the mean mixes poorly informed states; only the last token has seen
#   everything.
# - 1: the last state of a language model is trained to predict the *next token*, so it
#   holds what comes next (often punctuation, the local syntax) more than the meaning of
#   the whole: last-token pooling of an untrained decoder is often not better than mean.
# - 1: a prompt such as PromptEOL makes the next token a one-word summary of the text, so
#   the last state is asked to encode the meaning.
# - 1: lifting the mask changes the inputs every layer was trained on; without training
#   (as LLM2Vec or NV-Embed do) the states drift and quality does not simply rise. Uses the
#   measured numbers with their sign.
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson09-ex5"]
### BEGIN SOLUTION
explanation = """Under the causal mask each token attends only to the tokens before it, so the first
states of a document know almost nothing of it and the mean averages many poorly informed states,
while the last token is the only one that has read everything. But a language model trains its last
state to predict the next token, so it holds what is likely to come next, often punctuation and
local syntax, more than the meaning of the whole document; that is why last-token pooling of an
untrained decoder need not beat the mean. PromptEOL turns the next token into a one-word summary of
the text, so the last state is asked to encode the meaning, and the prompted last token moves
accordingly in our scores. Lifting the causal mask feeds every layer attention patterns it never saw
in training, so the states drift; LLM2Vec and NV-Embed train the model after lifting it, and without
that step the bidirectional score does not simply rise."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson09-ex5", min_words=40)
