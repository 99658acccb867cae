"""Synthetic data: cleaning and drop counts, a resumable on-disk cache, filters, SmolLM2 generation, ingredients."""

from __future__ import annotations

import numpy as np
import pytest

from workbench import cache
from workbench.synthetic import DROP_REASONS, Generator, clean, generate, round_trip, score_band
from workbench.train.ablation import ingredient_sets, synthetic_ingredients
from workbench.train.data import TrainPairs


class Fake:
    """A generator that answers from a table and records what it was asked."""

    identity = "fake-generator@1"

    def __init__(self, answers, fail_after=None):
        self.answers, self.calls, self.fail_after = answers, [], fail_after

    def __call__(self, sources, kind):
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise KeyboardInterrupt("interrupted")
        self.calls.append(list(sources))
        return [self.answers(s) for s in sources]


def test_clean_reasons():
    src = "This dress runs small, order a size up."
    assert clean("Query: petite dress sizing\nmore", "query", src) == ("petite dress sizing", None)
    assert clean("", "query", src) == (None, "empty")
    assert clean('  "  " ', "query", src) == (None, "empty")
    assert clean(42, "query", src) == (None, "malformed")
    assert clean("<|im_start|>assistant", "query", src) == (None, "echo")
    assert clean("Here's a search query that will help you", "query", src) == (None, "chatter")
    assert clean('dress sizing tips" is what you need', "query", src) == ("dress sizing tips", None)
    assert clean("this dress runs SMALL; order a size up", "paraphrase", src) == (None, "copy")
    assert clean(" ".join(["word"] * 40), "query", src) == (None, "too long")
    with pytest.raises(ValueError, match="unknown kind"):
        clean("x", "summary", src)


def test_malformed_outputs_are_dropped_and_counted():
    bad = {"a": "", "b": None, "c": 3.5, "d": "fine query", "e": "   ", "f": "e f g"}
    out = generate(Fake(lambda s: bad[s]), list("abcdef"), "query", batch_size=4, cache=False)
    assert out.texts == [None, None, None, "fine query", None, "e f g"]
    counts = out.dropped()
    assert counts["empty"] == 2 and counts["malformed"] == 2 and sum(counts.values()) == 4
    assert set(counts) == set(DROP_REASONS)


def test_generation_cache_resumes_where_it_stopped():
    texts = [f"document number {i} about shoes" for i in range(7)]
    first = Fake(lambda s: "query " + s.split()[2], fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        generate(first, texts, "query", batch_size=2)
    assert [len(c) for c in first.calls] == [2, 2]           # two batches written before the interruption
    files = list((cache.cache_dir() / "synthetic").rglob("*.json"))
    assert len(files) == 2 and not list((cache.cache_dir() / "synthetic").rglob(".tmp-*"))
    second = Fake(lambda s: "query " + s.split()[2])
    out = generate(second, texts, "query", batch_size=2)
    assert sum(len(c) for c in second.calls) == 3 and out.cached == 4   # only the rest is generated
    assert out.texts == [f"query {i}" for i in range(7)]
    third = Fake(lambda s: "never called")
    again = generate(third, texts, "query", batch_size=2)
    assert third.calls == [] and again.texts == out.texts and again.tokens == 0 and again.stored_tokens > 0
    budget = generate(Fake(lambda s: "q"), ["new text one", "new text two"], "query", batch_size=1,
                      max_seconds=0.0)
    assert budget.reasons == ["not generated"] * 2 and budget.meta["not_generated"] == 2


def test_filters_closed_form():
    Q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    X = np.array([[1.0, 0.1], [0.1, 1.0], [0.7, 0.7]])
    assert round_trip(Q, X, [0, 1, 0], k=1).tolist() == [True, True, False]  # query 2 is closest to document 2
    assert round_trip(Q, X, [0, 1, 0], k=2).all()
    cos = np.array([1.0, 0.0, np.sqrt(0.5)])
    A = np.array([[1.0, 0.0]] * 3)
    B = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]])
    assert score_band(A, B, low=0.5, high=0.99).tolist() == ((cos >= 0.5) & (cos <= 0.99)).tolist()
    with pytest.raises(ValueError, match="targets"):
        round_trip(Q, X, [0, 1])


def test_smollm2_generates_counts_tokens_and_caches(smollm2):
    gen = Generator(smollm2)
    docs = ["The jeans fit well but the denim is thin.", "A warm wool sweater, itchy at the collar."]
    out = generate(gen, docs, "query", batch_size=2, max_new_tokens=6)
    assert all(isinstance(r, str) for r in out.raw)
    assert 0 < out.tokens <= 12 and out.seconds > 0 and np.isfinite(out.tokens_per_second)
    assert len(out.kept) + sum(out.dropped().values()) == 2
    again = generate(gen, docs, "query", batch_size=2, max_new_tokens=6)
    assert again.tokens == 0 and again.raw == out.raw and again.cached == 2
    with pytest.raises(ValueError, match="not a decoder"):
        Generator(type("E", (), {"is_decoder": False, "name": "minilm"})())


def test_ingredients_filter_and_stack(minilm):
    pairs = TrainPairs("toy", ["red dress", "wool socks", "rain jacket", "silk scarf"],
                       ["A red summer dress, fits well.", "Warm wool socks for winter.",
                        "A waterproof jacket for rain.", "A soft silk scarf in blue."])
    docs = ["Leather boots that last for years.", "A cotton t-shirt, soft and cheap."]
    answers = {"query": lambda s: "leather boots" if "boots" in s else ("" if "cotton" in s else "x"),
               "paraphrase": lambda s: {"red dress": "a dress in red", "wool socks": ""}.get(s, s),
               "negative": lambda s: s.replace("A ", "An ugly ").replace("fits well", "fits badly")}

    class ByKind(Fake):
        def __call__(self, sources, kind):
            return [answers[kind](s) for s in sources]

    ing = synthetic_ingredients(ByKind(None), minilm, pairs, docs)
    assert ing.doc_queries.queries == ["leather boots"]
    assert ing.paraphrases.queries == ["a dress in red"] and ing.paraphrases.groups == ["red dress"]
    row = ing.counts.set_index("ingredient")
    assert row.loc["query from document", "dropped empty"] == 1
    assert row.loc["paraphrased query", "dropped copy"] == 2 and row.loc["paraphrased query", "dropped empty"] == 1
    sets = ingredient_sets(minilm, pairs, ing, corpus=docs)
    assert list(sets) == ["real", "real + mined negatives", "+ doc queries", "+ paraphrases", "+ generated negatives"]
    assert len(sets["+ paraphrases"]) == 6 and sets["+ generated negatives"].n_negatives == 1
    last = sets["+ generated negatives"]
    for p, (n,) in zip(last.positives, last.negatives):
        assert n != p and (n == ing.negatives[p] if p in ing.negatives else True)


def test_cli_refuses_bad_kind_and_oversized_selection(capsys):
    from workbench.cli import main

    assert main(["generate", "--kind", "summary", "--data", "lee-background"]) == 2
    assert "summary" in capsys.readouterr().err
    assert main(["benchmark", "--n-keep", "15", "--smoke"]) == 2
    assert "1..14" in capsys.readouterr().err
