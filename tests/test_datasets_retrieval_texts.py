"""Retrieval folders, TREC files and texts files: bad input refused with the file and line named."""

import gzip
import json

import pandas as pd
import pytest

import workbench.datasets as wd
from workbench.datasets.trec import load_qrels, load_trec_run
from workbench.evaluate import Task
from workbench.evaluate.retrieval import ranking_metrics


def jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


@pytest.fixture
def beir(tmp_path):
    jsonl(tmp_path / "corpus.jsonl", [{"_id": "d1", "title": "Cats", "text": "Cats purr."},
                                      {"_id": "d2", "text": "Cars honk."}])
    jsonl(tmp_path / "queries.jsonl", [{"_id": "q1", "text": "Which animal purrs?"},
                                       {"_id": "q2", "text": "What honks?"},
                                       {"_id": "q3", "text": "A training query"}])
    (tmp_path / "qrels").mkdir()
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")
    return tmp_path


def test_beir_summary_counts_queries_without_judgements(beir):
    ds = wd.load_retrieval(beir)
    assert ds.query_ids == ["q1", "q2"]
    assert "read 2 documents, 2 queries with 2 positive judgements" in ds.meta["summary"]
    assert "1 queries without judgements in split 'test'" in ds.meta["summary"]


def test_duplicate_ids_and_null_texts_are_refused(beir):
    jsonl(beir / "corpus.jsonl", [{"_id": "d1", "text": "Cats purr."}, {"_id": "d2", "text": "Cars."},
                                  {"_id": "d1", "text": "Dogs bark."}])
    with pytest.raises(ValueError, match=r"corpus\.jsonl line 3: document id 'd1' again \(first on line 1\)"):
        wd.load_retrieval(beir)
    jsonl(beir / "corpus.jsonl", [{"_id": "d1", "text": "Cats purr."}, {"_id": "d2", "text": "Cars."}])
    jsonl(beir / "queries.jsonl", [{"_id": "q1", "text": "purrs?"}, {"_id": "q2", "text": None}])
    with pytest.raises(ValueError, match=r"queries\.jsonl line 2: query 'q2' has no text \(got None\)"):
        wd.load_retrieval(beir)


def test_a_judgement_of_a_missing_document_is_named(beir):
    (beir / "qrels" / "test.tsv").write_text("q1\td1\t1\nq2\td9\t1\n")
    with pytest.raises(ValueError, match=r"test\.tsv line 2: judges document 'd9', which is not in"):
        wd.load_retrieval(beir)
    ds = wd.load_retrieval(beir, missing="drop")
    assert ds.qrels == {"q1": {"d1": 1}} and "1 judgements naming unknown ids" in ds.meta["summary"]


def test_trec_qrels_in_a_folder_and_trec_files(beir, tmp_path_factory):
    (beir / "qrels" / "test.tsv").write_text("q1 0 d1 2\nq2 0 d2 1\nq2 0 d1 0\n")
    assert wd.load_retrieval(beir).qrels == {"q1": {"d1": 2}, "q2": {"d2": 1}}
    other = tmp_path_factory.mktemp("trec")
    (other / "qrels.txt").write_text("q1 0 d1 2\nq2 0 d2 1\nq2 0 d1 0\n")
    (other / "bm25.run").write_text("q1 Q0 d2 1 3.5 bm25\nq1 Q0 d1 2 3.0 bm25\nq2 Q0 d2 1 9 bm25\n")
    qrels, run = load_qrels(other / "qrels.txt"), load_trec_run(other / "bm25.run")
    assert qrels == {"q1": {"d1": 2}, "q2": {"d2": 1, "d1": 0}}
    assert ranking_metrics(run, qrels, k_values=(1,))["recall@1"] == pytest.approx(0.5)
    (other / "bad.run").write_text("q1 Q0 d2 1 high bm25\n")
    with pytest.raises(ValueError, match=r"bad\.run line 1: expected a numeric score in field 5, got 'high'"):
        load_trec_run(other / "bad.run")


def test_empty_folder_and_gzip_files(tmp_path):
    tmp_path = tmp_path / "empty"
    tmp_path.mkdir()
    with pytest.raises(FileNotFoundError, match="no corpus.jsonl; a retrieval folder holds .*found nothing"):
        wd.load_retrieval(tmp_path)
    (tmp_path / "corpus.jsonl.gz").write_bytes(gzip.compress(b'{"_id": "a", "text": "alpha"}\n'))
    jsonl(tmp_path / "queries.jsonl", [{"_id": "q", "text": "first letter?"}])
    jsonl(tmp_path / "qrels.jsonl", [{"query-id": "q", "corpus-id": "a", "score": "1"}])
    assert wd.load_retrieval(tmp_path).qrels == {"q": {"a": 1}}
    (tmp_path / "corpus.jsonl.gz").unlink()
    pd.DataFrame({"_id": ["a", "b"], "title": ["Alpha", None], "text": ["alpha", "beta"]}).to_parquet(
        tmp_path / "corpus.parquet")
    ds = wd.load_retrieval(tmp_path)
    assert ds.corpus == {"a": "Alpha. alpha", "b": "beta"} and "read 2 documents" in ds.meta["summary"]
    pd.DataFrame({"_id": ["a", "a"], "text": ["alpha", "again"]}).to_parquet(tmp_path / "corpus.parquet")
    with pytest.raises(ValueError, match=r"corpus\.parquet row 2: document id 'a' again \(first on row 1\)"):
        wd.load_retrieval(tmp_path)


def test_tasks_refuse_data_of_another_kind_and_non_positive_sizes(beir, tmp_path_factory):
    with pytest.raises(ValueError, match="the sts task cannot evaluate .*it is a retrieval data set"):
        Task("sts", str(beir)).load()
    assert len(Task("pairs", str(beir)).load()) > 0  # pairs accepts a retrieval folder
    for bad in (0, -5):
        with pytest.raises(ValueError, match=f"max_items must be a positive number .*got {bad}"):
            Task("sts", "wordsim353", max_items=bad)
    pairs = tmp_path_factory.mktemp("p") / "both.tsv"
    pairs.write_text("x\ty\t4.5\t1\nz\tw\t0.5\t0\n")
    assert Task("pairs", str(pairs)).load().scores.tolist() == [1.0, 0.0]
    assert Task("pairs", str(pairs), columns={"score": 3}).load().meta["columns"]["score"] == 3
    with pytest.raises(ValueError, match="column 3 holds 0/1 labels, not graded scores"):
        Task("sts", str(pairs), columns={"score": 3}).load()


# --------------------------------------------------------------------- texts


def test_texts_from_a_json_array_frames_and_gzip(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps(["first text", "second text"], indent=2))
    ds = wd.load_texts(tmp_path / "x.json")
    assert ds.texts == ["first text", "second text"] and "read 2 texts" in ds.meta["summary"]
    (tmp_path / "r.json").write_text(json.dumps([{"text": "a", "label": 1}, {"text": "b", "label": 0}]))
    assert wd.load_texts(tmp_path / "r.json").labels.tolist() == [1, 0]
    (tmp_path / "bad.json").write_text(json.dumps({"text": "a"}))
    with pytest.raises(ValueError, match="expected a JSON array"):
        wd.load_texts(tmp_path / "bad.json")
    frame = pd.DataFrame({"review": ["good", "bad"], "stars": [5, 1]})
    assert wd.load_texts(frame, text="review").attributes["stars"].tolist() == [5, 1]
    with pytest.raises(ValueError, match=r"no 'text' column; the columns are \['review', 'stars'\]"):
        wd.load_texts(frame)
    (tmp_path / "t.csv.gz").write_bytes(gzip.compress('text,label\n"#1, really",a\n'.encode()))
    assert wd.load_texts(tmp_path / "t.csv.gz").texts == ["#1, really"]  # '#' is no comment in texts
    (tmp_path / "notes.xml").write_text("<a/>")
    with pytest.raises(ValueError, match=r"notes\.xml: cannot tell how to read a \.xml file"):
        wd.load_texts(tmp_path / "notes.xml")
    (tmp_path / "latin.txt").write_bytes("caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin\.txt line 1: not UTF-8"):
        wd.load_texts(tmp_path / "latin.txt")
