"""Model soups and the deviation-weighted merge: known answers, round trips, bad input."""

import numpy as np
import pytest
import torch

from workbench.train.merge import deviation_merge, merged_encoder, state_dict_of, uniform_soup


def _sd(seed, shapes=(("a.weight", (3, 2)), ("a.bias", (3,)))):
    g = torch.Generator().manual_seed(seed)
    return {k: torch.randn(*s, generator=g) for k, s in shapes}


def test_uniform_soup_is_the_mean_and_weights_normalise():
    dicts = [_sd(i) for i in range(3)]
    soup = uniform_soup(dicts)
    for k in dicts[0]:
        expected = np.mean([d[k].numpy() for d in dicts], axis=0)
        np.testing.assert_allclose(soup[k].numpy(), expected, rtol=1e-6, atol=1e-7)
    weighted = uniform_soup(dicts, weights=[2, 0, 2])
    np.testing.assert_allclose(weighted["a.bias"].numpy(), (dicts[0]["a.bias"] + dicts[2]["a.bias"]).numpy() / 2,
                               rtol=1e-6)
    assert uniform_soup([dicts[1]])["a.weight"].equal(dicts[1]["a.weight"])


def test_soup_keeps_dtypes_and_copies_integer_buffers():
    a = {"w": torch.ones(2, dtype=torch.float16), "ids": torch.arange(3)}
    b = {"w": torch.zeros(2, dtype=torch.float16), "ids": torch.arange(3)}
    soup = uniform_soup([a, b])
    assert soup["w"].dtype == torch.float16 and soup["w"].tolist() == [0.5, 0.5]
    assert soup["ids"].tolist() == [0, 1, 2]
    b["ids"] = torch.arange(1, 4)
    with pytest.raises(ValueError, match="'ids'.*differs"):
        uniform_soup([a, b])


def test_deviation_merge_known_answer_and_limits():
    base = _sd(0)
    fts = [{k: v + torch.randn_like(v) * s for k, v in base.items()} for s in (0.1, 1.0)]
    merged = deviation_merge(base, fts)
    for k in base:
        d = np.stack([f[k].numpy() - base[k].numpy() for f in fts]).astype(np.float64)
        w = np.abs(d) / np.abs(d).sum(0)
        np.testing.assert_allclose(merged[k].numpy(), base[k].numpy() + (w * d).sum(0), rtol=1e-5, atol=1e-6)
    # one fine-tune: the merge is that fine-tune; power 0: the uniform soup
    one = deviation_merge(base, fts[:1])
    assert all(torch.allclose(one[k], fts[0][k]) for k in base)
    flat = deviation_merge(base, fts, power=0)
    soup = uniform_soup(fts)
    assert all(torch.allclose(flat[k], soup[k], atol=1e-6) for k in base)
    # the merge lies between the base and the biggest mover, element by element
    for k in base:
        lo = torch.minimum(fts[0][k], fts[1][k])
        hi = torch.maximum(fts[0][k], fts[1][k])
        assert bool(((merged[k] >= lo - 1e-6) & (merged[k] <= hi + 1e-6)).all())


@pytest.mark.parametrize("bad, match", [
    ({"a.weight": torch.zeros(3, 2)}, "missing keys \\['a.bias'\\]"),
    ({"a.weight": torch.zeros(3, 2), "a.bias": torch.zeros(3), "extra": torch.zeros(1)}, "extra keys \\['extra'\\]"),
    ({"a.weight": torch.zeros(2, 3), "a.bias": torch.zeros(3)}, "'a.weight' of shape \\(2, 3\\)"),
])
def test_mismatched_checkpoints_are_named(bad, match):
    with pytest.raises(ValueError, match=match):
        uniform_soup([_sd(0), bad])
    with pytest.raises(ValueError, match=match):
        deviation_merge(_sd(0), [bad])


def test_bad_arguments():
    with pytest.raises(ValueError, match="empty"):
        uniform_soup([])
    with pytest.raises(TypeError, match="list of checkpoints"):
        uniform_soup(_sd(0))
    with pytest.raises(ValueError, match="weights has 1 values for 2"):
        uniform_soup([_sd(0), _sd(1)], weights=[1])
    with pytest.raises(ValueError, match="non-negative"):
        uniform_soup([_sd(0), _sd(1)], weights=[1, -1])
    with pytest.raises(ValueError, match="power"):
        deviation_merge(_sd(0), [_sd(1)], power=-1)
    with pytest.raises(TypeError, match="state dict"):
        state_dict_of(42)


def test_safetensors_files_and_folders(tmp_path):
    from safetensors.torch import save_file

    a, b = _sd(1), _sd(2)
    save_file(a, str(tmp_path / "a.safetensors"))
    (tmp_path / "ckpt").mkdir()
    save_file(b, str(tmp_path / "ckpt" / "model.safetensors"))
    soup = uniform_soup([tmp_path / "a.safetensors", tmp_path / "ckpt"])
    assert torch.allclose(soup["a.bias"], (a["a.bias"] + b["a.bias"]) / 2)
    with pytest.raises(FileNotFoundError):
        state_dict_of(tmp_path / "missing.safetensors")


def test_merged_encoder_runs_the_merged_weights(minilm):
    sd = state_dict_of(minilm)
    noisy = {k: v + 0.02 * torch.randn_like(v) if v.is_floating_point() else v for k, v in sd.items()}
    texts = ["a dog runs in the park", "stock markets fell sharply"]
    same = merged_encoder(minilm, uniform_soup([minilm, minilm]))
    np.testing.assert_allclose(same.encode(texts), minilm.encode(texts), atol=1e-5)
    half = merged_encoder(minilm, uniform_soup([sd, noisy]), name="half")
    assert half.identity != minilm.identity and half.name == "half"
    X_half, X_base = half.encode(texts), minilm.encode(texts)   # cached separately: must differ
    assert np.abs(X_half - X_base).max() > 1e-3
    # the merged model is the one whose weights are the average, not an average of outputs
    direct = {k: (sd[k].double() + noisy[k].double()).div(2).to(sd[k].dtype) if sd[k].is_floating_point() else sd[k]
              for k in sd}
    np.testing.assert_allclose(merged_encoder(minilm, direct).encode(texts, cache=False), X_half, atol=1e-5)
    with pytest.raises(ValueError, match="missing keys"):
        merged_encoder(minilm, {k: v for k, v in sd.items() if "pooler" not in k and "layer.5" not in k})
