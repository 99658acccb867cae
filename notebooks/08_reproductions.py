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
# # Reproductions: which published claims hold at laptop scale?
#
# Every paper the workbench serves has an entry in `wb.reproduce`: the one claim it tests,
# the paper's own published numbers (in `data/published/`, each with its table or figure,
# row and column), a rerun with pinned seeds at a size a laptop CPU runs, and a verdict that
# a stated rule gives, never a hand:
#
# | verdict | meaning |
# |---|---|
# | reproduced | our numbers are within the stated tolerance of the paper's |
# | direction reproduced | the ordering or sign holds; magnitudes differ at our scale |
# | not reproduced | neither the numbers nor the ordering hold |
# | not comparable | no check applies at our scale (the entry says why) |
# | not yet | the capability the entry needs is not built |
#
# This notebook tours the registry, shows the last results that `make reproduce` left in
# `build/reproductions/`, and reruns one entry here.

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
ENTRY = "limit"  # the entry to rerun below; any name from the table
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import pandas as pd

import workbench as wb
from workbench.reproduce.runner import load_result

# %% [markdown]
# ## The registry
#
# One row per paper: the claim, the rule that gives the verdict, and the verdict of the last
# run when there is one (`not run` until `make reproduce` or `workbench reproduce NAME` ran).

# %%
rows = []
for name, entry in wb.reproduce.all_entries().items():
    result = load_result(name)
    rows.append({
        "entry": name,
        "paper": f"{entry.paper.authors} ({entry.paper.year})",
        "claim": entry.claim,
        "verdict": "not yet" if not entry.built else (result["verdict"] if result else "not run"),
        "size": result["size"] if result else "",
    })
registry = pd.DataFrame(rows)
with pd.option_context("display.max_colwidth", 90):
    display(registry)  # noqa: F821

# %%
registry["verdict"].value_counts()

# %% [markdown]
# ## One entry, rerun here
#
# An entry is wiring only: it calls the package's functions, reads the published numbers and
# lets a rule from `wb.reproduce.verdicts` decide. Its `scale` says how our setting differs
# from the paper's, which is what decides whether a magnitude or only an ordering can be
# compared. The rerun below uses the notebook's size: in a smoke run its verdict comes from
# seconds of computation and says nothing about the paper (the registry's `size` column says
# at which size each stored verdict was reached).

# %%
entry = wb.reproduce.get(ENTRY)
print(entry.paper.title)
print("claim:", entry.claim)
print("rule: ", entry.rule)
print("scale:", entry.scale)

# %%
outcome = entry.run(SMOKE)
print(f"verdict: {outcome.verdict} — {outcome.reason}")
outcome.table

# %%
outcome.figure

# %% [markdown]
# The published side of that table comes straight from the data file; each number names
# where it is printed in the paper:

# %%
if entry.published:
    display(wb.reproduce.read_published(entry.published)[["quantity", "setting", "value", "unit", "source"]])  # noqa: F821

# %% [markdown]
# ## The gallery
#
# `make reproduce` runs every entry at full size (each within ten minutes on two cores) and
# writes `build/reproductions/index.html`: one page, readable offline, with each paper's
# figure, its side-by-side table and its verdict. The same command refreshes the verdict
# table in the README. From a terminal:
#
# ```bash
# workbench reproduce --list            # paper, claim, verdict, last run, minutes
# workbench reproduce limit --smoke     # one entry, seconds
# workbench reproduce --all             # everything, then the gallery
# ```
