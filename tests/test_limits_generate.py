"""LIMIT-style data: word lists, the generator, its files, BM25 on it, and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from workbench import cli
from workbench.datasets import load_retrieval
from workbench.limits import bracket_dimension, generate_limit, qrel_matrix, word_list, write_dataset

LIMIT_SMALL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "limit-small"


def _stem(token: str) -> str:
    t = token.lower()
    for suffix in ("ies", "es", "s"):
        if t.endswith(suffix) and len(t) > 4:
            return t[: -len(suffix)]
    return t


def test_word_lists_are_clean():
    attrs = word_list("attributes")
    assert len(attrs) >= 1000 and len(set(attrs)) == len(attrs)
    keys = [" ".join(_stem(t) for t in re.findall(r"[A-Za-z]+", a.replace("'s", ""))) for a in attrs]
    assert len(set(keys)) == len(keys), "two attributes differ only by plural endings"
    tokens = {t.lower() for a in attrs for t in re.findall(r"[A-Za-z]+", a)}
    names = word_list("first_names") + word_list("last_names")
    assert not [n for n in names if n.lower() in tokens], "a name is also an attribute word"
    assert len(set(word_list("first_names"))) * len(set(word_list("last_names"))) >= 20_000
    with pytest.raises(ValueError, match="unknown word list 'colours'; valid: attributes"):
        word_list("colours")


def test_generator_structure():
    ds = generate_limit(1000, 2, seed=0)
    assert len(ds.queries) == 1000 and len(ds.corpus) == 46 and ds.meta["n_relevant"] == 46
    vocab = set(word_list("attributes"))
    sizes, liked = set(), {}
    for doc, text in ds.corpus.items():
        assert text.startswith(f"{doc} likes ") and text.endswith(".")
        items = text[len(doc) + 7:-1].split(", ")
        last = items.pop()
        cuts = [(last[:i], last[i + 5:]) for i in range(len(last)) if last[i:i + 5] == " and "]
        items += next([a, b] for a, b in cuts if a in vocab and b in vocab)
        assert set(items) <= vocab and len(set(items)) == len(items)
        sizes.add(len(items))
        liked[doc] = set(items)
    assert sizes == {ds.meta["attributes_per_doc"]}  # every person likes equally many things
    pairs = {tuple(sorted(r)) for r in ds.qrels.values()}
    assert len(pairs) == 1000 and all(len(r) == 2 for r in ds.qrels.values())
    for qid, text in ds.queries.items():
        attr = re.fullmatch(r"Who likes (.+)\?", text).group(1)
        assert {d for d, items in liked.items() if attr in items} == set(ds.qrels[qid]), qid


def test_generator_is_deterministic_and_hides_the_pool():
    a = generate_limit(100, 2, n_docs=400, seed=3)
    b = generate_limit(100, 2, n_docs=400, seed=3)
    c = generate_limit(100, 2, n_docs=400, seed=4)
    assert a.corpus == b.corpus and a.queries == b.queries and a.qrels == b.qrels
    assert a.corpus != c.corpus
    relevant = {d for r in a.qrels.values() for d in r}
    assert len(a.corpus) == 400 and len(relevant) == a.meta["n_relevant"] == 15  # C(15, 2) = 105 >= 100
    first = list(a.corpus).index(next(iter(relevant)))
    assert first < 400  # in the corpus, at a shuffled position
    assert len(generate_limit(20, 3, seed=0).qrels["query_0"]) == 3


def test_generator_bad_input():
    with pytest.raises(ValueError, match="n_relevant=2"):
        generate_limit(10, 3, n_relevant=2)
    with pytest.raises(ValueError, match="distinct relevant sets"):
        generate_limit(100, 2, n_relevant=10)
    with pytest.raises(ValueError, match="smaller than the relevant pool"):
        generate_limit(1000, 2, n_docs=20)
    with pytest.raises(ValueError, match="distinct attributes"):
        generate_limit(1400, 2)


def test_written_files_load_with_load_retrieval(tmp_path):
    ds = generate_limit(50, 2, n_docs=60, seed=1)
    folder = write_dataset(ds, tmp_path / "gen")
    assert sorted(p.name for p in folder.iterdir()) == ["corpus.jsonl", "qrels.jsonl", "queries.jsonl"]
    back = load_retrieval(folder)
    assert back.corpus == ds.corpus and back.queries == ds.queries and back.qrels == ds.qrels


def test_bm25_solves_generated_limit():
    from workbench.bm25 import BM25
    from workbench.evaluate import evaluate_retrieval

    ds = generate_limit(1000, 2, seed=0)
    res = evaluate_retrieval(BM25(), ds, k_values=(2, 10), n_resamples=0)
    assert res["recall@2"] >= 0.95 and res["recall@10"] >= 0.99


@pytest.mark.skipif(not LIMIT_SMALL.exists(),
                    reason="../shared/data/limit-small is absent (LIMIT-small is not shipped with the project)")
def test_limit_small_qrels_and_bounds():
    ds = load_retrieval(LIMIT_SMALL)
    A, qids, dids = qrel_matrix(ds)
    assert A.shape == (1000, 46) and (A.sum(1) == 2).all()
    b = bracket_dimension(A, solve=False)
    assert 1 <= b["lower"] <= b["upper"] <= 46


def test_cli_generate_and_critical_n(tmp_path, capsys):
    out = tmp_path / "lim"
    assert cli.main(["limits", "generate", "--docs", "80", "--queries", "60", "--k", "2", "--out", str(out),
                     "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["docs"] == 80 and info["queries"] == 60 and len(load_retrieval(out).queries) == 60
    assert cli.main(["limits", "critical-n", "--dims", "2-3", "--seeds", "1", "--sweep", "0", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["d"] for r in records] == [2, 3] and all(len(r["critical_n"]) == 1 for r in records)
    assert np.all(np.diff([r["median"] for r in records]) >= 0)
    assert cli.main(["limits", "critical-n", "--dims", "2-3", "--seeds", "1", "--sweep", "0", "--strategy", "fast",
                     "--json"]) == 0
    fast = json.loads(capsys.readouterr().out)
    assert [r["critical_n"] for r in fast] == [r["critical_n"] for r in records]
    assert {r["strategy"] for r in fast} == {"fast"} and {r["strategy"] for r in records} == {"full"}
    assert cli.main(["limits", "critical-n", "--dims", "x"]) == 2
    assert "cannot read dimensions" in capsys.readouterr().err
    assert cli.main(["limits", "generate", "--queries", "100", "--k", "5", "--docs", "3", "--out", str(out)]) == 2
