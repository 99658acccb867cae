"""The bi-granular layout (BiDR): compact codes in memory, float vectors on disk.

:class:`BiGranularStore` keeps a compact index (binary codes by default) in memory to
find candidates and the float32 vectors in a memory-mapped ``.npy`` file, so that only
the candidate rows are read back for re-ranking (see ``rescore.py``). Left out:
sharding the file and updating it in place.
"""

from __future__ import annotations

from pathlib import Path

from .registry import make_index
from .rescore import RescoredIndex


class BiGranularStore(RescoredIndex):
    """Compact codes in memory for candidates; float vectors memory-mapped on disk for rescoring.

    Parameters
    ----------
    path : str or Path
        The ``.npy`` file that holds the float32 vectors.
    codes : Index or str, default "binary"
        The in-memory first stage: an index, or a name from ``INDEXES`` / a compressor
        spec such as ``"int4"`` or ``"pq32"``.
    rescore_multiplier : int, default 4

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(200, 16)).astype(np.float32)
    >>> X /= np.linalg.norm(X, axis=1, keepdims=True)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     store = BiGranularStore(pathlib.Path(tmp) / "vectors.npy").fit(X)
    ...     store.memory_bytes, store.disk_bytes, store.search(X[:2], 3)[1][:, 0].tolist()
    (400, 12800, [0, 1])
    """

    def __init__(self, path: str | Path, codes="binary", rescore_multiplier: int = 4):
        super().__init__(make_index(codes) if isinstance(codes, str) else codes, rescore_multiplier,
                         "float32", path)
        self.codes = codes
