"""Word similarity (WordSim-353, SimLex-999) for any table of word vectors, out-of-vocabulary words counted.

A pair is scored only when both words have a vector; the pairs left out and the words
that caused it are counted and reported (a warning, as the GloVe encoder does), and the
Spearman correlation is computed on the pairs covered. Comparing two models fairly
means scoring them on the same pairs: :func:`compare_word_pairs` adds the score on the
pairs every model covers. Left out: multi-word expressions and case variants.
"""

from __future__ import annotations

import warnings
from collections import Counter
from typing import TYPE_CHECKING, Callable, Mapping

import numpy as np
from scipy import stats

from ..evaluate import stats as wb_stats
from ..notices import InputWarning

if TYPE_CHECKING:
    from ..datasets import PairDataset


def word_lookup(model) -> Callable[[str], "np.ndarray | None"]:
    """A function word -> vector or None, for learned vectors, a static encoder or a ``(words, vectors)`` pair.

    Examples
    --------
    >>> f = word_lookup((["cat"], np.ones((1, 2))))
    >>> f("cat").tolist(), f("dog")
    ([1.0, 1.0], None)
    """
    if hasattr(model, "lookup"):
        return model.lookup
    if hasattr(model, "tokenizer") and hasattr(model.tokenizer, "index") and hasattr(model, "vectors"):
        index, vectors = model.tokenizer.index, np.asarray(model.vectors)
    elif isinstance(model, tuple) and len(model) == 2:
        index, vectors = {w: i for i, w in enumerate(model[0])}, np.asarray(model[1])
    else:
        raise TypeError(f"cannot look words up in {type(model).__name__}; give LearnedVectors, a static "
                        "encoder (glove-50d, LearnedVectors.encoder()) or a (words, vectors) pair")
    return lambda w: vectors[index[w]] if w in index else None


def pair_cosines(model, pairs: "PairDataset") -> tuple[np.ndarray, np.ndarray, Counter]:
    """Cosine of each pair (NaN where a word has no vector), the covered mask and the missing words."""
    lookup = word_lookup(model)
    sims, missing = np.full(len(pairs), np.nan), Counter()
    for i, (a, b) in enumerate(zip(pairs.text1, pairs.text2)):
        va, vb = lookup(a.lower()), lookup(b.lower())
        for w, v in ((a, va), (b, vb)):
            if v is None:
                missing[w.lower()] += 1
        if va is not None and vb is not None:
            na, nb = np.linalg.norm(va), np.linalg.norm(vb)
            sims[i] = float(va @ vb / (na * nb)) if na > 0 and nb > 0 else 0.0
    return sims, ~np.isnan(sims), missing


def evaluate_word_pairs(model, pairs: "PairDataset", *, subset: np.ndarray | None = None, n_resamples: int = 1000,
                        warn: bool = True) -> dict:
    """Spearman correlation of cosine with the gold scores, on the pairs whose words have vectors.

    Parameters
    ----------
    model : LearnedVectors, static encoder or (words, vectors)
    pairs : PairDataset
        ``wb.datasets.load("wordsim353")`` or ``"simlex999"``.
    subset : bool array, optional
        Score only these pairs (e.g. the pairs every compared model covers).
    n_resamples : int
        Bootstrap resamples for ``spearman_ci`` (0 skips it).
    warn : bool
        Warn when words are missing.

    Returns
    -------
    dict with ``spearman``, ``spearman_ci``, ``n`` (pairs scored), ``n_pairs``, ``oov_pairs``,
    ``oov_words`` (distinct missing words) and ``oov_examples``

    Examples
    --------
    >>> from workbench.datasets import PairDataset
    >>> ds = PairDataset("toy", ["a", "a", "b", "a"], ["b", "c", "c", "zz"], [3.0, 1.0, 2.0, 5.0])
    >>> V = np.array([[1.0, 0.0], [0.9, 0.5], [0.0, 1.0]])
    >>> res = evaluate_word_pairs((["a", "b", "c"], V), ds, n_resamples=0, warn=False)
    >>> res["spearman"], res["n"], res["oov_pairs"], res["oov_words"]
    (1.0, 3, 1, 1)
    """
    sims, covered, missing = pair_cosines(model, pairs)
    use = covered if subset is None else covered & np.asarray(subset, bool)
    gold = np.asarray(pairs.scores, np.float64)
    n_oov = int((~covered).sum())
    if warn and missing:
        examples = ", ".join(w for w, _ in missing.most_common(5))
        warnings.warn(f"{pairs.name}: {n_oov} of {len(pairs)} pairs skipped, {len(missing)} distinct words have no "
                      f"vector, e.g. {examples}", InputWarning, stacklevel=2)
    res = {"n": int(use.sum()), "n_pairs": len(pairs), "oov_pairs": n_oov, "oov_words": len(missing),
           "oov_examples": [w for w, _ in missing.most_common(5)]}
    if use.sum() < 3:
        raise ValueError(f"{pairs.name}: only {int(use.sum())} pairs have both words in the vocabulary "
                         f"({len(missing)} distinct words missing, e.g. {res['oov_examples']}); need at least 3")
    res["spearman"] = float(stats.spearmanr(sims[use], gold[use]).statistic)
    if n_resamples:
        res["spearman_ci"] = wb_stats.bootstrap_ci(sims[use], gold[use], statistic="spearman",
                                                   n_resamples=n_resamples)
    return res


def compare_word_pairs(models: Mapping[str, object], datasets: Mapping[str, "PairDataset"], *,
                       n_resamples: int = 1000):
    """One row per model and data set: the score on its own covered pairs and on the pairs all models cover.

    Returns
    -------
    pandas.DataFrame with columns model, dataset, spearman, ci_low, ci_high, n, oov_pairs, oov_words,
    spearman_common, n_common
    """
    import pandas as pd  # noqa: PLC0415

    rows = []
    for dname, pairs in datasets.items():
        masks = {m: pair_cosines(model, pairs)[1] for m, model in models.items()}
        common = np.logical_and.reduce(list(masks.values()))
        for mname, model in models.items():
            own = evaluate_word_pairs(model, pairs, n_resamples=n_resamples, warn=False)
            shared = evaluate_word_pairs(model, pairs, subset=common, n_resamples=0, warn=False) \
                if common.sum() >= 3 else {"spearman": float("nan"), "n": int(common.sum())}
            lo, hi = own.get("spearman_ci", (float("nan"), float("nan")))
            rows.append({"model": mname, "dataset": dname, "spearman": own["spearman"], "ci_low": lo, "ci_high": hi,
                         "n": own["n"], "oov_pairs": own["oov_pairs"], "oov_words": own["oov_words"],
                         "spearman_common": shared["spearman"], "n_common": shared["n"]})
    return pd.DataFrame(rows)
