"""Query drift compensation: the maps against reference solvers, and the retrieval report."""

import numpy as np
import pytest
from scipy.linalg import orthogonal_procrustes
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge

from workbench.evaluate.retrieval import retrieval_subset
from workbench.train.drift import MAPS, QueryDriftMap, drift_report


def _data(n=80, d_in=6, d_out=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d_in)), rng.normal(size=(n, d_out))


def test_procrustes_matches_scipy_and_lstsq_matches_numpy_and_sklearn():
    X, Y = _data()
    R, _ = orthogonal_procrustes(X, Y)
    np.testing.assert_allclose(QueryDriftMap("procrustes").fit(X, Y).W_, R, atol=1e-10)
    np.testing.assert_allclose(QueryDriftMap("lstsq").fit(X, Y).W_, np.linalg.lstsq(X, Y, rcond=None)[0], atol=1e-10)
    ridge = Ridge(alpha=3.0, fit_intercept=False).fit(X, Y)
    np.testing.assert_allclose(QueryDriftMap("lstsq", alpha=3.0).fit(X, Y).W_, ridge.coef_.T, atol=1e-8)


def test_rectangular_procrustes_is_semi_orthogonal_and_transform_normalises():
    X, Y = _data(d_in=8, d_out=5)
    m = QueryDriftMap("procrustes").fit(X, Y)
    assert m.W_.shape == (8, 5)
    np.testing.assert_allclose(m.W_.T @ m.W_, np.eye(5), atol=1e-10)
    Z = m.transform(X)
    assert Z.dtype == np.float32 and Z.shape == (80, 5)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1, atol=1e-6)
    raw = QueryDriftMap("procrustes", normalize=False).fit(X, Y).transform(X)
    np.testing.assert_allclose(raw, X @ m.W_, rtol=1e-5, atol=1e-5)


def test_sklearn_contract_and_bad_input():
    X, Y = _data()
    m = QueryDriftMap("lstsq", alpha=0.5)
    assert clone(m).get_params() == {"method": "lstsq", "alpha": 0.5, "normalize": True}
    with pytest.raises(NotFittedError):
        m.transform(X)
    assert m.fit(X, Y) is m and m.n_features_in_ == 6
    with pytest.raises(ValueError, match="unknown method 'svd'; valid: lstsq, procrustes"):
        QueryDriftMap("svd").fit(X, Y)
    with pytest.raises(ValueError, match="same texts.*80 and 79"):
        QueryDriftMap().fit(X, Y[:-1])
    with pytest.raises(ValueError, match="7 features.*fitted on 6"):
        m.transform(np.zeros((2, 7)))
    with pytest.raises(ValueError, match="alpha"):
        QueryDriftMap("lstsq", alpha=-1).fit(X, Y)
    assert set(MAPS) == {"lstsq", "procrustes"}


class _Rotated:
    """A "new model": the old one followed by a fixed rotation of its space (a pure drift)."""

    def __init__(self, enc, seed=0):
        self.enc = enc
        self.R = np.linalg.qr(np.random.default_rng(seed).normal(size=(enc.dim, enc.dim)))[0].astype(np.float32)

    def encode(self, texts, **kw):
        return self.enc.encode(texts, **kw) @ self.R


@pytest.fixture(scope="module")
def small_set():
    import workbench as wb

    return retrieval_subset(wb.datasets.load("python-docstrings"), 40, 200)


def test_report_recovers_a_pure_rotation(minilm, small_set):
    # fit on every document: 200 pairs in 384-d, so the maps are close to, not exactly, the rotation
    rep = drift_report(minilm, _Rotated(minilm), small_set, n_resamples=200,
                       old_options={"max_length": 64}, new_options={"max_length": 64})
    assert list(rep.index) == ["old model", "new queries, old index", "mapped (lstsq)", "mapped (procrustes)",
                               "full re-index"]
    full, raw = rep.loc["full re-index", "ndcg@10"], rep.loc["new queries, old index", "ndcg@10"]
    assert full == pytest.approx(rep.loc["old model", "ndcg@10"], abs=1e-6)  # a rotation changes no ranking
    assert raw < 0.3 * full  # unmapped rotated queries are lost in the old index
    for m in ("lstsq", "procrustes"):
        assert rep.loc[f"mapped ({m})", "ndcg@10"] == pytest.approx(full, abs=0.03)
        assert rep.loc[f"mapped ({m})", "gap_recovered"] > 0.9
        assert rep.loc[f"mapped ({m})", "p_vs_raw"] < 0.01
    assert rep.loc["old model", "ci_low"] <= rep.loc["old model", "ndcg@10"] <= rep.loc["old model", "ci_high"]


def test_report_with_an_upgraded_model_and_other_widths(minilm, glove, small_set):
    # the index was built from an early layer of minilm; the "new model" is the full minilm
    rep = drift_report(minilm, minilm, small_set, fit_texts=small_set.documents[:150], n_resamples=0,
                       old_options={"layer": 2, "max_length": 64}, new_options={"max_length": 64})
    assert rep.loc["full re-index", "ndcg@10"] > rep.loc["old model", "ndcg@10"]
    # with fewer fit texts than dimensions a map need not beat the raw queries here; it must still rank
    assert all(0 < rep.loc[f"mapped ({m})", "ndcg@10"] <= 1 for m in ("lstsq", "procrustes"))
    # widths differ (384 -> 50): no raw row, the maps still run
    rep = drift_report(glove, minilm, small_set, methods=("procrustes",), n_fit=150, n_resamples=0,
                       new_options={"max_length": 64})
    assert np.isnan(rep.loc["new queries, old index", "ndcg@10"])
    assert 0 < rep.loc["mapped (procrustes)", "ndcg@10"] <= 1
    with pytest.raises(ValueError, match="unknown method 'pca'"):
        drift_report(minilm, minilm, small_set, methods=("pca",))


def test_gap_is_measured_to_the_old_model_when_the_update_forgets(minilm, small_set):
    # the "update" is worse at this task (an early layer) and drifted (rotated): re-indexing does not help,
    # so the gap a map should close runs from the raw queries to the old model
    rep = drift_report(minilm, _Rotated(minilm), small_set, n_resamples=0,
                       old_options={"max_length": 64}, new_options={"layer": 2, "max_length": 64})
    old, full = rep.loc["old model", "ndcg@10"], rep.loc["full re-index", "ndcg@10"]
    raw = rep.loc["new queries, old index", "ndcg@10"]
    assert full < old and raw < full
    for m in ("lstsq", "procrustes"):
        mapped = rep.loc[f"mapped ({m})", "ndcg@10"]
        assert mapped > raw
        assert rep.loc[f"mapped ({m})", "gap_recovered"] == pytest.approx((mapped - raw) / (old - raw))
