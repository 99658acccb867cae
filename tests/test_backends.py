"""Backends: ONNX Runtime against the torch reference, int8 agreement, cache keys and bad input."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch

import workbench as wb
from workbench import cache
from workbench.backends import onnx
from workbench.cli import build_parser, encode_options
from workbench.packages import MissingExtra
from workbench.pooling import POOLING_MODES

pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.filterwarnings("ignore::workbench.notices.TruncationWarning")

PARITY = 1e-4  # max abs diff between ONNX fp32 and torch fp32 pooled vectors


@pytest.fixture(scope="module")
def texts():
    """Real review snippets of varied length, plus one that is truncated at the model's length."""
    pool = wb.datasets.load("rotten-tomatoes").texts
    return [pool[i] for i in range(0, 2000, 100)] + [" ".join(pool[:40])]


@pytest.fixture(scope="session")
def minilm_onnx(minilm):
    """minilm exported (and its fp32 session opened) once per test session."""
    onnx.session(minilm, "fp32")
    return minilm


def test_onnx_matches_torch_for_every_pooling_and_layer(minilm_onnx, texts):
    modes = [m for m in POOLING_MODES if m != "cls" or minilm_onnx.tokenizer.cls_token]
    ref = minilm_onnx.encode_poolings(texts, modes, cache=False)
    got = minilm_onnx.encode_poolings(texts, modes, backend="onnx", cache=False)
    for mode in modes:
        assert got[mode].shape == ref[mode].shape == (minilm_onnx.n_layers + 1, len(texts), 384)
        assert np.abs(got[mode] - ref[mode]).max() < PARITY, mode


@pytest.mark.parametrize("layer", [-1, 3])
def test_onnx_matches_torch_at_a_layer(minilm_onnx, texts, layer):
    ref = minilm_onnx.encode(texts, layer=layer, cache=False)
    got = minilm_onnx.encode(texts, layer=layer, backend="onnx", cache=False, batch_size=7)
    assert np.abs(got - ref).max() < PARITY
    one = minilm_onnx.encode(texts[:1], layer=layer, backend="onnx", cache=False)  # batch of one, no padding
    assert np.abs(one - ref[:1]).max() < PARITY


def test_onnx_encode_layers_matches_torch(minilm_onnx, texts):
    ref = minilm_onnx.encode_layers(texts[:8], pooling="cls", cache=False)
    got = minilm_onnx.encode_layers(texts[:8], pooling="cls", backend="onnx", cache=False)
    assert np.abs(got - ref).max() < PARITY


def test_export_is_cached_once_per_model(minilm_onnx):
    path = onnx.export(minilm_onnx)
    assert path.exists() and onnx.export(minilm_onnx) == path
    assert not [p for p in path.parent.parent.iterdir() if ".tmp-" in p.name]


def test_export_traces_plain_attention_and_gives_the_model_back_as_it_was(minilm, private_cache, monkeypatch):
    before = minilm.model.config._attn_implementation
    seen, real = [], torch.onnx.export
    monkeypatch.setattr(torch.onnx, "export", lambda model, *a, **k: (
        seen.append(model.model.config._attn_implementation), real(model, *a, **k)))
    monkeypatch.setattr(onnx, "_WRITTEN", {})  # a fresh export: this test's cache is its own, and so is this
    path = onnx.export(minilm)
    assert seen == ["eager"] and path.exists()
    assert minilm.model.config._attn_implementation == before


def test_int8_agrees_with_fp32_on_real_texts(minilm_onnx, texts):
    agreement = onnx.int8_agreement(minilm_onnx)
    assert agreement["n"] >= 200 and agreement["data"] == "rotten-tomatoes"
    assert agreement["mean_cosine"] >= onnx.INT8_FLOOR and agreement["min_cosine"] >= 0.95, agreement
    assert onnx.quantized(minilm_onnx).with_suffix(".agreement.json").exists()
    fp32 = minilm_onnx.encode(texts, cache=False)
    int8 = minilm_onnx.encode(texts, backend="onnx", precision="int8", cache=False)
    cos = np.sum(fp32 * int8, axis=1)
    assert cos.mean() >= onnx.INT8_FLOOR and cos.min() >= 0.95
    assert np.abs(fp32 - int8).max() > 1e-3  # it is quantized, not the fp32 graph again


def test_backend_enters_the_cache_key_only_when_not_torch(minilm):
    opts = minilm.resolve()
    before = dict(pooling="mean", layer=-1, normalize=True, prompt=None, precision="fp32", max_length=256,
                  attention="bidirectional", add_eos=False)  # the key of torch vectors before backends existed
    assert opts.key_parts() == before
    keys = {cache.make_key(model=minilm.identity, kind="vectors", texts="t", **o.key_parts())
            for o in (opts, opts.replace(backend="onnx"), opts.replace(backend="onnx", precision="int8"))}
    assert len(keys) == 3
    assert cache.make_key(model=minilm.identity, kind="vectors", texts="t", **before) in keys


def test_onnx_vectors_are_cached_apart_from_torch(minilm_onnx, private_cache):
    texts = ["a cat sat on the mat", "stocks fell sharply"]
    minilm_onnx.encode(texts)
    minilm_onnx.encode(texts, backend="onnx")
    assert len(list((private_cache / "vectors").rglob("*.wbc"))) == 2


def test_an_export_that_fails_names_the_model_type(minilm, private_cache):
    class Unexportable(torch.nn.Module):
        config = SimpleNamespace(model_type="weirdformer")

        def forward(self, input_ids, attention_mask, output_hidden_states):
            raise NotImplementedError("this layer cannot be traced")

    model = SimpleNamespace(name="weird", identity="weird@0", model=Unexportable(), tokenizer=minilm.tokenizer,
                            n_layers=2, is_decoder=False)
    with pytest.raises(RuntimeError, match=r"exporting weird \(model type 'weirdformer'\) to ONNX failed: "
                                           r"NotImplementedError: this layer cannot be traced; use backend='torch'"):
        onnx.export(model)
    assert list((private_cache / "onnx").iterdir()) == []  # nothing half-written is left


def test_int8_needs_the_onnx_backend(minilm):
    with pytest.raises(ValueError, match="precision='int8' needs backend='onnx'; backend 'torch' runs fp32, bf16"):
        wb.EncodeOptions(precision="int8")
    with pytest.raises(ValueError, match="precision='int8' needs backend='onnx'"):
        minilm.encode(["a"], precision="int8", cache=False)
    with pytest.raises(ValueError, match="precision='bf16' needs backend='torch'; backend 'onnx' runs fp32, int8"):
        wb.EncodeOptions(precision="bf16", backend="onnx")
    with pytest.raises(ValueError, match="unknown backend 'tensorrt'; valid: torch, onnx"):
        wb.EncodeOptions(backend="tensorrt")


def test_onnx_refuses_gradients(minilm_onnx):
    with pytest.raises(ValueError, match="gradients .* need backend='torch'"):
        minilm_onnx.hidden_states(["a"], backend="onnx", grad=True)


def test_missing_onnxruntime_names_the_extra(minilm, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(MissingExtra, match=r"backend='onnx' needs onnxruntime.*pip install \"workbench\[fast\]\""):
        minilm.encode(["a"], backend="onnx", cache=False)


def test_cli_backend_flag():
    args = build_parser().parse_args(["embed", "--data", "x", "--out", "y.npy", "--backend", "onnx",
                                      "--precision", "int8"])
    assert encode_options(args)["backend"] == "onnx" and encode_options(args)["precision"] == "int8"
    args = build_parser().parse_args(["embed", "--data", "x", "--out", "y.npy", "--precision", "int8"])
    with pytest.raises(ValueError, match="needs backend='onnx'"):
        encode_options(args)
