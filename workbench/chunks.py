"""Chunks of long documents, and chunk embeddings that see their surroundings (situated embeddings).

A long document is cut into chunks (token windows, :func:`chunk_text`, or structural
units such as functions, given as character spans). Each chunk then gets one of four
embeddings (:func:`situated_embeddings`, :func:`residual`):

* ``chunk``: the chunk encoded alone;
* ``concat``: the chunk's context window (the chunk with the text around it, up to
  ``window`` tokens) encoded as one text: the chunk's own meaning is diluted by its
  neighbours';
* ``late``: late chunking: the same window runs through the model once and only the
  chunk's tokens are pooled (the window's special tokens, [CLS] and [SEP], are pooled
  with every chunk, so a window that is exactly the chunk gives the chunk's own
  embedding), so each token state has seen the context but the vector is the chunk's;
* ``residual``: ``normalize(chunk + weight * context)``, a chunk embedding nudged by a
  context-aware one (``late`` or ``concat``); the weight is tuned on a dev split
  (:func:`tune_weight`). SitEmb (Wu et al. 2025) trains a model for this residual
  form; here the two parts come from one frozen encoder and only the weight is fit.

``concat`` and ``late`` share one forward pass per chunk. Pooling is the mean over
tokens (the default of MiniLM). Left out: training a situated model, chunks that
straddle the model's limit (a chunk longer than the window is cut to it, as the
encoder cuts a long text), and windows shared by many chunks (one window per chunk).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

__all__ = ["METHODS", "Chunk", "chunk_text", "check_window", "context_windows", "residual", "situated_embeddings",
           "token_limit", "tune_weight"]

#: the situated-embedding methods :func:`situated_embeddings` returns
METHODS: tuple[str, ...] = ("chunk", "concat", "late")


@dataclass(frozen=True)
class Chunk:
    """One chunk of a document: its text and where it sits (character offsets)."""

    text: str    # the chunk's text, ``document[start:end]``
    start: int   # first character in the document
    end: int     # one past the last character
    index: int   # position among the document's chunks


def token_limit(encoder) -> int:
    """The most text tokens one input of ``encoder`` holds: its max length less the special tokens.

    Examples
    --------
    >>> import workbench as wb
    >>> token_limit(wb.load_encoder("minilm"))
    254
    """
    max_length = encoder.resolve().max_length
    return int(max_length - encoder.tokenizer.num_special_tokens_to_add(pair=False))


def _check_size(size, limit: int, what: str) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= limit:
        raise ValueError(f"{what} must be an int in 1..{limit} tokens (the model's limit is {limit} text tokens "
                         f"per input), got {size!r}")
    return int(size)


def check_window(encoder, window: int) -> int:
    """``window`` (text tokens per context window) checked against the model's limit; returns it."""
    return _check_size(window, token_limit(encoder), "window")


def _offsets(encoder, text: str) -> list[tuple[int, int]]:
    """Character span of each text token (no special tokens, no truncation)."""
    enc = encoder.tokenizer(text, add_special_tokens=False, truncation=False, return_offsets_mapping=True,
                            verbose=False)
    return [tuple(o) for o in enc["offset_mapping"]]


def chunk_text(text: str, encoder, size: int, *, overlap: int = 0) -> list[Chunk]:
    """Cut ``text`` into chunks of ``size`` tokens (the last may be shorter), ``overlap`` tokens shared.

    A text shorter than one chunk is one chunk; an empty text gives no chunk. ``size``
    must lie in 1..:func:`token_limit` of the encoder.

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> [c.text for c in chunk_text("one two three four five", enc, 2)]
    ['one two', 'three four', 'five']
    >>> [c.text for c in chunk_text("short", enc, 100)]
    ['short']
    >>> chunk_text("x", enc, 0)
    Traceback (most recent call last):
    ...
    ValueError: size must be an int in 1..254 tokens (the model's limit is 254 text tokens per input), got 0
    """
    size = _check_size(size, token_limit(encoder), "size")
    if isinstance(overlap, bool) or not isinstance(overlap, (int, np.integer)) or not 0 <= overlap < size:
        raise ValueError(f"overlap must be an int in 0..{size - 1} (below the chunk size {size}), got {overlap!r}")
    offsets = _offsets(encoder, text)
    chunks, step = [], size - overlap
    for i, first in enumerate(range(0, len(offsets), step)):
        span = offsets[first:first + size]
        start, end = span[0][0], span[-1][1]
        chunks.append(Chunk(text[start:end], start, end, i))
        if first + size >= len(offsets):
            break
    return chunks


def context_windows(text: str, spans: Sequence[tuple[int, int]], encoder, window: int) -> list[tuple[str, int, int]]:
    """For each chunk span of ``text``: (window text, chunk start, chunk end) with offsets inside the window.

    The window holds the chunk and the text around it, at most ``window`` tokens, split
    evenly before and after (the side with less text gives its share to the other). A
    chunk of ``window`` tokens or more is its own window, cut to ``window`` tokens.

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> context_windows("a b c d e f g", [(6, 7)], enc, 3)
    [('c d e', 2, 3)]
    """
    window = check_window(encoder, window)
    offsets = _offsets(encoder, text)
    starts = np.array([o[0] for o in offsets])
    ends = np.array([o[1] for o in offsets])
    out = []
    for s, e in spans:
        if not 0 <= s < e <= len(text):
            raise ValueError(f"chunk span ({s}, {e}) is not a non-empty span of the {len(text)}-character text")
        inside = np.flatnonzero((ends > s) & (starts < e))
        if not len(inside):
            raise ValueError(f"chunk span ({s}, {e}) holds no token of the text: {text[s:e]!r}")
        t0, t1 = int(inside[0]), int(inside[-1]) + 1
        if t1 - t0 >= window:
            t1 = t0 + window
            a, b = starts[t0], ends[t1 - 1]
            out.append((text[a:b], 0, int(b - a)))
            continue
        room = window - (t1 - t0)
        before = min(t0, room // 2 + max(0, room - room // 2 - (len(offsets) - t1)))
        after = min(len(offsets) - t1, room - before)
        w0, w1 = t0 - before, t1 + after
        a, b = int(starts[w0]), int(ends[w1 - 1])
        out.append((text[a:b], max(s, a) - a, min(e, b) - a))
    return out


def _normalize(X: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(X, axis=-1, keepdims=True)
    return (X / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def situated_embeddings(encoder, windows: Sequence[tuple[str, int, int]], *, chunks: Sequence[str] | None = None,
                        batch_size: int = 16, show_progress: bool | None = None, cache: bool = True,
                        ) -> dict[str, np.ndarray]:
    """The ``chunk``, ``concat`` and ``late`` embeddings of chunks given by their context windows.

    Parameters
    ----------
    encoder : Encoder
        Pools by the mean over tokens (its other options stay the defaults).
    windows : list of (window text, chunk start, chunk end)
        From :func:`context_windows`; offsets are characters inside the window text.
    chunks : list of str, optional
        The chunks' own texts (default: cut from the windows).

    Returns
    -------
    dict method -> unit-length float32 array ``(n, d)`` for each of :data:`METHODS`

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> out = situated_embeddings(enc, [("the bank of the river", 0, 8)], cache=False)
    >>> sorted(out), out["late"].shape
    (['chunk', 'concat', 'late'], (1, 384))
    """
    if not windows:
        raise ValueError("situated_embeddings needs at least one window")
    texts = [w for w, _, _ in windows]
    own = list(chunks) if chunks is not None else [w[s:e] for w, s, e in windows]
    if len(own) != len(texts):
        raise ValueError(f"{len(own)} chunks for {len(texts)} windows; give one chunk per window")
    options = encoder.resolve(pooling="mean")
    alone = encoder.encode(own, options, batch_size=batch_size, show_progress=show_progress, cache=cache)
    states = encoder.token_embeddings(texts, -1, options, batch_size=batch_size, show_progress=show_progress)
    tok = encoder.tokenizer(texts, add_special_tokens=True, truncation=True, max_length=options.max_length,
                            return_offsets_mapping=True, return_special_tokens_mask=True, verbose=False)
    concat, late = [], []
    for (_, s, e), (_, H), offsets, special in zip(windows, states, tok["offset_mapping"],
                                                   tok["special_tokens_mask"]):
        if len(offsets) != len(H):
            raise RuntimeError(f"the tokenizer gave {len(offsets)} tokens and the model {len(H)}; late chunking "
                               "needs the two to agree")
        offsets = np.asarray(offsets)
        keep = (np.asarray(special) == 1) | ((offsets[:, 1] > s) & (offsets[:, 0] < e))
        concat.append(H.mean(axis=0))
        late.append(H[keep].mean(axis=0))
    return {"chunk": alone, "concat": _normalize(np.stack(concat)), "late": _normalize(np.stack(late))}


def residual(chunk: np.ndarray, context: np.ndarray, weight: float) -> np.ndarray:
    """``normalize(chunk + weight * context)``: the residual form of a situated embedding.

    Examples
    --------
    >>> c = np.array([[0.6, 0.8]], np.float32); x = np.array([[1.0, 0.0]], np.float32)
    >>> residual(c, x, 0.0).tolist() == c.tolist()
    True
    >>> residual(c, x, 1.0).astype(float).round(3).tolist()
    [[0.894, 0.447]]
    """
    if not np.isfinite(weight) or weight < 0:
        raise ValueError(f"weight must be a finite number >= 0, got {weight!r}")
    chunk, context = np.asarray(chunk, np.float32), np.asarray(context, np.float32)
    if chunk.shape != context.shape:
        raise ValueError(f"chunk {chunk.shape} and context {context.shape} embeddings differ in shape")
    return _normalize(chunk + np.float32(weight) * context)


def tune_weight(score: Callable[[float], float], weights: Sequence[float] = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0),
                ) -> tuple[float, dict[float, float]]:
    """The weight with the best ``score(weight)`` (on a dev split), and every weight's score.

    Ties go to the smaller weight.

    Examples
    --------
    >>> tune_weight(lambda w: -(w - 1.0) ** 2)
    (1.0, {0.0: -1.0, 0.25: -0.5625, 0.5: -0.25, 1.0: -0.0, 2.0: -1.0, 4.0: -9.0})
    """
    if not len(weights):
        raise ValueError("tune_weight needs at least one weight to try")
    scores = {float(w): float(score(float(w))) for w in weights}
    best = max(scores, key=lambda w: (scores[w], -w))
    return best, scores
