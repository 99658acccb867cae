"""Training throughput: plain batches against gradient-cached batches of the same size.

Gradient caching pays a second forward pass to bound memory by ``chunk_size`` texts; this
prints pairs per second and the peak resident memory growth of each, with the plain run as
the peer measured in the same process. A second table times the token states a pooling head
trains on (``heads.token_states``): one text at a time against padded, longest-first batches.

    python benchmarks/bench_train.py --steps 3 --batch-size 32 --chunk-size 8 --texts 256
"""

from __future__ import annotations

import argparse
import resource
import time

import workbench as wb
from workbench.train import training_split
from workbench.train.heads import token_states
from workbench.train.loop import train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--chunk-size", type=int, default=8)
    ap.add_argument("--max-length", type=int, default=64)
    ap.add_argument("--texts", type=int, default=256, help="texts for the token-state timing")
    args = ap.parse_args()
    enc = wb.load_encoder("minilm")
    pairs, _ = training_split("python-docstrings")
    rows = []
    for label, chunk in (("plain", None), (f"gradcache chunk={args.chunk_size}", args.chunk_size)):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        res = train(enc, pairs, steps=args.steps, batch_size=args.batch_size, chunk_size=chunk,
                    max_length=args.max_length, show_progress=False)
        wall = time.perf_counter() - start
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        rows.append((label, res.steps * args.batch_size / wall, grown, res.history[-1]["loss"]))
    print(f"{'run':<22}{'pairs/s':>10}{'ratio':>8}{'peak RSS growth MB':>20}{'last loss':>11}")
    for label, rate, grown, loss in rows:
        print(f"{label:<22}{rate:>10.2f}{rate / rows[0][1]:>8.2f}{grown:>20.0f}{loss:>11.4f}")
    texts = (pairs.queries + pairs.positives)[:args.texts]
    start = time.perf_counter()
    alone = enc.token_embeddings(texts, max_length=args.max_length, batch_size=1)
    rates = [("one text at a time", len(texts) / (time.perf_counter() - start))]
    start = time.perf_counter()
    batched = token_states(enc, texts, max_length=args.max_length, show_progress=False)
    rates.append(("batched (64)", len(texts) / (time.perf_counter() - start)))
    gap = max(float(abs(b.numpy() - a).max()) for (_, a), b in zip(alone, batched))
    print(f"\n{'token states':<22}{'texts/s':>10}{'ratio':>8}   max |difference| {gap:.1e}")
    for label, rate in rates:
        print(f"{label:<22}{rate:>10.2f}{rate / rates[0][1]:>8.2f}")


if __name__ == "__main__":
    main()
