"""Hints for the typical mistakes: a registry of name -> (rule, message).

When a student's answer differs from the reference, a checker asks these rules, in
order, which known mistake explains the difference, and shows that rule's message
instead of a bare "wrong". A rule is ``f(got, expected, args) -> bool``: ``got`` and
``expected`` are float arrays of the same shape (a number is a 0-d array) and ``args``
the inputs of a function exercise (empty for a number). A rule that fails on odd input
counts as "not this mistake". Lessons name the rules that fit an exercise, and add
their own as ``mistakes`` (a wrong implementation or a wrong number, with its message).

Left out: hints learned from past submissions; rules on code text (only results are read).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

Rule = Callable[[np.ndarray, np.ndarray, Sequence], bool]


def _close(a: Any, b: Any, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _unit_rows(X: np.ndarray) -> bool:
    return X.ndim == 2 and bool(np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-4))


def _not_unit(got, expected, args) -> bool:
    return _unit_rows(expected) and not _unit_rows(got)


def _ascending(got, expected, args) -> bool:
    if got.ndim >= 1 and got.shape[-1] > 1 and _close(got[..., ::-1], expected):
        return True
    if not args or got.ndim != 2:  # ids ranked by the scores args[0]: tie-aware
        return False
    scores = np.asarray(args[0], dtype=np.float64)
    picked = np.take_along_axis(scores, got.astype(np.int64), axis=1)
    k = got.shape[1]
    lowest_first, best_reversed = np.sort(scores, axis=1)[:, :k], -np.sort(-scores, axis=1)[:, :k][:, ::-1]
    return _close(picked, lowest_first) or _close(picked, best_reversed)


def _negated(got, expected, args) -> bool:
    return bool(np.abs(expected).max(initial=0) > 0) and _close(-got, expected)


def _scaled(got, expected, args) -> bool:
    e, g = expected.ravel(), got.ravel()
    if not np.abs(e).max(initial=0) > 0:
        return False
    c = float(g @ e / (e @ e))
    return abs(c - 1) > 1e-3 and abs(c) > 1e-9 and _close(g, c * e)


def _percent(got, expected, args) -> bool:
    return bool(np.abs(expected).max(initial=0) > 0) and _close(got, 100 * expected, rtol=1e-3, atol=1e-3)


def _dot_product(got, expected, args) -> bool:
    a, b = (np.asarray(x, dtype=np.float64) for x in args[:2])
    return _close(got, (a * b).sum(axis=-1))


def _unmasked_mean(got, expected, args) -> bool:
    states = np.asarray(args[0], dtype=np.float64)
    return _close(got, states.mean(axis=1))


def _unmasked_max(got, expected, args) -> bool:
    states = np.asarray(args[0], dtype=np.float64)
    return _close(got, states.max(axis=1))


def _pearson(got, expected, args) -> bool:
    x, y = (np.asarray(v, dtype=np.float64) for v in args[:2])
    return _close(got, np.corrcoef(x, y)[0, 1])


def _ordinal_ranks(got, expected, args) -> bool:
    x, y = (np.argsort(np.argsort(np.asarray(v), kind="stable"), kind="stable") for v in args[:2])
    return _close(got, np.corrcoef(x, y)[0, 1])


def _interval_order(got, expected, args) -> bool:
    return got.shape == (2,) and got[0] > got[1]


def _zero_width(got, expected, args) -> bool:
    return got.shape == (2,) and expected[1] > expected[0] and abs(got[1] - got[0]) < 1e-3 * (expected[1] - expected[0])


#: name -> (rule, message shown when the rule explains the difference)
HINTS: dict[str, tuple[Rule, str]] = {
    "not_unit": (_not_unit, "your vectors are not unit length: divide each row by its L2 norm"),
    "ascending": (_ascending, "you sorted ascending: the best (highest-scoring) item must come first"),
    "negated": (_negated, "your result has the opposite sign of the expected one"),
    "scaled": (_scaled, "your result is a constant multiple of the expected one: a missing or extra "
                        "normalisation (a division by n, a norm, a count)?"),
    "percent": (_percent, "you gave a percentage: give a fraction between 0 and 1"),
    "dot_product": (_dot_product, "you returned the dot product: divide it by both vectors' lengths"),
    "unmasked_mean": (_unmasked_mean, "you averaged the padding positions too: only tokens whose attention "
                                      "mask is 1 count, and the divisor is their number"),
    "unmasked_max": (_unmasked_max, "your maximum includes padding positions: exclude tokens whose attention "
                                    "mask is 0 before taking the maximum"),
    "pearson": (_pearson, "you computed Pearson's r on the raw values: Spearman's rho is Pearson's r of the ranks"),
    "ordinal_ranks": (_ordinal_ranks, "tied values must share the average of their ranks "
                                      "(scipy.stats.rankdata), not get ranks by position"),
    "interval_order": (_interval_order, "the lower end of your interval is above the upper end: swap them"),
    "zero_width": (_zero_width, "your interval has no width: resample the examples *with* replacement"),
}


def explain(got: Any, expected: Any, args: Sequence = (), names: Sequence[str] = tuple(HINTS)) -> str | None:
    """The message of the first rule in ``names`` that explains how ``got`` differs from ``expected``.

    Parameters
    ----------
    got, expected : array-like of the same shape
    args : sequence
        The inputs of a function exercise (empty for a number).
    names : sequence of str
        Rules of ``HINTS`` to try, in order.

    Returns
    -------
    str or None (no known mistake fits)

    Examples
    --------
    >>> explain([3.0, 2.0, 1.0], [1.0, 2.0, 3.0], names=["ascending"])
    'you sorted ascending: the best (highest-scoring) item must come first'
    >>> explain(42.0, 0.42, names=["negated", "percent"])
    'you gave a percentage: give a fraction between 0 and 1'
    >>> explain(1.0, 2.0, names=["negated"]) is None
    True
    """
    unknown = [n for n in names if n not in HINTS]
    if unknown:
        raise ValueError(f"unknown hint {unknown[0]!r}; valid: {', '.join(HINTS)}")
    try:
        g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    for name in names:
        rule, message = HINTS[name]
        try:
            if rule(g, e, args):
                return message
        except Exception:  # a rule that does not apply to this input is not the mistake
            continue
    return None
