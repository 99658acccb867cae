"""Checking arrays of row vectors: the one validator every module uses.

Arrays in, arrays out: an ``(n, d)`` array is checked for shape, numeric type, row
count and finite values, and returned as float32 or float64, so that bad input fails
with a message naming what is wrong before any computation runs. Converting texts to
vectors is the encoder's job, not this module's.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def check_vectors(X: Any, name: str = "X", *, n_rows: int | None = None, min_rows: int = 1, min_dim: int = 1,
                  dtype: Any = None) -> np.ndarray:
    """Validate an ``(n, d)`` array of row vectors and return it as a float array.

    Parameters
    ----------
    X : array-like of shape (n, d)
    name : str
        What the array is called in error messages.
    n_rows : int, optional
        The exact number of rows required (one per item of a data set, in order).
    min_rows, min_dim : int
        The smallest allowed ``n`` and ``d``.
    dtype : numpy dtype, optional
        Convert to this dtype; by default float32 and float64 stay as they are (no copy)
        and other numeric types become float64.

    Examples
    --------
    >>> check_vectors([[1, 2]], "X", dtype=np.float32).dtype
    dtype('float32')
    >>> check_vectors([[1.0, float("nan")], [0.0, 1.0]])
    Traceback (most recent call last):
    ...
    ValueError: X has NaN or inf in 1 row(s), e.g. rows [0]; drop or repair them first
    """
    arr = np.asarray(X)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-d (n, d) array of row vectors, got shape {arr.shape}")
    n, d = arr.shape
    if n_rows is not None and n != n_rows:
        raise ValueError(f"{name} has {n} rows but the data set needs {n_rows} (one per item, in order)")
    if n < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows (vectors), got {n}")
    if d < min_dim:
        raise ValueError(f"{name} has d = {d} column(s); at least {min_dim} dimensions are needed here")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ValueError(f"{name} has NaN or inf in {len(rows)} row(s), e.g. rows {rows[:5].tolist()}; "
                         "drop or repair them first")
    return arr
