"""The paper's critical-n curve: its measured points, the cubic it fits to them, and extrapolation.

Weller et al. (2025) measure the critical n of free embeddings (k = 2, dense pattern) for
d = 4..45 (their appendix "Table forms of figures", Table 6: the points of Figure 2) and fit
a cubic in d to them (Section 4), which they extrapolate to the widths of real models.
:mod:`.critical` measures our own points; this module holds what they are compared with.
The measured values come first: the cubic undershoots them at small d (6.7 against 10 at
d = 4).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

PAPER_CUBIC = (-10.5322, 4.0309, 0.0520, 0.0037)  # c0 + c1 d + c2 d^2 + c3 d^3 (Weller et al. 2025)
EXTRAPOLATE_DIMS = (512, 768, 1024, 3072, 4096)
#: the paper's measured critical n (k = 2, dense pattern) per dimension d: Weller et al. 2025,
#: appendix "Table forms of figures", Table 6 (the points of their Figure 2; PAPER_CUBIC is their fit)
PAPER_CRITICAL_N = {
    4: 10, 5: 14, 6: 19, 7: 24, 8: 28, 9: 32, 10: 36, 11: 42, 12: 47, 13: 54, 14: 62, 15: 70, 16: 79, 17: 89,
    18: 99, 19: 109, 20: 120, 21: 132, 22: 144, 23: 157, 24: 170, 25: 184, 26: 198, 27: 213, 28: 229, 29: 245,
    30: 261, 31: 278, 32: 296, 33: 314, 34: 333, 35: 352, 36: 372, 37: 392, 38: 413, 39: 434, 40: 460, 41: 484,
    42: 505, 43: 545, 44: 605, 45: 626,
}


def paper_critical_n(d) -> np.ndarray:
    """The paper's measured critical n at each ``d`` (:data:`PAPER_CRITICAL_N`); NaN where it measured none.

    Examples
    --------
    >>> paper_critical_n([3, 4, 12]).tolist()
    [nan, 10.0, 47.0]
    """
    return np.array([PAPER_CRITICAL_N.get(int(x), np.nan) for x in np.atleast_1d(d)], dtype=float)


def cubic(d, coef: Sequence[float] = PAPER_CUBIC) -> np.ndarray:
    """Evaluate ``c0 + c1 d + c2 d^2 + c3 d^3`` (default: the paper's critical-n fit).

    Examples
    --------
    >>> round(float(cubic(4)), 2)
    6.66
    """
    d = np.asarray(d, dtype=float)
    return sum(c * d ** i for i, c in enumerate(coef))


def fit_cubic(dims, values) -> np.ndarray:
    """Least-squares cubic ``(c0, c1, c2, c3)`` through ``(d, critical_n)`` points.

    Examples
    --------
    >>> d = np.arange(4, 13)
    >>> np.allclose(fit_cubic(d, cubic(d)), PAPER_CUBIC)
    True
    """
    dims, values = np.asarray(dims, dtype=float), np.asarray(values, dtype=float)
    if dims.shape != values.shape or dims.ndim != 1 or len(dims) < 4:
        raise ValueError(f"need at least 4 matching (d, value) points for a cubic, got {dims.shape} and "
                         f"{values.shape}")
    return np.polynomial.polynomial.polyfit(dims, values, 3)


def extrapolate(coef: Sequence[float], dims: Iterable[int] = EXTRAPOLATE_DIMS) -> pd.DataFrame:
    """Critical n that a cubic predicts at large dimensions, beside the paper's cubic.

    Examples
    --------
    >>> extrapolate(PAPER_CUBIC, [512])["paper"].round(-3).tolist()
    [512000.0]
    """
    dims = np.asarray(list(dims), dtype=float)
    return pd.DataFrame({"d": dims.astype(int), "fit": cubic(dims, coef), "paper": cubic(dims)})
