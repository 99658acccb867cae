"""Search benchmark: the index scaling sweep, and exact search against a plain numpy matrix product.

What it measures, in one process:

1. the scaling sweep: real ``--model`` vectors of a packaged retrieval set's documents
   (default all-MiniLM-L6-v2 on rotten-tomatoes-synopsis, 4,866 reviews), grown to each
   size in ``--sizes`` by small perturbations (``workbench.search.perturbed_corpus``),
   with the set's queries; per size and index: build seconds, memory, bytes per vector,
   queries per second and recall@10 against exact search. Sizes above ``--max-n``
   (default 200,000) are skipped; ``--max-n 1000000`` runs the 1M point (about 1.5 GB
   of float32 vectors, several minutes of HNSW build on 2 cores);
2. the peer: exact top-10 search (``workbench.search.exact_search``: faiss's brute-force
   k-NN, one query block per thread) against ``Q @ X.T`` plus ``argpartition`` in numpy
   on the largest corpus, same queries, same run, and the same thread count for both
   (``--threads``; numpy's BLAS is limited to it with threadpoolctl); best of
   ``--repeats`` interleaved runs each; the ratio of their throughputs, and whether they
   return the same neighbours (as sets, and rank by rank);
3. the machine: CPU count, faiss threads and load average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
from timing import timed

import workbench as wb
from workbench.search import SWEEP_INDEXES, exact_search, knn_recall, perturbed_corpus, scaling_sweep, top_k


def numpy_search(Q: np.ndarray, X: np.ndarray, k: int) -> np.ndarray:
    """The peer: a BLAS matrix product and a partial sort, in chunks of 8,192 rows."""
    ids = np.empty((len(Q), k), np.int64)
    for start in range(0, len(Q), 8192):
        ids[start:start + 8192] = top_k(Q[start:start + 8192] @ X.T, k)[1]
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="minilm")
    ap.add_argument("--data", default="rotten-tomatoes-synopsis")
    ap.add_argument("--sizes", default="10000,20000,50000,100000,200000,1000000")
    ap.add_argument("--max-n", type=int, default=200_000, help="skip sizes above this (1000000 for the 1M point)")
    ap.add_argument("--indexes", default=",".join(SWEEP_INDEXES))
    ap.add_argument("--queries", type=int, default=1000, help="queries (the set's, repeated with noise if fewer)")
    ap.add_argument("--threads", type=int, default=None, help="threads of both exact searches (default: faiss's)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of each exact search, best kept")
    ap.add_argument("--skip-sweep", action="store_true", help="only the exact search against numpy")
    args = ap.parse_args()

    import faiss
    from threadpoolctl import threadpool_limits

    threads = args.threads or faiss.omp_get_max_threads()

    print(f"machine: {os.cpu_count()} CPUs, faiss threads {faiss.omp_get_max_threads()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    ds = wb.datasets.load(args.data)
    enc = wb.load_encoder(args.model)
    X = enc.encode(ds.documents, show_progress=None)
    Q = perturbed_corpus(enc.encode(ds.query_texts, show_progress=None), max(args.queries, len(ds.queries)),
                         seed=1)[: args.queries]
    sizes = [n for n in (int(s) for s in args.sizes.split(",")) if n <= args.max_n]
    skipped = [s for s in args.sizes.split(",") if int(s) > args.max_n]
    print(f"vectors: {args.model} on {args.data} ({len(X)} documents, {X.shape[1]}-d), {len(Q)} queries; "
          f"sizes {sizes}" + (f"; skipped {skipped} (above --max-n)" if skipped else ""))
    pd.set_option("display.width", 200)
    if not args.skip_sweep:
        start = time.perf_counter()
        table = scaling_sweep(X, Q, sizes=sizes, indexes=args.indexes.split(","), show_progress=None)
        print(f"\nscaling sweep ({time.perf_counter() - start:.0f} s)")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))

    big = perturbed_corpus(X, sizes[-1])
    t_ours, t_numpy = [], []
    for _ in range(args.repeats):  # interleaved, so a slow spell on a shared machine hits both
        (_, ours), seconds = timed(lambda: exact_search(Q, big, 10, threads=threads))
        t_ours.append(seconds)
        with threadpool_limits(limits=threads, user_api="blas"):
            peer, seconds = timed(lambda: numpy_search(Q, big, 10))
        t_numpy.append(seconds)
    print(f"\nexact top-10 search, n={len(big)} x {big.shape[1]}, {len(Q)} queries, {threads} threads each, "
          f"best of {args.repeats}")
    print(pd.DataFrame([{"method": "workbench.search.exact_search (faiss knn, a query block per thread)",
                         "QPS": len(Q) / min(t_ours), "seconds": min(t_ours)},
                        {"method": "numpy Q @ X.T + argpartition (peer)", "QPS": len(Q) / min(t_numpy),
                         "seconds": min(t_numpy)}]).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"ratio exact_search / numpy: {min(t_numpy) / min(t_ours):.2f}x (per round: "
          f"{' '.join(f'{n / o:.2f}' for n, o in zip(t_numpy, t_ours))}); same neighbours: "
          f"{knn_recall(ours, peer):.4f} as sets, {float(np.mean(ours == peer)):.4f} rank by rank")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
