"""``workbench generate`` and ``workbench benchmark``: synthetic training data, and benchmark downsampling."""

from __future__ import annotations

import json
from pathlib import Path

from ..outputs import write_file
from . import load_data, texts_of
from . import print_result as _print


def cmd_generate(args) -> None:
    from ..synthetic import KINDS, Generator, generate  # noqa: PLC0415

    if args.kind not in KINDS:
        raise ValueError(f"--kind {args.kind!r} is not one of {', '.join(KINDS)}")
    if args.n < 1:
        raise ValueError(f"--n must be a positive number of texts, got {args.n}")
    texts = texts_of(load_data(args.data), args.field)[:args.n]
    out = generate(Generator(args.model), texts, args.kind, batch_size=args.batch_size,
                   max_new_tokens=args.max_new_tokens, show_progress=None)
    records = [{"source": s, "generated": t, "dropped": r, "raw": raw}
               for s, t, r, raw in zip(out.sources, out.texts, out.reasons, out.raw)]
    summary = {"kind": args.kind, "sources": len(texts), "kept": len(out.kept), "dropped": out.dropped(),
               "cached": out.cached, "tokens": out.stored_tokens, "tokens_per_second": out.tokens_per_second}
    if args.out:
        lines = "".join(json.dumps(r) + "\n" for r in records)
        summary["out"] = str(write_file(Path(args.out), lines.encode(), overwrite=args.overwrite))
    elif not args.json:
        for r in records:
            print(f"{r['generated'] or '[dropped: ' + str(r['dropped']) + ']'}  <-  {r['source'][:60]}")
    _print(summary, args.json)


def cmd_benchmark(args) -> None:
    from ..evaluate.benchmark import DEFAULT_CONFIGS, benchmark_tasks, score_matrix  # noqa: PLC0415
    from ..evaluate.downsample import greedy_selection, random_subsets  # noqa: PLC0415

    configs = [c for c in DEFAULT_CONFIGS if not args.no_smollm2 or c.model != "smollm2"]
    tasks = benchmark_tasks(smoke=args.smoke)
    if not 1 <= args.n_keep <= len(tasks):
        raise ValueError(f"--n-keep must lie in 1..{len(tasks)} (the suite's tasks), got {args.n_keep}")
    run = score_matrix(configs, tasks, show_progress=None)
    path = greedy_selection(run.scores, args.n_keep, kinds=run.kinds)
    rand = random_subsets(run.scores, args.n_keep, n_draws=200)
    result = {"configs": len(configs), "tasks": len(tasks), "kept": path.attrs["kept"],
              "removed": path["removed"].tolist(), "tau_greedy": float(path["tau"].iloc[-1]) if len(path) else 1.0,
              "tau_random_mean": float(rand.mean()), "tau_random_p90": float(sorted(rand)[int(0.9 * len(rand))])}
    _print(result, args.json)


def register(sub) -> None:
    g = sub.add_parser("generate", help="synthetic training data from a small decoder (cached, resumable)")
    g.set_defaults(func=cmd_generate)
    g.add_argument("--kind", required=True, help="query (written for a document), paraphrase or negative")
    g.add_argument("--data", required=True, help="packaged data set name or a file / folder")
    g.add_argument("--field", default=None, help="which texts (as for embed: texts, text1, corpus, queries ...)")
    g.add_argument("--n", type=int, default=20, help="the first this many texts")
    g.add_argument("--model", default="smollm2", help="a decoder: smollm2, a folder or a Hugging Face id")
    g.add_argument("--batch-size", type=int, default=8)
    g.add_argument("--max-new-tokens", type=int, default=None, help="default: the kind's budget")
    g.add_argument("--out", default=None, help="write JSON lines (source, generated, dropped, raw) here")
    g.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    g.add_argument("--json", action="store_true")
    b = sub.add_parser("benchmark", help="score matrix of 17 configurations on 14 tasks; greedy task selection")
    b.set_defaults(func=cmd_benchmark)
    b.add_argument("--n-keep", type=int, default=6, help="tasks to keep")
    b.add_argument("--smoke", action="store_true", help="small task sizes (seconds to minutes)")
    b.add_argument("--no-smollm2", action="store_true", help="leave out the four smollm2 configurations")
    b.add_argument("--json", action="store_true")
