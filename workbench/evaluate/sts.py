"""Semantic textual similarity: rank correlation between cosine similarity and gold scores.

MTEB's main STS score is the Spearman correlation between the cosine similarity of the
two texts' vectors and the human score; Pearson is reported beside it, with a bootstrap
95% interval of Spearman over pairs (from :mod:`.stats`). Left out: other similarity
functions (Euclidean, Manhattan) that MTEB also lists, and per-language breakdowns.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from ..vectors import check_vectors
from . import stats as wb_stats
from .inputs import reject_name, require_nonempty

if TYPE_CHECKING:
    from ..datasets import PairDataset
    from ..encoder import Encoder

MAIN = "spearman"


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


def pair_vectors(model, pairs: "PairDataset", **encode_kwargs) -> tuple[np.ndarray, np.ndarray]:
    """Vectors of both sides of each pair; an encoder embeds each distinct text once."""
    require_nonempty(len(pairs), "pairs")
    reject_name(model)
    if isinstance(model, tuple):
        if len(model) != 2:
            raise ValueError("precomputed vectors must be a (vectors1, vectors2) pair")
        if encode_kwargs:
            raise TypeError(f"encode options {sorted(encode_kwargs)} only apply to an encoder, not vectors")
        return (check_vectors(model[0], "vectors1", n_rows=len(pairs), dtype=np.float32),
                check_vectors(model[1], "vectors2", n_rows=len(pairs), dtype=np.float32))
    # each distinct text is embedded once (Lee's 1,225 pairs hold only 50 documents)
    unique = list(dict.fromkeys([*pairs.text1, *pairs.text2]))
    row = {t: i for i, t in enumerate(unique)}
    encode_kwargs.setdefault("show_progress", None)
    vectors = check_vectors(model.encode(unique, **encode_kwargs), "encoded vectors", n_rows=len(unique),
                            dtype=np.float32)
    return vectors[[row[t] for t in pairs.text1]], vectors[[row[t] for t in pairs.text2]]


def evaluate_sts(model: "Encoder | tuple[np.ndarray, np.ndarray]", pairs: "PairDataset", *,
                 n_resamples: int = 1000, per_pair: bool = False, **encode_kwargs) -> dict:
    """Spearman (main) and Pearson correlation of cosine similarity with gold scores.

    Parameters
    ----------
    model : Encoder or (vectors1, vectors2)
        An encoder (texts are embedded with ``encode_kwargs``) or precomputed vectors
        for ``pairs.text1`` and ``pairs.text2``.
    pairs : PairDataset
    n_resamples : int, default 1000
        Bootstrap resamples of pairs for ``spearman_ci`` (0 skips it).
    per_pair : bool, default False
        Also return ``"per_pair"``: ``{"cosine": ..., "gold": ...}`` arrays, the input of
        :func:`workbench.evaluate.stats.paired_test` with ``statistic="spearman"``.
    **encode_kwargs
        Passed to ``Encoder.encode`` (pooling, layer, prompt, precision, ...).

    Returns
    -------
    dict with ``spearman``, ``pearson``, ``n`` and ``spearman_ci`` (95% interval)

    Examples
    --------
    >>> import workbench as wb
    >>> res = evaluate_sts(wb.load_encoder("glove-50d"), wb.datasets.load("wordsim353"))
    >>> res["spearman"] > 0.45, res["spearman_ci"][0] < res["spearman"] < res["spearman_ci"][1]
    (True, True)
    """
    a, b = pair_vectors(model, pairs, **encode_kwargs)
    sims = cosine_rows(a, b)
    gold = np.asarray(pairs.scores, np.float64)
    if len(gold) != len(sims):
        raise ValueError(f"{len(sims)} vector pairs for {len(gold)} gold scores")
    if not np.isfinite(gold).all():
        raise ValueError(f"{pairs.name}: {int((~np.isfinite(gold)).sum())} gold scores are NaN or infinite")
    if len(gold) < 3 or np.ptp(gold) == 0:
        raise ValueError(f"{pairs.name}: need at least 3 pairs with differing gold scores to correlate")
    if np.ptp(sims) == 0:  # constant vectors (layer-0 [CLS], say): no ranking to correlate
        warnings.warn(f"{pairs.name}: all {len(sims)} cosine similarities are equal ({sims[0]:.4g}), so Spearman "
                      "and Pearson correlations are undefined; reporting NaN", RuntimeWarning, stacklevel=2)
        res = {"spearman": float("nan"), "pearson": float("nan"), "n": int(len(gold))}
        if n_resamples:
            res["spearman_ci"] = (float("nan"), float("nan"))
        if per_pair:
            res["per_pair"] = {"cosine": sims, "gold": gold}
        return res
    res = {
        "spearman": float(stats.spearmanr(sims, gold).statistic),
        "pearson": float(stats.pearsonr(sims, gold).statistic),
        "n": int(len(gold)),
    }
    if n_resamples:
        res["spearman_ci"] = wb_stats.bootstrap_ci(sims, gold, statistic="spearman", n_resamples=n_resamples)
    if per_pair:
        res["per_pair"] = {"cosine": sims, "gold": gold}
    return res
