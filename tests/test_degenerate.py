"""Degenerate but honest data gets a defined answer: NaN with a warning, the rest of a report, a message saying
what was too small."""

import numpy as np
import pytest

import workbench as wb
from workbench.datasets import PairDataset, TextDataset
from workbench.evaluate import stats
from workbench.evaluate.classification import evaluate_classification
from workbench.evaluate.sts import evaluate_sts

GOLD = np.array([0.1, 0.5, 0.9, 0.3, 0.7, 0.2])


def test_sts_with_constant_similarities_is_nan_with_a_warning():
    a = np.tile(np.array([[1.0, 0.0, 0.0]], np.float32), (6, 1))
    pairs = PairDataset("const", [f"a{i}" for i in range(6)], [f"b{i}" for i in range(6)], GOLD)
    with pytest.warns(RuntimeWarning, match="all 6 cosine similarities are equal"):
        res = evaluate_sts((a, a.copy()), pairs, n_resamples=100)
    assert np.isnan(res["spearman"]) and np.isnan(res["pearson"]) and np.isnan(res["spearman_ci"]).all()
    assert res["n"] == 6


def test_sts_on_layer_zero_cls_of_a_model_is_nan_not_an_index_error(tiny_model_dir):
    enc = wb.load_encoder(tiny_model_dir)
    texts = ["a cat sat", "a dog ran", "stocks fell", "rain today", "the sun", "a bird sang"]
    pairs = PairDataset("six", texts, texts[::-1], GOLD)
    with pytest.warns(RuntimeWarning, match="undefined; reporting NaN"):
        res = evaluate_sts(enc, pairs, pooling="cls", layer=0, n_resamples=100)
    assert np.isnan(res["spearman"])
    assert np.isfinite(evaluate_sts(enc, pairs, pooling="mean", n_resamples=100)["spearman"])


def test_bootstrap_ci_of_an_undefined_statistic_is_nan_with_a_warning():
    with pytest.warns(RuntimeWarning, match="undefined in all 50 resamples"):
        lo, hi = stats.bootstrap_ci(np.ones(6), GOLD, statistic="spearman", n_resamples=50)
    assert np.isnan(lo) and np.isnan(hi)


def test_bootstrap_ci_keeps_the_defined_resamples():
    x = np.array([1.0, 2.0, 3.0])  # some resamples repeat one value: undefined there, dropped
    lo, hi = stats.bootstrap_ci(x, x, statistic="spearman", n_resamples=200)
    assert lo == hi == pytest.approx(1.0)


def test_paired_test_with_an_undefined_statistic_gives_nan_not_a_p_value():
    rng = np.random.default_rng(0)
    with pytest.warns(RuntimeWarning, match="undefined for A"):
        res = stats.paired_test(np.ones(6), GOLD + rng.normal(0, 0.1, 6), GOLD, statistic="spearman",
                                n_resamples=100)
    assert np.isnan(res["a"]) and np.isnan(res["difference"]) and np.isnan(res["p_value"])


def test_geometry_report_on_2d_vectors_computes_the_metrics_that_can_run():
    X = np.random.default_rng(0).normal(size=(60, 2)).astype(np.float32)
    with pytest.warns(wb.geometry.GeometryWarning, match=r"rogue_dimensions left out.*vectors have 2 dimensions"):
        r = wb.geometry.report(X)
    assert "rogue_dimensions_top1_share" not in r and r["dim"] == 2
    assert r["isoscore"] > 0.9 and np.isfinite(r["effective_rank"]) and abs(r["average_cosine"]) < 0.2
    with pytest.raises(ValueError, match="vectors have 2 dimensions"):  # named explicitly: an error
        wb.geometry.report(X, metrics=["rogue_dimensions"])


@pytest.mark.parametrize("n", [2, 4])
def test_classification_on_a_tiny_set_says_what_was_too_small(n):
    ds = TextDataset("tiny", [f"t{i}" for i in range(n)], labels=np.array([0, 1] * (n // 2)))
    X = np.random.default_rng(0).normal(size=(n, 4)).astype(np.float32)
    with pytest.raises(ValueError, match=rf"tiny is too small to classify: its {n} texts .* 0 test texts at "
                                         r"test_size=0.2.*use more texts per label or a larger test_size"):
        evaluate_classification(X, ds, n_resamples=0)
    if n == 4:  # two texts per label: one each side at test_size=0.5
        assert evaluate_classification(X, ds, test_size=0.5, n_resamples=0, n_seeds=1)["n"] == 2
