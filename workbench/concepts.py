"""An interpretable concept space: explicit semantic analysis (ESA) and its supervised version (SESA).

Every dimension is a named concept. Here a concept is a frequent content word of a
corpus, described by the texts that contain it (Gabrilovich & Markovitch 2007 use
Wikipedia articles; Bogdanova & Yazdani 2017 use skills).

* :class:`ESA` (unsupervised): a text's weight on concept ``c`` is the cosine between
  its TF-IDF vector and the centroid of the TF-IDF vectors of ``c``'s description texts
  (kept to the ``top_k`` strongest concepts);
* :class:`SESA` (supervised): frozen encoder vectors mapped onto the same named concepts
  by a non-negative layer ``relu(W (x - mean) + b)``, ``W`` started from the encoder's vector
  of each concept's name and kept near it, trained with a ranking loss (in-batch
  softmax over pairs) plus an L1 penalty that makes the codes sparse.

In both, the score of two texts is the cosine of their codes, so it splits exactly
into one non-negative term per concept (:func:`explain`); :func:`faithfulness` checks
the explanation by removing the top concepts from both codes and measuring how much
the score drops, against removing as many other shared concepts at random.

Left out: concept hierarchies, a knowledge base beyond the corpus, and fine-tuning the
encoder itself (only the concept layer learns).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

__all__ = ["ESA", "SESA", "concept_scores", "explain", "faithfulness"]


def _unit(Z: np.ndarray) -> np.ndarray:
    return normalize(np.asarray(Z, dtype=np.float32), axis=1)


def concept_scores(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Cosine of every row of ``A`` with every row of ``B`` (zero rows score 0).

    Examples
    --------
    >>> concept_scores(np.array([[1.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 0.0]])).tolist()
    [[1.0, 0.0]]
    """
    return _unit(A) @ _unit(B).T


class ESA:
    """Explicit semantic analysis over frequent content words of a corpus.

    Parameters
    ----------
    n_concepts : int
        Concepts kept: the content words (English stop words and tokens without a
        letter dropped, at least 3 letters) in the most texts.
    top_k : int or None
        Keep each text's ``top_k`` strongest concepts (None: all).
    min_texts : int
        A concept needs at least this many description texts.

    Examples
    --------
    >>> texts = ["the red dress fits", "a red skirt", "blue dress, tight fit", "blue jeans fit well"] * 3
    >>> esa = ESA(n_concepts=4, top_k=None, min_texts=2).fit(texts)
    >>> esa.concepts_
    ['blue', 'dress', 'fit', 'red']
    >>> Z = esa.transform(["red dress"]); int(Z.argmax()) in (1, 3)
    True
    """

    def __init__(self, *, n_concepts: int = 300, top_k: int | None = 50, min_texts: int = 5):
        self.n_concepts = n_concepts
        self.top_k = top_k
        self.min_texts = min_texts

    def fit(self, texts: Sequence[str]) -> "ESA":
        texts = list(texts)
        if not texts:
            raise ValueError("ESA.fit needs texts to describe concepts with")
        counter = CountVectorizer(binary=True, stop_words=list(ENGLISH_STOP_WORDS),
                                  token_pattern=r"(?u)\b[^\W\d_]{3,}\b", min_df=self.min_texts)
        try:
            presence = counter.fit_transform(texts)
        except ValueError:
            raise ValueError(f"no content word is in {self.min_texts} or more of the {len(texts)} texts; lower "
                             "min_texts or give more texts") from None
        vocab = counter.get_feature_names_out()
        df = np.asarray(presence.sum(axis=0)).ravel()
        keep = np.argsort(-df, kind="stable")[:self.n_concepts]
        keep = np.sort(keep)  # alphabetical: the vocabulary's order
        self.concepts_ = [str(vocab[i]) for i in keep]
        self.tfidf_ = TfidfVectorizer(sublinear_tf=True, stop_words=list(ENGLISH_STOP_WORDS)).fit(texts)
        T = self.tfidf_.transform(texts)
        member = presence[:, keep].T.tocsr().astype(np.float32)  # (concepts, texts)
        centroid = normalize(member @ T)                          # (concepts, vocab)
        self.concept_vectors_ = centroid
        self.description_sizes_ = np.asarray(member.sum(axis=1)).ravel().astype(int)
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Non-negative concept weights ``(n, n_concepts)``, float32."""
        if not hasattr(self, "concepts_"):
            raise RuntimeError("call ESA.fit before transform")
        Z = np.asarray((self.tfidf_.transform(list(texts)) @ self.concept_vectors_.T).todense(), dtype=np.float32)
        return _top_k(Z, self.top_k)


def _top_k(Z: np.ndarray, k: int | None) -> np.ndarray:
    if k is None or k >= Z.shape[1]:
        return Z
    cut = np.partition(Z, -k, axis=1)[:, -k][:, None]
    return np.where(Z >= cut, Z, 0.0).astype(np.float32)


class SESA:
    """Supervised ESA: frozen encoder vectors onto named concepts with a non-negative sparse layer.

    Parameters
    ----------
    concepts : list of str
        The dimensions' names (e.g. ``ESA(...).fit(texts).concepts_``).
    concept_vectors : array (n_concepts, d)
        The encoder's vector for each concept (its name, or its description); the
        layer starts here and ``anchor`` keeps it near.
    epochs, batch_size, lr, temperature : training settings of the ranking loss
    l1 : float
        Weight of the mean L1 norm of the codes (sparsity).
    anchor : float
        Weight of ``||W - W0||^2`` (keeps each dimension near its concept).
    seed : int

    Examples
    --------
    >>> rng = np.random.default_rng(0); C = np.eye(4, dtype=np.float32)
    >>> Xq = rng.random((32, 4)).astype(np.float32)
    >>> sesa = SESA(["a", "b", "c", "d"], C, epochs=2).fit(Xq, Xq)
    >>> bool(sesa.transform(Xq).min() >= 0)
    True
    """

    def __init__(self, concepts: Sequence[str], concept_vectors: np.ndarray, *, epochs: int = 5,
                 batch_size: int = 64, lr: float = 3e-3, temperature: float = 0.05, l1: float = 1e-3,
                 anchor: float = 1.0, seed: int = 0):
        self.concepts = list(concepts)
        self.concept_vectors = np.asarray(concept_vectors, dtype=np.float32)
        if self.concept_vectors.shape[0] != len(self.concepts):
            raise ValueError(f"{len(self.concepts)} concepts but {self.concept_vectors.shape[0]} concept vectors")
        self.epochs, self.batch_size, self.lr = epochs, batch_size, lr
        self.temperature, self.l1, self.anchor, self.seed = temperature, l1, anchor, seed

    def _codes(self, X: torch.Tensor) -> torch.Tensor:
        return F.relu((X - self.mean_) @ self.weight_.T + self.bias_)

    def fit(self, queries: np.ndarray, documents: np.ndarray) -> "SESA":
        """Train on aligned (query, relevant document) vectors: row ``i`` of each is a pair."""
        Xq, Xd = (torch.as_tensor(np.asarray(a, np.float32)) for a in (queries, documents))
        if Xq.shape != Xd.shape or Xq.ndim != 2 or len(Xq) < 2:
            raise ValueError(f"queries and documents must be aligned (n >= 2, d) arrays; got {tuple(Xq.shape)} "
                             f"and {tuple(Xd.shape)}")
        if Xq.shape[1] != self.concept_vectors.shape[1]:
            raise ValueError(f"vectors have width {Xq.shape[1]}, concept vectors {self.concept_vectors.shape[1]}")
        gen = torch.Generator().manual_seed(self.seed)
        self.mean_ = torch.cat([Xq, Xd]).mean(0)  # centred inputs: a concept fires above the average text
        W0 = F.normalize(torch.as_tensor(self.concept_vectors), dim=1)
        self.weight_ = W0.clone().requires_grad_(True)
        self.bias_ = torch.zeros(len(self.concepts), requires_grad=True)
        opt = torch.optim.Adam([self.weight_, self.bias_], lr=self.lr)
        self.losses_ = []
        for _ in range(self.epochs):
            order = torch.randperm(len(Xq), generator=gen)
            for start in range(0, len(order) - 1, self.batch_size):
                idx = order[start:start + self.batch_size]
                if len(idx) < 2:
                    continue
                zq, zd = self._codes(Xq[idx]), self._codes(Xd[idx])
                logits = F.normalize(zq, dim=1) @ F.normalize(zd, dim=1).T / self.temperature
                loss = F.cross_entropy(logits, torch.arange(len(idx)))
                loss = loss + self.l1 * (zq.abs().sum(1).mean() + zd.abs().sum(1).mean()) / 2 \
                    + self.anchor * ((self.weight_ - W0) ** 2).sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
                self.losses_.append(float(loss.detach()))
        self.weight_, self.bias_ = self.weight_.detach(), self.bias_.detach()
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Non-negative concept codes ``(n, n_concepts)`` of encoder vectors."""
        if not hasattr(self, "weight_"):
            raise RuntimeError("call SESA.fit before transform")
        with torch.no_grad():
            return self._codes(torch.as_tensor(np.asarray(X, np.float32))).numpy()


def explain(a: np.ndarray, b: np.ndarray, concepts: Sequence[str], *, top: int = 5) -> dict:
    """The score of two concept codes (their cosine) and each concept's share of it.

    ``contributions`` hold ``a_c b_c / (|a| |b|)`` for every concept; they sum to
    ``score``. ``top`` lists the largest, best first, as (concept, contribution).

    Examples
    --------
    >>> out = explain(np.array([1.0, 2.0, 0.0]), np.array([1.0, 1.0, 5.0]), ["x", "y", "z"], top=2)
    >>> round(out["score"], 4), [c for c, _ in out["top"]], bool(np.isclose(out["contributions"].sum(), out["score"]))
    (0.2582, ['y', 'x'], True)
    """
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape or a.size != len(concepts):
        raise ValueError(f"codes of sizes {a.size} and {b.size} for {len(concepts)} concepts; they must match")
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    contributions = a * b / norm if norm > 0 else np.zeros_like(a)
    order = np.argsort(-contributions, kind="stable")[:top]
    return {"score": float(contributions.sum()), "contributions": contributions,
            "top": [(concepts[i], float(contributions[i])) for i in order if contributions[i] > 0]}


def faithfulness(A: np.ndarray, B: np.ndarray, *, k: int = 3, seed: int = 0) -> dict:
    """How much the score of row pairs ``(A[i], B[i])`` drops when their top-``k`` concepts are removed.

    Removing a concept zeroes it in both codes and recomputes the cosine. The drop is
    compared with removing ``k`` random other concepts active in both codes (fewer
    when fewer are shared). A faithful explanation drops far more.

    Returns
    -------
    dict with ``score`` (mean score before), ``drop_top`` and ``drop_random`` (mean drops),
    ``per_pair`` arrays of both drops

    Examples
    --------
    >>> A = np.array([[3.0, 1.0, 1.0, 0.0]]); B = np.array([[3.0, 1.0, 1.0, 1.0]])
    >>> out = faithfulness(A, B, k=1)
    >>> out["drop_top"] > out["drop_random"]
    True
    """
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    if A.shape != B.shape or A.ndim != 2:
        raise ValueError(f"A and B must be aligned (n, concepts) arrays; got {A.shape} and {B.shape}")
    rng = np.random.default_rng(seed)

    def cos(a, b):
        n = np.linalg.norm(a) * np.linalg.norm(b)
        return float(a @ b / n) if n > 0 else 0.0

    top_drop, rand_drop, before = [], [], []
    for a, b in zip(A, B):
        s = cos(a, b)
        contrib = a * b
        shared = np.flatnonzero(contrib > 0)
        m = min(k, len(shared))
        top = np.argsort(-contrib, kind="stable")[:m]
        others = np.setdiff1d(shared, top)
        rand = rng.choice(others, size=min(m, len(others)), replace=False) if len(others) else np.array([], int)
        drops = []
        for idx in (top, rand):
            a2, b2 = a.copy(), b.copy()
            a2[idx] = 0.0
            b2[idx] = 0.0
            drops.append(s - cos(a2, b2))
        before.append(s)
        top_drop.append(drops[0])
        rand_drop.append(drops[1])
    top_drop, rand_drop = np.array(top_drop), np.array(rand_drop)
    return {"score": float(np.mean(before)), "drop_top": float(top_drop.mean()),
            "drop_random": float(rand_drop.mean()), "per_pair": {"top": top_drop, "random": rand_drop}}
