"""Binary Paragraph Vectors: document codes of a few bits learned directly from text.

Following Grzegorczyk and Kurdziel (2017, "Binary Paragraph Vectors"), a PV-DBOW model
whose document vector passes through a sigmoid and is rounded to bits before it predicts
the document's words: ``b = round(sigmoid(u_d))``, trained with the straight-through
estimator (the rounding is the identity in the backward pass). Words are predicted with
negative sampling (unigram^0.75 noise) instead of the paper's hierarchical softmax.

* ``real_dim > 0`` gives the Real-Binary variant: each document also has a short real
  vector ``r_d``; ``[b; r]`` predicts the words, the bits shortlist and ``r`` re-ranks.
* :meth:`BinaryParagraphVectors.infer` learns codes for new documents with the word
  weights frozen (the transfer setting: train on one corpus, code another).

Codes are exactly ``bits`` 0/1 values per document, packed to ``bits / 8`` bytes by
:func:`workbench.learn.hashing.pack_codes`. Left out: the n-gram prediction targets and
the PV-DM flavour of the paper.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from ..progress import bar
from .corpus import check_corpus


def _pairs(docs: Sequence[Sequence[str]], index: dict) -> tuple[np.ndarray, np.ndarray]:
    d, w = [], []
    for i, doc in enumerate(docs):
        ids = [index[t] for t in doc if t in index]
        d.extend([i] * len(ids))
        w.extend(ids)
    return np.asarray(d, np.int64), np.asarray(w, np.int64)


class BinaryParagraphVectors:
    """Binary (and Real-Binary) PV-DBOW in torch.

    Parameters
    ----------
    bits : int
        Code length (a multiple of 8 packs without padding).
    real_dim : int
        Length of the real vector of the Real-Binary variant (0: pure binary).
    epochs, batch_size, lr, negative : training settings (Adam on sparse rows)
    min_count : int
        Words rarer than this are not predicted.
    seed : int
    show_progress : bool or None

    Examples
    --------
    >>> docs = [["space", "orbit", "nasa"] * 5, ["god", "faith", "church"] * 5] * 10
    >>> bpv = BinaryParagraphVectors(bits=8, epochs=20, batch_size=32, min_count=1).fit(docs)
    >>> bpv.codes_.shape, set(np.unique(bpv.codes_)) <= {0, 1}
    ((20, 8), True)
    >>> bool((bpv.codes_[0] == bpv.codes_[2]).all()), bool((bpv.codes_[0] != bpv.codes_[1]).any())
    (True, True)
    """

    def __init__(self, *, bits: int = 64, real_dim: int = 0, epochs: int = 10, batch_size: int = 1024,
                 lr: float = 0.01, negative: int = 5, min_count: int = 2, seed: int = 0,
                 show_progress: bool | None = None):
        self.bits, self.real_dim, self.epochs, self.batch_size = bits, real_dim, epochs, batch_size
        self.lr, self.negative, self.min_count, self.seed = lr, negative, min_count, seed
        self.show_progress = show_progress

    # ------------------------------------------------------------------ training core
    def _train(self, docs, *, train_words: bool, epochs: int, desc: str):
        import torch  # noqa: PLC0415

        d_ids, w_ids = _pairs(docs, self.index_)
        if len(w_ids) == 0:
            raise ValueError(f"none of the {sum(map(len, docs))} tokens of these {len(docs)} documents is in the "
                             f"vocabulary of {len(self.words_)} words")
        gen = torch.Generator().manual_seed(self.seed)
        width = self.bits + self.real_dim
        doc_emb = torch.nn.Embedding(len(docs), width, sparse=True)
        torch.nn.init.normal_(doc_emb.weight, std=0.1, generator=gen)
        params = list(doc_emb.parameters())
        if train_words:
            self.out_ = torch.nn.Embedding(len(self.words_), width, sparse=True)
            torch.nn.init.zeros_(self.out_.weight)
            params += list(self.out_.parameters())
        opt = torch.optim.SparseAdam(params, lr=self.lr)
        noise = torch.as_tensor(self.noise_, dtype=torch.float32)
        d_t, w_t = torch.as_tensor(d_ids), torch.as_tensor(w_ids)
        n, progress = len(d_t), bar(epochs, desc, self.show_progress)
        self.loss_curve_ = []
        for _ in range(epochs):
            order = torch.randperm(n, generator=gen)
            total = 0.0
            for s in range(0, n, self.batch_size):
                idx = order[s:s + self.batch_size]
                docs_b, pos = d_t[idx], w_t[idx]
                neg = torch.multinomial(noise, len(idx) * self.negative, replacement=True,
                                        generator=gen).view(len(idx), self.negative)
                h = self._doc_repr(doc_emb(docs_b))
                out_w = self.out_(torch.cat([pos[:, None], neg], 1))
                if not train_words:
                    out_w = out_w.detach()
                logits = torch.einsum("bd,bkd->bk", h, out_w)
                sign = torch.ones_like(logits)
                sign[:, 1:] = -1
                loss = -torch.nn.functional.logsigmoid(sign * logits).sum(1).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(idx)
            self.loss_curve_.append(total / n)
            progress.update(1)
        progress.close()
        return doc_emb.weight.detach()

    def _doc_repr(self, u):
        import torch  # noqa: PLC0415

        p = torch.sigmoid(u[:, : self.bits])
        b = p + (torch.round(p) - p).detach()  # straight-through rounding
        return torch.cat([b, u[:, self.bits:]], 1) if self.real_dim else b

    def _split(self, weights) -> tuple[np.ndarray, np.ndarray | None]:
        w = weights.numpy()
        codes = (w[:, : self.bits] > 0).astype(np.uint8)  # round(sigmoid(u)) == [u > 0]
        real = w[:, self.bits:].astype(np.float32) if self.real_dim else None
        return codes, real

    # ------------------------------------------------------------------ public API
    def fit(self, docs: Sequence[Sequence[str]], y=None):
        """Learn word weights and the codes ``codes_`` (and ``real_``) of ``docs`` (token lists)."""
        if self.bits < 1:
            raise ValueError(f"bits must be a positive number of bits, got {self.bits}")
        check_corpus(docs)
        freq = Counter(t for d in docs for t in d)
        self.words_ = [w for w, c in sorted(freq.items(), key=lambda x: (-x[1], x[0])) if c >= self.min_count]
        if not self.words_:
            raise ValueError(f"no word occurs min_count={self.min_count} times in {sum(freq.values())} tokens")
        self.index_ = {w: i for i, w in enumerate(self.words_)}
        counts = np.array([freq[w] for w in self.words_], np.float64) ** 0.75
        self.noise_ = counts / counts.sum()
        weights = self._train(docs, train_words=True, epochs=self.epochs, desc=f"binary PV {self.bits} bits")
        self.codes_, self.real_ = self._split(weights)
        return self

    def infer(self, docs: Sequence[Sequence[str]], *,
              epochs: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """Codes (and real vectors) of new documents, word weights frozen.

        Returns
        -------
        (codes, real) : (n, bits) uint8 0/1 array and (n, real_dim) float32 array or None
        """
        if not hasattr(self, "out_"):
            raise ValueError("this BinaryParagraphVectors is not fitted: call fit(docs) first")
        weights = self._train(docs, train_words=False, epochs=epochs or self.epochs, desc="inferring codes")
        return self._split(weights)
