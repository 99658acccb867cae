"""``workbench limits``: the free-embedding critical-n search and the LIMIT-style data generator."""

from __future__ import annotations

from pathlib import Path

from . import print_result as _print

#: where generated data sets go by default: data/generated under the current folder (git-ignored)
GENERATED = Path("data") / "generated"


def cmd_limits(args) -> None:
    from .. import limits  # noqa: PLC0415

    if args.action == "critical-n":
        dims = limits.parse_dims(args.dims)
        records, start = [], None
        for d in dims:
            if records and args.strategy == "fast":
                start = limits.expected_critical_n([r["d"] for r in records], [r["median"] for r in records], d)
            res = limits.critical_n(d, args.k, seeds=args.seeds, sweep=args.sweep, strategy=args.strategy,
                                    show_progress=None, start=None if start is None else max(start, d + 1))
            start = min(res.per_seed)
            records.append(res.to_record())
            if not args.json:
                print(f"d={d:<4} critical n per seed {res.per_seed}  median {res.median:g}  "
                      f"paper cubic {float(limits.cubic(d)):.1f}  ({res.seconds:.1f} s, {len(res.runs)} runs)",
                      flush=True)
        if args.json:
            _print(records, True)
    else:
        ds = limits.generate_limit(args.queries, args.k, n_docs=args.docs, seed=args.seed)
        folder = args.out or str(GENERATED / f"limit-q{args.queries}-k{args.k}-seed{args.seed}")
        out = limits.write_dataset(ds, folder, overwrite=args.overwrite)
        _print({"out": str(out), "docs": len(ds.corpus), "queries": len(ds.queries),
                "relevant_pool": ds.meta["n_relevant"], "attributes_per_doc": ds.meta["attributes_per_doc"]},
               args.json)


def register(sub) -> None:
    p = sub.add_parser("limits", help="dimension limits: critical-n search, LIMIT-style data")
    p.set_defaults(func=cmd_limits)
    act = p.add_subparsers(dest="action", required=True)
    c = act.add_parser("critical-n", help="free-embedding critical n per dimension (LIMIT paper)")
    c.add_argument("--dims", default="4-12", help="dimensions: 4-12, 4,6,8 or 8")
    c.add_argument("--k", type=int, default=2, help="relevant documents per query")
    c.add_argument("--seeds", type=int, default=3, help="number of seeds (0, 1, ...)")
    c.add_argument("--sweep", type=int, default=2, help="values checked each side of the boundary")
    c.add_argument("--strategy", choices=("full", "fast"), default="full",
                   help="full: gallop, bisect, sweep both sides (the reference); fast: start at the boundary the "
                        "curve so far predicts, sweep below only (same critical n on d = 4..12, see bench_limits)")
    c.add_argument("--json", action="store_true")
    g = act.add_parser("generate", help="write a LIMIT-style data set (MTEB json lines)")
    g.add_argument("--docs", type=int, default=None, help="total documents (default: the relevant pool only)")
    g.add_argument("--queries", type=int, default=1000)
    g.add_argument("--k", type=int, default=2)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--out", default=None,
                   help=f"output folder (default {GENERATED}/limit-q<queries>-k<k>-seed<seed>, git-ignored; "
                        "an existing one must hold only these files)")
    g.add_argument("--overwrite", action="store_true", help="replace an --out folder that holds other files")
    g.add_argument("--json", action="store_true")


