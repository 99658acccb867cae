"""Projection figures' structure (the search tests live in test_search_indexes.py)."""

import numpy as np
import pytest

from workbench.viz.figures import PROJECTIONS, projection


@pytest.mark.parametrize("method", [m for m in PROJECTIONS if m != "umap"])
def test_projection_traces_per_label(method):
    X = np.random.default_rng(0).normal(size=(40, 6))
    labels = ["a"] * 25 + ["b"] * 15
    fig = projection(X, method, labels=labels, hover=[f"text {i}" for i in range(40)])
    assert [t.name for t in fig.data] == ["a", "b"]
    assert [len(t.x) for t in fig.data] == [25, 15]
    assert fig.data[0].text[0] == "text 0"
    assert fig.to_dict()["data"][0]["type"] == "scattergl"


def test_pca_projection_separates_two_blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (30, 10)), rng.normal(8, 1, (30, 10))])
    fig = projection(X, "pca", labels=[0] * 30 + [1] * 30)
    xs = [np.asarray(t.x) for t in fig.data]
    assert xs[0].max() < xs[1].min() or xs[1].max() < xs[0].min()


def test_bad_projection_arguments():
    with pytest.raises(ValueError, match="valid: pca, tsne, umap"):
        projection(np.zeros((5, 3)), "mds")
    with pytest.raises(ValueError, match="one entry per row"):
        projection(np.random.default_rng(0).normal(size=(5, 3)), labels=[1, 2])
