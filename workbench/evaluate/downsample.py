"""Benchmark downsampling: fewer tasks and smaller corpora that keep the ranking of systems.

MMTEB (Enevoldsen et al. 2025) makes a large benchmark cheap in two ways, both here as
functions of a ``configs x tasks`` score matrix (a DataFrame, e.g. from
:func:`workbench.evaluate.benchmark.score_matrix`):

* **task selection** -- :func:`task_correlation` (Spearman between tasks across
  systems) and :func:`greedy_selection`, which removes, one at a time, the task most
  redundant with the tasks left (the highest correlation with any of them), optionally
  keeping one task per kind; :func:`ranking_agreement` (Kendall's tau between the
  ranking by the subset's mean score and the full suite's) judges the result, against
  :func:`random_subsets` of the same size;
* **corpus downsampling** -- :func:`hard_negative_corpus` keeps, for a retrieval task,
  each query's relevant documents and the top-k documents of a few pooled systems, so
  the corpus shrinks while the documents that decide the ranking stay.

:func:`pair_agreement` splits the agreement into pairs of systems from the same family
(configurations of one model) and from different families: many near-identical
configurations of one model make every subset look faithful, because their order is
easy to keep. Left out: MMTEB's per-language constraints and its zero-shot filters.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import kendalltau

__all__ = ["aggregate", "family_effect", "greedy_selection", "hard_negative_corpus", "pair_agreement", "random_subsets",
           "ranking_agreement", "task_correlation"]


def _check_scores(scores: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a DataFrame of configurations (rows) x tasks (columns), "
                        f"got {type(scores).__name__}")
    if scores.shape[0] < 3 or scores.shape[1] < 1:
        raise ValueError(f"scores need at least 3 configurations and 1 task to rank; got shape {scores.shape}")
    if scores.isna().any().any():
        bad = scores.columns[scores.isna().any()].tolist()
        raise ValueError(f"scores hold missing values in tasks {bad}; every configuration needs a score on every "
                         "task (drop the task or the configuration)")
    return scores.astype(float)


def aggregate(scores: pd.DataFrame, tasks: Sequence[str] | None = None, *, how: str = "mean") -> pd.Series:
    """Each configuration's suite score over ``tasks`` (default all): the mean score, or the mean rank.

    Examples
    --------
    >>> s = pd.DataFrame({"a": [0.1, 0.5, 0.9], "b": [0.2, 0.1, 0.8]}, index=["x", "y", "z"])
    >>> aggregate(s).round(2).tolist(), aggregate(s, how="rank").tolist()
    ([0.15, 0.3, 0.85], [1.5, 1.5, 3.0])
    """
    scores = _check_scores(scores)
    cols = list(scores.columns if tasks is None else tasks)
    missing = [t for t in cols if t not in scores.columns]
    if missing or not cols:
        raise ValueError(f"unknown or no tasks {missing or cols}; the suite has {list(scores.columns)}")
    part = scores[cols]
    if how == "mean":
        return part.mean(axis=1)
    if how == "rank":
        return part.rank(axis=0).mean(axis=1)
    raise ValueError(f"how must be 'mean' or 'rank', got {how!r}")


def ranking_agreement(scores: pd.DataFrame, tasks: Sequence[str], *, how: str = "mean") -> float:
    """Kendall's tau (tau-b) between the ranking of systems by ``tasks`` and by the full suite.

    Examples
    --------
    >>> s = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4], "c": [4, 3, 2, 1.5]})
    >>> ranking_agreement(s, ["a"]), ranking_agreement(s, ["c"])
    (1.0, -1.0)
    """
    full, part = aggregate(scores, how=how), aggregate(scores, tasks, how=how)
    return float(kendalltau(full.values, part.values).statistic)


def task_correlation(scores: pd.DataFrame, *, method: str = "spearman") -> pd.DataFrame:
    """Correlation between tasks across configurations (``tasks x tasks``).

    Examples
    --------
    >>> s = pd.DataFrame({"a": [1, 2, 3], "b": [2, 4, 7], "c": [3, 2, 1]})
    >>> task_correlation(s).loc["a"].tolist()
    [1.0, 1.0, -1.0]
    """
    scores = _check_scores(scores)
    if method not in ("spearman", "pearson", "kendall"):
        raise ValueError(f"method must be spearman, pearson or kendall, got {method!r}")
    corr = scores.corr(method=method)
    return corr.fillna(0.0)  # a constant task correlates with nothing


def greedy_selection(scores: pd.DataFrame, n_keep: int, *, kinds: Mapping[str, str] | None = None,
                     method: str = "spearman", how: str = "mean") -> pd.DataFrame:
    """Remove tasks one at a time, most redundant first, until ``n_keep`` are left.

    At each step every remaining task's redundancy is its highest correlation with
    another remaining task (ties: the higher mean correlation); the most redundant one
    goes, except the last task of a kind when ``kinds`` is given. A task that is an
    exact copy of another has redundancy 1 and goes first; a task on which every
    system scores the same ranks nothing and goes before any other.

    Parameters
    ----------
    scores : DataFrame
        Configurations x tasks.
    n_keep : int
        Tasks to keep; at least 1 and at most the number of tasks.
    kinds : mapping task -> kind, optional
        Keep at least one task of every kind.
    method : str, default "spearman"
        Correlation between tasks.
    how : str, default "mean"
        How the ranking-agreement column aggregates a subset (see :func:`aggregate`).

    Returns
    -------
    DataFrame
        One row per removal, in order: ``step``, ``removed``, ``redundancy`` (its
        correlation with its closest remaining task), ``closest``, ``n_left``, ``tau``
        (Kendall's tau of the tasks left against the full suite). ``.attrs["kept"]``
        lists the tasks kept.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s = pd.DataFrame(rng.normal(size=(8, 3)), columns=["a", "b", "c"])
    >>> s["a_copy"] = s["a"]
    >>> greedy_selection(s, 3)["removed"].tolist()[0] in ("a", "a_copy")
    True
    """
    scores = _check_scores(scores)
    n_tasks = scores.shape[1]
    if isinstance(n_keep, bool) or not isinstance(n_keep, (int, np.integer)) or n_keep < 1:
        raise ValueError(f"n_keep must be a positive int, got {n_keep!r}")
    if n_keep > n_tasks:
        raise ValueError(f"cannot keep {n_keep} tasks: the suite has only {n_tasks} "
                         f"({', '.join(map(str, scores.columns))}); choose n_keep <= {n_tasks}")
    if kinds is not None:
        missing = [t for t in scores.columns if t not in kinds]
        if missing:
            raise ValueError(f"kinds lacks the tasks {missing}; give every task its kind")
        n_kinds = len({kinds[t] for t in scores.columns})
        if n_keep < n_kinds:
            raise ValueError(f"keeping one task per kind needs n_keep >= {n_kinds} (the kinds), got {n_keep}")
    corr = task_correlation(scores, method=method)
    constant = set(scores.columns[scores.std() == 0])  # ranks nothing: the first to go
    left = list(scores.columns)
    rows = []
    while len(left) > n_keep:
        best = None
        for t in left:
            if kinds is not None and sum(kinds[u] == kinds[t] for u in left) == 1:
                continue  # the last of its kind stays
            others = [u for u in left if u != t]
            c = corr.loc[t, others]
            key = (t in constant, float(c.max()), float(c.mean()))
            if best is None or key > best[0]:
                best = (key, t, "(constant: ranks nothing)" if t in constant else str(c.idxmax()))
        (_, redundancy, _), task, closest = best
        left.remove(task)
        rows.append({"step": len(rows) + 1, "removed": task, "redundancy": redundancy, "closest": closest,
                     "n_left": len(left), "tau": ranking_agreement(scores, left, how=how)})
    out = pd.DataFrame(rows, columns=["step", "removed", "redundancy", "closest", "n_left", "tau"])
    out.attrs["kept"] = left
    return out


def random_subsets(scores: pd.DataFrame, n_keep: int, *, n_draws: int = 200, seed: int = 0,
                   how: str = "mean") -> np.ndarray:
    """Kendall's tau against the full suite of ``n_draws`` random subsets of ``n_keep`` tasks.

    Examples
    --------
    >>> s = pd.DataFrame(np.arange(12.0).reshape(4, 3))
    >>> random_subsets(s, 1, n_draws=5).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    scores = _check_scores(scores)
    if not 1 <= n_keep <= scores.shape[1]:
        raise ValueError(f"n_keep must lie in 1..{scores.shape[1]} (the tasks), got {n_keep}")
    rng = np.random.default_rng(seed)
    cols = list(scores.columns)
    return np.array([ranking_agreement(scores, [cols[i] for i in rng.choice(len(cols), n_keep, replace=False)],
                                       how=how) for _ in range(int(n_draws))])


def pair_agreement(full: pd.Series, part: pd.Series, families: Mapping[str, str]) -> dict:
    """Share of system pairs that two rankings order alike, within families and across them.

    A pair is concordant when both rankings order it the same way (a tie in either
    counts one half). Returns ``all``, ``within`` (pairs from one family) and
    ``between`` (pairs from two families), each a fraction in [0, 1] (NaN without
    such pairs), and the pair counts ``n_within`` and ``n_between``.

    Examples
    --------
    >>> full = pd.Series([1, 2, 3, 4], index=list("abcd")); part = pd.Series([2, 1, 3, 4], index=list("abcd"))
    >>> pair_agreement(full, part, {"a": "m", "b": "m", "c": "n", "d": "o"})["within"]
    0.0
    """
    labels = list(full.index)
    if list(part.index) != labels:
        part = part.reindex(labels)
    missing = [lab for lab in labels if lab not in families]
    if missing or part.isna().any():
        raise ValueError(f"both rankings and the families must cover the same systems; missing {missing}")
    f, p = full.to_numpy(float), part.to_numpy(float)
    within, between = [], []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            a, b = np.sign(f[i] - f[j]), np.sign(p[i] - p[j])
            value = 0.5 if a == 0 or b == 0 else float(a == b)
            (within if families[labels[i]] == families[labels[j]] else between).append(value)
    mean = (lambda v: float(np.mean(v)) if v else float("nan"))  # noqa: E731
    return {"all": mean(within + between), "within": mean(within), "between": mean(between),
            "n_within": len(within), "n_between": len(between)}


def hard_negative_corpus(dataset, runs: Sequence[Mapping[str, Sequence[str]]], k: int):
    """A retrieval set whose corpus holds only relevant documents and each run's top ``k`` per query.

    Parameters
    ----------
    dataset : RetrievalDataset
    runs : sequence of mappings query id -> ranked document ids
        Rankings of the pooled systems (best first).
    k : int
        Documents taken from the top of every run for every query.

    Examples
    --------
    >>> from workbench.datasets import RetrievalDataset
    >>> ds = RetrievalDataset("toy", {f"d{i}": str(i) for i in range(6)}, {"q": "x"}, {"q": {"d0": 1}})
    >>> sorted(hard_negative_corpus(ds, [{"q": ["d3", "d4", "d0"]}], k=2).corpus)
    ['d0', 'd3', 'd4']
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    if not runs:
        raise ValueError("hard_negative_corpus needs at least one run to pool hard negatives from")
    keep = {d for rel in dataset.qrels.values() for d, r in rel.items() if r > 0}
    for run in runs:
        missing = [q for q in dataset.query_ids if q not in run]
        if missing:
            raise ValueError(f"a run has no ranking for {len(missing)} queries, e.g. {missing[:3]}")
        for q in dataset.query_ids:
            keep.update(str(d) for d in list(run[q])[:k])
    unknown = sorted(keep - set(dataset.corpus))
    if unknown:
        raise ValueError(f"runs name documents missing from the corpus, e.g. {unknown[:3]}")
    return replace(dataset, name=f"{dataset.name}[hard-negatives k={k}]",
                   corpus={d: t for d, t in dataset.corpus.items() if d in keep},
                   titles={d: t for d, t in dataset.titles.items() if d in keep}, meta=dict(dataset.meta))


def family_effect(scores: pd.DataFrame, families: Mapping[str, str], *, method: str = "spearman") -> dict:
    """How much configurations of one model shape the task correlations.

    Returns the mean off-diagonal task correlation over ``all`` systems, over the
    systems of each family with at least three of them (``within``: family -> value),
    and over one system per family, its best by mean score (``across``; NaN with fewer
    than three families). High ``within`` values mean a family's own variants (layers,
    poolings, compressions) move every task together, and a suite full of them makes
    tasks look redundant -- and subsets faithful -- for reasons that say little about
    different models.

    Examples
    --------
    >>> s = pd.DataFrame({"a": [1, 2, 3, 9, 5], "b": [1, 2, 3, 1, 9]}, index=list("vwxyz"))
    >>> fam = {"v": "m", "w": "m", "x": "m", "y": "p", "z": "q"}
    >>> out = family_effect(s, fam); out["within"]["m"], round(out["all"], 2)
    (1.0, 0.21)
    """
    scores = _check_scores(scores)
    missing = [c for c in scores.index if c not in families]
    if missing:
        raise ValueError(f"families lacks the systems {missing}")

    def mean_corr(part: pd.DataFrame) -> float:
        c = part.corr(method=method).to_numpy()
        off = c[~np.eye(len(c), dtype=bool)]
        off = off[np.isfinite(off)]
        return float(off.mean()) if off.size else float("nan")

    fam = pd.Series({c: families[c] for c in scores.index})
    within = {f: mean_corr(scores.loc[idx]) for f, idx in fam.groupby(fam).groups.items() if len(idx) >= 3}
    best = [scores.loc[idx].mean(axis=1).idxmax() for _, idx in fam.groupby(fam).groups.items()]
    across = mean_corr(scores.loc[best]) if len(best) >= 3 else float("nan")
    return {"all": mean_corr(scores), "within": within, "across": across, "n_families": len(best)}
