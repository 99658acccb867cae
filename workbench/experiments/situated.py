"""Situated chunk retrieval: docstring queries against function chunks of whole standard-library modules.

:func:`run_situated` embeds every function chunk of the documents of
:func:`~workbench.datasets.stdlib_modules.load_python_modules` four ways
(:mod:`workbench.chunks`: alone, context window concatenated, late chunking, and the
residual form with its weight tuned on a dev split of the queries), and ranks each test
query's gold chunk among all chunks (``global``) and among the chunks of its own
module (``within``). It returns recall@1/10 and MRR with bootstrap intervals, and the
recall by chunk length (tokens).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..chunks import METHODS, context_windows, residual, situated_embeddings, tune_weight
from ..datasets.stdlib_modules import load_python_modules
from ..evaluate.gold_rank import by_bins, gold_ranks, rank_summary
from ..train.data import is_test

__all__ = ["LENGTH_EDGES", "run_situated"]

#: chunk-length bins (tokens) of the by-length table
LENGTH_EDGES = (0, 32, 64, 128, 256, 100_000)


def run_situated(encoder, *, n_modules: int | None = 30, max_queries_per_module: int | None = 20, window: int = 254,
                 modules=None,
                 dev_fraction: float = 0.3, weights=(0.0, 0.25, 0.5, 1.0, 2.0, 4.0), n_resamples: int = 1000,
                 show_progress: bool | None = None, cache: bool = True) -> dict:
    """Rerun the situated-retrieval comparison; returns tables and sizes.

    ``modules`` picks modules by name (default: the first ``n_modules``).

    Returns
    -------
    dict with
        ``table``: DataFrame (method, scope, recall@1, recall@10, mrr and their ``_lo``/``_hi``, n);
        ``by_length``: DataFrame (method, length bin, n, recall@1, mrr), global scope;
        ``weights``: the tuned residual weight per context method and its dev MRR per weight;
        ``sizes``: documents, chunks, dev and test queries.
    """
    data = load_python_modules(n_modules, max_queries_per_module=max_queries_per_module, modules=modules)
    table = data.chunk_table()
    index = {cid: i for i, (cid, _, _, _) in enumerate(table)}
    windows = []
    for doc in data.documents:
        windows += context_windows(doc.text, doc.spans, encoder, window)
    vectors = situated_embeddings(encoder, windows, chunks=[t for _, _, t, _ in table],
                                  show_progress=show_progress, cache=cache)
    qids = list(data.gold)
    Q = encoder.encode([data.queries[q] for q in qids], show_progress=show_progress, cache=cache)
    gold = np.array([index[data.gold[q]] for q in qids])
    groups = [doc for _, doc, _, _ in table]
    dev = np.array([not is_test("sitemb-dev", q, 1.0 - dev_fraction) for q in qids])
    test = ~dev
    if dev.sum() < 1 or test.sum() < 1:
        raise ValueError(f"{len(qids)} queries give {int(dev.sum())} dev and {int(test.sum())} test queries; "
                         "use more modules or queries per module")

    def mrr(X, sel):
        return float((1.0 / gold_ranks(Q[sel], X, gold[sel])).mean())

    systems = dict(vectors)
    tuned = {}
    for ctx in ("late", "concat"):
        best, scores = tune_weight(lambda w, c=ctx: mrr(residual(vectors["chunk"], vectors[c], w), dev), weights)
        tuned[ctx] = {"weight": best, "dev_mrr": scores}
        systems[f"residual-{ctx}"] = residual(vectors["chunk"], vectors[ctx], best)
    lengths = np.array([len(encoder.tokenizer(t, add_special_tokens=False)["input_ids"]) for _, _, t, _ in table])
    rows, by_length = [], []
    for name, X in systems.items():
        for scope, grp in (("global", None), ("within", groups)):
            ranks = gold_ranks(Q[test], X, gold[test], grp)
            summary = rank_summary(ranks, n_resamples=n_resamples)
            row = {"method": name, "scope": scope, "n": summary["n"]}
            for metric in ("recall@1", "recall@10", "mrr"):
                row[metric] = summary[metric]
                row[f"{metric}_lo"], row[f"{metric}_hi"] = summary[f"{metric}_ci"]
            rows.append(row)
            if scope == "global":
                part = by_bins(ranks, lengths[gold[test]], LENGTH_EDGES, label="tokens")
                by_length.append(part.assign(method=name))
    sizes = {"documents": len(data.documents), "chunks": len(table), "dev_queries": int(dev.sum()),
             "test_queries": int(test.sum()), "window": window, "candidates_per_document":
             float(np.mean([len(d.chunk_ids) for d in data.documents]))}
    return {"table": pd.DataFrame(rows), "by_length": pd.concat(by_length, ignore_index=True),
            "weights": tuned, "sizes": sizes, "methods": (*METHODS, "residual-late", "residual-concat")}
