"""EncodeOptions: every bad value fails when the options are built, with a message that names the fix."""

from __future__ import annotations

import numpy as np
import pytest

import workbench as wb
from workbench.evaluate import Task, run_suite
from workbench.experiments import sweep
from workbench.options import FIELDS, EncodeOptions

TEXTS = ["a dog runs in the park", "the stock market fell today"]


def test_a_registered_prompt_name_in_another_case_is_matched_and_reported(minilm):
    for spelling in ("PromptEOL", "prompteol ", " PROMPTEOL"):
        with pytest.warns(UserWarning, match="read as the registered prompt 'prompteol'"):
            opts = EncodeOptions(prompt=spelling)
        assert opts.prompt == "prompteol"
    np.testing.assert_array_equal(minilm.encode(TEXTS, opts, cache=False),
                                  minilm.encode(TEXTS, prompt="prompteol", cache=False))
    assert EncodeOptions(prompt="PromptEOL: {text}").prompt == "PromptEOL: {text}"  # a template stays literal


@pytest.mark.parametrize("value, error, match", [
    (0, ValueError, "max_length must be a positive number of tokens, got 0; use None"),
    (-5, ValueError, "max_length must be a positive number of tokens, got -5"),
    (True, TypeError, "max_length must be an int, got True"),
    (12.0, TypeError, "max_length must be an int, got 12.0"),
])
def test_max_length_must_be_a_positive_int(value, error, match):
    with pytest.raises(error, match=match):
        EncodeOptions(max_length=value)


def test_max_length_must_fit_the_model(minilm):
    with pytest.raises(ValueError, match=r"max_length=1 leaves no room for text: minilm adds 2 special token\(s\); "
                                         r"use at least 3"):
        minilm.encode(TEXTS, max_length=1)
    with pytest.raises(ValueError, match=r"max_length=100000 is beyond minilm's position table \(512 tokens\)"):
        minilm.encode(TEXTS, max_length=100_000)
    three = minilm.token_embeddings("a dog runs", max_length=3)[0][0]
    assert three == ["[CLS]", "a", "[SEP]"]


def test_numpy_ints_are_plain_ints_and_bools_are_not_ints(minilm):
    assert type(EncodeOptions(layer=np.int64(2)).layer) is int
    np.testing.assert_array_equal(minilm.encode(TEXTS, layer=np.int64(2), cache=False),
                                  minilm.encode(TEXTS, layer=2, cache=False))
    with pytest.raises(TypeError, match="layer must be an int, got True"):
        EncodeOptions(layer=True)
    with pytest.raises(ValueError, match="batch_size must be a positive int, got True"):
        minilm.encode(TEXTS, batch_size=True)


@pytest.mark.parametrize("field", ["normalize", "add_eos"])
def test_flags_take_only_booleans(field):
    with pytest.raises(TypeError, match=f"{field} must be True or False, got 'False'"):
        EncodeOptions(**{field: "False"})
    assert getattr(EncodeOptions(**{field: np.bool_(False)}), field) is False


def test_names_are_matched_ignoring_case_and_reported():
    with pytest.warns(UserWarning, match="pooling='CLS\\+Mean' read as 'cls\\+mean'"):
        assert EncodeOptions(pooling="CLS+Mean").pooling == "cls+mean"
    with pytest.warns(UserWarning, match="precision='BF16' read as 'bf16'"):
        assert EncodeOptions(precision="BF16").precision == "bf16"
    with pytest.raises(ValueError, match="unknown precision 'fp16'; valid: fp32, bf16"):
        EncodeOptions(precision="fp16")
    with pytest.raises(ValueError, match="unknown pooling mode 'avg'"):
        EncodeOptions(pooling="avg")


def test_unordered_and_undecodable_texts_are_refused(minilm):
    with pytest.raises(TypeError, match="texts is a set, which has no fixed order"):
        minilm.encode(set(TEXTS))
    with pytest.raises(ValueError, match=r"texts\[1\] = 'bad \\ud800 text' holds '\\ud800' at position 4"):
        minilm.encode(["fine", "bad \ud800 text"])


def test_unknown_options_list_the_fields(minilm):
    with pytest.raises(TypeError, match="unknown encode option 'pool'; the options are: " + ", ".join(FIELDS)):
        minilm.encode(TEXTS, pool="cls")


def test_options_objects_are_the_cache_key(minilm):
    opts = EncodeOptions(pooling="cls", layer=3, prompt="query: ")
    assert minilm.resolve(opts) == minilm.resolve(pooling="cls", layer=3, prompt="query: ")
    assert minilm.resolve(opts).key_parts() != minilm.resolve(opts, layer=4).key_parts()
    with pytest.raises(ValueError, match="needs resolved options"):
        opts.key_parts()


def test_run_suite_takes_every_option_sweep_takes_and_scores_alike(minilm):
    """One configuration through both: every field set away from its default, same score."""
    shared = dict(normalize=False, precision="fp32", max_length=64, add_eos=False, backend="onnx")
    task = Task("sts", "lee-pairs", max_items=150)
    df = sweep(minilm, task, poolings=["cls"], layers=[4], prompts="query: ", attention="bidirectional",
               n_resamples=0, options=shared, batch_size=8)
    config = dict(model=minilm, pooling="cls", layer=4, prompt="query: ", attention="bidirectional",
                  batch_size=8, **shared)
    # prompt_name is the other way to give the prompt (never with it); tests/test_models_st_folder.py covers it
    assert set(config) - {"model"} >= set(FIELDS) - {"prompt_name"}
    table = run_suite([config], [task], n_resamples=0)
    score = table.query("main").score.item()
    assert score == pytest.approx(df.score.item(), abs=1e-9)


def test_the_options_reach_every_caller(minilm):
    opts = EncodeOptions(pooling="max", layer=5)
    expected = minilm.encode(TEXTS, opts, cache=False)
    from workbench.evaluate import MTEBModel
    from workbench.viz.pipeline import embed_points

    np.testing.assert_array_equal(MTEBModel(minilm, opts).encode(TEXTS), expected)
    raw = embed_points(minilm, TEXTS, opts)
    np.testing.assert_allclose(raw / np.linalg.norm(raw, axis=1, keepdims=True), expected, atol=1e-6)
    assert wb.EncodeOptions is EncodeOptions
