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
