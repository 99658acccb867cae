"""Pair classification: AP against scikit-learn (ties, weights), thresholds, pairs from retrieval."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, average_precision_score, f1_score

import workbench as wb
from workbench.datasets import PairDataset
from workbench.evaluate import evaluate_pairs, pairs_from_retrieval
from workbench.evaluate.pairs import best_threshold_scores, weighted_average_precision


def test_weighted_ap_matches_sklearn_with_ties_and_weights():
    rng = np.random.default_rng(0)
    for _ in range(20):
        y = rng.integers(0, 2, 50)
        y[0], y[1] = 0, 1
        s = rng.integers(0, 8, 50) / 8  # many ties
        w = rng.integers(0, 4, 50).astype(float)
        w[:2] = 1
        assert weighted_average_precision(y, s, w) == pytest.approx(average_precision_score(y, s, sample_weight=w))
        assert weighted_average_precision(y, s, np.ones(50)) == pytest.approx(average_precision_score(y, s))


def test_best_threshold_scores_match_a_brute_force_sweep():
    rng = np.random.default_rng(1)
    y, s = rng.integers(0, 2, 40), rng.normal(size=40)
    thresholds = np.r_[s, np.inf]
    acc = max(accuracy_score(y, s >= t) for t in thresholds)
    f1 = max(f1_score(y, s >= t, zero_division=0) for t in thresholds)
    assert best_threshold_scores(y, s) == pytest.approx((acc, f1))


def test_evaluate_pairs_on_vectors_and_threshold():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(60, 8))
    y = np.repeat([1.0, 0.0], 30)
    b = np.where(y[:, None] == 1, a + rng.normal(0, 0.3, a.shape), rng.normal(size=a.shape))
    pairs = PairDataset("toy", ["x"] * 60, ["y"] * 60, y)
    res = evaluate_pairs((a, b), pairs)
    cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    assert res["ap"] == pytest.approx(average_precision_score(y, cos)) and res["ap"] > 0.95
    assert res["ap_ci"][0] <= res["ap"] <= res["ap_ci"][1] and res["positives"] == 30
    graded = PairDataset("g", ["x"] * 60, ["y"] * 60, y * 4 + 0.5)
    assert evaluate_pairs((a, b), graded, threshold=2.0, n_resamples=0)["ap"] == pytest.approx(res["ap"])
    with pytest.raises(ValueError, match="threshold"):
        evaluate_pairs((a, b), graded)
    with pytest.raises(ValueError, match="same label"):
        evaluate_pairs((a, b), graded, threshold=100.0)
    with pytest.raises(ValueError, match="rows but the data set needs"):
        evaluate_pairs((a[:5], b), pairs)


def test_pairs_from_retrieval_are_balanced_and_correct():
    ds = wb.datasets.load("python-docstrings")
    pairs = pairs_from_retrieval(ds, n_pairs=40, seed=0)
    assert len(pairs) == 40 and pairs.scores.sum() == 20
    text_to_doc = {t: d for d, t in ds.corpus.items()}
    query_of = {t: q for q, t in ds.queries.items()}
    for q_text, d_text, y in zip(pairs.text1, pairs.text2, pairs.scores):
        assert (text_to_doc[d_text] in ds.qrels[query_of[q_text]]) == bool(y)


@pytest.mark.slow
def test_minilm_docstring_pairs(minilm):
    pairs = pairs_from_retrieval(wb.datasets.load("python-docstrings"), n_pairs=60, seed=1)
    assert evaluate_pairs(minilm, pairs, pooling="mean", n_resamples=200)["ap"] > 0.9
