"""``workbench compress`` and ``workbench index-bench`` end to end (GloVe vectors: fast and real)."""

import json

import pytest

from workbench.cli import main

pytestmark = pytest.mark.filterwarnings("ignore:.*not in the glove-50d vocabulary")


def test_compress_json(capsys):
    code = main(["compress", "--model", "glove-50d", "--data", "rotten-tomatoes-synopsis", "--methods",
                 "int8,binary,binary+rescore,pq10", "--max-queries", "10", "--max-docs", "600", "--json"])
    assert code == 0
    rows = {r["method"]: r for r in json.loads(capsys.readouterr().out)}
    assert list(rows) == ["float32", "int8", "binary", "binary+rescore", "pq10"]
    assert rows["float32"]["bytes/vector"] == 200 and rows["int8"]["bytes/vector"] == 50
    assert rows["binary"]["bytes/vector"] == 7 and rows["pq10"]["bytes/vector"] == 10
    assert rows["float32"]["retention"] == 1.0 and 0 < rows["int8"]["ndcg@10"] <= 1


def test_index_bench_on_a_text_set(capsys):
    code = main(["index-bench", "--model", "glove-50d", "--data", "pang-lee-polarity", "--indexes",
                 "flat,hnsw,binary", "--json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["index"] for r in rows] == ["flat", "hnsw", "binary"]
    assert rows[0]["recall@10"] == 1.0 and rows[0]["n"] == 180


def test_cli_errors(capsys):
    assert main(["compress", "--model", "glove-50d", "--data", "pang-lee-polarity", "--json"]) == 2
    assert "needs a retrieval set" in capsys.readouterr().err
    assert main(["compress", "--model", "glove-50d", "--data", "rotten-tomatoes-synopsis", "--methods", "int3",
                 "--max-queries", "5", "--max-docs", "50"]) == 2
    assert "int8 and int4" in capsys.readouterr().err
    assert main(["index-bench", "--model", "glove-50d", "--data", "pang-lee-polarity", "--indexes", "annoy"]) == 2
    assert "unknown index 'annoy'" in capsys.readouterr().err
