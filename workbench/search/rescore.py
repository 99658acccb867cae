"""Two-stage search: compact codes find candidates, fuller vectors re-rank them.

:func:`rescore` re-ranks candidate ids with the float query against float vectors (a
numpy array or a memory-mapped file) or against int8 codes. :class:`RescoredIndex`
wraps any index: it asks it for ``rescore_multiplier x k`` candidates and re-ranks them.
:func:`write_memmap` keeps the float vectors on disk instead (``store.py`` builds the
bi-granular layout on it). Left out: learned re-rankers and cross-encoders.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ..vectors import check_vectors
from .indexes import Index, pad_results, top_k

_CHUNK = 256  # queries re-ranked at a time


def rescore(Q, candidates, vectors, k: int, *, quantizer=None) -> tuple[np.ndarray, np.ndarray]:
    """Re-rank candidate rows by the exact inner product with each float query.

    Parameters
    ----------
    Q : (m, d) float queries
    candidates : (m, c) int array of row ids (``-1`` entries are ignored)
    vectors : (n, d) float array or memmap, or codes when ``quantizer`` is given
    k : int
        Results kept per query (``-1`` / ``-inf`` pad rows with fewer candidates).
    quantizer : fitted compressor, optional
        Decodes ``vectors`` rows (e.g. a ``ScalarQuantizer`` and its int8 codes).

    Examples
    --------
    >>> V = np.array([[1, 0], [0.6, 0.8], [0, 1]], dtype=np.float32)
    >>> rescore(np.array([[0, 1.0]]), np.array([[0, 1, 2]]), V, 2)[1].tolist()
    [[2, 1]]
    """
    Q = check_vectors(Q, "queries", min_rows=0, dtype=np.float32)
    candidates = np.asarray(candidates, np.int64)
    if candidates.ndim != 2 or len(candidates) != len(Q):
        raise ValueError(f"candidates must be (m, c) with one row per query ({len(Q)}), got {candidates.shape}")
    if len(Q) > _CHUNK:  # bound the (m, c, d) gather
        parts = [rescore(Q[i:i + _CHUNK], candidates[i:i + _CHUNK], vectors, k, quantizer=quantizer)
                 for i in range(0, len(Q), _CHUNK)]
        return np.vstack([p[0] for p in parts]), np.vstack([p[1] for p in parts])
    valid = candidates >= 0
    flat = np.unique(candidates[valid])
    rows = np.asarray(vectors[flat]) if len(flat) else np.zeros((0, Q.shape[1]), np.float32)  # sorted reads
    rows = quantizer.inverse_transform(rows) if quantizer is not None else rows.astype(np.float32, copy=False)
    if rows.shape[1] != Q.shape[1]:
        raise ValueError(f"queries are {Q.shape[1]}-d but the rescoring vectors are {rows.shape[1]}-d")
    where = np.searchsorted(flat, np.where(valid, candidates, flat[0] if len(flat) else 0))
    gathered = rows[where] if len(flat) else np.zeros(candidates.shape + (Q.shape[1],), np.float32)
    scores = np.einsum("mcd,md->mc", gathered, Q)
    scores[~valid] = -np.inf
    best, pos = top_k(scores, min(k, candidates.shape[1]))
    ids = np.take_along_axis(candidates, pos, 1)
    ids[~np.isfinite(best)] = -1
    return pad_results(best, ids, k)


class RescoredIndex(Index):
    """Candidates from a compact index, re-ranked with float queries against fuller vectors.

    Parameters
    ----------
    base : Index
        The first stage (e.g. ``BinaryIndex()``, ``CodeIndex("int4")``, ``IVFPQIndex()``).
    rescore_multiplier : int, default 4
        Candidates per query = ``rescore_multiplier x k`` (capped at the corpus size).
    rescore_with : {"float32", "int8"}
        Vectors the candidates are re-ranked against: the originals, or int8 codes
        (a ``ScalarQuantizer`` calibrated on the corpus, 4x smaller).
    path : str or Path, optional
        Keep the float32 vectors in a memory-mapped ``.npy`` file there instead of in
        memory (written atomically).

    Notes
    -----
    Every query with at least ``k`` admissible rows gets ``k`` results: when the first
    stage returns fewer than ``k`` candidates (e.g. sparse inverted lists), that query
    is completed by an exact scan of the rescoring vectors.

    Examples
    --------
    >>> from workbench.search.indexes import BinaryIndex
    >>> X = np.random.default_rng(0).normal(size=(300, 32)).astype(np.float32)
    >>> X /= np.linalg.norm(X, axis=1, keepdims=True)
    >>> idx = RescoredIndex(BinaryIndex(), rescore_multiplier=4).fit(X)
    >>> idx.search(X[:3], 5)[1][:, 0].tolist()
    [0, 1, 2]
    """

    def __init__(self, base: Index, rescore_multiplier: int = 4, rescore_with: str = "float32",
                 path: str | Path | None = None):
        self.base = base
        self.rescore_multiplier = rescore_multiplier
        self.rescore_with = rescore_with
        self.path = path

    @property
    def name(self) -> str:
        return f"{self.base.name}+rescore"

    def _build(self, X):
        if not isinstance(self.rescore_multiplier, (int, np.integer)) or self.rescore_multiplier < 1:
            raise ValueError(f"rescore_multiplier must be a positive int, got {self.rescore_multiplier!r}")
        if self.rescore_with not in ("float32", "int8"):
            raise ValueError(f"rescore_with must be 'float32' or 'int8', got {self.rescore_with!r}")
        self.base.fit(X)
        self.quantizer_ = None
        if self.rescore_with == "int8":
            from ..compress.scalar import ScalarQuantizer  # noqa: PLC0415

            self.quantizer_ = ScalarQuantizer(bits=8).fit(X)
            self.vectors_ = self.quantizer_.transform(X)
        elif self.path is not None:
            self.vectors_ = write_memmap(X, self.path)
        else:
            self.vectors_ = X

    def _search(self, Q, k, mask):
        c = min(self.ntotal_, self.rescore_multiplier * k)
        _, cand = self.base.search(Q, c, mask=mask)
        scores, ids = rescore(Q, cand, self.vectors_, k, quantizer=self.quantizer_)
        allowed = self.ntotal_ if mask is None else int(mask.sum())
        short = np.flatnonzero((ids >= 0).sum(axis=1) < min(k, allowed))
        if len(short):  # complete from an exact scan of the rescoring vectors
            rows = np.arange(self.ntotal_) if mask is None else np.flatnonzero(mask)
            full = np.broadcast_to(rows, (len(short), len(rows)))
            scores[short], ids[short] = rescore(Q[short], full, self.vectors_, k, quantizer=self.quantizer_)
        return scores, ids

    @property
    def memory_bytes(self) -> int:
        """Bytes in memory: the first stage plus in-memory rescoring vectors (a memmap counts 0)."""
        held = 0 if isinstance(self.vectors_, np.memmap) else int(self.vectors_.nbytes)
        return self.base.memory_bytes + held

    @property
    def disk_bytes(self) -> int:
        """Bytes of the memory-mapped vector file (0 when the vectors are in memory)."""
        return int(self.vectors_.nbytes) if isinstance(self.vectors_, np.memmap) else 0


def write_memmap(X: np.ndarray, path: str | Path) -> np.memmap:
    """Write ``X`` to a ``.npy`` file atomically and map it back read-only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    os.close(fd)
    try:
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=X.shape)
        out[:] = X
        out.flush()
        del out
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return np.load(path, mmap_mode="r")
