"""Neighbourhood-based geometry: intrinsic dimension (TwoNN, Levina-Bickel MLE) and hubness.

All three read one exact Euclidean kNN graph built with faiss (``IndexFlatL2``) on at
most ``knn_sample`` rows drawn at random (seeded), so ``report`` on 100,000 vectors stays
fast; the sampled rows are both the queries and the corpus. faiss computes distances in
float32 through ``|x|^2 + |y|^2 - 2 x.y``, which loses digits for near neighbours, so the
distances to the neighbours it finds are recomputed in float64 and re-sorted.

* TwoNN (Facco et al. 2017): ``mu = r2 / r1`` follows a Pareto law with shape ``d``; the
  slope of ``-log(1 - F(mu))`` against ``log mu`` through the origin, after discarding
  the largest 10 % of ratios, estimates ``d`` (as in scikit-dimension's ``TwoNN``).
* MLE (Levina & Bickel 2004) with ``k = 20`` neighbours; the per-point estimates are
  combined by averaging their inverses (MacKay & Ghahramani), as scikit-dimension's
  ``MLE`` does by default.
* Hubness (Radovanovic et al. 2010): skewness of the k-occurrence counts ``N_k``.

Points with a duplicate (first-neighbour distance 0) make the ratios undefined; they are
dropped with a ``GeometryWarning``. Left out: approximate kNN and local (per-point) outputs.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import stats

from .core import GeometryWarning, PreparedVectors, prepare

_MIN_NEIGHBOURS = 20  # one graph serves TwoNN (2), hubness (10) and MLE (20)


def knn_graph(P: PreparedVectors, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``k``-NN (self excluded) of the sampled rows: float64 distances and indices,
    both ``(m, k)``, nearest first; indices refer to the sampled rows."""
    import faiss  # noqa: PLC0415

    rows = _sample_rows(P)
    m = len(rows)
    if k >= m:
        raise ValueError(f"k = {k} neighbours need more than {k} rows, got {m}")
    kk = max(k, min(_MIN_NEIGHBOURS, m - 1))
    cached = P.knn_cache.get("graph")
    if cached is None or cached[0].shape[1] < k:
        Xs = np.ascontiguousarray(P.X[rows], dtype=np.float32)
        index = faiss.IndexFlatL2(P.d)
        index.add(Xs)
        _, ids = index.search(Xs, kk + 1)
        is_self = ids == np.arange(m)[:, None]
        is_self[~is_self.any(axis=1), -1] = True  # a duplicate outranked the point itself
        ids = ids[~is_self].reshape(m, kk)
        dist = np.empty((m, kk))
        X64 = P.X[rows].astype(np.float64)
        for s in range(0, m, 1024):
            dist[s:s + 1024] = np.linalg.norm(X64[ids[s:s + 1024]] - X64[s:s + 1024, None], axis=2)
        order = np.argsort(dist, axis=1, kind="stable")
        cached = (np.take_along_axis(dist, order, 1), np.take_along_axis(ids, order, 1))
        P.knn_cache["graph"] = cached
    return cached[0][:, :k], cached[1][:, :k]


def _sample_rows(P: PreparedVectors) -> np.ndarray:
    if "rows" not in P.knn_cache:
        if P.n > P.knn_sample:
            rng = np.random.default_rng(P.seed)
            P.knn_cache["rows"] = np.sort(rng.choice(P.n, P.knn_sample, replace=False))
        else:
            P.knn_cache["rows"] = np.arange(P.n)
    return P.knn_cache["rows"]


def _drop_duplicates(dist: np.ndarray) -> np.ndarray:
    dup = dist[:, 0] <= 0
    if dup.any():
        warnings.warn(f"dropping {int(dup.sum())} point(s) with a duplicate (zero distance to the nearest "
                      "neighbour) from the intrinsic-dimension estimate", GeometryWarning, stacklevel=3)
        dist = dist[~dup]
    if len(dist) < 3:
        raise ValueError("fewer than 3 points without duplicates: intrinsic dimension is undefined")
    return dist


def twonn_dimension(X: Any, *, discard_fraction: float = 0.1, knn_sample: int = 10_000, seed: int = 0) -> float:
    """Intrinsic dimension by TwoNN (Facco et al. 2017).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> plane = rng.uniform(size=(3000, 2)) @ rng.normal(size=(2, 10))   # a plane in R^10
    >>> round(twonn_dimension(plane))
    2
    """
    if not 0 <= discard_fraction < 1:
        raise ValueError(f"discard_fraction must be in [0, 1), got {discard_fraction}")
    P = prepare(X, knn_sample=knn_sample, seed=seed)
    dist = _drop_duplicates(knn_graph(P, 2)[0])
    mu = np.sort(dist[:, 1] / dist[:, 0])
    n_all = len(mu)
    keep = int(n_all * (1 - discard_fraction))
    if keep < 2:
        raise ValueError("too few points left for TwoNN after discarding the largest ratios")
    x = np.log(mu[:keep])
    y = -np.log(1 - np.arange(1, keep + 1) / n_all)
    if not (x > 0).any():
        raise ValueError("every point's two nearest neighbours are equidistant: TwoNN is undefined")
    return float(x @ y / (x @ x))


def mle_dimension(X: Any, *, k: int = 20, knn_sample: int = 10_000, seed: int = 0) -> float:
    """Intrinsic dimension by the Levina-Bickel maximum-likelihood estimator.

    Per point ``m(x) = (k - 1) / sum_{j<k} log(T_k(x) / T_j(x))`` with ``T_j`` the distance to
    the ``j``-th neighbour; the global value is ``1 / mean(1 / m(x))``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Q = np.linalg.qr(rng.normal(size=(12, 12)))[0]
    >>> cube = np.hstack([rng.uniform(size=(3000, 5)), np.zeros((3000, 7))]) @ Q   # 5-d in R^12
    >>> 4.5 < mle_dimension(cube) < 5.5
    True
    """
    if k < 3:
        raise ValueError(f"k must be at least 3, got {k}")
    P = prepare(X, knn_sample=knn_sample, seed=seed)
    dist = _drop_duplicates(knn_graph(P, k)[0])
    inv = np.log(dist[:, -1:] / dist[:, :-1]).sum(axis=1) / (k - 1)
    if inv.mean() <= 0:
        raise ValueError("all neighbours are equidistant: the MLE of the dimension is undefined")
    return float(1.0 / inv.mean())


def hubness(X: Any, *, k: int = 10, knn_sample: int = 10_000, seed: int = 0) -> float:
    """Hubness: skewness of the k-occurrence counts ``N_k`` (Radovanovic et al. 2010).

    ``N_k(x)`` is how many other points have ``x`` among their ``k`` nearest neighbours
    (Euclidean; on unit vectors the same order as cosine). Near 0 for low-dimensional
    data; clearly positive in high dimension, where a few hubs are everyone's neighbour.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> hubness(rng.normal(size=(2000, 100))) > 1.0
    True
    """
    P = prepare(X, knn_sample=knn_sample, seed=seed)
    ids = knn_graph(P, k)[1]
    counts = np.bincount(ids.ravel(), minlength=len(ids)).astype(np.float64)
    if counts.std() == 0:
        return 0.0
    return float(stats.skew(counts))
