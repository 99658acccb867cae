"""Encoder: texts in, vectors out — batching, precision, prompts, layers and the cache.

Every path from text to vector runs through here. ``Encoder.encode`` checks the texts,
resolves its :class:`~workbench.options.EncodeOptions` against the model, splits the
texts into fixed chunks of input order, serves each chunk from the vector cache or
computes it, and writes it back before moving on, so an interrupted encode resumes from
the chunks already written. Inside a chunk, texts are tokenized once, sorted by token
count and batched so that padding is minimal; the forward pass runs in fp32 (exact) or
under CPU autocast to bf16 (fast where the CPU has bf16 units).

Callers that need more than one pooled vector per text use the public methods:
``encode_layers`` (every layer), ``encode_poolings`` (several poolings of every layer
from one forward pass), ``token_embeddings`` (per-token states) and ``hidden_states``
(one batch's states, with gradients for training) — all with the same tokenization,
decoder position ids and attention mask as ``encode``.

Subclasses replace ``_tokenize_counting`` and ``_embed_batch`` for non-transformer
models (see ``static.py``). Left out: multi-process and GPU encoding.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import torch

from . import cache, progress
from .backends import torch as torch_backend
from .notices import TruncationWarning
from .options import ATTENTION, FIELDS, PRECISIONS, EncodeOptions, head_key  # noqa: F401  (re-exported)
from .pooling import exclude_prefix, parse_mode, pool
from .prompts import PROMPTS, apply_prompt, check_prompt, prompt_token_count  # noqa: F401  (re-exported)
from .texts import check_texts

# decoder families whose causal mask can be swapped for a bidirectional one (checked by a test
# that a token's state then depends on the tokens after it)
BIDIRECTIONAL_MODEL_TYPES = ("llama",)
CHUNK_SIZE = 1024  # texts per cache entry: the unit of resumption
OptionsLike = EncodeOptions | Mapping[str, Any] | str | torch.nn.Module | None


@functools.lru_cache(maxsize=1)
def cpu_has_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AMX or AVX-512 BF16); read from /proc/cpuinfo."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return True  # unknown platform: do not warn
    return any(f in flags for f in ("amx_bf16", "avx512_bf16"))


def check_batch_size(batch_size: Any) -> int:
    """A positive int (``True`` is not a batch size)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return int(batch_size)


def as_options(options: OptionsLike = None, **overrides: Any) -> EncodeOptions:
    """``EncodeOptions`` from what the encoder methods accept: options, a dict, a pooling name or head."""
    if isinstance(options, (str, torch.nn.Module)):
        options = {"pooling": options}
    return EncodeOptions.from_any(options, **overrides)


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
        Everything about the model that must enter cache keys (weights, configuration,
        tokenizer; see ``workbench.identity``).
    pooling : str
        Default pooling mode (used when the options leave ``pooling`` None).
    max_length : int
        Default truncation length in tokens.
    is_decoder : bool
        Whether the backbone is a causal decoder.
    prompts : dict of str to str, optional
        Prompts the model names (``prompt_name="query"``).
    default_prompt_name : str, optional
        The prompt used when the options give neither ``prompt`` nor ``prompt_name``.
    include_prompt : bool
        False: prompt tokens are left out of pooling (they still pass through the model).
    projection : torch.nn.Module, optional
        Applied to the model's own pooling at the last layer (a sentence-transformers
        folder's Dense layers); other poolings and layers give the pooled token states.

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> X = enc.encode(["a dog runs", "a puppy is running"], cache=False)
    >>> X.shape, round(float(X[0] @ X[1]), 1) > 0.5
    ((2, 384), True)
    >>> opts = wb.EncodeOptions(pooling="cls", layer=3)
    >>> bool(np.allclose(enc.encode(["a dog"], opts, cache=False), enc.encode(["a dog"], pooling="cls", layer=3,
    ...                                                                      cache=False)))
    True
    """

    def __init__(self, model, tokenizer, *, name: str, identity: str, pooling: str = "mean",
                 max_length: int = 512, is_decoder: bool = False, prompts: Mapping[str, str] | None = None,
                 default_prompt_name: str | None = None, include_prompt: bool = True,
                 projection: torch.nn.Module | None = None):
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.identity = identity
        self.pooling = pooling
        self.max_length = int(max_length)
        self.is_decoder = is_decoder
        self.prompts = dict(prompts or {})
        if default_prompt_name is not None and default_prompt_name not in self.prompts:
            raise ValueError(f"default_prompt_name {default_prompt_name!r} is not among the prompts "
                             f"{list(self.prompts)}")
        self.default_prompt_name = default_prompt_name
        self.include_prompt = bool(include_prompt)
        self.projection = projection

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

    @property
    def max_positions(self) -> int | None:
        """The longest input the model can read, in tokens (its position table), if it has one."""
        limits = [getattr(getattr(self.model, "config", None), "max_position_embeddings", None),
                  getattr(self.tokenizer, "model_max_length", None)]
        limits = [int(x) for x in limits if isinstance(x, int) and 0 < x < 1_000_000]
        return min(limits) if limits else None

    def output_dim(self, pooling: str | None = None) -> int:
        return self.dim * len(parse_mode(pooling or self.pooling))

    # ------------------------------------------------------------------ options
    def resolve(self, options: OptionsLike = None, **overrides: Any) -> EncodeOptions:
        """Options checked against this model, with its own defaults filled in.

        ``pooling``, ``max_length`` and ``attention`` left None become the model's own;
        the layer must exist, the length must fit the position table and hold one token
        beyond the special ones, a [CLS] pooling needs a [CLS] token.

        Examples
        --------
        >>> import workbench as wb
        >>> wb.load_encoder("minilm").resolve(layer=-1).key_parts()["max_length"]
        256
        >>> wb.load_encoder("minilm").resolve(layer=7)
        Traceback (most recent call last):
        ...
        ValueError: layer must be an int in -7..6 for minilm (6 layers + embeddings), got 7
        """
        opts = as_options(options, **overrides)
        head = opts.head
        if head is not None and self.model is None:
            raise ValueError(f"{self.name} has no transformer token states; a trainable pooling head needs one")
        pooling = opts.pooling or self.pooling
        if head is None and "cls" in parse_mode(pooling) and getattr(self.tokenizer, "cls_token", None) is None:
            raise ValueError(f"pooling 'cls' reads a [CLS] token, but {self.name} has none"
                             f"{' (a decoder)' if self.is_decoder else ''}; use mean, max, last or weighted_mean")
        n = self.n_layers + 1
        if not -n <= opts.layer < n:
            raise ValueError(f"layer must be an int in {-n}..{n - 1} for {self.name} "
                             f"({self.n_layers} layers + embeddings), got {opts.layer!r}")
        if opts.precision == "bf16" and self.model is not None and not cpu_has_bf16():
            warnings.warn("this CPU has no native bf16 units (AMX or AVX-512 BF16): bf16 is emulated "
                          "and slower than fp32 here", RuntimeWarning, stacklevel=3)
        if opts.backend == "onnx":
            from .backends import onnx  # noqa: PLC0415  (imports onnxruntime)

            onnx.check_model(self, opts.attention)
        if opts.add_eos and getattr(self.tokenizer, "eos_token_id", None) is None:
            raise ValueError(f"add_eos=True, but the tokenizer of {self.name} has no end-of-sequence token")
        return opts.replace(pooling=pooling, max_length=self._check_length(opts),
                            attention=self._check_attention(opts.attention), **self._named_prompt(opts))

    def _named_prompt(self, opts: EncodeOptions) -> dict:
        """``prompt_name`` (or the model's default prompt) as the prompt's text."""
        name = opts.prompt_name
        if name is None and opts.prompt is None and self.default_prompt_name is not None:
            name = self.default_prompt_name
        if name is None:
            return {}
        if name not in self.prompts:
            raise ValueError(f"unknown prompt_name {name!r} for {self.name}; its prompts: "
                             f"{', '.join(self.prompts) or 'none'}")
        return {"prompt": self.prompts[name] or None, "prompt_name": None}

    def _check_length(self, opts: EncodeOptions) -> int:
        max_length = opts.max_length or self.max_length
        if self.model is None:  # static vectors: no position table, nothing to truncate
            return max_length
        limit = self.max_positions
        if limit is not None and max_length > limit:
            raise ValueError(f"max_length={max_length} is beyond {self.name}'s position table ({limit} tokens); "
                             f"use at most {limit}")
        special = self.tokenizer.num_special_tokens_to_add(pair=False) + int(opts.add_eos)
        if max_length <= special:
            raise ValueError(f"max_length={max_length} leaves no room for text: {self.name} adds {special} special "
                             f"token(s); use at least {special + 1}")
        return max_length

    def _check_attention(self, attention: str | None) -> str:
        native = "causal" if self.is_decoder else "bidirectional"
        if attention is None or attention == native:
            return native
        if not self.is_decoder:
            raise ValueError(f"{self.name} is a bidirectional encoder; attention='causal' is not supported")
        model_type = getattr(self.model.config, "model_type", "?")
        if model_type not in BIDIRECTIONAL_MODEL_TYPES:
            raise ValueError(f"attention='bidirectional' is not supported for model type {model_type!r}; "
                             f"supported: {', '.join(BIDIRECTIONAL_MODEL_TYPES)}")
        return attention

    # ------------------------------------------------------------------ public API
    def encode(self, texts: Sequence[str] | str, options: OptionsLike = None, *, batch_size: int = 32,
               show_progress: bool | None = None, cache: bool = True, **overrides: Any) -> np.ndarray:
        """Embed texts into a float32 array of shape ``(n, d)``.

        Parameters
        ----------
        texts : list of str (a single str is taken as a list of one)
        options : EncodeOptions, dict of its fields, pooling name or head, optional
            How a text becomes a vector (see :class:`~workbench.options.EncodeOptions`);
            default: the model's own pooling at the last layer, normalised.
        batch_size : int
            Texts per forward pass.
        show_progress : bool, optional
            Default: on in notebooks and terminals, off in CI.
        cache : bool
            Read and write the on-disk vector cache.
        **overrides
            Any field of ``EncodeOptions`` (``pooling``, ``layer``, ``normalize``,
            ``prompt``, ``precision``, ``max_length``, ``attention``, ``add_eos``,
            ``backend``),
            applied on top of ``options``.

        Returns
        -------
        numpy.ndarray of float32, shape (n, d)
        """
        texts = check_texts(texts)
        opts = self.resolve(options, **overrides)
        return self._run(texts, [(opts, "vectors")], check_batch_size(batch_size), cache, show_progress)[0]

    def encode_layers(self, texts: Sequence[str] | str, options: OptionsLike = None, *, batch_size: int = 32,
                      show_progress: bool | None = None, cache: bool = True, **overrides: Any) -> np.ndarray:
        """Pool every layer: an array of shape ``(n_layers + 1, n, d)`` (index 0 = embeddings).

        Takes the arguments of :meth:`encode`; the options' ``layer`` is ignored.
        """
        opts = as_options(options, **overrides)
        if opts.head is not None:
            raise ValueError("encode_layers pools with a mode name; a trainable head reads the layers itself "
                             "(use encode)")
        out = self.encode_poolings(texts, [opts.pooling or self.pooling], opts, batch_size=batch_size,
                                   show_progress=show_progress, cache=cache)
        return next(iter(out.values()))

    def encode_poolings(self, texts: Sequence[str] | str, poolings: Sequence[str], options: OptionsLike = None,
                        *, batch_size: int = 32, show_progress: bool | None = None, cache: bool = True,
                        **overrides: Any) -> dict[str, np.ndarray]:
        """Several poolings of every layer from one forward pass per batch.

        Equal to ``{p: encode_layers(texts, pooling=p) for p in poolings}`` and cached
        under the same keys, but the model runs once per text instead of once per mode.

        Returns
        -------
        dict pooling -> float32 array of shape ``(n_layers + 1, n, d)``

        Examples
        --------
        >>> import workbench as wb
        >>> enc = wb.load_encoder("minilm")
        >>> grid = enc.encode_poolings(["a cat", "a dog"], ["cls", "mean"], cache=False)
        >>> grid["mean"].shape, bool(np.allclose(grid["mean"][-1], enc.encode(["a cat", "a dog"], cache=False)))
        ((7, 2, 384), True)
        """
        texts = check_texts(texts)
        base = as_options(options, **overrides)
        if isinstance(poolings, str):
            poolings = [poolings]
        targets = [(self.resolve(base, pooling=p, layer=-1), "layers") for p in poolings]
        targets = list({t[0].pooling: t for t in targets}.values())
        arrays = self._run(texts, targets, check_batch_size(batch_size), cache, show_progress)
        return {o.pooling: a for (o, _), a in zip(targets, arrays)}

    def token_embeddings(self, texts: Sequence[str] | str, layer: int | None = -1, options: OptionsLike = None, *,
                         batch_size: int = 16, show_progress: bool | None = None,
                         **overrides: Any) -> list[tuple[list[str], np.ndarray]]:
        """Per-token states of each text, with its tokens (padding removed, not cached).

        Texts run in batches, longest first; padding is masked in the model and cut from
        the result, so a text's states match those it gets alone up to float rounding.
        ``prompt``, ``max_length``, ``precision``, ``attention`` and ``add_eos`` apply
        as in :meth:`encode`.

        Returns a list of ``(tokens, states)``: ``states`` is ``(t, d)`` for one layer,
        or ``(n_layers + 1, t, d)`` when ``layer=None``.
        """
        texts = check_texts(texts)
        opts = self.resolve(options, **overrides, **({} if layer is None else {"layer": layer}))
        ids = self._tokenize_counting(apply_prompt(texts, opts.prompt), opts)[0]
        order = np.argsort([-len(x) for x in ids], kind="stable")
        batch_size = check_batch_size(batch_size)
        out: list = [None] * len(ids)
        with progress.bar(len(ids), f"token states of {self.name}", show_progress) as bar:
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                hidden, mask = self._forward([ids[i] for i in idx], opts, all_layers=True)
                stacked = torch.stack(hidden) if layer is None else hidden[opts.layer].unsqueeze(0)
                for row, i in enumerate(idx):
                    states = stacked[:, row][:, mask[row].bool()].float().numpy()
                    out[i] = (self.tokenizer.convert_ids_to_tokens(ids[i]), states if layer is None else states[0])
                bar.update(len(idx))
        return out

    def hidden_states(self, texts: Sequence[str] | str, options: OptionsLike = None, *, all_layers: bool = True,
                      grad: bool = False, **overrides: Any) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
        """One batch's hidden states and attention mask, tokenized and run exactly as :meth:`encode` runs them.

        With ``grad=True`` the forward pass keeps gradients (training embeds through
        this, so a model is trained on the vectors it is evaluated on). Not cached.

        Returns
        -------
        (hidden states per layer — all of them, or just the last — each ``(n, t, d)``,
        attention mask ``(n, t)``)

        Examples
        --------
        >>> import workbench as wb
        >>> enc = wb.load_encoder("minilm")
        >>> hidden, mask = enc.hidden_states(["a cat", "a dog sat"])
        >>> len(hidden), tuple(mask.shape)
        (7, (2, 5))
        """
        texts = check_texts(texts)
        if not texts:
            raise ValueError("hidden_states needs at least one text")
        opts = self.resolve(options, **overrides)
        ids = self._tokenize_counting(apply_prompt(texts, opts.prompt), opts)[0]
        return self._forward(ids, opts, all_layers, grad=grad)

    # ------------------------------------------------------------------ machinery
    def _run(self, texts: list[str], targets: list[tuple[EncodeOptions, str]], batch_size: int, use_cache: bool,
             show_progress) -> list[np.ndarray]:
        """Each target's array for ``texts``, chunk by chunk through the cache; one forward pass serves them all.

        A target is (resolved options, kind): ``"vectors"`` pools at the options' layer,
        ``"layers"`` at every layer. All targets share how texts are read (prompt,
        length, precision, attention, end-of-sequence token).
        """
        chunks = [texts[i:i + CHUNK_SIZE] for i in range(0, len(texts), CHUNK_SIZE)]
        parts: list[list[np.ndarray]] = [[] for _ in targets]
        truncated = 0
        writable = use_cache  # after one failed write (read-only or full disk) the rest is not written
        with progress.bar(len(texts), f"encoding with {self.name}", show_progress) as bar:
            for chunk in chunks:
                keys = [self._cache_key(chunk, opts, kind) for opts, kind in targets]
                got = [cache.get(k, shape=self._shape(len(chunk), opts, kind), dtype=np.float32) if use_cache
                       else None for k, (opts, kind) in zip(keys, targets)]
                missing = [i for i, arr in enumerate(got) if arr is None]
                if missing:
                    fresh, cut = self._compute(chunk, [targets[i] for i in missing], batch_size, bar)
                    truncated += cut
                    for i, arr in zip(missing, fresh):
                        got[i] = arr
                        if writable and cache.put(keys[i], arr) is None:
                            writable = False
                else:
                    bar.update(len(chunk))
                for part, arr in zip(parts, got):
                    part.append(arr)
        if truncated:
            warnings.warn(TruncationWarning.message(truncated, len(texts), targets[0][0].max_length),
                          TruncationWarning, stacklevel=3)
        return [np.concatenate(part, axis=-2) if part else self._empty(opts, kind)
                for part, (opts, kind) in zip(parts, targets)]

    def _projects(self, opts: EncodeOptions) -> bool:
        """Whether the projection applies: the model's own pooling at the last layer."""
        return self.projection is not None and opts.head is None and opts.pooling == self.pooling \
            and opts.layer % (self.n_layers + 1) == self.n_layers

    def _shape(self, n: int, opts: EncodeOptions, kind: str) -> tuple[int | None, ...]:
        """Shape of the array for ``n`` texts: ``(n, width)``, or ``(n_layers + 1, n, width)`` for every layer.

        The width of a head without an int ``dim`` is unknown (None).
        """
        if opts.head is not None:
            width = getattr(opts.head, "dim", None)
        elif kind == "vectors" and self._projects(opts):
            width = [m for m in self.projection.modules() if isinstance(m, torch.nn.Linear)][-1].out_features
        else:
            width = self.output_dim(opts.pooling)
        width = int(width) if isinstance(width, (int, np.integer)) and not isinstance(width, bool) else None
        return (self.n_layers + 1, n, width) if kind == "layers" else (n, width)

    def _empty(self, opts: EncodeOptions, kind: str) -> np.ndarray:
        shape = self._shape(0, opts, kind)
        return np.zeros(shape[:-1] + (shape[-1] or 0,), np.float32)

    def _cache_key(self, chunk: list[str], opts: EncodeOptions, kind: str) -> str:
        """Key of one chunk's array: the weights, the texts and every option (not batch size)."""
        parts = opts.key_parts(layer="all" if kind == "layers" else None)
        return cache.make_key(model=self.identity, kind=kind, texts=cache.hash_texts(chunk), **parts)

    def _compute(self, texts: list[str], targets: list[tuple[EncodeOptions, str]], batch_size: int,
                 bar) -> tuple[list[np.ndarray], int]:
        """Embed one chunk for every target; returns the arrays and how many texts were truncated."""
        opts = targets[0][0]
        ids, cut = self._tokenize_counting(apply_prompt(texts, opts.prompt), opts)
        order = np.argsort([-len(x) for x in ids], kind="stable")
        out: list[np.ndarray | None] = [None] * len(targets)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            for t, vecs in enumerate(self._embed_batch([ids[i] for i in idx], targets)):
                if out[t] is None:
                    out[t] = np.empty(vecs.shape[:-2] + (len(texts), vecs.shape[-1]), np.float32)
                out[t][..., idx, :] = vecs
            bar.update(len(idx))
        return out, cut

    def _embed_batch(self, batch_ids: list[list[int]], targets: list[tuple[EncodeOptions, str]]) -> list[np.ndarray]:
        """One forward pass, read out once per target."""
        all_layers = any(kind == "layers" or o.layer != -1 or o.head is not None or "first_last_avg" in o.pooling
                         for o, kind in targets)
        hidden, mask = self._forward(batch_ids, targets[0][0], all_layers)
        pooled = mask if self.include_prompt else exclude_prefix(
            mask, prompt_token_count(self.tokenizer, targets[0][0].prompt))
        out = []
        for opts, kind in targets:
            if kind == "layers":
                vecs = torch.stack([pool(hidden, pooled, opts.pooling, layer=i) for i in range(len(hidden))])
            elif opts.head is not None:
                with torch.inference_mode():
                    vecs = opts.head(hidden, mask)
            else:
                vecs = pool(hidden, pooled, opts.pooling, layer=opts.layer)
                if self._projects(opts):
                    with torch.inference_mode():
                        vecs = self.projection(vecs.float())
            vecs = vecs.float()
            if opts.normalize:
                vecs = torch.nn.functional.normalize(vecs, p=2, dim=-1)
            out.append(vecs.numpy())
        return out

    def _tokenize_counting(self, texts: list[str], opts: EncodeOptions) -> tuple[list[list[int]], int]:
        """Token ids per text, truncated to ``max_length``; also the number truncated."""
        eos = self.tokenizer.eos_token_id if opts.add_eos else None
        max_length = opts.max_length - (eos is not None)
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

    def _forward(self, batch_ids: list[list[int]], opts: EncodeOptions, all_layers: bool, grad: bool = False):
        """Pad a batch (on the tokenizer's side) and run it on the options' backend; returns (hidden states, mask)."""
        input_ids, mask = torch_backend.pad(batch_ids, self.tokenizer)
        if opts.backend == "onnx":
            from .backends import onnx  # noqa: PLC0415  (imports onnxruntime)

            return onnx.forward(self, input_ids, mask, opts, all_layers=all_layers, grad=grad), mask
        return torch_backend.forward(self.model, input_ids, mask, opts, all_layers=all_layers,
                                     is_decoder=self.is_decoder, grad=grad), mask
