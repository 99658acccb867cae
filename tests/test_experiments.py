"""Pooling experiments: shared token states, the sweep's scores and tests, prompts, report, CLI."""

import json

import numpy as np
import pytest

from workbench.cli import main
from workbench.evaluate import Task, evaluate_sts, paired_test
from workbench.experiments import (
    best_worst,
    fewshot_prompt,
    heatmap,
    instruction,
    pool_grid,
    split_fewshot,
    summarize,
    sweep,
    sweeps,
)
from workbench.pooling import POOLING_MODES

TEXTS = ["A man is playing a guitar on the street.", "Someone plays an instrument outdoors.",
         "The stock market fell sharply on Monday.", "Cats sleep for most of the day.", "short", "",
         "Rain is expected over the weekend in the north."]


@pytest.fixture(scope="module")
def sts_small():
    return Task("sts", "lee-pairs", max_items=150).load()


def test_pool_grid_equals_a_fresh_encode_per_mode_and_layer(minilm):
    grid = pool_grid(minilm, TEXTS, POOLING_MODES, batch_size=3, cache=False)
    assert set(grid) == set(POOLING_MODES)
    for mode in POOLING_MODES:
        fresh = minilm.encode_layers(TEXTS, pooling=mode, batch_size=3, cache=False)
        np.testing.assert_array_equal(grid[mode], fresh)
    for mode, layer in [("cls", 2), ("max", 0), ("last", -1), ("weighted_mean", 4)]:
        one = minilm.encode(TEXTS, pooling=mode, layer=layer, batch_size=3, cache=False)
        np.testing.assert_allclose(grid[mode][layer], one, atol=1e-6)


def test_pool_grid_runs_the_model_once_per_batch_and_shares_the_cache(minilm, monkeypatch):
    calls = []
    real = minilm._forward
    monkeypatch.setattr(minilm, "_forward", lambda ids, *a, **k: (calls.append(len(ids)), real(ids, *a, **k))[1])
    grid = pool_grid(minilm, TEXTS, ["cls", "mean", "max"], batch_size=4, prompt="query: ")
    assert calls == [4, 3]  # two batches, not two per mode and layer
    calls.clear()
    again = minilm.encode_layers(TEXTS, pooling="max", prompt="query: ")  # same key as the grid wrote
    assert calls == []
    np.testing.assert_array_equal(again, grid["max"])
    pool_grid(minilm, TEXTS, ["cls", "mean", "weighted_mean"], batch_size=4, prompt="query: ")
    assert calls == [4, 3]  # only the missing mode is computed, still in one pass


def test_sweep_scores_and_p_values_come_from_the_evaluators_and_paired_test(minilm, sts_small, monkeypatch):
    seen = []
    real = sweeps.paired_test
    monkeypatch.setattr(sweeps, "paired_test", lambda *a, **k: (seen.append(k), real(*a, **k))[1])
    df = sweep(minilm, "sts", sts_small, poolings=["mean", "cls"], layers=[2, -1], n_resamples=200)
    assert df[["pooling", "layer"]].values.tolist() == [["mean", 2], ["mean", 6], ["cls", 2], ["cls", 6]]
    assert len(seen) == 3 and all(k["statistic"] == "spearman" for k in seen)
    base = df[df.baseline]
    assert base[["pooling", "layer"]].values.tolist() == [["mean", 6]] and base.delta.item() == 0
    ref = evaluate_sts(minilm, sts_small, n_resamples=200, per_pair=True)
    assert base.score.item() == pytest.approx(ref["spearman"], abs=1e-6) and base.score.item() > 0.5
    assert (base.ci_low.item(), base.ci_high.item()) == pytest.approx(ref["spearman_ci"], abs=1e-6)
    cls2 = evaluate_sts(minilm, sts_small, pooling="cls", layer=2, n_resamples=0, per_pair=True)
    test = paired_test(cls2["per_pair"]["cosine"], ref["per_pair"]["cosine"], ref["per_pair"]["gold"],
                       statistic="spearman", n_resamples=200)
    row = df[(df.pooling == "cls") & (df.layer == 2)].iloc[0]
    assert row.delta == pytest.approx(test["difference"], abs=1e-6)
    assert row.p_value == pytest.approx(test["p_value"]) and row.significant == (test["p_value"] < 0.05)
    assert row.score < base.score.item()


@pytest.mark.slow
def test_sweep_retrieval_classification_dims_and_baseline(minilm):
    ret = sweep(minilm, Task("retrieval", "python-docstrings", max_items=40, max_docs=80), poolings=["mean", "cls"],
                layers=[-1], prompts={"plain": None, "pair": ("query: ", "passage: ")}, dims=[32, 384],
                baseline={"pooling": "cls", "dim": 32}, n_resamples=100)
    assert len(ret) == 8 and ret.metric.eq("ndcg@10").all()
    assert ret[ret.baseline][["prompt", "pooling", "dim"]].values.tolist() == [["plain", "cls", 32]]
    full = ret[(ret.prompt == "plain") & (ret.pooling == "mean") & (ret.dim == 384)].score.item()
    assert full > 0.6 and full > ret[(ret.prompt == "plain") & (ret.pooling == "mean") & (ret.dim == 32)].score.item()
    cls = sweep(minilm, "classification", "pang-lee-polarity", poolings=["mean"], layers=[0, -1], n_resamples=100)
    assert cls.metric.eq("accuracy").all() and cls.score.max() > 0.6 and cls.n.eq(40).all()


def test_bad_input_is_named(minilm, glove, sts_small):
    with pytest.raises(ValueError, match=r"layer must be an int in -7\.\.6"):
        sweep(minilm, "sts", sts_small, layers=[7])
    with pytest.raises(ValueError, match=r"layer must be an int"):
        minilm.encode(["x"], layer=-8)
    with pytest.raises(ValueError, match=r"no \{text\} placeholder"):
        minilm.encode(["x"], prompt="Sentence: {sentence}")
    with pytest.raises(ValueError, match=r"no \{text\} placeholder"):
        sweep(minilm, "sts", sts_small, prompts=["Represent: {input}"])
    with pytest.raises(ValueError, match="pooling 'cls' reads a \\[CLS\\] token, but glove-50d has none"):
        glove.encode(["cats"], pooling="cls")
    with pytest.raises(ValueError, match="sweep runs tasks sts, retrieval, classification"):
        sweep(minilm, "clustering", "mini-newsgroups")
    with pytest.raises(ValueError, match="retrieval task only"):
        sweep(minilm, "sts", sts_small, prompts=[("query: ", "passage: ")])
    with pytest.raises(ValueError, match=r"dims must be ints in 1\.\.384"):
        sweep(minilm, "sts", sts_small, dims=[512])
    with pytest.raises(ValueError, match="baseline keys \\['pool'\\] are unknown"):
        sweep(minilm, "sts", sts_small, poolings=["mean"], layers=[-1], baseline={"pool": "mean"})
    with pytest.raises(ValueError, match="is not a cell of this sweep"):
        sweep(minilm, "sts", sts_small, poolings=["mean"], layers=[-1], baseline={"pooling": "max"})
    with pytest.raises(ValueError, match="the sts task cannot evaluate pang-lee-polarity: it is a texts data set"):
        sweep(minilm, "sts", "pang-lee-polarity")


def test_prompts_and_few_shot_examples_change_the_cache_key(minilm, monkeypatch):
    ds = Task("retrieval", "python-docstrings", max_items=12, max_docs=20).load()
    shots, rest = split_fewshot(ds, k=2, seed=0)
    assert len(rest.queries) == 10 and not {q for q, _ in shots} & set(rest.query_texts)
    assert all(q in ds.query_texts for q, _ in shots)
    one, other = fewshot_prompt(shots), fewshot_prompt(shots[:1])
    q, d = instruction("retrieval", "python-docstrings")
    assert q.startswith("Instruct: Given the docstring") and q.endswith("Query: {text}") and d is None
    computed = []
    real = minilm._compute
    monkeypatch.setattr(minilm, "_compute", lambda chunk, *a: (computed.append(1), real(chunk, *a))[1])
    texts = rest.query_texts[:3]
    a = minilm.encode(texts, prompt=one)
    b = minilm.encode(texts, prompt=other)
    c = minilm.encode(texts, prompt=q)
    assert len(computed) == 3  # three prompts, three keys
    assert np.abs(a - b).max() > 1e-3 and np.abs(a - c).max() > 1e-3
    np.testing.assert_array_equal(minilm.encode(texts, prompt=one), a)
    assert len(computed) == 3  # the same few-shot prompt is a hit
    with pytest.raises(ValueError, match="at least one"):
        fewshot_prompt([])
    with pytest.raises(ValueError, match="k must be between 1 and 11"):
        split_fewshot(ds, k=12)


def test_report_heatmap_and_summary_follow_the_table(minilm, sts_small):
    df = sweep(minilm, "sts", sts_small, poolings=["mean", "cls", "max"], layers="all", n_resamples=200)
    assert len(df) == 21
    figure = heatmap(df)
    fig = figure.to_dict()
    z = np.asarray(figure.data[0].z, dtype=float)
    assert z.shape == (3, 7) and np.nanmax(z) == pytest.approx(df.score.max())
    text = [t for row in fig["data"][0]["text"] for t in row]
    assert sum("◆" in t for t in text) == 1
    assert sum(("▲" in t) or ("▼" in t) for t in text) == int(df.significant.sum())
    bw = best_worst(df)
    assert bw["rank"].tolist() == ["best", "worst"] and bw.score.iloc[0] == df.score.max()
    lines = summarize(df)
    best = df.loc[df.score.idxmax()]
    assert f"{best.score:.3f}" in lines[0] and f"layer {best.layer}" in lines[0]
    tested = int((~df.baseline & df.p_value.notna()).sum())
    assert tested >= 18 and f"{int(df.significant.sum())} of {tested} other cells differ" in lines[1]
    with pytest.raises(ValueError, match="varies"):
        heatmap(df.assign(dim=np.arange(len(df))))


def test_cli_sweep_json_and_errors(capsys):
    argv = ["sweep", "--model", "minilm", "--task", "sts", "--data", "lee-pairs", "--poolings", "cls,mean,last",
            "--layers", "all", "--max-items", "100", "--resamples", "50", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["rows"]) == 21 and out["baseline"]["pooling"] == "mean" and out["baseline"]["layer"] == 6
    assert {r["pooling"] for r in out["rows"]} == {"cls", "mean", "last"}
    assert main(["sweep", "--task", "sts", "--data", "lee-pairs", "--layers", "top"]) == 2
    assert "--layers takes 'all' or comma-separated ints" in capsys.readouterr().err
    assert main(["sweep", "--task", "sts", "--data", "lee-pairs", "--layers", "9"]) == 2
    assert "layer must be an int" in capsys.readouterr().err


@pytest.mark.slow
def test_decoder_sweep_cls_error_padding_and_bidirectional(smollm2, minilm):
    with pytest.raises(ValueError, match="pooling 'cls' reads a \\[CLS\\] token, but smollm2 has none \\(a decoder\\)"):
        smollm2.encode(["x"], pooling="cls")
    with pytest.raises(ValueError, match="pooling 'cls'"):
        pool_grid(smollm2, ["x"], ["cls", "mean"])
    texts = ["The cat sat.", "A considerably longer sentence about the weather in spring.", "Ok"]
    right = pool_grid(smollm2, texts, ["last", "mean"], cache=False)
    smollm2.tokenizer.padding_side = "left"
    try:
        left = pool_grid(smollm2, texts, ["last", "mean"], cache=False)
    finally:
        smollm2.tokenizer.padding_side = "right"
    for mode in ("last", "mean"):
        assert np.abs(left[mode] - right[mode]).max() < 1e-4
    single = np.stack([smollm2.encode([t], pooling="last", layer=15, cache=False)[0] for t in texts])
    assert np.abs(right["last"][15] - single).max() < 1e-4
    bi = pool_grid(smollm2, texts, ["last", "mean"], attention="bidirectional", cache=False)
    assert np.abs(bi["mean"][-1] - right["mean"][-1]).max() > 1e-2  # the mask change reaches the vectors
    np.testing.assert_array_equal(bi["mean"][0], right["mean"][0])  # embeddings layer: no attention yet
    enc_bi = pool_grid(minilm, texts, ["mean"], attention="bidirectional", cache=False)["mean"]
    np.testing.assert_array_equal(enc_bi, pool_grid(minilm, texts, ["mean"], cache=False)["mean"])
    pairs = Task("sts", "lee-pairs", max_items=16).load()
    df = sweep(smollm2, "sts", pairs, poolings=["last", "mean"], layers=[-1],
               prompts={"none": None, "eol": "prompteol"},
               attention=["causal", "bidirectional"], n_resamples=50, max_length=32)
    assert len(df) == 8 and df.attention.unique().tolist() == ["causal", "bidirectional"]
    assert df[df.baseline][["prompt", "attention", "pooling"]].values.tolist() == [["none", "causal", "last"]]
    assert df.score.nunique() == 8
