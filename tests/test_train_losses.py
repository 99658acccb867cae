"""Training losses: hand-computed values, finite-difference gradients, Matryoshka sums, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from workbench.train import losses as L


def _unit(*rows):
    return F.normalize(torch.tensor(rows, dtype=torch.float64), dim=-1)


def test_info_nce_hand_value_with_hard_negative():
    # queries e1, e2; positives e1, (e1 + e2)/sqrt2; hard negative of query 0 = e2
    q = _unit([1.0, 0.0], [0.0, 1.0])
    d = _unit([1.0, 0.0], [1.0, 1.0])
    hn = _unit([0.0, 1.0], [1.0, 0.0]).reshape(2, 1, 2)
    t = 0.5
    s = 1 / math.sqrt(2)
    # row 0 logits: [1, s, 0] / t, target 0; row 1: [0, s, 0] / t, target 1
    row0 = -math.log(math.exp(1 / t) / (math.exp(1 / t) + math.exp(s / t) + 1))
    row1 = -math.log(math.exp(s / t) / (1 + math.exp(s / t) + 1))
    got = L.info_nce(q, d, hard_negatives=hn, temperature=t)
    assert float(got) == pytest.approx((row0 + row1) / 2, rel=1e-12)


def test_info_nce_symmetric_and_focal_hand_values():
    q = _unit([1.0, 0.0], [0.0, 1.0])
    d = _unit([1.0, 0.0], [1.0, 1.0])
    t, s = 1.0, 1 / math.sqrt(2)
    # documents -> queries: row 0 (d0): [1, 0], target 0; row 1 (d1): [s, s], target 1
    fwd = (-math.log(math.e / (math.e + math.exp(s))) - math.log(math.exp(s) / (1 + math.exp(s)))) / 2
    back = (-math.log(math.e / (math.e + 1)) - math.log(0.5)) / 2
    assert float(L.info_nce(q, d, temperature=t, symmetric=True)) == pytest.approx((fwd + back) / 2, rel=1e-12)
    p0, p1 = math.e / (math.e + math.exp(s)), math.exp(s) / (1 + math.exp(s))
    focal = (-(1 - p0) ** 2 * math.log(p0) - (1 - p1) ** 2 * math.log(p1)) / 2
    assert float(L.info_nce(q, d, temperature=t, gamma=2.0)) == pytest.approx(focal, rel=1e-12)


def test_info_nce_matches_cross_entropy_reference():
    g = torch.Generator().manual_seed(0)
    q, d = torch.randn(6, 5, generator=g), torch.randn(6, 5, generator=g)
    logits = F.normalize(q, dim=-1) @ F.normalize(d, dim=-1).T / 0.05
    ref = F.cross_entropy(logits, torch.arange(6))
    assert torch.isclose(L.info_nce(q, d), ref, atol=1e-6)


def test_cosent_hand_value():
    a = _unit([1.0, 0.0], [1.0, 0.0], [1.0, 0.0])
    b = _unit([1.0, 0.0], [1.0, 1.0], [0.0, 1.0])
    cos = [1.0, 1 / math.sqrt(2), 0.0]
    gold = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)  # gold says the order is reversed
    scale = 2.0
    terms = [scale * (cos[j] - cos[i]) for i in range(3) for j in range(3) if gold[i] > gold[j]]
    expected = math.log(1 + sum(math.exp(x) for x in terms))
    assert float(L.cosent(a, b, gold, scale=scale)) == pytest.approx(expected, rel=1e-12)
    assert float(L.cosent(a, b, torch.zeros(3, dtype=torch.float64))) == 0.0  # no ordered pair


def test_distillation_hand_values():
    q = _unit([1.0, 0.0], [0.0, 1.0])
    d = _unit([1.0, 0.0], [1.0, 1.0])
    s = 1 / math.sqrt(2)
    teacher_pairs = torch.tensor([0.5, 0.5], dtype=torch.float64)
    assert float(L.distill_mse(q, d, teacher_pairs)) == pytest.approx(((1 - 0.5) ** 2 + (s - 0.5) ** 2) / 2)
    teacher = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    student = torch.tensor([[1.0, s], [0.0, s]], dtype=torch.float64)
    pt, ps = torch.softmax(teacher, 1), torch.softmax(student, 1)
    expected = float((pt * (pt.log() - ps.log())).sum(1).mean())
    assert float(L.distill_kl(q, d, teacher, temperature=1.0)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name,fn", [
    ("info_nce", lambda q, d, h: L.info_nce(q, d, hard_negatives=h, temperature=0.3, symmetric=True, gamma=1.5)),
    ("cosent", lambda q, d, h: L.cosent(q, d, torch.tensor([0.1, 0.7, 0.3], dtype=torch.float64), scale=3.0)),
    ("distill_mse", lambda q, d, h: L.distill_mse(q, d, torch.tensor([0.2, 0.5, 0.9], dtype=torch.float64))),
    ("distill_kl", lambda q, d, h: L.distill_kl(q, d, torch.eye(3, dtype=torch.float64), temperature=0.5)),
    ("matryoshka", lambda q, d, h: L.matryoshka(L.info_nce, [4, 2], [1.0, 0.5])(q, d, hard_negatives=h)),
])
def test_finite_difference_gradients(name, fn):
    g = torch.Generator().manual_seed(1)
    q = torch.randn(3, 4, dtype=torch.float64, generator=g, requires_grad=True)
    d = torch.randn(3, 4, dtype=torch.float64, generator=g, requires_grad=True)
    h = torch.randn(3, 2, 4, dtype=torch.float64, generator=g, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b, c: fn(a, b, c), (q, d, h), eps=1e-6, atol=1e-5)


def test_matryoshka_is_weighted_sum_of_truncated_losses():
    g = torch.Generator().manual_seed(2)
    q, d, h = torch.randn(5, 16, generator=g), torch.randn(5, 16, generator=g), torch.randn(5, 3, 16, generator=g)
    dims, weights = [16, 8, 4], [1.0, 0.5, 0.25]
    got = L.matryoshka(L.info_nce, dims, weights)(q, d, hard_negatives=h)
    expected = sum(w * L.info_nce(q[:, :k], d[:, :k], hard_negatives=h[..., :k]) for k, w in zip(dims, weights))
    assert torch.isclose(got, expected, atol=1e-6)


def test_matryoshka_2d_sums_layers_and_dims():
    g = torch.Generator().manual_seed(3)
    q, d = torch.randn(3, 4, 8, generator=g), torch.randn(3, 4, 8, generator=g)
    loss = L.matryoshka_2d(L.info_nce, [8, 2], 3, dim_weights=[1.0, 2.0], layer_weights=[0.2, 0.3, 0.5])
    expected = sum(lw * dw * L.info_nce(q[i, :, :k], d[i, :, :k])
                   for i, lw in enumerate([0.2, 0.3, 0.5]) for k, dw in zip([8, 2], [1.0, 2.0]))
    assert torch.isclose(loss(q, d), expected, atol=1e-6)
    with pytest.raises(ValueError, match="3 layers"):
        loss(q[:2], d[:2])


def test_bad_input_is_named():
    q = torch.randn(4, 8)
    with pytest.raises(ValueError, match="at least 2 pairs"):
        L.info_nce(q[:1], q[:1])
    with pytest.raises(ValueError, match="same shape"):
        L.info_nce(q, q[:3])
    with pytest.raises(ValueError, match="larger than the vectors' width 8"):
        L.matryoshka(L.info_nce, [16, 4])(q, q)
    with pytest.raises(ValueError, match="hard_negatives"):
        L.info_nce(q, q, hard_negatives=torch.randn(4, 8))
    with pytest.raises(ValueError, match="temperature"):
        L.info_nce(q, q, temperature=0)
    with pytest.raises(ValueError, match="one weight per entry"):
        L.matryoshka(L.info_nce, [8, 4], [1.0])
    with pytest.raises(ValueError, match="one gold value per pair"):
        L.cosent(q, q, torch.zeros(3))
    with pytest.raises(ValueError, match="unknown loss 'triplet'; valid: mnrl"):
        L.get_loss("triplet")


def test_registry_names_callables():
    assert set(L.LOSSES) >= {"mnrl", "info_nce", "cosent", "distill_mse", "distill_kl"}
    x = torch.from_numpy(np.eye(3, dtype=np.float32))
    assert float(L.LOSSES["mnrl"](x, x, temperature=0.01)) < 1e-6  # perfect, well-separated pairs
