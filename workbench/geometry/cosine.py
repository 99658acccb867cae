"""Cosine-based geometry metrics: anisotropy (average cosine), rogue dimensions, and the
contrastive pair of alignment and uniformity (Wang & Isola 2020).

Each takes an ``(n, d)`` array or a :class:`~workbench.geometry.core.PreparedVectors`
and returns a float or a small dict of floats; the unit rows and their moments are
computed once per prepared array (``core.py``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import special, stats

from ..vectors import check_vectors
from .core import MIN_DIM, GeometryWarning, prepare


# ---------------------------------------------------------------------- cosine and anisotropy
def average_cosine(X: Any, *, n_pairs: int | None = None, confidence: float = 0.95,
                   seed: int = 0) -> dict[str, float]:
    """Mean cosine similarity of distinct pairs of rows, with a confidence interval.

    With ``n_pairs=None`` the mean runs over all ``n (n - 1) / 2`` pairs exactly (in
    ``O(n d^2)``, from the sum and second moment of the unit rows), and the interval is
    that of a U-statistic: ``Var = (4 (n - 2) zeta1 + 2 zeta2) / (n (n - 1))`` (Hoeffding),
    i.e. how much the value would move with another sample of items. With an integer
    ``n_pairs``, that many random pairs ``i != j`` are drawn and the interval is the
    normal one of their mean (Ethayarajh's random-pair estimate).

    Returns
    -------
    dict with ``value``, ``ci_low``, ``ci_high``

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> round(average_cosine(X)["value"], 4)    # (0 + 0.7071 + 0.7071) / 3
    0.4714
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    P = prepare(X)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    n = P.n
    if n_pairs is not None:
        if n_pairs < 2:
            raise ValueError(f"n_pairs must be at least 2 (or None for all pairs), got {n_pairs}")
        rng = np.random.default_rng(seed)
        i = rng.integers(0, n, n_pairs)
        j = (i + rng.integers(1, n, n_pairs)) % n  # uniform over j != i
        cos = np.einsum("ij,ij->i", P.unit[i].astype(np.float64), P.unit[j].astype(np.float64))
        mean, half = float(cos.mean()), z * float(cos.std(ddof=1)) / np.sqrt(n_pairs)
        return {"value": mean, "ci_low": mean - half, "ci_high": mean + half}
    S, _, G = P.unit_moments
    pairs = n * (n - 1)
    mean = (S @ S - n) / pairs
    mean_sq = (np.sum(G * G) - n) / pairs  # sum over i != j of cos^2 (unit rows: cos_ii = 1)
    zeta2 = max(mean_sq - mean**2, 0.0)
    h1 = ((P.unit @ S.astype(P.unit.dtype)).astype(np.float64) - 1.0) / (n - 1)  # each row's mean cosine to the others
    zeta1 = float(h1.var()) if n > 2 else 0.0
    var = max((4 * (n - 2) * zeta1 + 2 * zeta2) / pairs, 0.0)
    half = z * np.sqrt(var)
    return {"value": float(mean), "ci_low": float(mean - half), "ci_high": float(mean + half)}


def rogue_dimensions(X: Any, *, top: int = 3) -> dict[str, float]:
    """How much the few largest coordinates dominate the average cosine.

    The average cosine over distinct pairs splits over coordinates,
    ``E[cos] = sum_k E[u_k v_k]``; a coordinate's *share* is its term divided by the
    total (Timkey & van Schijndel 2021). Shares can be negative or above 1 and are
    unstable when the average cosine is near 0 (a ``GeometryWarning`` says so).

    Returns
    -------
    dict with ``top1_share``, ``top{top}_share`` (summed shares of the ``top`` largest
    terms) and ``top1_dim`` (its coordinate index)

    Examples
    --------
    >>> X = np.array([[5.0, 1.0, 0.0], [5.0, 0.0, 1.0], [5.0, -1.0, 0.0]])
    >>> r = rogue_dimensions(X, top=1)
    >>> r["top1_dim"], round(r["top1_share"], 3)
    (0, 1.014)
    """
    P = prepare(X)
    if not 1 <= top <= P.d:
        raise ValueError(f"top must be in 1..{P.d} (the vectors have {P.d} dimensions), got {top}")
    S, sq, _ = P.unit_moments
    terms = (S * S - sq) / (P.n * (P.n - 1))
    total = terms.sum()
    if abs(total) < 1e-2:
        warnings.warn(f"average cosine is {total:.2e}, near 0: rogue-dimension shares are unstable",
                      GeometryWarning, stacklevel=2)
    order = np.argsort(-terms)
    shares = terms[order] / total
    return {"top1_share": float(shares[0]), f"top{top}_share": float(shares[:top].sum()),
            "top1_dim": int(order[0])}


# ---------------------------------------------------------------------- contrastive quality
def _pair_arrays(X: Any, pairs: Any) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(pairs, tuple) and len(pairs) == 2:
        A = check_vectors(pairs[0], "pairs[0]", min_dim=MIN_DIM)
        B = check_vectors(pairs[1], "pairs[1]", min_dim=MIN_DIM)
        if A.shape != B.shape:
            raise ValueError(f"the two arrays of positive pairs differ in shape: {A.shape} vs {B.shape}")
        return A, B
    idx = np.asarray(pairs)
    U = prepare(X).X
    if idx.ndim != 2 or idx.shape[1] != 2 or not np.issubdtype(idx.dtype, np.integer) or len(idx) == 0:
        raise ValueError("pairs must be an (m, 2) integer array of row indices into X, or a tuple (A, B) "
                         f"of two (m, d) arrays; got {type(pairs).__name__} of shape {idx.shape}")
    if idx.min() < -len(U) or idx.max() >= len(U):
        raise ValueError(f"pairs hold row indices outside 0..{len(U) - 1}")
    return U[idx[:, 0]], U[idx[:, 1]]


def _unit(A: np.ndarray, name: str) -> np.ndarray:
    norms = np.linalg.norm(A, axis=1, keepdims=True)
    if (norms == 0).any():
        raise ValueError(f"{name} holds zero vectors; alignment needs directions")
    return A / norms


def alignment(X: Any, pairs: Any, *, alpha: float = 2.0) -> float:
    """Alignment (Wang & Isola 2020): mean ``||f(x) - f(x+)||^alpha`` over positive pairs of
    unit vectors. 0 when positives coincide; at most ``2^alpha``. Lower is better.

    ``pairs`` is an ``(m, 2)`` array of row indices into ``X`` or a tuple of two ``(m, d)``
    arrays (then ``X`` is ignored and may be None).

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    >>> round(alignment(X, np.array([[0, 2], [0, 1]])), 6)    # (0 + 2) / 2
    1.0
    """
    A, B = _pair_arrays(X, pairs)
    A, B = _unit(A.astype(np.float64), "pairs"), _unit(B.astype(np.float64), "pairs")
    return float(np.mean(np.linalg.norm(A - B, axis=1) ** alpha))


def uniformity(X: Any, *, t: float = 2.0, max_pairs: int = 100_000, seed: int = 0) -> float:
    """Uniformity (Wang & Isola 2020): ``log E exp(-t ||u - v||^2)`` over distinct pairs of
    unit rows. Lower is more uniform; ``-4`` is the limit on a high-dimensional sphere
    for ``t = 2``; 0 when all rows coincide. All pairs when there are at most
    ``max_pairs`` of them, else that many random pairs (seeded).

    Examples
    --------
    >>> round(uniformity(np.array([[1.0, 0.0], [-1.0, 0.0]])), 3)    # antipodes: log exp(-8)
    -8.0
    """
    P = prepare(X)
    U, n = P.unit, P.n
    if n * (n - 1) // 2 <= max_pairs:
        i, j = np.triu_indices(n, k=1)
    else:
        rng = np.random.default_rng(seed)
        i = rng.integers(0, n, max_pairs)
        j = (i + rng.integers(1, n, max_pairs)) % n
    cos = np.concatenate([(U[i[s:s + 8192]] * U[j[s:s + 8192]]).sum(axis=1, dtype=np.float64)
                          for s in range(0, len(i), 8192)])
    return float(special.logsumexp(-t * (2.0 - 2.0 * np.clip(cos, -1, 1))) - np.log(len(i)))
