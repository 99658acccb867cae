"""Binary relevance patterns (qrels) for dimension-limit experiments.

A qrel pattern is a ``(n_queries, n_docs)`` boolean matrix ``A``: ``A[i, j]`` is True
when document ``j`` is relevant to query ``i``. The builders here make the patterns the
LIMIT paper and its follow-ups study on ``n`` abstract documents:

- ``dense``: one query per k-subset of the documents (all C(n, k) of them), the paper's
  pattern and the hardest one for a given ``n``;
- ``random``: a seeded sample of distinct k-subsets;
- ``cycle``: query ``i`` wants documents ``i, i+1, ..., i+k-1`` (mod ``n``);
- ``block``: disjoint groups of ``k`` documents, one query per group (the easy case).

``qrel_matrix`` turns a :class:`~workbench.datasets.RetrievalDataset` into the same
kind of matrix, so the bounds in :mod:`workbench.limits.bounds` apply to real data.
Left out: graded relevance (every judgement above zero counts as relevant).
"""

from __future__ import annotations

import itertools
from math import comb
from typing import Callable

import numpy as np

MAX_DENSE_QUERIES = 5_000_000


def _check_nk(n: int, k: int) -> None:
    if int(n) != n or n < 1:
        raise ValueError(f"n (number of documents) must be a positive integer, got {n!r}")
    if int(k) != k or k < 1:
        raise ValueError(f"k (relevant documents per query) must be a positive integer, got {k!r}")
    if k > n:
        raise ValueError(f"k={k} relevant documents per query is more than the n={n} documents; need 1 <= k <= n")


def _from_subsets(subsets: np.ndarray, n: int) -> np.ndarray:
    A = np.zeros((len(subsets), n), dtype=bool)
    A[np.arange(len(subsets))[:, None], subsets] = True
    return A


def dense(n: int, k: int = 2) -> np.ndarray:
    """Every k-subset of ``n`` documents as one query: a ``(C(n, k), n)`` matrix.

    Examples
    --------
    >>> A = dense(4, 2)
    >>> A.shape, A.sum(axis=1).tolist()
    ((6, 4), [2, 2, 2, 2, 2, 2])
    """
    _check_nk(n, k)
    if comb(n, k) > MAX_DENSE_QUERIES:
        raise ValueError(f"dense(n={n}, k={k}) would have {comb(n, k):,} queries (limit {MAX_DENSE_QUERIES:,}); "
                         "use random(...) with fewer queries")
    subsets = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64).reshape(-1, k)
    return _from_subsets(subsets, n)


def random(n: int, k: int = 2, n_queries: int = 100, *, seed: int = 0) -> np.ndarray:
    """``n_queries`` distinct k-subsets of ``n`` documents, drawn uniformly with ``seed``.

    Examples
    --------
    >>> A = random(10, 3, n_queries=20, seed=1)
    >>> A.shape, bool((A.sum(axis=1) == 3).all()), len({r.tobytes() for r in A})
    ((20, 10), True, 20)
    """
    _check_nk(n, k)
    total = comb(n, k)
    if int(n_queries) != n_queries or not 1 <= n_queries <= total:
        raise ValueError(f"n_queries must be between 1 and C({n}, {k}) = {total:,}, got {n_queries!r}")
    rng = np.random.default_rng(seed)
    if total <= 20 * n_queries and total <= MAX_DENSE_QUERIES:
        pick = rng.choice(total, size=n_queries, replace=False)
        subsets = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64)[np.sort(pick)]
        return _from_subsets(subsets, n)
    seen: set[tuple[int, ...]] = set()
    rows = []
    while len(rows) < n_queries:  # rejection sampling: collisions are rare when total >> n_queries
        s = tuple(sorted(rng.choice(n, size=k, replace=False).tolist()))
        if s not in seen:
            seen.add(s)
            rows.append(s)
    return _from_subsets(np.array(rows, dtype=np.int64), n)


def cycle(n: int, k: int = 2) -> np.ndarray:
    """Query ``i`` wants documents ``i, ..., i+k-1`` (mod ``n``): an ``(n, n)`` circulant pattern.

    Examples
    --------
    >>> cycle(4, 2).astype(int).tolist()
    [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]]
    """
    _check_nk(n, k)
    subsets = (np.arange(n)[:, None] + np.arange(k)[None, :]) % n
    return _from_subsets(subsets, n)


def block(n: int, k: int = 2) -> np.ndarray:
    """Disjoint groups of ``k`` documents, one query per group: an ``(n // k, n)`` matrix.

    Examples
    --------
    >>> block(6, 2).astype(int).tolist()
    [[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 1, 1]]
    """
    _check_nk(n, k)
    if n % k:
        raise ValueError(f"block needs n divisible by k, got n={n}, k={k}")
    return _from_subsets(np.arange(n).reshape(n // k, k), n)


PATTERNS: dict[str, Callable[..., np.ndarray]] = {"dense": dense, "random": random, "cycle": cycle, "block": block}


def make_qrels(pattern: str, n: int, k: int = 2, **kwargs) -> np.ndarray:
    """Build a named pattern from :data:`PATTERNS`.

    Examples
    --------
    >>> make_qrels("cycle", 5, 2).shape
    (5, 5)
    """
    if pattern not in PATTERNS:
        raise ValueError(f"unknown qrel pattern {pattern!r}; valid: {', '.join(PATTERNS)}")
    return PATTERNS[pattern](n, k, **kwargs)


def validate_qrels(qrels) -> np.ndarray:
    """Check a qrel matrix and return it as a boolean array.

    Raises ValueError for anything that is not a non-empty 2-D 0/1 matrix in which every
    query has at least one relevant document.

    Examples
    --------
    >>> validate_qrels([[1, 0], [0, 1]]).dtype
    dtype('bool')
    """
    A = np.asarray(qrels)
    if A.ndim != 2:
        raise ValueError(f"qrels must be a 2-D (n_queries, n_docs) 0/1 matrix, got shape {A.shape}")
    if A.size == 0:
        raise ValueError(f"qrels is empty (shape {A.shape}); need at least one query and one document")
    if A.dtype != bool:
        if not np.isin(A, (0, 1)).all():
            raise ValueError("qrels must hold only 0/1 (or False/True) entries")
        A = A.astype(bool)
    empty = np.flatnonzero(~A.any(axis=1))
    if len(empty):
        raise ValueError(f"{len(empty)} queries have no relevant document (first: row {int(empty[0])}); "
                         "every query needs at least one")
    return A


def qrel_matrix(dataset) -> tuple[np.ndarray, list[str], list[str]]:
    """The binary qrel matrix of a retrieval data set, with its query and document ids.

    Examples
    --------
    >>> from workbench.datasets import RetrievalDataset
    >>> ds = RetrievalDataset("toy", {"a": "x", "b": "y"}, {"q": "?"}, {"q": {"b": 1}})
    >>> A, qids, dids = qrel_matrix(ds)
    >>> A.astype(int).tolist(), qids, dids
    ([[0, 1]], ['q'], ['a', 'b'])
    """
    doc_ids, query_ids = list(dataset.doc_ids), list(dataset.query_ids)
    col = {d: j for j, d in enumerate(doc_ids)}
    A = np.zeros((len(query_ids), len(doc_ids)), dtype=bool)
    for i, q in enumerate(query_ids):
        for d, rel in dataset.qrels.get(q, {}).items():
            if rel > 0 and d in col:
                A[i, col[d]] = True
    return A, query_ids, doc_ids
