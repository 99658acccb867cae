"""Exact search against brute force; projection figures' structure."""

import numpy as np
import pytest

from workbench.search import exact_search
from workbench.viz.figures import PROJECTIONS, projection


def test_exact_search_matches_brute_force():
    rng = np.random.default_rng(1)
    corpus, queries = rng.normal(size=(200, 16)).astype(np.float32), rng.normal(size=(5, 16)).astype(np.float32)
    scores, ids = exact_search(queries, corpus, k=7)
    brute = np.argsort(-(queries @ corpus.T), axis=1)[:, :7]
    np.testing.assert_array_equal(ids, brute)
    np.testing.assert_allclose(scores, np.take_along_axis(queries @ corpus.T, brute, 1), rtol=1e-5)
    with pytest.raises(ValueError, match="same d"):
        exact_search(queries[:, :3], corpus)


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
