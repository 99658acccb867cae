"""Comparing a student's answer with the reference, invariant where the maths is.

Each comparator answers "is ``got`` the same answer as ``expected``?" for one kind of
result, and is registered by name in ``COMPARATORS`` (``check_function`` takes the name):

* ``close`` -- numbers and arrays within a float tolerance;
* ``sign`` -- arrays equal up to the sign of each column (principal axes, SVD factors);
* ``rotation`` -- point sets equal up to an orthogonal transform (same Gram matrix);
* ``ties`` -- rankings equal up to the order of tied items (the scores are the first input);
* ``partition`` -- cluster labels equal up to renaming the clusters;
* ``exact`` -- equality (words, ids, booleans).

Every comparator is ``f(got, expected, args, rtol, atol) -> bool`` and never raises on a
well-formed ``expected``; shapes are checked before a comparator runs.
Left out: invariance to reflections of a whole point set beyond ``rotation`` (included
there) and to affine maps.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

Comparator = Callable[[Any, Any, Sequence, float, float], bool]


def close(got: Any, expected: Any, args: Sequence = (), rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """Numbers or arrays equal within ``rtol`` / ``atol`` (NaN never matches).

    Examples
    --------
    >>> close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]))
    True
    """
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return g.shape == e.shape and bool(np.allclose(g, e, rtol=rtol, atol=atol))


def same_up_to_sign(got: Any, expected: Any, args: Sequence = (), rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """Arrays equal after flipping the sign of whole columns (a 1-d array flips as one).

    Examples
    --------
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> same_up_to_sign(A * [-1, 1], A)
    True
    """
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return False
    g2, e2 = (g[:, None], e[:, None]) if g.ndim == 1 else (g.reshape(g.shape[0], -1), e.reshape(e.shape[0], -1))
    signs = np.where((g2 * e2).sum(axis=0) < 0, -1.0, 1.0)
    return bool(np.allclose(g2 * signs, e2, rtol=rtol, atol=atol))


def same_up_to_rotation(got: Any, expected: Any, args: Sequence = (), rtol: float = 1e-5,
                        atol: float = 1e-6) -> bool:
    """Row sets equal up to an orthogonal map of the space: same inner products between rows.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(5, 3))
    >>> Q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(3, 3)))
    >>> same_up_to_rotation(X @ Q, X)
    True
    """
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape or g.ndim != 2:
        return False
    scale = max(1.0, float(np.abs(e @ e.T).max()))
    return bool(np.allclose(g @ g.T, e @ e.T, rtol=rtol, atol=atol * scale))


def same_ranking(got: Any, expected: Any, scores: Any, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """Rankings (item ids, best first, one row per query) equal up to the order of tied items.

    Two rankings agree when they list distinct items whose scores match position by
    position: swapping two items of equal score changes nothing.

    Examples
    --------
    >>> scores = np.array([[0.9, 0.5, 0.5, 0.1]])
    >>> same_ranking([[0, 2, 1]], [[0, 1, 2]], scores)
    True
    >>> same_ranking([[0, 3, 1]], [[0, 1, 2]], scores)
    False
    """
    g, e = np.asarray(got), np.asarray(expected)
    s = np.asarray(scores, dtype=np.float64)
    if g.shape != e.shape or not np.issubdtype(g.dtype, np.integer):
        return False
    g2, e2, s2 = np.atleast_2d(g), np.atleast_2d(e), np.atleast_2d(s)
    if g2.size and (g2.min() < 0 or g2.max() >= s2.shape[1]):
        return False
    distinct = all(len(set(row.tolist())) == len(row) for row in g2)
    rows = np.arange(len(g2))[:, None]
    return distinct and bool(np.allclose(s2[rows, g2], s2[rows, e2], rtol=rtol, atol=atol))


def same_partition(got: Any, expected: Any, args: Sequence = (), rtol: float = 0.0, atol: float = 0.0) -> bool:
    """Cluster labels equal up to renaming the clusters (a one-to-one map between labels).

    Examples
    --------
    >>> same_partition([1, 1, 0, 2], [0, 0, 2, 1])
    True
    >>> same_partition([0, 0, 0, 1], [0, 0, 1, 1])
    False
    """
    g, e = np.asarray(got).ravel(), np.asarray(expected).ravel()
    if g.shape != e.shape:
        return False
    pairs = set(zip(g.tolist(), e.tolist()))
    return len(pairs) == len(set(g.tolist())) == len(set(e.tolist()))


def exact(got: Any, expected: Any, args: Sequence = (), rtol: float = 0.0, atol: float = 0.0) -> bool:
    """Plain equality (arrays element by element).

    Examples
    --------
    >>> exact("paris", "paris"), exact([1, 2], [2, 1])
    (True, False)
    """
    if isinstance(expected, str):
        return isinstance(got, str) and got == expected
    g, e = np.asarray(got), np.asarray(expected)
    return g.shape == e.shape and bool(np.array_equal(g, e))


def same_rows(got: Any, expected: Any, args: Sequence = (), rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """The same rows in any order (a set of rows, e.g. one query per subset), values within tolerance.

    Examples
    --------
    >>> same_rows([[0, 1], [1, 0]], [[1, 0], [0, 1]])
    True
    >>> same_rows([[0, 1], [0, 1]], [[1, 0], [0, 1]])
    False
    """
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape or g.ndim != 2:
        return False
    return bool(np.allclose(g[np.lexsort(g.T[::-1])], e[np.lexsort(e.T[::-1])], rtol=rtol, atol=atol))


def _ties(got, expected, args, rtol, atol) -> bool:
    return same_ranking(got, expected, args[0], rtol, atol)


#: name -> comparator ``f(got, expected, args, rtol, atol) -> bool``
COMPARATORS: dict[str, Comparator] = {
    "close": close,
    "sign": same_up_to_sign,
    "rotation": same_up_to_rotation,
    "ties": _ties,
    "partition": same_partition,
    "exact": exact,
    "rows": same_rows,
}

#: comparator name -> what it forgives, for the message shown when even that does not match
ALLOWING: dict[str, str] = {
    "close": "float rounding",
    "sign": "a sign flip of any column",
    "rotation": "any rotation or reflection of the space",
    "ties": "any order among tied items",
    "partition": "any renaming of the clusters",
    "exact": "nothing",
    "rows": "any order of the rows",
}


def get_comparator(name: str) -> Comparator:
    """The comparator registered under ``name``.

    Examples
    --------
    >>> get_comparator("close") is close
    True
    >>> get_comparator("nearly")
    Traceback (most recent call last):
    ...
    ValueError: unknown comparison 'nearly'; valid: close, sign, rotation, ties, partition, exact, rows
    """
    if name not in COMPARATORS:
        raise ValueError(f"unknown comparison {name!r}; valid: {', '.join(COMPARATORS)}")
    return COMPARATORS[name]
