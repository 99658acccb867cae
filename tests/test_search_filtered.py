"""Filtered search on the clothing reviews' attributes: the filter holds, pre-filtering an exact index is exact."""

import numpy as np
import pytest

import workbench as wb
from workbench.search import (
    FlatIndex,
    attribute_mask,
    exact_search,
    filter_study,
    filtered_recall,
    filtered_search,
    make_index,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*not in the glove-50d vocabulary")


@pytest.fixture(scope="module")
def reviews(glove):
    ds = wb.datasets.load("clothing-reviews")
    ds = ds.select(np.arange(0, len(ds), 8))  # ~2,800 reviews, every 8th
    X = glove.encode(ds.texts, cache=False, show_progress=False)
    titles = [t for t in ds.attributes["title"] if t][:80]
    Q = glove.encode(titles, cache=False, show_progress=False)
    return X, Q[np.linalg.norm(Q, axis=1) > 0][:60], ds.attributes  # a title of unknown words has no vector


def test_attribute_masks_and_errors(reviews):
    _, _, A = reviews
    dresses = attribute_mask(A, department="Dresses")
    assert dresses.sum() == (A["department"] == "Dresses").sum() > 0
    both = attribute_mask(A, department=["Dresses", "Tops"], rating=lambda r: r >= 4)
    assert both.sum() == (A["department"].isin(["Dresses", "Tops"]) & (A["rating"] >= 4)).sum()
    with pytest.raises(ValueError, match="no attribute 'colour'; valid: .*department"):
        attribute_mask(A, colour="red")
    with pytest.raises(ValueError, match="at least one condition"):
        attribute_mask(A)


@pytest.mark.parametrize("conditions", [{"class": "Swim"}, {"rating": 3}, {"rating": 5}])
def test_filtered_results_satisfy_filter_and_pre_flat_is_exact(reviews, conditions):
    X, Q, A = reviews
    mask = attribute_mask(A, **conditions)
    exact = filtered_search(Q, 10, mask, vectors=X, strategy="exact")
    rows = np.flatnonzero(mask)
    ref = rows[exact_search(Q, X[rows], 10)[1]]
    np.testing.assert_array_equal(exact[1], ref)
    flat = FlatIndex().fit(X)
    pre = filtered_search(Q, 10, mask, index=flat, strategy="pre")
    np.testing.assert_array_equal(pre[1], exact[1])
    np.testing.assert_allclose(pre[0], exact[0], rtol=1e-5)
    hnsw = make_index("hnsw").fit(X)
    for strategy in ("pre", "post"):
        _, ids = filtered_search(Q, 10, mask, index=hnsw, strategy=strategy, oversample=20)
        assert mask[ids[ids >= 0]].all()
    post_exact = filtered_search(Q, 10, mask, index=flat, strategy="post", oversample=len(X))
    np.testing.assert_array_equal(post_exact[1], exact[1])  # post-filtering the whole ranking is exact


def test_empty_filter_and_bad_input(reviews):
    X, Q, _ = reviews
    empty = np.zeros(len(X), bool)
    for strategy, kw in [("exact", {"vectors": X}), ("pre", {"index": FlatIndex().fit(X)}),
                         ("post", {"index": FlatIndex().fit(X)})]:
        scores, ids = filtered_search(Q, 5, empty, strategy=strategy, **kw)
        assert ids.shape == (len(Q), 5) and (ids == -1).all() and np.isneginf(scores).all()
    with pytest.raises(ValueError, match="valid: exact, pre, post"):
        filtered_search(Q, 5, empty, vectors=X, strategy="mid")
    with pytest.raises(ValueError, match="one entry per corpus row"):
        filtered_search(Q, 5, empty[:10], vectors=X, strategy="exact")
    with pytest.raises(ValueError, match="needs a fitted index"):
        filtered_search(Q, 5, empty, strategy="pre")


def test_filter_study_recall_against_exact(reviews):
    X, Q, A = reviews
    filters = {"rare": attribute_mask(A, **{"class": "Swim"}), "half": attribute_mask(A, rating=5)}
    table = filter_study(X, Q, filters, index=make_index("ivf-flat", nprobe=4), oversample=(1, 50))
    exact = table[table["strategy"] == "exact"]
    assert (exact["recall@10"] == 1.0).all()
    rare_post = table[(table["filter"] == "rare") & (table["strategy"] == "post x1")]
    assert rare_post["results/query"].iloc[0] < 10  # too few survive a 1% filter without oversampling
    half = table[table["filter"] == "half"].set_index("strategy")
    assert half.loc["post x50", "recall@10"] >= half.loc["post x1", "recall@10"]
    assert 0.4 < half.loc["exact", "selectivity"] < 0.7
    assert np.isnan(filtered_recall(np.array([[-1]]), np.array([[-1]])))  # no admissible row: no recall
