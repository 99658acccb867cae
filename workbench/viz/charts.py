"""Charts beside the projections; every function returns a ``plotly.graph_objects.Figure``.

* :func:`layer_curves` -- a metric per layer, one line per pooling (from the tidy table of
  :func:`workbench.geometry.layerwise`), one panel per metric;
* :func:`layer_pooling_heatmap` -- one metric over layers x pooling modes;
* :func:`similarity_heatmap` -- cosine similarities of a set of vectors, grouped by label;
* :func:`spectrum_figure` -- explained-variance ratio per principal component and its
  cumulative sum (``geometry.explained_variance``);
* :func:`neighbour_frame` / :func:`neighbour_table` -- top-k neighbours as a DataFrame / table;
* :func:`critical_n_figure` -- critical n per dimension against the LIMIT paper's cubic
  (the table of ``workbench.limits.critical_n_curve``);
* :func:`pareto_chart` -- the configurations no other beats on both cost and quality
  (the front of :func:`workbench.experiments.pareto_front`);
* :func:`training_curves` -- loss and metrics per step or epoch.

Left out: projections and scatter plots (``figures.py``), interactivity (``widgets.py``).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import theme
from ..experiments.pareto import pareto_front
from .figures import require_plotly
from .polish import label_points, second_axis


def _subplots(rows: int, titles: Sequence[str], shared_x: bool = True):
    from ..packages import require  # noqa: PLC0415

    make_subplots = require("plotly.subplots", "viz", "charts").make_subplots
    return make_subplots(rows=rows, cols=1, shared_xaxes=shared_x, subplot_titles=list(titles),
                         vertical_spacing=min(0.12, 0.5 / max(rows, 1)))


def _need_columns(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what} needs columns {list(cols)}; missing {missing} (got {list(df.columns)})")


def layer_curves(table: pd.DataFrame, metrics: Sequence[str] | None = None, *, series: str = "pooling",
                 title: str | None = None):
    """One panel per metric (titled by the metric's name, with its own y axis and tick labels), a
    line per ``series`` value (default: pooling mode), layers on the x axis.

    Examples
    --------
    >>> t = pd.DataFrame({"layer": [0, 1, 0, 1], "pooling": ["mean"] * 4,
    ...                   "metric": ["a", "a", "b", "b"], "value": [1.0, 2.0, 3.0, 4.0]})
    >>> [(tr.name, tr.y.tolist()) for tr in layer_curves(t).data]
    [('mean', [1.0, 2.0]), ('mean', [3.0, 4.0])]
    """
    go = require_plotly()
    _need_columns(table, ["layer", series, "metric", "value"], "layer_curves")
    names = list(dict.fromkeys(table.metric)) if metrics is None else list(metrics)
    unknown = [m for m in names if m not in set(table.metric)]
    if unknown or not names:
        raise ValueError(f"metrics {unknown or names} are not in the table; it holds {sorted(set(table.metric))}")
    fig = _subplots(len(names), names)
    palette = theme.QUALITATIVE
    colours = {p: palette[i % len(palette)] for i, p in enumerate(dict.fromkeys(table[series]))}
    for row, metric in enumerate(names, start=1):
        part = table[table.metric == metric]
        for pooling, g in part.groupby(series, sort=False):
            g = g.sort_values("layer")
            fig.add_trace(go.Scatter(x=g.layer, y=g.value, mode="lines+markers", name=str(pooling),
                                     legendgroup=str(pooling), showlegend=row == 1,
                                     line=dict(color=colours[pooling])), row=row, col=1)
    fig.update_xaxes(title_text="layer", row=len(names), col=1)
    fig.update_yaxes(showticklabels=True)
    fig.update_layout(title=title, template=theme.template(), height=220 * len(names) + 80, legend_title=series)
    return fig


def layer_pooling_heatmap(table: pd.DataFrame, metric: str, *, title: str | None = None):
    """Heatmap of one metric over layers (x, in numeric order) and pooling modes (y, first at the
    top), the value printed in each cell ("n/a" where the metric is undefined, e.g. IsoScore of
    the constant ``[CLS]`` state of layer 0); signed metrics on the diverging scale centred at 0.

    Examples
    --------
    >>> t = pd.DataFrame({"layer": [0, 1, 0, 1], "pooling": ["cls", "cls", "mean", "mean"],
    ...                   "metric": ["a"] * 4, "value": [1.0, 2.0, 3.0, 4.0]})
    >>> layer_pooling_heatmap(t, "a").data[0].z.tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    >>> t["layer"] = [1, 0, 1, 0]
    >>> list(layer_pooling_heatmap(t, "a").data[0].x)
    ['0', '1']
    """
    go = require_plotly()
    _need_columns(table, ["layer", "pooling", "metric", "value"], "layer_pooling_heatmap")
    part = table[table.metric == metric]
    if part.empty:
        raise ValueError(f"metric {metric!r} is not in the table; it holds {sorted(set(table.metric))}")
    wide = part.pivot_table(index="pooling", columns="layer", values="value", aggfunc="mean", sort=False)
    wide = wide[sorted(wide.columns, key=lambda c: (float(c), str(c)) if _numeric(c) else (np.inf, str(c)))]
    z = wide.to_numpy(dtype=float)
    fig = go.Figure(go.Heatmap(z=z, x=[str(c) for c in wide.columns], y=[str(p) for p in wide.index],
                               **theme.scale_for(z, metric), colorbar=dict(title=dict(text=metric)),
                               text=[[f"{v:.3g}" if np.isfinite(v) else "n/a" for v in row] for row in z],
                               texttemplate="%{text}", hovertemplate="layer %{x}, %{y}: %{z:.4g}<extra></extra>"))
    fig.update_layout(title=title or metric, template=theme.template(), xaxis_title="layer", yaxis_title="pooling",
                      xaxis=dict(type="category", showgrid=False), yaxis=dict(type="category", autorange="reversed",
                                                                              showgrid=False))
    return fig


def _numeric(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def similarity_heatmap(X: Any, labels: Sequence | None = None, *, names: Sequence[str] | None = None,
                       title: str | None = None):
    """Cosine similarity of every pair of rows, rows grouped by label (stable within a label).

    Examples
    --------
    >>> fig = similarity_heatmap(np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]))
    >>> np.round(fig.data[0].z, 3).tolist()[0]
    [1.0, 0.0, 0.707]
    """
    go = require_plotly()
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) < 2:
        raise ValueError(f"X must be an (n, d) array with at least 2 rows, got shape {X.shape}")
    n = len(X)
    for what, seq in (("labels", labels), ("names", names)):
        if seq is not None and len(seq) != n:
            raise ValueError(f"{what} must have one entry per row ({n}), got {len(seq)}")
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    if (norms == 0).any():
        raise ValueError("X holds zero vectors; cosine similarity is undefined for them")
    order = np.argsort(np.asarray([str(v) for v in labels]), kind="stable") if labels is not None else np.arange(n)
    U = (X / norms)[order]
    ticks = [str(names[i]) if names is not None else (f"{labels[i]} #{i}" if labels is not None else str(i))
             for i in order]
    fig = go.Figure(go.Heatmap(z=U @ U.T, x=ticks, y=ticks, **{**theme.scale_for([-1.0, 1.0]), "zmin": -1, "zmax": 1},
                               colorbar=dict(title=dict(text="cosine")),
                               hovertemplate="%{y}<br>%{x}<br>cosine %{z:.3f}<extra></extra>"))
    fig.update_layout(title=title or f"Cosine similarity of {n} vectors", template=theme.template(),
                      xaxis=dict(showgrid=False), yaxis=dict(autorange="reversed", showgrid=False))
    return fig


def spectrum_figure(X: Any, *, top: int = 50, title: str | None = None):
    """Explained-variance ratio of the top principal components (bars) and its cumulative sum (line).

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(200, 4)) * [4.0, 2.0, 1.0, 0.5]
    >>> fig = spectrum_figure(X)
    >>> len(fig.data[0].y), round(float(fig.data[1].y[-1]), 6)
    (4, 1.0)
    """
    from .. import geometry  # noqa: PLC0415

    go = require_plotly()
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    ratios = geometry.explained_variance(X)[:top]
    comps = np.arange(1, len(ratios) + 1)
    fig = go.Figure([go.Bar(x=comps, y=ratios, name="explained variance ratio (left)",
                            marker_color=theme.QUALITATIVE[0]),
                     go.Scatter(x=comps, y=np.cumsum(ratios), mode="lines+markers", name="cumulative (right)",
                                yaxis="y2", line=dict(color=theme.QUALITATIVE[1]))])
    fig.update_layout(title=title or "Explained-variance spectrum", template=theme.template(),
                      xaxis_title="principal component", yaxis=dict(title="ratio", rangemode="tozero"),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0))
    second_axis(fig, title="cumulative", range=[0, 1.0001], dtick=0.2)
    return fig


def neighbour_frame(scores: Any, ids: Any, texts: Sequence[str], labels: Sequence | None = None,
                    *, chars: int = 100) -> pd.DataFrame:
    """Top-k neighbours of one query (1-d ``scores`` / ``ids`` as from ``exact_search``'s row).

    Examples
    --------
    >>> neighbour_frame([0.9, 0.5], [2, 0], ["a", "b", "c"]).to_dict("list")
    {'rank': [1, 2], 'row': [2, 0], 'score': [0.9, 0.5], 'text': ['c', 'a']}
    """
    scores, ids = np.asarray(scores, dtype=float).ravel(), np.asarray(ids, dtype=int).ravel()
    if scores.shape != ids.shape:
        raise ValueError(f"scores and ids differ in length: {len(scores)} vs {len(ids)}")
    keep = ids >= 0  # faiss pads with -1 when k exceeds the corpus
    scores, ids = scores[keep], ids[keep]
    if len(ids) and ids.max() >= len(texts):
        raise ValueError(f"ids hold rows outside 0..{len(texts) - 1}")
    out = {"rank": list(range(1, len(ids) + 1)), "row": ids.tolist(), "score": np.round(scores, 4).tolist()}
    if labels is not None:
        out["label"] = [labels[i] for i in ids]
    out["text"] = [" ".join(str(texts[i]).split())[:chars] for i in ids]
    return pd.DataFrame(out)


def neighbour_table(frame: pd.DataFrame, *, title: str | None = None):
    """A plotly table of :func:`neighbour_frame`'s output.

    Examples
    --------
    >>> neighbour_table(neighbour_frame([0.9], [0], ["a"])).data[0].header.values
    ('rank', 'row', 'score', 'text')
    """
    go = require_plotly()
    fig = go.Figure(go.Table(header=dict(values=list(frame.columns), align="left"),
                             cells=dict(values=[frame[c].tolist() for c in frame.columns], align="left")))
    fig.update_layout(title=title, margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    return fig


def critical_n_figure(curve: pd.DataFrame, *, title: str | None = None):
    """Critical n per dimension (median with the min-max range over seeds) and the paper's cubic.

    Examples
    --------
    >>> df = pd.DataFrame({"d": [4, 5], "median": [10.0, 14.0], "min": [9, 13], "max": [11, 15],
    ...                    "paper": [10.5, 14.2]})
    >>> [t.name for t in critical_n_figure(df).data]
    ['measured (median, min-max)', 'paper cubic']
    """
    go = require_plotly()
    _need_columns(curve, ["d", "median", "min", "max", "paper"], "critical_n_figure")
    err = dict(type="data", symmetric=False, array=curve["max"] - curve["median"],
               arrayminus=curve["median"] - curve["min"])
    fig = go.Figure([go.Scatter(x=curve.d, y=curve["median"], error_y=err, mode="markers+lines",
                                name="measured (median, min-max)"),
                     go.Scatter(x=curve.d, y=curve.paper, mode="lines", name="paper cubic",
                                line=dict(dash="dash"))])
    fig.update_layout(title=title or "Critical n: the largest corpus a free embedding of dimension d can order",
                      template=theme.template(), xaxis_title="dimension d", yaxis_title="critical n")
    return fig


def pareto_chart(df: pd.DataFrame, cost: str, quality: str, *, label: str | None = None, log_x: bool = False,
                 title: str | None = None):
    """Every configuration as a point, the Pareto front as a step line through the best ones.

    The front is :func:`workbench.experiments.pareto_front` (its tie rule: exact duplicates
    of a front point all stay on it), drawn in order of cost.

    Examples
    --------
    >>> df = pd.DataFrame({"bytes": [1, 2, 3], "ndcg": [0.5, 0.7, 0.6], "name": ["a", "b", "c"]})
    >>> list(pareto_chart(df, "bytes", "ndcg", label="name").data[1].text)
    ['a', 'b']
    """
    go = require_plotly()
    _need_columns(df, [cost, quality] + ([label] if label else []), "pareto_chart")
    front = np.flatnonzero(pareto_front(df[cost], df[quality]))
    front = front[np.lexsort((-df[quality].to_numpy(float)[front], df[cost].to_numpy(float)[front]))]
    text = df[label].astype(str).tolist() if label else None
    fig = go.Figure([go.Scatter(x=df[cost], y=df[quality], mode="markers", name="configuration", text=text,
                                marker=dict(color="lightslategrey", size=8)),
                     go.Scatter(x=df[cost].iloc[front], y=df[quality].iloc[front], mode="lines+markers+text",
                                name="Pareto front", line=dict(shape="hv", color="crimson"),
                                text=[text[i] for i in front] if text else None, textposition="top left")])
    fig.update_layout(title=title, template=theme.template(), xaxis_title=cost, yaxis_title=quality,
                      xaxis_type="log" if log_x else None)
    return label_points(fig)


def training_curves(history: pd.DataFrame | Mapping[str, Sequence[float]], *, x: str | None = None,
                    title: str | None = None):
    """One panel per logged quantity (loss, metrics) against ``x`` (a column; default the row number).

    Examples
    --------
    >>> fig = training_curves({"loss": [1.0, 0.5, 0.25], "accuracy": [0.1, 0.5, 0.8]})
    >>> [(t.name, list(t.x)) for t in fig.data]
    [('loss', [1, 2, 3]), ('accuracy', [1, 2, 3])]
    """
    go = require_plotly()
    df = pd.DataFrame(history)
    if df.empty:
        raise ValueError("history is empty: nothing to plot")
    if x is not None:
        _need_columns(df, [x], "training_curves")
    xs = df[x] if x is not None else pd.Series(np.arange(1, len(df) + 1))
    names = [c for c in df.columns if c != x and pd.api.types.is_numeric_dtype(df[c])]
    fig = _subplots(len(names), names)
    for row, name in enumerate(names, start=1):
        fig.add_trace(go.Scatter(x=xs.tolist(), y=df[name], mode="lines", name=name), row=row, col=1)
    fig.update_xaxes(title_text=x or "step", row=len(names), col=1)
    fig.update_layout(title=title, template=theme.template(), height=200 * len(names) + 80, showlegend=False)
    return fig
