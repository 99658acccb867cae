"""The ``workbench`` command: the package's main operations from a terminal.

The general subcommands (models, datasets, embed, eval, inspect, geometry, lab) live here and are
registered in ``COMMANDS``; each topic with a command group of its own (``limits``, ...)
is a module of this package, listed in ``TOPICS``, whose ``register(sub)`` adds its
parser and sets ``func``. ``--json`` makes the output machine-readable (one JSON
document on stdout). Errors a user can fix (a bad name or value, a missing file, a
missing optional package: ``USER_ERRORS``, and argparse's usage errors) print one line
on stderr and exit with status 2; anything else is a bug and shows its traceback, with
exit status 1.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import logging
import shutil
import subprocess
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..options import BACKENDS, PRECISIONS
from ..outputs import write_file
from ..packages import MissingPackage


@contextmanager
def data_summaries(spec: str) -> Iterator[list[str]]:
    """Collect the loaders' summary lines while a user's file or folder is read; print each to stderr.

    Packaged data set names are not reported (their reading is the package's business).
    """
    lines: list[str] = []
    if Path(spec).expanduser().exists():
        logger = logging.getLogger("workbench.datasets")
        handler = logging.Handler(logging.INFO)
        handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
        level = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        try:
            yield lines
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            for line in lines:
                print(f"read: {line}", file=sys.stderr)
    else:
        yield lines


def column_choice(args) -> dict:
    """The --text1 / --text2 / --score flags as ``load_pairs`` keywords (positions stay strings of digits)."""
    return {role: getattr(args, role) for role in ("text1", "text2", "score") if getattr(args, role, None) is not None}


def load_data(spec: str, kind: str = "any", columns: dict | None = None):
    """A packaged data set by name, or a file / folder the user points at."""
    from .. import datasets  # noqa: PLC0415

    if spec in datasets.DATASETS:
        return datasets.load(spec)
    path = Path(spec).expanduser()
    if not path.exists():
        raise ValueError(f"--data {spec!r} is neither a packaged data set ({', '.join(datasets.available())}) "
                         "nor an existing file or folder")
    if path.is_dir():
        return datasets.load_retrieval(path)
    return datasets.load_pairs(path, **(columns or {})) if kind == "pairs" else datasets.load_texts(path)


def texts_of(data, field: str | None) -> list[str]:
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


def encode_options(args) -> dict:
    """The encode flags as ``Encoder.encode`` keywords, checked now (a bad value is a one-line error)."""
    from ..options import FIELDS, EncodeOptions  # noqa: PLC0415

    opts = EncodeOptions.from_any({f: getattr(args, f) for f in FIELDS if f != "normalize" and hasattr(args, f)})
    given = {f: getattr(opts, f) for f in FIELDS if f != "normalize" and hasattr(args, f)}
    if args.batch_size < 1:
        raise ValueError(f"--batch-size must be a positive number of texts, got {args.batch_size}")
    return dict(given, batch_size=args.batch_size, cache=not args.no_cache)


def print_result(obj, as_json: bool) -> None:
    if as_json:
        print(json.dumps(obj, indent=None, default=float))
    elif isinstance(obj, dict):
        for key, value in obj.items():
            print(f"{key}: {value}")
    else:
        print(obj)


def cmd_models(args) -> None:
    from ..models import MODELS  # noqa: PLC0415

    rows = [{"name": s.name, "package": s.package, "description": s.description} for s in MODELS.values()]
    print_result(rows if args.json else "\n".join(f"{r['name']:<10} {r['description']}" for r in rows), args.json)


def cmd_datasets(args) -> None:
    from .. import datasets  # noqa: PLC0415

    table = datasets.describe()
    print_result(table.to_dict(orient="records") if args.json else table.to_string(index=False), args.json)


def embed_sharded(args) -> None:
    """``embed --engine``: parquet shards of ids and vectors in the --out folder, resumable."""
    from .. import scale  # noqa: PLC0415
    from ..datasets import DATASETS  # noqa: PLC0415

    path = Path(args.data).expanduser()
    data = args.data if args.data not in DATASETS and (path.is_dir() or path.suffix in scale.corpus.SUFFIXES) \
        else texts_of(load_data(args.data), args.field)
    if args.field is not None and isinstance(data, str):
        raise ValueError("--field chooses the texts of a data set; a corpus file's text field is --text-field")
    opts = encode_options(args)
    result = scale.encode_dataset(data, args.out, model=args.model, engine=args.engine, actors=args.actors,
                                  cpus_per_actor=args.cpus_per_actor, shard_size=args.shard_size,
                                  text_field=args.text_field, id_field=args.id_field, address=args.address,
                                  overwrite=args.overwrite, show_progress=None,
                                  **{k: v for k, v in opts.items() if k != "cache"})
    print_result(result, args.json)


def cmd_embed(args) -> None:
    from ..models import load_encoder  # noqa: PLC0415

    if args.engine is not None:
        return embed_sharded(args)
    with data_summaries(args.data) as read:
        data = load_data(args.data)
    texts = texts_of(data, args.field)
    X = load_encoder(args.model).encode(texts, show_progress=None, **encode_options(args))
    buf = io.BytesIO()
    np.save(buf, X, allow_pickle=False)
    out = write_file(args.out, buf.getvalue(), overwrite=args.overwrite)
    result = {"out": str(out), "rows": int(X.shape[0]), "dim": int(X.shape[1])}
    print_result({**result, "data": read} if read and args.json else result, args.json)


def cmd_eval(args) -> None:
    from ..bm25 import BM25  # noqa: PLC0415
    from ..evaluate import Task, get_task  # noqa: PLC0415
    from ..models import load_encoder  # noqa: PLC0415

    evaluate = get_task(args.task)
    columns = column_choice(args)
    if columns and args.task not in ("sts", "pairs"):
        raise ValueError("--text1, --text2 and --score choose the columns of a pairs file (tasks sts and pairs)")
    with data_summaries(args.data) as read:
        data = Task(args.task, args.data, max_items=args.max_items, columns=columns).load()
    options = {"threshold": args.threshold} if args.threshold is not None else {}
    data_note = {"data": read} if read else {}
    if args.model == "bm25":
        if args.task != "retrieval":
            raise ValueError(f"--model bm25 is a lexical retriever: it runs the retrieval task only, not {args.task}")
        print_result({**evaluate(BM25(), data), **data_note}, args.json)
        return
    if args.threshold is not None and args.task != "pairs":
        raise ValueError("--threshold applies to the pairs task only")
    opts = encode_options(args)
    if args.task == "retrieval":
        options.update(query_prompt=args.query_prompt, doc_prompt=args.doc_prompt)
    elif args.query_prompt or args.doc_prompt:
        raise ValueError("--query-prompt and --doc-prompt apply to the retrieval task only; use --prompt")
    result = evaluate(load_encoder(args.model), data, show_progress=False, **opts, **options)
    print_result({**result, **data_note} if args.json else result, args.json)


def cmd_inspect(args) -> None:
    from ..datasets.inspection import format_report, inspect_data  # noqa: PLC0415

    report = inspect_data(args.path, task=args.task, n_rows=args.rows, **column_choice(args))
    print_result(report if args.json else format_report(report), args.json)


def cmd_geometry(args) -> None:
    from .. import geometry  # noqa: PLC0415
    from ..models import load_encoder  # noqa: PLC0415

    with data_summaries(args.data) as read:
        data = load_data(args.data)
    texts = texts_of(data, args.field)
    if args.max_texts is not None:
        if args.max_texts < 2:
            raise ValueError(f"--max-texts must be at least 2, got {args.max_texts}")
        texts = texts[:: max(1, len(texts) // args.max_texts)][: args.max_texts]
    metrics = args.metrics.split(",") if args.metrics else None
    enc = load_encoder(args.model)
    opts = dict(encode_options(args), normalize=args.normalize, show_progress=None)
    head = {"model": args.model, "data": args.data, "pooling": opts["pooling"] or enc.pooling, "n": len(texts)}
    if args.layers is None:
        out = {**head, "layer": args.layer, **geometry.report(enc.encode(texts, **opts), metrics=metrics)}
    elif args.layers == "all":
        H = enc.encode_layers(texts, **opts)
        out = {**head, "layers": [{"layer": i, **geometry.report(X, metrics=metrics, errors="warn")}
                                for i, X in enumerate(H)]}
    else:
        raise ValueError(f"--layers takes only 'all', got {args.layers!r}; use --layer L for one layer")
    if args.json:
        print_result({**out, "data": read} if read else out, True)
    elif "layers" in out:
        import pandas as pd  # noqa: PLC0415

        print(pd.DataFrame(out["layers"]).set_index("layer").T.to_string(float_format=lambda v: f"{v:.4g}"))
    else:
        print_result(out, False)


def cmd_lab(args) -> None:
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which("jupyter")
    if jupyter is None:
        raise ValueError("JupyterLab is not installed: pip install 'workbench[lab]'")
    folder = Path(args.dir or ("notebooks" if Path("notebooks").is_dir() else "."))
    raise SystemExit(subprocess.call([jupyter, "lab", f"--notebook-dir={folder}", *args.lab_args]))


COMMANDS: dict[str, Callable] = {"models": cmd_models, "datasets": cmd_datasets, "embed": cmd_embed,
                                 "eval": cmd_eval, "lab": cmd_lab, "geometry": cmd_geometry,
                                 "inspect": cmd_inspect}

#: modules of this package that register a command group of their own
TOPICS: tuple[str, ...] = ("limits", "sweep", "project", "train", "compress", "course", "reproduce", "synthetic",
                          "vocab", "static_learn")



def add_column_flags(p: argparse.ArgumentParser) -> None:
    for role, what in (("text1", "first text"), ("text2", "second text"), ("score", "score or 0/1 label")):
        p.add_argument(f"--{role}", default=None,
                       help=f"pairs files: column of the {what} (header name or 0-based position)")


def add_encode_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="minilm", help="embedded model name, local folder or Hugging Face id")
    p.add_argument("--data", required=True, help="packaged data set name or a file / folder")
    p.add_argument("--pooling", default=None, help="pooling mode(s), e.g. mean or cls+mean (default: the model's)")
    p.add_argument("--layer", type=int, default=-1, help="hidden layer to pool (0 = embeddings, -1 = last)")
    p.add_argument("--prompt", default=None, help="prefix, or a template containing {text}")
    p.add_argument("--precision", default="fp32", choices=PRECISIONS,
                   help="fp32 (exact), bf16 (torch autocast) or int8 (needs --backend onnx)")
    p.add_argument("--backend", default="torch", choices=list(BACKENDS),
                   help="torch (the exact reference) or onnx (ONNX Runtime; the fast extra)")
    p.add_argument("--max-length", type=int, default=None, help="truncation length in tokens (default: the model's)")
    p.add_argument("--attention", default=None, choices=["causal", "bidirectional"],
                   help="a decoder's attention mask (default: the model's own)")
    p.add_argument("--add-eos", action="store_true", help="append the end-of-sequence token (last-token embedders)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--no-cache", action="store_true", help="bypass the vector cache")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Embedding Workbench")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in [("models", "list the embedded models"), ("datasets", "list packaged data sets with sizes")]:
        sub.add_parser(name, help=text).add_argument("--json", action="store_true")
    p = sub.add_parser("embed", help="embed a data set's texts into a .npy file (or shards: --engine)")
    add_encode_flags(p)
    p.add_argument("--out", required=True, help="output .npy path (an existing file needs --overwrite); with --engine "
                                                "a folder")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out file (or another run's shards)")
    p.add_argument("--field", default=None,
                   help="texts (text sets); text1, text2 or both (pairs); corpus or queries (retrieval)")
    p.add_argument("--engine", default=None, choices=["local", "ray"],
                   help="write resumable parquet shards of ids and vectors into the --out folder: in this process "
                        "(local) or on a pool of Ray actors (ray; the scale extra)")
    p.add_argument("--actors", type=int, default=2, help="--engine ray: encoders running at once")
    p.add_argument("--cpus-per-actor", type=int, default=1, help="--engine ray: CPU threads of each actor")
    p.add_argument("--shard-size", type=int, default=4096, help="--engine: rows per output shard")
    p.add_argument("--address", default=None, help="--engine ray: a Ray cluster to join (default $RAY_ADDRESS, "
                                                    "else Ray starts on this machine)")
    p.add_argument("--text-field", default="text", help="--engine: the text field of .jsonl / .parquet records")
    p.add_argument("--id-field", default="id", help="--engine: the id field (rows without one: their position)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("eval", help="evaluate a model on a task")
    p.add_argument("task", help="task type: sts, retrieval, classification, clustering or pairs")
    add_encode_flags(p)
    p.add_argument("--threshold", type=float, default=None, help="pairs: gold score >= this is a positive pair")
    p.add_argument("--max-items", type=int, default=None, help="evaluate a deterministic subset of this many items")
    p.add_argument("--query-prompt", default=None, help="retrieval: prompt for queries (default --prompt)")
    p.add_argument("--doc-prompt", default=None, help="retrieval: prompt for documents (default --prompt)")
    add_column_flags(p)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("inspect", help="show how a file or folder is read: layout, columns, first rows (no model)")
    p.add_argument("path", help="a pairs or texts file, or a BEIR / MTEB folder")
    add_column_flags(p)
    p.add_argument("--task", default=None, choices=["sts", "pairs"], help="pairs files: what the scores are for")
    p.add_argument("--rows", type=int, default=5, help="how many rows to show as read")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("geometry", help="isotropy and geometry report of a model's vectors on a data set")
    add_encode_flags(p)
    p.add_argument("--layers", default=None, help="'all': one report per layer (instead of --layer)")
    p.add_argument("--metrics", default=None, help="comma-separated names from workbench.geometry.METRICS")
    p.add_argument("--field", default=None, help="which texts of the data set (as for embed)")
    p.add_argument("--max-texts", type=int, default=None, help="use at most this many texts, evenly spaced")
    p.add_argument("--normalize", action="store_true", help="L2-normalise the vectors first (default: raw)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("lab", help="start JupyterLab on the notebooks")
    p.add_argument("--dir", default=None, help="notebook folder (default ./notebooks)")
    p.add_argument("lab_args", nargs=argparse.REMAINDER, help="passed to jupyter lab")
    for module in TOPICS:
        importlib.import_module(f".{module}", __name__).register(sub)
    return parser


#: exceptions that mean input a user can fix: one line on stderr, exit status 2. Anything
#: else (TypeError, a plain ImportError, ...) is a bug: its traceback, exit status 1.
#: MissingPackage covers the optional extras too (MissingExtra derives from it).
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, FileNotFoundError, FileExistsError, NotADirectoryError,
                                                IsADirectoryError, PermissionError, MissingPackage)


def main(argv: list[str] | None = None) -> int:
    """Run one ``workbench`` command; returns the exit status (0, 1 for a bug, 2 for a user error).

    Examples
    --------
    >>> main(["models"]) == 0  # doctest: +ELLIPSIS
    minilm ...
    True
    """
    args = build_parser().parse_args(argv)  # usage errors: argparse prints them and exits with status 2
    try:
        (getattr(args, "func", None) or COMMANDS[args.command])(args)
    except USER_ERRORS as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"workbench {args.command}: error: {message}", file=sys.stderr)
        return 2
    except Exception:
        traceback.print_exc()
        print(f"workbench {args.command}: internal error (not a problem with your input); "
              "the traceback above says where", file=sys.stderr)
        return 1
    return 0

