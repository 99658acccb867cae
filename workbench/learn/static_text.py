"""Static word (and document) vectors learned from raw text with gensim.

Five methods, one call (:func:`train_static`):

* ``skipgram`` / ``cbow`` -- word2vec with negative sampling (Mikolov et al., 2013);
* ``fasttext`` -- skip-gram over words and their character n-grams (Bojanowski et al.,
  2017), so unseen words still get a vector;
* ``pv-dbow`` / ``pv-dm`` -- doc2vec (Le and Mikolov, 2014); PV-DBOW trains word vectors
  alongside (``dbow_words=1``) so its words can be evaluated too.

Training is seeded and single-threaded by default, so a run is repeatable (gensim's
multi-threaded training is not). The result, :class:`LearnedVectors`, keeps the rows in
frequency order (as analogy search expects) and turns into a
:class:`~workbench.static.StaticEncoder` with :meth:`LearnedVectors.encoder`, so every
tool that takes an encoder applies. Left out: hierarchical softmax, phrase detection,
and GloVe's own co-occurrence factorisation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..progress import bar
from .corpus import check_corpus

METHODS: tuple[str, ...] = ("skipgram", "cbow", "fasttext", "pv-dbow", "pv-dm")


@dataclass
class LearnedVectors:
    """Word vectors learned from a corpus (rows in frequency order).

    Attributes
    ----------
    words : list of str
    vectors : (V, d) float32 array
    counts : (V,) int array, corpus frequency of each word
    method : str
    n_tokens : int, tokens in the training corpus
    model : the gensim model (for fastText n-gram lookups and doc2vec inference)
    doc_vectors : (n_docs, d) float32 array or None (doc2vec only)
    """

    words: list[str]
    vectors: np.ndarray
    counts: np.ndarray
    method: str
    n_tokens: int
    model: object = field(repr=False, default=None)
    doc_vectors: np.ndarray | None = field(repr=False, default=None)

    def __post_init__(self):
        self.index = {w: i for i, w in enumerate(self.words)}

    def lookup(self, word: str) -> np.ndarray | None:
        """The vector of ``word``; fastText builds one from n-grams for unseen words, others give None."""
        if word in self.index:
            return self.vectors[self.index[word]]
        if self.method == "fasttext" and self.model is not None:
            vec = self.model.wv.get_vector(word)
            return vec if vec.any() else None
        return None

    def encoder(self, name: str | None = None):
        """A :class:`~workbench.static.StaticEncoder` over these vectors (mean of word vectors per text).

        Examples
        --------
        >>> lv = train_static([["a", "b", "a", "c"]] * 20, "cbow", dim=8, min_count=1, epochs=1)
        >>> lv.encoder().encode(["a b"], cache=False).shape
        (1, 8)
        """
        from ..static import StaticEncoder  # noqa: PLC0415

        digest = hashlib.sha1(np.ascontiguousarray(self.vectors).tobytes()).hexdigest()[:12]
        name = name or f"learned-{self.method}-{self.vectors.shape[1]}d"
        return StaticEncoder(self.vectors, self.words, name=name, identity=f"{name}@{digest}")

    def infer_documents(self, docs: Sequence[Sequence[str]], *, epochs: int | None = None) -> np.ndarray:
        """doc2vec vectors for new token lists (the word weights stay fixed); doc2vec methods only."""
        if not self.method.startswith("pv-"):
            raise ValueError(f"{self.method} learns no document vectors; use pv-dbow or pv-dm")
        self.model.random.seed(self.model.seed)  # repeatable inference
        return np.stack([self.model.infer_vector(list(d), epochs=epochs) for d in docs]).astype(np.float32)


def _callback(total: int, desc: str, show_progress: bool | None):
    from gensim.models.callbacks import CallbackAny2Vec  # noqa: PLC0415

    class _Epochs(CallbackAny2Vec):
        def __init__(self):
            self.bar = bar(total, desc, show_progress)

        def on_epoch_end(self, model):
            self.bar.update(1)

        def on_train_end(self, model):
            self.bar.close()

    return _Epochs()


def train_static(docs: Sequence[Sequence[str]], method: str = "skipgram", *, dim: int = 100, window: int = 5,
                 min_count: int = 5, epochs: int = 5, negative: int = 5, sample: float = 1e-3, seed: int = 0,
                 workers: int = 1, show_progress: bool | None = None) -> LearnedVectors:
    """Learn word vectors from token lists.

    Parameters
    ----------
    docs : list of list of str
        Tokenised documents (:func:`workbench.learn.corpus.tokenize_texts`).
    method : {"skipgram", "cbow", "fasttext", "pv-dbow", "pv-dm"}
    dim, window, min_count, epochs, negative, sample :
        The usual word2vec settings (vector size, context half-width, rarest word kept,
        passes, negative samples, down-sampling threshold of frequent words).
    seed : int
    workers : int, default 1
        Threads; only ``workers=1`` gives the same vectors on every run.
    show_progress : bool or None
        One tick per epoch.

    Returns
    -------
    LearnedVectors

    Examples
    --------
    >>> lv = train_static([["the", "cat", "sat"], ["the", "dog", "the"]] * 50, dim=10, min_count=1, epochs=2)
    >>> lv.words[0], sorted(lv.words), lv.vectors.shape, lv.n_tokens  # the most frequent word first
    ('the', ['cat', 'dog', 'sat', 'the'], (4, 10), 300)
    >>> train_static([["alone"]])
    Traceback (most recent call last):
    ...
    ValueError: the corpus has 1 token(s) in 1 document(s); learning word vectors needs at least 2 tokens
    """
    from gensim.models import Doc2Vec, FastText, Word2Vec  # noqa: PLC0415
    from gensim.models.doc2vec import TaggedDocument  # noqa: PLC0415

    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    n_tokens = check_corpus(docs)
    docs = [list(d) for d in docs]
    common = dict(vector_size=int(dim), window=int(window), min_count=int(min_count), epochs=int(epochs),
                  negative=int(negative), sample=float(sample), seed=int(seed), workers=int(workers),
                  callbacks=[_callback(int(epochs), f"{method} epochs", show_progress)])
    from collections import Counter  # noqa: PLC0415

    freq = Counter(w for d in docs for w in d)
    if not any(c >= min_count for c in freq.values()):
        raise ValueError(f"no word occurs min_count={min_count} times in the {n_tokens} tokens "
                         f"({len(freq)} distinct words); lower min_count or give a larger corpus")
    doc_vectors = None
    if method in ("skipgram", "cbow"):
        model = Word2Vec(docs, sg=int(method == "skipgram"), **common)
    elif method == "fasttext":
        model = FastText(docs, sg=1, min_n=3, max_n=6, **common)
    else:
        tagged = [TaggedDocument(d, [i]) for i, d in enumerate(docs)]
        model = Doc2Vec(tagged, dm=int(method == "pv-dm"), dbow_words=int(method == "pv-dbow"), **common)
        doc_vectors = np.asarray(model.dv.vectors, dtype=np.float32).copy()
    kv = model.wv
    words = list(kv.index_to_key)
    counts = np.array([kv.get_vecattr(w, "count") for w in words], dtype=np.int64)
    return LearnedVectors(words, np.asarray(kv.vectors[: len(words)], dtype=np.float32).copy(), counts, method,
                          n_tokens, model, doc_vectors)


def random_vectors(words: Sequence[str], dim: int, *, seed: int = 0) -> LearnedVectors:
    """Gaussian vectors for ``words``: the floor any learned vectors must beat.

    Examples
    --------
    >>> random_vectors(["a", "b"], 4).vectors.shape
    (2, 4)
    """
    rng = np.random.default_rng(seed)
    words = list(words)
    return LearnedVectors(words, rng.standard_normal((len(words), dim)).astype(np.float32),
                          np.zeros(len(words), dtype=np.int64), "random", 0)


def save_vectors(lv: LearnedVectors, folder, *, overwrite: bool = False):
    """Write ``vectors.npy`` and ``vocab.parquet`` (GloVe's layout, read back by ``StaticEncoder.from_folder``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from workbench.static import StaticEncoder
    >>> lv = random_vectors(["a", "b"], 3)
    >>> out = save_vectors(lv, pathlib.Path(tempfile.mkdtemp()) / "vecs")
    >>> StaticEncoder.from_folder(out, name="mine").vectors.shape
    torch.Size([2, 3])
    """
    import pandas as pd  # noqa: PLC0415

    from ..outputs import owns_only, write_folder  # noqa: PLC0415

    def fill(tmp):
        np.save(tmp / "vectors.npy", np.ascontiguousarray(lv.vectors, dtype=np.float32))
        pd.DataFrame({"word": lv.words, "count": lv.counts}).to_parquet(tmp / "vocab.parquet")

    return write_folder(folder, fill, owns=owns_only(["vectors.npy", "vocab.parquet"]), overwrite=overwrite)
