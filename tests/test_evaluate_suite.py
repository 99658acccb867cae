"""The suite runner: tidy table, figure, caching per configuration, and the CLI's eval command."""

import json

import numpy as np
import pytest

import workbench as wb
import workbench.evaluate as ev
from workbench.cli import main
from workbench.datasets import TextDataset
from workbench.evaluate import Task, run_suite, suite_figure


def _blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], n // 3)
    return TextDataset("blobs", [f"t{i}" for i in range(n)], labels=y), rng.normal(size=(n, 4)) + 6 * np.eye(4)[y]


def test_suite_table_figure_and_cache_reuse(monkeypatch, glove):
    calls = []
    real = ev.TASKS["sts"]

    def counting(model, data, **kw):
        calls.append(kw.get("pooling"))
        return real(model, data, **kw)

    monkeypatch.setitem(ev.TASKS, "sts", counting)
    tasks = [Task("sts", "wordsim353", max_items=120)]
    first = run_suite([{"model": glove, "pooling": "mean"}], tasks, n_resamples=200)
    assert list(first.columns) == ["config", "task", "metric", "score", "ci_low", "ci_high", "n", "main", "cached"]
    main = first.query("main").iloc[0]
    assert main["metric"] == "spearman" and main["n"] == 120 and main["ci_low"] < main["score"] < main["ci_high"]
    fig = suite_figure(first)  # built only on request
    assert fig.to_dict()["data"][0]["y"][0] == pytest.approx(main["score"])
    both = run_suite([{"model": glove, "pooling": "mean"}, {"model": glove, "pooling": "max"}], tasks,
                        n_resamples=200)
    assert calls == ["mean", "max"]  # the first configuration came from the cache
    assert both.query("main")["cached"].tolist() == [True, False]
    assert both.query("main")["score"].iloc[0] == pytest.approx(main["score"])


def test_suite_accepts_loaded_data_and_skips_bm25_off_retrieval(monkeypatch):
    ds, X = _blobs()

    class Fixed:  # an encoder stand-in that returns known vectors
        name = identity = "fixed"

        def encode(self, texts, **kw):
            return X[[int(t[1:]) for t in texts]].astype(np.float32)

    table = run_suite([{"model": Fixed(), "label": "fixed"}, "bm25"],
                         [Task("clustering", ds, options={"n_seeds": 2}), Task("classification", ds)], n_resamples=100)
    assert set(table["config"]) == {"fixed"}
    scores = table.query("main").set_index("task")["score"]
    assert scores["clustering:blobs"] == 1.0 and scores["classification:blobs"] == 1.0


def test_suite_rejects_bad_configurations():
    with pytest.raises(ValueError, match="unknown task"):
        run_suite(["minilm"], ["translation:lee-pairs"])
    with pytest.raises(ValueError, match="unknown configuration keys"):
        run_suite([{"model": "minilm", "poolnig": "mean"}], ["sts:lee-pairs"])
    with pytest.raises(ValueError, match="distinct"):
        run_suite(["minilm", "minilm"], ["sts:lee-pairs"])


def test_cli_eval_prints_metrics_n_and_ci(capsys, tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps({"_id": f"d{i}", "text": t}) for i, t in enumerate(
        ["cats purr on the sofa", "dogs bark at night", "birds sing at dawn"])))
    (folder / "queries.jsonl").write_text("\n".join(json.dumps({"_id": f"q{i}", "text": t}) for i, t in enumerate(
        ["which pets purr", "barking dogs", "dawn birdsong"])))
    (folder / "qrels.jsonl").write_text("\n".join(json.dumps({"query-id": f"q{i}", "corpus-id": f"d{i}", "score": 1})
                                                  for i in range(3)))
    assert main(["eval", "retrieval", "--model", "bm25", "--data", str(folder), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"ndcg@10", "map@100", "mrr@10", "recall@2", "n", "ndcg@10_ci"} <= set(out) and out["n"] == 3
    assert main(["eval", "clustering", "--model", "bm25", "--data", "mini-newsgroups"]) == 2
    assert "retrieval task only" in capsys.readouterr().err
    assert main(["eval", "ranking", "--data", "lee-pairs"]) == 2
    assert "valid: sts, retrieval" in capsys.readouterr().err
    assert main(["eval", "pairs", "--model", "glove-50d", "--data", "lee-pairs"]) == 2
    assert "--threshold" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_eval_sts_and_pairs_with_glove(capsys):
    assert main(["eval", "sts", "--model", "glove-50d", "--data", "wordsim353", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 353 and out["spearman_ci"][0] < out["spearman"] < out["spearman_ci"][1]
    assert main(["eval", "pairs", "--model", "glove-50d", "--data", "wordsim353", "--threshold", "7", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 0.5 < out["ap"] <= 1.0 and out["positives"] == int((wb.datasets.load("wordsim353").scores >= 7).sum())


def test_mteb_adapter_maps_prompt_types_and_batches(glove):
    from workbench.evaluate import MTEBModel

    seen = []

    class Spy:
        def encode(self, texts, options, **run):
            seen.append((texts, options.prompt, options.pooling))
            return glove.encode(texts, options)

    model = MTEBModel(Spy(), query_prompt="query: ", doc_prompt="passage: ", pooling="max")
    assert model.encode(["a cat"], task_name="T", prompt_type="query").shape == (1, 50)
    model.encode([{"text": ["x", "y"]}, {"text": ["z"]}], task_name="T", prompt_type="document", batch_size=8)
    model.encode(["w"], task_name="T")
    assert seen == [(["a cat"], "query: ", "max"), (["x", "y", "z"], "passage: ", "max"), (["w"], None, "max")]
