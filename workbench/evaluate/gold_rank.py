"""Retrieval with one gold answer per query: the gold's rank, recall@k and MRR with bootstrap intervals.

When every query has exactly one relevant candidate, everything follows from the
rank of that candidate. :func:`gold_ranks` finds it among all candidates (``global``)
or only among the candidates of the gold's own group (``within``: e.g. the chunks of
one document); :func:`rank_summary` turns ranks into recall@k and MRR (over the full
ranking, not cut at 10) with percentile-bootstrap intervals from :mod:`.stats`;
:func:`by_bins` splits the same numbers by a per-query property (chunk length).

A candidate that ties the gold's score counts as ranked above it (a pessimistic rank).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .stats import bootstrap_ci

__all__ = ["by_bins", "gold_ranks", "rank_summary"]


def gold_ranks(Q: np.ndarray, X: np.ndarray, gold: Sequence[int], groups: Sequence | None = None, *,
               block: int = 512) -> np.ndarray:
    """1-based rank of each query's gold candidate by inner product (unit vectors: cosine).

    Parameters
    ----------
    Q : array (n, d)
        Query vectors.
    X : array (m, d)
        Candidate vectors.
    gold : sequence of int, length n
        Index in ``X`` of each query's answer.
    groups : sequence, length m, optional
        A group label per candidate: rank only among the gold's group.

    Examples
    --------
    >>> Q = np.eye(2, dtype=np.float32); X = np.array([[1, 0], [0.9, 0.1], [0, 1]], np.float32)
    >>> gold_ranks(Q, X, [1, 2]).tolist()
    [2, 1]
    >>> gold_ranks(Q, X, [1, 2], groups=["a", "b", "b"]).tolist()
    [1, 1]
    """
    Q, X = np.asarray(Q, np.float32), np.asarray(X, np.float32)
    gold = np.asarray(gold, dtype=int)
    if Q.ndim != 2 or X.ndim != 2 or Q.shape[1] != X.shape[1]:
        raise ValueError(f"Q and X must be 2-D with the same width; got {Q.shape} and {X.shape}")
    if gold.shape != (len(Q),) or (len(gold) and not (0 <= gold.min() and gold.max() < len(X))):
        raise ValueError(f"gold must hold one index in 0..{len(X) - 1} per query ({len(Q)} queries)")
    same = None
    if groups is not None:
        labels = pd.factorize(pd.Series(list(groups), dtype=object))[0]
        if len(labels) != len(X):
            raise ValueError(f"groups has {len(labels)} labels for {len(X)} candidates")
    ranks = np.empty(len(Q), dtype=int)
    for start in range(0, len(Q), block):
        S = Q[start:start + block] @ X.T
        g = gold[start:start + block]
        target = S[np.arange(len(g)), g][:, None]
        above = S >= target
        above[np.arange(len(g)), g] = False
        if groups is not None:
            same = labels[None, :] == labels[g][:, None]
            above &= same
        ranks[start:start + block] = 1 + above.sum(axis=1)
    return ranks


def rank_summary(ranks, ks: Sequence[int] = (1, 10), *, n_resamples: int = 1000, seed: int = 0) -> dict:
    """recall@k and MRR of gold ranks, each with a 95% bootstrap interval (``<metric>_ci``), and ``n``.

    Examples
    --------
    >>> out = rank_summary([1, 2, 20, 1], ks=(1, 10))
    >>> out["recall@1"], out["recall@10"], round(out["mrr"], 4), out["n"]
    (0.5, 0.75, 0.6375, 4)
    """
    ranks = np.asarray(ranks, dtype=float)
    if ranks.ndim != 1 or not len(ranks) or np.any(ranks < 1):
        raise ValueError("ranks must be a non-empty 1-D array of ranks >= 1")
    per = {f"recall@{k}": (ranks <= k).astype(float) for k in ks}
    per["mrr"] = 1.0 / ranks
    out: dict = {}
    for name, values in per.items():
        out[name] = float(values.mean())
        out[f"{name}_ci"] = bootstrap_ci(values, n_resamples=n_resamples, seed=seed)
    out["n"] = int(len(ranks))
    return out


def by_bins(ranks, values, edges: Sequence[float], *, k: int = 1, label: str = "length") -> pd.DataFrame:
    """recall@k and MRR of the queries whose ``values`` fall in each bin ``[edges[i], edges[i+1])``.

    Examples
    --------
    >>> by_bins([1, 3, 1, 1], [10, 20, 200, 300], [0, 100, 1000])[["length", "n", "recall@1"]].values.tolist()
    [['0-100', 2, 0.5], ['100-1000', 2, 1.0]]
    """
    ranks, values = np.asarray(ranks, dtype=float), np.asarray(values, dtype=float)
    if ranks.shape != values.shape:
        raise ValueError(f"{len(ranks)} ranks and {len(values)} values; give one value per query")
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (values >= lo) & (values < hi)
        name = f"{lo:g}-{hi:g}"
        if sel.any():
            rows.append({label: name, "n": int(sel.sum()), f"recall@{k}": float((ranks[sel] <= k).mean()),
                         "mrr": float((1.0 / ranks[sel]).mean())})
        else:
            rows.append({label: name, "n": 0, f"recall@{k}": float("nan"), "mrr": float("nan")})
    return pd.DataFrame(rows)
