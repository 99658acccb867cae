"""Drawing large maps: which renderer draws how many points, and the WebGL scatter widget for big sets.

Two renderers draw the Explorer's map:

* ``"plotly"`` -- plotly's ``scattergl`` in a ``FigureWidget``: every point's coordinates
  and hover text travel to the browser as JSON; fine for small sets and static figures,
  slow to first render past about ``THRESHOLD`` points and impractical past
  ``LIMITS["plotly"]``;
* ``"jscatter"`` -- jupyter-scatter (regl-scatterplot in an anywidget): only the
  coordinates and one colour / opacity value per point travel, as binary arrays; the text
  of a point is fetched from the kernel when its tooltip opens. It draws a million points
  with lasso selection, zoom and pan.

``renderer="auto"`` picks ``"jscatter"`` above ``THRESHOLD`` points and plotly below.
``benchmarks/bench_viz_browser.py`` measures the candidates in JupyterLab (headless
Chromium, software WebGL). In one run on a shared two-core machine, time to first render
at 100,000 / 1,000,000 points: jupyter-scatter 22 s / 54 s, embedding-atlas 18 s / 23 s,
plotly ``scattergl`` 47 s / 110 s; browser heap 64 / 189 MB, 67 / 101 MB, 122 / 723 MB.
embedding-atlas drew first, but its selection is a SQL predicate over its own DuckDB copy
of the data and it brings a server stack (duckdb, fastapi, litellm, openai, boto3) into
the environment; jupyter-scatter syncs the selected row indices to the kernel, takes a
per-point opacity for fading, and needs only anywidget -- it is the renderer here, and
embedding-atlas stays a measured peer. A renderer whose package is not
installed falls back to plotly with a warning that gives the pip command and the size
plotly copes with; more points than the chosen renderer draws raise :class:`TooManyPoints`,
whose message offers to sample. :func:`scatter_map` builds the jupyter-scatter widget of a
map; :func:`fade` dims non-matching points of a plotly figure.
"""

from __future__ import annotations

import importlib.util
import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import theme
from .figures import natural_key

RENDERERS = ("plotly", "jscatter")
THRESHOLD = 50_000  # "auto" draws more points than this with jupyter-scatter
LIMITS = {"plotly": 200_000, "jscatter": 5_000_000}  # the most points each renderer is asked to draw
INSTALL = {"jscatter": 'pip install "jupyter-scatter>=1.0"'}
FADED = 0.08  # opacity of points that do not match a search or filter


class TooManyPoints(ValueError):
    """More points than the chosen renderer draws; the message says how to sample them."""


def installed(renderer: str) -> bool:
    """Whether a renderer's package can be imported (without importing it).

    Examples
    --------
    >>> installed("plotly")
    True
    """
    return importlib.util.find_spec("plotly" if renderer == "plotly" else "jscatter") is not None


def choose_renderer(n: int, renderer: str = "auto", *, threshold: int = THRESHOLD) -> str:
    """The renderer that draws ``n`` points: ``renderer``, or by size when ``"auto"``.

    Examples
    --------
    >>> choose_renderer(1_000), choose_renderer(2_000_000, "auto", threshold=10)
    ('plotly', 'jscatter')
    >>> choose_renderer(300_000, "plotly")
    Traceback (most recent call last):
    ...
    workbench.viz.bigmap.TooManyPoints: 300,000 points are more than the plotly renderer draws (200,000): ...
    """
    if renderer not in ("auto", *RENDERERS):
        raise ValueError(f"unknown renderer {renderer!r}; valid: auto, {', '.join(RENDERERS)}")
    want = renderer if renderer != "auto" else ("jscatter" if n > threshold else "plotly")
    if want != "plotly" and not installed(want):
        warnings.warn(f"the {want} renderer needs jupyter-scatter, which is not installed: {INSTALL[want]}. "
                      f"Drawing {n:,} points with plotly instead, which slows down past {THRESHOLD:,} points "
                      f"and stops at {LIMITS['plotly']:,}.", UserWarning, stacklevel=3)
        want = "plotly"
    if n > LIMITS[want]:
        other = [r for r in RENDERERS if LIMITS[r] >= n and r != want]
        hint = f"use renderer={other[0]!r} ({INSTALL[other[0]]}), or " if other else ""
        raise TooManyPoints(f"{n:,} points are more than the {want} renderer draws ({LIMITS[want]:,}): {hint}"
                            f"draw a sample: Explorer(..., sample={LIMITS[want]}) or explorer.sample({LIMITS[want]})")
    return want


def map_frame(coords: np.ndarray, values: Sequence, kind: str, colour_name: str, texts: Sequence[str],
              match: np.ndarray | None = None) -> pd.DataFrame:
    """The columns jupyter-scatter draws from: x, y, the colour (categorical or float), the text, and
    ``opacity`` (1 for matches of a search or filter, ``FADED`` for the rest).

    Examples
    --------
    >>> match = np.array([1, 0, 0], bool)
    >>> f = map_frame(np.zeros((3, 2)), ["a", "b", "a"], "category", "label", ["x", "y", "z"], match)
    >>> f["label"].dtype.name, [round(v, 2) for v in f["opacity"]]
    ('category', [1.0, 0.08, 0.08])
    """
    n = len(coords)
    if kind == "ordinal":  # categories in their natural order (a rating: 1 < 2 < ... < 5)
        text = [str(v) for v in values]
        colour = pd.Categorical(text, categories=sorted(set(text), key=natural_key), ordered=True)
    elif kind == "category":
        colour = pd.Categorical([str(v) for v in values])
    else:
        colour = np.asarray(values, dtype=np.float32)
    frame = pd.DataFrame({"x": np.asarray(coords[:, 0], np.float32), "y": np.asarray(coords[:, 1], np.float32),
                          colour_name: colour})
    frame["text"] = pd.Series(texts, dtype=object) if len(texts) == n else ""
    frame["opacity"] = np.ones(n, np.float32) if match is None else np.where(match, 1.0, FADED).astype(np.float32)
    return frame


def scatter_map(frame: pd.DataFrame, colour_name: str, kind: str, *, selected: Sequence[int] | None = None,
                size: tuple[int, int] = (720, 520), faded: bool = False):
    """A jupyter-scatter ``Scatter`` of ``frame`` (see :func:`map_frame`): coloured by ``colour_name``,
    tooltips with the text, lasso selection, zoom and pan; ``faded`` draws each point at its ``opacity``."""
    from ..packages import require  # noqa: PLC0415

    jscatter = require("jscatter", "viz", "the large-map renderer (jupyter-scatter)")
    n = len(frame)
    point_size = 4 if n <= 10_000 else 2 if n <= 200_000 else 1
    kwargs: dict[str, Any] = dict(data=frame, x="x", y="y", color_by=colour_name, size=point_size,
                                  tooltip=True, tooltip_properties=["text", colour_name],
                                  width=size[0], height=size[1], lasso_initiator=False,
                                  legend=kind in ("category", "ordinal"))
    if kind == "ordinal":
        kwargs["color_map"] = theme.ordinal(len(frame[colour_name].cat.categories))
    elif kind != "category":
        kwargs["color_map"] = "viridis"
    if faded:
        kwargs.update(opacity_by="opacity", opacity_map=[FADED, 1.0])
    scatter = jscatter.Scatter(**kwargs)
    if selected:
        scatter.selection(np.asarray(selected, dtype=np.int64))
    return scatter


def fade(fig, match: np.ndarray) -> None:
    """Dim the points of a plotly figure whose row (``customdata``) does not match (in place).

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = go.Figure(go.Scattergl(x=[0, 1], y=[0, 1], customdata=[0, 1], marker=dict(opacity=0.75)))
    >>> fade(fig, np.array([True, False]))
    >>> list(fig.data[0].marker.opacity)
    [1.0, 0.08]
    """
    for t in fig.data:
        if t.customdata is None or t.type not in ("scattergl", "scatter3d"):
            continue
        rows = np.asarray(t.customdata, dtype=np.int64)
        t.marker.opacity = np.where(match[rows], 1.0, FADED).tolist()
