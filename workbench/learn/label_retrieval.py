"""Same-label retrieval: every document queries the others, a hit shares its label.

The protocol of the Binary Paragraph Vector and semantic hashing papers (relevant = same
newsgroup / category): precision@k and nDCG@10 with binary gains, averaged over queries.
:func:`compare_codes` runs it for several coders (bit codes searched by Hamming distance,
float vectors by cosine) and records bits per document and query time. Left out: graded
relevance and multi-label sets (a document with several labels).
"""

from __future__ import annotations

import time
from typing import Mapping, Sequence

import numpy as np

from .hashing import hamming_search, pack_codes


def same_label_metrics(ids: np.ndarray, query_labels: Sequence, corpus_labels: Sequence, *,
                       k_values: Sequence[int] = (10, 100)) -> dict[str, float]:
    """precision@k (each ``k``) and nDCG@10 of ranked ``ids`` where relevant means the same label.

    Parameters
    ----------
    ids : (n_queries, >= max(k)) int array of corpus rows, best first
    query_labels, corpus_labels : labels of queries and corpus documents

    Examples
    --------
    >>> same_label_metrics(np.array([[0, 1], [1, 0]]), ["a", "b"], ["a", "a"], k_values=(1, 2))
    {'precision@1': 0.5, 'precision@2': 0.5, 'ndcg@10': 0.5}
    """
    ids = np.asarray(ids)
    ql, cl = np.asarray(query_labels), np.asarray(corpus_labels)
    if len(ids) != len(ql):
        raise ValueError(f"{len(ids)} result rows for {len(ql)} query labels")
    rel = (cl[ids] == ql[:, None]).astype(np.float64)
    out = {}
    for k in k_values:
        if k > rel.shape[1]:
            raise ValueError(f"precision@{k} needs {k} results per query, got {rel.shape[1]}")
        out[f"precision@{k}"] = float(rel[:, :k].mean())
    kk = min(10, rel.shape[1])
    disc = 1.0 / np.log2(np.arange(2, kk + 2))
    dcg = rel[:, :kk] @ disc
    n_rel = np.array([(cl == q).sum() for q in ql])
    ideal = np.array([disc[: min(int(r), kk)].sum() for r in n_rel])
    out["ndcg@10"] = float(np.mean(np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0)))
    return out


def float_search(Q: np.ndarray, X: np.ndarray, k: int) -> np.ndarray:
    """Row ids of the ``k`` highest cosines (ties by lower id)."""
    Q = Q / np.maximum(np.linalg.norm(Q, axis=1, keepdims=True), 1e-12)
    X = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    return np.argsort(-(Q @ X.T), axis=1, kind="stable")[:, :k]


def compare_codes(systems: Mapping[str, dict], query_labels, corpus_labels, *, k: int = 100,
                  k_values: Sequence[int] = (10, 100)):
    """Same-label retrieval for several systems.

    Parameters
    ----------
    systems : name -> dict
        ``{"query_bits", "corpus_bits"}`` (0/1 arrays, Hamming search), optionally
        ``"rerank": (query_real, corpus_real)`` (real-binary), or ``{"query", "corpus"}``
        float vectors (cosine search).
    query_labels, corpus_labels : labels

    Returns
    -------
    pandas.DataFrame: system, bits_per_doc, precision@k..., ndcg@10, ms_per_query

    Examples
    --------
    >>> bits = np.array([[0, 0], [0, 1], [1, 1]], dtype=np.uint8)
    >>> compare_codes({"toy": {"query_bits": bits, "corpus_bits": bits}}, [0, 0, 1], [0, 0, 1], k=2,
    ...               k_values=(1,))[["system", "bits_per_doc", "precision@1"]].values.tolist()
    [['toy', 2, 1.0]]
    """
    import pandas as pd  # noqa: PLC0415

    rows = []
    for name, s in systems.items():
        t = time.perf_counter()
        if "query_bits" in s:
            qb, cb = np.asarray(s["query_bits"]), np.asarray(s["corpus_bits"])
            ids = hamming_search(pack_codes(qb), pack_codes(cb), k, rerank=s.get("rerank"))[1]
            bits = cb.shape[1] + (32 * np.asarray(s["rerank"][1]).shape[1] if s.get("rerank") is not None else 0)
        else:
            ids = float_search(np.asarray(s["query"], np.float32), np.asarray(s["corpus"], np.float32), k)
            bits = 32 * np.asarray(s["corpus"]).shape[1]
        ms = (time.perf_counter() - t) * 1000 / len(ids)
        rows.append({"system": name, "bits_per_doc": int(bits),
                     **same_label_metrics(ids, query_labels, corpus_labels, k_values=k_values),
                     "ms_per_query": ms})
    return pd.DataFrame(rows)
