"""The ONNX backend on decoders: every layer, last-token and mean pooling against torch, either padding side."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import workbench as wb
from workbench.backends import onnx

pytest.importorskip("onnxruntime")

PARITY = 1e-4  # max abs diff between ONNX fp32 and torch fp32 pooled vectors


@pytest.fixture(scope="module")
def tiny_llama(smollm2, tmp_path_factory):
    """A 2-layer, 32-d LLaMA with smollm2's tokenizer: smollm2's architecture and code path, exported in seconds."""
    from transformers import LlamaConfig, LlamaModel

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(smollm2.tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, intermediate_size=64, max_position_embeddings=256)
    model = LlamaModel(cfg).eval()
    return wb.Encoder(model, copy.deepcopy(smollm2.tokenizer), name="tiny-llama", identity="tiny-llama@seed0",
                      pooling="last", max_length=128, is_decoder=True)


@pytest.fixture(scope="module")
def texts():
    pool = wb.datasets.load("rotten-tomatoes").texts
    return [pool[i] for i in range(0, 1200, 100)] + ["ok"]


@pytest.mark.parametrize("side", ["right", "left"])
def test_decoder_onnx_matches_torch_at_every_layer(tiny_llama, minilm, texts, side, monkeypatch, tmp_path_factory):
    monkeypatch.setenv("WB_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "decoder-onnx"))  # one export
    monkeypatch.setattr(tiny_llama.tokenizer, "padding_side", side)
    ref = tiny_llama.encode_poolings(texts, ["last", "mean"], cache=False, batch_size=5)
    got = tiny_llama.encode_poolings(texts, ["last", "mean"], backend="onnx", cache=False, batch_size=5)
    for mode in ("last", "mean"):
        assert got[mode].shape == ref[mode].shape == (3, len(texts), 32)
        assert np.abs(got[mode] - ref[mode]).max() < PARITY, mode
    one = tiny_llama.encode(texts[:1], backend="onnx", cache=False)  # no padding at all
    assert np.abs(one - ref["last"][-1][:1]).max() < PARITY
    assert onnx.export(tiny_llama).parent.name != onnx.export_dir(minilm).name


def test_decoder_onnx_refuses_what_the_graph_does_not_take(tiny_llama):
    with pytest.raises(ValueError, match="attention='bidirectional' needs backend='torch'"):
        tiny_llama.encode(["a"], backend="onnx", attention="bidirectional", cache=False)
    other = copy.copy(tiny_llama)
    other.model = copy.copy(tiny_llama.model)
    other.model.config = copy.copy(tiny_llama.model.config)
    other.model.config.model_type = "mamba"
    with pytest.raises(ValueError, match="a decoder of type 'mamba': use backend='torch'"):
        onnx.check_model(other)
