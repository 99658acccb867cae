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
# # Understanding code: CuBERT-style tasks from the standard library, probes and prompts
#
# Kanade et al. (2020) measured code embeddings on tasks made by rewriting real
# functions: which exception a handler catches, whether a variable was misused, whether
# two operands were swapped or an operator replaced, whether a docstring belongs to its
# function. We build the same tasks from the Python standard library with `ast`, split by
# module so that no function appears in two splits, and compare
#
# * TF-IDF + logistic regression and skip-gram vectors learned on code tokens,
# * frozen MiniLM with a linear probe,
# * SmolLM2 hidden states (mean, last token, three layers),
# * a CodePrompt-style template read through the verbaliser's next-token logits.

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
MODULES = ["json.decoder", "fractions", "calendar", "heapq", "textwrap", "difflib", "statistics", "ipaddress",
           "datetime", "shlex", "_pydecimal", "argparse"] if SMOKE else None  # None: ~150 stdlib modules
SIZES = (50, 100) if SMOKE else (100, 300, 1000, 3000)  # training-set sizes of the learning curves
N_TEST = 80 if SMOKE else 400  # test examples per task
LLM_TRAIN, LLM_TEST = (24, 16) if SMOKE else (300, 200)  # SmolLM2 is slow on a CPU
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import pandas as pd
import plotly.express as px

import workbench as wb
from workbench.learn.code_models import learning_curve, prompt
from workbench.learn.code_tasks import TASKS, load_code_task

# %% [markdown]
# ## 1. The tasks
#
# Each function gives one example: buggy or clean by a hash of its name, so a model never
# sees both versions of a function. Clean and buggy code are both printed by `ast.unparse`.

# %%
tasks, counts = {}, []
for task in TASKS:
    tasks[task], stats = load_code_task(task, modules=MODULES)
    counts.append({"task": task, **stats["per_split"], "modules": stats["modules"],
                   "unparseable": stats["unparseable"], "functions": stats["functions"]})
usable = [t for t in TASKS if len(tasks[t]["train"]) >= 20 and len(tasks[t]["test"]) >= 10]
print("tasks with enough examples at this size:", usable)
pd.DataFrame(counts)

# %%
example = next(e for e in tasks["swapped-operands"]["train"] if e.label == 1)
print(example.detail)
print(example.text[:400])

# %% [markdown]
# ## 2. Learning curves of cheap models
#
# Accuracy on the test modules with a 95% bootstrap interval; `majority` is the share of
# the most common label (the floor). The interval is a percentile bootstrap (Efron, 1979):
# with $c_i \in \{0, 1\}$ whether test example $i$ is right, the accuracy
# $\frac{1}{n}\sum_i c_i$ is recomputed on $R$ draws of the $n$ examples with replacement, and the
# interval holds the middle 95% of those values.

# %%
minilm = wb.load_encoder("minilm")
curves = pd.concat([learning_curve(tasks[t], t, ["tfidf", "skipgram", "minilm"], sizes=SIZES, n_test=N_TEST,
                                   encoders={"minilm": minilm}, n_resamples=200) for t in usable])
curves.round(3)

# %%
from workbench.viz.polish import log_axis, tidy_facets

fig = px.line(curves, x="n_train", y="accuracy", color="feature", facet_col="task", markers=True,
              error_y=curves.ci_high - curves.accuracy, error_y_minus=curves.accuracy - curves.ci_low,
              title="Code tasks: test accuracy against training labels")
log_axis(tidy_facets(fig, independent_y=False), ticks=sorted(curves["n_train"].unique()))

# %% [markdown]
# ## 3. A language model's features and a prompt
#
# The prompt puts a question after the code and reads the logits of the verbaliser words
# (`yes` / `no`, or the exception names) at the next position. Zero-shot takes their
# argmax; `codeprompt` trains the probe on those few numbers.

# %%
print(prompt("def f(a, b):\n    return b - a", "swapped-operands"))

# %%
smollm2 = wb.load_encoder("smollm2")
llm_tasks = ["swapped-operands", "exception"] if not SMOKE else ["swapped-operands"]
llm = pd.concat([learning_curve(tasks[t], t, ["smollm2-mean", "smollm2-last", "smollm2-layers", "codeprompt",
                                              "codeprompt-zero-shot"], sizes=(LLM_TRAIN,), n_test=LLM_TEST,
                                encoders={"smollm2": smollm2}, n_resamples=200) for t in llm_tasks])
llm.round(3)

# %% [markdown]
# With a few hundred labels, which features help depends on the task; the intervals say
# how far apart two rows must be before the gap means anything at this test size.
