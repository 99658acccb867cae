"""Training data (fixed, non-overlapping splits; duplicate-free batches), hard-negative mining, gradient caching."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from workbench.train import TrainPairs, batches, grad_cache_backward, mine, mine_hard_negatives, mix_negatives
from workbench.train.data import TRAINING_SETS, training_split
from workbench.train.losses import info_nce


@pytest.mark.parametrize("name", sorted(TRAINING_SETS))
def test_splits_never_overlap_and_are_fixed(name):
    train, test = training_split(name)
    assert len(train) > 100 and len(test.queries) > 10
    assert not set(train.queries) & set(test.query_texts)
    assert not set(train.positives) & set(test.documents)
    assert not set(train.groups) & set(test.query_ids)
    again, test2 = training_split(name)
    assert again.queries == train.queries and test2.query_ids == test.query_ids
    small_train, small_test = training_split(name, n_test=3)
    assert set(small_test.query_ids) <= set(test.query_ids) and len(small_test.queries) == 3
    assert set(small_test.corpus) <= set(test.corpus)
    assert all(d in small_test.corpus for rel in small_test.qrels.values() for d in rel)


def test_split_bad_input():
    with pytest.raises(ValueError, match="no training split for 'wordsim353'; valid: clothing-title-review"):
        training_split("wordsim353")
    with pytest.raises(ValueError, match="test_fraction"):
        training_split("python-docstrings", test_fraction=1.0)


def test_batches_hold_no_query_or_positive_twice_and_repeat():
    rng = np.random.default_rng(0)
    groups = [f"g{int(g)}" for g in rng.integers(0, 6, 60)]
    pairs = TrainPairs("toy", [f"query {g}" for g in groups], [f"doc {i % 50}" for i in range(60)], groups)
    epoch = list(batches(pairs, 5, seed=1))
    for b in epoch:
        assert len({pairs.groups[i] for i in b}) == len(b) and len({pairs.positives[i] for i in b}) == len(b)
    assert epoch == list(batches(pairs, 5, seed=1)) and epoch != list(batches(pairs, 5, seed=2))
    assert len({i for b in epoch for i in b}) == sum(len(b) for b in epoch)  # no pair twice in an epoch
    with pytest.raises(ValueError, match="empty"):
        list(batches(TrainPairs("e", [], []), 4))
    with pytest.raises(ValueError, match="batch_size must be an int >= 2"):
        list(batches(pairs, 1))


def test_mine_excludes_positives_and_respects_the_margin():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 16)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    Q = X[:40] + 0.3 * rng.normal(size=(40, 16)).astype(np.float32)
    Q /= np.linalg.norm(Q, axis=1, keepdims=True)
    positives = [[i, (i + 100) % 200] for i in range(40)]
    for margin in (None, 0.9, 0.5):
        neg = mine(Q, X, positives, n_negatives=5, k=30, margin=margin)
        for i, row in enumerate(neg):
            found = row[row >= 0]
            assert not set(found) & set(positives[i])
            assert len(set(found)) == len(found)
            if margin is not None:
                assert (X[found] @ Q[i] <= margin * (Q[i] @ X[i]) + 1e-6).all()
    # without a margin the negatives are exactly the best-ranked non-positives
    neg = mine(Q, X, positives, n_negatives=3, k=30, margin=None)
    order = np.argsort(-(Q[0] @ X.T), kind="stable")
    assert neg[0].tolist() == [j for j in order if j not in positives[0]][:3]
    with pytest.raises(ValueError, match="one list per query"):
        mine(Q, X, positives[:3])


def test_mine_hard_negatives_skips_every_positive_of_the_group(minilm):
    pairs = TrainPairs("toy", ["a dog", "a dog", "a cat", "a car", "a boat"],
                       ["puppy", "hound", "kitten", "automobile", "ship"], ["dog", "dog", "cat", "car", "boat"])
    mined = mine_hard_negatives(minilm, pairs, n_negatives=2, margin=None, cache=False, show_progress=False)
    for g, negs in zip(mined.groups, mined.negatives):
        own = {p for p, h in zip(pairs.positives, pairs.groups) if h == g}
        assert len(negs) == 2 and not own & set(negs)
    assert mined.n_negatives == 2 and pairs.negatives is None


def test_mix_negatives_are_unit_mixtures_of_two_hard_negatives():
    g = torch.Generator().manual_seed(0)
    h = torch.nn.functional.normalize(torch.randn(3, 2, 4, generator=g), dim=-1)
    out = mix_negatives(h, 4, generator=g)
    assert torch.equal(out[:, :2], h)
    mixed = out[:, 2:]
    assert torch.allclose(mixed.norm(dim=-1), torch.ones(3, 4), atol=1e-6)
    # with two negatives a mixture lies in their span: its residual after projection is ~0
    for b in range(3):
        basis = torch.linalg.qr(h[b].T).Q
        resid = mixed[b] - (mixed[b] @ basis) @ basis.T
        assert float(resid.abs().max()) < 1e-5
    with pytest.raises(ValueError, match="at least 2 hard negatives"):
        mix_negatives(h[:, :1], 2)


def test_grad_cache_matches_full_batch_gradients_with_dropout():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Dropout(0.3), torch.nn.Linear(8, 4))
    feats = {f"t{i}": torch.randn(6) for i in range(12)}

    def embed(texts):
        return net(torch.stack([feats[t] for t in texts]))

    q, d = [f"t{i}" for i in range(6)], [f"t{i}" for i in range(6, 12)]
    torch.manual_seed(5)
    loss = grad_cache_backward(embed, [q, d], info_nce, chunk_size=6)  # one chunk per group
    ref = [p.grad.clone() for p in net.parameters()]
    net.zero_grad()
    torch.manual_seed(5)
    full = info_nce(embed(q), embed(d))  # the same dropout draws, the same order
    full.backward()
    assert torch.isclose(loss, full.detach())
    for a, p in zip(ref, net.parameters()):
        assert torch.allclose(a, p.grad, atol=1e-6)
    # smaller chunks: dropout masks differ from the full pass, but both passes of a chunk agree,
    # so the gradient is the exact gradient of the loss that was reported
    net.zero_grad()
    torch.manual_seed(5)
    loss_small = grad_cache_backward(embed, [q, d], info_nce, chunk_size=2)
    assert torch.isfinite(loss_small)
    with pytest.raises(ValueError, match="chunk_size"):
        grad_cache_backward(embed, [q, d], info_nce, chunk_size=0)
