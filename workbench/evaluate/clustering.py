"""Clustering with frozen embeddings: k-means with the true k, V-measure (main) and ARI.

MTEB clusters the embeddings with k-means, the number of clusters set to the number of
gold labels, and scores the partition with the V-measure (the harmonic mean of
homogeneity and completeness). Here k-means (scikit-learn, ``n_init=1``) runs once per
seed and V-measure and the adjusted Rand index are averaged over ``n_seeds`` seeds.

The 95% interval resamples texts with replacement and recomputes each seed's
V-measure on the resample (the partitions are kept fixed), vectorised through
contingency tables (:func:`v_measure_from_contingency`, checked against scikit-learn in
the tests). Left out: mini-batch k-means over many subsets, hierarchical clustering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, v_measure_score

from .inputs import require_nonempty, vectors_for

if TYPE_CHECKING:
    from ..datasets import TextDataset

MAIN = "v_measure"


def _entropy(counts: np.ndarray, axis: int) -> np.ndarray:
    total = counts.sum(axis=axis, keepdims=True)
    p = np.divide(counts, total, out=np.zeros(counts.shape), where=total > 0)
    return -(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)).sum(axis=axis)


def v_measure_from_contingency(table: np.ndarray) -> np.ndarray:
    """V-measure of contingency tables ``(..., n_classes, n_clusters)`` of counts.

    Examples
    --------
    >>> float(v_measure_from_contingency(np.array([[5, 0], [0, 5]])))
    1.0
    """
    t = np.asarray(table, dtype=np.float64)
    n = t.sum(axis=(-2, -1))
    h_c = _entropy(t.sum(-1), -1)  # entropy of the gold classes
    h_k = _entropy(t.sum(-2), -1)  # entropy of the clusters
    p = t / np.maximum(n, 1)[..., None, None]
    col = t.sum(-2, keepdims=True)
    row = t.sum(-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        h_c_given_k = -np.where(t > 0, p * np.log(t / np.where(col > 0, col, 1)), 0.0).sum(axis=(-2, -1))
        h_k_given_c = -np.where(t > 0, p * np.log(t / np.where(row > 0, row, 1)), 0.0).sum(axis=(-2, -1))
        hom = np.where(h_c > 0, 1 - h_c_given_k / np.where(h_c > 0, h_c, 1), 1.0)
        com = np.where(h_k > 0, 1 - h_k_given_c / np.where(h_k > 0, h_k, 1), 1.0)
        return np.where(hom + com > 0, 2 * hom * com / np.where(hom + com > 0, hom + com, 1), 0.0)


def clustering_scores(X: np.ndarray, labels, *, n_seeds: int = 5, seed: int = 0, n_resamples: int = 1000,
                      confidence: float = 0.95) -> dict:
    """k-means with the true number of clusters; V-measure and ARI averaged over seeds.

    Parameters
    ----------
    X : (n, d) array
    labels : (n,) gold labels
    n_seeds : int, default 5
        k-means runs (seeds ``seed .. seed + n_seeds - 1``).
    seed : int, default 0
    n_resamples : int, default 1000
        Bootstrap resamples of texts for ``v_measure_ci`` (0 skips it).
    confidence : float, default 0.95

    Returns
    -------
    dict with ``v_measure``, ``v_measure_std`` (over seeds), ``ari``, ``n``, ``n_clusters``
    and ``v_measure_ci``

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1, 2], 30)
    >>> X = rng.normal(size=(90, 4)) + 5 * np.eye(4)[y]
    >>> res = clustering_scores(X, y, n_resamples=0)
    >>> res["v_measure"], res["ari"], res["n_clusters"]
    (1.0, 1.0, 3)
    """
    y = np.asarray(labels)
    if len(y) != len(X):
        raise ValueError(f"{len(X)} vectors for {len(y)} labels")
    require_nonempty(len(y), "texts")
    classes, y_idx = np.unique(y, return_inverse=True)
    k = len(classes)
    if k < 2 or k >= len(y):
        raise ValueError(f"clustering needs 2 <= number of labels < number of texts; got {k} labels, {len(y)} texts")
    if n_seeds < 1:
        raise ValueError(f"n_seeds must be at least 1, got {n_seeds}")
    preds = [KMeans(n_clusters=k, n_init=1, random_state=seed + s).fit_predict(X) for s in range(n_seeds)]
    vms = np.array([v_measure_score(y, p) for p in preds])
    res = {"v_measure": float(vms.mean()), "v_measure_std": float(vms.std()),
           "ari": float(np.mean([adjusted_rand_score(y, p) for p in preds])), "n": int(len(y)), "n_clusters": k}
    if n_resamples:
        rng = np.random.default_rng(seed)
        n, cells = len(y), k * k
        dist = []
        for start in range(0, n_resamples, 256):
            b = min(256, n_resamples - start)
            idx = rng.integers(0, n, size=(b, n))
            offset = (np.arange(b) * cells)[:, None]
            per_seed = [v_measure_from_contingency(
                np.bincount((offset + (y_idx * k + p)[idx]).ravel(), minlength=b * cells).reshape(b, k, k))
                for p in preds]
            dist.append(np.mean(per_seed, axis=0))
        dist = np.concatenate(dist)
        alpha = (1 - confidence) / 2
        res["v_measure_ci"] = (float(np.quantile(dist, alpha)), float(np.quantile(dist, 1 - alpha)))
    return res


def evaluate_clustering(model, dataset: "TextDataset", *, n_seeds: int = 5, seed: int = 0, n_resamples: int = 1000,
                        **encode_kwargs) -> dict:
    """Cluster a labelled text set's embeddings with k = number of labels; V-measure (main).

    Parameters
    ----------
    model : Encoder or (n, d) array
        An encoder (texts embedded with ``encode_kwargs``) or vectors aligned with
        ``dataset.texts``.
    dataset : TextDataset
        Texts with labels (the gold partition).
    n_seeds, seed, n_resamples
        See :func:`clustering_scores`.
    **encode_kwargs
        Passed to ``Encoder.encode``.

    Returns
    -------
    dict with ``v_measure``, ``v_measure_std``, ``ari``, ``n``, ``n_clusters``, ``v_measure_ci``

    Examples
    --------
    >>> import workbench as wb
    >>> X = wb.load_encoder("minilm").encode(["I love cats", "my cat purrs", "stocks fell", "markets slid"])
    >>> res = evaluate_clustering(X, wb.datasets.TextDataset("toy", ["a"] * 4, labels=[0, 0, 1, 1]),
    ...                           n_resamples=0)
    >>> res["v_measure"]
    1.0
    """
    require_nonempty(len(dataset), "texts")
    if dataset.labels is None:
        raise ValueError(f"{dataset.name} has no labels; clustering is scored against a labelled TextDataset")
    X = vectors_for(model, dataset.texts, "vectors", **encode_kwargs)
    return clustering_scores(X, dataset.labels, n_seeds=n_seeds, seed=seed, n_resamples=n_resamples)
