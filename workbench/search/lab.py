"""The index lab: recall@k, queries per second, memory and build time of each index on your vectors.

:func:`index_lab` builds every index of a list on the same corpus and measures it
against exact search. :func:`scaling_sweep` repeats that at growing corpus sizes, made by
:func:`perturbed_corpus` from real vectors plus small Gaussian perturbations (scaled per
dimension by the data's own spread and re-normalised), so that the neighbourhood
structure stays that of real embeddings while n grows past the data set. Recall@k here
is the overlap with the exact top-k (the ANN convention), not relevance. Timings are
wall-clock on whatever threads faiss and BLAS use. Left out: parameter sweeps per
index (pass parameters explicitly to compare settings).
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np
import pandas as pd

from ..progress import bar
from ..vectors import check_vectors
from .exact import exact_search
from .indexes import Index
from .registry import make_index

LAB_INDEXES = ("flat", "ivf-flat", "hnsw", "ivf-pq", "binary", "binary+rescore", "int8")


def knn_recall(ids: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of the exact top-k found by ``ids`` (rows aligned, ``-1`` ignored).

    Examples
    --------
    >>> knn_recall(np.array([[0, 1], [2, 3]]), np.array([[1, 0], [2, 4]]))
    0.75
    """
    ids, truth = np.asarray(ids), np.asarray(truth)
    if ids.shape[0] != truth.shape[0]:
        raise ValueError(f"{ids.shape[0]} result rows for {truth.shape[0]} ground-truth rows")
    hits = [len(set(a[a >= 0].tolist()) & set(b[b >= 0].tolist())) / max(1, (b >= 0).sum())
            for a, b in zip(ids, truth)]
    return float(np.mean(hits))


def _measure(index: Index, X, Q, k: int, truth) -> dict:
    index.fit(X)
    start = time.perf_counter()
    _, ids = index.search(Q, k)
    seconds = time.perf_counter() - start
    return {"index": index.name, "n": len(X), "build s": index.build_seconds_,
            "memory MB": index.memory_bytes / 2 ** 20, "bytes/vector": index.memory_bytes / len(X),
            "QPS": len(Q) / seconds if seconds > 0 else float("inf"), f"recall@{k}": knn_recall(ids, truth)}


def index_lab(X, Q, indexes: Sequence = LAB_INDEXES, *, k: int = 10, params: dict | None = None,
              show_progress: bool | None = None) -> pd.DataFrame:
    """Build each index on ``X`` and measure it with queries ``Q`` against exact search.

    Parameters
    ----------
    X : (n, d) corpus vectors (unit rows for cosine)
    Q : (m, d) query vectors
    indexes : sequence of spec strings (``make_index``) or fitted-or-not ``Index`` objects
    k : int, default 10
    params : dict spec -> dict of keyword arguments, optional
    show_progress : bool, optional

    Returns
    -------
    DataFrame with index, n, build s, memory MB, bytes/vector, QPS, recall@k

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(500, 16)).astype(np.float32)
    >>> lab = index_lab(X, X[:20], ["flat", "hnsw"], k=5)
    >>> lab["recall@5"].tolist()[0], bool(lab["bytes/vector"].iloc[0] >= 64)
    (1.0, True)
    """
    X = check_vectors(X, "corpus vectors", min_rows=0, dtype=np.float32)
    Q = check_vectors(Q, "queries", min_rows=0, dim=X.shape[1], dtype=np.float32, purpose="the corpus vectors")
    params = params or {}
    _, truth = exact_search(Q, X, k)
    rows = []
    with bar(len(indexes), "indexes", show_progress) as progress:
        for spec in indexes:
            index = make_index(spec, **params.get(spec, {})) if isinstance(spec, str) else spec
            rows.append(_measure(index, X, Q, k, truth))
            progress.update()
    return pd.DataFrame(rows)


def perturbed_corpus(X, n: int, *, noise: float = 0.25, seed: int = 0) -> np.ndarray:
    """``n`` unit vectors: the rows of ``X`` first, then perturbed copies of random rows.

    A copy is ``x + noise * sigma * z`` (``sigma`` the per-dimension standard deviation of
    ``X``, ``z`` standard normal), re-normalised.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    >>> Y = perturbed_corpus(X, 25)
    >>> Y.shape, bool(np.allclose(np.linalg.norm(Y, axis=1), 1, atol=1e-5))
    ((25, 4), True)
    """
    X = check_vectors(X, "vectors", min_rows=0, dtype=np.float32)
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    rng = np.random.default_rng(seed)
    sigma = X.std(axis=0)
    out = np.empty((n, X.shape[1]), np.float32)
    base = min(n, len(X))
    out[:base] = X[:base]
    for start in range(base, n, 65536):
        stop = min(n, start + 65536)
        rows = X[rng.integers(0, len(X), stop - start)]
        out[start:stop] = rows + noise * sigma * rng.standard_normal(rows.shape, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norms, out=out, where=norms > 0)


SWEEP_SIZES = (10_000, 20_000, 50_000, 100_000, 200_000)
SWEEP_INDEXES = ("flat", "ivf-flat", "hnsw", "ivf-pq", "binary+rescore")


def scaling_sweep(X, Q, sizes: Sequence[int] = SWEEP_SIZES, indexes: Sequence[str] = SWEEP_INDEXES, *,
                  k: int = 10, noise: float = 0.25, seed: int = 0, params: dict | None = None,
                  show_progress: bool | None = None) -> pd.DataFrame:
    """:func:`index_lab` at each corpus size, on :func:`perturbed_corpus` vectors grown from ``X``.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(200, 8)).astype(np.float32)
    >>> table = scaling_sweep(X, X[:10], sizes=(200, 400), indexes=("flat",), k=5)
    >>> table["n"].tolist(), table["recall@5"].tolist()
    ([200, 400], [1.0, 1.0])
    """
    Q = check_vectors(Q, "queries", min_rows=0, dtype=np.float32)
    sizes = sorted(int(s) for s in sizes)
    big = perturbed_corpus(X, sizes[-1], noise=noise, seed=seed)
    tables = []
    with bar(len(sizes), "sizes", show_progress) as progress:
        for n in sizes:
            tables.append(index_lab(big[:n], Q, indexes, k=k, params=params, show_progress=False))
            progress.update()
    return pd.concat(tables, ignore_index=True)
