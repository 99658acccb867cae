"""The ``workbench`` command: the package's main operations from a terminal.

Each subcommand is a small function registered in ``COMMANDS``; ``--json`` makes the
output machine-readable (one JSON document on stdout). Errors a user can fix (a bad
name, a missing file) print one line on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import numpy as np


def _load_data(spec: str, kind: str = "any"):
    """A packaged data set by name, or a file / folder the user points at."""
    from . import datasets  # noqa: PLC0415

    if spec in datasets.DATASETS:
        return datasets.load(spec)
    path = Path(spec).expanduser()
    if not path.exists():
        raise ValueError(f"--data {spec!r} is neither a packaged data set ({', '.join(datasets.available())}) "
                         "nor an existing file or folder")
    if path.is_dir():
        return datasets.load_retrieval(path)
    return datasets.load_pairs(path) if kind == "pairs" else datasets.load_texts(path)


def _texts_of(data, field: str | None) -> list[str]:
    """The texts of a data set that ``embed`` writes, in a documented order."""
    fields = {
        "TextDataset": {"texts": lambda d: list(d.texts)},
        "PairDataset": {"text1": lambda d: list(d.text1), "text2": lambda d: list(d.text2),
                        "both": lambda d: list(d.text1) + list(d.text2)},
        "RetrievalDataset": {"corpus": lambda d: d.documents, "queries": lambda d: d.query_texts},
    }.get(type(data).__name__)
    if fields is None:
        raise ValueError(f"cannot embed a {type(data).__name__}; use a text, pair or retrieval data set")
    field = field or next(iter(fields))
    if field not in fields:
        raise ValueError(f"--field {field!r} does not apply to a {type(data).__name__}; valid: {', '.join(fields)}")
    return fields[field](data)


def _encode_options(args) -> dict:
    return dict(pooling=args.pooling, layer=args.layer, prompt=args.prompt, precision=args.precision,
                batch_size=args.batch_size, cache=not args.no_cache)


def _print(obj, as_json: bool) -> None:
    if as_json:
        print(json.dumps(obj, indent=None, default=float))
    elif isinstance(obj, dict):
        for key, value in obj.items():
            print(f"{key}: {value}")
    else:
        print(obj)


def cmd_models(args) -> None:
    from .models import MODELS  # noqa: PLC0415

    rows = [{"name": s.name, "package": s.package, "description": s.description} for s in MODELS.values()]
    _print(rows if args.json else "\n".join(f"{r['name']:<10} {r['description']}" for r in rows), args.json)


def cmd_datasets(args) -> None:
    from . import datasets  # noqa: PLC0415

    table = datasets.describe()
    _print(table.to_dict(orient="records") if args.json else table.to_string(index=False), args.json)


def cmd_embed(args) -> None:
    from .models import load_encoder  # noqa: PLC0415

    texts = _texts_of(_load_data(args.data), args.field)
    X = load_encoder(args.model).encode(texts, show_progress=None, **_encode_options(args))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part.npy")
    np.save(tmp, X)
    os.replace(tmp, out)
    _print({"out": str(out), "rows": int(X.shape[0]), "dim": int(X.shape[1])}, args.json)


def cmd_eval(args) -> None:
    from .evaluate import evaluate_sts  # noqa: PLC0415
    from .models import load_encoder  # noqa: PLC0415

    tasks: dict[str, Callable] = {"sts": evaluate_sts}
    if args.task not in tasks:
        raise ValueError(f"unknown task {args.task!r}; valid: {', '.join(tasks)}")
    data = _load_data(args.data, kind="pairs")
    opts = _encode_options(args)
    _print(tasks[args.task](load_encoder(args.model), data, show_progress=False, **opts), args.json)


def cmd_lab(args) -> None:
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which("jupyter")
    if jupyter is None:
        raise ValueError("JupyterLab is not installed: pip install 'workbench[lab]'")
    folder = Path(args.dir or ("notebooks" if Path("notebooks").is_dir() else "."))
    raise SystemExit(subprocess.call([jupyter, "lab", f"--notebook-dir={folder}", *args.lab_args]))


COMMANDS: dict[str, Callable] = {"models": cmd_models, "datasets": cmd_datasets, "embed": cmd_embed,
                                 "eval": cmd_eval, "lab": cmd_lab}


def _add_encode_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="minilm", help="embedded model name, local folder or Hugging Face id")
    p.add_argument("--data", required=True, help="packaged data set name or a file / folder")
    p.add_argument("--pooling", default=None, help="pooling mode(s), e.g. mean or cls+mean (default: the model's)")
    p.add_argument("--layer", type=int, default=-1, help="hidden layer to pool (0 = embeddings, -1 = last)")
    p.add_argument("--prompt", default=None, help="prefix, or a template containing {text}")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--no-cache", action="store_true", help="bypass the vector cache")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Embedding Workbench")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in [("models", "list the embedded models"), ("datasets", "list packaged data sets with sizes")]:
        sub.add_parser(name, help=text).add_argument("--json", action="store_true")
    p = sub.add_parser("embed", help="embed a data set's texts into a .npy file")
    _add_encode_flags(p)
    p.add_argument("--out", required=True, help="output .npy path")
    p.add_argument("--field", default=None,
                   help="texts (text sets); text1, text2 or both (pairs); corpus or queries (retrieval)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("eval", help="evaluate a model on a task")
    p.add_argument("task", help="task type: sts")
    _add_encode_flags(p)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("lab", help="start JupyterLab on the notebooks")
    p.add_argument("--dir", default=None, help="notebook folder (default ./notebooks)")
    p.add_argument("lab_args", nargs=argparse.REMAINDER, help="passed to jupyter lab")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except (ValueError, TypeError, FileNotFoundError, ImportError) as exc:
        print(f"workbench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
