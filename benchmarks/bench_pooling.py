"""Pooling sweep benchmark: every pooling of every layer from shared token states vs one encode.

On the same sentences (Rotten Tomatoes review snippets), same model and batch size, in
one process, interleaved so that a slow spell on a shared machine hits both alike:

1. the peer: one ``Encoder.encode`` (the model's own pooling, last layer), cache off;
2. ``pool_grid`` with every pooling mode the model supports, all layers, cache off:
   the vectors a pooling x layer sweep needs, from one forward pass per batch.

Printed: the best of ``--repeats`` wall times of each, their ratio (target <= 1.5x),
how many (pooling, layer) cells the grid produced, and what re-encoding each cell
separately would cost at the peer's speed. Nothing here asserts a time; the target is
printed as PASS / MISS. Left out: the evaluation part of a sweep (scores, bootstrap,
paired tests), which depends on the task rather than on the model.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

import workbench as wb
from workbench.experiments import pool_grid

MAX_RATIO = 1.5


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="minilm")
    ap.add_argument("--n", type=int, default=1000, help="sentences")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    enc = wb.load_encoder(args.model)
    texts = list(wb.datasets.load("rotten-tomatoes").texts[:args.n])
    modes = [m for m in wb.pooling.POOLING_MODES if m != "cls" or getattr(enc.tokenizer, "cls_token", None)]
    enc.encode(texts[:args.batch_size], cache=False, show_progress=False)  # warm-up
    single, grid_t = [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        enc.encode(texts, batch_size=args.batch_size, cache=False, show_progress=False)
        single.append(time.perf_counter() - t)
        t = time.perf_counter()
        grid = pool_grid(enc, texts, modes, batch_size=args.batch_size, cache=False, show_progress=False)
        grid_t.append(time.perf_counter() - t)
    cells = sum(g.shape[0] for g in grid.values())
    s, g = min(single), min(grid_t)
    ratio = g / s
    print(f"model {args.model}, {len(texts)} sentences, batch {args.batch_size}, torch threads "
          f"{torch.get_num_threads()}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'run':<44}{'seconds':>10}{'ratio':>8}")
    print(f"{'single encode (peer)':<44}{s:>10.2f}{1.0:>8.2f}")
    print(f"{f'pool_grid: {len(modes)} poolings x {enc.n_layers + 1} layers':<44}{g:>10.2f}{ratio:>8.2f}")
    print(f"{f're-encoding each of {cells} cells (estimate)':<44}{s * cells:>10.2f}{float(cells):>8.2f}")
    print(f"target grid / single <= {MAX_RATIO}: {'PASS' if ratio <= MAX_RATIO else 'MISS'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
