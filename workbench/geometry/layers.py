"""Geometry layer by layer: one tidy table (layer, pooling, metric, value) for a model.

Pooled vectors of every layer come from ``Encoder.encode_layers`` (raw, not
normalised, unless asked) and go through ``geometry.report``; the special pooling name
``"tokens"`` adds Ethayarajh's token-level measures from ``tokens``. Each
(model, texts, pooling, options) table is cached on disk as JSON under the workbench
cache folder (namespace ``geometry``), written atomically; a damaged entry is
recomputed with a warning. Left out: plotting (see the notebook) and per-item outputs.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Sequence

import pandas as pd

from ..cache import atomic_write_bytes, entry_path, hash_texts, make_key
from ..notices import gathered
from .registry import check_metrics, report
from .tokens import token_geometry

_VERSION = 1  # bump when a metric's definition changes, to invalidate cached tables
COLUMNS = ["layer", "pooling", "metric", "value"]


def _cached(key: str, compute) -> list[list]:
    path = entry_path(key, "geometry").with_suffix(".json")
    if path.exists():
        try:
            rows = json.loads(path.read_text())
            if isinstance(rows, list) and all(isinstance(r, list) and len(r) == 4 for r in rows):
                return rows
            raise ValueError("not a list of 4-field rows")
        except (ValueError, UnicodeDecodeError) as exc:
            warnings.warn(f"workbench cache entry {path} is damaged ({exc}); recomputing it", RuntimeWarning,
                          stacklevel=3)
    rows = compute()
    try:
        atomic_write_bytes(path, json.dumps(rows).encode())
    except OSError as exc:  # a read-only or full disk: the rows are still returned
        warnings.warn(f"workbench cache: cannot write {path} ({exc}); the result is not cached", RuntimeWarning,
                      stacklevel=3)
    return rows


def layerwise(encoder, texts: Sequence[str], metrics: Any = ("average_cosine", "isoscore", "effective_rank"),
              pooling: str | Sequence[str] = "mean", *, normalize: bool = False, knn_sample: int = 10_000,
              min_contexts: int = 5, max_length: int | None = 128, cache: bool = True,
              show_progress: bool | None = None) -> pd.DataFrame:
    """Geometry of every layer of ``encoder`` on ``texts`` as a tidy DataFrame.

    Parameters
    ----------
    encoder : Encoder
    texts : list of str
    metrics : name or list of names from ``geometry.METRICS`` (None: all but ``alignment``)
        Applied to the pooled vectors of each layer.
    pooling : str or list of str
        Pooling modes (``workbench.pooling.POOLING_MODES``) and/or ``"tokens"`` for
        self-similarity and intra-sentence similarity of token states.
    normalize : bool
        L2-normalise pooled vectors first (cosine metrics do not change; IsoScore does).
    knn_sample, min_contexts, max_length
        Passed to ``geometry.report``, ``token_geometry`` and the encoder.
    cache : bool
        Read and write the on-disk table cache.

    Returns
    -------
    DataFrame with columns ``layer`` (0 = embeddings), ``pooling``, ``metric``, ``value``

    Examples
    --------
    >>> import workbench as wb
    >>> texts = wb.datasets.load("pang-lee-polarity").texts[:40]
    >>> df = layerwise(wb.load_encoder("minilm"), texts, metrics="average_cosine", pooling=["cls", "mean"])
    >>> df.shape, sorted(df.pooling.unique())
    ((42, 4), ['cls', 'mean'])
    """
    texts = list(texts)
    poolings = [pooling] if isinstance(pooling, str) else list(pooling)
    if not poolings:
        raise ValueError("pooling must name at least one mode (or 'tokens')")
    names = [m for m in check_metrics(metrics) if not (metrics is None and m == "alignment")]
    if "alignment" in names:
        raise ValueError("'alignment' needs positive pairs; layerwise does not take them — use geometry.report")
    with gathered():  # one warning line per kind for the whole sweep, not one per layer
        return _sweep(encoder, texts, poolings, names, normalize=normalize, knn_sample=knn_sample,
                      min_contexts=min_contexts, max_length=max_length, show_progress=show_progress, cache=cache)


def _sweep(encoder, texts, poolings, names, *, normalize, knn_sample, min_contexts, max_length, show_progress,
           cache) -> pd.DataFrame:
    rows: list[list] = []
    for p in poolings:
        key = make_key(kind="layerwise", version=_VERSION, model=encoder.identity, texts=hash_texts(texts),
                             pooling=p, metrics=names if p != "tokens" else None, normalize=normalize,
                             knn_sample=knn_sample, min_contexts=min_contexts if p == "tokens" else None,
                             max_length=max_length)

        def compute(p=p):
            if p == "tokens":
                df = token_geometry(encoder, texts, min_contexts=min_contexts, max_length=max_length,
                                    show_progress=show_progress)
                return [[int(r.layer), "tokens", r.metric, float(r.value)] for r in df.itertuples()]
            H = encoder.encode_layers(texts, pooling=p, normalize=normalize, max_length=max_length,
                                      show_progress=show_progress, cache=cache)
            out = []
            for layer, X in enumerate(H):
                res = report(X, metrics=names, knn_sample=knn_sample, errors="warn")
                out += [[layer, p, m, float(v)] for m, v in res.items() if m not in ("n", "dim")]
            return out

        rows += _cached(key, compute) if cache else compute()
    return pd.DataFrame(rows, columns=COLUMNS)
