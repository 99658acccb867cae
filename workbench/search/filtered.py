"""Search restricted to the documents whose attributes pass a filter.

Three strategies, all returning ``(scores, ids)`` of shape ``(m, k)``:

* ``"exact"`` -- brute force over the admissible rows only: the ground truth;
* ``"pre"`` -- the index itself skips inadmissible rows while searching (faiss
  ``IDSelectorBitmap``); with an exact index this *is* exact filtered search, with a graph
  or inverted lists it can miss results when few rows pass;
* ``"post"`` -- search the whole index for ``oversample x k`` results, then drop the
  inadmissible ones; it returns fewer than ``k`` when too few survive.

Missing results are ``-1`` ids with ``-inf`` scores; an empty filter gives only those.
:func:`filter_study` measures recall against ``"exact"`` and latency per strategy at the
selectivities of real attribute filters. Left out: filter-aware graph construction
(e.g. filtered HNSW variants) and range predicates beyond what a callable expresses.
"""

from __future__ import annotations

import math
import time
from typing import Mapping

import numpy as np
import pandas as pd

from ..vectors import check_vectors
from .exact import exact_search
from .indexes import Index, pad_results

STRATEGIES = ("exact", "pre", "post")


def attribute_mask(attributes: pd.DataFrame, **conditions) -> np.ndarray:
    """Boolean mask of the rows whose attributes satisfy every condition.

    A condition is a value (equality), a list / tuple / set (membership) or a callable
    taking the column and returning booleans.

    Examples
    --------
    >>> attrs = pd.DataFrame({"department": ["Tops", "Dresses", "Tops"], "rating": [5, 4, 3]})
    >>> attribute_mask(attrs, department="Tops", rating=lambda r: r >= 4).tolist()
    [True, False, False]
    """
    if not isinstance(attributes, pd.DataFrame):
        raise TypeError(f"attributes must be a pandas DataFrame, got {type(attributes).__name__}")
    if not conditions:
        raise ValueError("give at least one condition, e.g. department='Dresses'")
    mask = np.ones(len(attributes), dtype=bool)
    for column, cond in conditions.items():
        if column not in attributes.columns:
            raise ValueError(f"no attribute {column!r}; valid: {', '.join(map(str, attributes.columns))}")
        col = attributes[column]
        if callable(cond):
            hit = np.asarray(cond(col), dtype=bool)
        elif isinstance(cond, (list, tuple, set, frozenset)):
            hit = col.isin(list(cond)).to_numpy()
        else:
            hit = (col == cond).to_numpy()
        mask &= hit
    return mask


def filtered_search(Q, k: int, mask, *, index: Index | None = None, vectors=None, strategy: str = "pre",
                    oversample: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` admissible rows per query with one of the strategies in ``STRATEGIES``.

    Parameters
    ----------
    Q : (m, d) float queries
    k : int
    mask : (n,) bool
        True for admissible corpus rows.
    index : Index, optional
        A fitted index (``"pre"``, ``"post"``).
    vectors : (n, d) array, optional
        The corpus vectors (``"exact"``).
    strategy : {"exact", "pre", "post"}
    oversample : float, default 10
        ``"post"`` asks the index for ``ceil(oversample x k)`` results (at most n).

    Examples
    --------
    >>> X = np.array([[1, 0], [0.9, 0.1], [0.8, 0.2], [0.7, 0.3]], dtype=np.float32)
    >>> mask = np.array([False, True, False, True])
    >>> filtered_search(X[:1], 2, mask, vectors=X, strategy="exact")[1].tolist()
    [[1, 3]]
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; valid: {', '.join(STRATEGIES)}")
    if strategy == "exact":
        if vectors is None:
            raise ValueError("the exact strategy needs the corpus vectors (vectors=)")
        X = check_vectors(vectors, "vectors", min_rows=0, dtype=np.float32)
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != (len(X),):
            raise ValueError(f"mask must be a boolean array with one entry per corpus row ({len(X)}), "
                             f"got dtype {mask.dtype} and shape {mask.shape}")
        if not isinstance(k, (int, np.integer)) or not 1 <= k <= len(X):
            raise ValueError(f"k must be an int in 1..{len(X)} (the corpus size), got {k!r}")
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            return np.full((len(Q), k), -np.inf, np.float32), np.full((len(Q), k), -1, np.int64)
        Q = check_vectors(Q, "queries", min_rows=0, dim=X.shape[1], dtype=np.float32, purpose="the corpus vectors")
        scores, ids = exact_search(Q, X[rows], k)
        return pad_results(scores, rows[ids], k)
    if index is None:
        raise ValueError(f"the {strategy!r} strategy needs a fitted index (index=)")
    if strategy == "pre":
        return index.search(Q, k, mask=mask)
    Q, mask = index.check_search(Q, k, mask)
    if mask is None:
        raise ValueError("post-filtering needs a mask")
    wide = min(index.ntotal_, max(k, math.ceil(oversample * k)))
    scores, ids = index.search(Q, wide)
    keep = (ids >= 0) & mask[np.clip(ids, 0, None)]
    out_s = np.full((len(Q), k), -np.inf, np.float32)
    out_i = np.full((len(Q), k), -1, np.int64)
    for row in range(len(Q)):
        hit = np.flatnonzero(keep[row])[:k]
        out_s[row, :len(hit)], out_i[row, :len(hit)] = scores[row, hit], ids[row, hit]
    return out_s, out_i


def filtered_recall(ids: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each query's exact filtered results that ``ids`` found (queries with none skipped).

    Examples
    --------
    >>> filtered_recall(np.array([[1, 2, -1]]), np.array([[2, 5, -1]]))
    0.5
    """
    found = []
    for got, want in zip(np.asarray(ids), np.asarray(truth)):
        want = set(want[want >= 0].tolist())
        if want:
            found.append(len(want & set(got[got >= 0].tolist())) / len(want))
    return float(np.mean(found)) if found else float("nan")


def filter_study(X, Q, filters: Mapping[str, np.ndarray], *, index: Index, k: int = 10,
                 oversample: tuple[float, ...] = (10.0,)) -> pd.DataFrame:
    """Recall (against exact filtered search) and latency of pre- and post-filtering.

    Parameters
    ----------
    X : (n, d) corpus vectors
    Q : (m, d) queries
    filters : dict name -> (n,) boolean mask
    index : Index
        Fitted on ``X`` here (refit unless it already holds ``len(X)`` vectors).
    k : int
    oversample : tuple of float
        One post-filter row per factor.

    Returns
    -------
    DataFrame with filter, selectivity, strategy, recall@k, ms/query, results/query

    Examples
    --------
    >>> from workbench.search import FlatIndex
    >>> X = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    >>> table = filter_study(X, X[:5], {"half": np.arange(300) % 2 == 0}, index=FlatIndex(), k=3)
    >>> table[["strategy", "recall@3"]].values.tolist()
    [['exact', 1.0], ['pre', 1.0], ['post x10', 1.0]]
    """
    X = check_vectors(X, "corpus vectors", min_rows=0, dtype=np.float32)
    Q = check_vectors(Q, "queries", min_rows=0, dim=X.shape[1], dtype=np.float32, purpose="the corpus vectors")
    if getattr(index, "ntotal_", None) != len(X):
        index.fit(X)
    rows = []
    for name, mask in filters.items():
        mask = np.asarray(mask, dtype=bool)
        runs = [("exact", "exact", None), ("pre", "pre", None)] + [(f"post x{o:g}", "post", o) for o in oversample]
        truth = None
        for label, strategy, factor in runs:
            start = time.perf_counter()
            _, ids = filtered_search(Q, k, mask, index=index, vectors=X, strategy=strategy,
                                     oversample=factor or 10.0)
            seconds = time.perf_counter() - start
            truth = ids if truth is None else truth
            rows.append({"filter": name, "selectivity": float(mask.mean()), "strategy": label,
                         f"recall@{k}": filtered_recall(ids, truth), "ms/query": 1000 * seconds / len(Q),
                         "results/query": float((ids >= 0).sum(axis=1).mean())})
    return pd.DataFrame(rows)
