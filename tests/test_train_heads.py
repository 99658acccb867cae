"""Trainable pooling heads: exact start as mean pooling, masking, encoder integration, training."""

import copy

import numpy as np
import pytest
import torch

from workbench.encoder import head_key
from workbench.pooling import pool
from workbench.train.heads import (
    HEADS,
    LatentAttentionPooling,
    MultiLayerPooling,
    WeightedLayerPooling,
    cache_features,
    fit_head,
    make_head,
    token_states,
)

TEXTS = ["a dog runs in the park", "stock markets fell sharply on Monday", "how do I reverse a list in python?"]


def _perturb(head, scale=0.05, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in head.parameters():
            p.add_(torch.randn(p.shape, generator=g) * scale)
    return head


@pytest.mark.parametrize("name", ["latent_attention", "multi_layer"])
def test_untrained_attention_heads_are_mean_pooling(minilm, name):
    head = make_head(name, minilm, **({"n_latents": 16} if name == "latent_attention" else {}))
    np.testing.assert_allclose(minilm.encode(TEXTS, pooling=head, cache=False), minilm.encode(TEXTS, cache=False),
                               atol=2e-6)


def test_weighted_layer_pooling_known_answer():
    rng = np.random.default_rng(0)
    hs = tuple(torch.from_numpy(rng.normal(size=(2, 5, 4)).astype(np.float32)) for _ in range(3))
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    head = WeightedLayerPooling(4, 3)
    with torch.no_grad():
        head.logits.copy_(torch.tensor([0.5, -1.0, 2.0]))
    w = np.exp([0.5, -1.0, 2.0]) / np.exp([0.5, -1.0, 2.0]).sum()
    expected = sum(wi * pool(hs, mask, "mean", layer=i).numpy() for i, wi in enumerate(w))
    np.testing.assert_allclose(head(hs, mask).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(head.weights.numpy(), w, rtol=1e-6)


@pytest.mark.parametrize("layer", [-1, 3, 0])
def test_one_hot_weighted_layer_is_mean_pooling_of_that_layer(minilm, layer):
    head = make_head("weighted_layer", minilm)
    with torch.no_grad():  # softmax of (-1e4, ..., 0, ..., -1e4) is exactly one-hot
        head.logits.fill_(-1e4)
        head.logits[layer] = 0.0
    np.testing.assert_allclose(minilm.encode(TEXTS, pooling=head, cache=False),
                               minilm.encode(TEXTS, layer=layer, cache=False), atol=1e-6)


def test_batched_token_states_equal_one_text_at_a_time(minilm):
    texts = TEXTS + ["short", "def f(x):\n    return [y * 2 for y in x if y]  # a longer line of code " * 3]
    for layer in (-1, 2):
        alone = minilm.token_embeddings(texts, layer=layer, max_length=40, batch_size=1)
        batched = token_states(minilm, texts, layer, max_length=40, batch_size=3)
        assert [len(t) for t, _ in alone] == [len(s) for s in batched]
        for (_, ref), got in zip(alone, batched):
            np.testing.assert_allclose(got.numpy(), ref, atol=1e-5)
    head = make_head("latent_attention", minilm, n_latents=4)
    cached = cache_features(head, minilm, texts + texts[:2], max_length=40, batch_size=2)
    assert len(cached) == len(texts) + 2 and all(c.dtype == torch.float16 for c in cached)
    assert torch.equal(cached[-1], cached[1])  # a repeated text runs once
    ref = [torch.from_numpy(s).half() for _, s in minilm.token_embeddings(texts, max_length=40, batch_size=1)]
    for got, want in zip(cached, ref):  # float16 of states equal to 1e-5: at most one rounding step apart
        torch.testing.assert_close(got.float(), want.float(), rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("name", list(HEADS))
def test_padding_never_leaks(name):
    """A text's vector is the same alone and padded in a batch, on either side, whatever the pad values."""
    torch.manual_seed(0)
    head = _perturb(LatentAttentionPooling(8, n_latents=4, n_heads=2) if name == "latent_attention"
                    else HEADS[name](8, 3, **({"n_heads": 2} if name == "multi_layer" else {})), 0.3)
    alone = tuple(torch.randn(1, 3, 8) for _ in range(3))
    ref = head(alone, torch.ones(1, 3, dtype=torch.long))
    for left in (False, True):
        junk = [torch.randn(1, 2, 8) * 50 for _ in alone]
        padded = tuple(torch.cat([j, h] if left else [h, j], 1) for j, h in zip(junk, alone))
        mask = torch.tensor([[0, 0, 1, 1, 1]] if left else [[1, 1, 1, 0, 0]])
        torch.testing.assert_close(head(padded, mask), ref, rtol=1e-5, atol=1e-5)


def test_heads_pass_a_gradient_check():
    torch.manual_seed(0)
    head = _perturb(LatentAttentionPooling(4, n_latents=3, n_heads=2, mlp_ratio=1), 0.3).double()
    states, mask = torch.randn(2, 3, 4, dtype=torch.float64), torch.tensor([[1, 1, 0], [1, 1, 1]])
    params = list(head.parameters())

    def f(*ps):
        with torch.nn.utils.stateless._reparametrize_module(head, dict(zip(dict(head.named_parameters()), ps))):
            return head.forward_features(states, mask)

    assert torch.autograd.gradcheck(f, tuple(p.detach().requires_grad_() for p in params), eps=1e-6, atol=1e-5)


def test_cache_key_follows_the_weights(minilm):
    head = _perturb(make_head("latent_attention", minilm, n_latents=16), 0.05)
    twin = copy.deepcopy(head)
    assert head_key(head) == head_key(twin)
    first = minilm.encode(TEXTS, pooling=head)  # written to the cache
    np.testing.assert_array_equal(minilm.encode(TEXTS, pooling=twin), first)
    _perturb(head, 0.05, seed=1)
    assert head_key(head) != head_key(twin)
    second = minilm.encode(TEXTS, pooling=head)  # new weights: a new entry, not the stale one
    np.testing.assert_allclose(second, minilm.encode(TEXTS, pooling=head, cache=False), atol=1e-6)
    assert np.abs(second - first).max() > 1e-3
    other = LatentAttentionPooling(384, n_latents=16, n_heads=4)  # same weights, other config: other key
    other.load_state_dict(head.state_dict())
    assert head_key(other) != head_key(head)


def _pairs(n=96):
    from workbench.train.data import training_split

    train, _ = training_split("python-docstrings", n_train=n)
    return train


@pytest.mark.slow
@pytest.mark.parametrize("name", list(HEADS))
def test_fit_head_lowers_the_loss_and_repeats_exactly(minilm, name):
    pairs = _pairs(64)
    kw = {"n_latents": 8, "mlp_ratio": 1} if name == "latent_attention" else {}
    lr = 3e-2 if name == "weighted_layer" else 3e-3  # seven logits move slowly at the attention heads' rate
    a = fit_head(make_head(name, minilm, **kw), minilm, pairs, epochs=3, batch_size=32, max_length=48, lr=lr)
    b = fit_head(make_head(name, minilm, **kw), minilm, pairs, epochs=3, batch_size=32, max_length=48, lr=lr)
    if name != "weighted_layer":  # seven softmax logits barely move the loss in three short epochs
        assert a.history_[-1] < a.history_[0]
    assert a.history_ == b.history_
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    X = minilm.encode(pairs.queries[:4], pooling=a, cache=False)
    assert X.shape == (4, 384) and np.allclose(np.linalg.norm(X, axis=1), 1, atol=1e-5)


def test_bad_input(minilm, glove):
    head = make_head("weighted_layer", minilm)
    with pytest.raises(ValueError, match="unknown head 'nope'; valid: latent_attention"):
        make_head("nope", minilm)
    with pytest.raises(ValueError, match="no transformer token states"):
        make_head("weighted_layer", glove)
    with pytest.raises(ValueError, match="no transformer token states"):
        glove.encode(["cat"], pooling=head)
    with pytest.raises(ValueError, match="at least 2 training pairs"):
        fit_head(head, minilm, (["q"], ["d"]))
    with pytest.raises(ValueError, match="1 queries but 2 positives"):
        fit_head(head, minilm, (["q"], ["d", "e"]))
    with pytest.raises(ValueError, match="batch_size must be at least 2"):
        fit_head(head, minilm, (["q", "r"], ["d", "e"]), batch_size=1)
    with pytest.raises(TypeError, match="head must be one of"):
        fit_head(torch.nn.Linear(2, 2), minilm, (["q", "r"], ["d", "e"]))
    with pytest.raises(ValueError, match="n_heads=5 must divide dim=384"):
        LatentAttentionPooling(384, n_heads=5)
    with pytest.raises(ValueError, match="built for 3 hidden-state layers"):
        MultiLayerPooling(4, 3, n_heads=2)(tuple(torch.zeros(1, 2, 4) for _ in range(5)), torch.ones(1, 2))
