"""Stable maps: a projection fitted once, saved, and used to place new points.

:class:`StableMap` follows scikit-learn: ``fit(X)`` learns the projection of a corpus (its
coordinates are ``embedding_``), ``transform(Z)`` places new rows into the same map, so a
map of yesterday's corpus and today's share coordinates. PCA places points exactly
(``transform`` of the training rows returns ``embedding_``); UMAP places them with
umap-learn's ``transform`` (an optimisation of the new points against the fixed training
layout), close to but not exactly where ``fit`` put a training row. Seeds are pinned: the
same data and seed give the same map (UMAP runs single-threaded for that).

:meth:`StableMap.save` writes one ``.npz`` file of arrays (no pickle): the parameters, the
PCA pre-reduction, and for UMAP the reduced training rows and their coordinates.
:meth:`StableMap.load` reads it back; a UMAP map rebuilds the neighbour graph of the saved
rows (no layout optimisation: the saved coordinates are kept as they are), which is all
``transform`` needs besides the layout.

:func:`seed_instability` measures how much a layout depends on its seed: the map is
fitted with each of five seeds, each layout is Procrustes-aligned (rotation, reflection,
scale) onto the first, and per point the displacement is measured in units of the first
layout's RMS radius; alongside, the share of each point's 10 nearest neighbours *in the
map* that stay its neighbours across seeds.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..vectors import check_vectors
from .aligned import METHODS, PRE_PCA, procrustes

_FORMAT = 1


class StableMap:
    """A 2-d or 3-d projection fitted once and reused for new points.

    Parameters
    ----------
    method : {"pca", "umap"}
    dims : {2, 3}
    seed : int
        Random state (PCA's solver, UMAP's layout).
    n_neighbors : int
        UMAP's neighbourhood size (capped at ``n - 1``).

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(100, 8))
    >>> m = StableMap("pca").fit(X)
    >>> bool(np.allclose(m.transform(X), m.embedding_, atol=1e-5))
    True
    """

    def __init__(self, method: str = "pca", dims: int = 2, *, seed: int = 0, n_neighbors: int = 15):
        self.method, self.dims, self.seed, self.n_neighbors = method, dims, seed, n_neighbors

    def _check(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; valid: {', '.join(METHODS)}")
        if isinstance(self.dims, bool) or self.dims not in (2, 3):
            raise ValueError(f"dims must be 2 or 3, got {self.dims!r}")

    def _reduce(self, X: np.ndarray) -> np.ndarray:
        return X if self.pre_mean_ is None else (X - self.pre_mean_) @ self.pre_components_.T

    def fit(self, X: Any) -> "StableMap":
        """Learn the map of ``X`` (``n > dims`` rows); ``embedding_`` holds their coordinates."""
        self._check()
        X = check_vectors(X, min_rows=max(self.dims + 1, 4 if self.method == "umap" else 0),
                          min_dim=self.dims, dtype=np.float64, purpose=f"a {self.dims}-d map")
        self.n_features_in_ = X.shape[1]
        self.pre_mean_ = self.pre_components_ = None
        if self.method == "pca":
            self.mean_ = X.mean(0)
            _, _, Vt = np.linalg.svd(X - self.mean_, full_matrices=False)
            comps = Vt[: self.dims]
            # a deterministic sign: the largest-magnitude loading of each component is positive
            signs = np.sign(comps[np.arange(self.dims), np.abs(comps).argmax(1)])
            self.components_ = comps * np.where(signs == 0, 1, signs)[:, None]
            self.embedding_ = (X - self.mean_) @ self.components_.T
            return self
        if X.shape[1] > PRE_PCA and len(X) > PRE_PCA:
            self.pre_mean_ = X.mean(0)
            self.pre_components_ = np.linalg.svd(X - self.pre_mean_, full_matrices=False)[2][:PRE_PCA]
        self.train_ = np.ascontiguousarray(self._reduce(X), dtype=np.float32)
        self._fit_umap()
        return self

    def _fit_umap(self, layout: np.ndarray | None = None) -> None:
        from ..packages import require  # noqa: PLC0415

        umap = require("umap", "viz", "UMAP maps (umap-learn)")
        n = len(self.train_)
        extra = {} if layout is None else {"init": layout.astype(np.float32), "n_epochs": 0}
        self.umap_ = umap.UMAP(n_components=self.dims, n_neighbors=min(self.n_neighbors, n - 1),
                               random_state=self.seed, n_jobs=1, transform_seed=self.seed, **extra)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # seeding disables parallelism; tiny inputs
            self.umap_.fit(self.train_)
        if layout is not None:  # the saved layout, not the (rescaled) initialisation
            self.umap_.embedding_ = np.ascontiguousarray(layout, dtype=np.float32)
            self.umap_.n_epochs = None  # transform picks its own epoch count, as for a fresh fit
        self.embedding_ = self.umap_.embedding_.astype(np.float64)

    def transform(self, X: Any) -> np.ndarray:
        """Coordinates of new rows in the fitted map, ``(m, dims)``."""
        if not hasattr(self, "embedding_"):
            raise ValueError("this StableMap is not fitted yet; call fit(X) first")
        X = check_vectors(X, dim=self.n_features_in_, dtype=np.float64, purpose="the fitted map")
        if self.method == "pca":
            return (X - self.mean_) @ self.components_.T
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(self.umap_.transform(np.ascontiguousarray(self._reduce(X), dtype=np.float32)),
                              dtype=np.float64)

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).embedding_

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the fitted map to one ``.npz`` file (atomically; no pickle)."""
        import io  # noqa: PLC0415

        from ..outputs import write_file  # noqa: PLC0415

        if not hasattr(self, "embedding_"):
            raise ValueError("fit the map before saving it")
        path = Path(path).expanduser()
        if path.suffix != ".npz":
            raise ValueError(f"a map is saved as an .npz file, got {str(path)!r}")
        arrays = dict(format=_FORMAT, method=self.method, dims=self.dims, seed=self.seed,
                      n_neighbors=self.n_neighbors, n_features_in=self.n_features_in_, embedding=self.embedding_)
        if self.method == "pca":
            arrays.update(mean=self.mean_, components=self.components_)
        else:
            arrays.update(train=self.train_)
            if self.pre_mean_ is not None:
                arrays.update(pre_mean=self.pre_mean_, pre_components=self.pre_components_)
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        return write_file(path, buf.getvalue(), overwrite=overwrite)

    @classmethod
    def load(cls, path: str | Path) -> "StableMap":
        """Read a map written by :meth:`save` (a UMAP map rebuilds its neighbour graph, keeping the saved layout)."""
        with np.load(Path(path).expanduser(), allow_pickle=False) as f:
            a = {k: f[k] for k in f.files}
        if int(a.get("format", -1)) != _FORMAT:
            raise ValueError(f"{path} is not a map file of format {_FORMAT}")
        m = cls(str(a["method"]), int(a["dims"]), seed=int(a["seed"]), n_neighbors=int(a["n_neighbors"]))
        m.n_features_in_ = int(a["n_features_in"])
        if m.method == "pca":
            m.mean_, m.components_, m.embedding_ = a["mean"], a["components"], a["embedding"]
            return m
        m.pre_mean_, m.pre_components_ = a.get("pre_mean"), a.get("pre_components")
        m.train_ = a["train"]
        m._fit_umap(layout=a["embedding"])
        return m


def _knn_2d(C: np.ndarray, k: int) -> np.ndarray:
    from .moved import knn_ids  # noqa: PLC0415

    return knn_ids(C, k, metric="euclidean")


def seed_instability(X: Any, method: str = "umap", *, seeds: Sequence[int] = (0, 1, 2, 3, 4), dims: int = 2,
                     k: int = 10) -> tuple[pd.DataFrame, np.ndarray]:
    """How much a map changes with its seed.

    Returns a table with one row per seed after the first (``displacement``: mean distance
    of a point from its position in the first layout after Procrustes alignment with
    scaling, in units of that layout's RMS radius; ``knn_kept``: mean share of each point's
    ``k`` nearest neighbours in the map that it keeps) and the per-point mean displacement.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(60, 5))
    >>> table, per_point = seed_instability(X, "pca", seeds=(0, 1), k=5)
    >>> float(table["displacement"].max()) < 1e-9, per_point.shape
    (True, (60,))
    """
    seeds = list(seeds)
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be at least two distinct integers, got {seeds}")
    maps = [StableMap(method, dims, seed=s).fit(X).embedding_ for s in seeds]
    ref = maps[0]
    radius = float(np.sqrt(((ref - ref.mean(0)) ** 2).sum(1).mean()))
    ref_nn = _knn_2d(ref, k)
    rows, moves = [], []
    for s, other in zip(seeds[1:], maps[1:]):
        aligned, _ = procrustes(ref, other, scale=True)
        move = np.linalg.norm(aligned - ref, axis=1) / max(radius, 1e-300)
        nn = _knn_2d(other, k)
        kept = (ref_nn[:, :, None] == nn[:, None, :]).any(2).mean(1)
        rows.append({"seed": s, "displacement": float(move.mean()), "knn_kept": float(kept.mean())})
        moves.append(move)
    return pd.DataFrame(rows), np.mean(moves, axis=0)
