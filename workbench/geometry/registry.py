"""All geometry metrics by name, and :func:`report`, which runs them sharing the expensive
pieces (one :class:`~workbench.geometry.core.PreparedVectors` for every metric).
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable

import numpy as np

from ..vectors import check_vectors
from .core import MIN_DIM, MIN_ROWS, GeometryWarning, PreparedVectors
from .cosine import alignment, average_cosine, rogue_dimensions, uniformity
from .knn import hubness, mle_dimension, twonn_dimension
from .spectrum import effective_rank, isoscore, partition_isotropy, spectrum

# ---------------------------------------------------------------------- registry and report
METRICS: dict[str, Callable[..., Any]] = {
    "average_cosine": average_cosine,
    "isoscore": isoscore,
    "partition_isotropy": partition_isotropy,
    "spectrum": spectrum,
    "effective_rank": effective_rank,
    "rogue_dimensions": rogue_dimensions,
    "twonn": twonn_dimension,
    "mle": mle_dimension,
    "hubness": hubness,
    "uniformity": uniformity,
    "alignment": alignment,
}


def _needs_pairs(fn: Callable) -> bool:
    return "pairs" in inspect.signature(fn).parameters


def check_metrics(metrics: Any) -> list[str]:
    """Validate metric names against ``METRICS``; None means all of them.

    Examples
    --------
    >>> check_metrics(["isoscore"])
    ['isoscore']
    """
    if metrics is None:
        return list(METRICS)
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in names if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; valid: {', '.join(METRICS)}")
    return names


#: rows beyond which ``report`` computes its metrics on a seeded sample of this many rows
MAX_ROWS = 250_000


def report_note(notes: dict[str, list[str]], n: int, d: int) -> str:
    """The one warning line of a report: each message with the metrics it concerns.

    Examples
    --------
    >>> report_note({"n <= d": ["isoscore", "effective_rank"], "left out of the report: constant": ["twonn"]}, 5, 9)
    'geometry report on 5 x 9 vectors: isoscore, effective_rank: n <= d; twonn left out of the report: constant'
    """
    parts = [f"{', '.join(ms)} {msg}" if msg.startswith("left out") else f"{', '.join(ms)}: {msg}"
             for msg, ms in notes.items()]
    return f"geometry report on {n} x {d} vectors: " + "; ".join(parts)


def report(X: Any, pairs: Any = None, *, metrics: Any = None, knn_sample: int = 10_000,
           seed: int = 0, errors: str | None = None, max_rows: int | None = MAX_ROWS) -> dict[str, float]:
    """Run every metric (or those named) on ``X``; one flat dict of floats.

    A metric that returns a dict contributes ``name`` (its ``value``) and
    ``name_key`` for its other keys. ``alignment`` runs only when ``pairs`` are given.
    kNN-based metrics share one kNN graph on at most ``knn_sample`` random rows.
    ``errors="warn"`` turns a metric's ValueError on degenerate data (e.g. constant
    vectors, as the ``[CLS]`` state of a model's embedding layer is, or too few
    dimensions for a metric's default) into a ``GeometryWarning`` and leaves that metric
    out of the dict; ``"raise"`` re-raises. The default (None) warns when every metric
    runs (``metrics=None``), so the rest of the report is still computed, and raises
    when the metrics are named.

    Above ``max_rows`` rows (default ``MAX_ROWS``; None: never) the metrics run on a
    seeded random sample of ``max_rows`` rows, and the report says so: ``n`` stays the
    number of rows given, ``sample_rows`` is the number the metrics saw. Every row is
    still checked (finite numbers). The covariance, the unit-row moments and the partition
    function each cost ``n * d**2``; at 1,000,000 x 768 a sample of 250,000 rows is four
    times cheaper, and ``benchmarks/bench_geometry.py --sample-error`` measures how far
    each metric moves (the average cosine's own confidence interval is that of the sample).
    ``alignment``'s pairs index the full ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    >>> r = report(X)
    >>> r["isoscore"] > 0.9, abs(r["average_cosine"]) < 0.05, r["n"]
    (True, True, 300)
    """
    if errors not in (None, "raise", "warn"):
        raise ValueError(f"errors must be None, 'raise' or 'warn', got {errors!r}")
    errors = errors or ("warn" if metrics is None else "raise")
    names = check_metrics(metrics)
    full = check_vectors(X, min_rows=MIN_ROWS, min_dim=MIN_DIM)
    if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer))
                                 or max_rows < MIN_ROWS):
        raise ValueError(f"max_rows must be an int >= {MIN_ROWS} or None, got {max_rows!r}")
    sampled = max_rows is not None and len(full) > max_rows
    rows = np.sort(np.random.default_rng(seed).choice(len(full), int(max_rows), replace=False)) if sampled else None
    P = PreparedVectors(full[rows] if sampled else full, knn_sample=knn_sample, seed=seed)
    out: dict[str, float] = {"n": len(full), "dim": P.d, **({"sample_rows": P.n} if sampled else {})}
    if sampled and pairs is not None and not isinstance(pairs, tuple):  # row indices into the full X
        idx = np.asarray(pairs)
        if idx.ndim == 2 and idx.shape[1] == 2 and len(idx) and np.issubdtype(idx.dtype, np.integer):
            if idx.min() < -len(full) or idx.max() >= len(full):
                raise ValueError(f"pairs hold row indices outside 0..{len(full) - 1}")
            pairs = (full[idx[:, 0]], full[idx[:, 1]])
    notes: dict[str, list[str]] = {}  # one GeometryWarning per report: message -> the metrics it concerns
    for name in names:
        fn = METRICS[name]
        if _needs_pairs(fn) and pairs is None:
            if metrics is not None:
                raise ValueError(f"metric {name!r} needs positive pairs: pass pairs=")
            continue
        value = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                value = fn(P, pairs) if _needs_pairs(fn) else fn(P)
            except ValueError as exc:
                if errors == "raise":
                    raise
                notes.setdefault(f"left out of the report: {exc}", []).append(name)
        for w in caught:
            if issubclass(w.category, GeometryWarning):
                notes.setdefault(str(w.message), []).append(name)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
        if isinstance(value, dict):
            for key, v in value.items():
                out[name if key == "value" else f"{name}_{key}"] = v
        elif value is not None:
            out[name] = value
    if notes:
        warnings.warn(report_note(notes, P.n, P.d), GeometryWarning, stacklevel=2)
    return out
