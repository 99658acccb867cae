"""Float-to-float compressors: keep the first coordinates (``Truncate``) or the top principal axes (``PCA``).

Both shrink a vector by storing fewer float32 numbers. Truncation only keeps what a
Matryoshka-trained model puts first -- for other models it is a measurement, not a
recommendation -- and re-normalises what is left so that inner products stay cosines.
PCA projects centred vectors on the leading right-singular vectors of the calibration
set. Left out: whitening and incremental or randomized PCA.
"""

from __future__ import annotations

import numpy as np

from .base import Compressor


class Truncate(Compressor):
    """Keep the first ``dim`` coordinates of each vector (re-normalised by default).

    Parameters
    ----------
    dim : int
        Coordinates kept.
    normalize : bool, default True
        Scale each truncated vector to unit length (Matryoshka convention).

    Examples
    --------
    >>> X = np.array([[3.0, 4.0, 12.0], [1.0, 0.0, 0.0]], dtype=np.float32)
    >>> t = Truncate(2).fit(X)
    >>> t.transform(X).round(2), t.bytes_per_vector
    (array([[0.6, 0.8],
           [1. , 0. ]], dtype=float32), 8)
    """

    def __init__(self, dim: int, *, normalize: bool = True):
        self.dim = dim
        self.normalize = normalize

    def fit(self, X) -> "Truncate":
        X = self._check_calibration(X, minimum=1)
        if not isinstance(self.dim, (int, np.integer)) or not 1 <= self.dim <= X.shape[1]:
            raise ValueError(f"Truncate(dim) needs an int dim in 1..{X.shape[1]} (the vector width), got {self.dim!r}")
        self.d_ = X.shape[1]
        self.code_width_ = int(self.dim)
        return self

    def transform(self, X) -> np.ndarray:
        self._check_fitted()
        Y = np.array(self._check_input(X)[:, :self.dim])
        if self.normalize:
            norms = np.linalg.norm(Y, axis=1, keepdims=True)
            Y = np.divide(Y, norms, out=np.zeros_like(Y), where=norms > 0)
        return Y

    def inverse_transform(self, codes) -> np.ndarray:
        codes = self._check_codes(codes).astype(np.float32, copy=False)
        out = np.zeros((len(codes), self.d_), dtype=np.float32)
        out[:, :self.dim] = codes
        return out

    @property
    def bytes_per_vector(self) -> int:
        return 4 * int(self.dim)


class PCA(Compressor):
    """Project centred vectors on the ``n_components`` leading principal axes.

    Parameters
    ----------
    n_components : int
        Principal axes kept (at most ``min(n, d)`` of the calibration set).

    Attributes
    ----------
    mean_ : (d,) float32
    components_ : (n_components, d) float32, orthonormal rows, by decreasing variance
    explained_variance_ratio_ : (n_components,) float64

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    >>> p = PCA(4).fit(X)
    >>> bool(np.allclose(p.inverse_transform(p.transform(X)), X, atol=1e-5)), p.bytes_per_vector
    (True, 16)
    """

    def __init__(self, n_components: int):
        self.n_components = n_components

    def fit(self, X) -> "PCA":
        X = self._check_calibration(X)
        limit = min(X.shape)
        if not isinstance(self.n_components, (int, np.integer)) or not 1 <= self.n_components <= limit:
            raise ValueError(f"PCA(n_components) needs an int in 1..{limit} (min of calibration rows and width), "
                             f"got {self.n_components!r}")
        mean = X.mean(axis=0, dtype=np.float64)
        _, s, vt = np.linalg.svd(X.astype(np.float64) - mean, full_matrices=False)
        k = int(self.n_components)
        # a deterministic sign: the largest coordinate of each axis is positive
        signs = np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(axis=1)])
        vt *= signs[:, None]
        self.mean_ = mean.astype(np.float32)
        self.components_ = np.ascontiguousarray(vt[:k], dtype=np.float32)
        var = s ** 2
        self.explained_variance_ratio_ = var[:k] / var.sum() if var.sum() > 0 else np.zeros(k)
        self.d_ = X.shape[1]
        self.code_width_ = k
        return self

    def transform(self, X) -> np.ndarray:
        self._check_fitted()
        return (self._check_input(X) - self.mean_) @ self.components_.T

    def inverse_transform(self, codes) -> np.ndarray:
        codes = self._check_codes(codes).astype(np.float32, copy=False)
        return codes @ self.components_ + self.mean_

    @property
    def bytes_per_vector(self) -> int:
        return 4 * int(self.n_components)
