"""Shared machinery of the geometry metrics: input validation and the lazily computed
pieces several metrics reuse (mean, covariance eigendecomposition, unit rows and their
moments, the kNN graph's cache).

``check_vectors`` is public; ``_Prepared`` is how ``geometry.report`` computes each
expensive piece once. The metrics themselves live in ``geometry.py``,
``spectrum.py`` and ``knn.py``.
"""

from __future__ import annotations

import warnings
from functools import cached_property
from typing import Any

import numpy as np

_CHUNK = 8192  # rows per float64 block when accumulating moments


class GeometryWarning(UserWarning):
    """A metric was computed where its estimate is known to be biased or unstable."""


# ---------------------------------------------------------------------- validation
def check_vectors(X: Any, name: str = "X", *, min_rows: int = 2) -> np.ndarray:
    """Validate an ``(n, d)`` array of vectors: finite, ``n >= min_rows``, ``d >= 2``.

    Returns the array as float32 or float64 (other dtypes become float64), not copied
    when it already is one.

    Examples
    --------
    >>> check_vectors([[1.0, 0.0], [0.0, 1.0]]).shape
    (2, 2)
    >>> check_vectors([[1.0, float("nan")], [0.0, 1.0]])
    Traceback (most recent call last):
    ...
    ValueError: X has NaN or inf in 1 row(s), e.g. rows [0]; drop or repair them first
    """
    X = np.asarray(X)
    if X.dtype not in (np.float32, np.float64):
        if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
            raise ValueError(f"{name} must hold numbers, got dtype {X.dtype}")
        X = X.astype(np.float64)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-d (n, d) array of row vectors, got shape {X.shape}")
    n, d = X.shape
    if n < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows (vectors), got {n}")
    if d < 2:
        raise ValueError(f"{name} has d = {d} column(s); geometry metrics need at least 2 dimensions")
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ValueError(f"{name} has NaN or inf in {len(rows)} row(s), e.g. rows {rows[:5].tolist()}; "
                         "drop or repair them first")
    return X


class _Prepared:
    """A validated array with the shared, lazily computed pieces the metrics need."""

    def __init__(self, X: Any, *, knn_sample: int = 10_000, seed: int = 0):
        self.X = check_vectors(X)
        self.n, self.d = self.X.shape
        self.knn_sample, self.seed = int(knn_sample), int(seed)
        self._knn: dict = {}

    def blocks(self, centred: bool = False):
        """Row blocks at the input's precision (products inside a block run in it; sums
        across blocks are float64), optionally centred (the subtraction runs in float64)."""
        for start in range(0, self.n, _CHUNK):
            b = self.X[start:start + _CHUNK]
            yield (b - self.mean).astype(self.X.dtype) if centred else b

    @cached_property
    def mean(self) -> np.ndarray:
        return sum(b.sum(axis=0, dtype=np.float64) for b in self.blocks()) / self.n

    @cached_property
    def cov_eigh(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues (descending, clipped at 0) and eigenvectors of the sample covariance."""
        C = np.zeros((self.d, self.d))
        for b in self.blocks(centred=True):
            C += b.T @ b
        C /= self.n - 1
        vals, vecs = np.linalg.eigh(C)
        vals, vecs = np.clip(vals[::-1], 0.0, None), vecs[:, ::-1]
        if vals[0] <= 0 or vals[0] <= 1e-24 * float(np.abs(self.mean).max() ** 2):
            raise ValueError("all rows are identical (constant vectors): the covariance is zero, so "
                             "covariance-based metrics are undefined")
        if self.n <= self.d:
            warnings.warn(f"n = {self.n} rows <= d = {self.d} dimensions: the covariance has rank < d, so "
                          "spectrum-based isotropy (IsoScore, effective rank) is biased low; use more rows",
                          GeometryWarning, stacklevel=4)
        return vals, vecs

    @cached_property
    def unit(self) -> np.ndarray:
        norms = np.linalg.norm(self.X, axis=1, keepdims=True)
        zero = np.flatnonzero(norms[:, 0] == 0)
        if len(zero):
            raise ValueError(f"X has {len(zero)} zero vector(s), e.g. rows {zero[:5].tolist()}; "
                             "cosine is undefined for them")
        return (self.X / norms).astype(self.X.dtype)

    @cached_property
    def unit_moments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sum of unit rows, per-coordinate sum of squares, and the (d, d) second-moment matrix."""
        S, sq, G = np.zeros(self.d), np.zeros(self.d), np.zeros((self.d, self.d))
        for start in range(0, self.n, _CHUNK):
            b = self.unit[start:start + _CHUNK]
            S += b.sum(axis=0, dtype=np.float64)
            sq += (b * b).sum(axis=0, dtype=np.float64)
            G += b.T @ b
        return S, sq, G


def _prepared(X) -> _Prepared:
    return X if isinstance(X, _Prepared) else _Prepared(X)
