"""The Explorer, Neighbours and Compare panels, driven by setting control values and clicking buttons."""

import html
from types import SimpleNamespace

import numpy as np
import pytest

from workbench.search import exact_search
from workbench.viz import colour
from workbench.viz.compare import Compare, neighbour_overlap
from workbench.viz.explorer import Explorer
from workbench.viz.neighbours import Neighbours


def points_of(fig):
    return sum(len(t.x) for t in fig.data if t.name != "highlighted" and not t.name.startswith("top "))


@pytest.fixture()
def glove_explorer(glove):
    return Explorer("pang-lee-polarity", model=glove, models=[glove], max_points=80)


def test_explorer_first_figure_table_and_colour_change(glove_explorer):
    ex = glove_explorer
    assert ex.error.value == ""
    assert [t.name for t in ex.figure.data] == ["neg", "pos"] and points_of(ex.figure) == 80
    assert ex.figure.data[0].text[0].startswith("[neg] ")
    assert "IsoScore" in ex.table.value and ex.diagnostics["n"] == 80
    before = dict(ex.counts)
    ex.controls["colour_by"].value = "k-occurrence"
    trace = ex.figure.data[0]
    np.testing.assert_array_equal(trace.marker.color, colour.k_occurrence(ex.vectors)[np.asarray(trace.customdata)])
    assert trace.marker.colorbar.title.text == "k-occurrence"
    assert ex.counts["colour"] == before["colour"] + 1
    assert {k: ex.counts[k] for k in ("data", "vectors", "post", "project")} == \
        {k: before[k] for k in ("data", "vectors", "post", "project")}  # no new vectors, no new projection


def test_explorer_pooling_postprocess_and_method_rerun_their_stages(glove_explorer):
    ex = glove_explorer
    x0 = np.asarray(ex.figure.data[0].x).copy()
    ex.controls["pooling"].value = "max"
    assert ex.counts["vectors"] == 2 and ex.error.value == ""
    assert not np.allclose(np.asarray(ex.figure.data[0].x), x0)
    cosine_before = ex.diagnostics["average cosine"]
    ex.controls["postprocess"].value = "center+normalize"
    np.testing.assert_allclose(np.linalg.norm(ex.vectors.X, axis=1), 1, rtol=1e-5)
    assert abs(ex.diagnostics["average cosine"]) < 0.05 < cosine_before  # centring removes the common direction
    assert ex.counts["vectors"] == 2 and ex.counts["post"] == 3
    ex.controls["dims"].value = 3
    assert ex.figure.data[0].type == "scatter3d" and ex.counts["project"] == 4 and ex.counts["vectors"] == 2


@pytest.mark.slow
def test_explorer_on_minilm_real_data(minilm):
    ex = Explorer("mini-newsgroups", model=minilm, models=[minilm], max_points=30, colour_by="label")
    assert ex.error.value == ""
    assert [v for _, v in ex.controls["layer"].options] == [-1, 0, 1, 2, 3, 4, 5, 6]
    assert ex.diagnostics["label agreement@10"] > 0.8  # two newsgroups, well separated by MiniLM
    ex.controls["colour_by"].value = "norm"
    rows = np.asarray(ex.figure.data[0].customdata)
    np.testing.assert_allclose(ex.figure.data[0].marker.color, np.linalg.norm(ex.vectors.raw, axis=1)[rows], rtol=1e-5)
    ex.controls["layer"].value = 0
    assert ex.counts["vectors"] == 2 and ex.error.value == "" and ex.diagnostics["label agreement@10"] < 0.95


@pytest.mark.parametrize("kwargs, message", [
    (dict(X=np.zeros(6)), "must be a 2-d (n, d) array of row vectors, got shape (6,)"),
    (dict(X=np.ones((1, 4))), "needs at least 3 rows (vectors) for a 2-d projection, got 1"),
    (dict(X=np.random.default_rng(0).normal(size=(5, 3)), labels=[1, 2]), "labels has 2 entries but X has 5 rows"),
])
def test_explorer_bad_vectors_show_an_error_not_a_traceback(kwargs, message):
    ex = Explorer.from_vectors(kwargs.pop("X"), **kwargs)
    assert message in html.unescape(ex.error.value) and "Traceback" not in ex.error.value
    assert len(ex.figure.data) == 0


def test_explorer_unknown_method_and_recovery():
    X = np.random.default_rng(0).normal(size=(40, 5))
    ex = Explorer.from_vectors(X, labels=["a", "b"] * 20, method="mds")
    assert "unknown projection 'mds'; valid: pca, tsne, umap" in html.unescape(ex.error.value)
    ex.controls["method"].value = "pca"
    assert ex.error.value == "" and points_of(ex.figure) == 40


def test_explorer_selection_callback_maps_traces_to_rows(glove_explorer):
    ex = glove_explorer
    got = []
    ex.on_select(lambda _, rows: got.append(rows))
    t0, t1 = ex.figure.data[0], ex.figure.data[1]
    ex._on_selection(t0, SimpleNamespace(point_inds=[0, 2]), None)
    ex._on_selection(t1, SimpleNamespace(point_inds=[1]), None)
    expected = sorted([int(t0.customdata[0]), int(t0.customdata[2]), int(t1.customdata[1])])
    assert got[-1] == expected and ex.selected == expected
    assert list(t0.selectedpoints) == [0, 2] and list(t1.selectedpoints) == [1]


def test_neighbours_search_button_and_highlight(glove):
    nb = Neighbours(data="pang-lee-polarity", model=glove, models=[glove], max_points=80, k=5)
    nb.query.value = ""
    nb.button.click()
    assert "type a query first" in nb.error.value
    nb.query.value = "a dull and boring film"
    assert nb.error.value == "" and len(nb.results) == 5
    ex = nb.explorer
    q = ex.transform(glove.encode(["a dull and boring film"], normalize=False))
    scores, ids = exact_search(q, ex.vectors.X, k=5)
    assert nb.results.row.tolist() == ids[0].tolist()
    np.testing.assert_allclose(nb.results.score, scores[0], atol=1e-4)
    assert ex.figure.data[-1].name == "top 5 for the query"
    assert list(ex.figure.data[-1].customdata) == ids[0].tolist()
    ex.controls["colour_by"].value = "norm"  # recolouring keeps the highlighted neighbours
    assert ex.figure.data[-1].name == "top 5 for the query"


def test_compare_linked_selection_and_metric_difference(glove):
    cmp = Compare("pang-lee-polarity", left=dict(model=glove), right=dict(model=glove, pooling="max"),
                  models=[glove], max_points=60)
    assert cmp.error.value == ""
    f = cmp.frame
    np.testing.assert_allclose(f["difference"], f["right"] - f["left"])
    assert 0 < cmp.overlap["all"] < 1
    t = cmp.left.figure.data[0]
    cmp.left._on_selection(t, SimpleNamespace(point_inds=[0, 1, 2]), None)  # a lasso in the left figure
    rows = sorted(int(i) for i in t.customdata[:3])
    assert cmp.right.selected == rows and "selected" in cmp.overlap
    chosen = [int(i) for tr in cmp.right.figure.data for j, i in enumerate(tr.customdata)
              if tr.selectedpoints is not None and j in tr.selectedpoints]
    assert sorted(chosen) == rows
    cmp.right.controls["pooling"].value = "mean"  # identical configurations: every neighbourhood agrees
    assert cmp.overlap["all"] == 1.0 and np.allclose(cmp.frame["difference"].fillna(0), 0)


def test_neighbour_overlap_known_answer():
    a = np.array([[1, 2, 3], [0, 2, 3]])
    b = np.array([[3, 2, 1], [4, 5, 6]])
    assert neighbour_overlap(a, b).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="same"):
        neighbour_overlap(a, b[:, :2])
