"""Aligned maps of two or more spaces (PCA + Procrustes, aligned UMAP) and stepping through training checkpoints."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from workbench.maps import aligned_maps, aligned_projections, neighbourhood_change, step_changes, step_maps


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(120, 24, centers=4, cluster_std=2.0, random_state=0)
    return X, y


def _rotation(d: int, seed: int) -> np.ndarray:
    return np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))[0]


@pytest.mark.slow  # umap-learn compiles its aligned optimiser (numba) in every process, uncached
def test_aligned_umap_of_a_rotated_copy_nearly_coincides(blobs):
    X, _ = blobs
    pa, pb, d = aligned_projections(X, X @ _rotation(24, 2) + 3.0, method="umap", seed=0, n_epochs=100)
    # a rotation keeps every distance, so both spaces have the same neighbour graph; the layouts
    # differ only by what the alignment term leaves of two optimisations (measured: median 0.079
    # of the layout's RMS radius); two unrelated points lie about 1.5 radii apart
    radius = np.sqrt(((pa - pa.mean(0)) ** 2).sum(1).mean())
    gap = np.linalg.norm(pa - pb, axis=1) / radius
    shuffled = np.linalg.norm(pa - pa[np.random.default_rng(0).permutation(len(pa))], axis=1) / radius
    assert np.median(gap) < 0.2 and d < 0.05 and np.median(shuffled) > 1.0, (np.median(gap), d)


def test_spaces_of_different_sizes_are_refused_naming_the_counts(blobs):
    X, _ = blobs
    for method in ("pca", "umap"):  # refused before any fitting
        with pytest.raises(ValueError, match="the first has 120 rows and the second 119"):
            aligned_projections(X, X[:-1], method=method)
        with pytest.raises(ValueError, match="space 0 has 120 rows and space 2 has 100"):
            aligned_maps([X, X, X[:100]], method=method)
    with pytest.raises(ValueError, match="a list of"):
        aligned_maps(X)
    with pytest.raises(ValueError, match="unknown method 'tsne'"):
        aligned_projections(X, X, method="tsne")


def test_step_maps_of_rotated_checkpoints_coincide_and_change_counts_planted_moves(blobs):
    X, _ = blobs
    rng = np.random.default_rng(0)
    spaces = [X, X @ _rotation(24, 1), X @ _rotation(24, 2)]
    sm = step_maps(spaces, steps=[0, 10, 20], k=8)
    for c in sm.coords[1:]:
        np.testing.assert_allclose(c, sm.coords[0], atol=1e-8)
    assert max(sm.disparity) < 1e-15 and sm.change.max() == 0.0
    # a space three times as spread: the same shape; scale=True maps it onto the same points
    grown = [X, 3.0 * X @ _rotation(24, 3)]
    np.testing.assert_allclose(aligned_maps(grown, scale=True)[1], sm.coords[0], atol=1e-8)
    assert step_maps(grown, k=8).disparity[1] > 1.0  # without scaling the map is three times as large
    with pytest.raises(ValueError, match="scale=True is for PCA maps"):
        aligned_maps(grown, method="umap", scale=True)
    # plant moves: 10 items at step 1, 10 more at step 2
    first, second = rng.choice(120, 20, replace=False).reshape(2, 10)
    B = X.copy()
    B[first] = rng.normal(scale=8, size=(10, 24))
    C = B.copy()
    C[second] = rng.normal(scale=8, size=(10, 24))
    vs_first = step_changes([X, B, C], k=8, against="first")
    vs_prev = step_changes([X, B, C], k=8, against="previous")
    np.testing.assert_array_equal(vs_first[1], vs_prev[1])
    np.testing.assert_array_equal(vs_first[2], neighbourhood_change(X, C, 8))
    np.testing.assert_array_equal(vs_prev[2], neighbourhood_change(B, C, 8))
    assert set(np.argsort(-vs_prev[2])[:10]) == set(second.tolist())
    assert set(np.argsort(-vs_first[2])[:20]) == set(first.tolist()) | set(second.tolist())
    summary = step_maps([X, B, C], k=8, against="previous").summary()
    assert list(summary["step"]) == [0, 1, 2] and summary["mean change"].iloc[0] == 0.0
    with pytest.raises(ValueError, match="steps names 2 step"):
        step_maps([X, B, C], steps=[0, 1])
    with pytest.raises(ValueError, match="against must be one of first, previous"):
        step_changes([X, B], against="last")


def test_training_spaces_steps_through_resumed_checkpoints(tiny_model):
    import workbench as wb
    from workbench.maps import training_spaces
    from workbench.train import TrainPairs, train

    enc = wb.load_encoder(str(tiny_model))
    queries = [f"question number {i} about topic {i % 5}" for i in range(16)]
    pairs = TrainPairs("toy", queries, [f"answer {i} on topic {i % 5}" for i in range(16)])
    texts = queries[:12]
    steps, spaces = training_spaces(enc, pairs, texts, every=2, steps=4, batch_size=8, lr=1e-3, max_length=16)
    assert steps == [0, 2, 4] and all(s.shape == (12, 32) for s in spaces)
    np.testing.assert_allclose(spaces[0], enc.encode(texts), atol=1e-6)  # step 0 is the untrained model
    assert not np.allclose(spaces[1], spaces[0], atol=1e-4) and not np.allclose(spaces[2], spaces[1], atol=1e-4)
    # sessions resumed from checkpoints end where one uninterrupted run of 4 steps ends
    whole = train(enc, pairs, steps=4, batch_size=8, lr=1e-3, max_length=16, show_progress=False, plot=False)
    np.testing.assert_allclose(spaces[2], whole.encoder.encode(texts), atol=1e-4)
    with pytest.raises(ValueError, match="every=5 is more than steps=4"):
        training_spaces(enc, pairs, texts, every=5, steps=4)
