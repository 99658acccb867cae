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
# # Evaluation you can trust: MTEB-style scores, intervals and paired tests
#
# A benchmark number is only useful with its uncertainty. This notebook
#
# 1. runs a mini-benchmark — STS, retrieval, classification, clustering and pair
#    classification on packaged real data — over pooling choices of `minilm` and `smollm2`,
#    each main score with a 95% bootstrap interval;
# 2. asks whether the difference between two of those configurations is real (a paired
#    permutation test on the same examples);
# 3. puts a dense model next to BM25 on a retrieval set;
# 4. reproduces the point of the LIMIT paper on LIMIT-small (or, without a copy, on the
#    package's generated LIMIT-style data): BM25 finds both relevant documents of nearly
#    every query in its top 2, a single-vector model does not;
# 5. shows how to run any MTEB task on a workbench configuration.

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
LIMIT_QUERIES = 60 if SMOKE else 1000  # LIMIT-small queries embedded by the dense model
RESAMPLES = 200 if SMOKE else 1000  # bootstrap resamples per interval
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import pandas as pd
import plotly.graph_objects as go

import workbench as wb
from workbench.bm25 import BM25
from workbench.evaluate import (
    MTEBModel,
    Task,
    evaluate_retrieval,
    evaluate_sts,
    paired_test,
    retrieval_subset,
    run_suite,
    suite_figure,
)
from workbench.evaluate.suite import DEFAULT_TASKS

# %% [markdown]
# ## 1. The suite
# `run_suite` takes configurations (a model plus encode options) and tasks (a task type and
# a data set, optionally cut to a deterministic subset) and returns one tidy table;
# `suite_figure(table)` draws it. Every (configuration, task) result is cached, so adding a
# configuration later only computes the new one.
#
# `smollm2` is a 135M-parameter decoder, about ten times slower than `minilm` on a CPU, so it
# runs on the same modest subsets (and, in smoke mode, on one tiny task only).
#
# Every main score $\hat\theta$ comes with a 95% percentile-bootstrap interval (Efron, 1979;
# Efron and Tibshirani, 1993, chapter 13): the $n$ examples (pairs, queries, test texts) are
# drawn with replacement $R$ times (`RESAMPLES`), the score is recomputed on each draw,
# giving $\hat\theta^{*}_1, \dots, \hat\theta^{*}_R$, and the interval is their 2.5th to 97.5th
# percentile,
#
# $$\big[\, q_{0.025}(\hat\theta^{*}),\; q_{0.975}(\hat\theta^{*}) \,\big].$$
#
# It says how much the score would move with another sample of examples like these, not
# how much it would move with another model or another data set.

# %%
if SMOKE:
    minilm_tasks = [Task("sts", "wordsim353", max_items=100),
                    Task("retrieval", "python-docstrings", max_items=20, max_docs=40),
                    Task("classification", "pang-lee-polarity", max_items=60),
                    Task("clustering", "mini-newsgroups", max_items=30),
                    Task("pairs", "python-docstrings", max_items=16, seed=1)]
    smollm_tasks = [Task("sts", "wordsim353", max_items=30)]
else:
    minilm_tasks = smollm_tasks = list(DEFAULT_TASKS)
pd.DataFrame([{"task": t.label, "subset": t.max_items, "corpus cap": t.max_docs} for t in minilm_tasks])

# %%
table_minilm = run_suite([{"model": "minilm", "pooling": "mean"}, {"model": "minilm", "pooling": "cls"}],
                         minilm_tasks, n_resamples=RESAMPLES)
table_smollm = run_suite([{"model": "smollm2", "pooling": "last"}, {"model": "smollm2", "pooling": "mean"}],
                         smollm_tasks, n_resamples=RESAMPLES)
table = pd.concat([table_minilm, table_smollm], ignore_index=True)
main = table[table["main"]]
main.pivot_table(index=["task", "metric"], columns="config", values="score").round(3)

# %% [markdown]
# The same numbers with their intervals. Overlapping bars are a warning, not a verdict:
# two systems scored on the *same* examples are compared properly with a paired test (next).

# %%
main.assign(ci=[f"[{lo:.3f}, {hi:.3f}]" for lo, hi in zip(main["ci_low"], main["ci_high"])])[
    ["config", "task", "metric", "score", "ci", "n"]].round(3)

# %%
suite_figure(table)

# %% [markdown]
# ## 2. Is mean pooling really better than `[CLS]`? A paired test
# Both configurations score the same 1,225 Lee pairs (353 WordSim pairs in smoke mode). The permutation test swaps the two
# systems' cosine scores on random pairs and asks how often the difference in Spearman is
# at least as large as observed; the bootstrap gives the difference's interval.
#
# Here the statistic is a Spearman correlation over all pairs, so both procedures
# recompute it on each resample: $\Delta = \rho_A - \rho_B$ on the data, $\Delta^{*}_r$
# after swapping the two systems' scores on a random half of the pairs, and
# $p = (1 + \#\{r : |\Delta^{*}_r| \ge |\Delta|\}) / (1 + R)$ (two-sided). The interval
# is the 2.5th to 97.5th percentile of $\Delta$ over pairs resampled with replacement.
#
# Before swapping, each system's cosines are replaced by their ranks (divided by $n$). That
# changes neither $\rho_A$, $\rho_B$ nor the bootstrap, since Spearman sees only ranks, but it
# matters for the swap: on the Lee pairs this model's `[CLS]` cosines average about 0.7 and
# its mean-pooling cosines about 0.1, so swapping raw cosines would drop values from one scale
# into the other, scramble
# both rankings, and give a large $p$ beside an interval that excludes zero. On a common
# scale the two procedures agree: $p < 0.05$ goes with an interval that excludes zero, up to
# resampling noise near the boundary.

# %%
enc = wb.load_encoder("minilm")
lee = wb.datasets.load("wordsim353" if SMOKE else "lee-pairs")  # word pairs keep the smoke run short
mean_res = evaluate_sts(enc, lee, pooling="mean", per_pair=True, n_resamples=RESAMPLES)
cls_res = evaluate_sts(enc, lee, pooling="cls", per_pair=True, n_resamples=RESAMPLES)
test = paired_test(mean_res["per_pair"]["cosine"], cls_res["per_pair"]["cosine"], mean_res["per_pair"]["gold"],
                   statistic="spearman", n_resamples=10 * RESAMPLES)
pd.Series(test).round(4)

# %% [markdown]
# ## 3. Dense vs BM25 on a retrieval set
# Docstring -> function retrieval over the Python standard library. BM25 matches the
# identifiers a docstring shares with its code; the dense model matches meaning.
# `evaluate_retrieval` takes either, and `per_query=True` returns the per-query values that
# a paired test needs.
#
# With $R_q$ the relevant documents of query $q$ and $\mathrm{top}_k(q)$ its $k$ best-ranked
# documents, $\mathrm{recall@}k = \frac{1}{|Q|} \sum_q |R_q \cap \mathrm{top}_k(q)| / |R_q|$, the
# share of the relevant documents found in the top $k$; nDCG@10 (Järvelin and Kekäläinen,
# 2002) also rewards finding them early:
# $\mathrm{nDCG@10} = \sum_{i \le 10} \mathrm{rel}_i / \log_2(i+1)$ divided by the same sum for
# the ideal ranking. The curve stops at the corpus size: a $k$ beyond it would return
# every document.

# %%
docs = retrieval_subset(wb.datasets.load("python-docstrings"), 20 if SMOKE else 300, n_docs=40 if SMOKE else 600)
dense = evaluate_retrieval(enc, docs, per_query=True, n_resamples=RESAMPLES)
lexical = evaluate_retrieval(BM25(), docs, per_query=True, n_resamples=RESAMPLES)
ks = [k for k in (1, 2, 3, 5, 10, 20, 100) if k < len(docs.corpus)]  # no k at or beyond the corpus
fig = go.Figure([go.Scatter(x=ks, y=[r[f"recall@{k}"] for k in ks], mode="lines+markers", name=name)
                 for name, r in [("minilm (mean)", dense), ("BM25", lexical)]])
fig.update_layout(title=f"Recall@k on {docs.name}", xaxis_type="log", xaxis_title="k", yaxis_title="recall@k")
fig

# %%
pd.Series(paired_test(dense["per_query"]["ndcg@10"], lexical["per_query"]["ndcg@10"],
                      n_resamples=10 * RESAMPLES)).round(4)

# %% [markdown]
# ## 4. LIMIT-small: where a single vector runs out
# Weller et al. (2025) built LIMIT so that every pair of its 46 documents is the answer set
# of some query ("Who likes Quokkas?"). Term matching solves it; a 384-d embedding cannot
# represent all those top-2 sets. LIMIT-small is not shipped with the workbench:
# `wb.datasets.local_copy("limit-small")` finds a copy (an MTEB/BEIR folder named
# `limit-small`) in the folder the environment variable `WB_DATA_DIR` names, or in the
# project's `data/`. Without one the notebook uses the package's own LIMIT-style data
# (`workbench.limits.generate_limit`: same design, 46 people, 1,000 "Who likes X?"
# queries, two relevant people each) and prints how to provide a copy.

# %%
LIMIT = wb.datasets.local_copy("limit-small")  # a copy in WB_DATA_DIR or the project's data/, if there is one
if LIMIT is not None:
    limit = wb.datasets.load_retrieval(LIMIT)
    print(f"LIMIT-small from {LIMIT}")
else:
    limit = wb.limits.generate_limit(1000, 2, seed=0)
    print(wb.datasets.missing_copy_message("limit-small", f"generated LIMIT-style data stand in for it "
                                           f"({len(limit.corpus)} documents, {len(limit.queries)} queries)"))
limit_dense = limit.select_queries(limit.query_ids[:LIMIT_QUERIES])
rows = {"BM25": evaluate_retrieval(BM25(), limit, n_resamples=RESAMPLES),
        "minilm (mean)": evaluate_retrieval(enc, limit_dense, n_resamples=RESAMPLES)}
limit_table = pd.DataFrame(rows).T[["recall@2", "recall@10", "recall@20", "ndcg@10", "n"]]
print(f"recall@2: BM25 {limit_table.loc['BM25', 'recall@2']:.3f} on {len(limit.queries)} queries, "
      f"minilm {limit_table.loc['minilm (mean)', 'recall@2']:.3f} on {len(limit_dense.queries)}")
limit_table

# %% [markdown]
# ## 5. Any MTEB task on any configuration
# `MTEBModel` wraps an encoder with fixed options (pooling, layer, prompts) and answers the
# `encode(sentences, task_name=..., prompt_type=...)` call that the `mteb` package makes. With
# network access and `pip install mteb`:
#
# ```python
# import mteb
# from workbench.evaluate import MTEBModel
# model = MTEBModel(wb.load_encoder("minilm"), pooling="cls")
# mteb.MTEB(tasks=mteb.get_tasks(tasks=["STSBenchmark"])).run(model, output_folder="results")
# ```
#
# Offline, the adapter is checked like any other encoder:

# %%
MTEBModel(enc, pooling="cls").encode(["a sentence", "another one"], task_name="STSBenchmark").shape
