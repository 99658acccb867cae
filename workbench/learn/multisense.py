"""Disambiguated Skip-gram: several vectors per frequent word and a differentiable sense selector.

After Grzegorczyk and Kurdziel (2018, "Disambiguated skip-gram model"): each of the
``n_multi`` most frequent words owns ``senses`` sense vectors ``s_{w,k}`` and as many
disambiguation vectors ``d_{w,k}``; the other words own one. At a position with
centre word ``w`` the selector reads the context (the mean ``c`` of the context words'
output vectors) and gives ``p(k) = softmax_k(d_{w,k} . c)``. The loss is skip-gram with
negative sampling averaged over senses,

    L = sum_k p(k) [ -log sigma(s_{w,k} . u_t) - sum_n log sigma(-s_{w,k} . u_n) ],

plus ``entropy`` times the selector's entropy (a push towards crisp choices) minus
``balance`` times the entropy of the batch's average choice over multi-sense words (a
push against one sense taking every occurrence, which otherwise happens: the sense that
wins early gets all the gradient). With one sense ``p = 1``, both terms vanish and ``L``
is skip-gram's objective exactly. After training, senses are
pruned: a sense chosen less than ``prune_below`` of the time on the training corpus, or
whose vector has cosine above ``merge_above`` with a more popular sense of the same
word, is dropped. Word similarity is the average or the maximum cosine over sense pairs.
Left out: the paper's sub-sampling schedule and its hierarchical softmax.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from ..progress import bar
from .corpus import check_corpus


def sgns_loss_reference(center: np.ndarray, target: np.ndarray, negatives: np.ndarray) -> float:
    """Skip-gram negative-sampling loss of one example in closed form (numpy), the reference for one sense.

    Examples
    --------
    >>> round(sgns_loss_reference(np.zeros(2), np.ones(2), np.ones((3, 2))), 4)  # 4 * log 2
    2.7726
    """
    logsig = lambda x: -np.logaddexp(0.0, -x)  # noqa: E731
    return float(-logsig(center @ target) - logsig(-(negatives @ center)).sum())


class DisambiguatedSkipGram:
    """Multi-sense skip-gram in torch (``senses=1`` is plain skip-gram with negative sampling).

    Parameters
    ----------
    dim, window, negative, epochs, batch_size, lr, min_count : the usual skip-gram settings
    senses : int
        Sense vectors per multi-sense word.
    n_multi : int
        How many of the most frequent words get ``senses`` senses.
    entropy : float
        Weight of the selector's entropy in the loss.
    balance : float
        Weight of the (negative) entropy of the batch-average sense choice.
    prune_below, merge_above : float
        Pruning thresholds (sense frequency; cosine with a more popular sense).
    max_pairs : int, optional
        Train on at most this many (centre, context) pairs per epoch (a seeded sample).
    seed : int
    show_progress : bool or None

    Examples
    --------
    >>> docs = [["river", "bank", "water"], ["money", "bank", "loan"]] * 30
    >>> m = DisambiguatedSkipGram(dim=8, senses=2, n_multi=1, epochs=2, min_count=1, window=1).fit(docs)
    >>> m.n_senses("bank") in (1, 2), m.n_senses("loan")
    (True, 1)
    """

    def __init__(self, *, dim: int = 50, senses: int = 3, n_multi: int = 200, window: int = 3, negative: int = 5,
                 epochs: int = 2, batch_size: int = 2048, lr: float = 0.01, min_count: int = 5, entropy: float = 0.0,
                 balance: float = 1.0, prune_below: float = 0.05, merge_above: float = 0.9,
                 max_pairs: int | None = None, seed: int = 0, show_progress: bool | None = None):
        self.dim, self.senses, self.n_multi, self.window, self.negative = dim, senses, n_multi, window, negative
        self.epochs, self.batch_size, self.lr, self.min_count, self.entropy = epochs, batch_size, lr, min_count, entropy
        self.balance = balance
        self.prune_below, self.merge_above, self.max_pairs = prune_below, merge_above, max_pairs
        self.seed, self.show_progress = seed, show_progress

    # -------------------------------------------------------------- the objective
    def _init(self, vocab_size: int):
        import torch  # noqa: PLC0415

        gen = torch.Generator().manual_seed(self.seed)
        K, d = self.senses, self.dim
        self.sense_ = torch.nn.Embedding(vocab_size * K, d, sparse=True)
        self.disamb_ = torch.nn.Embedding(vocab_size * K, d, sparse=True)
        self.out_ = torch.nn.Embedding(vocab_size + 1, d, sparse=True, padding_idx=vocab_size)  # last row: padding
        for emb in (self.sense_, self.disamb_):
            torch.nn.init.uniform_(emb.weight, -0.5 / d, 0.5 / d, generator=gen)
        torch.nn.init.zeros_(self.out_.weight)
        self.active_ = torch.zeros(vocab_size, K, dtype=torch.bool)
        self.active_[:, 0] = True
        self.active_[: self.n_multi, :] = True
        return gen

    def sense_probabilities(self, center, context):
        """``p(k | centre, context)``: (B, K); ``context`` holds word ids, padding = vocabulary size."""
        import torch  # noqa: PLC0415

        K = self.senses
        mask = (context != self.out_.padding_idx).float()[..., None]
        c = (self.out_(context) * mask).sum(1) / mask.sum(1).clamp(min=1)
        rows = center[:, None] * K + torch.arange(K)
        logits = torch.einsum("bkd,bd->bk", self.disamb_(rows), c)
        logits = logits.masked_fill(~self.active_[center], float("-inf"))
        return torch.softmax(logits, 1)

    def loss(self, center, context, target, negatives):
        """Mean loss of a batch: ``center`` (B,), ``context`` (B, 2w), ``target`` (B,), ``negatives`` (B, n)."""
        import torch  # noqa: PLC0415

        K = self.senses
        p = self.sense_probabilities(center, context)
        s = self.sense_(center[:, None] * K + torch.arange(K))                        # (B, K, d)
        u = self.out_(torch.cat([target[:, None], negatives], 1))                     # (B, 1 + n, d)
        scores = torch.einsum("bkd,bjd->bkj", s, u)
        sign = torch.ones_like(scores)
        sign[:, :, 1:] = -1
        per_sense = -torch.nn.functional.logsigmoid(sign * scores).sum(2)            # (B, K)
        loss = (p * per_sense).sum(1)
        if self.entropy:
            loss = loss - self.entropy * (p * torch.log(p.clamp(min=1e-12))).sum(1)
        loss = loss.mean()
        multi = self.active_[center].sum(1) > 1
        if self.balance and bool(multi.any()):
            q = p[multi].mean(0)
            loss = loss + self.balance * (q * torch.log(q.clamp(min=1e-12))).sum()
        return loss

    # -------------------------------------------------------------- training
    def fit(self, docs: Sequence[Sequence[str]], y=None):
        """Learn sense vectors from token lists, then prune."""
        import torch  # noqa: PLC0415

        check_corpus(docs)
        freq = Counter(t for d in docs for t in d)
        self.words_ = [w for w, c in sorted(freq.items(), key=lambda x: (-x[1], x[0])) if c >= self.min_count]
        if len(self.words_) < 2:
            raise ValueError(f"{len(self.words_)} word(s) occur min_count={self.min_count} times in "
                             f"{sum(freq.values())} tokens; need at least 2")
        self.index_ = {w: i for i, w in enumerate(self.words_)}
        V = len(self.words_)
        gen = self._init(V)
        centers, contexts, targets = self._examples(docs)
        noise = torch.as_tensor(np.array([freq[w] for w in self.words_], np.float64) ** 0.75, dtype=torch.float32)
        opt = torch.optim.SparseAdam([self.sense_.weight, self.disamb_.weight, self.out_.weight], lr=self.lr)
        n = len(targets)
        progress = bar(self.epochs, f"skip-gram, {self.senses} sense(s)", self.show_progress)
        self.loss_curve_ = []
        for _ in range(self.epochs):
            order = torch.randperm(n, generator=gen)[: self.max_pairs or n]
            total = 0.0
            for s in range(0, len(order), self.batch_size):
                idx = order[s:s + self.batch_size]
                neg = torch.multinomial(noise, len(idx) * self.negative, replacement=True,
                                        generator=gen).view(len(idx), -1)
                loss = self.loss(centers[idx], contexts[idx], targets[idx], neg)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(idx)
            self.loss_curve_.append(total / len(order))
            progress.update(1)
        progress.close()
        self._prune(centers, contexts)
        return self

    def _examples(self, docs):
        import torch  # noqa: PLC0415

        w, pad = self.window, len(self.words_)
        centers, contexts, targets = [], [], []
        for doc in docs:
            ids = [self.index_[t] for t in doc if t in self.index_]
            padded = [pad] * w + ids + [pad] * w
            for i, c in enumerate(ids):
                ctx = padded[i: i + w] + padded[i + w + 1: i + 2 * w + 1]
                for t in ctx:
                    if t != pad:
                        centers.append(c)
                        contexts.append(ctx)
                        targets.append(t)
        if not targets:
            raise ValueError("no (centre, context) pair: every document has fewer than two vocabulary words")
        return torch.tensor(centers), torch.tensor(contexts), torch.tensor(targets)

    def _prune(self, centers, contexts):
        import torch  # noqa: PLC0415

        K = self.senses
        counts = torch.zeros(len(self.words_), K)
        with torch.no_grad():
            for s in range(0, len(centers), 8192):
                p = self.sense_probabilities(centers[s:s + 8192], contexts[s:s + 8192])
                counts.index_add_(0, centers[s:s + 8192], p)
            self.sense_share_ = (counts / counts.sum(1, keepdim=True).clamp(min=1e-12)).numpy()
            vecs = self.sense_.weight.detach().view(-1, K, self.dim)
            for w in range(min(self.n_multi, len(self.words_))):
                order = np.argsort(-self.sense_share_[w])
                kept = []
                for k in order:
                    if self.sense_share_[w, k] < self.prune_below and kept:
                        self.active_[w, k] = False
                        continue
                    v = vecs[w, k]
                    if any(float(torch.cosine_similarity(v, vecs[w, j], 0)) > self.merge_above for j in kept):
                        self.active_[w, k] = False
                        continue
                    kept.append(int(k))

    # -------------------------------------------------------------- using the senses
    def n_senses(self, word: str) -> int:
        return int(self.active_[self.index_[word]].sum())

    def sense_vectors(self, word: str) -> np.ndarray | None:
        """The kept sense vectors of ``word`` (k, dim), most frequent sense first; None if unknown."""
        if word not in self.index_:
            return None
        i = self.index_[word]
        vecs = self.sense_.weight.detach().view(-1, self.senses, self.dim)[i].numpy()
        keep = [k for k in np.argsort(-self.sense_share_[i]) if self.active_[i, k]]
        return vecs[keep]

    def word_vectors(self) -> np.ndarray:
        """One vector per word: the senses averaged with their corpus shares (for tools that want one)."""
        vecs = self.sense_.weight.detach().view(-1, self.senses, self.dim).numpy()
        share = self.sense_share_ * self.active_.numpy()
        share = share / np.maximum(share.sum(1, keepdims=True), 1e-12)
        return np.einsum("vk,vkd->vd", share, vecs).astype(np.float32)

    def similarity(self, a: str, b: str, mode: str = "avg") -> float | None:
        """Average (``"avg"``) or maximum (``"max"``) cosine over sense pairs; None if a word is unknown."""
        if mode not in ("avg", "max"):
            raise ValueError(f"unknown mode {mode!r}; valid: avg, max")
        va, vb = self.sense_vectors(a), self.sense_vectors(b)
        if va is None or vb is None:
            return None
        na = va / np.maximum(np.linalg.norm(va, axis=1, keepdims=True), 1e-12)
        nb = vb / np.maximum(np.linalg.norm(vb, axis=1, keepdims=True), 1e-12)
        cos = na @ nb.T
        return float(cos.mean() if mode == "avg" else cos.max())

    def sense_neighbours(self, word: str, k: int = 8) -> list[list[str]]:
        """For each kept sense of ``word``, the ``k`` words whose (share-averaged) vectors are nearest."""
        senses = self.sense_vectors(word)
        if senses is None:
            raise ValueError(f"{word!r} is not in the vocabulary of {len(self.words_)} words")
        W = self.word_vectors()
        W = W / np.maximum(np.linalg.norm(W, axis=1, keepdims=True), 1e-12)
        out = []
        for v in senses:
            sims = W @ (v / max(np.linalg.norm(v), 1e-12))
            sims[self.index_[word]] = -np.inf
            out.append([self.words_[i] for i in np.argsort(-sims)[:k]])
        return out


def evaluate_senses(model: DisambiguatedSkipGram, pairs, *, mode: str = "avg", n_resamples: int = 0) -> dict:
    """Spearman of avg / max sense similarity with the gold scores on the pairs the vocabulary covers."""
    from scipy import stats  # noqa: PLC0415

    from ..evaluate.stats import bootstrap_ci  # noqa: PLC0415

    sims = np.array([np.nan if (s := model.similarity(a.lower(), b.lower(), mode)) is None else s
                     for a, b in zip(pairs.text1, pairs.text2)])
    use = ~np.isnan(sims)
    if use.sum() < 3:
        raise ValueError(f"{pairs.name}: only {int(use.sum())} pairs are covered by the vocabulary")
    gold = np.asarray(pairs.scores)[use]
    res = {"spearman": float(stats.spearmanr(sims[use], gold).statistic), "n": int(use.sum()),
           "oov_pairs": int((~use).sum()), "covered": use}
    if n_resamples:
        res["spearman_ci"] = bootstrap_ci(sims[use], gold, statistic="spearman", n_resamples=n_resamples)
    return res
