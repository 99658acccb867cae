"""Checking arrays of row vectors: the one validator every module uses.

Arrays in, arrays out: an ``(n, d)`` array is checked for shape, numeric type, row
count, width and finite values, and returned as a C-contiguous float32 or float64 array,
so that bad input fails with a message naming what is wrong before any computation
runs. Each caller states what it needs through the options (an exact row count for
vectors aligned with a data set, at least two rows for a covariance, the width a fitted
model expects, float32 for faiss); the wording of each problem is the same everywhere.
Converting texts to vectors is the encoder's job, not this module's.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def check_vectors(X: Any, name: str = "X", *, n_rows: int | None = None, min_rows: int = 1, dim: int | None = None,
                  min_dim: int = 1, dtype: Any = None, purpose: str = "") -> np.ndarray:
    """Validate an ``(n, d)`` array of row vectors and return it as a C-contiguous float array.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Numbers (or booleans); NaN and inf are refused, and so is any shape other than 2-d
        (a single vector is ``X[None, :]``).
    name : str
        What the array is called in error messages.
    n_rows : int, optional
        The exact number of rows required (one per item of a data set, in order).
    min_rows : int
        The smallest allowed ``n``; 0 accepts an empty ``(0, d)`` array.
    dim : int, optional
        The exact number of columns required (e.g. the width a model was fitted on).
    min_dim : int
        The smallest allowed ``d``.
    dtype : numpy dtype, optional
        Convert to this dtype; by default float32 and float64 stay as they are (no copy
        unless ``X`` is not C-contiguous) and other numeric types become float64.
    purpose : str
        What the vectors are for, ending the row and column messages ("for <purpose>").

    Returns
    -------
    ndarray of shape (n, d)

    Examples
    --------
    >>> check_vectors([[1, 2]], "X", dtype=np.float32).dtype
    dtype('float32')
    >>> check_vectors([[1.0, float("nan")], [0.0, 1.0]])
    Traceback (most recent call last):
    ...
    ValueError: X has NaN or inf in 1 row(s), e.g. rows [0]; drop or repair them first
    >>> check_vectors([[1.0, 0.0]], "queries", dim=3, purpose="an index of 3-d vectors")
    Traceback (most recent call last):
    ...
    ValueError: queries has d = 2 column(s) but 3 are needed for an index of 3-d vectors
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
    for_purpose = f" for {purpose}" if purpose else ""
    if n_rows is not None and n != n_rows:
        raise ValueError(f"{name} has {n} rows but the data set needs {n_rows} (one per item, in order)")
    if n < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows (vectors){for_purpose}, got {n}")
    if dim is not None and d != dim:
        raise ValueError(f"{name} has d = {d} column(s) but {dim} are needed{for_purpose}")
    if d < min_dim:
        raise ValueError(f"{name} has d = {d} column(s); at least {min_dim} dimensions are needed"
                         f"{for_purpose or ' here'}")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ValueError(f"{name} has NaN or inf in {len(rows)} row(s), e.g. rows {rows[:5].tolist()}; "
                         "drop or repair them first")
    return np.ascontiguousarray(arr)
