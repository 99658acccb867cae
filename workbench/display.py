"""How figures and panels show in Jupyter, and what of them survives an export to HTML.

Inside a Jupyter kernel, ``import workbench`` calls :func:`setup_notebook`, which

* makes plotly figures display as two representations: plotly's own
  (``application/vnd.plotly.v1+json``, drawn interactively by JupyterLab) and ``text/html``
  (a ``<div>`` and the script that draws it, kept by ``jupyter nbconvert --to html``).
  The plotly.js library (4.8 MB; 2 MB gzipped and base64-encoded) is written into the
  notebook once, just before the first figure (not at import, so a notebook without figures
  carries none of it), not per figure and not fetched from a CDN, so an exported page draws
  every figure offline. Rerunning the cell that carried it writes it again, since its old
  output is gone. Nothing else is loaded from the network (MathJax is left out of the figures);
* gives every ipywidgets panel a static snapshot (``text/html``: controls as text,
  tables, figures, captured outputs) beside the live widget, for readers of an export or of
  a notebook whose widget state was not saved (the panels carry a 5 MB JavaScript bundle
  each, so the state is not worth saving; see :mod:`workbench.viz.notebook_html`).

Outside a kernel nothing changes. Left out: snapshots of widgets from other libraries
beyond their name (a panel can register its own with :func:`register_snapshot`).
"""

from __future__ import annotations

import base64
import html
import re
from functools import lru_cache
from typing import Any, Callable

RENDERER = "workbench_html"  # the name of the text/html renderer in plotly.io.renderers
DEFAULT_RENDERER = f"plotly_mimetype+{RENDERER}"
PLOTLY_CONFIG = {"displaylogo": False}

# plotlyjs_cell: the id of the cell whose output carries plotly.js (None: not shown yet);
# cell: the id of the cell running now (from IPython's pre_run_cell event)
_state = {"plotlyjs_shown": False, "plotlyjs_cell": None, "cell": None, "formatter": False, "hook": False}


_OPEN = '<script type="text/javascript">'
_READY = "window.workbenchPlotly"  # a promise of plotly.js, set by the script of plotlyjs_html()


def figure_html(fig: Any) -> str:
    """A figure (plotly figure, ``FigureWidget`` or dict) as an HTML ``<div>`` plus the script that draws it.

    The script waits for plotly.js, which :func:`plotlyjs_html` puts on the page once, and
    loads nothing from the network.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> div = figure_html(go.Figure(go.Bar(y=[1, 2])))
    >>> div.startswith("<div"), "Plotly.newPlot" in div, "https://" in div
    (True, True, False)
    """
    import plotly.io as pio  # noqa: PLC0415

    if hasattr(fig, "to_dict"):
        fig = fig.to_dict()
    div = pio.to_html(fig, include_plotlyjs=False, include_mathjax=False, full_html=False,
                      config=PLOTLY_CONFIG, default_width="100%", default_height=525, validate=False)
    parts = re.fullmatch(r"(?s)(.*?<script[^>]*>)(.*)(</script>\s*</div>\s*)", div)
    if parts and div.count("<script") == 1:  # draw once plotly.js is ready
        head, body, tail = parts.groups()
        div = f"{head}({_READY} || Promise.resolve()).then(function () {{{body}}});{tail}"
    return div


@lru_cache(maxsize=1)
def plotlyjs_html() -> str:
    """plotly.js, gzipped and base64-encoded, as one inline ``<script>`` (about 2 MB instead of 4.8 MB).

    The script unpacks the library in the browser (``DecompressionStream``: Chromium 80+,
    Firefox 113+, Safari 16.4+) and sets ``window.workbenchPlotly`` to a promise that the
    figures of :func:`figure_html` wait for. Nothing is fetched from the network.

    Examples
    --------
    >>> page = plotlyjs_html()
    >>> page.startswith("<script"), 1_000_000 < len(page) < 3_000_000, "src=" in page
    (True, True, False)
    """
    import gzip  # noqa: PLC0415

    from plotly.offline import get_plotlyjs  # noqa: PLC0415

    packed = base64.b64encode(gzip.compress(get_plotlyjs().encode("utf-8"), 9, mtime=0)).decode("ascii")
    return (f"{_OPEN}window.PlotlyConfig = {{MathJaxConfig: 'local'}};\n"
            f"if (!window.Plotly && !{_READY}) {{\n"
            f'  const packed = Uint8Array.from(atob("{packed}"), (c) => c.charCodeAt(0));\n'
            f"  {_READY} = new Response(new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip')))\n"
            "    .text().then(function (code) {\n"
            "      const s = document.createElement('script'); s.text = code; document.head.appendChild(s);\n"
            "      return window.Plotly;\n"
            "    });\n"
            "}</script>")


def show_plotlyjs() -> None:
    """Display plotly.js in the notebook once (later calls do nothing until the cell that carried it reruns)."""
    if _state["plotlyjs_shown"]:
        return
    from IPython.display import HTML, display  # noqa: PLC0415

    _state["plotlyjs_shown"] = True
    _state["plotlyjs_cell"] = _state["cell"]
    display(HTML(plotlyjs_html()), metadata={"workbench": "plotly.js"})


def _html_renderer():
    from plotly.io.base_renderers import MimetypeRenderer  # noqa: PLC0415

    class OfflineHtmlRenderer(MimetypeRenderer):
        """text/html of a figure without plotly.js; the library is shown once, before the first figure."""

        def to_mimebundle(self, fig_dict):
            show_plotlyjs()
            return {"text/html": figure_html(fig_dict)}

    return OfflineHtmlRenderer()


def register_snapshot(widget: Any, snapshot: Callable[[], str]) -> None:
    """Let ``snapshot()`` (HTML) stand for ``widget`` in static snapshots (a WebGL map drawn as a plotly figure)."""
    widget._workbench_snapshot = snapshot


def _control_html(w: Any) -> str:
    desc = html.escape(str(getattr(w, "description", "") or ""))
    value = getattr(w, "label", None) if hasattr(w, "options") else None
    value = getattr(w, "value", "") if value is None else value
    text = f"{desc}: {value}" if desc else str(value)
    return f'<span style="margin:2px 8px 2px 0;padding:2px 6px;border:1px solid #ccc">{html.escape(text)}</span>'


def _output_html(outputs: Any) -> str:
    parts = []
    for out in outputs:
        data = out.get("data", {}) if isinstance(out, dict) else {}
        if out.get("output_type") == "stream":
            parts.append(f"<pre>{html.escape(out.get('text', ''))}</pre>")
        elif "text/html" in data:
            parts.append(data["text/html"])
        elif "image/png" in data:
            parts.append(f'<img src="data:image/png;base64,{data["image/png"]}" />')
        elif "text/plain" in data:
            parts.append(f"<pre>{html.escape(data['text/plain'])}</pre>")
    return "".join(parts)


def widget_html(widget: Any) -> str:
    """A static HTML snapshot of an ipywidgets tree: boxes as rows/columns, controls as text,
    HTML as itself, plotly ``FigureWidget`` as a figure, ``Output`` as its captured outputs.

    Examples
    --------
    >>> import ipywidgets as w
    >>> box = w.VBox([w.Dropdown(description="model", options=["a", "b"], value="b"), w.HTML("<b>hi</b>")])
    >>> snap = widget_html(box)
    >>> "model: b" in snap, "<b>hi</b>" in snap
    (True, True)
    """
    own = getattr(widget, "_workbench_snapshot", None)
    if own is not None:
        return own()
    layout = getattr(widget, "layout", None)
    if layout is not None and getattr(layout, "display", None) == "none":
        return ""
    name = type(widget).__name__
    if hasattr(widget, "_data_objs") and hasattr(widget, "to_dict"):  # a plotly FigureWidget
        return figure_html(widget)
    if name == "Output":
        return _output_html(widget.outputs)
    if hasattr(widget, "children"):
        direction = "row" if name == "HBox" else "column"
        inner = "".join(widget_html(c) for c in widget.children)
        return (f'<div style="display:flex;flex-direction:{direction};flex-wrap:wrap;gap:4px;'
                f'align-items:flex-start">{inner}</div>')
    if name in ("HTML", "HTMLMath"):
        return f"<div>{widget.value}</div>"
    if name == "Label":
        return f"<div>{html.escape(str(widget.value))}</div>"
    if name == "Button":
        return f'<span style="padding:2px 6px;border:1px solid #888">{html.escape(widget.description)}</span>'
    if name == "Image":
        fmt = getattr(widget, "format", "png")
        return f'<img src="data:image/{fmt};base64,{base64.b64encode(widget.value).decode()}" />'
    if name == "Password":  # never written into a notebook
        return f'<span>{html.escape(str(widget.description or "password"))}: ****</span>'
    if hasattr(widget, "value"):
        return _control_html(widget)
    return f"<div><i>[{html.escape(name)}: interactive; run the notebook to use it]</i></div>"


def snapshot_html(widget: Any) -> str:
    """:func:`widget_html` framed as a snapshot, with a line saying so (plotly.js shown first if needed)."""
    show_plotlyjs()
    return ('<div class="wb-snapshot" style="border:1px dashed #bbb;padding:6px">'
            '<div style="color:#666;font-size:90%">static snapshot of an interactive panel '
            '(run the notebook to use it)</div>' + widget_html(widget) + "</div>")


def widget_bundle(widget: Any, **kwargs: Any) -> dict:
    """The widget's own display bundle plus a ``text/html`` snapshot for exports."""
    bundle = dict(widget._repr_mimebundle_(**kwargs) or {})
    try:
        bundle["text/html"] = snapshot_html(widget)
    except Exception as exc:  # noqa: BLE001 - a snapshot must never break the live widget
        reason = html.escape(f"{type(exc).__name__}: {exc}")
        bundle["text/html"] = f"<div><i>no static snapshot: {reason}</i></div>"
    return bundle


def setup_notebook(shell: Any = None) -> bool:
    """Make figures and widgets survive export (see the module text); returns whether it ran.

    Runs only in a Jupyter kernel (or for the ``shell`` given); idempotent.

    Examples
    --------
    >>> setup_notebook()     # a doctest is no kernel
    False
    """
    if shell is None:
        from .progress import in_notebook  # noqa: PLC0415

        if not in_notebook():
            return False
        from IPython import get_ipython  # noqa: PLC0415

        shell = get_ipython()
    try:
        import plotly.io as pio  # noqa: PLC0415
    except ImportError:  # no viz extra: nothing to draw
        return False
    if RENDERER not in pio.renderers:
        pio.renderers[RENDERER] = _html_renderer()
    if pio.renderers.default != DEFAULT_RENDERER:
        pio.renderers.default = DEFAULT_RENDERER
    if not _state["hook"] and hasattr(shell, "events"):
        shell.events.register("pre_run_cell", _cell_started)
        _state["hook"] = True
    if not _state["formatter"]:
        formatter = shell.display_formatter.mimebundle_formatter
        formatter.for_type_by_name("ipywidgets.widgets.widget", "Widget", _widget_formatter)
        _state["formatter"] = True
    return True


def _cell_started(info: Any = None) -> None:
    """Remember the running cell; its rerun clears its outputs, so plotly.js must be written again."""
    cell = getattr(info, "cell_id", None)
    _state["cell"] = cell
    if cell is not None and cell == _state["plotlyjs_cell"]:
        _state["plotlyjs_shown"] = False


def _widget_formatter(widget: Any, include: Any = None, exclude: Any = None) -> dict:
    return widget_bundle(widget, include=include, exclude=exclude)
