"""Finishing touches for plotly figures made elsewhere (``plotly.express`` in a notebook, or the
package's own charts): each function changes a figure in place and returns it.

* :func:`tidy_facets` -- facet titles without ``"name="``, tick labels on every panel whose
  axis is its own;
* :func:`log_axis` -- a log axis with a few labelled 1-2-5 ticks and no minor digits
  (:func:`workbench.theme.log_ticks`);
* :func:`label_points` -- point labels placed so that they do not collide
  (:func:`workbench.theme.place_labels`), and markers that are never clipped;
* :func:`reference_lines` -- one dashed level per series, in the series' colour, named in the
  legend (instead of overlapping text annotations);
* :func:`second_axis` -- a right-hand y axis with its own round ticks (not synced to the left
  axis's grid) and no second grid.

Left out: anything that changes the data drawn.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .. import theme


def tidy_facets(fig, *, independent_y: bool = True):
    """Facet titles read ``"average_cosine"``, not ``"metric=average_cosine"``; with
    ``independent_y`` every panel gets its own y range and y tick labels.

    Examples
    --------
    >>> import pandas as pd, plotly.express as px
    >>> df = pd.DataFrame({"x": [0, 1, 0, 1], "y": [1, 2, 30, 40], "metric": ["a", "a", "b", "b"]})
    >>> fig = tidy_facets(px.line(df, x="x", y="y", facet_col="metric"))
    >>> sorted(a.text for a in fig.layout.annotations), fig.layout.yaxis2.showticklabels
    (['a', 'b'], True)
    """
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]) if a.text and "=" in a.text else None)
    if independent_y:
        fig.update_yaxes(matches=None, showticklabels=True)
    return fig


def _values(fig, axis: str) -> np.ndarray:
    out = []
    for t in fig.data:
        v = getattr(t, axis, None)
        if v is not None:
            out.append(np.asarray(v, dtype=float).ravel())
    v = np.concatenate(out) if out else np.array([])
    return v[np.isfinite(v) & (v > 0)]


def log_axis(fig, axis: str = "x", *, values: Sequence[float] | None = None, ticks: Sequence[float] | None = None,
             pad: float = 0.05):
    """Make ``axis`` ("x" or "y", every such axis of the figure) logarithmic with labelled
    1-2-5 ticks over the data (or ``values``; or the given ``ticks``, e.g. the dimensions a
    sweep used), no minor tick digits, and ``pad`` of the range to spare on each side so that
    no marker sits on the edge.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = log_axis(go.Figure(go.Scatter(x=[32, 64, 128, 384], y=[1, 2, 3, 4])))
    >>> list(fig.layout.xaxis.tickvals), list(fig.layout.xaxis.ticktext)
    ([50.0, 100.0, 200.0], ['50', '100', '200'])
    >>> list(log_axis(fig, ticks=[32, 64, 128, 384]).layout.xaxis.ticktext)
    ['32', '64', '128', '384']
    """
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    v = np.asarray(values, dtype=float) if values is not None else _values(fig, axis)
    if not len(v):
        raise ValueError(f"no positive {axis} values to put on a log axis")
    lo, hi = float(v.min()), float(v.max())
    ticks = theme.log_ticks(lo, hi) if ticks is None else [float(t) for t in ticks]
    span = max(np.log10(hi) - np.log10(lo), 0.3)
    rng = [np.log10(lo) - pad * span - 0.02, np.log10(hi) + pad * span + 0.02]
    update = dict(type="log", tickmode="array", tickvals=ticks, ticktext=[theme.tick_text(t) for t in ticks],
                  range=rng, minor=dict(ticks="", showgrid=False))
    (fig.update_xaxes if axis == "x" else fig.update_yaxes)(**update)
    return fig


def label_points(fig, *, width: int | None = None, height: int | None = None):
    """Place the text labels of every marker trace so that they do not collide, and keep
    markers and labels from being clipped at the plot's edge.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = go.Figure(go.Scatter(x=[1, 5, 5.05, 9], y=[0, 1, 1, 2], mode="markers+text",
    ...                            text=["a", "int4", "int4+rescore", "b"]))
    >>> pos = label_points(fig).data[0].textposition
    >>> pos[1] != pos[2], fig.data[0].cliponaxis
    (True, False)
    """
    traces = [t for t in fig.data if getattr(t, "text", None) is not None and t.x is not None and t.y is not None
              and "text" in (t.mode or "text")]
    if not traces:
        return fig
    log_x = fig.layout.xaxis.type == "log"
    log_y = fig.layout.yaxis.type == "log"
    xs = np.concatenate([np.asarray(t.x, dtype=float) for t in traces])
    ys = np.concatenate([np.asarray(t.y, dtype=float) for t in traces])
    texts = [str(s) for t in traces for s in (t.text if not isinstance(t.text, str) else [t.text] * len(t.x))]
    w = (width or fig.layout.width or 700) - 160  # less the legend and margins
    h = (height or fig.layout.height or 450) - 160
    pos = theme.place_labels(xs, ys, texts, log_x=log_x, log_y=log_y, width=w, height=h)
    start = 0
    for t in traces:
        t.textposition = pos[start:start + len(t.x)]
        t.cliponaxis = False
        start += len(t.x)
    return fig


def reference_lines(fig, values: Mapping[str, float], *, label: str = "reference", dash: str = "dash"):
    """Draw ``values[name]`` as a dashed horizontal line across the x range of the trace named
    ``name``, in that trace's colour, named ``"{label}, {name}"`` in the legend; successive
    lines get ``dash``, then dotted and dash-dotted patterns, so equal levels stay apart.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = go.Figure(go.Scatter(x=[1, 2], y=[0.2, 0.4], name="a", line=dict(color="#0072B2")))
    >>> t = reference_lines(fig, {"a": 0.9}, label="BM25").data[-1]
    >>> t.name, list(t.y), t.line.color, t.line.dash
    ('BM25, a', [0.9, 0.9], '#0072B2', 'dash')
    """
    named = {t.name: t for t in fig.data}
    missing = [n for n in values if n not in named]
    if missing:
        raise ValueError(f"no trace named {missing}; the figure's traces are {list(named)}")
    dashes = [dash, "dot", "dashdot", "longdash"]  # levels that coincide stay distinguishable
    for i, (name, value) in enumerate(values.items()):
        t = named[name]
        x = np.asarray(t.x, dtype=float)
        colour = (t.line.color if t.line is not None and t.line.color else None) or \
            (t.marker.color if isinstance(getattr(t.marker, "color", None), str) else None)
        fig.add_scatter(x=[x.min(), x.max()], y=[value, value], mode="lines", name=f"{label}, {name}",
                        line=dict(dash=dashes[i % len(dashes)], color=colour, width=1.5),
                        legendgroup=t.legendgroup or name,
                        hovertemplate=f"{label}, {name}: {value:.3g}<extra></extra>")
    return fig


def second_axis(fig, *, title: str, range: Sequence[float] | None = None, dtick: float | None = None,
                tickformat: str | None = None):
    """Style the overlaying right-hand axis ``yaxis2``: its own ``range`` and round ticks (not
    synced to the left axis), no grid of its own, title ``title``.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = go.Figure(layout=dict(yaxis2=dict(overlaying="y", side="right")))
    >>> a = second_axis(fig, title="cumulative", range=[0, 1], dtick=0.2).layout.yaxis2
    >>> a.tickmode, a.dtick, a.showgrid, a.overlaying
    ('linear', 0.2, False, 'y')
    """
    update = dict(title=dict(text=title), overlaying="y", side="right", showgrid=False, zeroline=False,
                  tickmode="linear" if dtick is not None else "auto", showline=True)
    if range is not None:
        update["range"] = list(range)
    if dtick is not None:
        update.update(tick0=0, dtick=dtick)
    if tickformat is not None:
        update["tickformat"] = tickformat
    fig.update_layout(yaxis2=update)
    return fig
