"""Post-processing of embedding vectors that undoes anisotropy: fit on one set, apply to another.

Four scikit-learn transformers (usable in a ``sklearn.pipeline.Pipeline``):

* ``Center`` subtracts the fit set's mean;
* ``Whitening(n_components=None)`` is BERT-whitening (Su et al. 2021):
  ``y = (x - mu) U diag(S^-1/2)[:, :k]`` with ``U, S`` the SVD of the covariance, so the
  fit set's output has identity covariance; ``k < d`` also reduces the dimension;
* ``AllButTheTop(n_remove=None)`` (Mu & Viswanath 2018) centres, then removes the
  projections on the top ``D`` principal components (default ``D = max(1, round(d / 100))``);
* ``Normalize`` scales each row to unit L2 norm (zero rows stay zero).

Follow the first three with ``Normalize`` when cosine scores are wanted (the papers'
recipe). Computation runs in float64; the output keeps a float32 input's dtype.
Left out: the encoder-side choice of layers (``first_last_avg`` pooling does that) and
learned post-processors (flows, contrastive fine-tuning).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .linalg import sym_eigh

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    def _validate_data(est, X, reset=True, **kw):
        return est._validate_data(X, reset=reset, **kw)

_FLOATS = (np.float64, np.float32)


def _check(est, X, reset: bool) -> np.ndarray:
    return _validate_data(est, X, reset=reset, dtype=_FLOATS, ensure_min_samples=2 if reset else 1)


def _out(Y: np.ndarray, like: np.ndarray) -> np.ndarray:
    return Y.astype(like.dtype, copy=False)


def _covariance_eigh(Xc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and eigenvectors of the covariance of centred rows."""
    cov = Xc.T @ Xc / (len(Xc) - 1)
    vals, vecs = sym_eigh(cov)
    return vals.clip(min=0.0), vecs


class Center(TransformerMixin, BaseEstimator):
    """Subtract the mean of the fit set.

    Attributes
    ----------
    mean_ : (d,) float64

    Examples
    --------
    >>> Center().fit([[1.0, 2.0], [3.0, 4.0]]).transform([[2.0, 3.0]]).tolist()
    [[0.0, 0.0]]
    """

    def fit(self, X, y=None):
        X = _check(self, X, reset=True)
        self.mean_ = X.mean(axis=0, dtype=np.float64)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = _check(self, X, reset=False)
        return _out(X - self.mean_, X)


class Whitening(TransformerMixin, BaseEstimator):
    """BERT-whitening: centre, rotate onto the principal axes and scale each to unit variance.

    Parameters
    ----------
    n_components : int, optional
        Keep the top ``k`` whitened directions (default: all ``d``). The fit set's
        covariance must have rank at least ``k``: with fewer rows than dimensions, or
        collinear rows, pass a smaller ``k`` (the error says how small).

    Attributes
    ----------
    mean_ : (d,) float64
    components_ : (d, k) float64
        The whitening matrix ``W = U diag(S^-1/2)[:, :k]``.
    explained_variance_ : (k,) float64
        The covariance eigenvalues ``S`` that were kept.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3)) @ [[3.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.1]]
    >>> Y = Whitening().fit_transform(X)
    >>> np.allclose(np.cov(Y, rowvar=False), np.eye(3))
    True
    """

    def __init__(self, n_components: int | None = None):
        self.n_components = n_components

    def fit(self, X, y=None):
        X = _check(self, X, reset=True)
        d = X.shape[1]
        k = d if self.n_components is None else self.n_components
        if not isinstance(k, (int, np.integer)) or not 1 <= k <= d:
            raise ValueError(f"n_components must be an int in 1..{d} (the input's dimension) or None, "
                             f"got {self.n_components!r}")
        self.mean_ = X.mean(axis=0, dtype=np.float64)
        vals, vecs = _covariance_eigh(X - self.mean_)
        rank = int(np.sum(vals > max(vals[0], 1e-300) * 1e-10))
        if rank < k:
            raise ValueError(f"the fit set's covariance has rank {rank} ({len(X)} rows, {d} dimensions), too low "
                             f"to whiten {k} directions; pass n_components <= {rank} or fit on more rows")
        self.explained_variance_ = vals[:k]
        self.components_ = vecs[:, :k] / np.sqrt(vals[:k])
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = _check(self, X, reset=False)
        return _out((X - self.mean_) @ self.components_, X)


class AllButTheTop(TransformerMixin, BaseEstimator):
    """All-but-the-top (Mu & Viswanath 2018): centre, then remove the top principal directions.

    Parameters
    ----------
    n_remove : int, optional
        How many top principal components ``D`` to remove; default ``max(1, round(d / 100))``
        (3 for 300-d word vectors, as in the paper). 0 only centres.

    Attributes
    ----------
    mean_ : (d,) float64
    components_ : (D, d) float64
        The removed unit directions (rows), largest variance first.
    n_remove_ : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4)) * [5.0, 1.0, 1.0, 1.0]
    >>> abt = AllButTheTop(n_remove=1).fit(X)
    >>> float(np.abs(abt.transform(X) @ abt.components_[0]).max()) < 1e-9
    True
    """

    def __init__(self, n_remove: int | None = None):
        self.n_remove = n_remove

    def fit(self, X, y=None):
        X = _check(self, X, reset=True)
        d = X.shape[1]
        D = max(1, round(d / 100)) if self.n_remove is None else self.n_remove
        if not isinstance(D, (int, np.integer)) or not 0 <= D < d:
            raise ValueError(f"n_remove must be an int in 0..{d - 1}, fewer than the input's n_features = {d}, "
                             f"or None; got {self.n_remove!r}")
        self.mean_ = X.mean(axis=0, dtype=np.float64)
        _, vecs = _covariance_eigh(X - self.mean_)
        self.components_ = vecs[:, :D].T.copy()
        self.n_remove_ = int(D)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = _check(self, X, reset=False)
        Xc = X - self.mean_
        return _out(Xc - (Xc @ self.components_.T) @ self.components_, X)


class Normalize(TransformerMixin, BaseEstimator):
    """Scale each row to unit L2 norm; rows of zeros stay zero. Learns nothing.

    Examples
    --------
    >>> Normalize().fit_transform([[3.0, 4.0], [0.0, 0.0]]).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """

    def fit(self, X, y=None):
        _check(self, X, reset=True)
        return self

    def transform(self, X):
        check_is_fitted(self, "n_features_in_")
        X = _check(self, X, reset=False)
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        return _out(np.divide(X, norms, out=np.zeros_like(X, dtype=np.float64), where=norms > 0), X)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "n_features_in_")


POSTPROCESSORS = {"center": Center, "whitening": Whitening, "all_but_the_top": AllButTheTop, "normalize": Normalize}


def make_postprocessor(name: str, **params) -> BaseEstimator:
    """A post-processor by name (``POSTPROCESSORS``), with its parameters.

    Examples
    --------
    >>> make_postprocessor("whitening", n_components=2)
    Whitening(n_components=2)
    """
    if name not in POSTPROCESSORS:
        raise ValueError(f"unknown post-processor {name!r}; valid: {', '.join(POSTPROCESSORS)}")
    return POSTPROCESSORS[name](**params)
