"""A selection of points against the whole: how its geometry and labels differ, and what lies next to it.

:func:`selection_report` puts side by side, for the selected rows and for all rows, the
size, IsoScore (Rudman et al. 2022), TwoNN intrinsic dimension (Facco et al. 2017) and
hubness (Radovanovic et al. 2010) from :mod:`workbench.geometry` (estimated on at most
``knn_sample`` rows each). A metric that cannot be computed on the selection (too few
points, all identical) is NaN, with the reason in the ``note`` column, never a made-up
number. :func:`label_mix` compares label shares; :func:`selection_neighbours` lists the
points outside the selection nearest to its centroid in the full-dimensional space
(cosine), i.e. what the selection borders on before any projection distorts it.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..vectors import check_vectors

REPORT_ROWS = ("size", "IsoScore", "TwoNN dimension", "hubness")


def check_rows(rows: Any, n: int) -> np.ndarray:
    """Row positions from a list of positions or a boolean mask of length ``n``; sorted, unique.

    Examples
    --------
    >>> check_rows([True, False, True], 3).tolist(), check_rows([2, 0, 2], 3).tolist()
    ([0, 2], [0, 2])
    >>> check_rows([True, False], 3)
    Traceback (most recent call last):
    ...
    ValueError: a boolean mask must have one entry per point: got 2 for 3 points
    """
    arr = np.asarray(rows)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise ValueError(f"a boolean mask must have one entry per point: got {arr.size} for {n} points")
        return np.flatnonzero(arr)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"rows must be integer positions or a boolean mask, got {arr.dtype} of shape {arr.shape}")
    arr = np.unique(arr)
    if arr[0] < 0 or arr[-1] >= n:
        raise ValueError(f"row positions must be in 0..{n - 1}, got {arr[0]}..{arr[-1]}")
    return arr.astype(np.int64)


def _metrics(X: np.ndarray, knn_sample: int, seed: int) -> tuple[dict[str, float], dict[str, str]]:
    import warnings  # noqa: PLC0415

    from .. import geometry  # noqa: PLC0415

    out, notes = {"size": float(len(X))}, {}
    for name, fn in (("IsoScore", geometry.isoscore), ("TwoNN dimension", geometry.twonn_dimension),
                     ("hubness", geometry.hubness)):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                out[name] = float(fn(X) if name == "IsoScore" else fn(X, knn_sample=knn_sample, seed=seed))
        except ValueError as exc:
            out[name], notes[name] = float("nan"), str(exc)
    return out, notes


def selection_report(X: Any, rows: Any, *, knn_sample: int = 5000, seed: int = 0,
                     whole: pd.Series | None = None) -> pd.DataFrame:
    """Size, IsoScore, TwoNN dimension and hubness of the selected rows beside the whole.

    ``whole`` is the ``"whole"`` column of an earlier report on the same ``X`` (so that a
    panel recomputes only the selection's numbers).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(200, 6)), np.c_[rng.normal(size=(100, 2)), np.zeros((100, 4))]])
    >>> r = selection_report(X, np.arange(200, 300))
    >>> r["selection"].tolist()[0], r["whole"].tolist()[0], bool(r.loc["TwoNN dimension", "selection"] < 3)
    (100.0, 300.0, True)
    """
    X = check_vectors(X, min_rows=1)
    idx = check_rows(rows, len(X))
    if whole is not None:
        whole, notes_w = {r: float(whole[r]) for r in REPORT_ROWS}, {}
    else:
        whole, notes_w = _metrics(X, knn_sample, seed)
    if len(idx):
        sel, notes_s = _metrics(X[idx], knn_sample, seed)
    else:
        sel = {"size": 0.0, **dict.fromkeys(REPORT_ROWS[1:], float("nan"))}
        notes_s = dict.fromkeys(REPORT_ROWS[1:], "empty selection")
    frame = pd.DataFrame({"selection": sel, "whole": whole}).loc[list(REPORT_ROWS)]
    frame["note"] = [("selection: " + notes_s[r]) if r in notes_s else ("whole: " + notes_w[r]) if r in notes_w
                     else "" for r in REPORT_ROWS]
    return frame


def label_mix(labels: Sequence, rows: Any) -> pd.DataFrame:
    """Count and share of each label in the selection beside its share of the whole, most frequent first.

    Examples
    --------
    >>> label_mix(["a", "a", "b", "b"], [0, 1, 2]).round(2).to_dict("list")
    {'label': ['a', 'b'], 'selected': [2, 1], 'share': [0.67, 0.33], 'share of whole': [0.5, 0.5]}
    """
    labels = np.asarray(labels)
    idx = check_rows(rows, len(labels))
    whole = pd.Series(labels).value_counts()
    sel = pd.Series(labels[idx]).value_counts().reindex(whole.index, fill_value=0)
    frame = pd.DataFrame({"label": whole.index, "selected": sel.to_numpy(), "share": sel.to_numpy() / max(len(idx), 1),
                          "share of whole": (whole / len(labels)).to_numpy()})
    return frame.sort_values(["selected", "share of whole"], ascending=False, kind="stable").reset_index(drop=True)


def selection_neighbours(X: Any, rows: Any, k: int = 10, *, texts: Sequence[str] | None = None) -> pd.DataFrame:
    """The ``k`` points outside the selection nearest (cosine) to its centroid in the full space.

    Examples
    --------
    >>> X = np.array([[1.0, 0], [1, 0.1], [1, 0.3], [0, 1], [-1, 0]])
    >>> selection_neighbours(X, [0, 1], k=2)["row"].tolist()
    [2, 3]
    """
    X = check_vectors(X, min_rows=1, dtype=np.float64)
    idx = check_rows(rows, len(X))
    columns = ["row", "cosine"] + (["text"] if texts is not None else [])
    if len(idx) == 0 or len(idx) == len(X):
        return pd.DataFrame({c: pd.Series(dtype=float if c == "cosine" else (int if c == "row" else object))
                             for c in columns})
    norms = np.linalg.norm(X, axis=1)
    U = X / np.where(norms == 0, 1, norms)[:, None]
    centre = U[idx].mean(0)
    centre /= max(np.linalg.norm(centre), 1e-300)
    sims = U @ centre
    sims[idx] = -np.inf
    order = np.argsort(-sims, kind="stable")[: min(k, len(X) - len(idx))]
    frame = pd.DataFrame({"row": order, "cosine": sims[order]})
    if texts is not None:
        frame["text"] = [str(texts[i]) for i in order]
    return frame
