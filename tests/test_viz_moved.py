"""The what-moved panel (ranked table linked to two aligned maps) and stepping through checkpoints, no browser."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import make_blobs

pytest.importorskip("ipywidgets")

from workbench.maps import knn_ids, step_maps  # noqa: E402
from workbench.viz.moved import WhatMoved  # noqa: E402
from workbench.viz.steps import StepViewer, steps_figure  # noqa: E402


@pytest.fixture(scope="module")
def planted():
    X, y = make_blobs(150, 16, centers=3, cluster_std=1.5, random_state=1)
    rng = np.random.default_rng(0)
    moved = rng.choice(150, 8, replace=False)
    B = X.copy()
    B[moved] = rng.normal(scale=10, size=(8, 16))
    return X, B, moved, [f"item {i}" for i in range(150)]


def test_choosing_a_row_rings_the_item_and_its_neighbours_in_both_maps(planted):
    X, B, moved, texts = planted
    wm = WhatMoved(X, B, texts=texts, names=("before", "after"), k=6)
    assert set(wm.ranking["row"].head(8)) == set(moved.tolist())  # the planted moves lead the ranking
    top = int(wm.ranking["row"].iloc[0])
    assert wm.table.value == top and wm.chosen == top  # the first row is chosen from the start
    row = int(moved[3])
    wm.table.value = row  # a click in the list
    rings = wm.highlighted()
    ia, ib = knn_ids(X, 6), knn_ids(B, 6)
    assert rings["before"] == {"item": [row], "neighbours": ia[row].tolist()}
    assert rings["after"] == {"item": [row], "neighbours": ib[row].tolist()}
    fig_a, fig_b = wm.figures
    assert fig_a.data[2].x[0] == pytest.approx(wm.coords[0][row, 0])
    assert fig_b.data[2].y[0] == pytest.approx(wm.coords[1][row, 1])
    nb = wm.neighbour_frame(row)
    assert nb["kept in after"].tolist() == [i in ib[row] for i in ia[row]]
    assert f"#{row} item {row}" in wm.neighbours.value
    wm.choose(None)
    assert wm.highlighted()["after"] == {"item": [], "neighbours": []}


def test_selecting_points_on_a_map_filters_the_ranked_table(planted):
    X, B, moved, _ = planted
    wm = WhatMoved(X, B, k=6)
    still = [int(i) for i in np.setdiff1d(np.arange(150), moved)[:3]]
    picked = [int(moved[0]), *still]
    # what plotly calls when a lasso on the second map's items trace ends
    wm._on_selection(wm.figures[1].data[0], SimpleNamespace(point_inds=picked), None)
    assert wm.error.value == ""
    assert sorted(wm.frame["row"].tolist()) == sorted(picked)
    assert [v for _, v in wm.table.options][0] == int(moved[0])  # still ranked: the moved item first
    assert wm.table.value == int(moved[0])  # the old choice left the list, so its top is chosen
    changes = wm.frame["change"].to_numpy()
    assert (np.diff(changes) <= 0).all()
    wm._on_selection(wm.figures[0].data[0], SimpleNamespace(point_inds=[]), None)  # an empty selection
    assert len(wm.frame) == 150 and len(wm.table.options) == 50
    with pytest.raises(ValueError, match="one entry per point: got 3 for 150"):
        wm.filter(np.zeros(3, dtype=bool))
    with pytest.raises(ValueError, match="the first has 150 rows and the second 149"):
        WhatMoved(X, B[:-1])


def test_step_viewer_updates_one_trace_in_place_and_the_static_figure_has_a_frame_per_step(planted):
    X, B, moved, texts = planted
    C = B.copy()
    C[:5] = -C[:5]
    sm = step_maps([X, B, C], steps=[0, 100, 200], k=6, against="previous")
    viewer = StepViewer(sm, texts=texts)
    trace = viewer.figure.data[0]
    viewer.slider.value = 2  # the slider, as a user drags it
    assert viewer.figure.data[0] is trace and viewer.step == 2
    np.testing.assert_allclose(trace.x, sm.coords[2][:, 0])
    np.testing.assert_allclose(trace.marker.color, sm.change[2])
    assert "step 200" in viewer.figure.layout.title.text
    viewer.show(1)
    assert viewer.slider.value == 1
    np.testing.assert_allclose(viewer.figure.data[0].marker.color, sm.change[1])
    fig = steps_figure(sm, texts=texts)
    assert [f.name for f in fig.frames] == ["0", "1", "2"]
    np.testing.assert_allclose(fig.frames[1].data[0].y, sm.coords[1][:, 1])
    assert [s.label for s in fig.layout.sliders[0].steps] == ["0", "100", "200"]
    with pytest.raises(ValueError, match="texts has 3 entries but the maps have 150 points"):
        StepViewer(sm, texts=["a", "b", "c"])
