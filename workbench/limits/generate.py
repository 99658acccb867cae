"""LIMIT-style retrieval data: "Who likes X?" over people who like things.

Each document is a person, ``"<First Last> likes A, B, ... and Z."``, every person
with the same number of attributes. Each query is ``"Who likes X?"`` for an attribute
``X`` that exactly ``k`` people like, so its relevant set is those ``k`` people. The
relevant k-sets are drawn densely from a small pool of people (46 people give
C(46, 2) = 1,035 pairs, enough for 1,000 queries at k = 2) and kept balanced, so every
pool member answers about the same number of queries; the pool can be hidden among any
number of distractor people, who like only attributes that no query asks about.

The words are the project's own (``words/*.txt`` beside this module): 1,330 ordinary
likeable things with no repeats and no singular / plural pairs, and given and family
names of which none is also an attribute word. Everything is drawn from one seeded
generator, so a seed fixes the data set. :func:`write_dataset` writes the MTEB / BEIR
json-lines layout that :func:`workbench.datasets.load_retrieval` reads. Left out:
graded relevance, titles, and the semantic clustering of attributes that a harder
variant could use.
"""

from __future__ import annotations

import itertools
import json
from functools import lru_cache
from math import comb
from pathlib import Path

import numpy as np

from ..datasets import RetrievalDataset
from ..outputs import owns_only, write_folder

WORDS = Path(__file__).with_name("words")
MAX_BALANCED_SUBSETS = 200_000


@lru_cache(maxsize=None)
def word_list(name: str) -> tuple[str, ...]:
    """One of the packaged word lists: ``attributes``, ``first_names`` or ``last_names``.

    Examples
    --------
    >>> len(word_list("attributes")) >= 1000
    True
    """
    valid = sorted(p.stem for p in WORDS.glob("*.txt"))
    if name not in valid:
        raise ValueError(f"unknown word list {name!r}; valid: {', '.join(valid)}")
    lines = (WORDS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return tuple(s.strip() for s in lines if s.strip() and not s.startswith("#"))


def _pool_size(n_queries: int, k: int) -> int:
    p = k
    while comb(p, k) < n_queries:
        p += 1
    return p


def _balanced_subsets(p: int, k: int, n_queries: int, rng: np.random.Generator) -> np.ndarray:
    """``n_queries`` distinct k-subsets of ``range(p)`` in which every member appears about equally often."""
    total = comb(p, k)
    if total > MAX_BALANCED_SUBSETS:  # sparse case: random distinct subsets are balanced enough
        seen: set[tuple[int, ...]] = set()
        while len(seen) < n_queries:
            seen.add(tuple(sorted(rng.choice(p, size=k, replace=False).tolist())))
        subsets = np.array(sorted(seen))
    else:  # dense case: start from all subsets, drop the ones whose members are most used
        subsets = np.array(list(itertools.combinations(range(p), k)))[rng.permutation(total)]
        keep = np.ones(total, dtype=bool)
        degree = np.bincount(subsets.ravel(), minlength=p).astype(np.int64)
        for _ in range(total - n_queries):
            load = np.where(keep, degree[subsets].sum(1), -1)
            drop = int(np.argmax(load))
            keep[drop] = False
            degree[subsets[drop]] -= 1
        subsets = subsets[keep]
    return subsets[rng.permutation(len(subsets))]


def _names(n: int, rng: np.random.Generator) -> list[str]:
    first, last = word_list("first_names"), word_list("last_names")
    plain = len(first) * len(last)
    limit = plain * 27
    if n > limit:
        raise ValueError(f"at most {limit:,} distinct people can be named from the word lists, asked for {n:,}")
    picks = rng.choice(plain, size=n, replace=False) if n <= plain else np.concatenate(
        [rng.permutation(plain), plain + rng.choice(limit - plain, size=n - plain, replace=False)])
    out = []
    for x in picks.tolist():
        initial, rest = divmod(x, plain)
        f, l_ = first[rest // len(last)], last[rest % len(last)]
        out.append(f"{f} {chr(64 + initial)}. {l_}" if initial else f"{f} {l_}")
    return out


def _sentence(name: str, attrs: list[str]) -> str:
    listed = attrs[0] if len(attrs) == 1 else ", ".join(attrs[:-1]) + " and " + attrs[-1]
    return f"{name} likes {listed}."


def generate_limit(
    n_queries: int = 1000,
    k: int = 2,
    *,
    n_docs: int | None = None,
    n_relevant: int | None = None,
    attributes_per_doc: int | None = None,
    seed: int = 0,
    name: str = "limit-style",
) -> RetrievalDataset:
    """Make a LIMIT-style retrieval data set.

    Parameters
    ----------
    n_queries : int
        Number of "Who likes X?" queries (each asks about its own attribute).
    k : int
        Relevant people per query.
    n_docs : int, optional
        Total documents; those beyond the relevant pool are distractors (default: the pool only).
    n_relevant : int, optional
        Size of the pool the relevant k-sets are drawn from (default: the smallest ``p``
        with C(p, k) >= n_queries, e.g. 46 for 1,000 queries at k = 2).
    attributes_per_doc : int, optional
        Attributes listed per person (default: the most any pool member needs).
    seed : int
        Seed for every random choice.
    name : str
        Data set name.

    Returns
    -------
    RetrievalDataset
        Document ids are the people's names, query ids ``query_<i>``.

    Examples
    --------
    >>> ds = generate_limit(20, 2, n_docs=30, seed=1)
    >>> len(ds.corpus), len(ds.queries), {len(r) for r in ds.qrels.values()}
    (30, 20, {2})
    >>> ds.query_texts[0].startswith("Who likes ")
    True
    """
    attributes = word_list("attributes")
    for label, value in [("n_queries", n_queries), ("k", k)]:
        if int(value) != value or value < 1:
            raise ValueError(f"{label} must be a positive integer, got {value!r}")
    p = _pool_size(n_queries, k) if n_relevant is None else int(n_relevant)
    if p < k:
        raise ValueError(f"k={k} relevant people per query is more than the pool of n_relevant={p}")
    if comb(p, k) < n_queries:
        raise ValueError(f"a pool of {p} people has only C({p}, {k}) = {comb(p, k)} distinct relevant sets, "
                         f"fewer than n_queries={n_queries}; raise n_relevant or lower n_queries")
    n_docs = p if n_docs is None else int(n_docs)
    if n_docs < p:
        raise ValueError(f"n_docs={n_docs} is smaller than the relevant pool of {p} people")
    rng = np.random.default_rng(seed)
    subsets = _balanced_subsets(p, k, int(n_queries), rng)
    degree = np.bincount(subsets.ravel(), minlength=p)
    per_doc = int(degree.max()) if attributes_per_doc is None else int(attributes_per_doc)
    if per_doc < degree.max():
        raise ValueError(f"attributes_per_doc={per_doc} is below the {int(degree.max())} query attributes "
                         "some pool member must hold")
    if n_queries + per_doc > len(attributes):
        raise ValueError(f"{n_queries} query attributes plus {per_doc} filler attributes per person need "
                         f"{n_queries + per_doc} distinct attributes; the list has {len(attributes)}")
    order = rng.permutation(len(attributes))
    asked = [attributes[i] for i in order[:n_queries]]
    filler = [attributes[i] for i in order[n_queries:]]
    likes: list[list[str]] = [[] for _ in range(n_docs)]
    for attr, members in zip(asked, subsets.tolist()):
        for m in members:
            likes[m].append(attr)
    for person in likes:
        extra = rng.choice(len(filler), size=per_doc - len(person), replace=False)
        person.extend(filler[i] for i in extra)
        rng.shuffle(person)
    people = _names(n_docs, rng)  # pool = people[:p]; corpus order is shuffled below
    corpus = {people[i]: _sentence(people[i], likes[i]) for i in rng.permutation(n_docs).tolist()}
    queries = {f"query_{i}": f"Who likes {attr}?" for i, attr in enumerate(asked)}
    qrels = {f"query_{i}": {people[m]: 1 for m in members} for i, members in enumerate(subsets.tolist())}
    meta = {"generator": "workbench.limits.generate_limit", "n_queries": int(n_queries), "k": int(k),
            "n_docs": n_docs, "n_relevant": p, "attributes_per_doc": per_doc, "seed": seed}
    return RetrievalDataset(name, corpus, queries, qrels, meta=meta)


DATASET_FILES = ("corpus.jsonl", "queries.jsonl", "qrels.jsonl")  # what write_dataset writes


def write_dataset(dataset: RetrievalDataset, out: str | Path, *, overwrite: bool = False) -> Path:
    """Write a retrieval data set as MTEB json lines: ``corpus.jsonl``, ``queries.jsonl``, ``qrels.jsonl``.

    The folder is built under a temporary name and renamed into place. An existing
    folder holding anything besides these three files (a user's ``qrels/`` folder, say,
    which would shadow the new qrels) is refused unless ``overwrite=True``, which
    replaces it as a whole. Returns the folder.

    Examples
    --------
    >>> import tempfile
    >>> from workbench.datasets import load_retrieval
    >>> folder = write_dataset(generate_limit(10, 2, seed=0), tempfile.mkdtemp())
    >>> len(load_retrieval(folder).queries)
    10
    """

    def lines(records) -> bytes:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")

    def fill(folder: Path) -> None:
        (folder / "corpus.jsonl").write_bytes(lines(
            {"_id": d, "title": dataset.titles.get(d, ""), "text": t} for d, t in dataset.corpus.items()))
        (folder / "queries.jsonl").write_bytes(lines({"_id": q, "text": t} for q, t in dataset.queries.items()))
        (folder / "qrels.jsonl").write_bytes(lines(
            {"query-id": q, "corpus-id": d, "score": int(s)} for q, rel in dataset.qrels.items()
            for d, s in rel.items()))

    return write_folder(out, fill, owns=owns_only(DATASET_FILES), overwrite=overwrite)
