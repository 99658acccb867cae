"""Retrieval metrics against scikit-learn and hand-made cases; evaluate_retrieval on real data."""

from pathlib import Path

import faiss
import numpy as np
import pytest
from sklearn.metrics import average_precision_score, ndcg_score

import workbench as wb
from workbench.bm25 import BM25
from workbench.datasets import RetrievalDataset
from workbench.evaluate import evaluate_retrieval, ranking_metrics, retrieval_subset
from workbench.evaluate.retrieval import truncate
from workbench.search import exact_search

MEASURED_DOCSTRINGS = 0.872  # minilm mean, 60 queries / 120 documents, seed 0
MEASURED_LIMIT_MINILM = 0.173  # recall@2, minilm mean, first 150 LIMIT-small queries (all 1000: 0.162)
LIMIT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "limit-small"


def _random_case(rng, n_docs=30, n_queries=25):
    docs = [f"d{i}" for i in range(n_docs)]
    rel = rng.choice([0, 0, 0, 1, 2, 3], size=(n_queries, n_docs))
    rel[:, 0] = np.maximum(rel[:, 0], 1)  # every query has a relevant document
    scores = rng.normal(size=(n_queries, n_docs))
    qrels = {f"q{i}": {docs[j]: int(rel[i, j]) for j in range(n_docs) if rel[i, j] > 0} for i in range(n_queries)}
    ranked = [[docs[j] for j in np.argsort(-scores[i])] for i in range(n_queries)]
    return docs, rel, scores, qrels, ranked


def test_ndcg_and_map_match_sklearn_on_random_graded_cases():
    rng = np.random.default_rng(0)
    docs, rel, scores, qrels, ranked = _random_case(rng)
    res = ranking_metrics(ranked, qrels, per_query=True)
    for i in range(len(ranked)):
        assert res["per_query"]["ndcg@10"][i] == pytest.approx(ndcg_score(rel[i:i + 1], scores[i:i + 1], k=10))
        assert res["per_query"]["map@100"][i] == pytest.approx(average_precision_score(rel[i] > 0, scores[i]))
        order = np.argsort(-scores[i])
        first = np.flatnonzero(rel[i][order] > 0)[0]
        assert res["per_query"]["mrr@10"][i] == pytest.approx(1 / (first + 1) if first < 10 else 0.0)
        for k in (1, 2, 3, 5, 10, 20, 100):
            expected = (rel[i][order[:k]] > 0).sum() / (rel[i] > 0).sum()
            assert res["per_query"][f"recall@{k}"][i] == pytest.approx(expected)
    assert res["ndcg@10"] == pytest.approx(res["per_query"]["ndcg@10"].mean())
    assert res["n"] == len(ranked)


def test_hand_made_graded_case():
    # ideal order a(2), b(1): IDCG = 2 + 1/log2(3); the ranking b, x, a gives DCG = 1 + 2/log2(4) = 2
    res = ranking_metrics({"q": ["b", "x", "a"]}, {"q": {"a": 2, "b": 1}}, k_values=(1, 2, 3))
    assert res["ndcg@10"] == pytest.approx(2 / (2 + 1 / np.log2(3)))
    assert res["map@100"] == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert res["mrr@10"] == 1.0
    assert (res["recall@1"], res["recall@2"], res["recall@3"]) == (0.5, 0.5, 1.0)


def test_relevant_documents_missing_from_the_ranking_count_in_the_denominators():
    res = ranking_metrics({"q": ["a"]}, {"q": {"a": 1, "b": 1, "c": 1}}, k_values=(1, 10))
    assert res["recall@10"] == pytest.approx(1 / 3) and res["map@100"] == pytest.approx(1 / 3)
    assert res["ndcg@10"] == pytest.approx(1 / (1 + 1 / np.log2(3) + 1 / np.log2(4)))


def test_run_with_tied_scores_breaks_ties_by_doc_id():
    run = {"q": {"c": 0.5, "a": 0.5, "b": 0.9, "d": 0.1}}
    qrels = {"q": {"c": 1}}
    assert ranking_metrics(run, qrels) == ranking_metrics({"q": ["b", "a", "c", "d"]}, qrels)
    # sklearn averages over the tied pair instead; our value is one of the two orders it averages
    ours = ranking_metrics(run, qrels)["ndcg@10"]
    y_true, y_score = np.array([[0, 0, 1, 0]]), np.array([[0.5, 0.9, 0.5, 0.1]])  # a, b, c, d
    averaged = ndcg_score(y_true, y_score, k=10)
    best = ndcg_score(y_true, np.array([[0.4, 0.9, 0.5, 0.1]]), k=10)
    assert ours < averaged < best and averaged == pytest.approx((ours + best) / 2)


def test_documents_equal_to_the_query_id_are_kept_unless_asked():
    qrels = {"q1": {"q1": 1, "d": 1}}
    kept = ranking_metrics({"q1": ["q1", "x", "d"]}, qrels, k_values=(1,))
    dropped = ranking_metrics({"q1": ["q1", "x", "d"]}, qrels, k_values=(1,), ignore_identical_ids=True)
    assert kept["recall@1"] == 0.5 and kept["mrr@10"] == 1.0
    assert dropped["recall@1"] == 0.0 and dropped["mrr@10"] == 0.5


def test_ranking_metrics_rejects_bad_input():
    with pytest.raises(ValueError, match="no relevant document"):
        ranking_metrics({"q": ["a"]}, {"q": {}})
    with pytest.raises(ValueError, match="no relevant document"):
        ranking_metrics({"q": ["a"], "r": ["a"]}, {"q": {"a": 1}})
    with pytest.raises(ValueError, match="empty"):
        ranking_metrics({}, {"q": {"a": 1}})
    with pytest.raises(ValueError, match="k_values"):
        ranking_metrics({"q": ["a"]}, {"q": {"a": 1}}, k_values=(0,))
    with pytest.raises(ValueError, match="rankings for"):
        ranking_metrics([["a"], ["b"]], {"q": {"a": 1}})
    with pytest.raises(ValueError, match="twice"):
        ranking_metrics({"q": ["a", "a"]}, {"q": {"a": 1}})


def _toy(n_docs=40, n_queries=12, seed=0):
    rng = np.random.default_rng(seed)
    corpus = {f"d{i}": f"document {i}" for i in range(n_docs)}
    queries = {f"q{i}": f"query {i}" for i in range(n_queries)}
    qrels = {f"q{i}": {f"d{j}": int(rng.integers(1, 3)) for j in rng.choice(n_docs, 3, replace=False)}
             for i in range(n_queries)}
    Q = rng.normal(size=(n_queries, 16)).astype(np.float32)
    X = rng.normal(size=(n_docs, 16)).astype(np.float32)
    return RetrievalDataset("toy", corpus, queries, qrels), Q, X


def test_precomputed_vectors_match_a_numpy_brute_force():
    ds, Q, X = _toy()
    res = evaluate_retrieval((Q, X), ds, per_query=True)
    Qn, Xn = truncate(Q, 16), truncate(X, 16)
    ranked = [[ds.doc_ids[j] for j in np.argsort(-(Qn @ Xn.T)[i], kind="stable")] for i in range(len(Q))]
    ref = ranking_metrics(ranked, ds.qrels, query_ids=ds.query_ids, per_query=True)
    for key in ("ndcg@10", "map@100", "mrr@10", "recall@2", "recall@100"):
        assert res[key] == pytest.approx(ref[key], abs=1e-6)
        np.testing.assert_allclose(res["per_query"][key], ref["per_query"][key], atol=1e-6)
    lo, hi = res["ndcg@10_ci"]
    assert lo <= res["ndcg@10"] <= hi and res["n"] == 12


def test_dim_truncates_and_renormalises_before_search():
    ds, Q, X = _toy()
    short = evaluate_retrieval((Q, X), ds, dim=4, n_resamples=0)
    manual = evaluate_retrieval((Q[:, :4], X[:, :4]), ds, n_resamples=0)
    assert short == manual
    assert short != evaluate_retrieval((Q, X), ds, n_resamples=0)
    with pytest.raises(ValueError, match="dim must be"):
        evaluate_retrieval((Q, X), ds, dim=17)


def test_any_index_gives_the_same_result_as_exact_search():
    ds, Q, X = _toy()
    base = evaluate_retrieval((Q, X), ds, n_resamples=0)
    assert evaluate_retrieval((Q, X), ds, index=exact_search, n_resamples=0) == base
    assert evaluate_retrieval((Q, X), ds, index=faiss.IndexFlatIP(16), n_resamples=0) == base


def test_bad_inputs_fail_with_clear_messages():
    ds, Q, X = _toy()
    with pytest.raises(TypeError, match="load_encoder"):
        evaluate_retrieval("minilm", ds)
    with pytest.raises(ValueError, match="rows but the data set needs"):
        evaluate_retrieval((Q[:5], X), ds)
    bad = X.copy()
    bad[3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        evaluate_retrieval((Q, bad), ds)
    with pytest.raises(ValueError, match="empty"):
        evaluate_retrieval((Q[:0], X), RetrievalDataset("empty", dict(ds.corpus), {}, {}))
    unjudged = RetrievalDataset("u", dict(ds.corpus), {**ds.queries, "extra": "x"}, dict(ds.qrels))
    with pytest.raises(ValueError, match="no qrels"):
        evaluate_retrieval((np.vstack([Q, Q[:1]]), X), unjudged)
    ds.qrels["q0"]["ghost"] = 1  # a judgement naming a document outside the corpus
    with pytest.raises(ValueError, match="missing from the corpus"):
        evaluate_retrieval((Q, X), ds)


def test_retrieval_subset_keeps_relevant_documents():
    ds = wb.datasets.load("python-docstrings")
    small = retrieval_subset(ds, 30, n_docs=50, seed=3)
    assert len(small.queries) == 30 and len(small.corpus) == 50
    assert all(d in small.corpus for rel in small.qrels.values() for d in rel)
    assert retrieval_subset(ds, 30, n_docs=50, seed=3).corpus == small.corpus


def test_bm25_is_accepted_as_a_model_and_beats_chance():
    ds = retrieval_subset(wb.datasets.load("python-docstrings"), 100, n_docs=300)
    res = evaluate_retrieval(BM25(), ds)
    assert res["n"] == 100 and 0.3 < res["ndcg@10"] <= 1.0  # chance is ~0.01 with 300 documents


@pytest.mark.slow
def test_minilm_on_python_docstrings_quality_floor(minilm):
    ds = retrieval_subset(wb.datasets.load("python-docstrings"), 60, n_docs=120)
    res = evaluate_retrieval(minilm, ds, pooling="mean")
    assert res["ndcg@10"] == pytest.approx(MEASURED_DOCSTRINGS, abs=0.08)


@pytest.mark.skipif(not LIMIT.is_dir(),
                    reason="../shared/data/limit-small is absent (LIMIT-small is not shipped with the project)")
def test_limit_small_bm25_nearly_perfect_and_far_above_minilm(minilm):
    ds = wb.datasets.load_retrieval(LIMIT)
    assert (len(ds.corpus), len(ds.queries)) == (46, 1000)
    bm25 = evaluate_retrieval(BM25(), ds)
    assert bm25["recall@2"] > 0.97  # measured 0.991
    sub = ds.select_queries(ds.query_ids[:150])
    dense = evaluate_retrieval(minilm, sub, pooling="mean")
    assert dense["recall@2"] == pytest.approx(MEASURED_LIMIT_MINILM, abs=0.08)
    assert bm25["recall@2"] - dense["recall@2"] > 0.5
