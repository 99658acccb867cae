"""Critical-n: the largest number of documents whose every top-k set free vectors can express.

For a dimension ``d`` and ``k``, ``critical_n`` runs the free-embedding experiment on
the dense pattern (all C(n, k) queries) for varying ``n`` and reports the smallest
``n`` that is *not* solved, searching the way the LIMIT authors' script does: gallop
``n`` upward (or downward) from a start in steps 1, 2, 4, ...; bisect the bracket; then
sweep a few values around the boundary, because the outcome is not perfectly monotone
in ``n`` (it depends on the seed and the numerics). Each seed searches on its own and
the median over seeds is the headline number, with the spread beside it. The seeds'
searches run in lockstep, and seeds that ask for the same ``n`` share one batched run
(:func:`~workbench.limits.free_embedding_seeds`), which keeps small problems cheap.

``strategy="fast"`` spends the runs where the answer is: it probes the boundary that the
curve so far predicts (:func:`expected_critical_n`) first, and sweeps below the boundary
only (a run above it cannot lower the smallest unsolved ``n``). :func:`compare_strategies`
runs both on the same seeds; ``benchmarks/bench_limits.py`` checks that they agree on
d = 4..12 and measures how far the fast search gets in a CPU budget. Warm starts (a run
initialised from a solved smaller one) are left out: they would change each run's
trajectory, so the agreement with the full search would no longer follow from the seeds.

``critical_n_curve`` repeats the search over dimensions, fits a cubic in ``d`` and
compares with the paper's measured critical n per dimension and with the cubic the paper
fits to them (:mod:`.curve`). Left out: k other than
the dense pattern's subset size (any ``k`` works, the paper uses 2), and parallel runs
over processes.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ..progress import bar
from .curve import cubic, paper_critical_n
from .free_embedding import free_embedding_seeds
from .qrels import dense

STRATEGIES = ("full", "fast")  # critical_n's search strategies; "full" is the reference


def parse_dims(spec: str) -> list[int]:
    """Dimensions from a string: ``"4-12"`` (inclusive range), ``"4,6,8"`` or ``"8"``.

    Examples
    --------
    >>> parse_dims("4-7"), parse_dims("8,4")
    ([4, 5, 6, 7], [4, 8])
    """
    out: set[int] = set()
    try:
        for part in str(spec).split(","):
            lo, sep, hi = part.strip().partition("-")
            out.update(range(int(lo), int(hi) + 1) if sep else [int(lo)])
    except ValueError:
        raise ValueError(f"cannot read dimensions {spec!r}; write e.g. 4-12, 4,6,8 or 8") from None
    if not out or min(out) < 1:
        raise ValueError(f"dimensions {spec!r} must be positive integers, e.g. 4-12")
    return sorted(out)


@dataclass
class CriticalN:
    """Result of :func:`critical_n` for one dimension."""

    d: int
    k: int
    seeds: list[int]
    per_seed: list[int]  # smallest unsolved n found by each seed's search
    largest_solved: list[int]  # largest solved n seen by each seed
    seconds: float
    runs: pd.DataFrame = field(repr=False)  # one row per free-embedding run
    cpu_seconds: float = 0.0  # process CPU time of the search (time.process_time)
    strategy: str = "full"

    @property
    def median(self) -> float:
        return float(statistics.median(self.per_seed))

    def to_record(self) -> dict:
        return {"d": self.d, "k": self.k, "seeds": self.seeds, "critical_n": self.per_seed,
                "median": self.median, "largest_solved": self.largest_solved,
                "paper_cubic": round(float(cubic(self.d)), 2), "runs": len(self.runs),
                "seconds": round(self.seconds, 2), "cpu_seconds": round(self.cpu_seconds, 2),
                "strategy": self.strategy}


def expected_critical_n(dims: Sequence[int], medians: Sequence[float], d: int) -> int:
    """The fast search's guess of the critical n at ``d`` from the curve measured so far.

    The last point plus the mean increment per dimension over the last (up to) three
    steps, times the distance to ``d``; from a single point, proportional growth
    (``median * d / d_prev``); with no point, ``d + 1``. Never below ``d + 1`` (any ``n <= d``
    is solvable).

    Examples
    --------
    >>> expected_critical_n([4, 5, 6], [10, 15, 20], 7)
    25
    >>> expected_critical_n([4], [10], 5), expected_critical_n([], [], 5)
    (13, 6)
    """
    dims, medians = [int(x) for x in dims], [float(m) for m in medians]
    if len(dims) != len(medians):
        raise ValueError(f"dims and medians must match, got {len(dims)} and {len(medians)}")
    if not dims:
        return int(d) + 1
    if len(dims) == 1:
        guess = medians[-1] * d / dims[-1]
    else:
        j = max(len(dims) - 4, 0)
        guess = medians[-1] + (medians[-1] - medians[j]) / (dims[-1] - dims[j]) * (d - dims[-1])
    return max(int(np.floor(guess + 0.5)), int(d) + 1)


def _seed_list(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive count or a list of seeds, got {seeds!r}")
        return list(range(int(seeds)))
    out = [int(s) for s in seeds]
    if not out:
        raise ValueError("seeds is empty; give a count (e.g. 3) or a list of integer seeds")
    return out


def _best_steps(res) -> tuple[int, ...]:
    """The check steps of a run at which its top-k accuracy reached a new best (the stall rule's evidence)."""
    acc = np.asarray(res.accuracies, dtype=float)
    if not len(acc):
        return ()
    new = np.r_[True, acc[1:] > np.maximum.accumulate(acc)[:-1]]
    return tuple(int(x) for x in np.asarray(res.check_steps)[new])


def _search(k: int, start: int, sweep: int, above: bool = True):
    """One seed's boundary search as a generator: yields an ``n`` to try, receives whether it was solved.

    ``above=False`` sweeps only below the boundary: runs above it cannot lower the smallest
    unsolved ``n`` (the result), they only refine ``largest_solved``.
    """
    results: dict[int, bool] = {}

    def solved(n: int):
        if n not in results:
            results[n] = yield n
        return results[n]

    low, high = None, None
    if (yield from solved(start)):  # gallop up
        low, step = start, 1
        while True:
            if (yield from solved(low + step)):
                low, step = low + step, step * 2
            else:
                high = low + step
                break
    else:  # gallop down; n = k (a single query) is always solvable
        high, step = start, 1
        while high > k:
            n = max(high - step, k)
            if (yield from solved(n)):
                low = n
                break
            high, step = n, step * 2
        low = k if low is None else low
    while high - low > 1:  # bisection keeps: low solved, high unsolved
        mid = (low + high) // 2
        if (yield from solved(mid)):
            low = mid
        else:
            high = mid
    for n in range(max(low - sweep, k), high + (sweep if above else 0) + 1):
        yield from solved(n)
    failed = [n for n, ok in results.items() if not ok]
    return min(failed), max([n for n, ok in results.items() if ok], default=k)


def critical_n(
    d: int,
    k: int = 2,
    *,
    seeds: int | Iterable[int] = 3,
    start: int | None = None,
    sweep: int = 2,
    max_n: int = 2_000,
    strategy: str = "full",
    show_progress: bool | None = None,
    **free_embedding_kwargs,
) -> CriticalN:
    """Search the smallest number of documents ``n`` whose dense k-pattern free vectors in ``R^d`` cannot solve.

    Parameters
    ----------
    d : int
        Embedding dimension.
    k : int
        Relevant documents per query (the paper uses 2).
    seeds : int or iterable of int
        How many seeds (0, 1, ...) or which; each searches independently.
    start : int, optional
        Full strategy: where the gallop starts (default ``d + 1``; :func:`critical_n_curve`
        passes the previous dimension's result). Fast strategy: the expected critical n
        (default ``d + 1``; :func:`critical_n_curve` passes :func:`expected_critical_n`).
    sweep : int
        After bisection, also run ``sweep`` values below and above the boundary (the
        authors' script sweeps -4 .. +5); the fast strategy sweeps below only.
    max_n : int
        Give up (ValueError) rather than run beyond this many documents.
    strategy : {"full", "fast"}
        ``"full"`` (the reference): gallop from ``start``, bisect, sweep both sides.
        ``"fast"``: probe ``start - 1`` and ``start`` first (the expected boundary), gallop
        from there only if the guess was wrong, bisect, and sweep below the boundary
        only. Runs are seeded, so a run gives the same outcome in both strategies and
        the runs above the boundary cannot change the result; the two agree unless
        the outcome is non-monotone in ``n`` in a range only one of them visits
        (:func:`compare_strategies` checks it).
    show_progress : bool or None
        A bar over seeds; the per-run bars stay off.
    **free_embedding_kwargs
        Passed to :func:`~workbench.limits.free_embedding` (temperature, lr, patience, ...).

    Returns
    -------
    CriticalN
        Per-seed critical n, the median (``.median``), the largest solved n per seed,
        and every run in ``.runs``.

    Examples
    --------
    >>> res = critical_n(2, seeds=1, patience=200, show_progress=False)   # a short patience for speed
    >>> res.per_seed[0] > res.largest_solved[0] >= 2
    True
    """
    if int(d) != d or d < 1:
        raise ValueError(f"d (embedding dimension) must be a positive integer, got {d!r}")
    if int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if int(sweep) != sweep or sweep < 0:
        raise ValueError(f"sweep must be a non-negative integer, got {sweep!r}")
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; valid: {', '.join(STRATEGIES)}")
    seed_list = _seed_list(seeds)
    start = max(int(start if start is not None else d + 1), k + (strategy == "fast"))
    opts = {"show_progress": False, **free_embedding_kwargs}
    log: list[dict] = []
    outcome: dict[int, tuple[int, int]] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    pbar = bar(len(seed_list), f"critical n, d={d}", show_progress)
    if strategy == "fast":
        searches = {s: _search(int(k), start - 1, int(sweep), above=False) for s in seed_list}
    else:
        searches = {s: _search(int(k), start, int(sweep)) for s in seed_list}
    wanted = {s: next(g) for s, g in searches.items()}
    while wanted:  # the seeds search in lockstep; seeds asking for the same n share one batched run
        for n in sorted(set(wanted.values())):
            if n > max_n:
                raise ValueError(f"critical-n search for d={d}, k={k} passed max_n={max_n}; raise max_n")
            group = [s for s, m in wanted.items() if m == n]
            for s, res in zip(group, free_embedding_seeds(dense(n, k), d, group, **opts)):
                log.append({"d": d, "k": k, "seed": s, "n": n, "solved": res.solved,
                            "best_accuracy": res.best_accuracy, "steps": res.steps, "seconds": res.seconds,
                            "stop_reason": res.stop_reason, "best_steps": _best_steps(res)})
                try:
                    wanted[s] = searches[s].send(res.solved)
                except StopIteration as stop:
                    outcome[s] = stop.value
                    del wanted[s]
                    pbar.update(1)
    pbar.close()
    per_seed = [outcome[s][0] for s in seed_list]
    largest = [outcome[s][1] for s in seed_list]
    return CriticalN(int(d), int(k), seed_list, per_seed, largest, time.perf_counter() - t0, pd.DataFrame(log),
                     time.process_time() - c0, strategy)


def critical_n_curve(
    dims: Iterable[int],
    k: int = 2,
    *,
    seeds: int | Iterable[int] = 3,
    strategy: str = "full",
    show_progress: bool | None = None,
    **kwargs,
) -> pd.DataFrame:
    """Critical n over several dimensions, beside the paper's cubic.

    Full strategy: each dimension's gallop starts at the previous dimension's smallest
    per-seed result (critical n grows with ``d``). Fast strategy: each dimension starts at
    :func:`expected_critical_n` of the medians so far. ``start`` sets the first one. Columns:
    ``d``, ``seed_<s>`` for each seed, ``median``, ``min``, ``max``, ``paper`` (the paper's
    measured critical n, NaN outside d = 4..45), ``paper_fit`` (its cubic), ``rel_error``
    (median / paper - 1), ``runs``, ``seconds`` and ``cpu_seconds``.

    Examples
    --------
    >>> df = critical_n_curve([2, 3], seeds=1, patience=200, show_progress=False)
    >>> df.columns.tolist()[:3], bool((df["median"] > df["d"]).all())
    (['d', 'seed_0', 'median'], True)
    """
    dims = sorted(int(x) for x in dims)
    if not dims:
        raise ValueError("dims is empty; give dimensions such as range(4, 13)")
    rows, start = [], kwargs.pop("start", None)
    pbar = bar(len(dims), "critical-n curve", show_progress)
    for d in dims:
        if rows and strategy == "fast":
            start = expected_critical_n([r["d"] for r in rows], [r["median"] for r in rows], d)
        res = critical_n(d, k, seeds=seeds, start=start if start is None else max(start, d + 1),
                         strategy=strategy, show_progress=False, **kwargs)
        start = min(res.per_seed)
        row = {"d": d, **{f"seed_{s}": v for s, v in zip(res.seeds, res.per_seed)}, "median": res.median,
               "min": min(res.per_seed), "max": max(res.per_seed), "paper": float(paper_critical_n(d)[0]),
               "paper_fit": float(cubic(d))}
        row["rel_error"] = row["median"] / row["paper"] - 1
        row.update(runs=len(res.runs), seconds=res.seconds, cpu_seconds=res.cpu_seconds)
        rows.append(row)
        pbar.update(1)
    pbar.close()
    return pd.DataFrame(rows)


def compare_strategies(
    dims: Iterable[int],
    k: int = 2,
    *,
    seeds: int | Iterable[int] = 3,
    show_progress: bool | None = None,
    **kwargs,
) -> pd.DataFrame:
    """Run the full and the fast critical-n curve on the same dimensions and seeds, side by side.

    One row per dimension: ``full`` and ``fast`` (per-seed critical n, lists), ``agree``
    (identical lists), and ``runs_``, ``seconds_``, ``cpu_seconds_`` of each. The fast
    strategy is trusted where ``agree`` holds at every dimension checked.

    Examples
    --------
    >>> t = compare_strategies([3], seeds=1, patience=200, show_progress=False)
    >>> t["agree"].tolist(), bool((t["runs_fast"] <= t["runs_full"]).all())
    ([True], True)
    """
    curves = {s: critical_n_curve(dims, k, seeds=seeds, strategy=s, show_progress=show_progress, **kwargs)
              for s in STRATEGIES}
    cols = [c for c in curves["full"] if c.startswith("seed_")]
    out = pd.DataFrame({"d": curves["full"]["d"]})
    for s, df in curves.items():
        out[s] = [[int(v) for v in row] for row in df[cols].to_numpy()]
    out["agree"] = [a == b for a, b in zip(out["full"], out["fast"])]
    for col in ("runs", "seconds", "cpu_seconds"):
        for s, df in curves.items():
            out[f"{col}_{s}"] = df[col].to_numpy()
    return out
