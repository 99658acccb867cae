"""``workbench train``'s evaluation size: a deterministic default subset, said in the output; 'all' for the split."""

from __future__ import annotations

import pytest

from workbench.cli import train as train_cli


def test_default_is_a_deterministic_subset_that_says_so(monkeypatch):
    monkeypatch.setattr(train_cli, "TEST_QUERIES", 40)  # python-docstrings holds 385 held-out queries
    monkeypatch.setattr(train_cli, "TEST_DOCS", 120)
    _, test, said = train_cli.evaluation_split("python-docstrings", None, None, None)
    assert (len(test.queries), len(test.corpus)) == (40, 120)
    assert all(d in test.corpus for judged in test.qrels.values() for d in judged)
    assert said.startswith("a deterministic subset (seed 0): 40 of 385 held-out queries, 120 of 385 documents")
    _, again, _ = train_cli.evaluation_split("python-docstrings", None, None, None)
    assert again.query_ids == test.query_ids and list(again.corpus) == list(test.corpus)
    _, whole, said = train_cli.evaluation_split("python-docstrings", None, "all", None)
    assert (len(whole.queries), len(whole.corpus)) == (385, 385) and said.startswith("the whole held-out split")


def test_a_small_split_is_evaluated_whole_and_bad_sizes_are_refused():
    _, test, said = train_cli.evaluation_split("rotten-tomatoes-synopsis", None, None, None)
    assert said == f"the whole held-out split: {len(test.queries)} queries, {len(test.corpus)} documents"
    with pytest.raises(ValueError, match="--test-queries takes a positive number or 'all', got 'many'"):
        train_cli.evaluation_split("rotten-tomatoes-synopsis", None, "many", None)
    with pytest.raises(ValueError, match="exceeds the 25 held-out queries"):
        train_cli.evaluation_split("rotten-tomatoes-synopsis", None, "26", None)
    with pytest.raises(ValueError, match="--test-docs needs --test-queries N"):
        train_cli.evaluation_split("rotten-tomatoes-synopsis", None, "all", "100")
