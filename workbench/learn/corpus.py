"""The packaged corpora as token streams for learning word and document vectors.

Texts are split with :func:`workbench.static.tokenize_words` (lower case, GloVe's
rules), so learned vectors and GloVe see the same tokens. A corpus remembers where each
document came from and how many tokens it holds: training on an empty or one-word
corpus is refused with the count found. Left out: sentence splitting (a document is one
token stream) and phrase detection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..static import tokenize_words

#: the packaged text sets used as raw text, about 2.2 million tokens in all
CORPORA: tuple[str, ...] = ("clothing-reviews", "rotten-tomatoes", "political-speeches", "guardian-headlines",
                            "mini-newsgroups", "lee-background")
MIN_TOKENS = 2  # the fewest tokens a corpus may have (a window needs two words)


@dataclass
class Corpus:
    """Tokenised documents with their source set.

    Attributes
    ----------
    docs : list of list of str
        One token list per document.
    sources : list of str
        The data set each document came from.
    labels : list
        Each document's label in its data set (None where the set has none).
    """

    docs: list[list[str]]
    sources: list[str] = field(default_factory=list)
    labels: list = field(default_factory=list)

    @property
    def n_tokens(self) -> int:
        return sum(len(d) for d in self.docs)

    def __len__(self) -> int:
        return len(self.docs)

    def summary(self) -> dict[str, dict[str, int]]:
        """Documents and tokens per source set."""
        out: dict[str, dict[str, int]] = {}
        for doc, src in zip(self.docs, self.sources or ["?"] * len(self.docs)):
            row = out.setdefault(src, {"documents": 0, "tokens": 0})
            row["documents"] += 1
            row["tokens"] += len(doc)
        return out


def tokenize_texts(texts: Sequence[str]) -> list[list[str]]:
    """Token lists of ``texts``.

    Examples
    --------
    >>> tokenize_texts(["The cat sat.", "Dogs run"])
    [['the', 'cat', 'sat', '.'], ['dogs', 'run']]
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not one string")
    return [tokenize_words(str(t)) for t in texts]


def check_corpus(docs: Sequence[Sequence[str]], what: str = "corpus") -> int:
    """Refuse a corpus with fewer than :data:`MIN_TOKENS` tokens; return its token count.

    Examples
    --------
    >>> check_corpus([["hello"]])
    Traceback (most recent call last):
    ...
    ValueError: the corpus has 1 token(s) in 1 document(s); learning word vectors needs at least 2 tokens
    """
    if isinstance(docs, str) or any(isinstance(d, str) for d in docs):
        raise TypeError(f"the {what} must be a list of token lists (use tokenize_texts on raw strings)")
    n = sum(len(d) for d in docs)
    if n < MIN_TOKENS:
        raise ValueError(f"the {what} has {n} token(s) in {len(docs)} document(s); learning word vectors needs "
                         f"at least {MIN_TOKENS} tokens")
    return n


def load_corpus(names: Sequence[str] = CORPORA, *, max_tokens: int | None = None,
                max_docs_per_set: int | None = None, max_tokens_per_set: int | None = None) -> Corpus:
    """Tokenised documents of packaged text sets, in the order given.

    Parameters
    ----------
    names : sequence of str
        Packaged sets of kind ``"texts"`` (see :data:`CORPORA`).
    max_tokens : int, optional
        Stop adding documents once this many tokens are in (smoke sizes).
    max_docs_per_set : int, optional
        Take at most this many documents from each set (the first ones).
    max_tokens_per_set : int, optional
        Stop reading a set once this many of its tokens are in (a mix of every set at small sizes).

    Examples
    --------
    >>> c = load_corpus(["lee-background"], max_docs_per_set=3)
    >>> len(c), c.sources[0], c.n_tokens > 100
    (3, 'lee-background', True)
    """
    from .. import datasets  # noqa: PLC0415

    docs, sources, labels, total = [], [], [], 0
    for name in names:
        ds = datasets.load(name)
        if not hasattr(ds, "texts"):
            raise ValueError(f"{name!r} is not a set of texts; valid corpora include: {', '.join(CORPORA)}")
        texts = ds.texts[:max_docs_per_set] if max_docs_per_set else ds.texts
        labs = list(ds.labels[: len(texts)]) if getattr(ds, "labels", None) is not None else [None] * len(texts)
        in_set = 0
        for text, lab in zip(texts, labs):
            if max_tokens_per_set and in_set >= max_tokens_per_set:
                break
            toks = tokenize_words(text)
            if not toks:
                continue
            docs.append(toks)
            sources.append(name)
            labels.append(lab)
            total += len(toks)
            in_set += len(toks)
            if max_tokens and total >= max_tokens:
                return Corpus(docs, sources, labels)
    return Corpus(docs, sources, labels)
