"""Bit codes for documents: packing, Hamming search, and two ways to hash float vectors.

* :func:`pack_codes` / :func:`unpack_codes` -- 0/1 arrays to ``bits / 8`` bytes per row and back;
* :func:`hamming_search` -- the ``k`` nearest codes by Hamming distance (XOR + popcount,
  ties broken by the lower row id), optionally re-ranked by real vectors;
* :class:`RandomHyperplaneLSH` -- signs of random projections (Charikar, 2002);
* :class:`ITQ` -- PCA to ``bits`` dimensions then the rotation that best fits the
  hypercube's corners, learned by alternating minimisation (Gong and Lazebnik, 2011);
* :class:`MedianThreshold` -- each dimension cut at its corpus median (binarised doc2vec).

Left out: multi-index hashing and other sub-linear Hamming indexes (a scan of a few
hundred thousand 64-bit codes takes milliseconds).
"""

from __future__ import annotations

import numpy as np

from ..vectors import check_vectors


def _check_bits(bits) -> np.ndarray:
    arr = np.asarray(bits)
    if arr.ndim != 2:
        raise ValueError(f"bit codes must be a 2-d (n, bits) array, got shape {arr.shape}")
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise ValueError("bit codes must hold only 0 and 1 (or booleans)")
    return arr.astype(np.uint8)


def pack_codes(bits) -> np.ndarray:
    """Pack an ``(n, bits)`` 0/1 array into ``(n, ceil(bits / 8))`` bytes.

    Examples
    --------
    >>> pack_codes([[1, 0, 0, 0, 0, 0, 0, 1]]).tolist()
    [[129]]
    """
    return np.packbits(_check_bits(bits), axis=1)


def unpack_codes(codes: np.ndarray, bits: int) -> np.ndarray:
    """The ``(n, bits)`` 0/1 array that :func:`pack_codes` packed.

    Examples
    --------
    >>> unpack_codes(np.array([[129]], dtype=np.uint8), 8).tolist()
    [[1, 0, 0, 0, 0, 0, 0, 1]]
    """
    codes = np.asarray(codes, dtype=np.uint8)
    if codes.ndim != 2 or codes.shape[1] * 8 < bits:
        raise ValueError(f"codes of shape {codes.shape} cannot hold {bits} bits a row")
    return np.unpackbits(codes, axis=1, count=bits)


def hamming_distances(query_codes: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``(len(query_codes), len(codes))`` Hamming distances between packed codes.

    Examples
    --------
    >>> hamming_distances(pack_codes([[1, 1, 0, 0]]), pack_codes([[1, 0, 0, 0], [0, 0, 1, 1]])).tolist()
    [[1, 4]]
    """
    q, c = np.asarray(query_codes, np.uint8), np.asarray(codes, np.uint8)
    if q.ndim != 2 or c.ndim != 2 or q.shape[1] != c.shape[1]:
        raise ValueError(f"query codes {q.shape} and corpus codes {c.shape} must be 2-d with the same byte width")
    return np.bitwise_count(q[:, None, :] ^ c[None, :, :]).sum(axis=2, dtype=np.int32)


def hamming_search(query_codes: np.ndarray, codes: np.ndarray, k: int = 10, *, rerank: tuple | None = None,
                   candidates: int = 100, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest codes of each query by Hamming distance.

    Parameters
    ----------
    query_codes, codes : packed uint8 arrays (:func:`pack_codes`)
    k : int
    rerank : (query_vectors, corpus_vectors), optional
        Take the ``candidates`` nearest by Hamming distance, then order them by the
        cosine of these real vectors (the real-binary scheme); scores are then cosines.
    candidates : int
        Shortlist size for ``rerank``.
    batch_size : int
        Queries per block.

    Returns
    -------
    (distances, ids) : (n, k) arrays; distances are Hamming distances (or cosines when re-ranked)

    Examples
    --------
    >>> C = pack_codes([[0, 0, 0, 0], [1, 1, 1, 0], [1, 0, 0, 0]])
    >>> hamming_search(pack_codes([[1, 1, 0, 0]]), C, 2)[1].tolist()
    [[1, 2]]
    """
    codes = np.asarray(codes, np.uint8)
    n = len(codes)
    if n == 0:
        raise ValueError("the corpus has no codes to search")
    k = min(int(k), n)
    width = min(max(k, int(candidates)), n) if rerank is not None else k
    all_d, all_i = [], []
    for s in range(0, len(query_codes), batch_size):
        dist = hamming_distances(query_codes[s:s + batch_size], codes)
        # stable sort on distance keeps the lower row id first among ties
        order = np.argsort(dist, axis=1, kind="stable")[:, :width]
        all_d.append(np.take_along_axis(dist, order, axis=1))
        all_i.append(order)
    dist, ids = np.concatenate(all_d), np.concatenate(all_i)
    if rerank is None:
        return dist, ids
    qv, cv = (np.asarray(v, np.float32) for v in rerank)
    qv = qv / np.maximum(np.linalg.norm(qv, axis=1, keepdims=True), 1e-12)
    cv = cv / np.maximum(np.linalg.norm(cv, axis=1, keepdims=True), 1e-12)
    cos = np.einsum("qd,qcd->qc", qv, cv[ids])
    order = np.argsort(-cos, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(cos, order, axis=1), np.take_along_axis(ids, order, axis=1)


class RandomHyperplaneLSH:
    """Signs of ``bits`` random Gaussian projections (of centred vectors when ``center``).

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(50, 16))
    >>> RandomHyperplaneLSH(bits=32).fit(X).transform(X).shape
    (50, 32)
    """

    def __init__(self, *, bits: int = 64, center: bool = True, seed: int = 0):
        self.bits, self.center, self.seed = bits, center, seed

    def fit(self, X, y=None):
        X = check_vectors(X, "X", dtype=np.float32)
        self.mean_ = X.mean(0) if self.center else np.zeros(X.shape[1], np.float32)
        self.planes_ = np.random.default_rng(self.seed).standard_normal((X.shape[1], self.bits)).astype(np.float32)
        return self

    def transform(self, X) -> np.ndarray:
        """0/1 bits, ``(n, bits)`` uint8."""
        X = check_vectors(X, "X", dtype=np.float32, dim=len(self.mean_))
        return ((X - self.mean_) @ self.planes_ > 0).astype(np.uint8)


class ITQ:
    """Iterative quantisation: PCA to ``bits`` dimensions, then a learned rotation before taking signs.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(200, 16))
    >>> itq = ITQ(bits=8).fit(X)
    >>> itq.transform(X).shape, bool(np.allclose(itq.rotation_ @ itq.rotation_.T, np.eye(8), atol=1e-5))
    ((200, 8), True)
    """

    def __init__(self, *, bits: int = 64, n_iter: int = 50, seed: int = 0):
        self.bits, self.n_iter, self.seed = bits, n_iter, seed

    def fit(self, X, y=None):
        X = check_vectors(X, "X", dtype=np.float64, min_rows=2)
        if self.bits > min(X.shape):
            raise ValueError(f"ITQ with {self.bits} bits needs at least {self.bits} rows and dimensions, "
                             f"got {X.shape}")
        self.mean_ = X.mean(0)
        Xc = X - self.mean_
        _, _, vt = np.linalg.svd(Xc, full_matrices=False)
        self.components_ = vt[: self.bits].T
        V = Xc @ self.components_
        R = np.linalg.qr(np.random.default_rng(self.seed).standard_normal((self.bits, self.bits)))[0]
        for _ in range(self.n_iter):
            B = np.where(V @ R >= 0, 1.0, -1.0)
            u, _, wt = np.linalg.svd(B.T @ V)
            R = (u @ wt).T
        self.rotation_ = R
        return self

    def transform(self, X) -> np.ndarray:
        X = check_vectors(X, "X", dtype=np.float64, dim=len(self.mean_))
        return ((X - self.mean_) @ self.components_ @ self.rotation_ >= 0).astype(np.uint8)


class MedianThreshold:
    """Each dimension cut at its median over the fitted corpus (balanced bits).

    Examples
    --------
    >>> MedianThreshold().fit([[0.0], [1.0], [2.0]]).transform([[1.5]]).tolist()
    [[1]]
    """

    def fit(self, X, y=None):
        self.median_ = np.median(check_vectors(X, "X"), axis=0)
        return self

    def transform(self, X) -> np.ndarray:
        return (check_vectors(X, "X", dim=len(self.median_)) > self.median_).astype(np.uint8)
