"""Benchmark downsampling: greedy task selection, ranking agreement, hard-negative corpora, the score matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from workbench.bm25 import BM25
from workbench.datasets import RetrievalDataset
from workbench.evaluate import Task, evaluate_retrieval
from workbench.evaluate.benchmark import Config, corpus_fidelity, score_matrix
from workbench.evaluate.downsample import (
    aggregate,
    greedy_selection,
    hard_negative_corpus,
    pair_agreement,
    random_subsets,
    ranking_agreement,
    task_correlation,
)


def planted_suite(n_configs=12, n_tasks=6, copies=("t0", "t1", "t2"), seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    s = pd.DataFrame(rng.normal(size=(n_configs, n_tasks)), columns=[f"t{i}" for i in range(n_tasks)],
                     index=[f"c{i}" for i in range(n_configs)])
    for t in copies:
        s[f"{t}_copy"] = s[t]
    return s


def test_greedy_removes_exact_copies_first():
    s = planted_suite()
    path = greedy_selection(s, 3)
    first = path["removed"].tolist()[:3]
    # one member of each copied pair goes first, each with redundancy 1
    assert sorted(t.replace("_copy", "") for t in first) == ["t0", "t1", "t2"]
    assert np.allclose(path["redundancy"].iloc[:3], 1.0)
    kept_after = [t for t in s.columns if t not in first]
    assert len({tuple(s[t].round(12)) for t in kept_after}) == len(kept_after)  # no duplicate left
    assert path["redundancy"].iloc[3] < 1.0
    assert path.attrs["kept"] == [t for t in s.columns if t not in path["removed"].tolist()]


def test_selection_larger_than_suite_is_an_error():
    s = planted_suite(copies=())
    with pytest.raises(ValueError, match="only 6"):
        greedy_selection(s, 7)
    with pytest.raises(ValueError, match="positive int"):
        greedy_selection(s, 0)
    with pytest.raises(ValueError, match="1..6"):
        random_subsets(s, 9)


def test_kinds_keep_one_task_of_every_kind():
    s = planted_suite(copies=("t0",))
    kinds = {t: ("sts" if t in ("t0", "t0_copy") else "retrieval") for t in s.columns}
    kept = greedy_selection(s, 2, kinds=kinds).attrs["kept"]
    assert sorted(kinds[t] for t in kept) == ["retrieval", "sts"]
    with pytest.raises(ValueError, match="n_keep >= 2"):
        greedy_selection(s, 1, kinds=kinds)


def test_agreement_against_scipy_and_definitions():
    s = planted_suite(copies=())
    tasks = ["t1", "t3"]
    expect = kendalltau(s.mean(axis=1), s[tasks].mean(axis=1)).statistic
    assert ranking_agreement(s, tasks) == pytest.approx(expect)
    assert ranking_agreement(s, list(s.columns)) == pytest.approx(1.0)
    assert np.allclose(task_correlation(s).values, s.rank().corr().values)
    assert aggregate(s, how="rank").mean() == pytest.approx((len(s) + 1) / 2)
    # pairs: concordance fraction relates to tau-a when there are no ties
    full, part = s.mean(axis=1), s[tasks].mean(axis=1)
    fam = {c: ("m" if i < 6 else f"solo{i}") for i, c in enumerate(s.index)}
    agree = pair_agreement(full, part, fam)
    assert 2 * agree["all"] - 1 == pytest.approx(expect)
    assert agree["n_within"] == 15 and agree["n_within"] + agree["n_between"] == 66


def test_missing_scores_are_refused():
    s = planted_suite(copies=())
    s.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="missing values"):
        greedy_selection(s, 2)


def test_hard_negative_corpus_keeps_relevant_and_pooled_top_k():
    ds = RetrievalDataset("toy", {f"d{i}": f"text {i}" for i in range(10)}, {"q1": "a", "q2": "b"},
                          {"q1": {"d0": 1}, "q2": {"d9": 1}})
    runs = [{"q1": ["d1", "d2", "d3"], "q2": ["d4", "d9"]}, {"q1": ["d5", "d1"], "q2": ["d6"]}]
    sub = hard_negative_corpus(ds, runs, k=1)
    assert sorted(sub.corpus) == ["d0", "d1", "d4", "d5", "d6", "d9"]
    with pytest.raises(ValueError, match="no ranking"):
        hard_negative_corpus(ds, [{"q1": ["d1"]}], k=1)


def test_score_matrix_shares_passes_and_matches_references(minilm):
    tasks = [Task("sts", "lee-pairs", max_items=40), Task("retrieval", "python-docstrings", max_items=8,
                                                          max_docs=24)]
    configs = [Config("minilm/mean", "minilm", "mean"), Config("minilm/cls", "minilm", "cls"),
               Config("minilm/mean/L3", "minilm", "mean", 3), Config("lexical", "lexical"),
               Config("random", "random")]
    run = score_matrix(configs, tasks)
    assert run.scores.shape == (5, 2) and not run.scores.isna().any().any()
    sts = run.scores["sts:lee-pairs"]
    assert sts["minilm/mean"] > sts["random"] + 0.1
    ret = tasks[1].load()
    # the lexical configuration is BM25 on retrieval; the shared-pass vectors give encode's numbers
    assert run.scores.loc["lexical", tasks[1].label] == pytest.approx(
        evaluate_retrieval(BM25(), ret, n_resamples=0)["ndcg@10"])
    direct = evaluate_retrieval(minilm, ret, n_resamples=0, pooling="cls", max_length=128)["ndcg@10"]
    assert run.scores.loc["minilm/cls", tasks[1].label] == pytest.approx(direct, abs=1e-6)
    fid = corpus_fidelity(run, tasks[1].label, ks=(1, 24), n_random=1)
    assert fid["docs"].iloc[-1] == len(ret.corpus) and fid["tau_hard"].iloc[-1] == pytest.approx(1.0)
    assert fid["docs"].iloc[0] < len(ret.corpus)


def test_constant_task_goes_first_and_family_effect():
    from workbench.evaluate.downsample import family_effect

    s = planted_suite(copies=())
    s["flat"] = 0.5
    assert greedy_selection(s, 3)["removed"].iloc[0] == "flat"
    s = s.drop(columns="flat")
    # a family whose members differ only by noise on a shared direction moves every task together
    fam = {c: ("m" if i < 6 else f"solo{i}") for i, c in enumerate(s.index)}
    s.iloc[:6] = np.outer(np.arange(6.0), np.ones(s.shape[1])) + 0.01 * s.iloc[:6].to_numpy()
    out = family_effect(s, fam)
    assert out["within"]["m"] == pytest.approx(1.0) and out["n_families"] == 7
    assert out["within"]["m"] > out["all"] > out["across"] - 1
