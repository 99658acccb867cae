"""Decoder backend benchmark: SmolLM2-135M on torch fp32 against ONNX Runtime fp32, every layer.

What it measures, in one process, on one seeded sample of real texts (Rotten Tomatoes
review snippets) with the same batch size and threads for both backends:

1. agreement of ONNX fp32 with torch fp32, the exact reference: max abs diff and min /
   mean cosine of the pooled vectors, for last-token and mean pooling, at the last layer
   and over every layer (``encode_layers``);
2. throughput of each backend on that work (every layer, two poolings, one forward pass
   per batch), cache off, best of ``--repeats`` interleaved runs after a warm-up, and
   their ratio;
3. the one-off export, timed once into an empty cache.

The target for the pooled vectors is the encoder path's: max abs diff < 1e-4. Left out:
int8 for decoders (it runs, with its agreement measured on first use, but is not
benchmarked here), bidirectional attention (torch only).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile

import numpy as np
from timing import timed

MAX_ABS_DIFF = 1e-4


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=200, help="number of texts (default 200)")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    cache_root = tempfile.mkdtemp(prefix="wb-bench-decoder-")
    models = os.path.join(os.environ.get("WB_CACHE_DIR", os.path.expanduser("~/.cache/workbench")), "models")
    os.environ["WB_CACHE_DIR"] = cache_root  # a fresh export; the dequantised model copy is shared
    if os.path.isdir(models):
        os.symlink(models, os.path.join(cache_root, "models"))
    try:
        import torch

        import workbench as wb
        from workbench.backends import onnx

        load_before = [round(x, 2) for x in os.getloadavg()]
        enc = wb.load_encoder("smollm2")
        pool = list(wb.datasets.load("rotten-tomatoes").texts)
        texts = [pool[i] for i in np.random.default_rng(args.seed).choice(len(pool), args.n, replace=False)]
        _, export_s = timed(lambda: onnx.session(enc, "fp32"))

        def run(**o):
            return lambda: enc.encode_poolings(texts, ["last", "mean"], batch_size=args.batch_size, cache=False,
                                               show_progress=False, **o)

        enc.encode(texts[:4], cache=False), enc.encode(texts[:4], backend="onnx", cache=False)  # warm-up
        seconds = {"torch": [], "onnx": []}
        grids = {}
        for _ in range(args.repeats):
            for name, fn in (("torch", run()), ("onnx", run(backend="onnx"))):
                grids[name], s = timed(fn)
                seconds[name].append(s)
        print(f"decoder backend benchmark: smollm2 ({enc.n_layers} layers, {enc.dim}-d), {args.n} texts from "
              f"'rotten-tomatoes' (seed {args.seed}), batch {args.batch_size}, torch threads "
              f"{torch.get_num_threads()} (ONNX Runtime the same), best of {args.repeats}; load average before "
              f"{load_before}, after {[round(x, 2) for x in os.getloadavg()]}; export took {export_s:.1f} s")
        rate = {k: args.n / min(v) for k, v in seconds.items()}
        print(f"throughput (every layer, last and mean pooling from one forward pass): torch fp32 "
              f"{rate['torch']:.1f} texts/s, onnx fp32 {rate['onnx']:.1f} texts/s "
              f"({rate['onnx'] / rate['torch']:.2f}x torch)")
        print(f"{'pooling':<8} {'layers':<7} {'max abs diff':>13} {'min cos':>9} {'mean cos':>9}  target")
        ok = True
        for pooling in ("last", "mean"):
            ref, got = grids["torch"][pooling], grids["onnx"][pooling]
            for label, a, b in (("last", ref[-1], got[-1]), ("all", ref.reshape(-1, ref.shape[-1]),
                                                              got.reshape(-1, got.shape[-1]))):
                cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
                diff = float(np.abs(a.astype(np.float64) - b).max())
                ok &= diff < MAX_ABS_DIFF
                print(f"{pooling:<8} {label:<7} {diff:>13.2e} {cos.min():>9.6f} {cos.mean():>9.6f}  "
                      f"{'PASS' if diff < MAX_ABS_DIFF else 'MISS'} (< {MAX_ABS_DIFF:g})")
        print(f"agreement target {'met' if ok else 'missed'}")
    finally:
        shutil.rmtree(cache_root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
