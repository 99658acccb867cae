"""Vector storage compression (Zhang et al. 2023): the project's compressors on one size-quality chart."""

from __future__ import annotations

from ...datasets import load
from ...evaluate.retrieval import retrieval_subset
from ...experiments.pareto import pareto, pareto_figure
from ...models import load_encoder
from ..registry import Outcome, Paper, Reproduction
from ..sidebyside import side_by_side
from ..verdicts import decide

FULL_METHODS = ("float32", "truncate128", "pca128", "pca64", "int8", "int4", "int4+rescore", "binary",
                "binary+rescore", "pq32", "pq32+rescore", "pca128>int8")
SMOKE_METHODS = ("float32", "pca64", "int8", "binary", "binary+rescore")
FULL = {"queries": None, "docs": None, "methods": FULL_METHODS}
SMOKE = {"queries": 10, "docs": 100, "methods": SMOKE_METHODS}


def run(smoke: bool) -> Outcome:
    size = SMOKE if smoke else FULL
    ds = load("rotten-tomatoes-synopsis")
    if size["queries"]:  # the chosen queries' relevant reviews plus some others
        relevant = {d for r in retrieval_subset(ds, size["queries"]).qrels.values() for d in r}
        ds = retrieval_subset(ds, size["queries"], n_docs=len(relevant) + size["docs"])
    enc = load_encoder("minilm")
    Q = enc.encode(ds.query_texts, show_progress=False)
    X = enc.encode(ds.documents, show_progress=False)
    table = pareto((Q, X), ds, methods=list(size["methods"]))
    rows = []
    for method, nbytes, ndcg, retention in table[["method", "bytes/vector", "ndcg@10", "retention"]].values:
        rows += [{"quantity": "bytes/vector", "setting": method, "ours": nbytes, "unit": "bytes"},
                 {"quantity": "retention", "setting": method, "ours": retention, "unit": "fraction of float32"}]
    # the study's size beside ours (its abstract)
    rows.append({"quantity": "methods", "setting": "compared", "ours": len(table) - 1, "unit": "count"})
    out = side_by_side(rows, "storage_compression")
    verdict, reason = decide(None, None)
    front = table.loc[table["pareto"], "method"].tolist()
    reason = ("no published result to compare with: the study's per-method numbers are for learnable embedding "
              "tables of recommendation models and retrieval-augmented LLMs, and its tables were not in the stored "
              f"copies (abstract only); {len(table) - 1} compressors beside its 14 methods; ours: on the size-quality "
              f"front {', '.join(front)}")
    fig = pareto_figure(table, title="minilm on rotten-tomatoes-synopsis: bytes per vector against nDCG@10")
    details = {"table": table.drop(columns=["build s", "search s"], errors="ignore").to_dict("records"),
               "queries": len(ds.queries), "documents": len(ds.corpus)}
    return Outcome(out, verdict, reason, fig, seeds=(), details=details)


ENTRY = Reproduction(
    name="storage_compression",
    paper=Paper(title="Experimental Analysis of Large-scale Learnable Vector Storage Compression",
                authors="Hailin Zhang et al.", year=2023, arxiv="2311.15578"),
    claim=("Compression methods trade memory against quality differently at each budget, and no single method wins "
           "at every budget; the comparison belongs on one size-quality chart."),
    rule=("'not comparable' until a published result for a method we run is on file; the entry reports each "
          "method's bytes per vector and its retention of float32 nDCG@10, which methods lie on the size-quality "
          "(Pareto) front, and the number of compressors beside the study's 14 methods (its abstract)."),
    scale=("The study compresses learnable embedding tables during training (hashing, deduplication, quantisation "
           "among 14 methods) for recommendation and retrieval-augmented LLMs; we compress frozen minilm document "
           "vectors after the fact (truncation, PCA, int8 / int4, binary, product quantisation, with and without "
           "rescoring) on 156 synopsis -> review queries over 4,866 reviews. The study's result tables were not in the "
           "stored copies we searched (abstract only), so no quality number of the paper stands beside ours."),
    run=run,
    published="storage_compression",
    minutes=2.0,
)
