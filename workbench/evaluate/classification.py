"""Classification with frozen embeddings: a logistic-regression probe and kNN, MTEB style.

MTEB trains a logistic regression (``max_iter=100``) on the embeddings of an
undersampled training set -- at most ``samples_per_label`` texts per label -- repeats
that ``n_seeds`` times (MTEB's ``n_experiments``) with different draws, and reports the mean accuracy (main)
and its spread; a k-nearest-neighbour vote (cosine) on the full training set gives a
second, training-free view. The 95% interval of accuracy is a bootstrap over test texts
of each text's share of correct predictions across runs.

The packaged sets have no shipped split, so one is drawn with
:func:`workbench.datasets.train_test_split` (stratified, seeded). Left out:
multi-label classification, cross-validation and hyper-parameter search.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.neighbors import KNeighborsClassifier

from . import stats
from .inputs import require_nonempty, vectors_for

if TYPE_CHECKING:
    from ..datasets import TextDataset

MAIN = "accuracy"


def undersample(labels: np.ndarray, samples_per_label: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of at most ``samples_per_label`` items per label, drawn with ``rng``, sorted.

    Examples
    --------
    >>> undersample(np.array([0, 0, 0, 1, 1]), 2, np.random.default_rng(0)).size
    4
    """
    order = rng.permutation(len(labels))
    taken: dict = {}
    keep = []
    for i in order:
        if taken.get(labels[i], 0) < samples_per_label:
            taken[labels[i]] = taken.get(labels[i], 0) + 1
            keep.append(i)
    return np.sort(np.asarray(keep, dtype=int))


def classification_scores(X_train: np.ndarray, y_train, X_test: np.ndarray, y_test, *, n_seeds: int = 10,
                          samples_per_label: int | None = 32, k: int = 5, seed: int = 0,
                          n_resamples: int = 1000) -> dict:
    """Probe accuracy (mean over undersampled runs), macro F1 and kNN accuracy from arrays.

    Parameters
    ----------
    X_train, X_test : (n, d) arrays
    y_train, y_test : (n,) label arrays
    n_seeds : int, default 10
        Logistic-regression runs, each on a fresh undersampled training set (independent
        draws from one generator seeded with ``seed``).
    samples_per_label : int or None, default 32
        Training texts per label in each run (None: all). MTEB's own default is 8; its
        tasks often set more.
    k : int, default 5
        Neighbours of the kNN vote (cosine similarity, full training set).
    seed : int, default 0
    n_resamples : int, default 1000
        Bootstrap resamples of the test set for ``accuracy_ci`` (0 skips it).

    Returns
    -------
    dict with ``accuracy``, ``accuracy_std``, ``f1``, ``knn_accuracy``, ``n`` (test
    texts), ``n_train`` and ``accuracy_ci``; ``per_example`` holds each test text's
    share of correct predictions across runs

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1], 50)
    >>> X = rng.normal(size=(100, 5)) + y[:, None] * 3
    >>> res = classification_scores(X[::2], y[::2], X[1::2], y[1::2], n_resamples=0)
    >>> res["accuracy"], res["knn_accuracy"] > 0.8
    (1.0, True)
    """
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if len(X_train) != len(y_train) or len(X_test) != len(y_test):
        raise ValueError(f"vectors and labels differ in length: train {len(X_train)} vs {len(y_train)}, "
                         f"test {len(X_test)} vs {len(y_test)}")
    require_nonempty(len(y_test), "test texts")
    classes = np.unique(y_train)
    if len(classes) < 2:
        raise ValueError(f"the training part holds {len(classes)} label(s); classification needs at least 2")
    unseen = sorted(set(np.unique(y_test).tolist()) - set(classes.tolist()))
    if unseen:
        raise ValueError(f"test labels {unseen[:5]} never occur in the training part")
    if n_seeds < 1 or (samples_per_label is not None and samples_per_label < 1) or k < 1:
        raise ValueError("n_seeds, samples_per_label and k must be positive")
    rng = np.random.default_rng(seed)
    correct = np.zeros(len(y_test))
    accs, f1s = [], []
    for _ in range(n_seeds):
        idx = np.arange(len(y_train)) if samples_per_label is None else undersample(y_train, samples_per_label, rng)
        clf = LogisticRegression(max_iter=100).fit(X_train[idx], y_train[idx])
        pred = clf.predict(X_test)
        hit = pred == y_test
        correct += hit
        accs.append(hit.mean())
        f1s.append(f1_score(y_test, pred, average="macro"))
    knn = KNeighborsClassifier(n_neighbors=min(k, len(y_train)), metric="cosine").fit(X_train, y_train)
    per_example = correct / n_seeds
    res = {"accuracy": float(np.mean(accs)), "accuracy_std": float(np.std(accs)), "f1": float(np.mean(f1s)),
           "knn_accuracy": float((knn.predict(X_test) == y_test).mean()), "n": int(len(y_test)),
           "n_train": int(len(y_train))}
    if n_resamples and len(y_test) > 1:
        res["accuracy_ci"] = stats.bootstrap_ci(per_example, n_resamples=n_resamples, seed=seed)
    res["per_example"] = per_example
    return res


def evaluate_classification(model, dataset: "TextDataset", *, test_size: float = 0.2, n_seeds: int = 10,
                            samples_per_label: int | None = 32, k: int = 5, seed: int = 0,
                            n_resamples: int = 1000, per_example: bool = False, **encode_kwargs) -> dict:
    """Logistic-regression probe (main: accuracy) and kNN accuracy on a labelled text set.

    Parameters
    ----------
    model : Encoder or (n, d) array
        An encoder (texts embedded with ``encode_kwargs``) or vectors aligned with
        ``dataset.texts``.
    dataset : TextDataset
        Labelled texts; split into train and test with ``test_size`` and ``seed``
        (a shipped ``meta["split"]`` is kept).
    test_size, n_seeds, samples_per_label, k, seed, n_resamples
        See :func:`classification_scores`.
    per_example : bool, default False
        Keep ``"per_example"`` (test texts' share of correct runs) for paired tests.
    **encode_kwargs
        Passed to ``Encoder.encode``.

    Returns
    -------
    dict with ``accuracy``, ``accuracy_std``, ``f1``, ``knn_accuracy``, ``n``, ``n_train``,
    ``accuracy_ci``

    Examples
    --------
    >>> import workbench as wb
    >>> res = evaluate_classification(wb.load_encoder("glove-50d"), wb.datasets.load("pang-lee-polarity"),
    ...                               n_seeds=2, n_resamples=0)
    >>> res["accuracy"] > 0.5, res["n"]
    (True, 40)
    """
    from ..datasets import train_test_split  # noqa: PLC0415

    require_nonempty(len(dataset), "texts")
    if dataset.labels is None:
        raise ValueError(f"{dataset.name} has no labels; classification needs a labelled TextDataset")
    X = vectors_for(model, dataset.texts, "vectors", **encode_kwargs)
    positions = dataset.select(np.arange(len(dataset)))
    positions.texts = [str(i) for i in range(len(dataset))]  # split indices, not texts (texts may repeat)
    train, test = train_test_split(positions, test_size=test_size, seed=seed)
    tr = np.array([int(t) for t in train.texts], dtype=int)
    te = np.array([int(t) for t in test.texts], dtype=int)
    values, counts = np.unique(dataset.labels, return_counts=True)
    if len(values) < 2:
        raise ValueError(f"{dataset.name} holds {len(values)} label(s); classification needs at least 2")
    if len(te) == 0 or len(np.unique(dataset.labels[tr])) < 2:
        per_label = ", ".join(f"{v!r}: {c}" for v, c in zip(values.tolist()[:5], counts.tolist()[:5]))
        raise ValueError(f"{dataset.name} is too small to classify: its {len(dataset)} texts (per label: "
                         f"{per_label}{', ...' if len(values) > 5 else ''}) split into {len(tr)} training texts "
                         f"with {len(np.unique(dataset.labels[tr]))} label(s) and {len(te)} test texts at "
                         f"test_size={test_size}; it needs test texts and 2 labels in training: use more texts per "
                         "label or a larger test_size")
    res = classification_scores(X[tr], dataset.labels[tr], X[te], dataset.labels[te], n_seeds=n_seeds,
                                samples_per_label=samples_per_label, k=k, seed=seed, n_resamples=n_resamples)
    if not per_example:
        del res["per_example"]
    return res
