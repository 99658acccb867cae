"""Static word-vector encoder (GloVe): a sentence is the mean of its known word vectors.

Words are lower-cased and split the way GloVe's 6B vocabulary was built (words,
numbers, punctuation, clitics such as ``'s`` and ``n't`` as their own tokens). A
hyphenated word missing from the vocabulary falls back to its parts. Unknown words
are dropped, counted and reported in one warning per encode; a text with no known
word maps to the zero vector.

It reuses :class:`~workbench.encoder.Encoder`'s chunking, caching and pooling: the
word vectors play the part of a single "layer" of token states.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from .encoder import Encoder
from .identity import folder_identity
from .notices import InputWarning
from .pooling import pool
from .texts import check_texts

_TOKEN = re.compile(r"n't|'[a-z]+|[a-z0-9]+(?:[-.][a-z0-9]+)*|[^\sa-z0-9]")


def tokenize_words(text: str) -> list[str]:
    """Split text into GloVe-style lower-case tokens.

    Examples
    --------
    >>> tokenize_words("The cat's toy isn't new.")
    ['the', 'cat', "'s", 'toy', 'is', "n't", 'new', '.']
    """
    return _TOKEN.findall(text.lower().replace("n't", " n't"))


class _WordTokenizer:
    """The few tokenizer attributes Encoder needs, for a word vocabulary."""

    pad_token_id = 0
    bos_token_id = eos_token_id = None
    padding_side = "right"

    def __init__(self, words: list[str]):
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}

    def convert_ids_to_tokens(self, ids):
        return [self.words[i] for i in ids]


class StaticEncoder(Encoder):
    """Encoder over a table of static word vectors.

    Parameters
    ----------
    vectors : (vocab, d) float32 array
    words : list of str, one per row of ``vectors``
    name, identity : str

    Examples
    --------
    >>> import numpy as np
    >>> enc = StaticEncoder(np.eye(3, dtype=np.float32), ["cat", "dog", "sat"], name="toy", identity="toy")
    >>> enc.encode(["cat sat"], normalize=False, cache=False).round(2).tolist()
    [[0.5, 0.0, 0.5]]
    """

    def __init__(self, vectors: np.ndarray, words: list[str], *, name: str, identity: str):
        super().__init__(None, _WordTokenizer(list(words)), name=name, identity=identity,
                         pooling="mean", max_length=1 << 30)
        self.vectors = torch.from_numpy(np.asarray(vectors, dtype=np.float32))
        self.last_unknown: Counter = Counter()

    @classmethod
    def from_folder(cls, folder: Path, *, name: str) -> "StaticEncoder":
        """Load the GloVe layout: one ``*.npy`` matrix and a parquet vocabulary (column ``index``)."""
        import pandas as pd  # noqa: PLC0415

        folder = Path(folder)
        npy, vocab = next(folder.glob("*.npy")), next(folder.glob("*.parquet"))
        words = pd.read_parquet(vocab).iloc[:, 0].astype(str).tolist()
        vectors = np.load(npy, mmap_mode="r")
        if len(words) != vectors.shape[0]:
            raise ValueError(f"{vocab} lists {len(words)} words but {npy} has {vectors.shape[0]} rows")
        return cls(np.ascontiguousarray(vectors), words, name=name, identity=f"{name}@{folder_identity(folder)}")

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def n_layers(self) -> int:
        return 0

    def _tokenize_counting(self, texts, opts):
        index, unknown, ids = self.tokenizer.index, Counter(), []
        for text in texts:
            row = []
            for w in tokenize_words(text):
                if w in index:
                    row.append(index[w])
                elif "-" in w and all(p in index for p in w.split("-") if p):
                    row.extend(index[p] for p in w.split("-") if p)
                else:
                    unknown[w] += 1
            ids.append(row)
        self.last_unknown = unknown
        if unknown:
            examples = ", ".join(w for w, _ in unknown.most_common(5))
            warnings.warn(f"{sum(unknown.values())} words ({len(unknown)} distinct) are not in the "
                          f"{self.name} vocabulary and were skipped, e.g. {examples}", InputWarning, stacklevel=5)
        return ids, 0

    def _embed_batch(self, batch_ids, targets):
        width = max(1, max(len(x) for x in batch_ids))
        ids = torch.zeros((len(batch_ids), width), dtype=torch.long)
        mask = torch.zeros((len(batch_ids), width), dtype=torch.long)
        for row, x in enumerate(batch_ids):
            ids[row, :len(x)] = torch.tensor(x, dtype=torch.long)
            mask[row, :len(x)] = 1
        out = []
        for opts, kind in targets:
            vecs = pool((self.vectors[ids],), mask, opts.pooling, layer=0)
            if opts.normalize:
                vecs = torch.nn.functional.normalize(vecs, p=2, dim=-1)
            vecs = vecs.numpy()
            out.append(vecs[None] if kind == "layers" else vecs)
        return out

    def hidden_states(self, texts, options=None, /, **kwargs):
        raise ValueError(f"{self.name} is a table of static word vectors: it has no hidden states")

    def token_embeddings(self, texts, layer=-1, options=None, **kwargs):
        ids, _ = self._tokenize_counting(check_texts(texts), {})
        return [(self.tokenizer.convert_ids_to_tokens(x), self.vectors[x].numpy()) for x in ids]
