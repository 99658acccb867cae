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
# # Synthetic training data and benchmark design
#
# Two questions about the data around an embedding model, each answered on a CPU with the package:
#
# 1. **Can a small generator make useful training data?** QZhou-Embedding (Yu et al. 2025) widens its
#    training set with an LLM: queries written for documents, paraphrased queries, rewritten hard negatives.
#    We do the same with SmolLM2-135M-Instruct, filter what it writes, and fine-tune `minilm` adding one
#    ingredient at a time, against a control that uses no generator (negatives mined by the model).
# 2. **How small can a benchmark be and still rank models the same way?** MMTEB (Enevoldsen et al. 2025)
#    keeps a subset of tasks chosen by inter-task correlation and cuts retrieval corpora to hard negatives.
#    We score 17 configurations (a smoke run leaves out SmolLM2's four) on 14 packaged tasks, select tasks
#    greedily, compare with random subsets, and see where configurations of one model make agreement look
#    better than it is.

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_TRAIN = 4 if SMOKE else 16        # real (title -> review) pairs
N_DOCS = 2 if SMOKE else 16         # unlabelled reviews that get generated queries
N_TEST, N_TEST_DOCS = (4, 12) if SMOKE else (100, 400)
MAX_NEW_TOKENS = 6 if SMOKE else None   # smoke: a tiny generation, made at run time and cached
STEPS, BATCH = (1, 4) if SMOKE else (20, 8)
MAX_LENGTH = 32 if SMOKE else 96    # tokens per text in training and evaluation
TRAINED = ("real", "real + mined negatives", "+ generated negatives") if SMOKE else None  # smoke: three of five
N_KEEP = 6                          # tasks kept by the selection
WITH_SMOLLM2 = not SMOKE            # the four smollm2 configurations of the score matrix
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import plotly.express as px

import workbench as wb
from workbench.evaluate.benchmark import DEFAULT_CONFIGS, benchmark_tasks, corpus_fidelity, score_matrix
from workbench.evaluate.downsample import (
    aggregate,
    family_effect,
    greedy_selection,
    pair_agreement,
    random_subsets,
    task_correlation,
)
from workbench.synthetic import Generator
from workbench.train import TrainConfig
from workbench.train.ablation import ablation, ablation_data, ingredient_sets, synthetic_ingredients

# %% [markdown]
# ## 1. Synthetic data from SmolLM2
#
# `Generator` runs greedy, batched generation on the decoder `load_encoder("smollm2")` already holds (its
# output head is tied to the input embeddings, so no second copy is loaded). `generate` caches each batch on
# disk as it finishes, so a long run can be stopped and resumed; it counts every output it drops (empty,
# malformed, an assistant's preamble, a copy of its source, an echo of the prompt, too long).
# `synthetic_ingredients` generates the three kinds for real (review title -> review) pairs and for
# unlabelled reviews, and filters them: a written query must find its own review (round trip), a paraphrase
# must stay close to its title, a rewritten negative must stay close to its review yet below it for the title.

# %%
pairs, docs, test = ablation_data(n_train=N_TRAIN, n_docs=N_DOCS, n_test=N_TEST, n_test_docs=N_TEST_DOCS)
generator = Generator("smollm2")
minilm = wb.load_encoder("minilm")
ing = synthetic_ingredients(generator, minilm, pairs, docs, max_new_tokens=MAX_NEW_TOKENS)
ing.counts

# %% [markdown]
# A few generations, as the model wrote them:

# %%
for kind, run in ing.runs.items():
    for source, text, why in list(zip(run.sources, run.texts, run.reasons))[:2]:
        print(f"{kind:>10}: {source[:70]!r}\n{'':>12}-> {text!r}" + (f"  [dropped: {why}]" if why else ""))

# %%
speed = {k: r.tokens_per_second for k, r in ing.runs.items()}
print("generation throughput (tokens/s, as recorded when generated): "
      + ", ".join(f"{k} {v:.1f}" for k, v in speed.items()))

# %% [markdown]
# The ablation: the ingredients stacked one at a time, beside the control (the real pairs with negatives mined
# by the base model, no generator). Each set (in smoke mode three of the five: `TRAINED`) trains a copy of
# `minilm` with the same budget; nDCG@10 on
# held-out titles, with a 95% bootstrap interval, and paired tests (permutation p-value, bootstrap interval of
# the difference) against the previous stage, the real pairs alone and the control.

# %%
sets = ingredient_sets(minilm, pairs, ing, corpus=docs)
print({name: len(s) for name, s in sets.items()},
      f"generated negatives for {sets['+ generated negatives'].meta['generated_negative_share']:.0%} of the pairs")

# %%
config = TrainConfig(steps=STEPS, batch_size=BATCH, lr=5e-5, max_length=MAX_LENGTH, seed=0)
table = ablation(minilm, {k: v for k, v in sets.items() if TRAINED is None or k in TRAINED}, test, config,
                 n_resamples=200 if SMOKE else 1000)
cols = ["setting", "pairs", "negatives", "ndcg@10", "ci_low", "ci_high", "d_prev", "p_prev", "d_baseline",
        "p_baseline", "d_control", "p_control"]
table[cols].round(3)

# %%
best = table.iloc[table["ndcg@10"].idxmax()]
real = table.set_index("setting").loc["real"]
by = table.set_index("setting")
gain, p_value = by["d_baseline"].drop(["base model", "real"]), by["p_baseline"].drop(["base model", "real"])
helped = gain[(p_value < 0.05) & (gain > 0)]
print(f"Best: {best['setting']} at nDCG@10 {best['ndcg@10']:.3f} [{best['ci_low']:.3f}, {best['ci_high']:.3f}]; "
      f"real pairs alone {real['ndcg@10']:.3f}. "
      + (f"Significant gains over the real pairs: {', '.join(helped.index)}." if len(helped) else
         "No stage beats the real pairs alone at p < 0.05: at this size SmolLM2's data is not shown to help."))

# %%
px.bar(table, x="setting", y="ndcg@10", error_y=table["ci_high"] - table["ndcg@10"],
       error_y_minus=table["ndcg@10"] - table["ci_low"], title="Adding one synthetic ingredient at a time")

# %% [markdown]
# ## 2. Benchmark design
#
# `score_matrix` runs each model once per task and reads every configuration of it -- poolings, layers,
# compressions -- from the same forward pass (the vector cache keeps it). The lexical system is BM25 on
# retrieval and character n-gram TF-IDF elsewhere; the random floor is Gaussian vectors.

# %%
configs = [c for c in DEFAULT_CONFIGS if WITH_SMOLLM2 or c.model != "smollm2"]
bench = score_matrix(configs, benchmark_tasks(smoke=SMOKE))
print(f"{len(configs)} configurations x {bench.scores.shape[1]} tasks; seconds embedding per model: "
      + ", ".join(f"{k} {v:.0f}" for k, v in bench.seconds.items()))
bench.scores.round(3)

# %%
corr = task_correlation(bench.scores)
px.imshow(corr, zmin=-1, zmax=1, color_continuous_scale="RdBu", title="Task correlation (Spearman across systems)")

# %% [markdown]
# Greedy selection removes the task most redundant with the others (its highest correlation with a task
# left), keeping one task of each kind; Kendall's tau compares the ranking by the tasks left with the full
# suite's. Random subsets of the same size are the baseline.
#
# For $m$ configurations ranked by the subset and by the full suite, Kendall's rank correlation (Kendall, 1938)
# counts the pairs of configurations the two rankings order the same way ($C$, concordant) and the opposite way
# ($D$, discordant), $\tau = (C - D) / \binom{m}{2}$ without ties; with ties, scipy's $\tau_b$ divides by
# $\sqrt{(C + D + T_x)(C + D + T_y)}$ instead, $T_x, T_y$ the pairs tied in only one ranking. 1 means the same
# order, 0 no relation.

# %%
path = greedy_selection(bench.scores, N_KEEP, kinds=bench.kinds)
rand = random_subsets(bench.scores, N_KEEP, n_draws=200)
tau = path["tau"].iloc[-1]
print(f"kept {path.attrs['kept']}\ngreedy tau {tau:.3f}; random subsets: mean {rand.mean():.3f}, "
      f"{(rand >= tau).mean():.0%} of them at least as good")
path.round(3)

# %% [markdown]
# Where the agreement comes from: pairs of configurations of one model against pairs of different models.

# %%
agree = pair_agreement(aggregate(bench.scores), aggregate(bench.scores, path.attrs["kept"]), bench.families)
print(f"pairs ordered as in the full suite: within one model {agree['within']:.2f} of {agree['n_within']}, "
      f"across models {agree['between']:.2f} of {agree['n_between']}")
inflated = agree["within"] > agree["between"]
print("Configurations of one model agree more easily than different models: the overall tau overstates how well "
      "the subset ranks models." if inflated else
      "Here pairs within one model are not easier to keep than pairs across models: their scores are close, so "
      "their order flips more easily.")
effect = family_effect(bench.scores, bench.families)
print(f"mean task correlation: all configurations {effect['all']:.2f}; one per model {effect['across']:.2f}; "
      + "; ".join(f"{f} only {v:.2f}" for f, v in effect["within"].items()))
print("The variants of one model move the tasks together more than different models do: with many of them, tasks "
      "look more redundant than they are for comparing models." if max(effect["within"].values(), default=0)
      > effect["across"] else "Here the variants of one model do not make the tasks look more alike than "
      "different models do.")

# %% [markdown]
# Within-task downsampling: the retrieval corpus cut to each query's relevant documents plus the top-k of two
# pooled systems (minilm and the lexical one), against a random corpus of the same size.

# %%
fid = corpus_fidelity(bench, "retrieval:python-docstrings", ks=(2, 5, 10) if SMOKE else (2, 5, 10, 20),
                      n_random=2 if SMOKE else 10)
fid.round(3)

# %%
px.line(fid.melt(id_vars=["fraction"], value_vars=["tau_hard", "tau_hard_unpooled", "tau_random"]),
        x="fraction", y="value", color="variable", markers=True,
        labels={"fraction": "share of the corpus kept", "value": "Kendall tau vs the full corpus"},
        title="Cost against ranking fidelity")
