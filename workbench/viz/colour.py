"""What the points of a projection are coloured by, and the small diagnostics table beside it.

Per-point values come from the geometry package rather than being re-derived here: one
exact kNN graph (:func:`workbench.geometry.knn.knn_graph`, on every row) gives

* ``k-occurrence``: how many points have this one among their ``k = 10`` nearest
  neighbours (``N_k``; its skewness is the hubness of :func:`workbench.geometry.hubness`);
  hubs have large values, anti-hubs 0;
* ``local dimension``: the per-point Levina-Bickel estimate with ``k = 20`` (the summand
  of :func:`workbench.geometry.mle_dimension`); undefined (NaN) at duplicated points;

and ``norm`` is the L2 norm of the raw pooled vector (before post-processing; after
normalisation every norm is 1). ``COMPUTED`` maps these names to functions of a
:class:`Vectors` bundle. :func:`diagnostics` summarises a configuration in a few numbers
(geometry metrics, plus label agreement of neighbours when there are labels). Left out:
colour scales and drawing (``figures.py``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from .. import geometry
from ..geometry.core import MIN_DIM, MIN_ROWS, PreparedVectors
from ..geometry.knn import knn_graph
from ..vectors import check_vectors

K_OCCURRENCE = 10  # neighbours counted by k-occurrence
K_LID = 20  # neighbours of the per-point dimension estimate
DIAGNOSTIC_SAMPLE = 2000  # rows the kNN-based diagnostics are estimated on
MAX_CATEGORIES = 30  # attribute columns with more distinct text values are not offered as colours
MAX_ORDINAL = 12  # numeric attribute columns with at most this many distinct values are ordinal (a rating)


@dataclass
class Vectors:
    """The vectors of one configuration: ``X`` as shown (post-processed), ``raw`` before
    post-processing; the full kNN graph is built on first use and kept."""

    X: np.ndarray
    raw: np.ndarray
    _prepared: PreparedVectors | None = field(default=None, repr=False)

    def knn(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self._prepared is None:
            self._prepared = PreparedVectors(self.X, knn_sample=len(self.X))
        return knn_graph(self._prepared, k)


def k_occurrence(V: Vectors, k: int = K_OCCURRENCE) -> np.ndarray:
    """``N_k`` of every point: how often it is among the others' ``k`` nearest neighbours.

    Examples
    --------
    >>> X = np.array([[0.0, 0], [1, 0], [3, 0], [10, 0]])
    >>> k_occurrence(Vectors(X, X), k=1).tolist()    # 1 is the nearest neighbour of 0 and 2
    [1, 2, 1, 0]
    """
    ids = V.knn(k)[1]
    return np.bincount(ids.ravel(), minlength=len(ids)).astype(np.int64)


def local_dimension(V: Vectors, k: int = K_LID) -> np.ndarray:
    """Per-point Levina-Bickel intrinsic dimension ``(k - 1) / sum_j log(T_k / T_j)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> plane = rng.uniform(size=(2000, 2)) @ rng.normal(size=(2, 8))
    >>> 1.6 < float(np.nanmedian(local_dimension(Vectors(plane, plane)))) < 2.4
    True
    """
    k = min(k, len(V.X) - 1)
    if k < 3:
        raise ValueError(f"local dimension needs at least 4 points, got {len(V.X)}")
    dist = V.knn(k)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.log(dist[:, -1:] / dist[:, :-1]).sum(axis=1) / (k - 1)
        out = 1.0 / inv
    out[~np.isfinite(out) | (dist[:, 0] <= 0)] = np.nan
    return out


def norm(V: Vectors) -> np.ndarray:
    """L2 norm of each raw (not post-processed) vector.

    Examples
    --------
    >>> norm(Vectors(np.eye(2), np.array([[3.0, 4.0], [0.0, 2.0]]))).tolist()
    [5.0, 2.0]
    """
    return np.linalg.norm(np.asarray(V.raw, dtype=np.float64), axis=1)


COMPUTED: dict[str, Callable[[Vectors], np.ndarray]] = {
    "k-occurrence": k_occurrence, "local dimension": local_dimension, "norm": norm}


def colour_columns(attributes: pd.DataFrame | None) -> list[str]:
    """Attribute columns worth colouring by: numeric ones, and text ones with at most
    ``MAX_CATEGORIES`` distinct values, missing values allowed (free text such as a review
    title is left out).

    Examples
    --------
    >>> colour_columns(pd.DataFrame({"age": [30, 40], "title": ["a", "b"], "x": [[1], [2]]}))
    ['age', 'title']
    """
    if attributes is None:
        return []
    out = []
    for col in attributes.columns:
        s = attributes[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            out.append(str(col))
        elif s.dropna().map(lambda v: isinstance(v, str)).all() and s.nunique() <= MAX_CATEGORIES:
            out.append(str(col))
    return out


def colour_options(points) -> list[str]:
    """Colour-by choices for a :class:`~workbench.viz.pipeline.Points`: ``label`` (or ``none``
    when unlabelled), the attribute columns worth colouring by, then ``COMPUTED``.

    Examples
    --------
    >>> from workbench.viz.pipeline import load_points
    >>> colour_options(load_points("political-speeches", 10))
    ['label', 'speaker', 'k-occurrence', 'local dimension', 'norm']
    """
    return (["label"] if points.labels is not None else ["none"]) + colour_columns(points.attributes) + \
        list(COMPUTED)


def colour_values(name: str, points, vectors: Vectors | None = None) -> tuple[np.ndarray, str]:
    """The values of colour-by choice ``name`` and their kind: "category", "ordinal" or "continuous".

    Floating-point attribute columns with more than ``MAX_ORDINAL`` distinct values are
    continuous; other numeric columns (a 1-5 rating, a size) are ordinal: drawn in their order
    on an ordered palette (:func:`workbench.theme.ordinal`), not on the qualitative one; text
    columns are categories.

    Examples
    --------
    >>> from workbench.viz.pipeline import load_points
    >>> pts = load_points("clothing-reviews", 5)
    >>> values, kind = colour_values("rating", pts)
    >>> kind, len(values)
    ('ordinal', 5)
    >>> colour_values("department", pts)[1]
    'category'
    """
    n = len(points.texts)
    if name == "label":
        return np.asarray(points.labels if points.labels is not None else ["all"] * n), "category"
    if name == "none":
        return np.asarray(["all"] * n), "category"
    if name in COMPUTED:
        if vectors is None:
            raise ValueError(f"colouring by {name!r} needs the vectors")
        return np.asarray(COMPUTED[name](vectors)), "continuous"
    if points.attributes is not None and name in points.attributes.columns:
        col = points.attributes[name]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        if numeric and pd.api.types.is_float_dtype(col) and col.nunique() > MAX_ORDINAL:
            return col.to_numpy(float), "continuous"
        if numeric and col.nunique() <= MAX_ORDINAL:
            return np.asarray([_number_text(v) for v in col], dtype=object), "ordinal"
        if numeric:
            return col.to_numpy(float), "continuous"
        return col.astype(str).to_numpy(), "category"
    raise ValueError(f"cannot colour by {name!r}; valid: {', '.join(colour_options(points))}")


def _number_text(value) -> str:
    """``4`` for 4 and 4.0, ``4.5`` for 4.5, ``nan`` for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "nan"
    f = float(value)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def label_agreement(X: np.ndarray, labels, k: int = 10) -> float:
    """Mean share of each point's ``k`` nearest neighbours that carry its label.

    Examples
    --------
    >>> X = np.array([[0.0, 0], [0, 1], [9, 9], [9, 8]])
    >>> label_agreement(X, ["a", "a", "b", "b"], k=1)
    1.0
    """
    labels = np.asarray(labels)
    k = min(k, len(X) - 1)
    ids = knn_graph(PreparedVectors(X, knn_sample=len(X)), k)[1]
    return float((labels[ids] == labels[:, None]).mean())


def diagnostics(X: np.ndarray, labels=None, *, sample: int = DIAGNOSTIC_SAMPLE, seed: int = 0) -> dict[str, float]:
    """A handful of numbers that summarise a configuration's vectors.

    Average cosine, IsoScore and effective rank use every row; TwoNN dimension, hubness
    and (with labels) 10-NN label agreement are estimated on ``sample`` random rows.
    A metric that is undefined for the data (e.g. constant vectors) is left out.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(300, 8))
    >>> d = diagnostics(X, labels=[0, 1] * 150)
    >>> d["n"], abs(d["average cosine"]) < 0.05, 0.3 < d["label agreement@10"] < 0.7
    (300, True, True)
    """
    X = check_vectors(X, min_rows=MIN_ROWS, min_dim=MIN_DIM)
    out: dict[str, float] = {"n": int(len(X)), "dim": int(X.shape[1])}
    rows = np.arange(len(X))
    if len(X) > sample:
        rows = np.sort(np.random.default_rng(seed).choice(len(X), sample, replace=False))
    spec = [("average cosine", lambda: geometry.average_cosine(X)["value"]),
            ("IsoScore", lambda: geometry.isoscore(X)),
            ("effective rank", lambda: geometry.effective_rank(X)),
            ("TwoNN dimension", lambda: geometry.twonn_dimension(X[rows], knn_sample=len(rows))),
            ("hubness (skew N10)", lambda: geometry.hubness(X[rows], knn_sample=len(rows)))]
    if labels is not None:
        labels = np.asarray(labels)
        spec.append(("label agreement@10", lambda: label_agreement(X[rows], labels[rows])))
    for name, fn in spec:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", geometry.GeometryWarning)
                out[name] = float(fn())
        except ValueError:
            continue
    return out
