"""``workbench train``: fine-tune a model on a packaged training set and save it.

Trains on the fixed training split of ``--data`` (see ``workbench.train.training_split``),
scores the base and the trained model on the held-out split (nDCG@10 with a paired
test), and saves the trained model as a sentence-transformers folder: ``--out`` itself,
as sentence-transformers' ``save(path)`` does. While it runs, checkpoints and the best
weights live in ``OUT/training`` (``--resume`` continues from there); the finished model
replaces them. An ``--out`` folder holding anything else is refused unless
``--overwrite``.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from ..outputs import check_folder_target
from . import print_result as _print

TRAINING_STATE = "training"  # OUT/training: checkpoints and best weights while a run is in progress


def _dims(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        return tuple(int(x) for x in text.split(","))
    except ValueError:
        raise ValueError("--matryoshka-dims takes comma-separated ints like 384,256,128,64,32, "
                         f"got {text!r}") from None


class _DeprecatedFlag(argparse.Action):
    """An old spelling of an option: stores into the new one's ``dest`` and warns once used."""

    def __init__(self, option_strings, dest, new: str = "", **kwargs):
        self.new = new
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        message = f"{option_string} is deprecated; use {self.new}"
        print(f"workbench train: warning: {message}", file=sys.stderr)
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        setattr(namespace, self.dest, values)


def cmd_train(args) -> None:
    from ..evaluate import stats  # noqa: PLC0415
    from ..evaluate.retrieval import evaluate_retrieval  # noqa: PLC0415
    from ..models import load_encoder  # noqa: PLC0415
    from ..train import mine_hard_negatives, training_split  # noqa: PLC0415
    from ..train.export import save_model  # noqa: PLC0415
    from ..train.loop import TrainConfig, train  # noqa: PLC0415

    matryoshka_dims = _dims(args.matryoshka_dims)
    out = check_folder_target(args.out, owns=_trained_folder, overwrite=args.overwrite)
    enc = load_encoder(args.model)
    pairs, test = training_split(args.data, n_train=args.max_pairs, n_test=args.test_queries,
                                 n_test_docs=args.test_docs)
    cfg = TrainConfig(steps=args.steps, batch_size=args.batch_size, grad_accum=args.grad_accum,
                      chunk_size=args.chunk_size, lr=args.lr, loss=args.loss, temperature=args.temperature,
                      matryoshka_dims=matryoshka_dims, max_length=args.max_length, seed=args.seed,
                      max_seconds=args.max_seconds, checkpoint_every=args.checkpoint_every)
    cfg.check(enc)
    if args.hard_negatives:
        pairs = mine_hard_negatives(enc, pairs, n_negatives=args.hard_negatives, max_length=args.max_length)
    result = train(enc, pairs, cfg, out_dir=out / TRAINING_STATE, resume=args.resume, show_progress=None)
    opts = dict(n_resamples=1000, per_query=True, show_progress=None, max_length=args.max_length)
    base, tuned = evaluate_retrieval(enc, test, **opts), evaluate_retrieval(result.encoder, test, **opts)
    test_res = stats.paired_test(tuned["per_query"]["ndcg@10"], base["per_query"]["ndcg@10"], n_resamples=10000)
    folder = save_model(result.encoder, out, overwrite=True, matryoshka_dims=matryoshka_dims)
    _print({"model": args.model, "data": args.data, "loss": args.loss, "train_pairs": len(pairs),
            "steps": result.steps, "seconds": round(result.seconds, 1), "stopped": result.stopped,
            "test_queries": len(test.queries), "base_ndcg@10": base["ndcg@10"], "base_ci": base["ndcg@10_ci"],
            "tuned_ndcg@10": tuned["ndcg@10"], "tuned_ci": tuned["ndcg@10_ci"],
            "difference": test_res["difference"], "p_value": test_res["p_value"], "out": str(folder)}, args.json)


def _trained_folder(folder: Path) -> bool:
    """Whether ``folder`` holds this command's output: a saved model, or the state of a run in progress."""
    if {p.name for p in folder.iterdir()} == {TRAINING_STATE}:
        return True
    try:
        config = json.loads((folder / "config_sentence_transformers.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and "workbench" in config


def register(sub) -> None:
    p = sub.add_parser("train", help="fine-tune a model on a packaged training set, evaluate and save it")
    p.set_defaults(func=cmd_train)
    p.add_argument("--model", default="minilm", help="embedded model name, local folder or Hugging Face id")
    p.add_argument("--data", required=True, help="training set: clothing-title-review, rotten-tomatoes-synopsis "
                                                  "or python-docstrings")
    p.add_argument("--loss", default="mnrl", help="pair loss: mnrl (InfoNCE with in-batch negatives)")
    p.add_argument("--matryoshka-dims", default=None, help="Matryoshka widths, e.g. 384,256,128,64,32")
    p.add_argument("--matryoshka", dest="matryoshka_dims", action=_DeprecatedFlag, new="--matryoshka-dims",
                   help=argparse.SUPPRESS)
    p.add_argument("--hard-negatives", type=int, default=0, help="mined hard negatives per pair (0: none)")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--grad-accum", type=int, default=1)
    p.add_argument("--chunk-size", type=int, default=None, help="gradient caching: texts embedded at once")
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--temperature", type=float, default=0.05)
    p.add_argument("--max-length", type=int, default=128, help="tokens per text")
    p.add_argument("--max-seconds", type=float, default=None, help="stop training after this long")
    p.add_argument("--max-pairs", type=int, default=None, help="train on the first N pairs only")
    p.add_argument("--test-queries", type=int, default=None, help="evaluate on N held-out queries")
    p.add_argument("--test-docs", type=int, default=None, help="...and a test corpus of N documents")
    p.add_argument("--checkpoint-every", type=int, default=None)
    p.add_argument("--resume", action="store_true", help=f"continue from OUT/{TRAINING_STATE}/checkpoint")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="output folder: the trained model, as a sentence-transformers "
                                                "folder (checkpoints go to OUT/training while it runs)")
    p.add_argument("--overwrite", action="store_true", help="replace an --out folder that holds other files")
    p.add_argument("--json", action="store_true")
