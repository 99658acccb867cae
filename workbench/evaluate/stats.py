"""Uncertainty for evaluation scores: bootstrap confidence intervals and paired tests.

Every main score the workbench reports is a statistic of a sample of examples (pairs,
queries, test texts). This module answers two questions about such a score:

* how precise is it? -- :func:`bootstrap_ci`, a percentile bootstrap over examples;
* is system A really better than system B on the same examples? -- :func:`paired_test`,
  a paired permutation test (swap the two systems' outputs on random examples) for the
  p-value and a paired bootstrap for the confidence interval of the difference.

Statistics are named in ``STATISTICS`` (``mean``, ``spearman``, ``pearson``); each is
vectorised over resamples, so 10,000 resamples of 1,000 examples take well under a
second. Any other callable works too (called once per resample, so slower).

Left out: BCa and studentized intervals, multiple-comparison corrections, and
resampling of clustered examples (e.g. several pairs sharing one document).
"""

from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
from scipy import stats as _sps

_BLOCK = 256  # resamples evaluated at once (bounds memory at _BLOCK * n values per array)


def _rows_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=-1, keepdims=True)
    y = y - y.mean(axis=-1, keepdims=True)
    den = np.sqrt((x * x).sum(-1) * (y * y).sum(-1))
    return np.divide((x * y).sum(-1), den, out=np.full(den.shape, np.nan), where=den > 0)


def _rows_spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _rows_pearson(_sps.rankdata(x, axis=-1), _sps.rankdata(y, axis=-1))


def _rows_mean(x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    return x.mean(axis=-1)


#: name -> statistic of row-stacked resamples: f(x (b, n), y (b, n) or None) -> (b,)
STATISTICS: dict[str, Callable] = {"mean": _rows_mean, "spearman": _rows_spearman, "pearson": _rows_pearson}


def _standardise(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else x


def _rank_scale(x: np.ndarray) -> np.ndarray:
    return _sps.rankdata(x) / len(x)


#: statistics blind to each system's own scale -> the map that puts two systems on one scale before a swap
#: (Spearman sees only ranks, Pearson neither location nor spread, so the maps change neither statistic)
COMMON_SCALE: dict[str, Callable] = {"spearman": _rank_scale, "pearson": _standardise}


def _statistic(statistic: str | Callable) -> Callable:
    if callable(statistic):
        def looped(x, y=None):
            if y is None:
                return np.array([statistic(row) for row in x], dtype=np.float64)
            return np.array([statistic(a, b) for a, b in zip(x, y)], dtype=np.float64)
        return looped
    if statistic not in STATISTICS:
        raise ValueError(f"unknown statistic {statistic!r}; valid: {', '.join(STATISTICS)} or a callable")
    return STATISTICS[statistic]


def _as_sample(values, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one value per example (1-d), got shape {arr.shape}")
    if len(arr) < 2:
        raise ValueError(f"{name} needs at least 2 examples to resample, got {len(arr)}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} holds {int((~np.isfinite(arr)).sum())} NaN or infinite values")
    return arr


def _check_resampling(n_resamples: int, confidence: float) -> None:
    if not isinstance(n_resamples, (int, np.integer)) or n_resamples < 10:
        raise ValueError(f"n_resamples must be an int >= 10, got {n_resamples!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")


def bootstrap_ci(values, paired_with=None, *, statistic: str | Callable = "mean", n_resamples: int = 1000,
                 confidence: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of a statistic over examples.

    Examples are drawn with replacement ``n_resamples`` times; the interval is the
    central ``confidence`` mass of the statistic over the resamples.

    Parameters
    ----------
    values : array-like of shape (n,)
        One value per example: a per-query nDCG, a 0/1 correctness, a cosine score.
    paired_with : array-like of shape (n,), optional
        A second value per example, resampled together with ``values`` (the gold
        scores for ``statistic="spearman"``).
    statistic : str or callable, default "mean"
        A name in ``STATISTICS`` or ``f(values)`` / ``f(values, paired_with)``.
    n_resamples : int, default 1000
    confidence : float, default 0.95
    seed : int, default 0

    Returns
    -------
    (low, high) : tuple of float

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lo, hi = bootstrap_ci(rng.normal(1.0, 1.0, 400))
    >>> bool(lo < 1.0 < hi), round(hi - lo, 1)
    (True, 0.2)
    """
    _check_resampling(n_resamples, confidence)
    x = _as_sample(values, "values")
    y = None if paired_with is None else _as_sample(paired_with, "paired_with")
    if y is not None and len(y) != len(x):
        raise ValueError(f"values and paired_with differ in length ({len(x)} and {len(y)})")
    f = _statistic(statistic)
    rng = np.random.default_rng(seed)
    out = []
    for start in range(0, n_resamples, _BLOCK):
        idx = rng.integers(0, len(x), size=(min(_BLOCK, n_resamples - start), len(x)))
        out.append(f(x[idx], None if y is None else y[idx]))
    return _interval(np.concatenate(out), confidence, "bootstrap_ci")


def _interval(dist: np.ndarray, confidence: float, who: str, warn: bool = True) -> tuple[float, float]:
    """Central ``confidence`` interval of the finite values of ``dist``; NaN, with a warning, when none is finite."""
    finite = dist[np.isfinite(dist)]
    if not len(finite):
        if warn:
            warnings.warn(f"{who}: the statistic is undefined in all {len(dist)} resamples (constant values, so no "
                          "correlation); the interval is NaN", RuntimeWarning, stacklevel=3)
        return float("nan"), float("nan")
    alpha = (1.0 - confidence) / 2
    return float(np.quantile(finite, alpha)), float(np.quantile(finite, 1 - alpha))


def paired_test(scores_a, scores_b, gold=None, *, statistic: str | Callable = "mean", n_resamples: int = 10000,
                confidence: float = 0.95, seed: int = 0) -> dict:
    """Is system A better than system B on the same examples? A paired test.

    The p-value comes from a paired permutation test: under the null hypothesis that
    the two systems are exchangeable, swapping their outputs on any example leaves the
    distribution of the statistic's difference unchanged, so the observed difference is
    compared with differences after random swaps (two-sided, with the +1 correction
    that keeps the test valid). The confidence interval of the difference comes from a
    paired bootstrap (examples resampled, both systems kept together).

    For ``"spearman"`` and ``"pearson"`` each system's scores are first mapped to a
    common scale (ranks divided by n; z-scores), which changes neither system's
    statistic nor the bootstrap. Without it a swap would put, say, a CLS cosine near
    0.7 among mean-pooling cosines near 0.1: every permuted ranking becomes mostly
    noise, the permutation differences spread far wider than the bootstrap's, and the
    p-value comes out large beside an interval that excludes zero.

    Parameters
    ----------
    scores_a, scores_b : array-like of shape (n,)
        Per-example outputs of the two systems on the same examples in the same order:
        per-query nDCG or 0/1 correctness for ``statistic="mean"``, cosine scores for
        ``statistic="spearman"`` (then ``gold`` is required).
    gold : array-like of shape (n,), optional
        Reference values the statistic compares each system with.
    statistic : str or callable, default "mean"
    n_resamples : int, default 10000
        Permutations, and bootstrap resamples, drawn.
    confidence : float, default 0.95
    seed : int, default 0

    Returns
    -------
    dict with ``a``, ``b`` (the statistic of each system), ``difference`` (a - b),
    ``ci_low``, ``ci_high`` (of the difference), ``p_value`` and ``n``

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> truth = rng.normal(size=300)
    >>> good, poor = truth + rng.normal(0, 0.5, 300), truth + rng.normal(0, 2.0, 300)
    >>> res = paired_test(good, poor, truth, statistic="spearman", n_resamples=2000)
    >>> res["difference"] > 0, res["p_value"] < 0.01
    (True, True)
    """
    _check_resampling(n_resamples, confidence)
    a, b = _as_sample(scores_a, "scores_a"), _as_sample(scores_b, "scores_b")
    if len(a) != len(b):
        raise ValueError(f"scores_a and scores_b must score the same examples; got {len(a)} and {len(b)} values")
    g = None if gold is None else _as_sample(gold, "gold")
    if g is not None and len(g) != len(a):
        raise ValueError(f"gold has {len(g)} values for {len(a)} examples")
    if statistic in ("spearman", "pearson") and g is None:
        raise ValueError(f"statistic={statistic!r} compares each system with gold values; pass gold")
    f = _statistic(statistic)
    n = len(a)
    if isinstance(statistic, str) and statistic in COMMON_SCALE:
        a, b = COMMON_SCALE[statistic](a), COMMON_SCALE[statistic](b)

    def stat(x, rows_gold):
        return f(x, rows_gold) if g is not None else f(x)

    stat_a = float(stat(a[None], None if g is None else g[None])[0])
    stat_b = float(stat(b[None], None if g is None else g[None])[0])
    observed = stat_a - stat_b
    rng = np.random.default_rng(seed)
    perm, boot = [], []
    for start in range(0, n_resamples, _BLOCK):
        m = min(_BLOCK, n_resamples - start)
        swap = rng.random((m, n)) < 0.5
        ga = None if g is None else np.broadcast_to(g, (m, n))
        pa, pb = np.where(swap, b, a), np.where(swap, a, b)
        perm.append(stat(pa, ga) - stat(pb, ga))
        idx = rng.integers(0, n, size=(m, n))
        gi = None if g is None else g[idx]
        boot.append(stat(a[idx], gi) - stat(b[idx], gi))
    perm, boot = np.concatenate(perm), np.concatenate(boot)
    ci_low, ci_high = _interval(boot, confidence, "paired_test", warn=bool(np.isfinite(observed)))
    if not np.isfinite(observed):
        warnings.warn(f"paired_test: the statistic is undefined for {'A' if not np.isfinite(stat_a) else 'B'} "
                      "(constant values, so no correlation); the difference and p-value are NaN", RuntimeWarning,
                      stacklevel=2)
        p_value = float("nan")
    else:
        # a tiny tolerance keeps exact ties (identical systems: every difference is 0) counted
        extreme = int((np.abs(perm) >= abs(observed) - 1e-12).sum())
        p_value = (extreme + 1) / (n_resamples + 1)
    return {"a": stat_a, "b": stat_b, "difference": observed, "ci_low": ci_low, "ci_high": ci_high,
            "p_value": p_value, "n": int(n)}
