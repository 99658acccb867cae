"""Training pairs from the packaged real data sets, with fixed train/test splits.

:func:`training_split` turns a packaged retrieval set into ``(TrainPairs, test set)``:
training pairs (query text, positive document text) and a held-out
:class:`~workbench.datasets.RetrievalDataset` to evaluate on. The split is fixed: a
query (for ``rotten-tomatoes-synopsis``, a movie) goes to the test side when a hash of
the set's name and the query id falls below ``test_fraction``, so it never depends on
the order of loading, the size of a subset or a random seed. The two sides never
overlap: no test query and no test document shares an id or a text with any training
query or training positive.

Sets: ``clothing-title-review`` (review title -> its review), ``rotten-tomatoes-synopsis``
(plot synopsis -> that movie's review snippets), ``python-docstrings`` (docstring ->
function code). Also here: :func:`batches`, the seeded, duplicate-free batch order that
the training loop follows. Left out: data sets with graded pairs (``cosent`` takes them
directly) and multilingual or instruction-formatted data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence

import numpy as np

from ..datasets import RetrievalDataset
from ..datasets import load as load_dataset
from ..evaluate.retrieval import retrieval_subset

#: packaged retrieval sets that make training pairs -> what a pair is
TRAINING_SETS: dict[str, str] = {
    "clothing-title-review": "review title -> the review text",
    "rotten-tomatoes-synopsis": "movie plot synopsis -> one of that movie's review snippets",
    "python-docstrings": "docstring (first paragraph) -> the function's code",
}


@dataclass
class TrainPairs:
    """Aligned (query, positive) texts for contrastive training.

    Parameters
    ----------
    name : str
    queries, positives : list of str
        ``positives[i]`` answers ``queries[i]``; the same query may appear in several pairs.
    groups : list of str, optional
        An id per pair naming its query (pairs of one query share it); default: the query text.
    negatives : list of list of str, optional
        Hard negatives of each pair, the same number for every pair (see ``mining``).
    meta : dict

    Examples
    --------
    >>> p = TrainPairs("toy", ["a", "b"], ["A", "B"])
    >>> len(p), p.select([1]).positives
    (2, ['B'])
    """

    name: str
    queries: list[str]
    positives: list[str]
    groups: list[str] | None = None
    negatives: list[list[str]] | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.queries, str) or isinstance(self.positives, str):
            raise TypeError("queries and positives must be lists of strings, not a single string")
        self.queries, self.positives = list(self.queries), list(self.positives)
        if len(self.queries) != len(self.positives):
            raise ValueError(f"{self.name}: {len(self.queries)} queries but {len(self.positives)} positives; "
                             "the two lists must be aligned pair by pair")
        for side in ("queries", "positives"):
            bad = next((i for i, t in enumerate(getattr(self, side)) if not isinstance(t, str)), None)
            if bad is not None:
                raise TypeError(f"{self.name}: {side}[{bad}] is {type(getattr(self, side)[bad]).__name__}, not str")
        self.groups = list(self.queries) if self.groups is None else [str(g) for g in self.groups]
        if len(self.groups) != len(self.queries):
            raise ValueError(f"{self.name}: {len(self.groups)} groups for {len(self.queries)} pairs")
        if self.negatives is not None:
            self.negatives = [list(n) for n in self.negatives]
            if len(self.negatives) != len(self.queries) or len({len(n) for n in self.negatives}) > 1:
                raise ValueError(f"{self.name}: negatives must hold one list per pair, all of the same length")

    def __len__(self) -> int:
        return len(self.queries)

    def select(self, indices: Sequence[int]) -> "TrainPairs":
        """The pairs at ``indices``, in that order."""
        idx = [int(i) for i in indices]
        return replace(self, queries=[self.queries[i] for i in idx], positives=[self.positives[i] for i in idx],
                       groups=[self.groups[i] for i in idx], meta=dict(self.meta),
                       negatives=None if self.negatives is None else [list(self.negatives[i]) for i in idx])

    @property
    def n_negatives(self) -> int:
        """Hard negatives per pair (0 when none were mined)."""
        return len(self.negatives[0]) if self.negatives else 0


def is_test(name: str, key: str, test_fraction: float) -> bool:
    """The fixed split: whether ``key`` of set ``name`` is held out (a hash below ``test_fraction``).

    Examples
    --------
    >>> is_test("toy", "q1", 0.0), is_test("toy", "q1", 1.0)
    (False, True)
    """
    digest = hashlib.blake2b(f"{name}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64 < test_fraction


def training_split(name: str, *, test_fraction: float = 0.2, n_train: int | None = None,
                   n_test: int | None = None, n_test_docs: int | None = None) -> tuple[TrainPairs, RetrievalDataset]:
    """Training pairs and a held-out retrieval set from a packaged data set.

    Parameters
    ----------
    name : str
        One of ``TRAINING_SETS``.
    test_fraction : float, default 0.2
        Share of queries (movies for ``rotten-tomatoes-synopsis``) held out.
    n_train : int, optional
        Keep only the first ``n_train`` training pairs (in the set's order).
    n_test, n_test_docs : int, optional
        Evaluate on a deterministic subset: ``n_test`` test queries, and a test corpus
        of their relevant documents plus held-out distractors up to ``n_test_docs``.

    Returns
    -------
    (TrainPairs, RetrievalDataset)
        The test corpus holds only documents that are no training pair's positive:
        the held-out queries' documents and documents no query points to.

    Examples
    --------
    >>> train, test = training_split("python-docstrings", n_test=20, n_test_docs=100)
    >>> len(test.queries), len(test.corpus), len(train) > 1000
    (20, 100, True)
    >>> set(train.positives) & set(test.documents)
    set()
    """
    if name not in TRAINING_SETS:
        raise ValueError(f"no training split for {name!r}; valid: {', '.join(TRAINING_SETS)}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    ds = load_dataset(name)
    test_q = [q for q in ds.query_ids if is_test(name, q, test_fraction) and ds.qrels.get(q)]
    train_q = [q for q in ds.query_ids if not is_test(name, q, test_fraction) and ds.qrels.get(q)]
    queries, positives, groups = [], [], []
    for q in train_q:
        for doc in ds.qrels[q]:
            queries.append(ds.queries[q])
            positives.append(ds.corpus[doc])
            groups.append(q)
    seen_docs = {d for q in train_q for d in ds.qrels[q]}
    seen_texts = set(positives) | set(queries)
    test_q = [q for q in test_q if ds.queries[q] not in seen_texts]
    corpus = {d: t for d, t in ds.corpus.items() if d not in seen_docs and t not in seen_texts}
    qrels = {q: {d: r for d, r in ds.qrels[q].items() if d in corpus} for q in test_q}
    test_q = [q for q in test_q if qrels[q]]
    test = RetrievalDataset(f"{name}:test", corpus, {q: ds.queries[q] for q in test_q},
                            {q: qrels[q] for q in test_q}, meta={**ds.meta, "split": "test",
                                                                 "test_fraction": test_fraction})
    if n_test is not None:
        if n_test > len(test_q):
            raise ValueError(f"n_test={n_test} exceeds the {len(test_q)} held-out queries of {name}")
        test = retrieval_subset(test, n_test, n_test_docs, seed=0)
    elif n_test_docs is not None:
        raise ValueError("n_test_docs needs n_test (the number of test queries)")
    train = TrainPairs(f"{name}:train", queries, positives, groups,
                       meta={"source": name, "split": "train", "test_fraction": test_fraction})
    if n_train is not None:
        if n_train < 1:
            raise ValueError(f"n_train must be at least 1, got {n_train}")
        train = train.select(range(min(n_train, len(train))))
    return train, test


def batches(pairs: TrainPairs, batch_size: int, *, seed: int = 0, epoch: int = 0) -> Iterator[list[int]]:
    """One epoch of batches of pair indices, in a seeded order, with no query twice in a batch.

    In-batch negatives must be real negatives: a batch never holds two pairs of the same
    group (query) or two pairs with the same positive text. Pairs that would clash are
    deferred to a later batch; the order depends only on ``seed`` and ``epoch``.
    A last batch smaller than 2 pairs is dropped (it has no in-batch negative).

    Examples
    --------
    >>> p = TrainPairs("toy", ["a", "a", "b", "c"], ["1", "2", "3", "4"])
    >>> all(len({p.queries[i] for i in b}) == len(b) for b in batches(p, 2, seed=0))
    True
    """
    if len(pairs) == 0:
        raise ValueError(f"{pairs.name}: the training set is empty")
    if not isinstance(batch_size, int) or batch_size < 2:
        raise ValueError(f"batch_size must be an int >= 2 (in-batch negatives need a second pair), got {batch_size!r}")
    rng = np.random.default_rng([int(seed), int(epoch)])
    pending = [int(i) for i in rng.permutation(len(pairs))]
    while pending:
        batch, keys, rest = [], set(), []
        for i in pending:
            k = (("g", pairs.groups[i]), ("p", pairs.positives[i]))
            if len(batch) < batch_size and not (k[0] in keys or k[1] in keys):
                batch.append(i)
                keys.update(k)
            else:
                rest.append(i)
        if len(batch) < 2:
            return
        yield batch
        pending = rest
