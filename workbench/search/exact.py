"""Exact inner-product search (cosine on unit vectors) through faiss's brute-force k-NN.

The ground truth every approximate index, compressed search and filter strategy in this
package is measured against. The queries are split into one block per thread and each
block is scanned by ``faiss.knn`` (BLAS blocks and a per-query heap, no copy of the
corpus) on a worker thread of its own, single-threaded inside: the threads never wait on
each other, which on a busy machine beats one OpenMP team where every barrier waits for
the slowest core. The OpenMP setting of the calling thread is left alone (each worker
sets its own). Results are ordered by score, ties by lower id, as ``top_k`` orders them.
Left out: other metrics (L2 is rank-equivalent on unit vectors).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

MIN_QUERIES_PER_THREAD = 16  # below this a block is not worth a thread of its own


def exact_search(queries: np.ndarray, corpus: np.ndarray, k: int = 10, *,
                 threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` corpus rows by inner product for each query row.

    Parameters
    ----------
    queries : (m, d) array
    corpus : (n, d) array
    k : int
        Neighbours per query (capped at n).
    threads : int, optional
        Threads that scan the corpus; default: faiss's OpenMP thread count
        (``OMP_NUM_THREADS`` or the number of cores), the count BLAS uses too.

    Returns
    -------
    scores : (m, k) float32, best first
    ids : (m, k) int64 row indices into ``corpus`` (equal scores: lower id first)

    Examples
    --------
    >>> X = np.eye(3, dtype=np.float32)
    >>> exact_search(X[:1], X, k=2)[1].tolist()
    [[0, 1]]
    >>> exact_search(X[:1], X, k=2, threads=0)
    Traceback (most recent call last):
    ...
    ValueError: threads must be a positive int or None (faiss's OpenMP thread count), got 0
    """
    import faiss  # noqa: PLC0415

    queries = np.ascontiguousarray(queries, dtype=np.float32)
    corpus = np.ascontiguousarray(corpus, dtype=np.float32)
    if queries.ndim != 2 or corpus.ndim != 2 or queries.shape[1] != corpus.shape[1]:
        raise ValueError(f"expected (m, d) queries and (n, d) corpus with the same d, "
                         f"got {queries.shape} and {corpus.shape}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, (int, np.integer))
                                or threads < 1):
        raise ValueError(f"threads must be a positive int or None (faiss's OpenMP thread count), got {threads!r}")
    k = min(k, len(corpus))
    if len(queries) == 0 or k == 0:
        return np.zeros((len(queries), k), np.float32), np.zeros((len(queries), k), np.int64)
    threads = int(threads or faiss.omp_get_max_threads())
    blocks = np.array_split(queries, max(1, min(threads, len(queries) // MIN_QUERIES_PER_THREAD)))

    def scan(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        faiss.omp_set_num_threads(1)  # this worker thread's own OpenMP setting
        return faiss.knn(block, corpus, k, metric=faiss.METRIC_INNER_PRODUCT)

    with ThreadPoolExecutor(len(blocks)) as pool:
        parts = list(pool.map(scan, blocks))
    scores = np.concatenate([p[0] for p in parts]).astype(np.float32, copy=False)
    ids = np.concatenate([p[1] for p in parts]).astype(np.int64, copy=False)
    order = np.lexsort((ids, -scores), axis=1)
    return np.take_along_axis(scores, order, 1), np.take_along_axis(ids, order, 1)
