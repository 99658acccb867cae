"""Shared fixtures: one loaded model per session, a private vector cache per test, a tiny saved model; the
derandomized hypothesis profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import workbench as wb

# property-based tests: the same examples on every run (derandomized, no example database), few and fast
settings.register_profile("workbench", derandomize=True, database=None, max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile("workbench")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Each test writes vectors to its own cache folder; converted models stay shared."""
    shared_models = wb.cache.cache_dir() / "models"
    shared_models.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "wbcache"
    root.mkdir()
    (root / "models").symlink_to(shared_models, target_is_directory=True)
    monkeypatch.setenv("WB_CACHE_DIR", str(root))
    return root


@pytest.fixture(scope="session")
def minilm():
    return wb.load_encoder("minilm")


@pytest.fixture(scope="session")
def smollm2():
    return wb.load_encoder("smollm2")


@pytest.fixture(scope="session")
def glove():
    return wb.load_encoder("glove-50d")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A saved sentence-transformers folder of a 2-layer, 32-d BERT with minilm's tokenizer files (read-only use:
    copy it before editing)."""
    import json
    import shutil

    import torch
    from transformers import BertConfig, BertModel

    src = wb.models.model_package_dir(wb.models.MODELS["minilm"]) / "model"
    folder = tmp_path_factory.mktemp("tiny-st-model")
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "modules.json",
                 "config_sentence_transformers.json"):
        shutil.copy(src / name, folder / name)
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 64, "do_lower_case": False}))
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 32,
                                                                  "pooling_mode_mean_tokens": True}))
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128)
    BertModel(cfg).save_pretrained(folder)
    (folder / "README.md").write_text("# tiny\n")
    return folder


@pytest.fixture
def tiny_model(tiny_model_dir, tmp_path):
    """A private, editable copy of ``tiny_model_dir``."""
    import shutil

    return Path(shutil.copytree(tiny_model_dir, tmp_path / "tiny-model"))
