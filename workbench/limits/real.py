"""Real retrievers against LIMIT-style data: one recall table for models, truncations and BM25.

Each row is one system on one data set: an encoder at full dimension or truncated to
its first ``dim`` coordinates (re-normalised, as Matryoshka truncation does), an encoder
with a chosen pooling, or BM25. The scores come from
:func:`workbench.evaluate.evaluate_retrieval` (recall@k in MTEB's definition). Vectors
are embedded once per (model, pooling) and truncated afterwards. Left out: prompts
per model, rerankers, multi-vector models.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd


def _within_corpus(res: dict, k_values: Sequence[int], n_docs: int) -> dict:
    """recall@k of ``res`` for each k, NaN where k reaches the corpus size (recall 1 by construction)."""
    return {f"recall@{k}": res[f"recall@{k}"] if k < n_docs else float("nan") for k in k_values}


def recall_table(
    datasets: Mapping[str, object],
    systems: Sequence[tuple[str, str | None, Sequence[int | None]]] = (
        ("minilm", None, (None, 256, 128, 64, 32)),
        ("smollm2", "last", (None,)),
        ("smollm2", "mean", (None,)),
    ),
    *,
    bm25: bool = True,
    k_values: Sequence[int] = (2, 10, 100),
    show_progress: bool | None = None,
) -> pd.DataFrame:
    """Recall@k of encoders (full and truncated) and BM25 on retrieval data sets.

    Parameters
    ----------
    datasets : mapping of name -> RetrievalDataset
    systems : sequence of (model name, pooling or None, dims)
        ``dims`` lists the truncations to score, ``None`` meaning the full dimension.
    bm25 : bool
        Add a BM25 row per data set.
    k_values : sequence of int
        Recall cut-offs. A cut-off at or beyond a data set's corpus size is left empty
        (NaN) for that set: all its documents come back, so recall is 1 by construction.

    Returns
    -------
    pandas.DataFrame
        Columns ``data``, ``system``, ``dim`` and ``recall@k`` for each k.

    Examples
    --------
    >>> from workbench.limits import generate_limit
    >>> df = recall_table({"toy": generate_limit(30, 2, seed=0)}, systems=(), k_values=(2,))
    >>> df[["system", "recall@2"]].values.tolist()
    [['BM25', 1.0]]
    >>> recall_table({"toy": generate_limit(30, 2, seed=0)}, systems=(), k_values=(2, 100))["recall@100"].tolist()
    [nan]
    """
    from ..bm25 import BM25  # noqa: PLC0415
    from ..evaluate import evaluate_retrieval  # noqa: PLC0415
    from ..models import load_encoder  # noqa: PLC0415

    if not datasets:
        raise ValueError("datasets is empty; pass a mapping of name -> RetrievalDataset")
    rows = []
    for data_name, ds in datasets.items():
        for model_name, pooling, dims in systems:
            enc = load_encoder(model_name)
            label = model_name if pooling is None else f"{model_name} ({pooling})"
            Q = enc.encode(ds.query_texts, pooling=pooling, show_progress=show_progress)
            X = enc.encode(ds.documents, pooling=pooling, show_progress=show_progress)
            for dim in dims:
                if dim is not None and dim > X.shape[1]:
                    raise ValueError(f"cannot truncate {model_name}'s {X.shape[1]}-d vectors to {dim}")
                res = evaluate_retrieval((Q, X), ds, k_values=k_values, dim=dim, n_resamples=0)
                rows.append({"data": data_name, "system": label, "dim": dim or X.shape[1],
                             **_within_corpus(res, k_values, len(ds.corpus))})
        if bm25:
            res = evaluate_retrieval(BM25(), ds, k_values=k_values, n_resamples=0)
            rows.append({"data": data_name, "system": "BM25", "dim": None,
                         **_within_corpus(res, k_values, len(ds.corpus))})
    out = pd.DataFrame(rows)
    out["dim"] = out["dim"].astype("Int64")  # BM25 has no dimension
    return out
