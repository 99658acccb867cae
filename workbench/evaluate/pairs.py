"""Pair classification: does the cosine score separate matching from non-matching pairs?

MTEB's main pair-classification score is the average precision of the pairs' cosine
similarities against binary labels (threshold-free); the best accuracy and F1 over
all thresholds are reported beside it. Labels come from a :class:`PairDataset` whose
scores are 0/1, or from graded scores cut at ``threshold``; :func:`pairs_from_retrieval`
turns a retrieval set into labelled pairs (a query with a relevant document: 1; with a
document relevant to another query: 0).

The 95% interval of AP is a bootstrap over pairs, vectorised as weighted AP
(:func:`weighted_average_precision`, equal to scikit-learn's with ``sample_weight``).
Left out: other similarity functions (dot, Euclidean, Manhattan) that MTEB also tries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .sts import cosine_rows, pair_vectors

if TYPE_CHECKING:
    from ..datasets import PairDataset, RetrievalDataset

MAIN = "ap"


def weighted_average_precision(y: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Average precision of ``scores`` for binary ``y`` under rows of sample ``weights``.

    ``weights`` is ``(b, n)`` (or ``(n,)``); tied scores form one threshold, as in
    ``sklearn.metrics.average_precision_score``. Integer weights equal repeated pairs,
    which is how the bootstrap uses it.

    Examples
    --------
    >>> float(weighted_average_precision(np.array([1, 0, 1]), np.array([0.9, 0.8, 0.7]), np.ones(3)))
    0.8333333333333333
    """
    y = np.asarray(y).astype(bool)
    order = np.argsort(-np.asarray(scores, np.float64), kind="stable")
    s = np.asarray(scores, np.float64)[order]
    w = np.atleast_2d(np.asarray(weights, np.float64))[:, order]
    tp = np.cumsum(w * y[order], axis=1)
    seen = np.cumsum(w, axis=1)
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # end of each group of tied scores
    tp, seen = tp[:, last], seen[:, last]
    total = tp[:, -1:]
    precision = np.divide(tp, seen, out=np.zeros_like(tp), where=seen > 0)
    gained = np.diff(np.concatenate([np.zeros((len(tp), 1)), tp], axis=1), axis=1)
    ap = np.divide((precision * gained).sum(1, keepdims=True), total, out=np.full_like(total, np.nan),
                   where=total > 0)[:, 0]
    return ap if np.ndim(weights) == 2 else ap[0]


def best_threshold_scores(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """Best accuracy and best F1 of ``score >= t`` over all thresholds t.

    Examples
    --------
    >>> best_threshold_scores(np.array([1, 1, 0, 0]), np.array([0.9, 0.4, 0.5, 0.1]))
    (0.75, 0.8)
    """
    y = np.asarray(y).astype(bool)
    order = np.argsort(-np.asarray(scores, np.float64), kind="stable")
    s, yy = np.asarray(scores, np.float64)[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(yy)[last]
    predicted = last + 1
    pos = y.sum()
    tn = (len(y) - pos) - (predicted - tp)
    acc = max(float(((tp + tn) / len(y)).max()), float((len(y) - pos) / len(y)))  # also "predict none"
    f1 = float((2 * tp / (predicted + pos)).max()) if pos else 0.0
    return acc, f1


def pairs_from_retrieval(dataset: "RetrievalDataset", *, n_pairs: int | None = None, seed: int = 0) -> "PairDataset":
    """Labelled pairs from a retrieval set: (query, relevant doc) -> 1, (query, other doc) -> 0.

    Each sampled query gives one positive (its most relevant document) and one negative
    (a random document it does not judge relevant), so the classes are balanced.

    Examples
    --------
    >>> from workbench.datasets import RetrievalDataset
    >>> ds = RetrievalDataset("toy", {"a": "A", "b": "B"}, {"q": "Q"}, {"q": {"a": 1}})
    >>> p = pairs_from_retrieval(ds)
    >>> p.text2, p.scores.tolist()
    (['A', 'B'], [1.0, 0.0])
    """
    from ..datasets import PairDataset  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    qids = [q for q in dataset.query_ids if dataset.qrels.get(q)]
    if not qids:
        raise ValueError(f"{dataset.name}: no query has a relevant document to pair with")
    if n_pairs is not None:
        qids = [qids[i] for i in sorted(rng.permutation(len(qids))[:max(1, n_pairs // 2)])]
    docs = dataset.doc_ids
    t1, t2, y = [], [], []
    for q in qids:
        rel = dataset.qrels[q]
        if len(rel) >= len(docs):
            continue  # every document is relevant: no negative exists
        pos = max(rel, key=lambda d: (rel[d], d))
        neg = docs[rng.integers(len(docs))]
        while neg in rel:
            neg = docs[rng.integers(len(docs))]
        t1 += [dataset.queries[q]] * 2
        t2 += [dataset.corpus[pos], dataset.corpus[neg]]
        y += [1.0, 0.0]
    return PairDataset(f"{dataset.name}-pairs", t1, t2, np.array(y), meta={"source": dataset.name, "binary": True})


def evaluate_pairs(model, pairs: "PairDataset", *, threshold: float | None = None, n_resamples: int = 1000,
                   seed: int = 0, **encode_kwargs) -> dict:
    """Average precision (main) of cosine scores for binary pair labels, with best accuracy and F1.

    Parameters
    ----------
    model : Encoder or (vectors1, vectors2)
        An encoder (texts embedded with ``encode_kwargs``) or precomputed vectors.
    pairs : PairDataset
        Scores 0/1 (1: the texts match), or graded scores with ``threshold``.
    threshold : float, optional
        Label a pair positive when its gold score is ``>= threshold``.
    n_resamples : int, default 1000
        Bootstrap resamples of pairs for ``ap_ci`` (0 skips it).
    seed : int, default 0
    **encode_kwargs
        Passed to ``Encoder.encode``.

    Returns
    -------
    dict with ``ap``, ``accuracy``, ``f1``, ``n``, ``positives`` and ``ap_ci``

    Examples
    --------
    >>> import workbench as wb
    >>> pairs = wb.datasets.PairDataset("toy", ["a cat", "a cat", "stocks", "stocks"],
    ...                                 ["a kitten", "a bond", "shares", "a kitten"], [1, 0, 1, 0])
    >>> evaluate_pairs(wb.load_encoder("glove-50d"), pairs, n_resamples=0)["ap"]
    1.0
    """
    gold = np.asarray(pairs.scores, np.float64)
    if threshold is None:
        if not np.isin(gold, (0.0, 1.0)).all():
            raise ValueError(f"{pairs.name}: scores are graded (not 0/1); "
                             "pass a threshold (CLI: --threshold) to binarise them")
        y = gold.astype(bool)
    else:
        y = gold >= threshold
    if len(y) and (y.all() or not y.any()):
        raise ValueError(f"{pairs.name}: all {len(y)} pairs have the same label; AP needs both classes")
    a, b = pair_vectors(model, pairs, **encode_kwargs)
    sims = cosine_rows(a, b)
    acc, f1 = best_threshold_scores(y, sims)
    res = {"ap": float(weighted_average_precision(y, sims, np.ones(len(y)))), "accuracy": acc, "f1": f1,
           "n": int(len(y)), "positives": int(y.sum())}
    if n_resamples:
        rng = np.random.default_rng(seed)
        dist = np.concatenate([
            weighted_average_precision(y, sims, np.stack([np.bincount(rng.integers(0, len(y), len(y)),
                                                                      minlength=len(y)) for _ in range(m)]))
            for m in [min(256, n_resamples - s) for s in range(0, n_resamples, 256)]])
        dist = dist[np.isfinite(dist)]
        res["ap_ci"] = (float(np.quantile(dist, 0.025)), float(np.quantile(dist, 0.975)))
    return res
