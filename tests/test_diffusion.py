"""The DDPM: schedule against its closed form, reproducible sampling, label checks, seams."""

import numpy as np
import pytest
import torch

from workbench import diffusion as D
from workbench import digits


def test_schedule_matches_closed_form():
    s = D.Schedule(steps=50, beta_start=1e-4, beta_end=0.05)
    betas = np.linspace(1e-4, 0.05, 50)
    np.testing.assert_allclose(s.abar.numpy(), np.cumprod(1 - betas), rtol=1e-12)
    x0 = torch.linspace(-1, 1, 64).view(1, 8, 8)
    g = torch.Generator().manual_seed(0)
    n = 20000
    for t in (0, 10, 49):
        noise = torch.randn((n, 8, 8), generator=g)
        xt = s.q_sample(x0.expand(n, 8, 8), torch.full((n,), t), noise)
        abar = float(np.prod(1 - betas[: t + 1]))
        np.testing.assert_allclose(xt.mean(0).numpy(), np.sqrt(abar) * x0[0].numpy(), atol=0.03)
        np.testing.assert_allclose(xt.var(0).numpy(), np.full((8, 8), 1 - abar), rtol=0.06, atol=2e-4)


def test_conditioned_sampler_is_reproducible():
    X, y, _, _ = digits.load_digits_scaled()
    C = D.condition_vectors("label", labels=y)
    cfg = D.DiffusionConfig(hidden=32, steps=5, batch_size=16, schedule=D.Schedule(steps=10))
    model, losses = D.train_diffusion(X[:200], C[:200], cfg, seed=0)
    a = D.sample(model, C[:6], cfg.schedule, seed=7)
    b = D.sample(model, C[:6], cfg.schedule, seed=7)
    c = D.sample(model, C[:6], cfg.schedule, seed=8)
    assert np.array_equal(a, b) and not np.array_equal(a, c) and a.shape == (6, 8, 8)
    model2, _ = D.train_diffusion(X[:200], C[:200], cfg, seed=0)
    assert np.array_equal(D.sample(model2, C[:6], cfg.schedule, seed=7), a)


def test_one_class_set_is_refused_for_labels():
    with pytest.raises(ValueError, match="at least two classes"):
        D.condition_vectors("label", labels=np.full(20, 4))
    assert D.condition_vectors("none", labels=np.full(20, 4)).shape == (20, 0)
    with pytest.raises(ValueError, match="choose from"):
        D.condition_vectors("text", labels=np.arange(3))


def test_mosaic_shapes_and_seams():
    m = D.Denoiser(4, hidden=16, steps=5)
    grid = np.ones((2, 2, 4), np.float32)
    assert D.mosaic(m, grid, D.Schedule(5), stride=8).shape == (16, 16)
    assert D.mosaic(m, np.ones((3, 3, 4), np.float32), D.Schedule(5), stride=4).shape == (16, 16)
    assert D.seam_ratio(np.add.outer(np.arange(16.0), np.arange(16.0))) == pytest.approx(1.0)


def test_contrastive_embeddings_separate_digits():
    from sklearn.neighbors import KNeighborsClassifier

    Xtr, ytr, Xte, yte = digits.load_digits_scaled()
    enc, losses = digits.train_contrastive(Xtr, digits.ContrastiveConfig(steps=40, batch_size=128), seed=0)
    acc = KNeighborsClassifier(5).fit(enc.embed(Xtr), ytr).score(enc.embed(Xte), yte)
    assert losses[-1] < losses[0] and acc > 0.8  # labels never seen; chance is 0.1
