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
# # Compression and search
#
# Storing the vectors is most of the cost of embedding retrieval. This notebook puts
# every way of shrinking them on one chart, for one model and one real retrieval task:
#
# 1. **size against quality** — truncation, PCA, int8 / int4 scalar quantisation, binary
#    codes and product quantisation, each as bytes per vector against nDCG@10, with and
#    without *rescoring* (fetch `4 x k` candidates from the compact codes, re-rank them
#    with the float query against the full vectors, which a bi-granular store keeps on
#    disk);
# 2. **the index lab** — exact, IVF, HNSW, IVF-PQ and binary indexes: recall@10 against
#    exact search, queries per second, memory and build time;
# 3. **filtered search** — only reviews of one department, class or rating: pre-filtering
#    inside the index against post-filtering with oversampling, measured against exact
#    filtered search at selectivities near 1%, 10% and 50%.

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_QUERIES = 15 if SMOKE else None  # rotten-tomatoes-synopsis queries (None: all 156)
N_DOCS = 300 if SMOKE else None  # its corpus (None: all 4,866 reviews)
N_REVIEWS = 400 if SMOKE else 5000  # clothing reviews for the filtered-search study
N_TITLES = 30 if SMOKE else 300  # review titles used as queries there
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import numpy as np
import pandas as pd

import workbench as wb
from workbench import experiments, search
from workbench.evaluate.retrieval import retrieval_subset

# %% [markdown]
# ## 1. Vectors
# all-MiniLM-L6-v2 embeds the plot synopses of 156 films (queries) and their critics'
# reviews (documents; each film's reviews are its relevant documents); a smoke run keeps
# `N_QUERIES` films and their reviews plus `N_DOCS` others (the shapes below say how many).
# The vectors are cached on disk, so every later cell starts from the same arrays.

# %%
enc = wb.load_encoder("minilm")
ds = wb.datasets.load("rotten-tomatoes-synopsis")
if N_QUERIES:  # the chosen queries' relevant reviews plus N_DOCS others
    relevant = {d for r in retrieval_subset(ds, N_QUERIES).qrels.values() for d in r}
    ds = retrieval_subset(ds, N_QUERIES, n_docs=len(relevant) + N_DOCS)
Q, X = enc.encode(ds.query_texts), enc.encode(ds.documents)
Q.shape, X.shape

# %% [markdown]
# ## 2. Size against quality
# Every compressor is fitted on the documents (the calibration set: int8 learns each
# dimension's range there) and searched with float queries. `retention` is nDCG@10
# relative to float32; `bytes/vector` is what stays in memory.
#
# The two quantisers, per coordinate $j$ of a vector $x \in \mathbb{R}^{384}$: the $b$-bit
# scalar quantiser stores $c_j = \mathrm{round}\big((x_j - \ell_j) / s_j\big)$ with
# $s_j = (h_j - \ell_j) / (2^b - 1)$, where $\ell_j, h_j$ are the coordinate's minimum and
# maximum over the calibration set, and decodes $\ell_j + s_j c_j$; the binary quantiser keeps
# one bit, $c_j = [x_j > 0]$, and compares two codes by Hamming distance
# $\sum_j [c_j \ne c'_j]$ (an estimate of the angle between the vectors, Charikar, 2002).
# nDCG@10 (Järvelin and Kekäläinen, 2002) is $\sum_{i \le 10} \mathrm{rel}_i / \log_2(i + 1)$
# over the ranking, divided by the same sum for the ideal ranking.

# %%
methods = ["float32", "truncate192", "truncate128", "pca128", "pca64", "int8", "int4", "int4+rescore",
           "binary", "binary+rescore", "pq32", "pca128>int8"]
if not SMOKE:  # each product quantiser trains 32-48 k-means codebooks
    methods += ["pq48", "pq32+rescore", "opq32"]
table = experiments.pareto((Q, X), ds, methods=methods)
table.round(4)

# %%
experiments.pareto_figure(table, title="MiniLM on rotten-tomatoes-synopsis: size against nDCG@10")

# %% [markdown]
# Rescoring is what makes 1-bit codes usable: the Hamming scan finds candidates cheaply,
# and the float vectors — memory-mapped from disk in a `BiGranularStore`, so only the
# candidates' rows are read — restore the order. The store below holds 48 bytes per
# review in memory.

# %%
import tempfile
from pathlib import Path

folder = tempfile.mkdtemp()
store = search.BiGranularStore(Path(folder) / "reviews.npy", codes="binary", rescore_multiplier=4).fit(X)
_, ids = store.search(Q, 10)
{"in memory (bytes)": store.memory_bytes, "on disk (bytes)": store.disk_bytes,
 "recall@10 vs exact": search.knn_recall(ids, search.exact_search(Q, X, 10)[1])}

# %% [markdown]
# Pick a method to see what it keeps and what it costs.

# %%
import ipywidgets as widgets
from IPython.display import display


def show(method: str) -> None:
    row = table.set_index("method").loc[method]
    display(pd.DataFrame({"value": [f"{row['bytes/vector']:.0f}", f"{row['compression']:.1f}x",
                                    f"{row['retention']:.1%}", f"{row['ndcg@10']:.4f}",
                                    f"{row['bytes/vector'] * len(X) / 2**20:.2f} MB"]},
                         index=["bytes per vector", "smaller than float32", "nDCG@10 kept", "nDCG@10",
                                "memory for this corpus"]))


widgets.interactive(show, method=widgets.Dropdown(options=list(table["method"]), value="binary+rescore"))

# %% [markdown]
# ## 3. The index lab
# Same vectors, different index structures. Recall@10 here is the share of the exact
# top 10 an index returns (not relevance),
# $\frac{1}{|Q|} \sum_q |\mathrm{top}_{10}^{\mathrm{index}}(q) \cap \mathrm{top}_{10}^{\mathrm{exact}}(q)| / 10$.
# Memory is the index's serialised size.

# %%
lab = search.index_lab(X, Q, ["flat", "ivf-flat", "hnsw", "ivf-pq", "binary", "binary+rescore", "int8"],
                       params={"ivf-pq": {"m": 48}})
lab.round(4)

# %%
import plotly.express as px

from workbench.viz.polish import label_points, log_axis

fig = px.scatter(lab, x="QPS", y="recall@10", size="memory MB", text="index",
                 title="Index lab: recall@10 against queries per second (marker size: memory)")
fig.update_traces(marker_sizemin=6)
label_points(log_axis(fig))

# %% [markdown]
# ## 4. Filtered search
# Women's clothing reviews carry a department, a class and a star rating. A shopper's
# query ("comfortable summer dress") is a review title; the filter keeps one slice of
# the reviews. Exact filtered search (a scan of the admissible rows only) is the truth;
# pre-filtering asks the index to skip inadmissible rows while it searches;
# post-filtering asks for `oversample x k` results and keeps the admissible ones.

# %%
reviews = wb.datasets.load("clothing-reviews")
reviews = reviews.select(np.sort(np.random.default_rng(0).permutation(len(reviews))[:N_REVIEWS]))
Xr = enc.encode(reviews.texts)
Qr = enc.encode([t for t in reviews.attributes["title"] if t][:N_TITLES])
A = reviews.attributes
filters = {
    "class = Swim": search.attribute_mask(A, **{"class": "Swim"}),
    "department = Jackets": search.attribute_mask(A, department="Jackets"),
    "rating = 3": search.attribute_mask(A, rating=3),
    "rating = 5": search.attribute_mask(A, rating=5),
}
study = search.filter_study(Xr, Qr, filters, index=search.make_index("hnsw"), oversample=(2, 10))
study.round(4)

# %%
px.line(study[study["strategy"] != "exact"], x="selectivity", y="recall@10", color="strategy", markers=True,
        log_x=True, title="Filtered search with HNSW: recall@10 against the share of rows that pass")

# %% [markdown]
# The pattern to look for: when a filter keeps few rows, post-filtering returns too few
# results unless it oversamples by about `1 / selectivity`, and a graph index searched
# with a selector loses recall because most of the graph it walks is off-limits; an
# exact scan of the admissible rows is then both exact and cheap.
