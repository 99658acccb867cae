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

``critical_n_curve`` repeats the search over dimensions, fits a cubic in ``d`` and
compares with the paper's published fit, :data:`PAPER_CUBIC`. Left out: k other than
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
from .free_embedding import free_embedding_seeds
from .qrels import dense

PAPER_CUBIC = (-10.5322, 4.0309, 0.0520, 0.0037)  # c0 + c1 d + c2 d^2 + c3 d^3 (Weller et al. 2025)
EXTRAPOLATE_DIMS = (512, 768, 1024, 3072, 4096)


def cubic(d, coef: Sequence[float] = PAPER_CUBIC) -> np.ndarray:
    """Evaluate ``c0 + c1 d + c2 d^2 + c3 d^3`` (default: the paper's critical-n fit).

    Examples
    --------
    >>> round(float(cubic(4)), 2)
    6.66
    """
    d = np.asarray(d, dtype=float)
    return sum(c * d ** i for i, c in enumerate(coef))


def fit_cubic(dims, values) -> np.ndarray:
    """Least-squares cubic ``(c0, c1, c2, c3)`` through ``(d, critical_n)`` points.

    Examples
    --------
    >>> d = np.arange(4, 13)
    >>> np.allclose(fit_cubic(d, cubic(d)), PAPER_CUBIC)
    True
    """
    dims, values = np.asarray(dims, dtype=float), np.asarray(values, dtype=float)
    if dims.shape != values.shape or dims.ndim != 1 or len(dims) < 4:
        raise ValueError(f"need at least 4 matching (d, value) points for a cubic, got {dims.shape} and "
                         f"{values.shape}")
    return np.polynomial.polynomial.polyfit(dims, values, 3)


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

    @property
    def median(self) -> float:
        return float(statistics.median(self.per_seed))

    def to_record(self) -> dict:
        return {"d": self.d, "k": self.k, "seeds": self.seeds, "critical_n": self.per_seed,
                "median": self.median, "largest_solved": self.largest_solved,
                "paper_cubic": round(float(cubic(self.d)), 2), "runs": len(self.runs),
                "seconds": round(self.seconds, 2)}


def _seed_list(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive count or a list of seeds, got {seeds!r}")
        return list(range(int(seeds)))
    out = [int(s) for s in seeds]
    if not out:
        raise ValueError("seeds is empty; give a count (e.g. 3) or a list of integer seeds")
    return out


def _search(k: int, start: int, sweep: int):
    """One seed's boundary search as a generator: yields an ``n`` to try, receives whether it was solved."""
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
    for n in range(max(low - sweep, k), high + sweep + 1):
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
        Where the gallop starts (default ``d + 1``; :func:`critical_n_curve` passes the
        previous dimension's result).
    sweep : int
        After bisection, also run ``sweep`` values below and above the boundary (the
        authors' script sweeps -4 .. +5).
    max_n : int
        Give up (ValueError) rather than run beyond this many documents.
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
    seed_list = _seed_list(seeds)
    start = max(int(start if start is not None else d + 1), k)
    opts = {"show_progress": False, **free_embedding_kwargs}
    log: list[dict] = []
    outcome: dict[int, tuple[int, int]] = {}
    t0 = time.perf_counter()
    pbar = bar(len(seed_list), f"critical n, d={d}", show_progress)
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
                            "stop_reason": res.stop_reason})
                try:
                    wanted[s] = searches[s].send(res.solved)
                except StopIteration as stop:
                    outcome[s] = stop.value
                    del wanted[s]
                    pbar.update(1)
    pbar.close()
    per_seed = [outcome[s][0] for s in seed_list]
    largest = [outcome[s][1] for s in seed_list]
    return CriticalN(int(d), int(k), seed_list, per_seed, largest, time.perf_counter() - t0, pd.DataFrame(log))


def critical_n_curve(
    dims: Iterable[int],
    k: int = 2,
    *,
    seeds: int | Iterable[int] = 3,
    show_progress: bool | None = None,
    **kwargs,
) -> pd.DataFrame:
    """Critical n over several dimensions, beside the paper's cubic.

    Each dimension's gallop starts at the previous dimension's smallest per-seed result
    (critical n grows with ``d``); ``start`` sets the first one. Columns: ``d``, ``seed_<s>`` for each seed,
    ``median``, ``min``, ``max``, ``paper`` (the published cubic), ``rel_error``
    (median / paper - 1), ``runs`` and ``seconds``.

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
        res = critical_n(d, k, seeds=seeds, start=start if start is None else max(start, d + 1),
                         show_progress=False, **kwargs)
        start = min(res.per_seed)
        row = {"d": d, **{f"seed_{s}": v for s, v in zip(res.seeds, res.per_seed)}, "median": res.median,
               "min": min(res.per_seed), "max": max(res.per_seed), "paper": float(cubic(d))}
        row["rel_error"] = row["median"] / row["paper"] - 1
        row.update(runs=len(res.runs), seconds=res.seconds)
        rows.append(row)
        pbar.update(1)
    pbar.close()
    return pd.DataFrame(rows)


def extrapolate(coef: Sequence[float], dims: Iterable[int] = EXTRAPOLATE_DIMS) -> pd.DataFrame:
    """Critical n that a cubic predicts at large dimensions, beside the paper's cubic.

    Examples
    --------
    >>> extrapolate(PAPER_CUBIC, [512])["paper"].round(-3).tolist()
    [512000.0]
    """
    dims = np.asarray(list(dims), dtype=float)
    return pd.DataFrame({"d": dims.astype(int), "fit": cubic(dims, coef), "paper": cubic(dims)})
