"""Typed containers for the data sets the workbench evaluates on.

Four shapes cover everything the package loads:

* :class:`PairDataset` -- two aligned lists of texts and a score per pair (STS, word
  similarity);
* :class:`RetrievalDataset` -- a corpus, queries and graded relevance judgements;
* :class:`TextDataset` -- texts with optional labels and a table of attributes;
* :class:`AnalogyDataset` -- ``a : b :: c : d`` word analogies.

The containers hold data and validate its shape; they do not load, encode or score
anything. Splitting lives in :func:`train_test_split`, which keeps a split that a data
set ships with (``meta["split"]``) and otherwise draws a deterministic one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence, TypeVar

import numpy as np
import pandas as pd

__all__ = [
    "AnalogyDataset",
    "PairDataset",
    "RetrievalDataset",
    "TextDataset",
    "train_test_split",
]


@dataclass
class PairDataset:
    """Pairs of texts with a graded similarity score.

    Parameters
    ----------
    name : str
        Short name of the data set.
    text1, text2 : list of str
        The two sides of each pair, aligned by position.
    scores : numpy.ndarray of shape (n,)
        Gold similarity of each pair, float. The scale is the data set's own
        (``meta["scale"]`` records it when known).
    meta : dict
        Free-form provenance: source file, scale, notes.

    Examples
    --------
    >>> ds = PairDataset("toy", ["a cat", "a car"], ["a kitten", "a tree"], [4.5, 0.5])
    >>> len(ds), ds.scores.dtype
    (2, dtype('float64'))
    >>> ds.select([1]).text1
    ['a car']
    """

    name: str
    text1: list[str]
    text2: list[str]
    scores: np.ndarray
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.text1, self.text2 = list(self.text1), list(self.text2)
        scores = np.asarray(self.scores)
        if not np.issubdtype(scores.dtype, np.floating):
            scores = scores.astype(np.float64)
        self.scores = scores
        if not len(self.text1) == len(self.text2) == len(self.scores):
            raise ValueError(
                f"{self.name}: text1, text2 and scores differ in length "
                f"({len(self.text1)}, {len(self.text2)}, {len(self.scores)})"
            )

    def __len__(self) -> int:
        return len(self.scores)

    def select(self, indices: Sequence[int]) -> "PairDataset":
        """Return a new data set holding the pairs at ``indices``, in that order."""
        idx = np.asarray(indices, dtype=int)
        return replace(
            self,
            text1=[self.text1[i] for i in idx],
            text2=[self.text2[i] for i in idx],
            scores=self.scores[idx].copy(),
            meta=_select_meta(self.meta, idx),
        )


@dataclass
class RetrievalDataset:
    """A corpus, a set of queries and which documents answer each query.

    ``corpus`` holds the text to embed for each document. When a source gives a
    document a title, the loaders put it in front of the body as ``"title. body"``
    and keep the bare title in ``titles`` for display.

    Parameters
    ----------
    name : str
        Short name of the data set.
    corpus : dict of str to str
        Document id -> document text.
    queries : dict of str to str
        Query id -> query text.
    qrels : dict of str to dict of str to int
        Query id -> {document id -> relevance}; only relevances above zero are kept.
    titles : dict of str to str
        Document id -> title, for documents that have one (may be empty).
    meta : dict
        Free-form provenance.

    Examples
    --------
    >>> ds = RetrievalDataset(
    ...     "toy",
    ...     corpus={"d1": "Cats purr.", "d2": "Cars honk."},
    ...     queries={"q1": "Which animal purrs?"},
    ...     qrels={"q1": {"d1": 1}},
    ... )
    >>> ds.doc_ids, ds.query_ids, len(ds)
    (['d1', 'd2'], ['q1'], 1)
    """

    name: str
    corpus: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    titles: dict[str, str] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing_q = [q for q in self.qrels if q not in self.queries]
        missing_d = {d for rel in self.qrels.values() for d in rel if d not in self.corpus}
        if missing_q or missing_d:
            raise ValueError(
                f"{self.name}: qrels name {len(missing_q)} unknown queries and "
                f"{len(missing_d)} unknown documents"
            )
        self.qrels = {
            q: {d: int(r) for d, r in rel.items() if r > 0} for q, rel in self.qrels.items()
        }

    def __len__(self) -> int:
        return len(self.queries)

    @property
    def doc_ids(self) -> list[str]:
        """Document ids in corpus order (the order of ``corpus``)."""
        return list(self.corpus)

    @property
    def query_ids(self) -> list[str]:
        """Query ids in query order (the order of ``queries``)."""
        return list(self.queries)

    @property
    def documents(self) -> list[str]:
        """Document texts, aligned with :attr:`doc_ids`."""
        return list(self.corpus.values())

    @property
    def query_texts(self) -> list[str]:
        """Query texts, aligned with :attr:`query_ids`."""
        return list(self.queries.values())

    def select_queries(self, query_ids: Sequence[str]) -> "RetrievalDataset":
        """Return a new data set with only ``query_ids`` (the corpus is kept whole)."""
        ids = list(query_ids)
        unknown = [q for q in ids if q not in self.queries]
        if unknown:
            raise ValueError(f"{self.name}: unknown query ids {unknown[:5]}")
        return replace(
            self,
            queries={q: self.queries[q] for q in ids},
            qrels={q: dict(self.qrels.get(q, {})) for q in ids if q in self.qrels},
            corpus=dict(self.corpus),
            titles=dict(self.titles),
            meta=dict(self.meta),
        )


@dataclass
class TextDataset:
    """Texts with optional labels and per-text attributes.

    Parameters
    ----------
    name : str
        Short name of the data set.
    texts : list of str
        The texts.
    labels : numpy.ndarray of shape (n,) or None
        One class label per text (strings or integers), or None when unlabelled.
    attributes : pandas.DataFrame or None
        Extra columns, one row per text, index ``0..n-1`` (ratings, dates, ...).
    meta : dict
        Free-form provenance.

    Examples
    --------
    >>> ds = TextDataset("toy", ["good", "bad", "fine"], labels=["pos", "neg", "pos"])
    >>> ds.label_names
    ['neg', 'pos']
    >>> ds.select([0, 2]).labels.tolist()
    ['pos', 'pos']
    """

    name: str
    texts: list[str]
    labels: np.ndarray | None = None
    attributes: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.texts = list(self.texts)
        n = len(self.texts)
        if self.labels is not None:
            self.labels = np.asarray(self.labels)
            if len(self.labels) != n:
                raise ValueError(f"{self.name}: {n} texts but {len(self.labels)} labels")
        if self.attributes is not None:
            if len(self.attributes) != n:
                raise ValueError(
                    f"{self.name}: {n} texts but {len(self.attributes)} attribute rows"
                )
            self.attributes = self.attributes.reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def label_names(self) -> list:
        """Sorted distinct labels (empty when unlabelled)."""
        return [] if self.labels is None else np.unique(self.labels).tolist()

    def select(self, indices: Sequence[int]) -> "TextDataset":
        """Return a new data set holding the texts at ``indices``, in that order."""
        idx = np.asarray(indices, dtype=int)
        return replace(
            self,
            texts=[self.texts[i] for i in idx],
            labels=None if self.labels is None else self.labels[idx].copy(),
            attributes=None if self.attributes is None else self.attributes.iloc[idx].copy(),
            meta=_select_meta(self.meta, idx),
        )


@dataclass
class AnalogyDataset:
    """Word analogies ``a : b :: c : d``, grouped in named sections.

    Parameters
    ----------
    name : str
        Short name of the data set.
    a, b, c, d : list of str
        The four words of each question, aligned by position.
    section : list of str
        The section each question belongs to (e.g. ``"capital-common-countries"``).
    meta : dict
        Free-form provenance.

    Examples
    --------
    >>> ds = AnalogyDataset("toy", ["Athens"], ["Greece"], ["Paris"], ["France"],
    ...                     ["capitals"])
    >>> len(ds), ds.sections
    (1, ['capitals'])
    """

    name: str
    a: list[str]
    b: list[str]
    c: list[str]
    d: list[str]
    section: list[str]
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        lengths = {len(self.a), len(self.b), len(self.c), len(self.d), len(self.section)}
        if len(lengths) != 1:
            raise ValueError(f"{self.name}: a, b, c, d and section differ in length")

    def __len__(self) -> int:
        return len(self.a)

    @property
    def sections(self) -> list[str]:
        """Section names in order of first appearance."""
        return list(dict.fromkeys(self.section))


def _select_meta(meta: dict, idx: np.ndarray) -> dict:
    """Copy ``meta``, subsetting a per-item ``split`` list along with the items."""
    out = dict(meta)
    if "split" in out:
        out["split"] = [out["split"][i] for i in idx]
    return out


Splittable = TypeVar("Splittable", PairDataset, TextDataset)


def train_test_split(
    dataset: Splittable, test_size: float = 0.2, seed: int = 0
) -> tuple[Splittable, Splittable]:
    """Split a pair or text data set into train and test parts.

    A data set that ships its own split -- ``meta["split"]``, one ``"train"`` or
    ``"test"`` per item -- is split that way and ``test_size`` and ``seed`` are
    ignored. Otherwise the split is drawn with ``numpy.random.default_rng(seed)``;
    a labelled :class:`TextDataset` is stratified, so each label keeps its share
    (rounded) in both parts. Items keep their original order inside each part.

    Parameters
    ----------
    dataset : PairDataset or TextDataset
        The data set to split.
    test_size : float, default 0.2
        Fraction of items (of each label, when stratified) put in the test part.
    seed : int, default 0
        Seed of the random draw.

    Returns
    -------
    train, test : same type as ``dataset``

    Examples
    --------
    >>> ds = TextDataset("toy", list("abcdefghij"), labels=[0, 1] * 5)
    >>> train, test = train_test_split(ds, test_size=0.4, seed=1)
    >>> len(train), len(test), sorted(test.labels.tolist())
    (6, 4, [0, 0, 1, 1])
    """
    if not isinstance(dataset, (PairDataset, TextDataset)):
        raise TypeError(
            f"train_test_split takes a PairDataset or TextDataset, got {type(dataset).__name__}"
        )
    n = len(dataset)
    shipped = dataset.meta.get("split")
    if shipped is not None:
        split = np.asarray(shipped)
        test = np.flatnonzero(split == "test")
        train = np.flatnonzero(split != "test")
        return dataset.select(train), dataset.select(test)
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must lie strictly between 0 and 1, got {test_size}")
    rng = np.random.default_rng(seed)
    labels = getattr(dataset, "labels", None)
    groups = [np.arange(n)] if labels is None else [
        np.flatnonzero(labels == value) for value in np.unique(labels)
    ]
    test_parts = []
    for members in groups:
        k = int(round(test_size * len(members)))
        test_parts.append(rng.permutation(members)[:k])
    is_test = np.zeros(n, dtype=bool)
    is_test[np.concatenate(test_parts)] = True
    return dataset.select(np.flatnonzero(~is_test)), dataset.select(np.flatnonzero(is_test))
