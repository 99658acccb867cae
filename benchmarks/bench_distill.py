"""Scoring one query against many candidates: a cross-encoder against a distilled bi-encoder with cached embeddings.

The cross-encoder runs the transformer once per (query, candidate) pair; the bi-encoder
(DSE student) embeds the query once and runs the small pair MLP over the candidates'
cached embeddings. Both are timed in the same process on the same texts (review texts of
``clothing-title-review``); the speed-up does not depend on training, so the models are
used as initialised. Embedding the candidates once is reported separately (it is paid
once, then reused for every query).

    python benchmarks/bench_distill.py --candidates 200 --max-length 96
"""

from __future__ import annotations

import argparse
import copy

from timing import timed

import workbench as wb
from workbench.experiments.distillation import scoring_speedup
from workbench.train.cross_encoder import CrossEncoder
from workbench.train.data import training_split
from workbench.train.distill import PairMLP


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=200)
    ap.add_argument("--max-length", type=int, default=96)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    enc = wb.load_encoder("minilm")
    train, _ = training_split("clothing-title-review", n_train=args.candidates)
    query, candidates = train.queries[0], list(dict.fromkeys(train.positives))[:args.candidates]
    teacher = CrossEncoder(copy.deepcopy(enc.model), enc.tokenizer, max_length=args.max_length)
    cached, embed_s = timed(lambda: enc.encode(candidates, cache=False, show_progress=False,
                                               max_length=args.max_length))
    student = PairMLP(cached.shape[1])
    speed = scoring_speedup(teacher, student, enc, query, candidates, cached, repeats=args.repeats)
    print(f"{'method':<44}{'seconds':>10}")
    print(f"{'cross-encoder, one pass per pair':<44}{speed['teacher_s']:>10.3f}")
    print(f"{'bi-encoder: query pass + MLP over cache':<44}{speed['student_s']:>10.3f}")
    print(f"{'(once) embedding the candidates':<44}{embed_s:>10.3f}")
    print(f"speed-up per query with cached candidates: {speed['speedup']:.1f}x "
          f"({speed['candidates']} candidates, max_length {args.max_length}; best of {args.repeats})")


if __name__ == "__main__":
    main()
