"""Geometry metrics: known answers, invariances, reference packages, bad input, report, layerwise, CLI."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.neighbors import NearestNeighbors

from workbench import cli, geometry
from workbench.geometry import GeometryWarning

RNG = np.random.default_rng(0)


def rotation(d: int, seed: int = 1) -> np.ndarray:
    return np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))[0]


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeometryWarning)
        return fn(*args, **kw)


# ---------------------------------------------------------------------- IsoScore
def test_isoscore_line_disk_ball():
    rng = np.random.default_rng(0)
    line = rng.normal(size=(5000, 1)) @ rng.normal(size=(1, 3))
    disk = np.hstack([rng.normal(size=(20000, 2)), np.zeros((20000, 1))]) @ rotation(3)
    ball = rng.normal(size=(20000, 3))
    assert geometry.isoscore(line) == pytest.approx(0.0, abs=1e-6)
    assert geometry.isoscore(disk) == pytest.approx(0.5, abs=0.02)
    assert geometry.isoscore(ball) == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("k,n", [(1, 10), (3, 10), (5, 20), (20, 20)])
def test_isoscore_k_of_n_dimensions(k, n):
    v = np.r_[np.ones(k), np.zeros(n - k)]
    assert geometry.isoscore_from_variances(v) == pytest.approx((k - 1) / (n - 1), abs=1e-12)
    X = np.hstack([np.random.default_rng(k).normal(size=(20000, k)), np.zeros((20000, n - k))]) @ rotation(n)
    assert geometry.isoscore(X) == pytest.approx((k - 1) / (n - 1), abs=0.03)


def test_isoscore_bias_when_n_close_to_d():
    rng = np.random.default_rng(0)
    d = 50
    big = geometry.isoscore(rng.normal(size=(50 * d, d)))
    small = geometry.isoscore(rng.normal(size=(d + 10, d)))
    assert big > 0.95
    assert small < 0.7  # same isotropic law, far fewer samples: biased low
    with pytest.warns(GeometryWarning, match="rank < d"):
        geometry.isoscore(rng.normal(size=(d, d)))


def test_invariance_to_rotation_and_scale():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 12)) * np.linspace(3, 0.2, 12) + 2.0
    Y = 7.5 * X @ rotation(12)
    for fn in (geometry.isoscore, geometry.effective_rank, geometry.twonn_dimension, geometry.mle_dimension):
        assert fn(Y) == pytest.approx(fn(X), rel=1e-6), fn.__name__


def test_isoscore_matches_reference_package():
    IsoScore = pytest.importorskip("IsoScore.IsoScore")
    rng = np.random.default_rng(0)
    for X in (rng.normal(size=(3000, 20)) * np.linspace(2, 0.1, 20), rng.normal(size=(500, 64)) + 3.0):
        assert geometry.isoscore(X) == pytest.approx(float(IsoScore.IsoScore(X)), abs=1e-8)


# ---------------------------------------------------------------------- spectrum
def test_spectrum_and_effective_rank():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 6)) * [4, 2, 1, 1, 1, 1]
    ratios = geometry.explained_variance(X)
    from sklearn.decomposition import PCA

    np.testing.assert_allclose(ratios, PCA().fit(X).explained_variance_ratio_, rtol=1e-8)
    s = geometry.spectrum(X)
    assert s["top1"] == pytest.approx(ratios[0]) and s["n90"] == int(np.searchsorted(np.cumsum(ratios), 0.9) + 1)
    sv = np.linalg.svd(X - X.mean(0), compute_uv=False)
    p = sv / sv.sum()
    assert geometry.effective_rank(X) == pytest.approx(np.exp(-(p * np.log(p)).sum()), rel=1e-8)
    assert geometry.effective_rank(np.outer(rng.normal(size=300), rng.normal(size=5)) + 1) == pytest.approx(1, abs=1e-6)


def test_partition_isotropy_uses_eigenvectors():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(400, 5)) * [3, 1, 1, 1, 0.5] + [0.5, 0, 0, 0, 0]
    _, dirs = np.linalg.eigh(W.T @ W)
    Z = np.exp(np.hstack([W @ dirs, -W @ dirs])).sum(axis=0)
    assert geometry.partition_isotropy(W) == pytest.approx(Z.min() / Z.max(), rel=1e-8)
    sym = np.vstack([np.eye(4), -np.eye(4)])
    assert geometry.partition_isotropy(sym) == pytest.approx(1.0)
    assert geometry.partition_isotropy(1e3 * W) < 1e-100 or geometry.partition_isotropy(1e3 * W) >= 0  # no overflow


# ---------------------------------------------------------------------- cosine
def test_average_cosine_exact_and_ci():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 16)) + 0.8
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    C = U @ U.T
    brute = C[np.triu_indices(300, 1)].mean()
    res = geometry.average_cosine(X)
    assert res["value"] == pytest.approx(brute, abs=1e-10)
    assert res["ci_low"] < brute < res["ci_high"]
    sampled = geometry.average_cosine(X, n_pairs=20000, seed=3)
    assert sampled["ci_low"] < brute < sampled["ci_high"]
    # the U-statistic interval is about resampling items: check its coverage by simulation
    hits = 0
    for s in range(40):
        r = geometry.average_cosine(np.random.default_rng(s).normal(size=(200, 16)) + 0.8)
        hits += r["ci_low"] < res["value"] < r["ci_high"]
    assert hits >= 30


def test_rogue_dimensions_find_the_dominant_coordinate():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 8))
    X[:, 5] += 6.0  # one rogue coordinate
    r = geometry.rogue_dimensions(X, top=2)
    assert r["top1_dim"] == 5 and 0.9 < r["top1_share"] <= 1.1
    with pytest.warns(GeometryWarning, match="near 0"):
        geometry.rogue_dimensions(rng.normal(size=(2000, 8)))


def test_alignment_and_uniformity_brute_force():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    pairs = np.array([[0, 1], [2, 3], [4, 9]])
    expected = np.mean([np.sum((U[a] - U[b]) ** 2) for a, b in pairs])
    assert geometry.alignment(X, pairs) == pytest.approx(expected)
    assert geometry.alignment(None, (X[:3], X[[1, 3, 9]])) == pytest.approx(
        np.mean([np.sum((U[a] - U[b]) ** 2) for a, b in [(0, 1), (1, 3), (2, 9)]]))
    D2 = ((U[:, None] - U[None]) ** 2).sum(-1)[np.triu_indices(60, 1)]
    assert geometry.uniformity(X) == pytest.approx(np.log(np.mean(np.exp(-2 * D2))))
    with pytest.raises(ValueError, match=r"\(m, 2\) integer array"):
        geometry.alignment(X, np.array([0.5, 1.0]))


# ---------------------------------------------------------------------- intrinsic dimension and hubness
def swiss_roll(n: int, rng) -> np.ndarray:
    t = 1.5 * np.pi * (1 + 2 * rng.uniform(size=n))
    return np.c_[t * np.cos(t), 20 * rng.uniform(size=n), t * np.sin(t)]


@pytest.mark.parametrize("case", ["plane5_in_20", "swiss_roll_in_10", "sphere3_in_8"])
def test_intrinsic_dimension_recovers_manifolds(case):
    rng = np.random.default_rng(0)
    if case == "plane5_in_20":
        X, dim = np.hstack([rng.uniform(size=(4000, 5)), np.zeros((4000, 15))]) @ rotation(20), 5
    elif case == "swiss_roll_in_10":
        X, dim = np.hstack([swiss_roll(4000, rng), np.zeros((4000, 7))]) @ rotation(10), 2
    else:  # the 3-sphere in R^4, curved, embedded in R^8
        S = rng.normal(size=(4000, 4))
        X, dim = np.hstack([S / np.linalg.norm(S, axis=1, keepdims=True), np.zeros((4000, 4))]) @ rotation(8), 3
    assert geometry.twonn_dimension(X) == pytest.approx(dim, rel=0.10)
    assert geometry.mle_dimension(X) == pytest.approx(dim, rel=0.10)


def test_intrinsic_dimension_matches_scikit_dimension():
    skdim = pytest.importorskip("skdim")
    rng = np.random.default_rng(0)
    X = np.hstack([rng.normal(size=(1500, 4)), 0.05 * rng.normal(size=(1500, 6))]) @ rotation(10)
    assert geometry.twonn_dimension(X) == pytest.approx(skdim.id.TwoNN().fit(X).dimension_, rel=1e-6)
    assert geometry.mle_dimension(X) == pytest.approx(skdim.id.MLE().fit(X).dimension_, rel=1e-6)


def test_hubness_low_vs_high_dimension_and_k_occurrence():
    rng = np.random.default_rng(0)
    low = geometry.hubness(rng.uniform(size=(2000, 2)))
    high = geometry.hubness(rng.normal(size=(2000, 200)))
    assert abs(low) < 0.5 and high > 1.5
    X = rng.normal(size=(800, 30))
    ids = NearestNeighbors(n_neighbors=10).fit(X).kneighbors(return_distance=False)
    assert geometry.hubness(X) == pytest.approx(stats.skew(np.bincount(ids.ravel(), minlength=800)), rel=1e-9)


def test_duplicates_are_dropped_with_warning():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 3))
    X = np.vstack([X, X[:5]])
    with pytest.warns(GeometryWarning, match="duplicate"):
        assert 2.5 < geometry.twonn_dimension(X) < 3.5


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad,match", [
    (np.array([[1.0, np.nan], [0.0, 1.0], [1.0, 1.0]]), "NaN or inf"),
    (np.array([[1.0, np.inf], [0.0, 1.0], [1.0, 1.0]]), "NaN or inf"),
    (np.ones((1, 4)), "at least 2 rows"),
    (np.arange(5.0)[:, None], "at least 2 dimensions"),
    (np.ones(5), "2-d"),
    (np.array([["a", "b"], ["c", "d"]]), "numbers"),
])
def test_bad_input_errors(bad, match):
    for fn in (geometry.isoscore, geometry.average_cosine, geometry.report):
        with pytest.raises(ValueError, match=match):
            fn(bad)


def test_constant_and_zero_vectors():
    const = np.tile([1.0, 2.0, 3.0], (10, 1))
    for fn in (geometry.isoscore, geometry.effective_rank, geometry.spectrum):
        with pytest.raises(ValueError, match="constant vectors"):
            fn(const)
    assert geometry.average_cosine(const)["value"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="zero vector"):
        geometry.average_cosine(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    with pytest.warns(GeometryWarning, match="isoscore left out"):
        r = geometry.report(const, metrics=["average_cosine", "isoscore"], errors="warn")
    assert "isoscore" not in r and not any(np.isnan(v) for v in r.values())


# ---------------------------------------------------------------------- registry and report
def test_report_runs_every_metric():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 10)).astype(np.float32)
    r = quiet(geometry.report, X, pairs=np.array([[0, 1], [2, 3]]))
    for name in geometry.METRICS:
        assert any(k == name or k.startswith(name + "_") for k in r), name
    assert all(np.isfinite(v) for v in r.values())
    assert r["isoscore"] > 0.9 and r["twonn"] == pytest.approx(10, rel=0.2)
    assert "alignment" not in quiet(geometry.report, X)
    with pytest.raises(ValueError, match="valid: average_cosine"):
        geometry.report(X, metrics=["isotropy"])
    with pytest.raises(ValueError, match="needs positive pairs"):
        geometry.report(X, metrics=["alignment"])


# ---------------------------------------------------------------------- models
TEXTS = ["The cat sat on the mat.", "A dog barked at the cat.", "The market fell sharply today.",
         "Stocks and the market rallied.", "The cat and the dog slept.", "Rain fell on the market town.",
         "The dog chased the ball.", "The cat watched the rain."]


def test_layerwise_table_and_cache(minilm, monkeypatch):
    df = geometry.layerwise(minilm, TEXTS, metrics=["average_cosine"], pooling=["mean", "tokens"], min_contexts=3)
    assert set(df.columns) == {"layer", "pooling", "metric", "value"}
    mean = df[(df.pooling == "mean") & (df.metric == "average_cosine")].set_index("layer").value
    assert list(mean.index) == list(range(minilm.n_layers + 1))
    tok = df[df.pooling == "tokens"].pivot(index="layer", columns="metric", values="value")
    np.testing.assert_allclose(tok.self_similarity_adjusted, tok.self_similarity - tok.token_average_cosine)
    assert (tok.self_similarity > tok.token_average_cosine).all()  # a word is closer to itself than to others

    def boom(*a, **k):
        raise AssertionError("the table should come from the cache")

    monkeypatch.setattr(minilm, "encode_layers", boom)
    monkeypatch.setattr(minilm, "token_embeddings", boom)
    again = geometry.layerwise(minilm, TEXTS, metrics=["average_cosine"], pooling=["mean", "tokens"], min_contexts=3)
    assert again.equals(df)


def test_cli_geometry_json(capsys):
    assert cli.main(["geometry", "--model", "minilm", "--data", "pang-lee-polarity", "--max-texts", "40",
                     "--metrics", "average_cosine,isoscore", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 40 and 0 < out["average_cosine"] < 1 and "isoscore" in out
    assert cli.main(["geometry", "--data", "pang-lee-polarity", "--max-texts", "20", "--layers", "all",
                     "--pooling", "cls", "--metrics", "average_cosine", "--json"]) == 0
    layers = json.loads(capsys.readouterr().out)["layers"]
    assert [r["layer"] for r in layers] == list(range(7))
    assert cli.main(["geometry", "--data", "pang-lee-polarity", "--layers", "some"]) == 2
    assert "--layers takes only 'all'" in capsys.readouterr().err
    assert cli.main(["geometry", "--data", "pang-lee-polarity", "--max-texts", "20", "--metrics", "nope"]) == 2
