"""Verdict rules: when our rerun reproduces a published number, an ordering or a sign.

Each rule is a pure function of our numbers and theirs; an entry states which rule it
uses (and its tolerance) in :attr:`Reproduction.rule` and returns the verdict this
module gives, so a verdict is never chosen by hand.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.stats import kendalltau

__all__ = ["decide", "same_order", "same_sign", "within"]


def within(ours, theirs, *, rtol: float = 0.0, atol: float = 0.0) -> bool:
    """True when every ``|ours - theirs| <= atol + rtol * |theirs|`` (NaN pairs are skipped; none left is False).

    Examples
    --------
    >>> within([10.5, 19], [10, 20], rtol=0.1)
    True
    >>> within([13], [10], rtol=0.1)
    False
    """
    a, b = np.asarray(ours, dtype=float).ravel(), np.asarray(theirs, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"ours has {a.size} numbers and theirs {b.size}; compare matching settings")
    keep = ~(np.isnan(a) | np.isnan(b))
    return bool(keep.any() and np.all(np.abs(a[keep] - b[keep]) <= atol + rtol * np.abs(b[keep])))


def same_order(ours: Sequence[float], theirs: Sequence[float], *, min_tau: float = 1.0) -> bool:
    """True when ours rank the settings as theirs do: Kendall's tau >= ``min_tau`` (1.0: the same order).

    Examples
    --------
    >>> same_order([0.3, 0.5, 0.9], [30, 55, 80])
    True
    >>> same_order([0.5, 0.3, 0.9], [30, 55, 80])
    False
    """
    a, b = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    if a.shape != b.shape or a.size < 2:
        raise ValueError(f"an ordering needs two or more matching settings; got {a.size} and {b.size}")
    tau = kendalltau(a, b).statistic
    return bool(np.isfinite(tau) and tau >= min_tau - 1e-12)


def same_sign(ours, theirs) -> bool:
    """True when every difference or effect has the published sign (zeros on either side count as no match).

    Examples
    --------
    >>> same_sign([0.02, -0.1], [1.5, -3.0])
    True
    >>> same_sign([0.0], [1.5])
    False
    """
    a, b = np.sign(np.asarray(ours, dtype=float)), np.sign(np.asarray(theirs, dtype=float))
    return bool(a.size and np.all((a == b) & (a != 0)))


def decide(exact: bool | None, direction: bool | None) -> tuple[str, str]:
    """The verdict and its reason from the two checks an entry ran (None: not checked).

    Examples
    --------
    >>> decide(False, True)
    ('direction reproduced', 'the ordering or sign holds; the magnitudes differ beyond the tolerance')
    """
    if exact:
        return "reproduced", "our numbers are within the stated tolerance of the published ones"
    if direction:
        if exact is None:
            return "direction reproduced", "the ordering or sign holds; magnitudes are not compared at our scale"
        return "direction reproduced", "the ordering or sign holds; the magnitudes differ beyond the tolerance"
    if exact is None and direction is None:
        return "not comparable", "no check applies at our scale"
    return "not reproduced", "neither the numbers nor the ordering or sign hold"
