"""Shared machinery of the geometry metrics: the validated array and the lazily computed
pieces several metrics reuse (mean, covariance eigendecomposition, unit rows and their
moments, the kNN graph's cache).

:class:`PreparedVectors` is how ``geometry.report`` computes each expensive piece once;
every metric accepts one in place of an array, and :func:`prepare` turns either into
one. Inputs are checked by :func:`workbench.vectors.check_vectors` with ``MIN_ROWS`` and
``MIN_DIM``. The metrics themselves live in ``cosine.py``, ``spectrum.py`` and ``knn.py``.
"""

from __future__ import annotations

import warnings
from functools import cached_property
from typing import Any

import numpy as np

from ..linalg import sym_eigh
from ..notices import WorkbenchWarning
from ..vectors import check_vectors

_CHUNK = 8192  # rows per float64 block when accumulating moments
MIN_ROWS = 2  # a covariance, a pair of distinct rows and a neighbour all need two rows
MIN_DIM = 2  # one column has no geometry to speak of (no angles, no spectrum)


class GeometryWarning(WorkbenchWarning):
    """A metric was computed where its estimate is known to be biased or unstable (a ``UserWarning``)."""

    @classmethod
    def merge(cls, messages):
        """One line for the warnings of several reports: their shared lead once, each note once.

        Examples
        --------
        >>> GeometryWarning.merge(["geometry report on 5 x 9 vectors: a: x; b: y",
        ...                        "geometry report on 5 x 9 vectors: a: x"])
        'geometry report on 5 x 9 vectors (2 reports): a: x; b: y'
        """
        leads, notes = [], []
        for text in messages:
            lead, sep, rest = text.partition(" vectors: ")
            if sep and lead.startswith("geometry report on "):
                leads.append(lead)
                notes += rest.split("; ")
            else:
                notes.append(text)
        notes = list(dict.fromkeys(notes))
        if not leads:
            return WorkbenchWarning.merge(notes)
        shapes = list(dict.fromkeys(lead.removeprefix("geometry report on ") for lead in leads))
        head = f"geometry report on {' / '.join(shapes[:3])}{' / ...' if len(shapes) > 3 else ''} vectors"
        return head + (f" ({len(leads)} reports): " if len(leads) > 1 else ": ") + "; ".join(notes)


class PreparedVectors:
    """A validated ``(n, d)`` array with the shared, lazily computed pieces the metrics need.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Finite, ``n >= MIN_ROWS`` and ``d >= MIN_DIM``.
    knn_sample : int
        Rows the kNN-based metrics use at most (a seeded random sample).
    seed : int
        Seed of that sample.

    Examples
    --------
    >>> P = PreparedVectors(np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]))
    >>> P.n, P.d, P.mean.tolist()
    (3, 2, [0.6666666666666666, 1.0])
    """

    def __init__(self, X: Any, *, knn_sample: int = 10_000, seed: int = 0):
        self.X = check_vectors(X, min_rows=MIN_ROWS, min_dim=MIN_DIM)
        self.n, self.d = self.X.shape
        self.knn_sample, self.seed = int(knn_sample), int(seed)
        self.knn_cache: dict = {}  # the kNN graph and its sampled rows, filled by ``knn.py``

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
        vals, vecs = sym_eigh(C)
        vals = np.clip(vals, 0.0, None)
        if vals[0] <= 0 or vals[0] <= 1e-24 * float(np.abs(self.mean).max() ** 2):
            raise ValueError("all rows are identical (constant vectors): the covariance is zero, so "
                             "covariance-based metrics are undefined")
        if self.n <= self.d:
            warnings.warn(f"n = {self.n} rows <= d = {self.d} dimensions: the covariance has rank < d, so "
                          "spectrum-based isotropy (IsoScore, effective rank) is biased low (use more rows)",
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


def prepare(X: Any, *, knn_sample: int = 10_000, seed: int = 0) -> PreparedVectors:
    """``X`` itself if it is already a :class:`PreparedVectors`, else ``X`` validated and wrapped in one.

    Examples
    --------
    >>> P = prepare([[1.0, 0.0], [0.0, 1.0]])
    >>> prepare(P) is P
    True
    """
    return X if isinstance(X, PreparedVectors) else PreparedVectors(X, knn_sample=knn_sample, seed=seed)
