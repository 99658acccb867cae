"""Projections of embedding vectors to 2 or 3 coordinates: PCA, t-SNE and UMAP, cached on disk.

``PROJECTIONS`` maps a method name to a function ``(X, dims, seed) -> (n, dims)``;
:func:`project` validates the input, looks the result up in the workbench cache (namespace
``projections``, keyed by a hash of the array's bytes, the method, ``dims``, the seed and
the version of this module's recipe) and computes it on a miss. Every method is seeded,
so the same input gives the same coordinates.

t-SNE and UMAP first reduce vectors wider than ``PRE_PCA`` (50) columns with PCA, the
usual practice: it removes noise directions and makes the neighbour search several times
cheaper without visibly changing the picture. Left out: fitting a projection on one set
and placing new points into it (UMAP's ``transform``), and parametric UMAP.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any, Callable

import numpy as np

from .. import cache as vector_cache
from ..vectors import check_vectors

PRE_PCA = 50  # t-SNE / UMAP inputs wider than this are first reduced to this many PCA components
SMALL = 2000  # t-SNE on at most this many rows runs single-threaded
_VERSION = 1  # bump when a recipe changes, to invalidate cached projections


def _pca(X: np.ndarray, dims: int, seed: int) -> np.ndarray:
    from sklearn.decomposition import PCA  # noqa: PLC0415

    return PCA(n_components=dims, random_state=seed).fit_transform(X)


def _reduce(X: np.ndarray, seed: int) -> np.ndarray:
    if X.shape[1] <= PRE_PCA or len(X) <= PRE_PCA:
        return X
    return _pca(X, PRE_PCA, seed)


def _tsne(X: np.ndarray, dims: int, seed: int) -> np.ndarray:
    from sklearn.manifold import TSNE  # noqa: PLC0415
    from threadpoolctl import threadpool_limits  # noqa: PLC0415

    perplexity = float(min(30, max(1, (len(X) - 1) // 3)))
    tsne = TSNE(n_components=dims, perplexity=perplexity, random_state=seed, init="pca")
    # small inputs gain nothing from threads, and on a busy machine OpenMP threads that spin-wait
    # make them ten times slower
    with threadpool_limits(limits=1 if len(X) <= SMALL else None):
        return tsne.fit_transform(_reduce(X, seed))


def _umap(X: np.ndarray, dims: int, seed: int) -> np.ndarray:
    from ..packages import require  # noqa: PLC0415

    umap = require("umap", "viz", "UMAP projections (umap-learn)")
    if len(X) < 4:
        raise ValueError(f"UMAP needs at least 4 points, got {len(X)}; use method='pca'")
    reducer = umap.UMAP(n_components=dims, n_neighbors=min(15, len(X) - 1), random_state=seed, n_jobs=1,
                        init="spectral" if len(X) > dims + 2 else "random")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # umap warns about seeding disabling parallelism and tiny inputs
        return reducer.fit_transform(_reduce(X, seed))


PROJECTIONS: dict[str, Callable[[np.ndarray, int, int], np.ndarray]] = {"pca": _pca, "tsne": _tsne, "umap": _umap}


def check_method(method: Any) -> str:
    """Validate a projection name against ``PROJECTIONS``.

    Examples
    --------
    >>> check_method("umap")
    'umap'
    """
    if method not in PROJECTIONS:
        raise ValueError(f"unknown projection {method!r}; valid: {', '.join(PROJECTIONS)}")
    return method


def check_dims(dims: Any) -> int:
    """Validate the number of coordinates of a projection (2 or 3).

    Vectors to project are checked by :func:`workbench.vectors.check_vectors` with
    ``min_rows=dims + 1`` and ``min_dim=dims`` (see :func:`project`).

    Examples
    --------
    >>> check_dims(4)
    Traceback (most recent call last):
    ...
    ValueError: dims must be 2 or 3, got 4
    """
    if isinstance(dims, bool) or dims not in (2, 3):
        raise ValueError(f"dims must be 2 or 3, got {dims!r}")
    return int(dims)


def array_digest(X: np.ndarray) -> str:
    """Hash of an array's shape, dtype and bytes (the cache key's view of the input).

    Examples
    --------
    >>> array_digest(np.zeros((2, 3))) == array_digest(np.zeros((3, 2)))
    False
    """
    X = np.ascontiguousarray(X)
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{X.shape}|{X.dtype.str}".encode())
    h.update(memoryview(X).cast("B"))
    return h.hexdigest()


def project(X: Any, method: str = "pca", dims: int = 2, *, seed: int = 0, cache: bool = True) -> np.ndarray:
    """Project the rows of ``X`` to ``dims`` coordinates; cached by a key of the inputs.

    Parameters
    ----------
    X : (n, d) array
        ``n > dims`` finite rows.
    method : {"pca", "tsne", "umap"}
    dims : {2, 3}
    seed : int
        Random state of the method (all three are repeatable for a fixed seed).
    cache : bool
        Read and write the on-disk cache (``WB_CACHE_DIR``).

    Returns
    -------
    (n, dims) float32 array

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(20, 5))
    >>> project(X, "pca").shape
    (20, 2)
    >>> bool(np.array_equal(project(X, "pca", 3, cache=False), project(X, "pca", 3)))
    True
    """
    check_method(method)
    dims = check_dims(dims)
    X = check_vectors(X, min_rows=dims + 1, min_dim=dims, dtype=np.float32, purpose=f"a {dims}-d projection")
    key = vector_cache.make_key(kind="projection", version=_VERSION, method=method, dims=dims, seed=int(seed),
                                pre_pca=PRE_PCA, X=array_digest(X))
    if cache:
        hit = vector_cache.get(key, namespace="projections")
        if hit is not None and hit.shape == (len(X), dims):
            return hit
    coords = np.asarray(PROJECTIONS[method](X, dims, int(seed)), dtype=np.float32)
    if cache:
        vector_cache.put(key, coords, namespace="projections")
    return coords
