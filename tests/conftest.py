"""Shared fixtures: one loaded model per session, and a private vector cache per test."""

from __future__ import annotations

import pytest

import workbench as wb


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
