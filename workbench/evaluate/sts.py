"""Semantic textual similarity: rank correlation between cosine similarity and gold scores.

MTEB's main STS score is the Spearman correlation between the cosine similarity of the
two texts' vectors and the human score; Pearson is reported beside it. Confidence
intervals and paired tests belong to the statistics module, not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

if TYPE_CHECKING:
    from ..datasets import PairDataset
    from ..encoder import Encoder


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of matching rows of ``a`` and ``b`` (zero vectors score 0).

    Examples
    --------
    >>> cosine_rows(np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]])).round(3).tolist()
    [0.707]
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"expected two (n, d) arrays of the same shape, got {a.shape} and {b.shape}")
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.divide((a * b).sum(1), norms, out=np.zeros(len(a)), where=norms > 0)


def evaluate_sts(model: "Encoder | tuple[np.ndarray, np.ndarray]", pairs: "PairDataset", **encode_kwargs) -> dict:
    """Spearman (main) and Pearson correlation of cosine similarity with gold scores.

    Parameters
    ----------
    model : Encoder or (vectors1, vectors2)
        An encoder (texts are embedded with ``encode_kwargs``) or precomputed vectors
        for ``pairs.text1`` and ``pairs.text2``.
    pairs : PairDataset
    **encode_kwargs
        Passed to ``Encoder.encode`` (pooling, layer, prompt, precision, ...).

    Returns
    -------
    dict with ``spearman``, ``pearson`` and ``n``

    Examples
    --------
    >>> import workbench as wb
    >>> res = evaluate_sts(wb.load_encoder("minilm"), wb.datasets.load("lee-pairs"))
    >>> res["spearman"] > 0.5
    True
    """
    if isinstance(model, tuple):
        a, b = model
    else:
        # each distinct text is embedded once (Lee's 1,225 pairs hold only 50 documents)
        unique = list(dict.fromkeys([*pairs.text1, *pairs.text2]))
        row = {t: i for i, t in enumerate(unique)}
        vectors = model.encode(unique, **encode_kwargs)
        a = vectors[[row[t] for t in pairs.text1]]
        b = vectors[[row[t] for t in pairs.text2]]
    sims = cosine_rows(a, b)
    gold = np.asarray(pairs.scores, np.float64)
    if len(gold) != len(sims):
        raise ValueError(f"{len(sims)} vector pairs for {len(gold)} gold scores")
    return {
        "spearman": float(stats.spearmanr(sims, gold).statistic),
        "pearson": float(stats.pearsonr(sims, gold).statistic),
        "n": int(len(gold)),
    }
