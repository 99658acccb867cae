"""Vector indexes with one interface: ``fit(X)``, ``search(Q, k, mask=None)``, ``memory_bytes``.

Each wraps a faiss index (or compressed codes) for inner-product search over float32
vectors (cosine when rows are unit length):

* ``flat`` -- exact scan (faiss ``IndexFlatIP``);
* ``ivf-flat`` -- inverted lists: k-means cells, ``nprobe`` cells scanned per query;
* ``hnsw`` -- a navigable small-world graph (``M`` links per node, ``ef_search`` beam);
* ``ivf-pq`` -- inverted lists holding product-quantised residuals;
* ``binary`` -- sign bits compared by Hamming distance (faiss ``IndexBinaryFlat``);
* :class:`CodeIndex` -- any ``workbench.compress`` compressor, scored asymmetrically.

``mask`` (a boolean array over the corpus) restricts the search to the rows it marks,
before the search (faiss ``IDSelectorBitmap``), which is how pre-filtering works.
Results are ``(scores, ids)`` of shape ``(m, k)``, best first; a query with fewer than
``k`` admissible rows gets ids ``-1`` and scores ``-inf`` in the tail. Left out: GPU
indexes, on-disk inverted lists, index persistence.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..vectors import check_vectors


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best ``k`` columns of each row of a score matrix, best first (ties by lower id).

    Examples
    --------
    >>> top_k(np.array([[0.1, 0.9, 0.5]]), 2)[1].tolist()
    [[1, 2]]
    """
    n = scores.shape[1]
    k = min(k, n)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < n else np.tile(np.arange(n), (len(scores), 1))
    vals = np.take_along_axis(scores, part, 1)
    order = np.lexsort((part, -vals), axis=1)
    ids = np.take_along_axis(part, order, 1).astype(np.int64)
    return np.take_along_axis(vals, order, 1).astype(np.float32), ids


def pad_results(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Search results in the common form: missing results (faiss's id -1) score ``-inf``, and
    every row has ``k`` columns (padded with id -1 and score ``-inf``).

    Parameters
    ----------
    scores : (m, j) array
    ids : (m, j) int array, -1 where a search found nothing
    k : int
        Columns wanted, at least ``j``.

    Returns
    -------
    scores : (m, k) float32, ids : (m, k) int64

    Examples
    --------
    >>> s, i = pad_results(np.array([[0.9, 0.0]]), np.array([[3, -1]]), 3)
    >>> s.tolist(), i.tolist()
    ([[0.8999999761581421, -inf, -inf]], [[3, -1, -1]])
    """
    scores = np.asarray(scores, np.float32).copy()
    ids = np.asarray(ids, np.int64)
    scores[ids < 0] = -np.inf
    if ids.shape[1] < k:
        extra = k - ids.shape[1]
        scores = np.hstack([scores, np.full((len(ids), extra), -np.inf, np.float32)])
        ids = np.hstack([ids, np.full((len(ids), extra), -1, np.int64)])
    return scores, ids


class Index:
    """Shared checks, timing and the masked-search contract; subclasses build the faiss part."""

    name = "index"

    def fit(self, X) -> "Index":
        """Build the index over the rows of ``X`` (ids are row numbers); sets ``build_seconds_``."""
        X = check_vectors(X, "corpus vectors", min_rows=0, dtype=np.float32)
        if len(X) == 0:
            raise ValueError("cannot build an index over an empty corpus")
        start = time.perf_counter()
        self._build(X)
        self.build_seconds_ = time.perf_counter() - start
        self.d_, self.ntotal_ = X.shape[1], len(X)
        return self

    def check_search(self, Q, k: int, mask) -> tuple[np.ndarray, np.ndarray | None]:
        """Queries as float32 of the index width, ``k`` a positive int, ``mask`` one bool per document."""
        if getattr(self, "ntotal_", None) is None:
            raise ValueError(f"this {type(self).__name__} is empty: call fit(X) with the corpus vectors first")
        Q = check_vectors(Q, "queries", min_rows=0, dtype=np.float32)
        if Q.shape[1] != self.d_:
            raise ValueError(f"queries are {Q.shape[1]}-d but the index holds {self.d_}-d vectors")
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        if k > self.ntotal_:
            raise ValueError(f"k={k} is larger than the corpus ({self.ntotal_} vectors)")
        if mask is not None:
            mask = np.asarray(mask)
            if mask.dtype != bool or mask.shape != (self.ntotal_,):
                raise ValueError(f"mask must be a boolean array with one entry per corpus row ({self.ntotal_}), "
                                 f"got dtype {mask.dtype} and shape {mask.shape}")
        return Q, mask

    def search(self, Q, k: int = 10, *, mask=None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` rows per query, optionally only among rows where ``mask`` is True.

        Returns
        -------
        scores : (m, k) float32 (``-inf`` where no result), ids : (m, k) int64 (``-1`` there)
        """
        Q, mask = self.check_search(Q, k, mask)
        if mask is not None and not mask.any():
            return np.full((len(Q), k), -np.inf, np.float32), np.full((len(Q), k), -1, np.int64)
        return pad_results(*self._search(Q, k, mask), k)

    @property
    def memory_bytes(self) -> int:
        """Bytes the index occupies (its faiss serialisation: vectors, codes, graph, centroids)."""
        import faiss  # noqa: PLC0415

        if getattr(self, "ntotal_", None) is None:
            raise ValueError(f"this {type(self).__name__} is empty: call fit(X) first")
        return int(faiss.serialize_index(self.index_).nbytes)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({params})"


class _FaissIndex(Index):
    """A float faiss index searched with a selector for masks."""

    def _params(self, selector=None):
        import faiss  # noqa: PLC0415

        return faiss.SearchParameters(sel=selector) if selector is not None else None

    def _search(self, Q, k, mask):
        import faiss  # noqa: PLC0415

        selector = None
        if mask is not None:
            bitmap = np.packbits(mask, bitorder="little")
            selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap))
        params = self._params(selector)
        return self.index_.search(Q, k, params=params) if params is not None else self.index_.search(Q, k)


class FlatIndex(_FaissIndex):
    """Exact inner-product scan (faiss ``IndexFlatIP``).

    Examples
    --------
    >>> X = np.array([[1, 0], [0.9, 0.1], [0.8, 0.2], [0.7, 0.3]], dtype=np.float32)
    >>> FlatIndex().fit(X).search(X[:1], 2, mask=np.array([False, True, True, False]))[1].tolist()
    [[1, 2]]
    """

    name = "flat"

    def _build(self, X):
        import faiss  # noqa: PLC0415

        self.index_ = faiss.IndexFlatIP(X.shape[1])
        self.index_.add(X)


def default_nlist(n: int) -> int:
    """Inverted lists for ``n`` vectors: about ``4 sqrt(n)``, with at least 39 training points per list."""
    return max(1, min(int(4 * math.sqrt(n)), n // 39))


class IVFFlatIndex(_FaissIndex):
    """Inverted-file index: k-means cells of full vectors; ``nprobe`` cells scanned per query.

    Parameters
    ----------
    nlist : int, optional
        Cells (default :func:`default_nlist`).
    nprobe : int, default 16
        Cells visited per query.
    """

    name = "ivf-flat"

    def __init__(self, nlist: int | None = None, nprobe: int = 16):
        self.nlist = nlist
        self.nprobe = nprobe

    def _quantizer_and_lists(self, X):
        import faiss  # noqa: PLC0415

        nlist = self.nlist or default_nlist(len(X))
        if not 1 <= nlist <= len(X):
            raise ValueError(f"nlist must be in 1..{len(X)} (the corpus size), got {nlist}")
        return faiss.IndexFlatIP(X.shape[1]), nlist

    def _build(self, X):
        import faiss  # noqa: PLC0415

        quantizer, nlist = self._quantizer_and_lists(X)
        self.index_ = faiss.IndexIVFFlat(quantizer, X.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
        self.index_.cp.min_points_per_centroid = 1
        self.index_.train(X)
        self.index_.add(X)
        self._quantizer = quantizer  # keep the coarse quantizer alive with the index

    def _params(self, selector=None):
        import faiss  # noqa: PLC0415

        return faiss.SearchParametersIVF(sel=selector, nprobe=int(self.nprobe))


class IVFPQIndex(IVFFlatIndex):
    """Inverted lists of product-quantised residuals: ``m`` bytes per vector at ``nbits=8``.

    Parameters
    ----------
    m : int, default 48
        Sub-quantisers (must divide the width).
    nbits : int, default 8
    nlist, nprobe
        As for :class:`IVFFlatIndex`.
    """

    name = "ivf-pq"

    def __init__(self, m: int = 48, nbits: int = 8, nlist: int | None = None, nprobe: int = 16):
        super().__init__(nlist, nprobe)
        self.m = m
        self.nbits = nbits

    def _build(self, X):
        import faiss  # noqa: PLC0415

        if X.shape[1] % self.m:
            raise ValueError(f"m={self.m} does not divide the vector width {X.shape[1]}")
        if len(X) < 2 ** self.nbits:
            raise ValueError(f"ivf-pq needs at least {2 ** self.nbits} vectors to train its codebooks, got {len(X)}")
        quantizer, nlist = self._quantizer_and_lists(X)
        self.index_ = faiss.IndexIVFPQ(quantizer, X.shape[1], nlist, int(self.m), int(self.nbits),
                                       faiss.METRIC_INNER_PRODUCT)
        self.index_.cp.min_points_per_centroid = 1
        self.index_.pq.cp.min_points_per_centroid = 1
        self.index_.train(X)
        self.index_.add(X)
        self._quantizer = quantizer


class HNSWIndex(_FaissIndex):
    """Hierarchical navigable small-world graph (faiss ``IndexHNSWFlat``).

    Parameters
    ----------
    M : int, default 32
        Links per node.
    ef_construction : int, default 80
        Beam width while building.
    ef_search : int, default 64
        Beam width while searching (raised to ``k`` when smaller).
    """

    name = "hnsw"

    def __init__(self, M: int = 32, ef_construction: int = 80, ef_search: int = 64):
        self.M = M
        self.ef_construction = ef_construction
        self.ef_search = ef_search

    def _build(self, X):
        import faiss  # noqa: PLC0415

        self.index_ = faiss.IndexHNSWFlat(X.shape[1], int(self.M), faiss.METRIC_INNER_PRODUCT)
        self.index_.hnsw.efConstruction = int(self.ef_construction)
        self.index_.add(X)

    def _search(self, Q, k, mask):
        self._k = k
        return super()._search(Q, k, mask)

    def _params(self, selector=None):
        import faiss  # noqa: PLC0415

        return faiss.SearchParametersHNSW(sel=selector, efSearch=max(int(self.ef_search), self._k))


class CodeIndex(Index):
    """Scan of compressed codes: any ``workbench.compress`` compressor, scored by its ``score``.

    The compressor is fitted on the corpus unless it is already fitted. Binary codes
    are searched by faiss's Hamming scan; other codes by the asymmetric inner product
    of the float query with the decoded vectors (chunked, so memory stays bounded).

    Parameters
    ----------
    compressor : Compressor or str
        A compressor or a spec for ``workbench.compress.make_compressor`` (e.g. ``"int8"``).

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(100, 8)).astype(np.float32)
    >>> X /= np.linalg.norm(X, axis=1, keepdims=True)
    >>> idx = CodeIndex("int8").fit(X)
    >>> idx.memory_bytes, idx.search(X[:2], 1)[1].ravel().tolist()
    (800, [0, 1])
    """

    name = "codes"

    def __init__(self, compressor="int8"):
        self.compressor = compressor

    def _build(self, X):
        from ..compress.registry import make_compressor  # noqa: PLC0415
        from ..compress.scalar import BinaryQuantizer  # noqa: PLC0415

        comp = make_compressor(self.compressor) if isinstance(self.compressor, str) else self.compressor
        if getattr(comp, "d_", None) is None:
            comp.fit(X)
        self.compressor_ = comp
        self.codes_ = comp.transform(X)
        self.index_ = None
        if isinstance(comp, BinaryQuantizer):
            import faiss  # noqa: PLC0415

            self.index_ = faiss.IndexBinaryFlat(comp.code_width_ * 8)
            self.index_.add(self.codes_)

    def _search(self, Q, k, mask):
        rows = np.flatnonzero(mask) if mask is not None else None
        if self.index_ is not None and rows is None:  # Hamming scan in faiss
            dist, ids = self.index_.search(self.compressor_.transform(Q), k)
            return (self.compressor_.d_ - 2 * dist).astype(np.float32), ids
        codes = self.codes_ if rows is None else self.codes_[rows]
        scores, ids = top_k(self.compressor_.score(Q, codes), k)
        return scores, ids if rows is None else rows[ids]

    @property
    def memory_bytes(self) -> int:
        if getattr(self, "ntotal_", None) is None:
            raise ValueError("this CodeIndex is empty: call fit(X) first")
        return int(self.codes_.nbytes)


class BinaryIndex(CodeIndex):
    """Sign bits searched by Hamming distance (faiss ``IndexBinaryFlat``); ``d / 8`` bytes a vector.

    Scores are ``d - 2 * hamming`` (the inner product of the +-1 sign vectors).

    Parameters
    ----------
    center : bool, default False
        Threshold at the corpus mean instead of zero.
    """

    name = "binary"

    def __init__(self, center: bool = False):
        self.center = center

    def _build(self, X):
        from ..compress.scalar import BinaryQuantizer  # noqa: PLC0415

        self.compressor = BinaryQuantizer(center=self.center)
        super()._build(X)


#: index name -> class; parameters are keyword arguments of the class
INDEXES: dict[str, type] = {"flat": FlatIndex, "ivf-flat": IVFFlatIndex, "hnsw": HNSWIndex,
                            "ivf-pq": IVFPQIndex, "binary": BinaryIndex}
