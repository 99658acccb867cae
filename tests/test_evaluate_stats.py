"""Bootstrap intervals and paired tests: coverage, null behaviour and power on simulated data."""

import numpy as np
import pytest
from scipy import stats as sps

from workbench.evaluate.stats import STATISTICS, bootstrap_ci, paired_test


def test_vectorised_statistics_match_scipy():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(3, 40)), rng.normal(size=(3, 40))
    x[0, :5] = x[0, 5]  # ties
    for row in range(3):
        assert STATISTICS["spearman"](x[row:row + 1], y[row:row + 1])[0] == pytest.approx(
            sps.spearmanr(x[row], y[row]).statistic)
        assert STATISTICS["pearson"](x[row:row + 1], y[row:row + 1])[0] == pytest.approx(
            sps.pearsonr(x[row], y[row]).statistic)


def test_bootstrap_ci_agrees_with_scipy_percentile_bootstrap():
    values = np.random.default_rng(1).exponential(size=300)
    ours = bootstrap_ci(values, n_resamples=4000)
    ref = sps.bootstrap((values,), np.mean, n_resamples=4000, method="percentile", rng=0).confidence_interval
    assert ours[0] == pytest.approx(ref.low, abs=0.02) and ours[1] == pytest.approx(ref.high, abs=0.02)


def test_ci_covers_the_true_mean_at_about_the_nominal_rate():
    rng = np.random.default_rng(2)
    covered = 0
    for trial in range(200):
        sample = rng.binomial(1, 0.7, size=150)  # like per-example 0/1 correctness
        lo, hi = bootstrap_ci(sample, n_resamples=400, seed=trial)
        covered += lo <= 0.7 <= hi
    assert 0.89 <= covered / 200 <= 0.99


def test_spearman_ci_covers_population_correlation():
    rng = np.random.default_rng(3)
    rho = 0.5
    true_spearman = 6 / np.pi * np.arcsin(rho / 2)  # closed form for a bivariate normal
    covered = 0
    for trial in range(60):
        x = rng.normal(size=200)
        y = rho * x + np.sqrt(1 - rho ** 2) * rng.normal(size=200)
        lo, hi = bootstrap_ci(x, y, statistic="spearman", n_resamples=300, seed=trial)
        covered += lo <= true_spearman <= hi
    assert 0.83 <= covered / 60 <= 1.0


def test_paired_test_p_values_are_uniformish_under_the_null():
    rng = np.random.default_rng(4)
    p = []
    for trial in range(200):
        a, b = rng.normal(size=60), rng.normal(size=60)  # identical in distribution
        p.append(paired_test(a, b, n_resamples=300, seed=trial)["p_value"])
    p = np.array(p)
    assert 0.02 <= (p < 0.05).mean() <= 0.10
    assert sps.kstest(p, "uniform").pvalue > 0.01


def test_paired_test_detects_a_clearly_better_system():
    rng = np.random.default_rng(5)
    base = rng.uniform(size=200)
    better = np.clip(base + 0.1 + rng.normal(0, 0.05, 200), 0, 1)
    res = paired_test(better, base, n_resamples=2000)
    assert res["p_value"] < 0.001
    assert res["difference"] == pytest.approx(better.mean() - base.mean())
    assert res["ci_low"] > 0 and res["ci_low"] < res["difference"] < res["ci_high"]
    same = paired_test(base, base, n_resamples=200)
    assert same["difference"] == 0 and same["p_value"] == 1.0


def test_paired_spearman_needs_gold_and_matching_lengths():
    with pytest.raises(ValueError, match="pass gold"):
        paired_test(np.ones(5), np.ones(5), statistic="spearman")
    with pytest.raises(ValueError, match="same examples"):
        paired_test(np.ones(5), np.ones(6))
    with pytest.raises(ValueError, match="NaN"):
        bootstrap_ci([1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="unknown statistic"):
        bootstrap_ci([1.0, 2.0], statistic="median-ish")
    with pytest.raises(ValueError, match="at least 2"):
        bootstrap_ci([])


@pytest.mark.parametrize("statistic", ["spearman", "pearson"])
def test_paired_correlation_test_ignores_each_systems_scale_and_agrees_with_its_interval(statistic):
    # B's cosines live on another scale (as CLS cosines near 0.7 beside mean-pooling ones near 0.1); a correlation
    # cannot see that, so neither may the test: the p-value is the same as on B's own scale, and it agrees with
    # the bootstrap interval (swapping raw values of two scales gave p near 0.5 beside an interval above zero)
    rng = np.random.default_rng(3)
    truth = rng.normal(size=400)
    a, b = truth + rng.normal(0, 0.8, 400), truth + rng.normal(0, 1.4, 400)
    plain = paired_test(a, b, truth, statistic=statistic, n_resamples=2000)
    shifted = paired_test(a, 0.05 * b + 0.7, truth, statistic=statistic, n_resamples=2000)
    assert shifted["b"] == pytest.approx(plain["b"]) and shifted["p_value"] == plain["p_value"]
    assert (shifted["ci_low"], shifted["ci_high"]) == pytest.approx((plain["ci_low"], plain["ci_high"]))
    assert shifted["ci_low"] > 0 and shifted["p_value"] < 0.01
