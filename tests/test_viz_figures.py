"""Figures, charts, projections and per-point colours: structure and known answers."""

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.neighbors import NearestNeighbors

from workbench import geometry
from workbench.compress import pareto_front
from workbench.search import exact_search
from workbench.viz import charts, colour, projection
from workbench.viz.figures import projection as projection_figure
from workbench.viz.figures import scatter


def blobs(n=60, d=12, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(0, 1, (n // 2, d)), rng.normal(6, 1, (n - n // 2, d))]).astype(np.float32)
    return X, ["a"] * (n // 2) + ["b"] * (n - n // 2)


# ---------------------------------------------------------------------- scatter
def test_scatter_categories_hover_and_rows():
    coords = np.random.default_rng(0).normal(size=(7, 2))
    fig = scatter(coords, colour=["x", "y", "x", "x", "y", "z", "x"], hover=[f"t{i}" for i in range(7)],
                  colour_name="topic")
    d = fig.to_dict()
    assert [t["name"] for t in d["data"]] == ["x", "y", "z"]
    assert all(t["type"] == "scattergl" for t in d["data"])
    assert d["layout"]["legend"]["title"]["text"] == "topic"
    assert [len(t.x) for t in fig.data] == [4, 2, 1]
    assert sorted(np.concatenate([t.customdata for t in fig.data]).tolist()) == list(range(7))
    assert list(fig.data[1].text) == ["t1", "t4"]
    np.testing.assert_allclose(fig.data[0].x, coords[[0, 2, 3, 6], 0])


def test_scatter_numbers_colour_bar_and_undefined():
    values = np.array([0.5, np.nan, 2.0, 3.5])
    fig = scatter(np.eye(4)[:, :2], colour=values, colour_name="local dimension")
    main, grey = fig.data
    assert main.marker.colorbar.title.text == "local dimension" and main.marker.showscale
    assert list(main.marker.color) == [0.5, 2.0, 3.5] and list(main.customdata) == [0, 2, 3]
    assert grey.name == "undefined" and list(grey.customdata) == [1]


def test_scatter_highlight_selection_and_3d():
    coords = np.random.default_rng(1).normal(size=(6, 3))
    fig = scatter(coords[:, :2], colour=[0, 0, 1, 1, 0, 1], highlight=[5, 1], highlight_name="top 2",
                  selected=[1, 2])
    assert fig.data[-1].name == "top 2" and list(fig.data[-1].customdata) == [5, 1]
    assert list(fig.data[0].selectedpoints) == [1] and list(fig.data[1].selectedpoints) == [0]
    fig3 = scatter(coords, colour=[0, 0, 1, 1, 0, 1], selected=[1])
    assert fig3.data[0].type == "scatter3d" and len(fig3.data[0].z) == 3
    with pytest.raises(ValueError, match="outside 0..5"):
        scatter(coords, highlight=[6])
    with pytest.raises(ValueError, match="one entry per row"):
        scatter(coords, colour=[1, 2])


def test_projection_by_number_and_wrong_lengths():
    X, _ = blobs()
    norms = np.linalg.norm(X, axis=1)
    fig = projection_figure(X, colour=norms, colour_name="norm")
    np.testing.assert_allclose(fig.data[0].marker.color, norms[fig.data[0].customdata])
    with pytest.raises(ValueError, match="labels has 3"):
        projection_figure(X, labels=[1, 2, 3])


# ---------------------------------------------------------------------- projections
def test_pca_projection_matches_scikit_learn_and_is_cached(monkeypatch):
    X, _ = blobs()
    ref = PCA(n_components=2, random_state=0).fit_transform(X)
    np.testing.assert_allclose(projection.project(X, "pca"), ref, atol=1e-4)
    calls = []
    monkeypatch.setitem(projection.PROJECTIONS, "pca", lambda X, d, s: calls.append(1) or np.zeros((len(X), d)))
    np.testing.assert_allclose(projection.project(X, "pca"), ref, atol=1e-4)  # served from the cache
    assert calls == []
    projection.project(X + 1, "pca")  # a different input is a miss
    assert calls == [1]


@pytest.mark.slow
@pytest.mark.parametrize("method", ["umap", "tsne"])
def test_nonlinear_projections_seeded_repeatable_and_faithful(method):
    X, labels = blobs(50, 10)
    a = projection.project(X, method, seed=3, cache=False)
    b = projection.project(X, method, seed=3, cache=False)
    np.testing.assert_array_equal(a, b)
    assert trustworthiness(X, a, n_neighbors=5) >= 0.88
    lab = np.array(labels)
    centre_gap = np.linalg.norm(a[lab == "a"].mean(0) - a[lab == "b"].mean(0))
    assert centre_gap > 2 * max(a[lab == "a"].std(0).max(), a[lab == "b"].std(0).max())


@pytest.mark.parametrize("bad, message", [
    (np.zeros(5), "2-d \\(n, d\\) array"),
    (np.zeros((1, 4)), "at least 3 rows \\(vectors\\) for a 2-d projection, got 1"),
    (np.zeros((5, 1)), "at least 2 dimensions"),
    (np.array([[1.0, np.nan], [0, 1], [1, 1]]), "NaN or inf in 1 row"),
    (np.array([["a", "b"], ["c", "d"], ["e", "f"]]), "must hold numbers"),
])
def test_projection_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        projection.project(bad)


def test_unknown_method_and_dims():
    with pytest.raises(ValueError, match="unknown projection 'mds'; valid: pca, tsne, umap"):
        projection.project(np.zeros((5, 3)), "mds")
    with pytest.raises(ValueError, match="dims must be 2 or 3"):
        projection.project(np.zeros((5, 3)), dims=4)


# ---------------------------------------------------------------------- colours and diagnostics
def test_k_occurrence_matches_brute_force_and_feeds_hubness():
    X = np.random.default_rng(0).normal(size=(300, 20))
    V = colour.Vectors(X, X)
    counts = colour.k_occurrence(V, k=10)
    ids = NearestNeighbors(n_neighbors=11).fit(X).kneighbors(X, return_distance=False)[:, 1:]
    np.testing.assert_array_equal(counts, np.bincount(ids.ravel(), minlength=300))
    assert counts.sum() == 3000
    from scipy import stats

    assert stats.skew(counts) == pytest.approx(geometry.hubness(X, k=10))


def test_local_dimension_and_norm():
    rng = np.random.default_rng(1)
    Q = np.linalg.qr(rng.normal(size=(10, 10)))[0]
    cube = np.hstack([rng.uniform(size=(1500, 3)), np.zeros((1500, 7))]) @ Q
    lid = colour.local_dimension(colour.Vectors(cube, cube))
    assert 1 / np.mean(1 / lid) == pytest.approx(geometry.mle_dimension(cube, k=20), rel=1e-6)
    dup = np.vstack([cube[:50], cube[:1]])
    assert np.isnan(colour.local_dimension(colour.Vectors(dup, dup))[[0, 50]]).all()
    raw = rng.normal(size=(5, 4))
    np.testing.assert_allclose(colour.norm(colour.Vectors(raw / 9, raw)), np.linalg.norm(raw, axis=1))


def test_diagnostics_agree_with_geometry_and_labels():
    X, labels = blobs(200, 16)
    d = colour.diagnostics(X, labels)
    assert d["average cosine"] == pytest.approx(geometry.average_cosine(X)["value"])
    assert d["IsoScore"] == pytest.approx(geometry.isoscore(X))
    assert d["label agreement@10"] == 1.0  # two well-separated blobs
    with pytest.raises(ValueError, match="at least 2 rows"):
        colour.diagnostics(X[:1])


def test_colour_columns_keep_numbers_and_few_categories():
    attrs = pd.DataFrame({"rating": [1, 2, 3], "dept": ["a", None, "a"], "title": ["x", "y", float("nan")]})
    assert colour.colour_columns(attrs) == ["rating", "dept", "title"]
    many = pd.DataFrame({"title": [f"t{i}" for i in range(40)]})
    assert colour.colour_columns(many) == []


# ---------------------------------------------------------------------- charts
def tidy():
    rows = [[layer, p, m, float(layer * (1 if p == "mean" else 2) + (m == "b"))]
            for p in ("mean", "cls") for m in ("a", "b") for layer in range(3)]
    return pd.DataFrame(rows, columns=["layer", "pooling", "metric", "value"])


def test_layer_curves_and_heatmap():
    fig = charts.layer_curves(tidy())
    assert [(t.name, t.y.tolist()) for t in fig.data][:2] == [("mean", [0.0, 1.0, 2.0]), ("cls", [0.0, 2.0, 4.0])]
    assert len(fig.data) == 4 and [t.showlegend for t in fig.data] == [True, True, False, False]
    heat = charts.layer_pooling_heatmap(tidy(), "b").data[0]
    assert list(heat.y) == ["mean", "cls"] and heat.z.tolist() == [[1.0, 2.0, 3.0], [1.0, 3.0, 5.0]]
    with pytest.raises(ValueError, match="not in the table"):
        charts.layer_curves(tidy(), ["c"])


def test_similarity_heatmap_is_cosine_grouped_by_label():
    X, labels = blobs(10, 4)
    lab = ["b", "a"] * 5
    fig = charts.similarity_heatmap(X, lab)
    order = np.argsort(lab, kind="stable")
    np.testing.assert_allclose(fig.data[0].z, cosine_similarity(X[order]), atol=1e-6)
    assert fig.data[0].y[0].startswith("a #")
    with pytest.raises(ValueError, match="zero vectors"):
        charts.similarity_heatmap(np.zeros((3, 2)))


def test_spectrum_matches_pca():
    X, _ = blobs(100, 8)
    fig = charts.spectrum_figure(X, top=5)
    ref = PCA().fit(X).explained_variance_ratio_[:5]
    np.testing.assert_allclose(fig.data[0].y, ref, rtol=1e-5)
    np.testing.assert_allclose(fig.data[1].y, np.cumsum(ref), rtol=1e-5)


def test_neighbour_frame_and_table():
    X, labels = blobs(30, 6)
    scores, ids = exact_search(X[-1:], X, k=4)
    frame = charts.neighbour_frame(scores[0], ids[0], [f"text {i}" for i in range(30)], labels)
    assert frame.row.tolist() == ids[0].tolist() and frame["rank"].tolist() == [1, 2, 3, 4]
    assert frame.score.is_monotonic_decreasing and frame.label.tolist() == ["b"] * 4
    table = charts.neighbour_table(frame).data[0]
    assert list(table.header.values) == ["rank", "row", "score", "label", "text"]


def test_pareto_front_matches_brute_force():
    rng = np.random.default_rng(2)
    cost, quality = rng.uniform(size=40), rng.uniform(size=40)
    brute = [i for i in range(40) if not any((cost[j] <= cost[i] and quality[j] >= quality[i])
                                             and (cost[j] < cost[i] or quality[j] > quality[i]) for j in range(40))]
    assert np.flatnonzero(pareto_front(cost, quality)).tolist() == brute
    df = pd.DataFrame({"bytes": cost, "ndcg": quality})
    fig = charts.pareto_chart(df, "bytes", "ndcg", log_x=True)
    assert len(fig.data[1].x) == len(brute) and fig.layout.xaxis.type == "log"
    assert list(fig.data[1].x) == sorted(cost[brute])


def test_pareto_chart_keeps_duplicates_on_the_front():
    df = pd.DataFrame({"bytes": [1, 1, 2, 2, 3], "ndcg": [0.5, 0.5, 0.5, 0.7, 0.7], "name": list("abcde")})
    fig = charts.pareto_chart(df, "bytes", "ndcg", label="name")
    assert list(fig.data[1].text) == ["a", "b", "d"]


def test_critical_n_and_training_curves():
    curve = pd.DataFrame({"d": [4, 5, 6], "median": [10.0, 14.0, 19.0], "min": [9, 13, 18], "max": [11, 16, 19],
                          "paper": [10.2, 14.1, 19.5]})
    err = charts.critical_n_figure(curve).data[0].error_y
    assert list(err.array) == [1.0, 2.0, 0.0] and list(err.arrayminus) == [1.0, 1.0, 1.0]
    fig = charts.training_curves(pd.DataFrame({"epoch": [1, 2], "loss": [0.9, 0.4], "ndcg": [0.3, 0.5]}), x="epoch")
    assert [t.name for t in fig.data] == ["loss", "ndcg"] and list(fig.data[0].x) == [1, 2]
    with pytest.raises(ValueError, match="empty"):
        charts.training_curves({})
