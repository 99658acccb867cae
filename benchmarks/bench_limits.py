"""Critical-n benchmark: the LIMIT free-embedding curve on CPU, full and fast search, against the paper and a peer.

What it measures, in one process on one torch thread (time as wall seconds and as
process CPU seconds, ``time.process_time``; on a shared machine the CPU seconds are the
honest measure, the load average is printed beside every row):

1. the full search (the reference) on ``--dims`` (default 4-12) with ``--seeds`` seeds
   (default 3), and the fast search (``strategy="fast"``) on the same dimensions and
   seeds: per seed critical n of each, whether they agree, runs and seconds of each, the
   ratio of CPU seconds; then the full curve against the paper's measured critical n
   (its Table 6; +-15%, increasing) and against its cubic fit;
2. the reach of the fast search: it continues the fast curve past ``--dims`` until
   ``--budget-min`` minutes of CPU time (counted from the fast search's first dimension)
   are spent: 3 seeds while the next dimension's projected cost (the last one's CPU
   seconds per seed times the mean growth factor of the last four steps) fits the budget
   left, 1 seed when only that fits, and stop when nothing fits. Target: d >= 24 within 30 minutes;
3. the peer of the batching: the full search one seed at a time (no batching across
   seeds) on ``--peer-dims`` (default 4-6), timed beside the batched search (off with
   ``--no-peer``).

Targets are printed PASS / MISS, never failing the script. Left out: k other than 2,
GPUs, warm starts (each run starts from its seed's Gaussian, so a run's outcome is the
same in both strategies).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np
import pandas as pd
import torch

from workbench.limits import (
    PAPER_CUBIC,
    critical_n,
    critical_n_curve,
    cubic,
    expected_critical_n,
    fit_cubic,
    paper_critical_n,
    parse_dims,
)
from workbench.outputs import write_file


def _load() -> float:
    return os.getloadavg()[0]


def _per_seed(df: pd.DataFrame) -> list[int]:
    return [int(df[c].iloc[0]) for c in df if c.startswith("seed_")]


def validate(dims: list[int], seeds: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Full and fast search dimension by dimension, each with its own curve's starts; rows printed as they come.

    Returns the comparison table, the fast curve (as :func:`critical_n_curve` writes it) and the full search's runs.
    """
    rows, done, full_runs = [], {"full": [], "fast": []}, []
    for d in dims:
        row = {"d": d}
        for strategy, prev in done.items():
            if not prev:
                start = None
            elif strategy == "full":
                start = max(min(prev[-1].per_seed), d + 1)
            else:
                start = expected_critical_n([r.d for r in prev], [r.median for r in prev], d)
            res = critical_n(d, seeds=seeds, strategy=strategy, start=start, show_progress=False)
            prev.append(res)
            row.update({strategy: res.per_seed, f"runs_{strategy}": len(res.runs), f"s_{strategy}": res.seconds,
                        f"cpu_{strategy}": res.cpu_seconds})
        full_runs.append(done["full"][-1].runs)
        row["agree"] = row["full"] == row["fast"]
        row["load"] = _load()
        rows.append(row)
        print(f"  d={d}: full {row['full']} ({row['runs_full']} runs, {row['cpu_full']:.1f} CPU s)  fast {row['fast']} "
              f"({row['runs_fast']} runs, {row['cpu_fast']:.1f} CPU s)  agree {row['agree']}  load {row['load']:.1f}",
              flush=True)
    fast = pd.DataFrame([{"d": r.d, **{f"seed_{s}": v for s, v in zip(r.seeds, r.per_seed)}, "median": r.median,
                          "min": min(r.per_seed), "max": max(r.per_seed),
                          "paper": float(paper_critical_n(r.d)[0]),
                          "runs": len(r.runs), "seconds": r.seconds, "cpu_seconds": r.cpu_seconds}
                         for r in done["fast"]])
    return pd.DataFrame(rows), fast, pd.concat(full_runs, ignore_index=True)


def stall_rule(runs: pd.DataFrame, windows=(500, 1000, 2000, 3000, 4000), slopes=(0.0, 0.5, 1.0, 2.0)) -> pd.DataFrame:
    """What an early stop on stalled top-k accuracy would have done to the full search's runs.

    The rule: stop once no new best accuracy has been seen for ``window + slope * t_best``
    steps (``t_best``: the step of the last new best). From each run's new-best steps
    (``runs["best_steps"]``): ``killed_solvers`` counts runs that solved but would have been
    stopped first (each one can change a critical n), ``steps_saved`` the share of all
    steps the rule would have spared on the runs that did not solve.
    """
    out = []
    for a in windows:
        for c in slopes:
            killed, saved = 0, 0
            for solved, steps, best in zip(runs["solved"], runs["steps"], runs["best_steps"]):
                cut = next((b0 + a + c * b0 for b0, b1 in zip(best, best[1:]) if b1 - b0 >= a + c * b0), None)
                if solved:
                    killed += cut is not None
                else:
                    cut = cut if cut is not None else best[-1] + a + c * best[-1]
                    saved += max(steps - cut, 0)
            out.append({"window": a, "slope": c, "killed_solvers": killed,
                        "steps_saved": round(saved / runs["steps"].sum(), 3)})
    return pd.DataFrame(out)


def reach(fast: pd.DataFrame, budget_s: float, seeds: int, max_dim: int) -> pd.DataFrame:
    """Continue the fast curve past its last dimension while the CPU budget lasts."""
    rows = [dict(r, n_seeds=sum(1 for c in fast if c.startswith("seed_") and pd.notna(r[c])), load=np.nan)
            for r in fast.to_dict("records")]
    spent = float(fast["cpu_seconds"].sum())
    d = int(fast["d"].max()) + 1
    while d <= max_dim:
        per_seed = [r["cpu_seconds"] / r["n_seeds"] for r in rows[-5:]]
        # growth per dimension, smoothed over the last (up to) four steps: one unlucky guess
        # (a dimension that needed many runs) must not end the reach with budget left
        steps = len(per_seed) - 1
        growth = max((per_seed[-1] / per_seed[0]) ** (1 / steps), 1.0) if steps and per_seed[0] > 0 else 2.0
        next_per_seed = per_seed[-1] * growth
        left = budget_s - spent
        n_seeds = seeds if next_per_seed * seeds <= left else 1 if next_per_seed <= left else 0
        if not n_seeds:
            print(f"  stop before d={d}: projected {next_per_seed:.0f} CPU s per seed, {left:.0f} s left", flush=True)
            break
        start = expected_critical_n([r["d"] for r in rows], [r["median"] for r in rows], d)
        df = critical_n_curve([d], seeds=n_seeds, strategy="fast", start=start, show_progress=False)
        row = dict(df.iloc[0], d=d, runs=int(df["runs"].iloc[0]), n_seeds=n_seeds, load=_load())
        rows.append(row)
        spent += row["cpu_seconds"]
        print(f"  d={d}: {_per_seed(df)} median {row['median']:g} (expected {start}, paper {row['paper']:g}); "
              f"{row['runs']} runs, {row['seconds']:.0f} s wall, {row['cpu_seconds']:.0f} CPU s, "
              f"total {spent / 60:.1f} CPU min, load {row['load']:.1f}", flush=True)
        d += 1
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dims", default="4-12", help="dimensions where the full and the fast search are compared")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--budget-min", type=float, default=30.0, help="CPU minutes for the fast search's reach (0: skip)")
    ap.add_argument("--reach-seeds", type=int, default=None,
                    help="seeds beyond --dims when the budget allows (default --seeds; 1 when it does not)")
    ap.add_argument("--max-dim", type=int, default=60, help="the reach stops at this dimension")
    ap.add_argument("--peer-dims", default="4-6", help="dimensions timed against the one-seed-at-a-time peer")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--json", default=None, help="also write the tables to this JSON file")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch threads "
          f"{torch.get_num_threads()}, load average before {os.getloadavg()}")
    dims = parse_dims(args.dims)
    print(f"1. full vs fast search, d = {args.dims}, {args.seeds} seeds")
    table, fast, full_runs = validate(dims, args.seeds)
    show = table.copy()
    for c in ("s_full", "s_fast", "cpu_full", "cpu_fast", "load"):
        show[c] = show[c].round(1)
    print(show.to_string(index=False))
    cpu_full, cpu_fast = table["cpu_full"].sum(), table["cpu_fast"].sum()
    print(f"total: full {cpu_full:.1f} CPU s ({table['s_full'].sum():.1f} s wall, {table['runs_full'].sum()} runs), "
          f"fast {cpu_fast:.1f} CPU s ({table['s_fast'].sum():.1f} s wall, {table['runs_fast'].sum()} runs): "
          f"fast is x{cpu_full / cpu_fast:.2f} in CPU time")
    print(f"[{'PASS' if table['agree'].all() else 'MISS'}] fast gives the same critical n as full for every seed "
          f"(differs at d = {table.loc[~table['agree'], 'd'].tolist()})")
    med = np.array([float(np.median(x)) for x in table["full"]])
    rel = med / paper_critical_n(table["d"].to_numpy()) - 1  # NaN where the paper measured none
    rel_fit = med / cubic(table["d"].to_numpy()) - 1
    if len(table) >= 4:
        print("full curve cubic fit c0..c3:", np.round(fit_cubic(table["d"], med), 4).tolist(),
              " paper:", list(PAPER_CUBIC))
    outside = table.loc[np.abs(rel) > 0.15, "d"].tolist()
    print(f"[{'PASS' if not outside else 'MISS'}] full median within 15% of the paper's measured critical n "
          f"(Table 6) at every d (outside at d = {outside}; largest gap {np.nanmax(np.abs(rel)):.1%}); "
          f"against its cubic fit the largest gap is "
          f"{np.abs(rel_fit).max():.1%}")
    print(f"[{'PASS' if (np.diff(med) >= 0).all() else 'MISS'}] full median increasing in d")
    stall = stall_rule(full_runs)
    print(f"early stop on stalled top-k accuracy, replayed on the full search's {len(full_runs)} runs "
          f"({int(full_runs['solved'].sum())} solved):")
    print(stall.to_string(index=False))
    safe = stall[stall["killed_solvers"] == 0]
    print(f"  best rule that spares every solver saves {safe['steps_saved'].max():.1%} of all steps"
          if len(safe) else "  no rule in the grid spares every solver")
    out = {"validation": table.to_dict(orient="records"), "stall_rule": stall.to_dict(orient="records")}
    if args.budget_min > 0:
        print(f"2. reach of the fast search within {args.budget_min:g} CPU minutes (from d = {dims[0]})")
        curve = reach(fast, 60 * args.budget_min, args.reach_seeds or args.seeds, args.max_dim)
        curve["per_seed"] = [[int(r[c]) for c in curve if c.startswith("seed_") and pd.notna(r[c])]
                             for r in curve.to_dict("records")]
        show = curve[["d", "n_seeds", "per_seed", "median", "min", "max", "paper", "runs", "seconds", "cpu_seconds",
                      "load"]].copy()
        show["rel_error"] = (100 * curve["median"] / curve["paper"] - 100).map("{:+.1f}%".format)
        show["cum_cpu_min"] = (curve["cpu_seconds"].cumsum() / 60).round(2)
        for c in ("paper", "seconds", "cpu_seconds", "load"):
            show[c] = show[c].round(1)
        print(show.to_string(index=False))
        top = int(curve["d"].max())
        print(f"reach: d = {top} in {curve['cpu_seconds'].sum() / 60:.1f} CPU min ({curve['seconds'].sum() / 60:.1f} "
              f"min wall); seeds per d: " + ", ".join(f"{int(d)}: {n}" for d, n in zip(curve["d"], curve["n_seeds"])))
        print(f"[{'PASS' if top >= 24 else 'MISS'}] fast search reaches d >= 24 within {args.budget_min:g} CPU minutes")
        out["reach"] = curve.to_dict(orient="records")
    if not args.no_peer:
        pdims = parse_dims(args.peer_dims)
        t1 = time.process_time()
        batched = [critical_n(d, seeds=args.seeds, show_progress=False).per_seed for d in pdims]
        t_batched = time.process_time() - t1
        t1 = time.process_time()
        single = [[critical_n(d, seeds=[s], show_progress=False).per_seed[0] for s in range(args.seeds)]
                  for d in pdims]
        t_single = time.process_time() - t1
        print(f"3. batching peer on d = {args.peer_dims}: one seed at a time {t_single:.1f} CPU s, batched seeds "
              f"{t_batched:.1f} CPU s, speed-up x{t_single / t_batched:.2f}; same critical n: {batched == single}")
    print(f"load average after {os.getloadavg()}")
    if args.json:
        write_file(args.json, json.dumps(out, indent=1, default=float).encode(), overwrite=True)


if __name__ == "__main__":
    main()
