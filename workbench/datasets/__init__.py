"""Data sets for evaluating and exploring embeddings.

The public face of the subpackage:

* :func:`available`, :func:`load` and :func:`describe` -- the registry of real data
  sets shipped inside installed packages (see :mod:`.packaged`);
* :func:`load_pairs`, :func:`load_retrieval`, :func:`load_texts` -- the user's own
  files and tables (see :mod:`.pairs`, :mod:`.retrieval_folder`, :mod:`.texts`), with
  TREC qrels and runs in :mod:`.trec`; :func:`inspect_data` shows how a file is read;
* the containers :class:`PairDataset`, :class:`RetrievalDataset`,
  :class:`TextDataset`, :class:`AnalogyDataset` and :func:`train_test_split`.

None of the packaged sets ships a train/test split, so :func:`train_test_split`
draws one; files with a ``split`` column keep theirs.

Examples
--------
>>> from workbench import datasets
>>> "wordsim353" in datasets.available()
True
>>> ws = datasets.load("wordsim353")
>>> len(ws), ws.text1[1], ws.text2[1], float(ws.scores[1])
(353, 'tiger', 'cat', 7.35)
"""

from __future__ import annotations

import copy
import dataclasses
import functools

import numpy as np
import pandas as pd

from .containers import (
    AnalogyDataset,
    PairDataset,
    RetrievalDataset,
    TextDataset,
    train_test_split,
)
from .inspection import inspect_data
from .local import data_dirs, local_copy, missing_copy_message
from .packaged import DATASETS, Dataset, MissingDataPackage, Source
from .pairs import load_pairs
from .retrieval_folder import load_retrieval
from .texts import load_texts
from .trec import load_qrels, load_trec_run

__all__ = [
    "DATASETS",
    "AnalogyDataset",
    "MissingDataPackage",
    "PairDataset",
    "RetrievalDataset",
    "Source",
    "TextDataset",
    "available",
    "data_dirs",
    "describe",
    "inspect_data",
    "local_copy",
    "missing_copy_message",
    "load",
    "load_pairs",
    "load_qrels",
    "load_retrieval",
    "load_texts",
    "load_trec_run",
    "train_test_split",
]

_UNITS = {"pairs": "pairs", "retrieval": "queries", "texts": "texts", "analogies": "questions"}


def available() -> list[str]:
    """Names of the packaged data sets, sorted.

    Examples
    --------
    >>> available()[:3]
    ['clothing-reviews', 'clothing-title-review', 'google-analogies']
    """
    return sorted(DATASETS)


@functools.lru_cache(maxsize=None)
def _load_shared(name: str, options: tuple = ()) -> Dataset:
    return DATASETS[name](**dict(options))


def _fresh(dataset: Dataset) -> Dataset:
    """A copy that shares only immutable strings with ``dataset``."""
    def fresh(name, value):
        if name == "meta":
            return copy.deepcopy(value)
        if isinstance(value, (np.ndarray, pd.DataFrame)):
            return value.copy()
        if isinstance(value, list):
            return list(value)
        if isinstance(value, dict):  # corpus, queries, titles, and qrels (one level down)
            return {k: dict(v) if isinstance(v, dict) else v for k, v in value.items()}
        return value  # the name: a string

    return dataclasses.replace(dataset, **{
        f.name: fresh(f.name, getattr(dataset, f.name)) for f in dataclasses.fields(dataset)
    })


def load(name: str, **options) -> Dataset:
    """Load a packaged data set by name.

    Sets are read once per process and memoised; each call returns a fresh copy,
    so changing the result does not affect later calls.

    Parameters
    ----------
    name : str
        One of :func:`available`.
    **options
        Options of that set's loader, e.g. ``clean=True`` for ``"mini-newsgroups"``
        (drop quoted replies, attribution lines and signatures from the posts).

    Returns
    -------
    PairDataset, RetrievalDataset, TextDataset or AnalogyDataset

    Raises
    ------
    ValueError
        For an unknown name or an option the set does not take; the message lists the
        valid ones.
    MissingDataPackage
        When the package holding the files is not installed; the message names the
        pip command that fixes it.

    Examples
    --------
    >>> lee = load("lee-pairs")
    >>> len(lee), lee.meta["scale"]
    (1225, (0.2, 1.0))
    >>> load("mini-newsgroups", clean=True).meta["cleaned"]
    True
    >>> load("lee-pairs", clean=True)
    Traceback (most recent call last):
    ...
    ValueError: data set 'lee-pairs' takes no option 'clean' (it takes none)
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose from: {', '.join(available())}")
    accepted = DATASETS[name].options()
    for key in options:
        if key not in accepted:
            raise ValueError(f"data set {name!r} takes no option {key!r} "
                             f"(it takes {', '.join(accepted) if accepted else 'none'})")
    DATASETS[name].check_installed()
    return _fresh(_load_shared(name, tuple(sorted(options.items()))))


def describe() -> pd.DataFrame:
    """One row per packaged data set: name, kind, size, unit, corpus, description, package.

    ``size`` counts pairs, texts, queries or questions (``unit`` says which);
    ``corpus`` is the number of documents of a retrieval set. Every set is loaded
    (and memoised) to count it; a set whose package is missing gets no counts.

    Examples
    --------
    >>> table = describe()
    >>> int(table.set_index("name").loc["simlex999", "size"])
    999
    """
    rows = []
    for name in available():
        source = DATASETS[name]
        try:
            source.check_installed()
            dataset = _load_shared(name)
            size = len(dataset)
            corpus = len(dataset.corpus) if isinstance(dataset, RetrievalDataset) else None
        except MissingDataPackage:
            size = corpus = None
        rows.append({"name": name, "kind": source.kind, "size": size,
                     "unit": _UNITS[source.kind], "corpus": corpus,
                     "description": source.description, "package": source.package})
    table = pd.DataFrame(rows)
    return table.astype({"size": "Int64", "corpus": "Int64"})
