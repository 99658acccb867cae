"""Geometry benchmark: ``geometry.report`` on 100,000 x 384 float32 vectors, metric by metric,
beside reference packages timed in the same run on the metrics they share.

The vectors are synthetic but shaped like sentence embeddings: a Gaussian cloud with a
power-law spectrum (variance of axis i ~ 1 / i), randomly rotated, plus a common offset
(the anisotropy of real models). Each workbench metric is timed inside one shared
``PreparedVectors`` object (as ``report`` runs them, so shared pieces are charged to the first
metric that needs them; column "in report"); the metrics that have a peer are also
timed alone from a fresh state (column "alone", the fair comparison with the peer);
then ``report`` as a whole is timed from scratch. Peak memory
is the process's resident high-water mark (``ru_maxrss``) read after ``report`` and
before any reference package is imported.

Peers, on the same vectors: ``IsoScore.IsoScore`` (the authors' package, torch) for
IsoScore; ``sklearn.decomposition.PCA`` for the explained-variance spectrum;
``skdim.id.TwoNN`` and ``skdim.id.MLE`` (scikit-dimension) for intrinsic dimension on the
same ``--knn-sample`` rows the workbench uses (skdim's TwoNN sorts full distance rows,
quadratic in the sample). Targets (report < 30 s, peak < 3 GB) print as PASS / MISS and
never fail the script. Left out: GPU runs and real-model vectors (see the notebook).

At a million rows: ``--n 1000000 --d 768 --report-only`` times ``report`` alone (wall and
process CPU seconds; above ``geometry.MAX_ROWS`` rows it samples, and says so), against
the 60 s target; ``--sample-error`` also runs it on every row (``max_rows=None``) and
prints how far each metric of the sampled report is from the full one.
"""

from __future__ import annotations

import argparse
import os
import resource
import warnings

import numpy as np
from timing import timed

TARGET_S, TARGET_GB = 30.0, 3.0


def make_vectors(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.normal(size=(d, d)))[0].astype(np.float32)
    scale = (1.0 / np.sqrt(np.arange(1, d + 1))).astype(np.float32)
    X = np.empty((n, d), np.float32)
    offset = rng.normal(size=d).astype(np.float32) * 0.3
    for s in range(0, n, 10_000):
        X[s:s + 10_000] = (rng.standard_normal((min(10_000, n - s), d), dtype=np.float32) * scale) @ Q + offset
    return X


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--d", type=int, default=384)
    ap.add_argument("--knn-sample", type=int, default=10_000)
    ap.add_argument("--no-peers", action="store_true", help="skip the reference packages")
    ap.add_argument("--report-only", action="store_true", help="time report() alone (the million-row target)")
    ap.add_argument("--sample-error", action="store_true", help="with --report-only: the sampled report against "
                                                                "the report on every row")
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    from workbench import geometry  # noqa: PLC0415
    from workbench.geometry.core import PreparedVectors  # noqa: PLC0415

    X = make_vectors(args.n, args.d)
    print(f"vectors: {args.n} x {args.d} float32, kNN sample {args.knn_sample}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if args.report_only:
        report_only(X, args, geometry)
        return
    P = PreparedVectors(X, knn_sample=args.knn_sample)
    rows = []
    for name, fn in geometry.METRICS.items():
        if name == "alignment":
            pairs = np.stack([np.arange(0, 2000, 2), np.arange(1, 2000, 2)], axis=1)
            value, sec = timed(lambda: fn(P, pairs))
        else:
            value, sec = timed(lambda: fn(P))
        value = value.get("value", next(iter(value.values()))) if isinstance(value, dict) else value
        rows.append([name, value, sec])
    # metrics with a peer are also timed alone (fresh shared state), which is what the peer does
    alone = {name: timed(lambda: geometry.METRICS[name](PreparedVectors(X, knn_sample=args.knn_sample)))[1]
             for name in ("isoscore", "spectrum", "twonn", "mle")} if not args.no_peers else {}
    _, total = timed(lambda: geometry.report(X, knn_sample=args.knn_sample))
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    peers: dict[str, tuple[float, float]] = {}
    if not args.no_peers:
        from IsoScore import IsoScore  # noqa: PLC0415
        from sklearn.decomposition import PCA  # noqa: PLC0415

        v, s = timed(lambda: float(IsoScore.IsoScore(X)))
        peers["isoscore"] = (v, s)
        v, s = timed(lambda: float(PCA().fit(X).explained_variance_ratio_[0]))
        peers["spectrum"] = (v, s)
        import skdim  # noqa: PLC0415

        rng = np.random.default_rng(0)
        rows_s = np.sort(rng.choice(args.n, args.knn_sample, replace=False)) if args.n > args.knn_sample \
            else np.arange(args.n)
        Xs = X[rows_s].astype(np.float64)
        peers["twonn"] = timed(lambda: float(skdim.id.TwoNN().fit(Xs).dimension_))
        peers["mle"] = timed(lambda: float(skdim.id.MLE().fit(Xs).dimension_))

    print(f"\n{'metric':<20} {'workbench':>12} {'in report s':>11} {'alone s':>8} {'peer value':>12} {'peer s':>8}"
          f" {'peer/alone':>10}")
    for name, value, sec in rows:
        pv, ps = peers.get(name, (None, None))
        peer = (f"{alone[name]:>8.2f} {pv:>12.5g} {ps:>8.2f} {ps / max(alone[name], 1e-9):>10.1f}" if pv is not None
                else f"{'-':>8} {'-':>12} {'-':>8} {'-':>10}")
        print(f"{name:<20} {value:>12.5g} {sec:>11.2f} {peer}")
    verdict = "PASS" if total < TARGET_S else "MISS"
    print(f"\nreport() from scratch: {total:.1f} s (target < {TARGET_S:.0f} s: {verdict})")
    print(f"peak resident memory before peers: {peak_gb:.2f} GB "
          f"(target < {TARGET_GB:.0f} GB: {'PASS' if peak_gb < TARGET_GB else 'MISS'})")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def report_only(X: np.ndarray, args, geometry) -> None:
    import time  # noqa: PLC0415

    wall, cpu = time.perf_counter(), time.process_time()
    got = geometry.report(X, knn_sample=args.knn_sample)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows = got.get("sample_rows", args.n)
    print(f"report(): {wall:.1f} s wall, {cpu:.1f} s process CPU, metrics on {rows} of {args.n} rows "
          f"(target < 60 s wall on an idle 2-core machine: {'PASS' if wall < 60 else 'MISS'} here; CPU / 2 = "
          f"{cpu / 2:.1f} s is the wall time two idle cores would need at best); load average after "
          f"{os.getloadavg()[0]:.2f}")
    if not args.sample_error:
        return
    wall = time.perf_counter()
    full = geometry.report(X, knn_sample=args.knn_sample, max_rows=None)
    print(f"report(max_rows=None) on every row: {time.perf_counter() - wall:.1f} s wall")
    print(f"{'metric':<28} {'every row':>12} {'sampled':>12} {'abs diff':>10} {'rel diff':>10}")
    for key, value in full.items():
        if key in ("n", "dim") or not isinstance(value, float):
            continue
        diff = abs(got[key] - value)
        print(f"{key:<28} {value:>12.6g} {got[key]:>12.6g} {diff:>10.2e} {diff / max(abs(value), 1e-12):>10.2e}")


if __name__ == "__main__":
    main()
