"""Spectrum-based isotropy: explained variance, effective rank, IsoScore and
partition-function isotropy, all from the covariance (or second-moment) eigendecomposition
of an ``(n, d)`` array, computed once in float64 and shared through ``core.PreparedVectors``.

Left out: IsoScore* (covariance shrinkage) and any plotting.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..linalg import sym_eigh
from .core import prepare


# ---------------------------------------------------------------------- spectrum and isotropy
def explained_variance(X: Any) -> np.ndarray:
    """Explained-variance ratios of the principal components, largest first (sums to 1).

    Examples
    --------
    >>> explained_variance([[0.0, 0.0], [2.0, 0.0], [0.0, 1.0], [2.0, 1.0]]).round(2).tolist()
    [0.8, 0.2]
    """
    vals = prepare(X).cov_eigh[0]
    return vals / vals.sum()


def spectrum(X: Any) -> dict[str, float]:
    """Summary of the explained-variance spectrum.

    Returns
    -------
    dict with ``top1`` and ``top10`` (variance share of the first 1 and 10 components)
    and ``n90`` (components needed for 90 % of the variance)

    Examples
    --------
    >>> spectrum(np.random.default_rng(0).normal(size=(500, 20)) * [10] + [[0] * 20])["n90"] > 15
    True
    """
    ratios = explained_variance(X)
    return {"top1": float(ratios[0]), "top10": float(ratios[:10].sum()),
            "n90": int(np.searchsorted(np.cumsum(ratios), 0.9 - 1e-12) + 1)}


def effective_rank(X: Any) -> float:
    """Effective rank (Roy & Vetterli 2007) of the centred data: ``exp`` of the entropy of
    its normalised singular values. Between 1 (a line) and ``min(n, d)``.

    Examples
    --------
    >>> round(effective_rank(np.random.default_rng(0).normal(size=(4000, 8))), 1)
    8.0
    """
    vals = prepare(X).cov_eigh[0]
    sv = np.sqrt(vals)
    p = sv[sv > 0] / sv.sum()
    return float(np.exp(-np.sum(p * np.log(p))))


def isoscore_from_variances(variances: Any) -> float:
    """IsoScore of a variance vector (the variances of PCA-rotated coordinates).

    ``v_hat = sqrt(n) v / ||v||``, ``delta = ||v_hat - 1|| / sqrt(2 (n - sqrt n))``,
    ``score = ((n - delta^2 (n - sqrt n))^2 - n) / (n (n - 1))``; ``k`` of ``n`` equally
    used dimensions score ``(k - 1) / (n - 1)``.

    Examples
    --------
    >>> round(isoscore_from_variances([1.0, 1.0, 0.0, 0.0]), 6)   # 2 of 4 dimensions: (2 - 1) / (4 - 1)
    0.333333
    """
    v = np.asarray(variances, np.float64)
    if v.ndim != 1 or len(v) < 2 or not np.isfinite(v).all() or (v < 0).any() or not v.any():
        raise ValueError("variances must be a 1-d vector of at least 2 finite, non-negative values, not all 0")
    n = len(v)
    v_hat = np.sqrt(n) * v / np.linalg.norm(v)
    delta2 = np.sum((v_hat - 1.0) ** 2) / (2 * (n - np.sqrt(n)))
    score = ((n - delta2 * (n - np.sqrt(n))) ** 2 - n) / (n * (n - 1))
    return float(np.clip(score, 0.0, 1.0))


def isoscore(X: Any) -> float:
    """IsoScore (Rudman et al. 2022): 0 for points on a line, 1 for an isotropic cloud.

    Invariant to rotation and global scale. With ``n`` not much larger than ``d`` the
    sample covariance spreads its variance unevenly, so the score is biased low (a
    ``GeometryWarning`` is issued when ``n <= d``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> round(isoscore(rng.normal(size=(20000, 3)) * [1, 1, 0]), 2)   # a disk in R^3
    0.5
    """
    return isoscore_from_variances(prepare(X).cov_eigh[0])


def partition_isotropy(X: Any) -> float:
    """Partition-function isotropy ``min_c Z(c) / max_c Z(c)`` (Mu & Viswanath 2018).

    ``Z(c) = sum_i exp(c . w_i)`` over the rows ``w_i`` (not centred), with ``c`` ranging
    over the eigenvectors of ``W^T W`` taken with both signs (an eigenvector's sign is
    arbitrary). Computed in log space, so large norms do not overflow. 1 is isotropic.

    Examples
    --------
    >>> X = np.vstack([np.eye(3), -np.eye(3)])
    >>> round(partition_isotropy(X), 6)
    1.0
    """
    P = prepare(X)
    _, vecs = P.cov_eigh
    second = (P.n - 1) * (vecs * P.cov_eigh[0]) @ vecs.T + P.n * np.outer(P.mean, P.mean)  # W^T W
    _, dirs = sym_eigh(second)
    dirs = dirs.astype(P.X.dtype)
    logz = np.full(2 * P.d, -np.inf)
    for b in P.blocks():  # streamed over row blocks: log Z(c) for c in +dirs, then -dirs
        proj = b @ dirs
        proj = np.hstack([proj, -proj])
        top = proj.max(axis=0)
        block = np.log(np.exp(proj - top).sum(axis=0, dtype=np.float64)) + top
        logz = np.logaddexp(logz, block)
    return float(np.exp(logz.min() - logz.max()))
