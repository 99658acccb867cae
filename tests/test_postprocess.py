"""Post-processors: scikit-learn contract, closed-form answers, pipelines, real-data effects."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import check_estimator

import workbench as wb
from workbench import geometry
from workbench.evaluate import evaluate_sts
from workbench.postprocess import POSTPROCESSORS, AllButTheTop, Center, Normalize, Whitening, make_postprocessor


def anisotropic(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.normal(size=(d, d)))[0]
    return (rng.normal(size=(n, d)) * np.linspace(5, 0.2, d)) @ Q + 3.0


@pytest.mark.parametrize("name", sorted(POSTPROCESSORS))
def test_scikit_learn_contract(name):
    check_estimator(make_postprocessor(name))


def test_registry_rejects_unknown_names():
    with pytest.raises(ValueError, match="valid: center, whitening"):
        make_postprocessor("pca")


def test_whitening_gives_identity_covariance_on_fit_set():
    X = anisotropic(800, 10)
    w = Whitening().fit(X)
    np.testing.assert_allclose(np.cov(w.transform(X), rowvar=False), np.eye(10), atol=1e-9)
    w4 = Whitening(n_components=4).fit(X)
    Y = w4.transform(X)
    assert Y.shape == (800, 4)
    np.testing.assert_allclose(np.cov(Y, rowvar=False), np.eye(4), atol=1e-9)
    # Su et al.'s recipe written out: U, S = SVD(cov); W = U diag(S^-1/2)
    U, S, _ = np.linalg.svd(np.cov(X, rowvar=False))
    ref = (X - X.mean(0)) @ (U[:, :4] / np.sqrt(S[:4]))
    np.testing.assert_allclose(np.abs(Y), np.abs(ref), atol=1e-8)  # columns agree up to sign


def test_whitening_fit_on_one_set_apply_to_another():
    X, Z = anisotropic(600, 6, seed=0), anisotropic(50, 6, seed=1)
    w = Whitening().fit(X)
    np.testing.assert_allclose(w.transform(Z), (Z - X.mean(0)) @ w.components_)


def test_whitening_rank_errors():
    X = anisotropic(20, 30)
    with pytest.raises(ValueError, match="rank 19 .* pass n_components <= 19"):
        Whitening().fit(X)
    assert Whitening(n_components=19).fit(X).transform(X).shape == (20, 19)
    with pytest.raises(ValueError, match="n_components must be an int in 1..30"):
        Whitening(n_components=0).fit(X)


def test_all_but_the_top_removes_exactly_the_top_components():
    X = anisotropic(1000, 12)
    abt = AllButTheTop(n_remove=3).fit(X)
    Y = abt.transform(X)
    assert np.abs(Y @ abt.components_.T).max() < 1e-9
    before = np.linalg.eigvalsh(np.cov(X, rowvar=False))[::-1]
    after = np.linalg.eigvalsh(np.cov(Y, rowvar=False))[::-1]
    np.testing.assert_allclose(after[:9], before[3:], rtol=1e-9)  # the rest of the spectrum is untouched
    np.testing.assert_allclose(after[9:], 0, atol=1e-9)
    from sklearn.decomposition import PCA

    np.testing.assert_allclose(np.abs(abt.components_), np.abs(PCA(3).fit(X).components_), atol=1e-8)


def test_all_but_the_top_default_is_d_over_100():
    rng = np.random.default_rng(0)
    assert AllButTheTop().fit(rng.normal(size=(50, 300))).n_remove_ == 3
    assert AllButTheTop().fit(rng.normal(size=(50, 20))).n_remove_ == 1
    with pytest.raises(ValueError, match="n_remove must be an int in 0..19"):
        AllButTheTop(n_remove=20).fit(rng.normal(size=(50, 20)))


def test_center_normalize_and_pipeline_keep_float32():
    X = anisotropic(300, 8).astype(np.float32)
    pipe = make_pipeline(Center(), Whitening(n_components=5), Normalize()).fit(X)
    Y = pipe.transform(X[:10])
    assert Y.dtype == np.float32 and Y.shape == (10, 5)
    np.testing.assert_allclose(np.linalg.norm(Y, axis=1), 1, rtol=1e-6)
    assert np.allclose(Center().fit(X).transform(X).mean(0), 0, atol=1e-4)
    assert Normalize().fit_transform(np.zeros((2, 3))).tolist() == [[0.0] * 3] * 2
    with pytest.raises(ValueError, match="NaN"):
        Center().fit(np.array([[np.nan, 1.0], [1.0, 2.0]]))


def test_all_but_the_top_improves_glove_word_similarity(glove):
    vocab = glove.vectors.numpy() if hasattr(glove.vectors, "numpy") else np.asarray(glove.vectors)
    abtt = AllButTheTop().fit(vocab)  # D = 1 for 50-d vectors
    for name in ("wordsim353", "simlex999"):
        pairs = wb.datasets.load(name)
        A, B = glove.encode(list(pairs.text1), normalize=False), glove.encode(list(pairs.text2), normalize=False)
        base = evaluate_sts((A, B), pairs)["spearman"]
        fixed = evaluate_sts((abtt.transform(A), abtt.transform(B)), pairs)["spearman"]
        assert fixed > base + 0.02, (name, base, fixed)


def test_whitening_raises_isotropy_of_real_sentence_vectors(minilm):
    texts = wb.datasets.load("pang-lee-polarity").texts
    X = minilm.encode(texts, pooling="cls", normalize=False)
    Y = make_pipeline(Whitening(n_components=64), Normalize()).fit_transform(X)
    assert geometry.isoscore(Y) > geometry.isoscore(X) + 0.3
    assert abs(geometry.average_cosine(Y)["value"]) < 0.05 < geometry.average_cosine(X)["value"]
