"""Wiring that several entries share: a held-out retrieval split, STS cosines, paired comparisons, a bar chart.

Nothing here is an experiment of its own: each function calls the package (training
splits, ``evaluate_retrieval``, ``paired_test``) the way an entry would, so that entries
stay a few lines long and compare alike.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import theme

__all__ = ["bar_figure", "compare", "compare_sts", "docstring_split", "retrieval_ndcg", "sts_cosines"]


def docstring_split(smoke: bool, *, n_train: int = 1200, n_test: int = 150, n_docs: int = 600):
    """Training pairs and held-out queries of ``python-docstrings`` (docstring -> function code), sized.

    Smoke size: 32 training pairs, 16 queries over 64 documents.
    """
    from ..train import training_split  # noqa: PLC0415

    if smoke:
        return training_split("python-docstrings", n_train=32, n_test=16, n_test_docs=64)
    return training_split("python-docstrings", n_train=n_train, n_test=n_test, n_test_docs=n_docs)


def retrieval_ndcg(model, test, **encode_kwargs) -> np.ndarray:
    """Per-query nDCG@10 of ``model`` (an Encoder, BM25 or (Q, X) vectors) on ``test``; quiet, vectors cached."""
    from ..evaluate import evaluate_retrieval  # noqa: PLC0415

    if not isinstance(model, tuple) and hasattr(model, "encode"):
        encode_kwargs = {"show_progress": False, **encode_kwargs}
    result = evaluate_retrieval(model, test, per_query=True, n_resamples=0, **encode_kwargs)
    return np.asarray(result["per_query"]["ndcg@10"], dtype=float)


def sts_cosines(model, smoke: bool, **encode_kwargs) -> tuple[np.ndarray, np.ndarray]:
    """Cosine per pair and gold score on the Lee document pairs (``lee-pairs``: 50 documents, 1,225 pairs).

    At smoke size only the pairs among the first 10 documents (45 pairs), cut to 64 tokens.
    """
    from .. import datasets  # noqa: PLC0415
    from ..evaluate import evaluate_sts  # noqa: PLC0415

    pairs = datasets.load("lee-pairs")
    if smoke:
        first = list(dict.fromkeys([*pairs.text1, *pairs.text2]))[:10]
        keep = set(first)
        pairs = pairs.select([i for i, (a, b) in enumerate(zip(pairs.text1, pairs.text2)) if a in keep and b in keep])
        encode_kwargs["max_length"] = min(64, encode_kwargs.get("max_length") or 64)
    result = evaluate_sts(model, pairs, per_pair=True, n_resamples=0, show_progress=False,
                          **encode_kwargs)
    return np.asarray(result["per_pair"]["cosine"]), np.asarray(result["per_pair"]["gold"])


def compare_sts(a: np.ndarray, b: np.ndarray, gold: np.ndarray, *, seed: int = 0) -> dict:
    """Spearman of ``a`` and of ``b`` with ``gold`` and a paired permutation test of the difference."""
    from ..evaluate.stats import paired_test  # noqa: PLC0415

    return paired_test(a, b, gold, statistic="spearman", n_resamples=2000, seed=seed)


def compare(a: Sequence[float], b: Sequence[float], *, seed: int = 0) -> dict:
    """Mean of ``a`` and ``b`` per item and a paired permutation test of a - b (``workbench.evaluate.stats``)."""
    from ..evaluate.stats import paired_test  # noqa: PLC0415

    return paired_test(np.asarray(a, float), np.asarray(b, float), n_resamples=2000, seed=seed)


def bar_figure(labels: Sequence[str], values: Sequence[float], *, title: str, yaxis: str,
               errors: Sequence[tuple[float, float]] | None = None):
    """A bar chart of our numbers (with intervals when given), titled with what it shows."""
    import plotly.graph_objects as go  # noqa: PLC0415

    error_y = None
    if errors is not None:
        lo = [v - e[0] for v, e in zip(values, errors)]
        hi = [e[1] - v for v, e in zip(values, errors)]
        error_y = dict(type="data", array=hi, arrayminus=lo)
    fig = go.Figure(go.Bar(x=list(labels), y=list(values), error_y=error_y, marker_color=theme.QUALITATIVE[0]))
    fig.update_layout(title=title, yaxis_title=yaxis, template=theme.template(), height=420)
    return fig
