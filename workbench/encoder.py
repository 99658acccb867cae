"""Encoder: texts in, vectors out — batching, precision, prompts, layers and the cache.

``Encoder.encode`` validates the texts, splits them into fixed chunks of input order,
serves each chunk from the vector cache or computes it, and writes it back before
moving on, so an interrupted encode resumes from the chunks already written. Inside a
chunk, texts are tokenized once, sorted by token count and batched so that padding is
minimal; the forward pass runs under ``torch.inference_mode`` in fp32 (exact) or under
CPU autocast to bf16 (fast where the CPU has bf16 units).

Subclasses replace ``_embed_batch`` for non-transformer models (see ``static.py``).
``pooling`` may also be a trainable head (an ``nn.Module`` called as ``head(hidden_states,
attention_mask)``, see ``workbench.train.heads``); its cache key holds a hash of its weights.
Left out: multi-process and GPU encoding.
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from contextlib import nullcontext
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from . import cache, progress
from .pooling import parse_mode, pool
from .prompts import PROMPTS, apply_prompt, check_prompt  # noqa: F401  (re-exported)

PRECISIONS = ("fp32", "bf16")
ATTENTION = ("causal", "bidirectional")
# decoder families whose causal mask can be swapped for a bidirectional one (checked by a test
# that a token's state then depends on the tokens after it)
BIDIRECTIONAL_MODEL_TYPES = ("llama",)
CHUNK_SIZE = 1024  # texts per cache entry: the unit of resumption


@functools.lru_cache(maxsize=1)
def cpu_has_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AMX or AVX-512 BF16); read from /proc/cpuinfo."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return True  # unknown platform: do not warn
    return any(f in flags for f in ("amx_bf16", "avx512_bf16"))


def check_texts(texts: Sequence[str] | str) -> list[str]:
    """Validate ``texts``: a string or a sequence of strings; returns a list.

    Examples
    --------
    >>> check_texts("one text")
    ['one text']
    """
    if isinstance(texts, str):
        return [texts]
    if isinstance(texts, (bytes, dict)) or not hasattr(texts, "__iter__"):
        raise TypeError(f"texts must be a list of strings, got {type(texts).__name__}")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__}, not str; every item must be a string")
    return texts


def head_key(head: torch.nn.Module) -> str:
    """Cache identity of a trainable pooling head: class, configuration and a hash of its weights.

    Examples
    --------
    >>> lin = torch.nn.Linear(2, 2)
    >>> k = head_key(lin)
    >>> with torch.no_grad():
    ...     _ = lin.weight.add_(1)
    >>> head_key(lin) != k
    True
    """
    h = hashlib.blake2b(repr(head).encode(), digest_size=16)
    for name, t in head.state_dict().items():
        h.update(f"{name}:{tuple(t.shape)}:{t.dtype}".encode())
        h.update(t.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return f"head:{type(head).__qualname__}:{h.hexdigest()}"


class Encoder:
    """A loaded embedding model with cached, batched encoding.

    Build one with :func:`workbench.load_encoder`; the constructor takes an already
    loaded Hugging Face model and tokenizer.

    Parameters
    ----------
    model : transformers.PreTrainedModel or None
        The backbone (its forward must accept ``output_hidden_states``).
    tokenizer : transformers tokenizer or None
    name : str
        Display name.
    identity : str
        Everything about the weights that must enter cache keys.
    pooling : str
        Default pooling mode (used when ``encode(pooling=None)``).
    max_length : int
        Default truncation length in tokens.
    is_decoder : bool
        Whether the backbone is a causal decoder.

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> X = enc.encode(["a dog runs", "a puppy is running"], cache=False)
    >>> X.shape, round(float(X[0] @ X[1]), 1) > 0.5
    ((2, 384), True)
    """

    def __init__(self, model, tokenizer, *, name: str, identity: str, pooling: str = "mean",
                 max_length: int = 512, is_decoder: bool = False):
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.identity = identity
        self.pooling = pooling
        self.max_length = int(max_length)
        self.is_decoder = is_decoder

    def __repr__(self) -> str:
        return f"Encoder({self.name!r}, dim={self.dim}, layers={self.n_layers}, pooling={self.pooling!r})"

    # ------------------------------------------------------------------ properties
    @property
    def dim(self) -> int:
        """Width of one pooling mode's output."""
        return int(self.model.config.hidden_size)

    @property
    def n_layers(self) -> int:
        """Number of transformer layers (``encode_layers`` returns this + 1)."""
        return int(self.model.config.num_hidden_layers)

    def output_dim(self, pooling: str | None = None) -> int:
        return self.dim * len(parse_mode(pooling or self.pooling))

    # ------------------------------------------------------------------ public API
    def encode(self, texts: Sequence[str] | str, pooling: str | None = None, layer: int = -1, *,
               normalize: bool = True, batch_size: int = 32, prompt: str | None = None,
               precision: str = "fp32", show_progress: bool | None = None, cache: bool = True,
               max_length: int | None = None, attention: str | None = None, add_eos: bool = False) -> np.ndarray:
        """Embed texts into a float32 array of shape ``(n, d)``.

        Parameters
        ----------
        texts : list of str (a single str is taken as a list of one)
        pooling : str or torch.nn.Module, optional
            A mode from ``workbench.pooling.POOLING_MODES`` or several joined by ``+``;
            default: the model's own (``self.pooling``). A trainable head (see
            ``workbench.train.heads``) is called as ``head(hidden_states, attention_mask)``.
        layer : int
            Hidden-state layer to pool (0 = embeddings, -1 = last).
        normalize : bool
            L2-normalise each vector.
        batch_size : int
            Texts per forward pass.
        prompt : str, optional
            Prefix, a template containing ``{text}``, or a name in ``PROMPTS`` (e.g. "prompteol").
        precision : {"fp32", "bf16"}
        show_progress : bool, optional
            Default: on in notebooks and terminals, off in CI.
        cache : bool
            Read and write the on-disk vector cache.
        max_length : int, optional
            Truncation length in tokens; default the model's.
        attention : {None, "causal", "bidirectional"}
            None keeps the model's own mask. ``"bidirectional"`` lifts a decoder's causal
            mask (NV-Embed style; untrained, it usually hurts — measure it). Supported for
            ``BIDIRECTIONAL_MODEL_TYPES``.
        add_eos : bool
            Append the end-of-sequence token (if the tokenizer did not), as last-token
            embedders do; the text is truncated one token earlier to make room.

        Returns
        -------
        numpy.ndarray of float32, shape (n, d)
        """
        texts = check_texts(texts)
        head = pooling if isinstance(pooling, torch.nn.Module) else None
        if head is not None and self.model is None:
            raise ValueError(f"{self.name} has no transformer token states; a trainable pooling head needs one")
        pooling = head_key(head) if head is not None else "+".join(parse_mode(pooling or self.pooling))
        self._check_layer(layer)
        opts = self._options(pooling=pooling, layer=layer, normalize=normalize, prompt=prompt,
                             precision=precision, max_length=max_length, batch_size=batch_size,
                             attention=attention, add_eos=add_eos)
        opts["head"] = head
        return self._run(texts, opts, "vectors", cache, show_progress)

    def encode_layers(self, texts: Sequence[str] | str, pooling: str = "mean", **kwargs) -> np.ndarray:
        """Pool every layer: an array of shape ``(n_layers + 1, n, d)`` (index 0 = embeddings).

        Takes the keyword arguments of :meth:`encode` except ``layer``.
        """
        texts = check_texts(texts)
        pooling = "+".join(parse_mode(pooling))
        cache_on, show = kwargs.pop("cache", True), kwargs.pop("show_progress", None)
        if "layer" in kwargs:
            raise TypeError("encode_layers returns every layer; it takes no 'layer' argument")
        opts = self._options(pooling=pooling, layer="all", **kwargs)
        return self._run(texts, opts, "layers", cache_on, show)

    def token_embeddings(self, texts: Sequence[str] | str, layer: int | None = -1, *,
                         prompt: str | None = None, max_length: int | None = None,
                         precision: str = "fp32", attention: str | None = None,
                         add_eos: bool = False, batch_size: int = 16,
                         show_progress: bool | None = None) -> list[tuple[list[str], np.ndarray]]:
        """Per-token states of each text, with its tokens (padding removed, not cached).

        Texts run in batches, longest first; padding is masked in the model and cut from
        the result, so a text's states match those it gets alone up to float rounding.

        Returns a list of ``(tokens, states)``: ``states`` is ``(t, d)`` for one layer,
        or ``(n_layers + 1, t, d)`` when ``layer=None``.
        """
        texts = check_texts(texts)
        if layer is not None:
            self._check_layer(layer)
        opts = self._options(pooling="mean", layer=-1, normalize=False, prompt=prompt, precision=precision,
                             max_length=max_length, batch_size=batch_size, attention=attention, add_eos=add_eos)
        ids = self._tokenize_counting(apply_prompt(texts, prompt), opts)[0]
        order = np.argsort([-len(x) for x in ids], kind="stable")
        out: list = [None] * len(ids)
        with progress.bar(len(ids), f"token states of {self.name}", show_progress) as bar:
            for start in range(0, len(order), opts["batch_size"]):
                idx = order[start:start + opts["batch_size"]]
                hidden, mask = self._forward([ids[i] for i in idx], opts, all_layers=True)
                stacked = torch.stack(hidden) if layer is None else hidden[layer].unsqueeze(0)
                for row, i in enumerate(idx):
                    states = stacked[:, row][:, mask[row].bool()].float().numpy()
                    out[i] = (self.tokenizer.convert_ids_to_tokens(ids[i]), states if layer is None else states[0])
                bar.update(len(idx))
        return out

    # ------------------------------------------------------------------ machinery
    def _check_layer(self, layer: int) -> None:
        n = self.n_layers + 1
        if not isinstance(layer, (int, np.integer)) or not -n <= layer < n:
            raise ValueError(f"layer must be an int in {-n}..{n - 1} for {self.name} "
                             f"({self.n_layers} layers + embeddings), got {layer!r}")

    def _options(self, *, pooling, layer, normalize=True, prompt=None, precision="fp32", max_length=None,
                 batch_size=32, attention=None, add_eos=False) -> dict:
        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r}; valid: {', '.join(PRECISIONS)}")
        if precision == "bf16" and self.model is not None and not cpu_has_bf16():
            warnings.warn("this CPU has no native bf16 units (AMX or AVX-512 BF16): bf16 is emulated "
                          "and slower than fp32 here", RuntimeWarning, stacklevel=3)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        check_prompt(prompt)
        if "cls" in pooling.split("+") and getattr(self.tokenizer, "cls_token", None) is None:
            raise ValueError(f"pooling 'cls' reads a [CLS] token, but {self.name} has none"
                             f"{' (a decoder)' if self.is_decoder else ''}; use mean, max, last or weighted_mean")
        return dict(pooling=pooling, layer=layer, normalize=bool(normalize), prompt=prompt or None,
                    precision=precision, max_length=int(max_length or self.max_length), batch_size=batch_size,
                    attention=self._check_attention(attention), add_eos=self._check_eos(add_eos))

    def _check_attention(self, attention: str | None) -> str:
        native = "causal" if self.is_decoder else "bidirectional"
        if attention is None or attention == native:
            return native
        if attention not in ATTENTION:
            raise ValueError(f"unknown attention {attention!r}; valid: {', '.join(ATTENTION)} (or None)")
        if not self.is_decoder:
            raise ValueError(f"{self.name} is a bidirectional encoder; attention='causal' is not supported")
        model_type = getattr(self.model.config, "model_type", "?")
        if model_type not in BIDIRECTIONAL_MODEL_TYPES:
            raise ValueError(f"attention='bidirectional' is not supported for model type {model_type!r}; "
                             f"supported: {', '.join(BIDIRECTIONAL_MODEL_TYPES)}")
        return attention

    def _check_eos(self, add_eos: bool) -> bool:
        if add_eos and self.tokenizer.eos_token_id is None:
            raise ValueError(f"add_eos=True, but the tokenizer of {self.name} has no end-of-sequence token")
        return bool(add_eos)

    def _run(self, texts: list[str], opts: dict, kind: str, use_cache: bool, show_progress) -> np.ndarray:
        chunks = [texts[i:i + CHUNK_SIZE] for i in range(0, len(texts), CHUNK_SIZE)]
        parts, truncated = [], 0
        with progress.bar(len(texts), f"encoding with {self.name}", show_progress) as bar:
            for chunk in chunks:
                key = self._cache_key(chunk, opts, kind)
                arr = cache.get(key) if use_cache else None
                if arr is None:
                    arr, cut = self._compute(chunk, opts, kind, bar)
                    truncated += cut
                    if use_cache:
                        cache.put(key, arr)
                else:
                    bar.update(len(chunk))
                parts.append(arr)
        if truncated:
            warnings.warn(f"{truncated} of {len(texts)} texts were longer than max_length="
                          f"{opts['max_length']} tokens and were truncated", stacklevel=3)
        if not parts:
            width = opts["head"].dim if opts.get("head") is not None else self.output_dim(opts["pooling"])
            return np.zeros((self.n_layers + 1, 0, width) if kind == "layers" else (0, width), np.float32)
        return np.concatenate(parts, axis=-2)

    def _cache_key(self, chunk: list[str], opts: dict, kind: str) -> str:
        """Key of one chunk's vectors: the weights, the texts and every option but batch size and head object."""
        key_opts = {k: v for k, v in opts.items() if k not in ("batch_size", "head")}
        return cache.make_key(model=self.identity, kind=kind, texts=cache.hash_texts(chunk), **key_opts)

    def _compute(self, texts: list[str], opts: dict, kind: str, bar) -> tuple[np.ndarray, int]:
        """Embed one chunk; returns the array and how many texts were truncated."""
        ids, cut = self._tokenize_counting(apply_prompt(texts, opts["prompt"]), opts)
        order = np.argsort([-len(x) for x in ids], kind="stable")
        out = None
        for start in range(0, len(order), opts["batch_size"]):
            idx = order[start:start + opts["batch_size"]]
            vecs = self._embed_batch([ids[i] for i in idx], opts, kind)
            if out is None:
                out = np.empty(vecs.shape[:-2] + (len(texts), vecs.shape[-1]), np.float32)
            out[..., idx, :] = vecs
            bar.update(len(idx))
        return out, cut

    def _embed_batch(self, batch_ids: list[list[int]], opts: dict, kind: str) -> np.ndarray:
        head = opts.get("head")
        all_layers = kind == "layers" or opts["layer"] != -1 or "first_last_avg" in opts["pooling"] or head is not None
        hidden, mask = self._forward(batch_ids, opts, all_layers)
        if kind == "layers":
            vecs = torch.stack([pool(hidden, mask, opts["pooling"], layer=i) for i in range(len(hidden))])
        else:
            if head is not None:
                with torch.inference_mode():
                    vecs = head(hidden, mask)
            else:
                vecs = pool(hidden, mask, opts["pooling"], layer=opts["layer"])
        vecs = vecs.float()
        if opts["normalize"]:
            vecs = torch.nn.functional.normalize(vecs, p=2, dim=-1)
        return vecs.numpy()

    def _tokenize_counting(self, texts: list[str], opts: dict) -> tuple[list[list[int]], int]:
        """Token ids per text, truncated to ``max_length``; also the number truncated."""
        eos = self.tokenizer.eos_token_id if opts["add_eos"] else None
        max_length = opts["max_length"] - (eos is not None)
        ids = self.tokenizer(texts, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
        if eos is not None:  # the tokenizer may end with EOS already: count length without it
            ids = [x[:-1] if x and x[-1] == eos else x for x in ids]
        long = [i for i, x in enumerate(ids) if len(x) > max_length]
        if long:
            cut = self.tokenizer([texts[i] for i in long], add_special_tokens=True, truncation=True,
                                 max_length=max_length)["input_ids"]
            for i, x in zip(long, cut):
                ids[i] = x[:-1] if eos is not None and x and x[-1] == eos else x
        if eos is not None:
            ids = [x + [eos] for x in ids]
        fallback = next(t for t in (self.tokenizer.bos_token_id, self.tokenizer.eos_token_id,
                                    self.tokenizer.pad_token_id) if t is not None)
        return [x if x else [fallback] for x in ids], len(long)

    def _forward(self, batch_ids: list[list[int]], opts: dict, all_layers: bool):
        """Pad a batch (on the tokenizer's side) and run the model; returns (hidden states, mask)."""
        width = max(len(x) for x in batch_ids)
        input_ids = torch.full((len(batch_ids), width), self.tokenizer.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(batch_ids), width), dtype=torch.long)
        left = getattr(self.tokenizer, "padding_side", "right") == "left"
        for row, x in enumerate(batch_ids):
            span = slice(width - len(x), width) if left else slice(0, len(x))
            input_ids[row, span] = torch.tensor(x)
            mask[row, span] = 1
        bf16 = opts["precision"] == "bf16"
        autocast = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else nullcontext()
        extra, attn = {}, mask
        if self.is_decoder:  # positions count real tokens only, so left padding shifts nothing
            extra["position_ids"] = (mask.cumsum(dim=1) - 1).clamp(min=0)
            if opts["attention"] == "bidirectional":
                # a ready 4-D additive mask replaces the causal one: every token sees every real token
                blocked = torch.finfo(torch.float32).min
                keys = torch.zeros(mask.shape, dtype=torch.float32).masked_fill(mask == 0, blocked)
                attn = keys[:, None, None, :].expand(-1, 1, width, -1)
        with torch.inference_mode(), autocast:
            out = self.model(input_ids=input_ids, attention_mask=attn, output_hidden_states=all_layers, **extra)
        hidden = out.hidden_states if all_layers else (out.last_hidden_state,)
        return hidden, mask
