"""``workbench train``: fine-tune a model on a packaged training set and save it.

Trains on the fixed training split of ``--data`` (see ``workbench.train.training_split``),
scores the base and the trained model on the held-out split (nDCG@10 with a paired
test), and saves the trained model as a sentence-transformers folder: ``--out`` itself,
as sentence-transformers' ``save(path)`` does. While it runs, checkpoints and the best
weights live in ``OUT/training`` (``--resume`` continues from there); the finished model
replaces them. An ``--out`` folder holding anything else is refused unless
``--overwrite``.

The evaluation runs on a deterministic subset of the held-out split by default
(``TEST_QUERIES`` queries drawn with seed 0, their relevant documents and distractors up
to ``TEST_DOCS`` documents), so a short run is not spent encoding thousands of held-out
documents twice; the output says which subset it used, and ``--test-queries all`` scores
the whole split. The base model's vectors come from the vector cache on later runs.
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
TEST_QUERIES, TEST_DOCS = 500, 2000  # the default evaluation subset (queries, documents)


def _count(text: str, flag: str) -> int | None:
    """A flag's positive count, or None for ``all``."""
    if text == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{flag} takes a positive number or 'all', got {text!r}")
    return value


def evaluation_split(data: str, n_train: int | None, test_queries: str | None, test_docs: str | None):
    """Training pairs, the test set and a sentence saying which part of the held-out split it is.

    ``test_queries`` None is the default subset: ``TEST_QUERIES`` queries (all, where the
    split holds fewer) and ``TEST_DOCS`` documents.
    """
    from ..evaluate.retrieval import retrieval_subset  # noqa: PLC0415
    from ..train import training_split  # noqa: PLC0415

    pairs, test = training_split(data, n_train=n_train)
    total_q, total_d = len(test.queries), len(test.corpus)
    n_q = min(TEST_QUERIES, total_q) if test_queries is None else _count(test_queries, "--test-queries")
    if test_queries is None and test_docs is None and n_q == total_q and total_d <= TEST_DOCS:
        n_q = None
    if n_q is None:
        if test_docs is not None and test_queries is not None:
            raise ValueError("--test-docs needs --test-queries N (the number of test queries)")
        return pairs, test, f"the whole held-out split: {total_q} queries, {total_d} documents"
    if test_docs is None:
        n_d = None if n_q >= total_q and TEST_DOCS >= total_d else TEST_DOCS
    else:
        n_d = _count(test_docs, "--test-docs")
    if n_q > total_q:
        raise ValueError(f"--test-queries {n_q} exceeds the {total_q} held-out queries of {data}; use at most that, "
                         "or 'all'")
    if n_d is not None and test_docs is None:  # the default keeps every relevant document of the queries drawn
        chosen = retrieval_subset(test, n_q, None, seed=0)
        n_d = max(n_d, len({d for judged in chosen.qrels.values() for d in judged}))
    test = retrieval_subset(test, n_q, n_d, seed=0)
    return pairs, test, (f"a deterministic subset (seed 0): {len(test.queries)} of {total_q} held-out queries, "
                         f"{len(test.corpus)} of {total_d} documents; --test-queries all for the whole split")


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
    from ..train import mine_hard_negatives  # noqa: PLC0415
    from ..train.export import save_model  # noqa: PLC0415
    from ..train.loop import TrainConfig, train  # noqa: PLC0415

    matryoshka_dims = _dims(args.matryoshka_dims)
    out = check_folder_target(args.out, owns=_trained_folder, overwrite=args.overwrite)
    enc = load_encoder(args.model)
    pairs, test, evaluated_on = evaluation_split(args.data, args.max_pairs, args.test_queries, args.test_docs)
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
            "test_queries": len(test.queries), "test_docs": len(test.corpus), "evaluated_on": evaluated_on,
            "base_ndcg@10": base["ndcg@10"], "base_ci": base["ndcg@10_ci"],
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
    p.add_argument("--test-queries", default=None,
                   help=f"evaluate on N held-out queries, a deterministic subset (default {TEST_QUERIES}), or 'all'")
    p.add_argument("--test-docs", default=None,
                   help=f"...and a test corpus of N documents: their relevant ones plus distractors (default "
                        f"{TEST_DOCS})")
    p.add_argument("--checkpoint-every", type=int, default=None)
    p.add_argument("--resume", action="store_true", help=f"continue from OUT/{TRAINING_STATE}/checkpoint")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="output folder: the trained model, as a sentence-transformers "
                                                "folder (checkpoints go to OUT/training while it runs)")
    p.add_argument("--overwrite", action="store_true", help="replace an --out folder that holds other files")
    p.add_argument("--json", action="store_true")
