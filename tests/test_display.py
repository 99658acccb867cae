"""Figures and panels in Jupyter: an HTML form for every figure, plotly.js once, static snapshots of widgets."""

from __future__ import annotations

import base64
import gzip
import json
import re

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from workbench import display


def test_figure_html_waits_for_plotly_and_loads_nothing():
    div = display.figure_html(go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="pts")))
    assert div.count("<script") == 1 and "src=" not in div and "https://" not in div
    assert re.search(r"\(window\.workbenchPlotly \|\| Promise\.resolve\(\)\)\.then\(function \(\) \{.*Plotly\.newPlot",
                     div, re.S)
    assert '"name":"pts"' in div


def test_plotlyjs_is_the_library_gzipped():
    from plotly.offline import get_plotlyjs

    page = display.plotlyjs_html()
    packed = re.search(r'atob\("([A-Za-z0-9+/=]+)"\)', page).group(1)
    assert gzip.decompress(base64.b64decode(packed)).decode("utf-8") == get_plotlyjs()
    assert len(page) < 0.45 * len(get_plotlyjs())


def test_setup_registers_the_renderer_and_the_widget_snapshot():
    ipywidgets = pytest.importorskip("ipywidgets")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    before = pio.renderers.default
    try:
        assert display.setup_notebook(shell)
        assert pio.renderers.default == display.DEFAULT_RENDERER
        bundle = pio.renderers[display.RENDERER].to_mimebundle(go.Figure(go.Bar(y=[1])).to_dict())
        assert list(bundle) == ["text/html"] and "plotly-graph-div" in bundle["text/html"]
        box = ipywidgets.HBox([ipywidgets.IntSlider(value=7, description="k"), ipywidgets.HTML("<i>note</i>")])
        data, _ = shell.display_formatter.format(box)
        assert "application/vnd.jupyter.widget-view+json" in data  # the live widget is kept
        assert "k: 7" in data["text/html"] and "<i>note</i>" in data["text/html"]
    finally:
        pio.renderers.default = before


def test_explorer_bundle_has_a_snapshot_with_its_figure_and_controls():
    from workbench.viz import Explorer

    ex = Explorer("pang-lee-polarity", model="glove-50d", models=["glove-50d"], max_points=40, colour_by="label")
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    snap = bundle["text/html"]
    assert "static snapshot" in snap and "colour by: label" in snap and "projection: pca" in snap
    assert snap.count('class="plotly-graph-div"') == 1 and "IsoScore" in snap


def test_large_map_snapshot_draws_the_same_points_with_plotly():
    pytest.importorskip("jscatter")
    from workbench.viz import Explorer

    ex = Explorer("pang-lee-polarity", model="glove-50d", models=["glove-50d"], max_points=40, renderer="jscatter")
    assert ex.renderer == "jscatter"
    snap = display.widget_html(ex.figure)
    assert snap.count('class="plotly-graph-div"') == 1
    from workbench.viz.widgets import plain_json

    n = sum(len(t.get("x", [])) for t in plain_json(json.loads(_figure_json(snap)))["data"])
    assert n == 40


def _figure_json(div: str) -> str:
    """The figure JSON inside a figure_html div (data and layout of Plotly.newPlot)."""
    call = re.search(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\]),\s*(\{.*\}),\s*\{"displaylogo"', div, re.S)
    return f'{{"data": {call.group(1)}, "layout": {call.group(2)}}}'


def test_plotlyjs_comes_with_the_first_figure_and_again_when_its_cell_reruns(monkeypatch):
    from types import SimpleNamespace

    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(kw.get("metadata")))
    monkeypatch.setattr(display, "_state", {**display._state, "plotlyjs_shown": False, "plotlyjs_cell": None})
    renderer = display._html_renderer()
    renderer.activate()                       # setting the default renderer at import shows nothing
    assert shown == []
    display._cell_started(SimpleNamespace(cell_id="a"))
    renderer.to_mimebundle(go.Figure(go.Bar(y=[1])).to_dict())
    renderer.to_mimebundle(go.Figure(go.Bar(y=[2])).to_dict())
    assert shown == [{"workbench": "plotly.js"}]  # once, before the first figure
    display._cell_started(SimpleNamespace(cell_id="b"))
    renderer.to_mimebundle(go.Figure(go.Bar(y=[3])).to_dict())
    assert len(shown) == 1
    display._cell_started(SimpleNamespace(cell_id="a"))  # its output is replaced: write it again
    renderer.to_mimebundle(go.Figure(go.Bar(y=[4])).to_dict())
    assert len(shown) == 2
