"""Brackets on the embedding dimension a qrel pattern needs.

For a binary qrel matrix ``A`` (queries x documents), let ``d*`` be the smallest
dimension in which query and document vectors exist that rank every query's relevant
documents above all its others. Weller et al. (2025) show
``sign-rank(2A - 1) - 1 <= d* <= sign-rank(2A - 1)``. Sign-rank itself is hard to
compute, so this module brackets ``d*`` with quantities that are not:

- upper bounds from exact constructions: ``rank(A)`` (factor ``A = Q D^T``: relevant
  scores 1, the rest 0), ``rank(2A - 1)`` (scores +1 / -1), and the smallest ``d`` in
  which the free-embedding optimiser finds a solution;
- Forster's spectral lower bound: for an ``m x n`` sign matrix ``M``,
  ``sign-rank(M) >= sqrt(m n) / ||M||_2``, hence ``d* >= ceil(sqrt(m n) / ||M||_2) - 1``.

Left out: exact sign-rank (NP-hard in general) and sharper lower bounds (e.g. Forster's
bound on the best re-weighting of ``M``).
"""

from __future__ import annotations

import math

import numpy as np

from .free_embedding import free_embedding
from .qrels import validate_qrels


def sign_matrix(qrels) -> np.ndarray:
    """``2A - 1``: +1 where relevant, -1 elsewhere (float64).

    Examples
    --------
    >>> sign_matrix([[1, 0]]).tolist()
    [[1.0, -1.0]]
    """
    return 2.0 * validate_qrels(qrels).astype(np.float64) - 1.0


def rank_upper_bound(qrels) -> int:
    """``min(rank(A), rank(2A - 1))``: a dimension that always suffices.

    Examples
    --------
    >>> from workbench.limits import block
    >>> rank_upper_bound(block(6, 2))   # three disjoint pairs
    3
    """
    A = validate_qrels(qrels).astype(np.float64)
    return int(min(np.linalg.matrix_rank(A), np.linalg.matrix_rank(2 * A - 1)))


def forster_bound(qrels) -> float:
    """Forster's lower bound on ``sign-rank(2A - 1)``: ``sqrt(m n) / ||2A - 1||_2``.

    Examples
    --------
    >>> round(forster_bound(np.eye(4)), 3)   # 2I - 1 of size 4 has spectral norm 2
    2.0
    """
    M = sign_matrix(qrels)
    m, n = M.shape
    return float(math.sqrt(m * n) / np.linalg.norm(M, 2))


def forster_lower_bound(qrels) -> int:
    """A dimension below which no embedding solves the pattern: ``ceil(forster) - 1`` (at least 1).

    Examples
    --------
    >>> from scipy.linalg import hadamard   # Forster's bound is tight for Hadamard matrices
    >>> forster_lower_bound(hadamard(16) > 0)
    3
    """
    return max(1, math.ceil(forster_bound(qrels) - 1e-9) - 1)


def free_embedding_dimension(qrels, *, d_min: int = 1, d_max: int | None = None, n_seeds: int = 1,
                             **free_embedding_kwargs) -> int | None:
    """The smallest ``d`` (from ``d_min`` up) in which a free embedding solves the pattern.

    Tries ``d = d_min, d_min + 1, ...`` up to ``d_max`` (default: the rank bound), each
    with ``n_seeds`` seeds (``0 .. n_seeds - 1``); returns the first solved ``d``, or None
    when none was.
    A solution is an explicit construction, so the result is an upper bound on ``d*``.

    Examples
    --------
    >>> from workbench.limits import dense
    >>> d = free_embedding_dimension(dense(5, 2), patience=200, show_progress=False)
    >>> 2 <= d <= 5
    True
    """
    A = validate_qrels(qrels)
    d_max = rank_upper_bound(A) if d_max is None else int(d_max)
    if d_min < 1 or d_max < d_min:
        raise ValueError(f"need 1 <= d_min <= d_max, got d_min={d_min}, d_max={d_max}")
    opts = {"show_progress": False, **free_embedding_kwargs}
    for d in range(int(d_min), d_max + 1):
        if any(free_embedding(A, d, seed=s, **opts).solved for s in range(n_seeds)):
            return d
    return None


def bracket_dimension(qrels, *, solve: bool = True, n_seeds: int = 1, **free_embedding_kwargs) -> dict:
    """Lower and upper bounds on the dimension ``d*`` a qrel pattern needs.

    Returns a dict with ``forster`` (the raw spectral bound on sign-rank), ``lower``
    (``d*`` is at least this), ``rank_A``, ``rank_sign`` (ranks of ``A`` and ``2A - 1``),
    ``free_embedding`` (smallest ``d`` the optimiser solved, or None; only when
    ``solve``) and ``upper`` (the smallest of the upper bounds).

    Examples
    --------
    >>> from workbench.limits import cycle
    >>> b = bracket_dimension(cycle(6, 2), patience=200, show_progress=False)
    >>> b["lower"] <= b["upper"] <= b["rank_A"]
    True
    """
    A = validate_qrels(qrels)
    Af = A.astype(np.float64)
    out = {"n_queries": int(A.shape[0]), "n_docs": int(A.shape[1]), "forster": forster_bound(A),
           "lower": forster_lower_bound(A), "rank_A": int(np.linalg.matrix_rank(Af)),
           "rank_sign": int(np.linalg.matrix_rank(2 * Af - 1))}
    upper = min(out["rank_A"], out["rank_sign"])
    if solve:
        fe = free_embedding_dimension(A, d_min=out["lower"], d_max=upper, n_seeds=n_seeds, **free_embedding_kwargs)
        out["free_embedding"] = fe
        upper = min(upper, fe) if fe is not None else upper
    out["upper"] = upper
    return out
