"""Classification probe and kNN: known answers on separable data, errors, a real-data floor."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import workbench as wb
from workbench.datasets import TextDataset
from workbench.evaluate import evaluate_classification
from workbench.evaluate.classification import classification_scores, undersample


def test_undersample_caps_each_label():
    y = np.array([0] * 10 + [1] * 3 + [2] * 7)
    idx = undersample(y, 4, np.random.default_rng(0))
    assert sorted(np.bincount(y[idx]).tolist()) == [3, 4, 4]
    assert (np.diff(idx) > 0).all()


def test_full_training_set_matches_plain_sklearn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    X = rng.normal(size=(300, 8)) + np.eye(8)[y] * 1.5
    res = classification_scores(X[:200], y[:200], X[200:], y[200:], samples_per_label=None, n_seeds=2,
                                n_resamples=0)
    ref = (LogisticRegression(max_iter=100).fit(X[:200], y[:200]).predict(X[200:]) == y[200:]).mean()
    assert res["accuracy"] == pytest.approx(ref) and res["accuracy_std"] == 0.0
    assert res["n"] == 100 and res["n_train"] == 200


def test_random_labels_score_near_chance_and_ci_covers_it():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(400, 16)), rng.integers(0, 2, 400)
    res = classification_scores(X[:200], y[:200], X[200:], y[200:], n_seeds=5)
    assert 0.35 < res["accuracy"] < 0.65 and 0.3 < res["knn_accuracy"] < 0.7
    assert res["accuracy_ci"][0] < 0.5 < res["accuracy_ci"][1] or abs(res["accuracy"] - 0.5) > 0.05


def test_precomputed_vectors_and_errors():
    ds = TextDataset("toy", [f"t{i}" for i in range(40)], labels=[0, 1] * 20)
    X = np.array([[1.0, 0.1], [0.1, 1.0]] * 20)
    assert evaluate_classification(X, ds, n_resamples=0)["accuracy"] == 1.0
    with pytest.raises(ValueError, match="no labels"):
        evaluate_classification(X, TextDataset("u", ds.texts))
    with pytest.raises(ValueError, match="rows but the data set needs"):
        evaluate_classification(X[:10], ds)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        evaluate_classification(X_nan, ds)
    with pytest.raises(ValueError, match="empty"):
        evaluate_classification(X[:0], TextDataset("e", [], labels=[]))
    with pytest.raises(ValueError, match="at least 2"):
        evaluate_classification(X, TextDataset("one", ds.texts, labels=[0] * 40))


@pytest.mark.slow
def test_minilm_on_pang_lee_polarity_quality_floor(minilm):
    res = evaluate_classification(minilm, wb.datasets.load("pang-lee-polarity"), pooling="mean")
    assert res["n"] == 40 and res["n_train"] == 160
    assert res["accuracy"] == pytest.approx(0.758, abs=0.08)  # measured 0.758 (std over runs 0.059)
    assert res["accuracy_ci"][0] < res["accuracy"] < res["accuracy_ci"][1]
