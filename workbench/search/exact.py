"""Exact inner-product search (cosine on unit vectors) through faiss's flat index.

The ground truth every approximate index, compressed search and filter strategy in this
package is measured against. Left out: other metrics (L2 is rank-equivalent on unit vectors).
"""

from __future__ import annotations

import numpy as np


def exact_search(queries: np.ndarray, corpus: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` corpus rows by inner product for each query row.

    Parameters
    ----------
    queries : (m, d) array
    corpus : (n, d) array
    k : int
        Neighbours per query (capped at n).

    Returns
    -------
    scores : (m, k) float32, best first
    ids : (m, k) int64 row indices into ``corpus``

    Examples
    --------
    >>> X = np.eye(3, dtype=np.float32)
    >>> exact_search(X[:1], X, k=2)[1].tolist()
    [[0, 1]]
    """
    import faiss  # noqa: PLC0415

    queries = np.ascontiguousarray(queries, dtype=np.float32)
    corpus = np.ascontiguousarray(corpus, dtype=np.float32)
    if queries.ndim != 2 or corpus.ndim != 2 or queries.shape[1] != corpus.shape[1]:
        raise ValueError(f"expected (m, d) queries and (n, d) corpus with the same d, "
                         f"got {queries.shape} and {corpus.shape}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    k = min(k, len(corpus))
    index = faiss.IndexFlatIP(corpus.shape[1])
    index.add(corpus)
    scores, ids = index.search(queries, k)
    return scores, ids
