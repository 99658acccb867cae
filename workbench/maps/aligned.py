"""Aligned maps: projections of several spaces over the same items that share their axes.

Two or more embeddings of the same ``n`` items (two models, two poolings, successive
training checkpoints) are drawn so that an item's position in one map can be compared with
its position in the others:

* ``method="pca"``: a PCA map of each space, each rotated (or reflected) onto the one before
  it by orthogonal Procrustes (:func:`procrustes`; Schoenemann 1966: ``R = U V^T`` from the
  SVD ``U S V^T`` of ``B_c^T A_c``). A chain rather than a common reference: a checkpoint
  is compared with its neighbours in time, and a slow drift stays a slow drift.
* ``method="umap"``: umap-learn's ``AlignedUMAP`` (McInnes et al.'s aligned variant of
  UMAP) lays all spaces out at once, with identity relations between consecutive spaces
  (item ``i`` of one is item ``i`` of the next), so each layout is pulled towards its
  neighbours' positions. Seeded (umap-learn's ``random_state`` and ``transform_seed``; the
  latter is what seeds the joint layout): the same spaces and seed give the same maps.
  Inputs wider than ``PRE_PCA`` are reduced to that many PCA components first, as
  :class:`StableMap` does. umap-learn compiles its aligned optimiser anew on every fit
  (numba), so even a small aligned UMAP takes seconds.

:func:`disparity` measures how far two aligned maps are apart (0 when they coincide).
Spaces of different item counts are refused with an error naming the counts.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ..vectors import check_vectors

METHODS = ("pca", "umap")
PRE_PCA = 50  # UMAP inputs wider than this are reduced to this many PCA components first


def check_paired(A: Any, B: Any, *, min_rows: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Validate two spaces over the same items: same row count (widths may differ).

    Examples
    --------
    >>> check_paired(np.zeros((3, 2)), np.zeros((4, 2)))
    Traceback (most recent call last):
    ...
    ValueError: the two spaces must hold the same items in the same order, but the first has 3 rows and the second 4
    """
    A = check_vectors(A, "the first space", min_rows=1)
    B = check_vectors(B, "the second space", min_rows=1)
    if len(A) != len(B):
        raise ValueError(f"the two spaces must hold the same items in the same order, but the first has {len(A)} "
                         f"rows and the second {len(B)}")
    if len(A) < min_rows:
        raise ValueError(f"the two spaces have {len(A)} row(s); at least {min_rows} are needed")
    return A, B


def check_spaces(spaces: Sequence[Any], *, min_rows: int = 2) -> list[np.ndarray]:
    """Validate two or more spaces over the same items (same row count; widths may differ).

    Examples
    --------
    >>> check_spaces([np.zeros((3, 2)), np.zeros((3, 4)), np.zeros((2, 2))])
    Traceback (most recent call last):
    ...
    ValueError: the spaces must hold the same items in the same order, but space 0 has 3 rows and space 2 has 2
    """
    if isinstance(spaces, np.ndarray) and spaces.ndim == 2:
        raise ValueError(f"give a sequence of spaces (a list of (n, d) arrays), got one array of shape {spaces.shape}")
    spaces = list(spaces)
    if len(spaces) < 2:
        raise ValueError(f"aligned maps need at least two spaces, got {len(spaces)}")
    if len(spaces) == 2:
        return list(check_paired(*spaces, min_rows=min_rows))
    out = [check_vectors(X, f"space {i}", min_rows=1) for i, X in enumerate(spaces)]
    for i, X in enumerate(out[1:], start=1):
        if len(X) != len(out[0]):
            raise ValueError(f"the spaces must hold the same items in the same order, but space 0 has {len(out[0])} "
                             f"rows and space {i} has {len(X)}")
    if len(out[0]) < min_rows:
        raise ValueError(f"the spaces have {len(out[0])} row(s); at least {min_rows} are needed")
    return out


def procrustes(A: Any, B: Any, *, scale: bool = False) -> tuple[np.ndarray, float]:
    """``B`` moved onto ``A``: centred, rotated (or reflected) by the orthogonal ``R`` that
    minimises ``||B_c R - A_c||_F`` (optionally scaled), then shifted to ``A``'s mean.

    Returns the aligned ``B`` and the disparity ``||B' - A||_F^2 / ||A_c||_F^2`` (0 when
    ``B`` is a rotated, shifted copy of ``A``).

    Examples
    --------
    >>> A = np.array([[0.0, 0], [1, 0], [0, 2]])
    >>> R = np.array([[0.0, -1], [1, 0]])
    >>> B, d = procrustes(A, A @ R + 5)
    >>> bool(np.allclose(B, A)), round(d, 12)
    (True, 0.0)
    """
    A, B = check_paired(A, B)
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"procrustes needs the same width, got {A.shape[1]} and {B.shape[1]} columns")
    A64, B64 = A.astype(np.float64), B.astype(np.float64)
    mu_a, mu_b = A64.mean(0), B64.mean(0)
    Ac, Bc = A64 - mu_a, B64 - mu_b
    U, s, Vt = np.linalg.svd(Bc.T @ Ac)
    R = U @ Vt
    c = s.sum() / max((Bc**2).sum(), 1e-300) if scale else 1.0
    aligned = c * Bc @ R + mu_a
    return aligned, disparity(A64, aligned)


def disparity(A: np.ndarray, B: np.ndarray) -> float:
    """``||B - A||_F^2 / ||A - mean(A)||_F^2``: how far map ``B`` lies from map ``A`` (0: they coincide).

    Examples
    --------
    >>> disparity(np.array([[0.0, 0], [2, 0]]), np.array([[0.0, 0], [2, 1]]))
    0.5
    """
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    return float(((B - A) ** 2).sum() / max(((A - A.mean(0)) ** 2).sum(), 1e-300))


def _pca(X: np.ndarray, dims: int) -> np.ndarray:
    X = X.astype(np.float64) - X.mean(0)
    U, s, _ = np.linalg.svd(X, full_matrices=False)
    return U[:, :dims] * s[:dims]


def aligned_maps(spaces: Sequence[Any], *, method: str = "pca", dims: int = 2, seed: int = 0,
                 n_neighbors: int = 15, n_epochs: int | None = None, scale: bool = False) -> list[np.ndarray]:
    """One ``(n, dims)`` map per space, all aligned (see the module docstring).

    ``n_epochs`` is UMAP's (None: umap-learn's default, 200); PCA ignores ``seed``,
    ``n_neighbors`` and ``n_epochs``. ``scale=True`` (PCA only) also scales each map onto the
    one before, for spaces whose spreads differ (the layers of a model), so that the maps
    compare shapes rather than sizes.

    Examples
    --------
    >>> A = np.random.default_rng(0).normal(size=(40, 5))
    >>> Q = np.linalg.qr(np.random.default_rng(1).normal(size=(5, 5)))[0]
    >>> maps = aligned_maps([A, A @ Q, A @ Q @ Q])
    >>> bool(np.allclose(maps[0], maps[2], atol=1e-8)), maps[1].shape
    (True, (40, 2))
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    if isinstance(dims, bool) or dims not in (2, 3):
        raise ValueError(f"dims must be 2 or 3, got {dims!r}")
    spaces = check_spaces(spaces, min_rows=dims + 2 if method == "umap" else dims + 1)
    for i, X in enumerate(spaces):
        if X.shape[1] < dims:
            raise ValueError(f"space {i} has {X.shape[1]} column(s); a {dims}-d map needs at least {dims}")
    if method == "pca":
        maps = [_pca(spaces[0], dims)]
        for X in spaces[1:]:
            maps.append(procrustes(maps[-1], _pca(X, dims), scale=scale)[0])
        return maps
    if scale:
        raise ValueError("scale=True is for PCA maps; aligned UMAP layouts share their scale already")
    from ..packages import require  # noqa: PLC0415

    umap = require("umap", "viz", "aligned UMAP maps (umap-learn)")
    n = len(spaces[0])
    reduced = [np.ascontiguousarray(_pca(X, PRE_PCA) if X.shape[1] > PRE_PCA and n > PRE_PCA else X,
                                    dtype=np.float32) for X in spaces]
    identity = {i: i for i in range(n)}
    # umap-learn seeds the per-space graphs with random_state and the joint layout with transform_seed
    model = umap.AlignedUMAP(n_neighbors=min(n_neighbors, n - 1), n_components=dims, random_state=seed,
                             transform_seed=seed, n_epochs=n_epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # seeding disables parallelism; tiny inputs
        model.fit(reduced, relations=[identity] * (len(spaces) - 1))
    return [np.asarray(e, dtype=np.float64) for e in model.embeddings_]
