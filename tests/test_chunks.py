"""Chunking, situated chunk embeddings (late chunking, residual), gold-rank metrics, module documents."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.chunks import chunk_text, context_windows, residual, situated_embeddings, token_limit, tune_weight
from workbench.datasets.stdlib_modules import load_python_modules
from workbench.evaluate.gold_rank import by_bins, gold_ranks, rank_summary
from workbench.evaluate.retrieval import ranking_metrics

TEXT = ("The river bank was flooded after the storm. Fishermen moved their boats upstream. "
        "The bank raised its interest rates on Monday. Savers moved their money elsewhere.")


def test_late_chunking_of_a_window_that_is_the_chunk_equals_encoding_the_chunk(minilm):
    chunk = "The bank raised its interest rates on Monday."
    out = situated_embeddings(minilm, [(chunk, 0, len(chunk))], cache=False)
    alone = minilm.encode([chunk], pooling="mean", cache=False)
    np.testing.assert_allclose(out["late"], alone, atol=1e-5)
    np.testing.assert_allclose(out["concat"], alone, atol=1e-5)
    np.testing.assert_allclose(out["chunk"], alone, atol=1e-6)


def test_context_changes_late_and_concat_and_residual_zero_is_the_chunk(minilm):
    s = TEXT.index("The bank raised")
    e = TEXT.index("Monday.") + len("Monday.")
    windows = context_windows(TEXT, [(s, e)], minilm, 254)
    assert windows[0][0] == TEXT and windows[0][0][windows[0][1]:windows[0][2]] == TEXT[s:e]
    out = situated_embeddings(minilm, windows, cache=False)
    alone = out["chunk"][0]
    # late chunking keeps the chunk's own meaning closer than the whole window does, yet differs from it
    assert out["late"][0] @ alone > out["concat"][0] @ alone
    assert out["late"][0] @ alone < 0.999
    np.testing.assert_array_equal(residual(out["chunk"], out["late"], 0.0), out["chunk"])
    mixed = residual(out["chunk"], out["late"], 1.0)
    np.testing.assert_allclose(np.linalg.norm(mixed, axis=1), 1.0, rtol=1e-6)


def test_context_windows_respect_the_token_budget(minilm):
    words = " ".join(f"w{i}" for i in range(300))
    s = words.index("w150")
    windows = context_windows(words, [(s, s + 4), (0, 2)], minilm, 40)
    for text, a, b in windows:
        assert len(minilm.tokenizer(text, add_special_tokens=False)["input_ids"]) <= 40
        assert text[a:b] in ("w150", "w0")
    assert windows[1][0].startswith("w0")  # no text before the first chunk: the window extends after it


def test_chunk_text_short_document_sizes_and_limits(minilm):
    assert [c.text for c in chunk_text("just a few words", minilm, 50)] == ["just a few words"]
    assert chunk_text("", minilm, 5) == []
    chunks = chunk_text(TEXT, minilm, 8, overlap=2)
    assert all(TEXT[c.start:c.end] == c.text for c in chunks)
    assert chunks[0].start == 0 and chunks[-1].end == len(TEXT)
    limit = token_limit(minilm)
    for bad in (0, limit + 1):
        with pytest.raises(ValueError, match=f"limit is {limit} text tokens"):
            chunk_text(TEXT, minilm, bad)
    with pytest.raises(ValueError, match="overlap"):
        chunk_text(TEXT, minilm, 4, overlap=4)
    with pytest.raises(ValueError, match=f"window must be an int in 1..{limit}"):
        context_windows(TEXT, [(0, 3)], minilm, 10_000)


def test_gold_ranks_agree_with_ranking_metrics():
    rng = np.random.default_rng(0)
    Q, X = rng.normal(size=(30, 8)).astype(np.float32), rng.normal(size=(50, 8)).astype(np.float32)
    gold = rng.integers(0, 50, size=30)
    ranks = gold_ranks(Q, X, gold)
    order = np.argsort(-(Q @ X.T), axis=1)
    ref = ranking_metrics({f"q{i}": [f"d{j}" for j in order[i]] for i in range(30)},
                          {f"q{i}": {f"d{gold[i]}": 1} for i in range(30)}, k_values=(1, 10))
    out = rank_summary(ranks, n_resamples=100)
    assert out["recall@1"] == pytest.approx(ref["recall@1"]) and out["recall@10"] == pytest.approx(ref["recall@10"])
    assert np.mean(np.where(ranks <= 10, 1.0 / ranks, 0.0)) == pytest.approx(ref["mrr@10"])
    lo, hi = out["mrr_ci"]
    assert lo <= out["mrr"] <= hi
    groups = np.arange(50) % 5
    within = gold_ranks(Q, X, gold, groups)
    assert np.all(within <= ranks) and within.max() <= 10
    table = by_bins(ranks, np.arange(30), [0, 15, 30])
    assert table["n"].tolist() == [15, 15]


def test_tune_weight_picks_the_best_dev_score():
    best, scores = tune_weight(lambda w: -abs(w - 0.5), weights=(0.0, 0.5, 1.0))
    assert best == 0.5 and scores[0.0] == scores[1.0] == -0.5


def test_module_documents_hide_the_queries_and_hold_the_functions():
    ds = load_python_modules(3, max_queries_per_module=5)
    assert len(ds.documents) == 3 and len(ds.gold) <= 15
    chunks = {cid: text for cid, _, text, _ in ds.chunk_table()}
    for qid, cid in ds.gold.items():
        text = chunks[cid]
        assert text.lstrip().startswith(("def ", "async def ", "@"))
        doc = next(d for d in ds.documents if cid in d.chunk_ids)
        assert ds.queries[qid] not in " ".join(doc.text.split())
