"""Scatter plots of embedding spaces; every function returns a ``plotly.graph_objects.Figure``.

* :func:`scatter` draws given 2-D / 3-D coordinates coloured by a category (one trace per
  value, so the legend toggles them) or by a number (one trace with a colour bar; NaN
  values in a grey "undefined" trace), with hover text and an optional highlighted subset
  and selection. Every trace carries the row index of each point in ``customdata``, which
  is how the widgets map a selection back to rows.
* :func:`view_figure` draws the points of a data set (texts, labels) at given coordinates,
  as the Explorer and the ``workbench project`` page show them;
* :func:`projection` projects vectors (:mod:`.projection`, cached) and calls :func:`scatter`.

Points are drawn with WebGL (``Scattergl``) so that 100,000 stay responsive. Other charts
(curves, heatmaps, spectra, tables) live in :mod:`.charts`; the interactive panels in
:mod:`.explorer`. Left out: static image export (plotly's ``write_image`` needs kaleido).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import theme
from .projection import PROJECTIONS, project

__all__ = ["PROJECTIONS", "axis_name", "project", "projection", "scatter", "view_figure"]

COLOURSCALE = theme.colourscale(theme.SEQUENTIAL)  # magnitudes; signed values get theme.DIVERGING
KINDS = ("auto", "category", "ordinal", "continuous")
HOVER_CHARS = 120  # hover texts are shortened to this many characters


def require_plotly():
    """``plotly.graph_objects``, or an error that names the ``viz`` extra to install.

    Examples
    --------
    >>> require_plotly().__name__
    'plotly.graph_objects'
    """
    from ..packages import require  # noqa: PLC0415

    return require("plotly.graph_objects", "viz", "figures")


def axis_name(method: str) -> str:
    """Axis title stem of a projection method.

    Examples
    --------
    >>> axis_name("tsne"), axis_name("umap")
    ('t-SNE', 'UMAP')
    """
    return "t-SNE" if method == "tsne" else method.upper()


def _short(texts: Sequence[str] | None, n: int) -> list[str] | None:
    if texts is None:
        return None
    if len(texts) != n:
        raise ValueError(f"hover must have one entry per row ({n}), got {len(texts)}")
    return [t if len(t) <= HOVER_CHARS else t[:HOVER_CHARS - 3] + "..." for t in map(str, texts)]


def colour_kind(values: Any) -> str:
    """``"continuous"`` for floating-point values, else ``"category"``.

    Examples
    --------
    >>> colour_kind([0.5, 1.5]), colour_kind(["a", "b"]), colour_kind([1, 2])
    ('continuous', 'category', 'category')
    """
    arr = np.asarray(values)
    return "continuous" if np.issubdtype(arr.dtype, np.floating) else "category"


def scatter(coords: Any, *, colour: Sequence | None = None, colour_name: str = "label", kind: str = "auto",
            hover: Sequence[str] | None = None, highlight: Sequence[int] | None = None,
            highlight_name: str = "highlighted", selected: Sequence[int] | None = None,
            title: str | None = None, axis: str = "dim"):
    """Scatter plot of given coordinates.

    Parameters
    ----------
    coords : (n, 2) or (n, 3) array
    colour : sequence, optional
        One value per row: categories (one trace each) or numbers (a colour bar).
    colour_name : str
        Legend / colour-bar title.
    kind : {"auto", "category", "ordinal", "continuous"}
        How to read ``colour``; "auto": floats are continuous, anything else categories.
        Categories get the theme's qualitative palette; "ordinal" values (a rating) one trace
        each in their natural order, coloured dark to light (``theme.ordinal``); continuous
        values the sequential scale, or the diverging one centred at 0 when they are signed.
    hover : sequence of str, optional
        Text shown when hovering a point (shortened to ``HOVER_CHARS``).
    highlight : sequence of int, optional
        Rows drawn again on top as large rings, in a trace named ``highlight_name``.
    selected : sequence of int, optional
        Rows marked as selected (the others are dimmed); 2-D only.
    title : str, optional
    axis : str
        Axis title stem, e.g. "PCA".

    Examples
    --------
    >>> fig = scatter(np.eye(3)[:, :2], colour=["a", "b", "a"], hover=["x", "y", "z"])
    >>> [(t.name, t.customdata.tolist()) for t in fig.data]
    [('a', [0, 2]), ('b', [1])]
    >>> fig = scatter(np.eye(3)[:, :2], colour=[5, 1, 3], kind="ordinal")
    >>> [(t.name, t.marker.color) for t in fig.data]
    [('1', '#440154'), ('3', '#2b758e'), ('5', '#6fce57')]
    """
    go = require_plotly()
    coords = np.asarray(coords, dtype=np.float64)
    if coords.ndim != 2 or coords.shape[1] not in (2, 3):
        raise ValueError(f"coords must be an (n, 2) or (n, 3) array, got shape {coords.shape}")
    n, dims = coords.shape
    colour = ["all"] * n if colour is None else colour
    if len(colour) != n:
        raise ValueError(f"colour values must have one entry per row ({n}), got {len(colour)}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}")
    kind = colour_kind(colour) if kind == "auto" else kind
    text = _short(hover, n)
    trace = go.Scattergl if dims == 2 else go.Scatter3d
    size = 5 if dims == 2 else 3

    def make(idx: np.ndarray, name: str, marker: dict, **extra):
        xyz = dict(x=coords[idx, 0], y=coords[idx, 1], **({"z": coords[idx, 2]} if dims == 3 else {}))
        return trace(mode="markers", name=name, customdata=idx, marker=marker,
                     text=[text[i] for i in idx] if text is not None else None,
                     hoverinfo="text" if text is not None else "x+y", **xyz, **extra)

    fig = go.Figure()
    if kind in ("category", "ordinal"):
        values = np.asarray([str(v) for v in colour], dtype=object)
        names = sorted(set(values.tolist()), key=natural_key)
        palette = theme.ordinal(len(names)) if kind == "ordinal" else \
            [theme.QUALITATIVE[i % len(theme.QUALITATIVE)] for i in range(len(names))]
        for value, c in zip(names, palette):
            fig.add_trace(make(np.flatnonzero(values == value), value, dict(size=size, opacity=0.75, color=c)))
    else:
        values = np.asarray(colour, dtype=np.float64)
        ok = np.isfinite(values)
        scale = theme.scale_for(values[ok], colour_name)
        limits = dict(cmin=scale["zmin"], cmax=scale["zmax"], **({"cmid": 0.0} if "zmid" in scale else {}))
        fig.add_trace(make(np.flatnonzero(ok), colour_name, dict(
            size=size, opacity=0.8, color=values[ok], colorscale=scale["colorscale"], showscale=True, **limits,
            colorbar=dict(title=dict(text=colour_name))), showlegend=False))
        if not ok.all():
            fig.add_trace(make(np.flatnonzero(~ok), "undefined", dict(size=size, color="lightgrey")))
    if selected is not None and dims == 2:  # 3-D traces have no selection state
        chosen = set(int(i) for i in selected)
        for t in fig.data:
            t.selectedpoints = [j for j, i in enumerate(t.customdata) if int(i) in chosen]
    if highlight is not None and len(highlight):
        idx = np.asarray(list(highlight), dtype=int)
        if idx.min() < 0 or idx.max() >= n:
            raise ValueError(f"highlight holds row indices outside 0..{n - 1}")
        fig.add_trace(make(idx, highlight_name, dict(size=3 * size, color="rgba(0,0,0,0)",
                                                     line=dict(width=2, color="crimson"))))
    fig.update_layout(title=title, template=theme.template(),
                      legend_title=colour_name if kind in ("category", "ordinal") else None,
                      dragmode="lasso" if dims == 2 else None, margin=dict(l=40, r=20, t=50, b=40))
    if dims == 2:
        fig.update_layout(xaxis_title=f"{axis} 1", yaxis_title=f"{axis} 2")
    else:
        fig.update_layout(scene=dict(xaxis_title=f"{axis} 1", yaxis_title=f"{axis} 2", zaxis_title=f"{axis} 3"))
    return fig


def natural_key(value: str):
    """Sort key that orders numeric strings by value ("2" before "10"), then text.

    Examples
    --------
    >>> sorted(["10", "b", "2", "a"], key=natural_key)
    ['2', '10', 'a', 'b']
    """
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def projection(X: np.ndarray, method: str = "pca", dims: int = 2, *, labels: Sequence | None = None,
               hover: Sequence[str] | None = None, colour: Sequence | None = None, colour_name: str = "value",
               title: str | None = None, seed: int = 0):
    """Scatter plot of a projection of ``X``: one trace per label, or coloured by a number.

    Parameters
    ----------
    X : (n, d) array
    method : {"pca", "tsne", "umap"}
        Projection (cached on disk by a key of the inputs; see :func:`project`).
    dims : {2, 3}
    labels : sequence, optional
        One label per row; each label becomes a trace (legend entry).
    hover : sequence of str, optional
        Text shown when hovering a point (long texts are shortened).
    colour : sequence of float, optional
        One number per row, drawn with a colour bar titled ``colour_name`` (instead of labels).
    title : str, optional
    seed : int

    Examples
    --------
    >>> fig = projection(np.random.default_rng(0).normal(size=(30, 8)), labels=[0, 1] * 15)
    >>> len(fig.data), fig.data[0].type
    (2, 'scattergl')
    """
    n = len(X) if hasattr(X, "__len__") else 0
    for name, seq in (("labels", labels), ("hover", hover), ("colour", colour)):
        if seq is not None and len(seq) != n:
            raise ValueError(f"labels, hover and colour must have one entry per row ({n}); {name} has {len(seq)}")
    if labels is not None and colour is not None:
        raise ValueError("give labels or colour, not both")
    coords = project(X, method, dims, seed=seed)
    if colour is not None:
        values, name, kind = colour, colour_name, "continuous"
    else:
        values, name, kind = labels, "label", "category"
    return scatter(coords, colour=values, colour_name=name, kind=kind, hover=hover, axis=axis_name(method),
                   title=title or f"{axis_name(method)} projection of {len(coords)} vectors")


def view_figure(points, coords: Any, colour: Sequence, *, kind: str = "auto", colour_name: str = "label",
                method: str = "pca", highlight: Sequence[int] | None = None, highlight_name: str = "highlighted",
                selected: Sequence[int] | None = None, title: str | None = None):
    """The figure of a data set's points (:class:`~workbench.viz.pipeline.Points`) at ``coords``.

    Hover shows ``[label] text``, and the colour value when it is a number.

    Examples
    --------
    >>> from workbench.viz.pipeline import load_points
    >>> pts = load_points("pang-lee-polarity", 6)
    >>> fig = view_figure(pts, np.arange(12.0).reshape(6, 2), pts.labels)
    >>> [t.name for t in fig.data], fig.data[0].text[0][:6]
    (['neg', 'pos'], '[neg] ')
    """
    labels, texts = points.labels, points.texts
    base = [f"[{lab}] {t}" for lab, t in zip(labels, texts)] if labels is not None else list(texts)
    kind = colour_kind(colour) if kind == "auto" else kind
    if kind == "continuous":
        hover = [f"{colour_name} = {v:.4g}<br>{h[:HOVER_CHARS - 20]}" for v, h in zip(colour, base)]
    else:
        hover = base
    return scatter(coords, colour=colour, colour_name=colour_name, kind=kind, hover=hover, highlight=highlight,
                   highlight_name=highlight_name, selected=selected, axis=axis_name(method),
                   title=title or f"{points.name}: {axis_name(method)} of {len(texts):,} points")
