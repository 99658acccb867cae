"""``workbench reproduce``: list the reproductions, run one or all, build the gallery, refresh the README table."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from . import print_result as _print


def _list(args) -> None:
    from ..reproduce import all_entries  # noqa: PLC0415
    from ..reproduce.runner import load_result  # noqa: PLC0415

    rows = []
    for name, entry in sorted(all_entries().items()):
        result = load_result(name, args.out)
        rows.append({"name": name, "paper": entry.paper.title, "claim": entry.claim,
                     "verdict": "not yet" if not entry.built else (result["verdict"] if result else "not run"),
                     "last run": f"{result['finished']} ({result['size']})" if result else "",
                     "minutes": round(result["seconds"] / 60, 1) if result else entry.minutes})
    if args.json:
        _print(rows, True)
        return
    import pandas as pd  # noqa: PLC0415

    with pd.option_context("display.max_colwidth", 48, "display.width", 200):
        print(pd.DataFrame(rows, columns=["name", "paper", "claim", "verdict", "last run", "minutes"])
              [["name", "verdict", "last run", "minutes", "paper"]].to_string(index=False))


def _run(names: list[str], args) -> list[dict]:
    from ..reproduce.runner import run_entry  # noqa: PLC0415

    results = []
    for name in names:
        start = time.perf_counter()
        if not args.json:
            print(f"{name}: running ({'smoke' if args.smoke else 'full'} size) ...", file=sys.stderr, flush=True)
        result = run_entry(name, smoke=args.smoke, out=args.out)
        results.append(result)
        if not args.json:
            print(f"{name}: {result['verdict']} — {result['reason']} ({time.perf_counter() - start:.0f} s)")
    return results


def cmd_reproduce(args) -> None:
    from ..reproduce import available  # noqa: PLC0415
    from ..reproduce.gallery import build_gallery, update_readme  # noqa: PLC0415

    if args.list:
        _list(args)
        return
    if args.readme:
        path = update_readme(args.readme, args.out)
        print(f"wrote the verdict table into {path}", file=sys.stderr)
        return
    names = available() if args.all else ([args.name] if args.name else [])
    unknown = [n for n in names if n not in available()]
    if unknown:
        raise ValueError(f"no reproduction called {unknown[0]!r}; the entries are: {', '.join(available())}")
    if not names and not args.gallery:
        raise ValueError("name an entry, or pass --all, --list, --gallery or --readme README.md "
                         f"(entries: {', '.join(available())})")
    results = _run(names, args)
    if args.gallery or args.all:
        page = build_gallery(args.out)
        print(f"gallery: {page}", file=sys.stderr)
    if args.json:
        _print(results[0] if len(results) == 1 else results, True)


def register(sub) -> None:
    p = sub.add_parser("reproduce", help="rerun the seed papers' central results beside their published numbers")
    p.set_defaults(func=cmd_reproduce)
    p.add_argument("name", nargs="?", help="the entry to run (see --list)")
    p.add_argument("--list", action="store_true", help="every entry: paper, claim, verdict, last run, minutes")
    p.add_argument("--all", action="store_true", help="run every entry, then build the gallery")
    p.add_argument("--smoke", action="store_true", help="small sizes (seconds per entry)")
    p.add_argument("--gallery", action="store_true", help="write index.html from the results present")
    p.add_argument("--readme", metavar="README", help="rewrite the verdict table in this README from the results")
    p.add_argument("--out", type=Path, default=None, help="results folder (default build/reproductions in the project)")
    p.add_argument("--json", action="store_true")
