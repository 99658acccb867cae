"""Query drift compensation: search an old index with a new model's queries, without re-indexing.

After a model update the stored document vectors come from the old model, while fresh
queries are embedded by the new one. ``QueryDriftMap`` learns a linear map ``W`` from the
new model's space to the old one on texts embedded by both (by default a sample of the
indexed documents), then maps each new query as ``normalize(q W)``:

* ``"lstsq"`` — least squares, ``W = argmin ||X W - Y||^2 + alpha ||W||^2``;
* ``"procrustes"`` — orthogonal Procrustes, ``W = U V^T`` from the SVD
  ``X^T Y = U S V^T`` (the rotation that best aligns the two; semi-orthogonal when the
  widths differ), which keeps the geometry of the new space intact.

``drift_report`` measures retrieval on one data set in each setting: the old model
throughout, new queries on the old index unmapped, mapped by each method, and a full
re-index with the new model, with the share of the gap each map recovers and a paired
test against the unmapped queries. The gap runs from the unmapped queries to the better
of the two ways to avoid drift: re-indexing, or staying with the old model. The second
is the bar when the update made this task worse (training on new data forgets old
tasks, the setting of Goswami et al. 2025).
Left out: non-linear maps, and updating the index itself (backward-compatible training).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from ..evaluate import stats
from ..evaluate.retrieval import evaluate_retrieval
from ..linalg import small_svd
from ..options import EncodeOptions


def _lstsq(X: np.ndarray, Y: np.ndarray, alpha: float) -> np.ndarray:
    if alpha == 0:
        return np.linalg.lstsq(X, Y, rcond=None)[0]
    return np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T @ Y)


def _procrustes(X: np.ndarray, Y: np.ndarray, alpha: float) -> np.ndarray:
    U, _, Vt = small_svd(X.T @ Y)
    return U @ Vt


MAPS: dict[str, Callable[[np.ndarray, np.ndarray, float], np.ndarray]] = {
    "lstsq": _lstsq,
    "procrustes": _procrustes,
}


class QueryDriftMap(TransformerMixin, BaseEstimator):
    """A linear map from a new model's vector space to an old model's.

    Parameters
    ----------
    method : {"lstsq", "procrustes"}, default "procrustes"
    alpha : float, default 0.0
        Ridge penalty of ``"lstsq"`` (useful with fewer fit pairs than dimensions).
    normalize : bool, default True
        L2-normalise mapped vectors (the old index holds unit vectors).

    Attributes
    ----------
    W_ : ndarray of shape (d_new, d_old)
    n_features_in_ : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 4))
    >>> R = np.linalg.qr(rng.normal(size=(4, 4)))[0]          # a rotation
    >>> m = QueryDriftMap("procrustes", normalize=False).fit(X, X @ R)
    >>> bool(np.allclose(m.W_, R)), bool(np.allclose(m.transform(X), X @ R))
    (True, True)
    """

    def __init__(self, method: str = "procrustes", *, alpha: float = 0.0, normalize: bool = True):
        self.method = method
        self.alpha = alpha
        self.normalize = normalize

    def fit(self, X, Y):
        """Learn ``W_`` from paired rows: ``X[i]`` (new model) and ``Y[i]`` (old model) embed one text."""
        if self.method not in MAPS:
            raise ValueError(f"unknown method {self.method!r}; valid: {', '.join(MAPS)}")
        if not (np.isfinite(self.alpha) and self.alpha >= 0):
            raise ValueError(f"alpha must be a non-negative number, got {self.alpha!r}")
        X = check_array(X, dtype=np.float64, ensure_min_samples=2)
        Y = check_array(Y, dtype=np.float64, ensure_min_samples=2)
        if len(X) != len(Y):
            raise ValueError(f"X and Y must hold the same texts in the same order; got {len(X)} and {len(Y)} rows")
        self.W_ = MAPS[self.method](X, Y, float(self.alpha))
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X) -> np.ndarray:
        """Map new-model vectors into the old space; float32 ``(n, d_old)``."""
        check_is_fitted(self)
        X = check_array(X, dtype=np.float64)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but the map was fitted on {self.n_features_in_}")
        Z = X @ self.W_
        if self.normalize:
            norms = np.linalg.norm(Z, axis=1, keepdims=True)
            Z = np.divide(Z, norms, out=np.zeros_like(Z), where=norms > 0)
        return Z.astype(np.float32)


def drift_report(old, new, dataset, *, methods: Sequence[str] = ("lstsq", "procrustes"),
                 fit_texts: Sequence[str] | None = None, n_fit: int | None = None, alpha: float = 0.0,
                 old_options: EncodeOptions | dict | None = None, new_options: EncodeOptions | dict | None = None,
                 seed: int = 0, n_resamples: int = 1000, batch_size: int = 32, cache: bool = True,
                 show_progress: bool | None = None):
    """Retrieval with an old index and a new model's queries: raw, mapped, and fully re-indexed.

    Parameters
    ----------
    old, new : Encoder
        The model that built the index and the updated model.
    dataset : RetrievalDataset
    methods : sequence of str
        Names in ``MAPS``.
    fit_texts : sequence of str, optional
        Texts both models embed to fit the map (keep test queries out of it); default
        ``n_fit`` documents of the corpus drawn with ``seed`` (all when ``n_fit`` is None).
    n_fit : int, optional
    alpha : float
        Ridge penalty of ``"lstsq"``.
    old_options, new_options : EncodeOptions or dict, optional
        Encode options of each model (pooling, layer, prompt ...), checked before either model runs.
    seed : int
    n_resamples : int
        Bootstrap resamples of the nDCG@10 interval and permutations of the paired test.
    batch_size : int
    cache : bool
        Read and write the vector cache.
    show_progress : bool, optional

    Returns
    -------
    pandas.DataFrame
        One row per setting (``old model``, ``new queries, old index``, ``mapped (METHOD)``,
        ``full re-index``) with ``ndcg@10``, its 95% interval, ``recall@10``, ``gap_recovered``
        (``(mapped - raw) / (max(re-index, old model) - raw)``) and ``p_vs_raw`` (paired permutation test of
        per-query nDCG@10 against the unmapped queries). The raw row is NaN when the two
        models' widths differ.
    """
    import pandas as pd  # noqa: PLC0415

    for m in methods:
        if m not in MAPS:
            raise ValueError(f"unknown method {m!r}; valid: {', '.join(MAPS)}")
    # checked before either model runs (a duck-typed model without ``resolve`` gets the model-free checks)
    oo, no = [m.resolve(o) if hasattr(m, "resolve") else EncodeOptions.from_any(o)
              for m, o in ((old, old_options), (new, new_options))]
    docs, queries = dataset.documents, dataset.query_texts
    # options by keyword: a wrapper's encode(texts, **kw) passes them on
    run = {"show_progress": show_progress, "batch_size": batch_size, "cache": cache}
    D_old, Q_old = old.encode(docs, options=oo, **run), old.encode(queries, options=oo, **run)
    D_new, Q_new = new.encode(docs, options=no, **run), new.encode(queries, options=no, **run)
    if fit_texts is None:
        rng = np.random.default_rng(seed)
        idx = np.arange(len(docs)) if n_fit is None else np.sort(rng.permutation(len(docs))[:int(n_fit)])
        X_fit, Y_fit = D_new[idx], D_old[idx]
    else:
        fit_texts = list(fit_texts)
        X_fit, Y_fit = new.encode(fit_texts, options=no, **run), old.encode(fit_texts, options=oo, **run)

    def score(Q, D) -> dict:
        return evaluate_retrieval((Q, D), dataset, per_query=True, n_resamples=n_resamples)

    runs = {"old model": score(Q_old, D_old)}
    same_width = Q_new.shape[1] == D_old.shape[1]
    runs["new queries, old index"] = score(Q_new, D_old) if same_width else None
    for m in methods:
        mapper = QueryDriftMap(m, alpha=alpha).fit(X_fit, Y_fit)
        runs[f"mapped ({m})"] = score(mapper.transform(Q_new), D_old)
    runs["full re-index"] = score(Q_new, D_new)
    raw, full = runs["new queries, old index"], runs["full re-index"]
    rows = []
    for name, r in runs.items():
        if r is None:
            rows.append({"setting": name, "ndcg@10": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "recall@10": np.nan, "gap_recovered": np.nan, "p_vs_raw": np.nan})
            continue
        gap = p = np.nan
        if name.startswith("mapped") and raw is not None:
            span = max(full["ndcg@10"], runs["old model"]["ndcg@10"]) - raw["ndcg@10"]
            gap = (r["ndcg@10"] - raw["ndcg@10"]) / span if abs(span) > 1e-12 else np.nan
            if n_resamples:
                p = stats.paired_test(r["per_query"]["ndcg@10"], raw["per_query"]["ndcg@10"],
                                      n_resamples=max(n_resamples, 1000), seed=seed)["p_value"]
        lo, hi = r.get("ndcg@10_ci", (np.nan, np.nan))
        rows.append({"setting": name, "ndcg@10": r["ndcg@10"], "ci_low": lo, "ci_high": hi,
                     "recall@10": r["recall@10"], "gap_recovered": gap, "p_vs_raw": p})
    return pd.DataFrame(rows).set_index("setting")
