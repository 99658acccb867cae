"""Standalone HTML pages and the ``workbench project`` command."""

import json
import re

import plotly.graph_objects as go
import pytest

from workbench.cli import main
from workbench.viz.export import write_html


def test_write_html_is_self_contained(tmp_path):
    fig = go.Figure(go.Scattergl(x=[1, 2, 3], y=[3, 1, 2], name="points"))
    out = write_html(fig, tmp_path / "sub" / "fig.html", title="three points")
    text = out.read_text(encoding="utf-8")
    assert "<title>three points</title>" in text
    assert not re.search(r"<script[^>]+src=", text)  # plotly.js is inlined: nothing to fetch
    assert "Plotly.newPlot" in text and '"name":"points"' in text
    assert not list(out.parent.glob(".tmp-*"))  # written atomically
    with pytest.raises(ValueError, match=r"\.html"):
        write_html(fig, tmp_path / "fig.png")


def test_project_command_writes_a_page(tmp_path, capsys):
    out = tmp_path / "pl.html"
    code = main(["project", "--model", "glove-50d", "--data", "pang-lee-polarity", "--method", "pca",
                 "--max-points", "40", "--colour-by", "norm", "--out", str(out), "--json"])
    assert code == 0
    info = json.loads(capsys.readouterr().out)
    assert info == {"out": str(out), "points": 40, "dim": 50, "method": "pca", "colour_by": "norm"}
    text = out.read_text(encoding="utf-8")
    assert "pang-lee-polarity: glove-50d" in text and '"colorbar"' in text


def test_project_command_errors(tmp_path, capsys):
    assert main(["project", "--model", "glove-50d", "--data", "pang-lee-polarity", "--colour-by", "speaker",
                 "--out", str(tmp_path / "a.html")]) == 2
    assert "cannot colour pang-lee-polarity by 'speaker'; valid: label" in capsys.readouterr().err
    assert main(["project", "--data", "nope", "--out", str(tmp_path / "a.html")]) == 2
    assert "unknown data set 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["project", "--data", "pang-lee-polarity", "--method", "mds", "--out", "a.html"])


def test_write_image_writes_png_svg_and_pdf(tmp_path):
    from workbench.images import find_chromium
    from workbench.viz.export import write_image

    if find_chromium() is None:
        pytest.skip("no system Chromium: apt-get install chromium")
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 3]), layout={"title": {"text": "two bars"}})
    paths = write_image(fig, tmp_path / "out" / "bars.png", formats=["png", "svg", "pdf"], width=400, height=300)
    assert [p.name for p in paths] == ["bars.png", "bars.svg", "bars.pdf"]
    png, svg, pdf = (p.read_bytes() for p in paths)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 400  # width from the IHDR chunk
    assert b"<svg" in svg[:200] and b"two bars" in svg
    assert pdf[:5] == b"%PDF-"
    assert not list((tmp_path / "out").glob(".tmp-*"))


def test_write_image_refuses_unknown_formats_and_a_missing_browser(tmp_path, monkeypatch):
    from workbench.viz.export import write_image

    fig = go.Figure(go.Bar(y=[1]))
    with pytest.raises(ValueError, match=r"cannot write a figure as 'gif'; accepted formats: png, svg, pdf"):
        write_image(fig, tmp_path / "f.gif")
    with pytest.raises(ValueError, match="accepted formats"):
        write_image(fig, tmp_path / "f", formats=["png", "jpeg"])
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    with pytest.raises(RuntimeError, match="apt-get install chromium"):
        write_image(fig, tmp_path / "f.png")
