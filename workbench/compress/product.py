"""Product quantisation (``ProductQuantizer``) and its rotated variant (``OPQ``), both through faiss.

PQ cuts a vector into ``m`` sub-vectors and replaces each by the index of its nearest
centroid in a codebook of ``2**nbits`` entries learned by k-means on calibration data,
so a code takes ``m * nbits / 8`` bytes. OPQ first learns an orthogonal rotation that
balances the variance across sub-vectors. Queries are not quantised: ``score`` is the
asymmetric inner product with the decoded vectors, the quantity faiss's ADC tables
compute. Left out: additive / residual quantisers, and PQ inside IVF (see
``workbench.search``'s ``ivf-pq`` index).
"""

from __future__ import annotations

import numpy as np

from .base import Compressor


class ProductQuantizer(Compressor):
    """faiss product quantiser with ``m`` sub-quantisers of ``nbits`` bits.

    Parameters
    ----------
    m : int
        Sub-vectors; must divide the vector width.
    nbits : int, default 8
        Bits per sub-vector code (``2**nbits`` centroids each).
    niter : int, default 25
        k-means iterations per codebook.
    seed : int, default 0

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    >>> pq = ProductQuantizer(4, nbits=4).fit(X)
    >>> pq.transform(X).shape, pq.bytes_per_vector
    ((300, 2), 2)
    """

    _factory = "PQ{m}x{nbits}"

    def __init__(self, m: int, *, nbits: int = 8, niter: int = 25, seed: int = 0):
        self.m = m
        self.nbits = nbits
        self.niter = niter
        self.seed = seed

    def _build(self, d: int):
        import faiss  # noqa: PLC0415

        index = faiss.index_factory(d, self._factory.format(m=self.m, nbits=self.nbits), faiss.METRIC_INNER_PRODUCT)
        pq_index = faiss.downcast_index(index.index if hasattr(index, "chain") else index)
        pq_index.pq.cp.niter = int(self.niter)
        pq_index.pq.cp.seed = int(self.seed)
        pq_index.pq.cp.min_points_per_centroid = 1  # the size check is ours (below), with a clearer message
        pq_index.do_polysemous_training = False  # the factory's default; slow, and only reorders code ids
        return index

    def fit(self, X) -> "ProductQuantizer":
        if not isinstance(self.m, (int, np.integer)) or self.m < 1:
            raise ValueError(f"m (sub-quantisers) must be a positive int, got {self.m!r}")
        if self.nbits not in range(1, 17):
            raise ValueError(f"nbits must be an int in 1..16, got {self.nbits!r}")
        X = self._check_calibration(X, minimum=max(10, 2 ** self.nbits))
        if X.shape[1] % self.m:
            divisors = [k for k in range(1, X.shape[1] + 1) if X.shape[1] % k == 0]
            raise ValueError(f"m={self.m} does not divide the vector width {X.shape[1]}; valid m: {divisors}")
        index = self._build(X.shape[1])
        index.train(X)
        self.index_ = index
        self.d_ = X.shape[1]
        self.code_width_ = int(index.sa_code_size())
        return self

    def transform(self, X) -> np.ndarray:
        self._check_fitted()
        return self.index_.sa_encode(self._check_input(X))

    def inverse_transform(self, codes) -> np.ndarray:
        return self.index_.sa_decode(np.ascontiguousarray(self._check_codes(codes), dtype=np.uint8))

    @property
    def bytes_per_vector(self) -> int:
        return (int(self.m) * int(self.nbits) + 7) // 8

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in ("m", "nbits", "niter", "seed")}


class OPQ(ProductQuantizer):
    """Optimised product quantisation: a learned rotation, then a ``ProductQuantizer``.

    Parameters
    ----------
    m, nbits, niter, seed
        As for :class:`ProductQuantizer`.
    opq_iter : int, default 10
        Alternations between fitting the rotation and the codebooks (faiss: 50; each
        one trains a PQ, so this is the cost knob).

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    >>> OPQ(2, nbits=4, opq_iter=2).fit(X).transform(X[:3]).shape
    (3, 1)
    """

    _factory = "OPQ{m},PQ{m}x{nbits}"

    def __init__(self, m: int, *, nbits: int = 8, niter: int = 25, seed: int = 0, opq_iter: int = 10):
        super().__init__(m, nbits=nbits, niter=niter, seed=seed)
        self.opq_iter = opq_iter

    def _build(self, d: int):
        import faiss  # noqa: PLC0415

        index = super()._build(d)
        rotation = faiss.downcast_VectorTransform(index.chain.at(0))
        rotation.niter = int(self.opq_iter)
        rotation.verbose = False
        # the rotation trains its own PQ at each step; give it one without the small-sample warning
        self._rotation_pq = faiss.ProductQuantizer(d, int(self.m), 8)
        self._rotation_pq.cp.min_points_per_centroid = 1
        rotation.pq = self._rotation_pq
        return index

    def get_params(self) -> dict:
        return {**super().get_params(), "opq_iter": self.opq_iter}
