"""Hard negatives: mine them with the current model and faiss, or mix new ones online.

* :func:`mine` -- the array core: for each query vector, the highest-scoring documents
  that are not one of its positives and that pass an adaptive margin (LG-ANNA style: a
  candidate whose similarity exceeds ``margin`` times the positive's is probably an
  unlabelled positive and is dropped);
* :func:`mine_hard_negatives` -- the same on :class:`~workbench.train.data.TrainPairs`:
  embeds queries and the pool of documents with an encoder and returns the pairs with
  ``negatives`` filled in, ready for the training loop;
* :func:`mix_negatives` -- online hard-negative mixing (KaLM-Embedding, after MoCHi):
  new negatives as normalised convex combinations of two of a query's hard negatives.

Search is exact (faiss inner product over unit vectors, so cosine). Left out:
approximate indexes for corpora beyond a few hundred thousand documents, cross-encoder
denoising of negatives, and re-mining during training (call :func:`mine_hard_negatives`
again with the partly trained encoder).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..search import exact_search
from ..vectors import check_vectors
from .data import TrainPairs


def mine(Q: np.ndarray, X: np.ndarray, positives: Sequence[Sequence[int]], *, n_negatives: int = 1,
         k: int = 50, margin: float | None = 0.95, skip_top: int = 0) -> np.ndarray:
    """Hard-negative document indices for each query (arrays in, array out).

    Parameters
    ----------
    Q : array of shape (n, d)
        Query vectors (unit length: scores are inner products).
    X : array of shape (N, d)
        Document vectors.
    positives : sequence of n sequences of int
        Row indices in ``X`` of each query's positives; the first one is the positive
        whose score sets the margin. None of them is ever returned.
    n_negatives : int, default 1
        Negatives per query.
    k : int, default 50
        Candidates searched per query (beyond the positives).
    margin : float or None, default 0.95
        Keep a candidate only if its score is at most ``margin`` times the score of the
        query's first positive; None keeps every candidate.
    skip_top : int, default 0
        Also skip the ``skip_top`` highest-ranked eligible candidates.

    Returns
    -------
    numpy.ndarray of int, shape (n, n_negatives)
        Best first; ``-1`` where fewer eligible candidates were found.

    Examples
    --------
    >>> Q = np.array([[1.0, 0.0]], np.float32)
    >>> X = np.array([[1.0, 0.0], [0.99, 0.141], [0.8, 0.6], [0.0, 1.0]], np.float32)
    >>> mine(Q, X, [[0]], n_negatives=2, margin=0.95).tolist()   # doc 1 scores 0.99 > 0.95: dropped
    [[2, 3]]
    """
    Q, X = check_vectors(Q, "Q", dtype=np.float32), check_vectors(X, "X", dtype=np.float32)
    if Q.shape[1] != X.shape[1]:
        raise ValueError(f"query vectors are {Q.shape[1]}-d but document vectors {X.shape[1]}-d")
    if len(positives) != len(Q):
        raise ValueError(f"{len(positives)} positive lists for {len(Q)} queries; give one list per query")
    if not isinstance(n_negatives, (int, np.integer)) or n_negatives < 1:
        raise ValueError(f"n_negatives must be a positive int, got {n_negatives!r}")
    if margin is not None and not 0 < margin:
        raise ValueError(f"margin must be a positive fraction of the positive's score (e.g. 0.95) or None, "
                         f"got {margin!r}")
    pos_sets = [set(int(j) for j in p) for p in positives]
    if any(not p for p in pos_sets):
        raise ValueError("every query needs at least one positive (its index in X)")
    bad = [j for p in pos_sets for j in p if not 0 <= j < len(X)]
    if bad:
        raise ValueError(f"positive index {bad[0]} is outside 0..{len(X) - 1}")
    widest = max(len(p) for p in pos_sets)
    depth = min(len(X), int(k) + widest + skip_top)
    scores, ids = exact_search(Q, X, depth)
    out = np.full((len(Q), n_negatives), -1, dtype=np.int64)
    for i, (row_s, row_i) in enumerate(zip(scores, ids)):
        first = int(positives[i][0])
        limit = np.inf if margin is None else margin * float(Q[i] @ X[first])
        eligible = [int(j) for s, j in zip(row_s, row_i) if j >= 0 and int(j) not in pos_sets[i] and s <= limit]
        chosen = eligible[skip_top:skip_top + n_negatives]
        out[i, :len(chosen)] = chosen
    return out


def mine_hard_negatives(encoder, pairs: TrainPairs, *, n_negatives: int = 1, k: int = 50,
                        margin: float | None = 0.95, skip_top: int = 0, corpus: Sequence[str] | None = None,
                        seed: int = 0, show_progress: bool | None = None, **encode_kwargs) -> TrainPairs:
    """Fill ``pairs.negatives`` with documents the encoder ranks high but that are not positives.

    The pool is ``corpus`` (default: the distinct positives of ``pairs``). A document is
    a positive of a pair when it is the pair's own positive or any positive of another
    pair of the same group (same query), so it is never mined as that pair's negative.
    Queries left short of eligible candidates get random non-positive documents
    (drawn with ``seed``), so every pair has exactly ``n_negatives``.

    Returns
    -------
    TrainPairs
        A copy with ``negatives``: a list of ``n_negatives`` texts per pair.

    Examples
    --------
    >>> import workbench as wb
    >>> p = TrainPairs("toy", ["a cat", "a car", "a tree"], ["kitten", "vehicle", "oak"])
    >>> mined = mine_hard_negatives(wb.load_encoder("minilm"), p, k=2, margin=None, cache=False)
    >>> [negs[0] != pos for negs, pos in zip(mined.negatives, mined.positives)]
    [True, True, True]
    """
    if len(pairs) == 0:
        raise ValueError(f"{pairs.name}: the training set is empty; nothing to mine for")
    pool = list(dict.fromkeys(pairs.positives if corpus is None else corpus))
    if len(pool) < 2:
        raise ValueError(f"the document pool holds {len(pool)} distinct texts; mining needs at least 2")
    where = {t: j for j, t in enumerate(pool)}
    by_group: dict[str, set[int]] = {}
    for g, t in zip(pairs.groups, pairs.positives):
        if t in where:
            by_group.setdefault(g, set()).add(where[t])
    positives = []
    for g, t in zip(pairs.groups, pairs.positives):
        own = where.get(t)
        rest = sorted(by_group.get(g, set()) - {own})
        positives.append(([own] if own is not None else []) + rest)
    missing = [i for i, p in enumerate(positives) if not p]
    if missing:
        raise ValueError(f"pair {missing[0]}'s positive is not in the corpus; pass a corpus that holds "
                         "every positive (or leave corpus=None)")
    encode_kwargs.setdefault("show_progress", show_progress)
    queries = list(dict.fromkeys(pairs.queries))
    qvec = encoder.encode(queries, **encode_kwargs)
    Q = qvec[[queries.index(q) for q in pairs.queries]] if len(queries) < len(pairs) else qvec
    X = encoder.encode(pool, **encode_kwargs)
    idx = mine(Q, X, positives, n_negatives=n_negatives, k=k, margin=margin, skip_top=skip_top)
    rng = np.random.default_rng(seed)
    for i, row in enumerate(idx):
        for slot in np.flatnonzero(row < 0):
            taken = set(positives[i]) | set(row[row >= 0].tolist())
            if len(taken) >= len(pool):
                raise ValueError(f"pair {i}: not enough non-positive documents to draw {n_negatives} negatives")
            j = int(rng.integers(len(pool)))
            while j in taken:
                j = int(rng.integers(len(pool)))
            row[slot] = j
    negatives = [[pool[j] for j in row] for row in idx]
    return replace(pairs, negatives=negatives, meta={**pairs.meta, "hard_negatives": {
        "n": n_negatives, "k": k, "margin": margin, "skip_top": skip_top}})


def mix_negatives(negatives: torch.Tensor, n_mix: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """Append ``n_mix`` synthetic negatives per query: mixtures of two of its hard negatives.

    Each new negative is ``normalize(a * h_i + (1 - a) * h_j)`` for two distinct hard
    negatives ``h_i, h_j`` of the same query and ``a ~ U(0, 1)``; the mixtures are
    detached (they carry no gradient back to the model).

    Parameters
    ----------
    negatives : Tensor of shape (B, m, D), m >= 2
    n_mix : int
    generator : torch.Generator, optional
        Source of randomness (default: torch's global generator).

    Returns
    -------
    Tensor of shape (B, m + n_mix, D)

    Examples
    --------
    >>> h = F.normalize(torch.randn(4, 3, 8), dim=-1)
    >>> mix_negatives(h, 2, generator=torch.Generator().manual_seed(0)).shape
    torch.Size([4, 5, 8])
    """
    if negatives.ndim != 3:
        raise ValueError(f"negatives must be (batch, m, dim), got shape {tuple(negatives.shape)}")
    b, m, _ = negatives.shape
    if n_mix < 0:
        raise ValueError(f"n_mix must be >= 0, got {n_mix}")
    if n_mix == 0:
        return negatives
    if m < 2:
        raise ValueError(f"mixing needs at least 2 hard negatives per query, got {m}")
    i = torch.randint(0, m, (b, n_mix), generator=generator)
    j = (i + torch.randint(1, m, (b, n_mix), generator=generator)) % m  # a different one
    a = torch.rand(b, n_mix, 1, generator=generator, dtype=negatives.dtype)
    h = F.normalize(negatives.detach(), dim=-1)
    rows = torch.arange(b)[:, None]
    mixed = F.normalize(a * h[rows, i] + (1 - a) * h[rows, j], dim=-1)
    return torch.cat([negatives, mixed], dim=1)
