"""Glyph embeddings and the tiny decoder: determinism, missing glyphs, frozen rows stay frozen."""

import numpy as np
import pytest
import torch

from workbench import glyphs as G
from workbench import tinylm as T

CHARS = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"()- ")


def test_rendered_glyph_embeddings_are_deterministic():
    a, ga = G.glyph_embeddings(CHARS, 32, use_cache=False)
    b, gb = G.glyph_embeddings(CHARS, 32, use_cache=False)
    assert np.array_equal(a, b) and np.array_equal(ga.bitmaps, gb.bitmaps)
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert ga.bitmaps[-1].sum() == 0 and not ga.missing  # the space renders blank; nothing is missing


def test_cached_embeddings_equal_fresh_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("WB_CACHE_DIR", str(tmp_path))
    fresh, _ = G.glyph_embeddings(CHARS, 16)
    cached, _ = G.glyph_embeddings(CHARS, 16)
    assert np.array_equal(fresh, cached) and list(tmp_path.rglob("*.wbc"))


def test_missing_glyph_is_counted_and_gets_the_fallback():
    g = G.render_glyphs(["a", "\u6f22", "\uac00", "b"])
    assert g.missing == ("\u6f22", "\uac00")
    assert np.array_equal(g.bitmaps[1], g.bitmaps[2]) and g.bitmaps[1].sum() > 0
    assert not np.array_equal(g.bitmaps[0], g.bitmaps[1])


def test_visually_similar_glyphs_are_near_in_pixel_space():
    g = G.render_glyphs(list("lIoO0"))
    S = G.pixel_similarity(g)
    assert S[0, 1] > S[0, 2] and S[3, 4] > S[3, 0]  # l~I, O~0


def test_shuffled_glyphs_move_every_row():
    rows = T.input_rows("shuffled glyph", CHARS, 16, seed=0)
    glyph = T.input_rows("glyph", CHARS, 16, seed=0)
    moved = [not torch.equal(rows[i], glyph[i]) for i in range(len(CHARS) - 1)]
    assert all(moved)
    with pytest.raises(ValueError, match="choose from"):
        T.input_rows("learned", CHARS, 16, seed=0)


def test_frozen_glyph_model_trains_and_keeps_its_rows():
    cfg = T.TinyLMConfig(dim=8, layers=1, heads=2, context=16, steps=15, batch_size=8, eval_every=15)
    text = "the cat sat on the mat. " * 40
    tokens = sorted(set(text))
    stoi = {c: i for i, c in enumerate(tokens)}
    ids = torch.tensor([stoi[c] for c in text])
    model, curve = T.train_tiny_lm("glyph", tokens, ids, ids[:200], cfg, seed=0)
    assert torch.equal(model.embed.weight, T.input_rows("glyph", tokens, 8, seed=0))
    assert curve[-1][1] < curve[0][1] - 0.5  # learns a repetitive text quickly
