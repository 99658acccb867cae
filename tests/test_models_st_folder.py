"""Own models: sentence-transformers folders of every module combination give sentence-transformers' vectors.

Tiny random BERT models are built here (no download), saved with sentence-transformers
and encoded by both libraries.
"""

import logging

import numpy as np
import pytest
import torch

import workbench as wb
from workbench import models

st = pytest.importorskip("sentence_transformers")

WORDS = "the a cat dog sat on mat runs fast slow bird sings query passage : over under green".split()
TEXTS = ["The CAT sat on the mat", "a dog runs", "bird sings over the green mat the cat sat fast",
         "query : a slow dog", "cat"]


@pytest.fixture(scope="module")
def backbone(tmp_path_factory):
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("bert")
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS])}
    tokenizer = BertTokenizerFast(vocab=vocab, do_lower_case=False)
    assert tokenizer.tokenize("the cat CAT") == ["the", "cat", "[UNK]"]  # real words, and case matters
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(WORDS) + 5, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)
    BertModel(config).save_pretrained(root / "hf")
    tokenizer.save_pretrained(root / "hf")
    return root / "hf"


def build(backbone, folder, *, pooling, max_seq_length=None, lower=False, include_prompt=True, dense=(),
          normalize=True, prompts=None, default_prompt_name=None):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules as st_models

    torch.manual_seed(1)
    modules = [st_models.Transformer(str(backbone), max_seq_length=max_seq_length, do_lower_case=lower)]
    modules.append(st_models.Pooling(16, pooling_mode=pooling, include_prompt=include_prompt))
    width = 16 * (1 if isinstance(pooling, str) else len(pooling))
    for out, activation in dense:
        modules.append(st_models.Dense(width, out, activation_function=activation))
        width = out
    if normalize:
        modules.append(st_models.Normalize())
    model = SentenceTransformer(modules=modules, prompts=prompts, default_prompt_name=default_prompt_name,
                                device="cpu")
    model.save(str(folder))
    return SentenceTransformer(str(folder), device="cpu"), width


COMBOS = {
    "cls-lowercase-truncated": dict(pooling="cls", max_seq_length=6, lower=True),
    "mean-dense-tanh": dict(pooling="mean", dense=[(8, torch.nn.Tanh())]),
    "max-raw": dict(pooling="max", normalize=False),
    "lasttoken-dense-identity-raw": dict(pooling="lasttoken", dense=[(12, torch.nn.Identity()), (6, torch.nn.ReLU())],
                                         normalize=False),
    "weightedmean-and-mean-sqrt-len": dict(pooling=("weightedmean", "mean_sqrt_len_tokens")),
    "mean-prompts-excluded": dict(pooling="mean", include_prompt=False, prompts={"query": "query : ", "doc": ""},
                                  default_prompt_name="query"),
}


@pytest.mark.parametrize("combo", sorted(COMBOS))
def test_folder_and_in_memory_model_give_sentence_transformers_vectors(backbone, tmp_path, combo):
    spec = COMBOS[combo]
    reference, width = build(backbone, tmp_path / combo, **spec)
    normalize = spec.get("normalize", True)
    expected = reference.encode(TEXTS, convert_to_numpy=True, batch_size=2)
    for enc in (wb.load_encoder(str(tmp_path / combo)), models.from_sentence_transformer(reference)):
        got = enc.encode(TEXTS, normalize=normalize, cache=False, batch_size=2)
        assert got.shape == (len(TEXTS), width)
        assert np.abs(got - expected).max() < 1e-5, combo
        if spec.get("prompts"):
            for name in spec["prompts"]:
                want = reference.encode(TEXTS, prompt_name=name, convert_to_numpy=True)
                assert np.abs(enc.encode(TEXTS, prompt_name=name, cache=False) - want).max() < 1e-5
    if combo == "cls-lowercase-truncated":
        assert wb.load_encoder(str(tmp_path / combo)).max_length == 6
    if spec.get("dense"):  # the Dense layers belong to the model's own pooling only
        enc = wb.load_encoder(str(tmp_path / combo))
        assert enc.encode(TEXTS[:1], layer=1, cache=False).shape == (1, 16)


def test_a_combination_not_reproduced_exactly_is_refused(backbone, tmp_path):
    build(backbone, tmp_path / "w", pooling="weightedmean", include_prompt=False, prompts={"q": "query : "})
    with pytest.raises(ValueError, match="weightedmean pooling with include_prompt=False is not reproduced"):
        wb.load_encoder(str(tmp_path / "w"))


def test_prompt_names_resolve_to_their_text_in_the_cache_key(backbone, tmp_path):
    build(backbone, tmp_path / "p", pooling="mean", prompts={"query": "query : ", "doc": ""},
          default_prompt_name="query")
    enc = wb.load_encoder(str(tmp_path / "p"))
    assert enc.resolve(prompt_name="query").prompt == "query : " and enc.resolve().prompt == "query : "
    assert enc.resolve(prompt_name="doc").prompt is None
    assert enc.resolve(prompt_name="query").key_parts() == enc.resolve(prompt="query : ").key_parts()
    with pytest.raises(ValueError, match="unknown prompt_name 'passage' .* its prompts: doc, document, query"):
        enc.encode(TEXTS, prompt_name="passage")
    with pytest.raises(ValueError, match="give prompt or prompt_name, not both"):
        wb.EncodeOptions(prompt="x: ", prompt_name="query")


def test_plain_folder_gets_mean_pooling_with_a_note_and_a_model_pair_wraps(backbone, caplog):
    with caplog.at_level(logging.WARNING, logger="workbench.models"):
        enc = wb.load_encoder(str(backbone))
    assert enc.pooling == "mean"
    assert [r.getMessage() for r in caplog.records if "no sentence-transformers files" in r.getMessage()]
    pair = models.from_model(enc.model, enc.tokenizer, name="pair")
    np.testing.assert_allclose(pair.encode(TEXTS, cache=False), enc.encode(TEXTS, cache=False), atol=1e-6)
    assert pair.identity != enc.identity and pair.identity.startswith("pair@head:")


def test_older_folder_configs_pooling_keys_length_and_lower_casing(backbone, tmp_path):
    import json

    from sentence_transformers import SentenceTransformer

    build(backbone, tmp_path / "old", pooling=("cls", "mean"), normalize=False)
    (tmp_path / "old" / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": 16, "pooling_mode_cls_token": True, "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False}))
    (tmp_path / "old" / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 6,
                                                                             "do_lower_case": True}))
    reference = SentenceTransformer(str(tmp_path / "old"), device="cpu")
    assert reference.max_seq_length == 6 and reference[0].do_lower_case
    enc = wb.load_encoder(str(tmp_path / "old"))
    assert (enc.pooling, enc.max_length) == ("cls+mean", 6)
    got = enc.encode(TEXTS, normalize=False, cache=False)
    assert np.abs(got - reference.encode(TEXTS, convert_to_numpy=True)).max() < 1e-5


def test_export_keeps_prompts_and_refuses_dense_layers(backbone, tmp_path):
    from workbench.train.export import save_model

    build(backbone, tmp_path / "p", pooling="mean", include_prompt=False, prompts={"query": "query : "},
          default_prompt_name="query")
    enc = wb.load_encoder(str(tmp_path / "p"))
    again = wb.load_encoder(save_model(enc, tmp_path / "copy"))
    assert (again.prompts["query"], again.default_prompt_name, again.include_prompt) == ("query : ", "query", False)
    np.testing.assert_allclose(again.encode(TEXTS, cache=False), enc.encode(TEXTS, cache=False), atol=1e-6)
    build(backbone, tmp_path / "d", pooling="mean", dense=[(8, torch.nn.Tanh())])
    with pytest.raises(ValueError, match="Dense layers after its pooling"):
        save_model(wb.load_encoder(str(tmp_path / "d")), tmp_path / "d-copy")
