"""Distilled sentence embeddings: the pair head, its training targets, and the cross-encoder teacher."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from workbench.train.cross_encoder import fit_cross_encoder
from workbench.train.distill import PairMLP, cosine_head, fit_pair_head, relative_degradation


def test_identity_like_head_reproduces_cosine_ordering():
    rng = np.random.default_rng(0)
    U = rng.normal(size=(1, 16)).astype(np.float32)
    V = rng.normal(size=(50, 16)).astype(np.float32)
    U, V = U / np.linalg.norm(U), V / np.linalg.norm(V, axis=1, keepdims=True)
    scores = cosine_head(16).score(np.repeat(U, 50, axis=0), V)
    cos = (V @ U[0])
    np.testing.assert_allclose(scores, cos, atol=1e-6)
    assert np.argsort(-scores).tolist() == np.argsort(-cos).tolist()


def test_head_distils_a_planted_teacher_and_hard_labels_train_too():
    rng = np.random.default_rng(1)
    d = 8
    M = rng.normal(size=(d, d)).astype(np.float32)
    U, V = rng.normal(size=(2, 800, d)).astype(np.float32)
    teacher = np.einsum("nd,de,ne->n", U, M, V) / 3   # a bilinear "cross-attention" score
    head = fit_pair_head(PairMLP(d, hidden=64), U[:600], V[:600], teacher[:600], loss="mse", epochs=25,
                         batch_size=100, lr=1e-2)
    assert head.losses_[-1] < 0.5 * head.losses_[0]
    assert np.corrcoef(head.score(U[600:], V[600:]), teacher[600:])[0, 1] > 0.8
    labels = (teacher > 0).astype(np.float32)
    hard = fit_pair_head(PairMLP(d, hidden=64), U[:600], V[:600], labels[:600], loss="bce", epochs=25,
                         batch_size=100, lr=1e-2)
    assert ((hard.score(U[600:], V[600:]) > 0) == (labels[600:] > 0)).mean() > 0.7
    with pytest.raises(ValueError, match="0/1 labels"):
        fit_pair_head(PairMLP(d), U[:10], V[:10], teacher[:10], loss="bce")
    with pytest.raises(ValueError, match="loss must be one of"):
        fit_pair_head(PairMLP(d), U[:10], V[:10], teacher[:10], loss="kl")


def test_relative_degradation_is_the_papers_measure():
    assert relative_degradation(0.8, 1.0) == pytest.approx(0.2)
    assert relative_degradation(1.0, 1.0) == 0.0
    with pytest.raises(ValueError):
        relative_degradation(0.5, 0.0)


def test_cross_encoder_fits_a_toy_pair_task_and_leaves_the_encoder_alone(tiny_model):
    import workbench as wb

    enc = wb.load_encoder(str(tiny_model))
    before = {k: v.clone() for k, v in enc.model.state_dict().items()}
    words = ["apple", "river", "guitar", "cloud", "pencil", "tiger", "violin", "mountain"]
    a = words * 4
    b = [words[(i * 3 + 1) % len(words)] for i in range(len(a))]
    y = np.array([1.0 if w in words[:4] else 0.0 for w in a])  # the label depends on the first text
    model = fit_cross_encoder(enc, a * 4, b * 4, np.tile(y, 4), epochs=3, batch_size=16, lr=2e-3)
    assert np.mean(model.losses_[-4:]) < np.mean(model.losses_[:4])
    assert ((model.score(a, b) > 0) == (y > 0)).mean() >= 0.75
    assert all(torch.equal(before[k], v) for k, v in enc.model.state_dict().items())
