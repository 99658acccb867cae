"""Token-level anisotropy in the style of Ethayarajh (2019), layer by layer.

From each text's per-token states (``Encoder.token_embeddings``, special tokens and
punctuation-only tokens dropped):

* **token average cosine** (the anisotropy baseline): mean cosine between tokens of
  *different* texts, exact over all such pairs;
* **self-similarity**: for each token type seen in at least ``min_contexts`` texts, the
  mean cosine between its vectors in different texts (its first occurrence in each),
  averaged over types;
* **intra-sentence similarity**: mean cosine between a text's tokens and their mean,
  averaged over texts.

The ``_adjusted`` variants subtract the baseline of the same layer. Tokens are the
model's own (word pieces for BERT, byte-level BPE for SmolLM2), compared by their
lower-cased string. Left out: maximum explainable variance (Ethayarajh's third measure)
and word-level re-assembly of sub-word pieces.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np
import pandas as pd


def _unit(A: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(A, axis=-1, keepdims=True)
    return np.divide(A, norms, out=np.zeros_like(A, dtype=np.float64), where=norms > 0)


def _mean_pair_cosine(U: np.ndarray) -> float:
    """Mean cosine over distinct pairs of unit rows, in O(m d)."""
    m = len(U)
    s = U.sum(axis=0)
    return float((s @ s - np.einsum("ij,ij->", U, U)) / (m * (m - 1)))


def token_average_cosine(sentences: Sequence[np.ndarray]) -> float:
    """Mean cosine between tokens of different sentences (each a ``(t, d)`` array).

    Examples
    --------
    >>> token_average_cosine([np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([[0.0, 1.0]])])
    0.0
    """
    units = [_unit(np.asarray(s, np.float64)) for s in sentences if len(s)]
    if len(units) < 2:
        raise ValueError("need tokens from at least 2 sentences for a cross-sentence average cosine")
    total = np.sum([u.sum(axis=0) for u in units], axis=0)
    within = sum(float(u.sum(axis=0) @ u.sum(axis=0)) for u in units)
    counts = np.array([len(u) for u in units])
    pairs = counts.sum() ** 2 - np.sum(counts**2)
    return float((total @ total - within) / pairs)


def intra_sentence_similarity(sentences: Sequence[np.ndarray]) -> float:
    """Mean over sentences of the mean cosine between each token and the sentence's mean vector.

    Examples
    --------
    >>> round(intra_sentence_similarity([np.array([[1.0, 0.0], [0.0, 1.0]])]), 4)
    0.7071
    """
    values = []
    for s in sentences:
        s = np.asarray(s, np.float64)
        if len(s) < 2:
            continue  # a one-token sentence is trivially similar to itself
        values.append(float((_unit(s) @ _unit(s.mean(axis=0))).mean()))
    if not values:
        raise ValueError("no sentence has 2 or more tokens: intra-sentence similarity is undefined")
    return float(np.mean(values))


def self_similarity(occurrences: dict[str, np.ndarray], *, min_contexts: int = 5) -> float:
    """Mean over token types of the mean cosine between their vectors in different contexts.

    ``occurrences`` maps a token type to an ``(m, d)`` array, one row per context;
    types with fewer than ``min_contexts`` rows are skipped.

    Examples
    --------
    >>> occ = {"bank": np.array([[1.0, 0.0], [0.0, 1.0]]), "river": np.array([[1.0, 1.0], [2.0, 2.0]])}
    >>> round(self_similarity(occ, min_contexts=2), 6)    # (0 + 1) / 2
    0.5
    """
    if min_contexts < 2:
        raise ValueError(f"min_contexts must be at least 2, got {min_contexts}")
    values = [_mean_pair_cosine(_unit(np.asarray(v, np.float64))) for v in occurrences.values()
              if len(v) >= min_contexts]
    if not values:
        raise ValueError(f"no token type occurs in {min_contexts} or more contexts; use more texts "
                         "or a smaller min_contexts")
    return float(np.mean(values))


def word_states(encoder, texts: Sequence[str], *, max_length: int | None = 128,
                show_progress: bool | None = None) -> list[tuple[list[str], np.ndarray]]:
    """Each text's tokens and their states at every layer, ``(n_layers + 1, t, d)``, with
    special tokens and punctuation-only tokens removed."""
    special = set(getattr(encoder.tokenizer, "all_special_tokens", []) or [])
    out = []
    for tokens, states in encoder.token_embeddings(list(texts), layer=None, max_length=max_length,
                                                   show_progress=show_progress):
        states = states[None] if states.ndim == 2 else states
        keep = [i for i, t in enumerate(tokens) if t not in special and any(c.isalnum() for c in t)]
        out.append(([tokens[i].lower() for i in keep], states[:, keep].astype(np.float32)))
    return out


def token_geometry(encoder, texts: Sequence[str], *, min_contexts: int = 5, max_length: int | None = 128,
                   show_progress: bool | None = None) -> pd.DataFrame:
    """Ethayarajh's per-layer token measures for ``encoder`` on ``texts``.

    Returns
    -------
    DataFrame with columns ``layer``, ``metric``, ``value``; metrics
    ``token_average_cosine``, ``self_similarity``, ``intra_sentence_similarity`` and the
    last two ``_adjusted`` (minus the baseline).

    Examples
    --------
    >>> import workbench as wb
    >>> texts = ["the cat sat on the mat", "the dog ate the bone", "the sun is up", "the end"]
    >>> df = token_geometry(wb.load_encoder("minilm"), texts, min_contexts=3)
    >>> sorted(df.metric.unique())[:2], int(df.layer.max())
    (['intra_sentence_similarity', 'intra_sentence_similarity_adjusted'], 6)
    """
    texts = list(texts)
    states = [(t, s) for t, s in word_states(encoder, texts, max_length=max_length, show_progress=show_progress)
              if len(t)]
    if len(states) < 2:
        raise ValueError("fewer than 2 texts have word tokens; token geometry needs more text")
    first = defaultdict(list)  # token type -> [(text index, position)], first occurrence per text
    for ti, (tokens, _) in enumerate(states):
        for pos, tok in enumerate(tokens):
            if not first[tok] or first[tok][-1][0] != ti:
                first[tok].append((ti, pos))
    first = {tok: occ for tok, occ in first.items() if len(occ) >= min_contexts}
    rows = []
    for layer in range(states[0][1].shape[0]):
        sentences = [s[layer] for _, s in states]
        base = token_average_cosine(sentences)
        occ = {tok: np.stack([states[ti][1][layer, pos] for ti, pos in o]) for tok, o in first.items()}
        selfsim = self_similarity(occ, min_contexts=min_contexts)
        intra = intra_sentence_similarity(sentences)
        rows += [(layer, "token_average_cosine", base), (layer, "self_similarity", selfsim),
                 (layer, "self_similarity_adjusted", selfsim - base),
                 (layer, "intra_sentence_similarity", intra),
                 (layer, "intra_sentence_similarity_adjusted", intra - base)]
    return pd.DataFrame(rows, columns=["layer", "metric", "value"])
