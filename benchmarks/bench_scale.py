"""Scale benchmark: one process encoding a corpus against the Ray engine with a pool of actors, in one run.

What it measures, on one corpus of real texts (Women's clothing reviews and Rotten
Tomatoes snippets, cycled to ``--n`` rows, written as JSON lines) and one model
(all-MiniLM-L6-v2) on one backend (``--backend``: torch, or ONNX Runtime fp32):

1. the peer: ``Encoder.encode`` of the whole corpus in this process, torch threads as
   the machine gives them, cache off: texts per second;
2. Ray: the start-up of a local Ray (``ray.init``), then ``wb.scale.encode_dataset``
   with ``--actors`` actors of one CPU each into parquet shards: texts per second end to
   end (actor start and model loads included) and the ratio to the peer; the vectors
   read back against the peer's (max abs diff; the target is < 1e-6);
3. resumption: the same Ray run as a ``workbench embed --engine ray`` subprocess,
   killed (SIGKILL) once its first shards are on disk, then rerun: the shards skipped
   and the rerun's output against the first (identical ids, max abs diff).

On a machine with two cores, two actors of one thread each do the work one process
with two threads does, plus Ray's start-up and per-actor model loads, so the ratio is
below 1 here; the engine is for spreading a corpus over more cores and machines than
one process can use (``--address`` of a cluster). Left out: multi-node runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from timing import timed

SAME = 1e-6


def corpus(n: int) -> list[str]:
    import workbench as wb

    pool = list(wb.datasets.load("clothing-reviews").texts) + list(wb.datasets.load("rotten-tomatoes").texts)
    return [pool[i % len(pool)] for i in range(n)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=100_000, help="texts in the corpus (default 100,000)")
    p.add_argument("--actors", type=int, default=2)
    p.add_argument("--shard-size", type=int, default=4096)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--backend", default="torch", choices=["torch", "onnx"],
                   help="the encode backend of every engine (onnx: ONNX Runtime fp32, the fast path)")
    p.add_argument("--no-resume", action="store_true", help="skip the kill-and-rerun part")
    args = p.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="wb-bench-scale-"))
    try:
        import torch

        import workbench as wb

        load_before = [round(x, 2) for x in os.getloadavg()]
        texts = corpus(args.n)
        path = root / "corpus.jsonl"
        with open(path, "w") as f:
            for t in texts:
                f.write(json.dumps({"text": t}) + "\n")
        enc = wb.load_encoder("minilm")
        enc.encode(texts[:64], cache=False, backend=args.backend)  # warm-up (and the one-off ONNX export)
        X, local_s = timed(lambda: enc.encode(texts, batch_size=args.batch_size, cache=False, show_progress=False,
                                              backend=args.backend))
        _, init_s = timed(lambda: wb.scale.start_ray(num_cpus=args.actors))
        run, ray_s = timed(lambda: wb.scale.encode_dataset(path, root / "ray", model="minilm", engine="ray",
                                                           actors=args.actors, shard_size=args.shard_size,
                                                           batch_size=args.batch_size, backend=args.backend,
                                                           show_progress=False))
        ids, Y = wb.scale.read_vectors(root / "ray")
        diff = float(np.abs(Y - X).max())
        print(f"scale benchmark: {args.n} texts (clothing reviews + rotten tomatoes, cycled), minilm on "
              f"{args.backend} fp32, batch "
              f"{args.batch_size}, shards of {args.shard_size} ({run['shards']}), {os.cpu_count()} logical CPUs, "
              f"torch threads {torch.get_num_threads()}; load average before {load_before}, after "
              f"{[round(x, 2) for x in os.getloadavg()]}")
        print(f"{'engine':<36} {'seconds':>8} {'texts/s':>8} {'vs local':>9}")
        print(f"{'local: one process, encode()':<36} {local_s:>8.1f} {args.n / local_s:>8.1f} {1:>8.2f}x")
        print(f"{f'ray: {args.actors} actors x 1 CPU (end to end)':<36} {ray_s:>8.1f} {args.n / ray_s:>8.1f} "
              f"{local_s / ray_s:>8.2f}x")
        print(f"ray start-up (ray.init, local): {init_s:.1f} s, not in the row above")
        print(f"vectors: ray shards against local encode, max abs diff {diff:.2e} "
              f"({'PASS' if diff < SAME else 'MISS'} < {SAME:g}); ids in order: "
              f"{ids.tolist() == list(range(args.n))}")
        if not args.no_resume:
            resume(root, path, args, Y)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


def resume(root: Path, path: Path, args, Y: np.ndarray) -> None:
    """Kill a ``workbench embed --engine ray`` run once shards are on disk, rerun it, compare."""
    import workbench as wb

    out = root / "killed"
    cmd = [sys.executable, "-m", "workbench.cli", "embed", "--engine", "ray", "--data", str(path), "--out", str(out),
           "--actors", str(args.actors), "--shard-size", str(args.shard_size), "--batch-size", str(args.batch_size),
           "--backend", args.backend]
    env = {**os.environ, "PYTHONPATH": str(Path(wb.__file__).parent.parent)}
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    began = time.perf_counter()
    while child.poll() is None and len(list(out.glob("part-*.parquet"))) < 2 and time.perf_counter() - began < 900:
        time.sleep(0.5)
    os.killpg(child.pid, signal.SIGKILL)  # the driver and whatever it started in its session
    child.wait()
    before = len(list(out.glob("part-*.parquet")))
    run = wb.scale.encode_dataset(path, out, model="minilm", engine="ray", actors=args.actors,
                                  shard_size=args.shard_size, batch_size=args.batch_size, backend=args.backend,
                                  show_progress=False)
    ids, Z = wb.scale.read_vectors(out)
    print(f"resume: killed with {before} of {run['shards']} shards on disk; the rerun skipped {run['skipped']} and "
          f"wrote {run['written']}; against the uninterrupted run: ids equal {ids.tolist() == list(range(len(Z)))}, "
          f"max abs diff {float(np.abs(Z - Y).max()):.2e}")


if __name__ == "__main__":
    raise SystemExit(main())
