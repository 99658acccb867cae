"""Stable maps, aligned maps and neighbourhood change, selection reports (workbench.maps)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from workbench.maps import (
    StableMap,
    aligned_projections,
    label_mix,
    most_moved,
    neighbourhood_change,
    seed_instability,
    selection_neighbours,
    selection_report,
)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(300, 24, centers=4, cluster_std=2.0, random_state=0)
    return X, y


def test_pca_map_places_training_points_where_fit_put_them(blobs, tmp_path):
    X, _ = blobs
    m = StableMap("pca", seed=3).fit(X[:200])
    np.testing.assert_allclose(m.transform(X[:200]), m.embedding_, atol=1e-9)
    # the same coordinates as scikit-learn's PCA, up to the sign of each axis
    from sklearn.decomposition import PCA

    ref = PCA(2).fit_transform(X[:200])
    np.testing.assert_allclose(np.abs(m.embedding_), np.abs(ref), atol=1e-8)
    path = m.save(tmp_path / "map.npz")
    loaded = StableMap.load(path)
    np.testing.assert_array_equal(loaded.transform(X[200:]), m.transform(X[200:]))  # new points, same place
    with pytest.raises(FileExistsError):
        m.save(path)


def test_umap_map_transform_within_tolerance_and_survives_save(blobs, tmp_path):
    X, _ = blobs
    m = StableMap("umap", seed=0).fit(X)
    near = X + np.random.default_rng(1).normal(scale=1e-3, size=X.shape)  # training points, not the same array
    placed = m.transform(near)
    extent = np.ptp(m.embedding_, axis=0).max()
    gap = np.linalg.norm(placed - m.embedding_, axis=1) / extent
    assert np.median(gap) < 0.05 and np.percentile(gap, 95) < 0.1, (np.median(gap), np.percentile(gap, 95))
    loaded = StableMap.load(m.save(tmp_path / "umap.npz"))
    np.testing.assert_array_equal(loaded.embedding_, m.embedding_)
    np.testing.assert_allclose(loaded.transform(near[:30]), m.transform(near[:30]), atol=1e-4)


def test_seed_instability_is_zero_for_pca(blobs):
    table, per_point = seed_instability(blobs[0], "pca", seeds=(0, 1, 2, 3, 4), k=5)
    assert len(table) == 4 and table["displacement"].max() < 1e-9 and table["knn_kept"].min() == 1.0
    assert per_point.shape == (300,)
    with pytest.raises(ValueError, match="at least two distinct"):
        seed_instability(blobs[0], "pca", seeds=(1, 1))


def test_neighbourhood_change_zero_for_identical_and_ranks_planted_moves_first(blobs):
    X, _ = blobs
    assert neighbourhood_change(X, X.copy(), k=10).max() == 0.0
    rng = np.random.default_rng(0)
    moved = rng.choice(len(X), 12, replace=False)
    B = X.copy()
    B[moved] = B[rng.permutation(moved)] + 0  # swap places among the planted items...
    B[moved] = X[rng.choice(np.setdiff1d(np.arange(len(X)), moved), 12)] + rng.normal(scale=0.5, size=(12, 24))
    Q = np.linalg.qr(rng.normal(size=(24, 24)))[0]
    table = most_moved(X, B @ Q, k=10, top=12)  # a rotation of the whole space changes no neighbourhood
    assert set(table["row"]) == set(moved.tolist())
    change = neighbourhood_change(X, B @ Q, k=10)
    assert change[moved].min() > np.delete(change, moved).max()


def test_two_spaces_of_different_sizes_are_refused(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="the first has 300 rows and the second 299"):
        neighbourhood_change(X, X[:-1])
    with pytest.raises(ValueError, match="the first has 300 rows and the second 10"):
        aligned_projections(X, X[:10])


def test_aligned_projections_of_a_rotated_copy_coincide(blobs):
    X, _ = blobs
    rng = np.random.default_rng(2)
    Q = np.linalg.qr(rng.normal(size=(24, 24)))[0]
    pa, pb, disparity = aligned_projections(X, X @ Q + 3.0)
    np.testing.assert_allclose(pa, pb, atol=1e-8)
    assert disparity < 1e-15
    # an unrelated space does not coincide
    _, pc, d2 = aligned_projections(X, rng.normal(size=X.shape))
    assert d2 > 0.5


def test_selection_report_against_the_whole(blobs):
    X, y = blobs
    rows = np.flatnonzero(y == 0)
    report = selection_report(X, rows)
    assert report.loc["size", "selection"] == len(rows) and report.loc["size", "whole"] == 300
    from workbench import geometry

    assert report.loc["IsoScore", "selection"] == pytest.approx(geometry.isoscore(X[rows]))
    assert report.loc["hubness", "whole"] == pytest.approx(geometry.hubness(X, knn_sample=5000))
    mix = label_mix(y, rows)
    assert mix.iloc[0]["label"] == 0 and mix.iloc[0]["share"] == 1.0
    empty = selection_report(X, np.zeros(300, dtype=bool))
    assert empty.loc["size", "selection"] == 0 and np.isnan(empty.loc["IsoScore", "selection"])
    assert (empty.loc["IsoScore", "note"]) == "selection: empty selection"
    nb = selection_neighbours(X, rows[:5], k=4, texts=[f"t{i}" for i in range(300)])
    assert list(nb.columns) == ["row", "cosine", "text"] and not set(nb["row"]) & set(rows[:5].tolist())
    assert len(selection_neighbours(X, [], k=4)) == 0
