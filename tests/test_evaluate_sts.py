"""STS scoring against scipy and a quality floor on real data."""

import numpy as np
import pytest
from scipy import stats

import workbench as wb
from workbench.evaluate import evaluate_sts
from workbench.evaluate.sts import cosine_rows


def test_cosine_rows_closed_form():
    a = np.array([[1.0, 0.0], [0.0, 0.0], [3.0, 4.0]])
    b = np.array([[0.0, 2.0], [1.0, 1.0], [6.0, 8.0]])
    np.testing.assert_allclose(cosine_rows(a, b), [0.0, 0.0, 1.0])


def test_precomputed_vectors_match_scipy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(50, 8)), rng.normal(size=(50, 8))
    pairs = wb.datasets.PairDataset(name="toy", text1=["x"] * 50, text2=["y"] * 50, scores=rng.uniform(0, 5, 50))
    res = evaluate_sts((a, b), pairs)
    sims = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    assert res["spearman"] == pytest.approx(stats.spearmanr(sims, pairs.scores).statistic)
    assert res["pearson"] == pytest.approx(stats.pearsonr(sims, pairs.scores).statistic)
    assert res["n"] == 50


def test_minilm_on_lee_pairs_quality_floor(minilm):
    res = evaluate_sts(minilm, wb.datasets.load("lee-pairs"))
    assert res["n"] == 1225
    assert res["spearman"] > 0.45  # measured 0.508 with mean pooling


def test_glove_on_wordsim353_quality_floor(glove):
    res = evaluate_sts(glove, wb.datasets.load("wordsim353"))
    assert res["spearman"] > 0.45  # GloVe 6B 50-d is known to land near 0.5 here
