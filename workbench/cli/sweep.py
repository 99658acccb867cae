"""``workbench sweep``: a pooling x layer (x prompt x attention) sweep on one task, with paired tests."""

from __future__ import annotations

from ..options import BACKENDS, PRECISIONS
from . import print_result as _print


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


def parse_layers(value: str):
    """``all``, or comma-separated ints (``0,3,-1``)."""
    if value == "all":
        return "all"
    try:
        return [int(v) for v in _split(value)]
    except ValueError:
        raise ValueError(f"--layers takes 'all' or comma-separated ints such as 0,3,-1; got {value!r}") from None


def cmd_sweep(args) -> None:
    from ..evaluate import Task  # noqa: PLC0415
    from ..experiments import SWEEP_TASKS, summarize, sweep  # noqa: PLC0415
    from ..models import load_encoder  # noqa: PLC0415

    if args.task not in SWEEP_TASKS:
        raise ValueError(f"--task must be one of {', '.join(SWEEP_TASKS)}; got {args.task!r}")
    layers = parse_layers(args.layers)
    dims = [int(d) for d in _split(args.dims)] if args.dims else None
    prompts = [None if p == "none" else p for p in _split(args.prompts)] if args.prompts else None
    task = Task(args.task, args.data, max_items=args.max_items, max_docs=args.max_docs)
    df = sweep(load_encoder(args.model), task, poolings=_split(args.poolings), layers=layers, prompts=prompts,
               attention=_split(args.attention), dims=dims, n_resamples=args.resamples,
               batch_size=args.batch_size, max_length=args.max_length, precision=args.precision,
               backend=args.backend, add_eos=args.add_eos, cache=not args.no_cache,
               show_progress=None)
    if args.json:
        _print({"baseline": df.attrs["baseline"], "rows": df.to_dict(orient="records")}, True)
        return
    cols = ["prompt", "attention", "pooling", "layer", "dim", "score", "ci_low", "ci_high", "delta", "p_value"]
    print(df[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print("\n".join(summarize(df)))


def register(sub) -> None:
    p = sub.add_parser("sweep", help="pooling x layer sweep on a task, with CIs and paired tests")
    p.set_defaults(func=cmd_sweep)
    p.add_argument("--model", default="minilm", help="embedded model name, local folder or Hugging Face id")
    p.add_argument("--task", required=True, help="sts, retrieval or classification")
    p.add_argument("--data", required=True, help="packaged data set name or a file / folder")
    p.add_argument("--poolings", default=None, help="comma-separated modes (default: all the model supports)")
    p.add_argument("--layers", default="all", help="'all' or comma-separated layer indices, e.g. 0,3,-1")
    p.add_argument("--prompts", default=None, help="comma-separated prompts or PROMPTS names; 'none' for no prompt")
    p.add_argument("--attention", default=None, help="causal, bidirectional or both comma-separated (decoders)")
    p.add_argument("--dims", default=None, help="comma-separated truncated widths (default: full width)")
    p.add_argument("--max-items", type=int, default=None, help="deterministic subset: pairs, texts or queries")
    p.add_argument("--max-docs", type=int, default=None, help="retrieval: corpus size of the subset")
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples and permutations (0: none)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-length", type=int, default=None, help="truncation length in tokens")
    p.add_argument("--precision", default="fp32", choices=PRECISIONS,
                   help="fp32 (exact), bf16 (torch autocast) or int8 (needs --backend onnx)")
    p.add_argument("--backend", default="torch", choices=list(BACKENDS),
                   help="torch (the exact reference) or onnx (ONNX Runtime; the fast extra)")
    p.add_argument("--add-eos", action="store_true", help="append the end-of-sequence token (last-token embedders)")
    p.add_argument("--no-cache", action="store_true", help="bypass the vector cache")
    p.add_argument("--json", action="store_true")
