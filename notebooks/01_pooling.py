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
# # Pooling experiments: which pooling, which layer, which prompt — and is the difference real?
#
# A transformer gives one state per token per layer; an embedding is one vector per text.
# How to get from one to the other is a design choice with no universal winner (the
# *Pooling and Attention* paper found none), so we measure it:
#
# 1. **pooling x layer heatmaps** for an encoder (`minilm`) and a decoder (`smollm2`) on
#    STS, retrieval and classification, each cell with a 95% interval and a paired test
#    against the model's default (◆): ▲ / ▼ mark cells significantly better / worse;
# 2. **decoders as embedders**: last token vs mean, PromptEOL, causal vs bidirectional attention;
# 3. **instructions and few-shot examples** on a retrieval set;
# 4. the **(layer, truncated dimension)** view of an untrained model;
# 5. what we learned — sentences computed from the tables above.
#
# `wb.experiments.sweep` runs the model once per (prompt, attention) and re-pools every
# pooling x layer cell from those token states, so a whole heatmap costs about one encode.

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
LAYERS = [0, 3, -1] if SMOKE else "all"
STS_PAIRS = 120 if SMOKE else None  # Lee: 1,225 pairs over 50 documents
RET_QUERIES, RET_DOCS = (20, 40) if SMOKE else (300, 600)  # python-docstrings subset (minilm)
DEC_QUERIES, DEC_DOCS = (6, 10) if SMOKE else (100, 200)  # smaller for the decoder
CLS_TEXTS = 100 if SMOKE else None  # pang-lee-polarity: 200 reviews (40 gave 8 test reviews: every cell 5/8)
DECODER_STS_PAIRS = 12 if SMOKE else None
RESAMPLES = 50 if SMOKE else 1000
DECODER_MAX_LENGTH = 24 if SMOKE else 128
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import pandas as pd

import workbench as wb
from workbench.evaluate import Task
from workbench.experiments import (
    DATA_INSTRUCTIONS,
    best_worst,
    fewshot_prompt,
    heatmap,
    instruction,
    split_fewshot,
    summarize,
    sweep,
)

COLS = ["pooling", "layer", "score", "ci_low", "ci_high", "delta", "p_value"]

# %% [markdown]
# ## 1. Pooling x layer on three tasks
# The three tasks and their main scores (MTEB conventions): Spearman correlation on the
# Lee document pairs, nDCG@10 for docstring -> function retrieval, and the accuracy of a
# logistic-regression probe on movie-review polarity.
#
# nDCG@10 (Järvelin and Kekäläinen, 2002) rewards relevant documents near the top of a
# query's ranking: with $\mathrm{rel}_i$ the relevance of the document at rank $i$,
#
# $$\mathrm{DCG@10} = \sum_{i=1}^{10} \frac{\mathrm{rel}_i}{\log_2(i + 1)}, \qquad
# \mathrm{nDCG@10} = \frac{\mathrm{DCG@10}}{\mathrm{IDCG@10}},$$
#
# where IDCG@10 is the DCG@10 of the ideal ranking, so 1 means every relevant document
# came first; the table reports the mean over queries. Spearman's $\rho$ (Spearman, 1904)
# is the Pearson correlation between the ranks of the pairs' cosines and the ranks of their
# human ratings; the probe's accuracy is the share of held-out reviews whose label it gets right.
#
# Each cell's 95% interval is a percentile bootstrap (Efron, 1979): draw the $n$ examples
# with replacement $R$ times (`RESAMPLES`), recompute the score $\hat\theta^{*}_r$ on each draw,
# and keep the middle 95%,
#
# $$\mathrm{CI}_{95\%} = \big[\, q_{0.025}(\hat\theta^{*}_1, \dots, \hat\theta^{*}_R),\;
# q_{0.975}(\hat\theta^{*}_1, \dots, \hat\theta^{*}_R) \,\big].$$
#
# The paired test against the default cell swaps the two cells' per-example outputs on
# each example with probability 1/2, $R$ times, and reports
# $p = \big(1 + \#\{r : |\Delta^{*}_r| \ge |\Delta|\}\big) / (1 + R)$, where $\Delta$ is the
# observed difference of scores (for a correlation, each cell's scores are first turned
# into ranks so that a swap compares like with like).
#
# The summary below prints both for the best cell, and with few examples they can
# disagree: a difference interval that excludes zero beside $p > 0.05$. The permutation
# $p$ is valid at any $n$; the percentile bootstrap is only approximately right and its
# intervals are too narrow when $n$ is small (a dozen pairs or a handful of queries, as in a
# smoke run), so there the $p$-value is the one to believe. At full size the two agree
# except near the boundary.

# %%
minilm = wb.load_encoder("minilm")
tasks = {
    "sts": Task("sts", "lee-pairs", max_items=STS_PAIRS),
    "retrieval": Task("retrieval", "python-docstrings", max_items=RET_QUERIES, max_docs=RET_DOCS),
    "classification": Task("classification", "pang-lee-polarity", max_items=CLS_TEXTS),
}
enc_sweeps = {name: sweep(minilm, task, layers=LAYERS, n_resamples=RESAMPLES) for name, task in tasks.items()}
for df in enc_sweeps.values():
    heatmap(df).show()

# %% [markdown]
# The same for the decoder, SmolLM2-135M (30 layers; no CLS token, so no `cls` row).
# It is about ten times slower than MiniLM on a CPU, so it sees smaller subsets.

# %%
smol = wb.load_encoder("smollm2")
dec_tasks = {
    "sts": Task("sts", "lee-pairs", max_items=DECODER_STS_PAIRS),
    "retrieval": Task("retrieval", "python-docstrings", max_items=DEC_QUERIES, max_docs=DEC_DOCS),
    "classification": Task("classification", "pang-lee-polarity", max_items=CLS_TEXTS),
}
dec_sweeps = {name: sweep(smol, task, layers=LAYERS, n_resamples=RESAMPLES, max_length=DECODER_MAX_LENGTH)
              for name, task in dec_tasks.items()}
for df in dec_sweeps.values():
    heatmap(df).show()

# %% [markdown]
# The best and worst cell of every heatmap, with 95% intervals; `delta` and `p_value`
# compare each with the model's default configuration (its own pooling, last layer). A
# heatmap whose cells all score the same (a tiny smoke subset can do that) gets one row,
# `all equal`, instead of a best and a worst.

# %%
extremes = best_worst(pd.concat([*enc_sweeps.values(), *dec_sweeps.values()], ignore_index=True))
extremes[["rank", "model", "task", *COLS]].round(4)

# %% [markdown]
# ## 2. A decoder as an embedder
# Four choices for a decoder: pool the last token (the only one that has seen the whole
# text under causal attention) or the mean; feed the text bare or inside PromptEOL
# (`This sentence : "…" means in one word:"`), which asks the model to squeeze the
# meaning into its next token; and keep the causal mask or lift it (bidirectional, as
# NV-Embed trains with — here untrained).

# %%
decoder = sweep(smol, dec_tasks["sts"], poolings=["last", "mean"], layers=[-1],
                prompts={"none": None, "prompteol": "prompteol"}, attention=["causal", "bidirectional"],
                n_resamples=RESAMPLES, max_length=DECODER_MAX_LENGTH)
decoder[["prompt", "attention", "pooling", "score", "ci_low", "ci_high", "delta", "p_value"]].round(4)

# %%
heatmap(decoder[decoder.pooling == "last"], x="attention", y="prompt",
        title="SmolLM2, last token, on Lee STS: prompt x attention").show()

# %% [markdown]
# ## 3. Instructions and in-context examples
# Instruction-tuned embedders put a task description before the query and leave
# documents bare; in-context learning adds worked examples. Two queries become the
# examples and leave the evaluated set, so no query sees its own answer.

# %%
prompt_sweeps = {}
for enc, (nq, nd) in [(minilm, (RET_QUERIES, RET_DOCS)), (smol, (DEC_QUERIES, DEC_DOCS))]:
    data = Task("retrieval", "python-docstrings", max_items=nq, max_docs=nd).load()
    shots, rest = split_fewshot(data, k=2, seed=0)
    prompts = {"none": None, "instruction": instruction("retrieval", "python-docstrings"),
               "few-shot": (fewshot_prompt(shots, DATA_INSTRUCTIONS["python-docstrings"]), None)}
    extra = {"max_length": DECODER_MAX_LENGTH * 2} if enc.is_decoder else {}
    prompt_sweeps[enc.name] = sweep(enc, "retrieval", rest, poolings=["mean", "last"], layers=[-1],
                                    prompts=prompts, n_resamples=RESAMPLES, **extra)
print(prompts["few-shot"][0][:400])
pd.concat(prompt_sweeps.values())[["model", "prompt", "pooling", "score", "ci_low", "ci_high", "delta", "p_value"]]

# %% [markdown]
# ## 4. Layer x truncated dimension
# Matryoshka training makes the first coordinates carry the most meaning; an untrained
# model makes no such promise. Keeping the first *d* coordinates of every layer's mean
# vector shows where, in depth and in width, the usable signal sits.

# %%
widths = [16, 32, 64, 128, 256, 384]
dims = sweep(minilm, tasks["sts"], poolings=["mean"], layers=LAYERS, dims=widths, n_resamples=RESAMPLES)
heatmap(dims, x="dim", y="layer", title="MiniLM, mean pooling, Lee STS: layer x first d coordinates").show()

# %% [markdown]
# ## 5. What we learned
# Every sentence below is computed from the tables above.

# %%
lines = []
for df in [*enc_sweeps.values(), *dec_sweeps.values(), decoder, dims]:
    lines += summarize(df)
cells = decoder.set_index(["prompt", "attention", "pooling"]).score
for pooling in ("last", "mean"):
    gap = cells["prompteol", "causal", pooling] - cells["none", "causal", pooling]
    lines.append(f"For SmolLM2 with {pooling} pooling, PromptEOL {'raises' if gap > 0 else 'lowers'} "
                 f"Spearman by {abs(gap):.3f} under causal attention.")
bi = decoder[(decoder.attention == "bidirectional")]
worse = int(((bi.delta < 0) & bi.significant).sum())
lines.append(f"Lifting the causal mask without training is significantly worse than the baseline in {worse} "
             f"of {len(bi)} bidirectional cells.")
for name, df in prompt_sweeps.items():
    best = df.loc[df.score.idxmax()]
    lines.append(f"On docstring retrieval, {name}'s best prompt is '{best.prompt}' with {best.pooling} pooling "
                 f"(nDCG@10 {best.score:.3f}).")
print("\n".join(f"- {line}" for line in lines))
