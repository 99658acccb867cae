"""Pooling modes on hand-made tensors, under right and left padding."""

import pytest
import torch

from workbench.pooling import POOLING_MODES, parse_mode, pool

# two texts: 3 real tokens and 2 real tokens; hidden size 2
REAL = [torch.tensor([[1.0, 0.0], [2.0, 4.0], [3.0, -2.0]]), torch.tensor([[5.0, 1.0], [7.0, 3.0]])]


def batch(left: bool):
    states = torch.full((2, 3, 2), 99.0)  # padding holds junk that must never leak in
    mask = torch.zeros((2, 3), dtype=torch.long)
    for row, toks in enumerate(REAL):
        span = slice(3 - len(toks), 3) if left else slice(0, len(toks))
        states[row, span] = toks
        mask[row, span] = 1
    return states, mask


EXPECTED = {
    "cls": [[1.0, 0.0], [5.0, 1.0]],
    "mean": [[2.0, 2.0 / 3.0], [6.0, 2.0]],
    "max": [[3.0, 4.0], [7.0, 3.0]],
    "last": [[3.0, -2.0], [7.0, 3.0]],
    # weights 1,2,3 / 6 and 1,2 / 3
    "weighted_mean": [[(1 + 4 + 9) / 6, (0 + 8 - 6) / 6], [(5 + 14) / 3, (1 + 6) / 3]],
    # sums over sqrt(token count), as sentence-transformers' mean_sqrt_len_tokens
    "mean_sqrt_len": [[6.0 / 3 ** 0.5, 2.0 / 3 ** 0.5], [12.0 / 2 ** 0.5, 4.0 / 2 ** 0.5]],
}


@pytest.mark.parametrize("left", [False, True], ids=["right-pad", "left-pad"])
@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_modes_match_hand_computation(mode, left):
    states, mask = batch(left)
    got = pool(states, mask, mode)
    assert torch.allclose(got, torch.tensor(EXPECTED[mode]), atol=1e-6)


def test_every_registered_mode_has_a_known_answer():
    assert set(POOLING_MODES) == set(EXPECTED) | {"first_last_avg"}


@pytest.mark.parametrize("left", [False, True])
def test_first_last_avg_uses_first_transformer_layer_and_last(left):
    states, mask = batch(left)
    embeddings = torch.full_like(states, 1000.0)  # index 0 must not be used
    hidden = (embeddings, 2 * states, states, 4 * states)
    got = pool(hidden, mask, "first_last_avg")
    assert torch.allclose(got, 3 * torch.tensor(EXPECTED["mean"]), atol=1e-5)


def test_layer_selects_hidden_state():
    states, mask = batch(False)
    hidden = (states, 10 * states)
    assert torch.allclose(pool(hidden, mask, "mean", layer=0), torch.tensor(EXPECTED["mean"]))
    assert torch.allclose(pool(hidden, mask, "mean", layer=-1), 10 * torch.tensor(EXPECTED["mean"]))
    with pytest.raises(ValueError, match="out of range"):
        pool(hidden, mask, "mean", layer=2)


def test_concatenated_modes():
    states, mask = batch(True)
    got = pool(states, mask, "cls+mean")
    assert got.shape == (2, 4)
    assert torch.allclose(got[:, :2], torch.tensor(EXPECTED["cls"]))
    assert torch.allclose(got[:, 2:], torch.tensor(EXPECTED["mean"]))


@pytest.mark.parametrize("bad", ["avg", "cls+avg", "", "mean+"])
def test_unknown_mode_lists_valid_ones(bad):
    with pytest.raises(ValueError, match="valid modes: cls, mean"):
        parse_mode(bad)
