"""The command line on users' own files: inspect, column flags, what was read on stderr and in --json."""

import json

import pytest

from workbench.cli import main

STSB = ("main-captions\tMSRvid\t2012test\t0001\t5.000\tA man is playing a guitar.\tA man plays the guitar.\n"
        "main-captions\tMSRvid\t2012test\t0002\t0.500\tA woman is slicing onions.\tA dog runs on the beach.\n"
        "main-news\theadlines\t2015\t0003\t3.200\tStocks fell on Monday.\tShares dropped on Monday morning.\n"
        "main-forums\tdeft-forum\t2014\t0004\t1.400\tI like tea.\tThe train was late.\n")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_inspect_shows_layout_columns_and_rows_without_a_model(capsys, tmp_path):
    path = tmp_path / "sts-test.csv"
    path.write_text(STSB)
    code, out, err = run(capsys, "inspect", path, "--rows", "2")
    assert code == 0 and err == ""
    assert "layout: STS Benchmark distribution file" in out and "would use: text1=5, text2=6, score=4" in out
    assert "[4] -  graded  '5.000'" in out and "line 2: ['main-captions'" in out and "line 3:" not in out
    code, out, _ = run(capsys, "inspect", path, "--json")
    report = json.loads(out)
    assert report["use"] == {"text1": 5, "text2": 6, "score": 4} and len(report["rows"]) == 4
    odd = tmp_path / "ratings.tsv"
    odd.write_text("en\tweb\tx1\tann3\t2\tA cat sits.\tA dog runs.\n")
    code, out, _ = run(capsys, "inspect", odd)
    assert code == 0 and "problem (as a pairs file):" in out and "cannot tell which columns" in out
    assert "would use" not in out
    code, out, _ = run(capsys, "inspect", odd, "--text1", "5", "--text2", "6", "--score", "4")
    assert "would use: text1=5, text2=6, score=4" in out


def test_eval_sts_on_the_stsb_csv_matches_the_tsv_and_reports_what_it_read(capsys, tmp_path, minilm):
    csv_file, tsv_file = tmp_path / "sts-test.csv", tmp_path / "sts-test.tsv"
    csv_file.write_text(STSB)
    rows = [line.split("\t") for line in STSB.splitlines()]
    tsv_file.write_text("sentence1\tsentence2\tscore\n" + "".join(f"{r[5]}\t{r[6]}\t{r[4]}\n" for r in rows))
    code, out, err = run(capsys, "eval", "sts", "--model", "minilm", "--data", csv_file, "--json")
    result = json.loads(out)
    assert code == 0 and result["n"] == 4 and err.startswith("read: sts-test: read 4 pairs")
    assert "STS Benchmark distribution file" in result["data"][0]
    _, out, _ = run(capsys, "eval", "sts", "--model", "minilm", "--data", tsv_file, "--json")
    assert json.loads(out)["spearman"] == pytest.approx(result["spearman"]) and result["spearman"] > 0.7


def test_column_flags_and_task_checks(capsys, tmp_path, minilm):
    odd = tmp_path / "ratings.tsv"
    odd.write_text("en\tweb\tx1\tann3\t4\tA cat sits.\tA cat is sitting.\n"
                   "fr\tweb\tx2\tann1\t1\tA car.\tA bird sings.\n"
                   "de\tweb\tx3\tann2\t3\tA man runs.\tA man is jogging.\n")
    code, _, err = run(capsys, "eval", "sts", "--data", odd)
    assert code == 2 and "cannot tell which columns" in err and "--text1" in err and err.count("\n") == 1
    code, out, err = run(capsys, "eval", "sts", "--data", odd, "--text1", "5", "--text2", "6", "--score", "4",
                         "--json")
    assert code == 0 and json.loads(out)["n"] == 3 and "columns text1=5, text2=6, score=4" in err
    mrpc = tmp_path / "msr_paraphrase_test.txt"
    mrpc.write_text("\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\tA cat sits.\tA cat is sitting.\n"
                    "0\t3\t4\tA car.\tA bird sings.\n", encoding="utf-8")
    code, _, err = run(capsys, "eval", "sts", "--data", mrpc)
    assert code == 2 and "0/1 labels, not graded scores" in err and "eval pairs" in err
    for bad in ("0", "-5"):
        code, _, err = run(capsys, "eval", "sts", "--data", "wordsim353", "--max-items", bad)
        assert code == 2 and "max_items must be a positive number" in err
    folder = tmp_path / "beir"
    folder.mkdir()
    (folder / "corpus.jsonl").write_text('{"_id": "d", "text": "Cats purr."}\n')
    (folder / "queries.jsonl").write_text('{"_id": "q", "text": "purring?"}\n')
    (folder / "qrels.jsonl").write_text('{"query-id": "q", "corpus-id": "d", "score": 1}\n')
    code, _, err = run(capsys, "eval", "sts", "--data", folder)
    assert code == 2 and "the sts task cannot evaluate" in err and "a retrieval data set" in err
    code, out, _ = run(capsys, "inspect", folder)
    assert code == 0 and "kind: retrieval" in out and "query q: {'text': 'purring?', 'relevant': ['d']}" in out
