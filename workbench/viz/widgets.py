"""Building blocks shared by the interactive panels: widget imports, error lines, tables, plain figure data.

The panels themselves are :class:`~workbench.viz.explorer.Explorer`,
:class:`~workbench.viz.neighbours.Neighbours` and :class:`~workbench.viz.compare.Compare`.
Left out: styling beyond a compact table.
"""

from __future__ import annotations

import base64
import html
from typing import Any, Sequence

import numpy as np


def require_widgets():
    """The ``ipywidgets`` and ``plotly.graph_objects`` modules, or an ImportError naming the extra to install."""
    from ..packages import require  # noqa: PLC0415

    return require("ipywidgets", "viz", "the panels"), require("plotly.graph_objects", "viz", "the panels")


def error_html(exc: BaseException) -> str:
    """One readable line for an exception (its message; the type only when it is not a ValueError).

    Examples
    --------
    >>> error_html(ValueError("labels must have 5 entries"))
    '<div style="color:#b00020"><b>Error:</b> labels must have 5 entries</div>'
    """
    text = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
    return f'<div style="color:#b00020"><b>Error:</b> {html.escape(text)}</div>'


def table_html(rows: dict[str, Any] | Any, *, header: Sequence[str] | None = None) -> str:
    """A small HTML table of a dict (metric -> value) or a DataFrame (floats to 4 digits).

    Examples
    --------
    >>> table_html({"n": 3})
    '<table class="wb-table"><tr><td>n</td><td>3</td></tr></table>'
    """
    def fmt(v):
        return f"{v:.4g}" if isinstance(v, (float, np.floating)) else html.escape(str(v))

    if isinstance(rows, dict):
        body = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{fmt(v)}</td></tr>" for k, v in rows.items())
    else:
        header = header or [rows.index.name or "", *map(str, rows.columns)]
        body = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in (idx, *vals)) + "</tr>"
                       for idx, vals in zip(rows.index, rows.itertuples(index=False)))
    head = "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>" if header else ""
    return f'<table class="wb-table">{head}{body}</table>'


def plain_json(obj: Any) -> Any:
    """A copy of a figure's JSON form with arrays -- numpy, or plotly's base64 ``{"dtype", "bdata"}``
    encoding -- and numpy scalars turned into Python lists and numbers.

    Examples
    --------
    >>> plain_json({"x": np.arange(2), "m": [{"c": np.float32(0.5)}], "y": {"dtype": "i1", "bdata": "AQI="}})
    {'x': [0, 1], 'm': [{'c': 0.5}], 'y': [1, 2]}
    """
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            if obj.get("shape"):
                arr = arr.reshape([int(s) for s in str(obj["shape"]).split(",")])
            return arr.tolist()
        return {k: plain_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain_json(v) for v in obj]
    if isinstance(obj, (np.ndarray, np.generic)):
        return obj.tolist()
    return obj


def declared_width(widget: Any) -> int:
    """The width in pixels a widget tree asks for: its own ``layout.width`` when set in px,
    else a figure's layout width, else the sum of a row's children (an ``HBox``) or the widest
    child (a ``VBox``/``Box``). 0 when nothing says.

    Examples
    --------
    >>> widgets, _ = require_widgets()
    >>> row = widgets.HBox([widgets.Dropdown(layout=widgets.Layout(width="230px"))] * 2)
    >>> declared_width(row), declared_width(widgets.VBox([row, widgets.HTML()]))
    (460, 460)
    """
    layout = getattr(widget, "layout", None)
    width = getattr(layout, "width", None)
    if isinstance(width, str) and width.endswith("px"):
        return int(float(width[:-2]))
    if isinstance(width, (int, float)):  # a plotly FigureWidget's layout
        return int(width)
    children = getattr(widget, "children", None) or ()
    sizes = [declared_width(c) for c in children]
    if not sizes:
        return 0
    return sum(sizes) if type(widget).__name__ == "HBox" else max(sizes)
