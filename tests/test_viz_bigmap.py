"""Large maps without a browser: renderer choice, selections as DataFrames, search and filter, the static page."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from workbench.viz import bigmap
from workbench.viz.explorer import Explorer
from workbench.viz.export import map_page

jscatter = pytest.importorskip("jscatter", reason='pip install "jupyter-scatter>=1.0"')


@pytest.fixture(scope="module")
def data():
    X, y = make_blobs(400, 12, centers=4, random_state=0)
    texts = [f"review {i} about {'fabric' if i % 5 == 0 else 'fit'}" for i in range(400)]
    attrs = pd.DataFrame({"rating": np.arange(400) % 5 + 1, "dept": np.where(np.arange(400) % 2, "Tops", "Dresses")})
    return X.astype(np.float32), y, texts, attrs


def test_choose_renderer_by_size_option_and_missing_package(monkeypatch):
    assert bigmap.choose_renderer(10) == "plotly" and bigmap.choose_renderer(bigmap.THRESHOLD + 1) == "jscatter"
    assert bigmap.choose_renderer(10, "jscatter") == "jscatter"
    with pytest.raises(ValueError, match="unknown renderer 'webgpu'; valid: auto, plotly, jscatter"):
        bigmap.choose_renderer(10, "webgpu")
    with pytest.raises(bigmap.TooManyPoints, match=r"6,000,000 points are more than the jscatter renderer draws "
                                                   r"\(5,000,000\).*explorer.sample\(5000000\)"):
        bigmap.choose_renderer(6_000_000)
    monkeypatch.setattr(bigmap, "installed", lambda r: r == "plotly")
    with pytest.warns(UserWarning, match=r'pip install "jupyter-scatter>=1.0"\. Drawing 60,000 points with plotly'):
        assert bigmap.choose_renderer(60_000) == "plotly"


def test_jscatter_selection_round_trip(data):
    X, y, texts, attrs = data
    ex = Explorer.from_vectors(X, labels=y, texts=texts, attributes=attrs, renderer="jscatter")
    assert ex.error.value == "" and ex.renderer == "jscatter" and type(ex.figure).__name__ == "JupyterScatter"
    empty = ex.selection
    assert len(empty) == 0 and list(empty.columns) == ["row", "text", "label", "rating", "dept", "x", "y",
                                                       "k-occurrence", "local dimension", "norm"]
    ex.select(y == 2)  # a mask, by code: the widget shows it
    assert sorted(np.asarray(ex.figure.selection).tolist()) == np.flatnonzero(y == 2).tolist()
    ex.figure.selection = np.array([5, 7, 9], dtype=np.uint32)  # what a lasso in the browser sends
    sel = ex.selection
    assert sel["row"].tolist() == [5, 7, 9] and sel["text"].tolist() == [texts[5], texts[7], texts[9]]
    np.testing.assert_allclose(sel[["x", "y"]].to_numpy(), ex.coords[[5, 7, 9]])
    np.testing.assert_allclose(sel["norm"], np.linalg.norm(X[[5, 7, 9]], axis=1), rtol=1e-5)
    assert "IsoScore" in ex.selection_panel.value and "nearest outside it" in ex.selection_panel.value
    with pytest.raises(ValueError, match="one entry per point: got 3 for 400"):
        ex.select(np.array([True, False, True]))


def test_find_fades_the_rest_in_both_renderers(data):
    X, y, texts, attrs = data
    for renderer in ("jscatter", "plotly"):
        ex = Explorer.from_vectors(X, labels=y, texts=texts, attributes=attrs, renderer=renderer)
        found = ex.find("FABRIC", dept="Dresses")
        expected = [i for i in range(400) if i % 5 == 0 and i % 2 == 0]
        assert found["row"].tolist() == expected and ex.match.sum() == len(expected)
        if renderer == "plotly":
            opacity = {int(r): o for t in ex.figure.data for r, o in zip(t.customdata, t.marker.opacity)}
            assert len(opacity) == 400
            assert all(opacity[r] == (1.0 if r in expected else bigmap.FADED) for r in range(400))
        else:
            assert ex.scatter.widget.opacity_by is not None
        assert len(ex.find(rating=lambda r: r >= 5)) == 80
        with pytest.raises(ValueError, match="cannot filter by 'colour'; columns: label, rating, dept"):
            ex.match_mask(colour="red")
        with pytest.raises(ValueError, match="needs the model that made them"):
            ex.match_mask("a query", semantic=True)
        ex.find()
        assert ex.match is None


def test_sample_and_too_many_points(data):
    X, y, texts, attrs = data
    ex = Explorer.from_vectors(X, labels=y, texts=texts, sample=100)
    assert len(ex.points) == 100 and ex.vectors.X.shape == (100, 12)
    np.testing.assert_array_equal(ex.vectors.X, X[ex.points.rows])
    assert ex.points.texts[0] == texts[ex.points.rows[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = Explorer.from_vectors(X, renderer="plotly", threshold=10)
    assert small.renderer == "plotly"


def test_map_page_is_self_contained(tmp_path, data):
    X, y, texts, _ = data
    path = map_page(X[:, :2], tmp_path / "m.html", colour=y.astype(str), texts=texts, title="blobs")
    head = path.read_text()
    assert "<title>blobs</title>" in head and '"bdata"' in head and "review 3 about fit" in head
    assert "<script src=\"http" not in head
    with pytest.raises(ValueError, match="texts has 3 entries but there are 400 points"):
        map_page(X[:, :2], tmp_path / "n.html", texts=texts[:3])
