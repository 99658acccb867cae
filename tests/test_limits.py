"""Dimension limits: qrel patterns, the free-embedding optimiser, critical-n and the bounds."""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest
from scipy.linalg import hadamard

from workbench import limits
from workbench.limits import (
    PATTERNS,
    bracket_dimension,
    critical_n,
    cubic,
    dense,
    fit_cubic,
    forster_bound,
    free_embedding,
    free_embedding_seeds,
    make_qrels,
    rank_upper_bound,
    topk_accuracy,
)

FAST = {"patience": 300, "show_progress": False}


# ---- qrel patterns -------------------------------------------------------------------

@pytest.mark.parametrize("n,k", [(5, 2), (7, 3), (6, 1), (4, 4)])
def test_dense_has_every_k_subset_once(n, k):
    A = dense(n, k)
    assert A.shape == (comb(n, k), n) and A.dtype == bool
    assert (A.sum(1) == k).all()
    assert (A.sum(0) == comb(n - 1, k - 1)).all()  # each document is in C(n-1, k-1) subsets
    assert {tuple(np.flatnonzero(r)) for r in A} == set(itertools.combinations(range(n), k))


def test_random_cycle_block_shapes_and_counts():
    R = limits.random(12, 3, n_queries=50, seed=3)
    assert R.shape == (50, 12) and (R.sum(1) == 3).all() and len({r.tobytes() for r in R}) == 50
    assert np.array_equal(R, limits.random(12, 3, n_queries=50, seed=3))
    big = limits.random(300, 2, n_queries=100, seed=0)  # the rejection-sampling branch
    assert big.shape == (100, 300) and len({r.tobytes() for r in big}) == 100
    C = limits.cycle(7, 3)
    assert C.shape == (7, 7) and (C.sum(0) == 3).all() and (C.sum(1) == 3).all()
    assert np.array_equal(C[1], np.roll(C[0], 1))
    B = limits.block(9, 3)
    assert B.shape == (3, 9) and (B.sum(0) == 1).all()


def test_registry_and_bad_input():
    assert set(PATTERNS) == {"dense", "random", "cycle", "block"}
    assert make_qrels("block", 4, 2).shape == (2, 4)
    with pytest.raises(ValueError, match="unknown qrel pattern 'star'; valid: dense, random"):
        make_qrels("star", 4)
    with pytest.raises(ValueError, match="k=5 .* more than the n=4"):
        dense(4, 5)
    with pytest.raises(ValueError, match="positive integer"):
        dense(0, 1)
    with pytest.raises(ValueError, match="divisible"):
        limits.block(5, 2)
    with pytest.raises(ValueError, match="n_queries must be between 1 and C"):
        limits.random(4, 2, n_queries=7)


def test_validate_qrels_errors():
    with pytest.raises(ValueError, match="empty"):
        free_embedding(np.zeros((0, 3)), 2)
    with pytest.raises(ValueError, match="no relevant document .*row 1"):
        free_embedding([[1, 0], [0, 0]], 2)
    with pytest.raises(ValueError, match="0/1"):
        free_embedding([[2, 0]], 2)
    with pytest.raises(ValueError, match="2-D"):
        free_embedding([1, 0], 2)


# ---- optimiser -----------------------------------------------------------------------

def _brute_accuracy(S, A):
    hits = total = 0
    for s, a in zip(S, A):
        r = int(a.sum())
        top = np.argsort(-s, kind="stable")[:r]
        hits += int(a[top].sum())
        total += r
    return hits / total


def test_topk_accuracy_matches_brute_force():
    rng = np.random.default_rng(0)
    S = rng.normal(size=(40, 9)).astype(np.float32)
    A = limits.random(9, 3, n_queries=40, seed=1)
    assert topk_accuracy(S, A) == pytest.approx(_brute_accuracy(S, A))
    mixed = np.vstack([A[:20], limits.random(9, 2, n_queries=20, seed=2)])  # unequal relevant counts
    assert topk_accuracy(S, mixed) == pytest.approx(_brute_accuracy(S, mixed))


@pytest.mark.parametrize("n,d,k", [(6, 6, 2), (5, 8, 3), (8, 8, 2)])
def test_solves_when_n_at_most_d(n, d, k):
    res = free_embedding(dense(n, k), d, seed=1, show_progress=False)
    assert res.solved and res.stop_reason == "solved" and res.best_accuracy == 1.0
    S = res.queries @ res.documents.T
    A = dense(n, k)
    assert topk_accuracy(S, A) == 1.0 or res.final_accuracy < 1.0  # solved at a check, final agrees here
    assert np.allclose(np.linalg.norm(res.documents, axis=1), 1, atol=1e-5)
    assert res.check_steps[0] == 1 and np.all(np.diff(res.check_steps) == 50)


def test_fails_far_beyond_the_boundary():
    res = free_embedding(dense(16, 2), 4, seed=0, show_progress=False)  # paper's cubic: ~7 at d=4
    assert not res.solved and res.best_accuracy < 1.0 and res.stop_reason == "patience"
    assert res.losses[-1] < res.losses[0]  # it did optimise


def test_a_solution_above_the_papers_cubic_checks_out_independently():
    """At d=4 the paper's cubic gives 6.7, yet 9 documents can have all 36 pairs as top-2 sets."""
    A = dense(9, 2)
    res = free_embedding(A, 4, seed=0, show_progress=False)
    assert res.solved
    S = res.queries.astype(np.float64) @ res.documents.astype(np.float64).T
    relevant = np.where(A, S, np.inf).min(axis=1)
    others = np.where(A, -np.inf, S).max(axis=1)
    assert np.all(relevant > others)  # every query ranks its own pair strictly first, in float64
    assert res.queries.shape[1] == 4 and np.allclose(np.linalg.norm(res.queries, axis=1), 1, atol=1e-5)


def test_seeded_and_batched_runs_agree():
    A = dense(9, 2)
    one = free_embedding(A, 4, seed=5, **FAST)
    again = free_embedding(A, 4, seed=5, **FAST)
    assert one.steps == again.steps and np.array_equal(one.documents, again.documents)
    pair = free_embedding_seeds(A, 4, [7, 5], **FAST)
    assert pair[1].solved == one.solved and abs(pair[1].steps - one.steps) <= 50


def test_callback_and_bad_options():
    seen = []
    free_embedding(dense(4, 2), 4, callback=lambda step, loss, acc: seen.append((step, acc)), show_progress=False)
    assert seen and seen[-1][1] == 1.0
    with pytest.raises(ValueError, match="d .* positive integer"):
        free_embedding(dense(4, 2), 0)
    with pytest.raises(ValueError, match="unknown loss 'hinge'; valid: per_positive, sum"):
        free_embedding(dense(4, 2), 2, loss="hinge")
    with pytest.raises(ValueError, match="lr must be positive"):
        free_embedding(dense(4, 2), 2, lr=0)


# ---- critical n ------------------------------------------------------------------------

def test_cubic_and_fit():
    assert float(cubic(4)) == pytest.approx(-10.5322 + 4.0309 * 4 + 0.0520 * 16 + 0.0037 * 64)
    d = np.arange(3, 20)
    y = 1 + 2 * d - 0.5 * d ** 2 + 0.01 * d ** 3
    assert np.allclose(fit_cubic(d, y), [1, 2, -0.5, 0.01])
    ext = limits.extrapolate(limits.PAPER_CUBIC)
    assert ext["d"].tolist() == [512, 768, 1024, 3072, 4096]
    assert 4.5e5 < ext["paper"][0] < 5.5e5 and 2.4e8 < ext["paper"].iloc[-1] < 2.6e8  # the paper's 500k and 250M
    with pytest.raises(ValueError, match="at least 4"):
        fit_cubic([1, 2], [3, 4])


def test_parse_dims():
    assert limits.parse_dims("4-6,9") == [4, 5, 6, 9]
    with pytest.raises(ValueError, match="cannot read dimensions"):
        limits.parse_dims("four")
    with pytest.raises(ValueError, match="positive"):
        limits.parse_dims("0-3")


def test_critical_n_small_dimension():
    res = critical_n(3, seeds=2, **FAST)
    assert len(res.per_seed) == 2
    for crit, ok in zip(res.per_seed, res.largest_solved):
        assert crit > 3 and crit <= ok + 1
    runs = res.runs
    assert set(runs["seed"]) == {0, 1} and (runs.groupby("seed")["n"].nunique() >= 3).all()
    # every reported critical n was actually run and failed
    for s, crit in zip(res.seeds, res.per_seed):
        row = runs[(runs.seed == s) & (runs.n == crit)]
        assert len(row) == 1 and not row["solved"].iloc[0]
    rec = res.to_record()
    assert rec["critical_n"] == res.per_seed and rec["median"] == res.median
    with pytest.raises(ValueError, match="d .* positive integer"):
        critical_n(0)
    with pytest.raises(ValueError, match="seeds"):
        critical_n(3, seeds=[])


def test_fast_strategy_gives_the_full_searchs_critical_n():
    # the same seeds and options: the fast search must find exactly the full search's critical n per seed
    table = limits.compare_strategies(range(3, 6), seeds=2, patience=200, show_progress=False)
    assert table["agree"].all(), table[["d", "full", "fast"]]
    assert (table["runs_fast"] <= table["runs_full"]).all() and table["runs_fast"].sum() < table["runs_full"].sum()
    # started at the right boundary, it runs only the two probes and the sweep below: nothing above the boundary
    c = table["full"].iloc[-1][1]
    fast = critical_n(5, seeds=[1], start=c, strategy="fast", patience=200, show_progress=False)
    assert fast.per_seed == [c] and sorted(fast.runs["n"]) == [c - 3, c - 2, c - 1, c]
    assert fast.strategy == "fast" and fast.to_record()["strategy"] == "fast"
    with pytest.raises(ValueError, match="strategy 'quick'"):
        critical_n(3, strategy="quick")
    with pytest.raises(ValueError, match="must match"):
        limits.expected_critical_n([4, 5], [10], 6)


@pytest.mark.slow
def test_critical_n_grows_with_d_and_tracks_the_paper_at_d8():
    low = critical_n(5, seeds=1, sweep=0, start=12, show_progress=False).per_seed[0]
    high = critical_n(8, seeds=1, sweep=1, start=27, show_progress=False).per_seed[0]
    assert low < high
    assert abs(high / cubic(8) - 1) <= 0.2  # the paper's cubic: 26.9 at d = 8


# ---- bounds ----------------------------------------------------------------------------

def test_forster_and_rank_known_answers():
    for n in (4, 8, 16):
        H = hadamard(n) > 0  # 2A - 1 is the Hadamard matrix: ||H|| = sqrt(n)
        assert forster_bound(H) == pytest.approx(np.sqrt(n))
    A = limits.random(10, 3, n_queries=25, seed=0)
    assert rank_upper_bound(A) == min(np.linalg.matrix_rank(A.astype(float)),
                                      np.linalg.matrix_rank(2 * A.astype(float) - 1))
    assert rank_upper_bound(limits.block(8, 2)) == 4


@pytest.mark.parametrize("pattern", [limits.cycle(6, 2), limits.block(8, 2), hadamard(8) > 0])
def test_bounds_bracket_the_free_embedding(pattern):
    b = bracket_dimension(pattern, **FAST)
    assert b["free_embedding"] is not None
    assert b["lower"] <= b["free_embedding"] <= min(b["rank_A"], b["rank_sign"])
    assert b["upper"] == min(b["rank_A"], b["rank_sign"], b["free_embedding"])
    if b["free_embedding"] > 1:  # one dimension less does not solve it with these seeds
        assert not free_embedding(pattern, b["free_embedding"] - 1, seed=0, **FAST).solved
