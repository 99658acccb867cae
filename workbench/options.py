"""EncodeOptions: the one description of how a text becomes a vector.

Every setting that changes the vectors lives here: pooling, layer, normalisation,
prompt, precision, truncation length, attention mask and the end-of-sequence token.
An ``EncodeOptions`` is frozen and checked when it is built, so a bad value fails at
the line that wrote it and not deep inside a forward pass; its :meth:`key_parts` are
what the vector cache keys on. Settings that change only how the work is done (batch
size, progress bars, cache use) are arguments of the encoder's methods, not options.

Checks that need the model (a layer in range, a length within the position table, a
[CLS] token to pool) run in :meth:`workbench.encoder.Encoder.resolve`, which also fills
the ``None`` defaults with the model's own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import torch

from .notices import InputWarning
from .pooling import POOLING_MODES, parse_mode
from .prompts import PROMPTS, check_prompt

PRECISIONS = ("fp32", "bf16", "int8")
ATTENTION = ("causal", "bidirectional")
#: how a forward pass runs, and the precisions each backend runs (the first is its default)
BACKENDS: dict[str, tuple[str, ...]] = {"torch": ("fp32", "bf16"), "onnx": ("fp32", "int8")}


@dataclass(frozen=True)
class EncodeOptions:
    """How a text becomes a vector; validated when built, immutable afterwards.

    Parameters
    ----------
    pooling : str, trainable head or None
        A mode from ``workbench.pooling.POOLING_MODES`` or several joined by ``+``
        (``"cls+mean"``), or a trainable head (``head(hidden_states, attention_mask)``,
        see ``workbench.train.heads``). None: the model's own pooling.
    layer : int
        Hidden-state layer to pool: 0 is the embedding layer, -1 the last.
    normalize : bool
        Scale each vector to unit L2 length.
    prompt : str or None
        A prefix (``"query: "``), a template holding ``{text}``, or a name in
        ``workbench.prompts.PROMPTS`` (matched ignoring case and outer spaces, with a
        warning when the spelling differs).
    precision : {"fp32", "bf16", "int8"}
        fp32 is exact; bf16 runs under CPU autocast (fast only with bf16 units);
        int8 is ONNX Runtime's dynamic quantization (``backend="onnx"`` only), a fast
        path for bulk encoding whose agreement with fp32 is measured on first use.
    max_length : int or None
        Truncation length in tokens, special tokens included; None: the model's.
    attention : {None, "causal", "bidirectional"}
        None keeps the model's own mask; "bidirectional" lifts a decoder's causal mask.
    add_eos : bool
        Append the end-of-sequence token, as last-token embedders do.
    prompt_name : str or None
        A prompt the model names (a sentence-transformers folder's ``prompts``, e.g.
        ``"query"``), instead of ``prompt``. ``Encoder.resolve`` replaces it with the
        prompt's text, so the cache keys on the text the model reads, not on the name.
    backend : {"torch", "onnx"}
        How the forward pass runs: "torch" is the exact reference; "onnx" runs an
        exported graph that returns every layer on ONNX Runtime (the ``fast`` extra).

    Examples
    --------
    >>> opts = EncodeOptions(pooling="cls+mean", layer=np.int64(3))
    >>> opts.layer, type(opts.layer).__name__
    (3, 'int')
    >>> opts.replace(layer=-1) == EncodeOptions(pooling="cls+mean")
    True
    >>> EncodeOptions(normalize="False")
    Traceback (most recent call last):
    ...
    TypeError: normalize must be True or False, got 'False' (a str)
    >>> EncodeOptions(precision="int8")
    Traceback (most recent call last):
    ...
    ValueError: precision='int8' needs backend='onnx'; backend 'torch' runs fp32, bf16 (backend 'onnx' runs fp32, int8)
    """

    pooling: Any = None
    layer: int = -1
    normalize: bool = True
    prompt: str | None = None
    precision: str = "fp32"
    max_length: int | None = None
    attention: str | None = None
    add_eos: bool = False
    prompt_name: str | None = None
    backend: str = "torch"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "pooling", _check_pooling(self.pooling))
        set_(self, "layer", _check_int("layer", self.layer, minimum=None))
        set_(self, "normalize", _check_bool("normalize", self.normalize))
        set_(self, "prompt", _check_prompt_name(self.prompt))
        set_(self, "precision", _match_name("precision", self.precision, PRECISIONS))
        if self.max_length is not None:
            if isinstance(self.max_length, (int, np.integer)) and not isinstance(self.max_length, bool) \
                    and self.max_length < 1:
                raise ValueError(f"max_length must be a positive number of tokens, got {self.max_length}; "
                                 "use None for the model's own length")
            set_(self, "max_length", _check_int("max_length", self.max_length, minimum=1))
        if self.attention is not None:
            set_(self, "attention", _match_name("attention", self.attention, ATTENTION))
        set_(self, "add_eos", _check_bool("add_eos", self.add_eos))
        if self.prompt_name is not None:
            if not isinstance(self.prompt_name, str):
                raise TypeError(f"prompt_name must be a str naming one of the model's prompts, "
                                f"got {self.prompt_name!r}")
            if self.prompt is not None:
                raise ValueError(f"give prompt or prompt_name, not both (got {self.prompt!r} and "
                                 f"{self.prompt_name!r})")
        set_(self, "backend", _match_name("backend", self.backend, tuple(BACKENDS)))
        if self.precision not in BACKENDS[self.backend]:
            runs = [b for b, precisions in BACKENDS.items() if self.precision in precisions]
            others = "; ".join(f"backend {b!r} runs {', '.join(p)}" for b, p in BACKENDS.items() if b != self.backend)
            raise ValueError(f"precision={self.precision!r} needs backend={runs[0]!r}; backend {self.backend!r} runs "
                             f"{', '.join(BACKENDS[self.backend])} ({others})")

    @classmethod
    def from_any(cls, options: "EncodeOptions | Mapping[str, Any] | None" = None, /,
                 **overrides: Any) -> "EncodeOptions":
        """Options from an ``EncodeOptions``, a dict of fields or None, with ``overrides`` on top.

        Unknown names are refused with the list of fields.

        Examples
        --------
        >>> opts = EncodeOptions.from_any({"pooling": "cls"}, layer=2)
        >>> opts.pooling, opts.layer, opts.normalize
        ('cls', 2, True)
        >>> EncodeOptions.from_any(pool="cls")
        Traceback (most recent call last):
        ...
        TypeError: unknown encode option 'pool'; the options are: pooling, layer, normalize, prompt, ...
        """
        if options is None:
            base: dict[str, Any] = {}
        elif isinstance(options, EncodeOptions):
            if not overrides:
                return options
            base = options.as_dict()
        elif isinstance(options, Mapping):
            base = dict(options)
        else:
            raise TypeError(f"options must be an EncodeOptions, a dict of its fields or None, "
                            f"got {type(options).__name__}")
        base.update(overrides)
        unknown = [k for k in base if k not in FIELDS]
        if unknown:
            raise TypeError(f"unknown encode option {unknown[0]!r}; the options are: {', '.join(FIELDS)}")
        return cls(**base)

    def replace(self, **changes: Any) -> "EncodeOptions":
        """A copy with ``changes`` applied (and checked)."""
        return EncodeOptions.from_any(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (a head stays the object it is)."""
        return {f: getattr(self, f) for f in FIELDS}

    @property
    def head(self):
        """The trainable pooling head, or None when ``pooling`` names modes."""
        return None if self.pooling is None or isinstance(self.pooling, str) else self.pooling

    def key_parts(self, *, layer: int | str | None = None) -> dict[str, Any]:
        """What the vector cache keys on: every field, with a head as a hash of its weights.

        Call it on resolved options (see ``Encoder.resolve``); ``layer`` replaces the
        field (``"all"`` for every layer at once). ``backend`` enters only when it is not
        "torch", so the keys of torch vectors are those they had before backends existed.

        Examples
        --------
        >>> opts = EncodeOptions(pooling="mean", max_length=128, attention="bidirectional")
        >>> "backend" in opts.key_parts(), opts.replace(backend="onnx").key_parts()["backend"]
        (False, 'onnx')
        """
        if self.pooling is None or self.max_length is None or self.attention is None or self.prompt_name:
            raise ValueError("key_parts needs resolved options (Encoder.resolve fills pooling, max_length "
                             "and attention with the model's own, and turns prompt_name into its prompt)")
        pooling = head_key(self.head) if self.head is not None else self.pooling
        return dict(pooling=pooling, layer=self.layer if layer is None else layer, normalize=self.normalize,
                    prompt=check_prompt(self.prompt), precision=self.precision, max_length=self.max_length,
                    attention=self.attention, add_eos=self.add_eos,
                    **({} if self.backend == "torch" else {"backend": self.backend}))


#: the fields of :class:`EncodeOptions`, in order: the one list every caller accepts
FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(EncodeOptions))


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


def _match_name(what: str, value: Any, valid: tuple[str, ...]) -> str:
    """``value`` as one of ``valid``; a spelling that differs only in case or outer spaces is reported."""
    if isinstance(value, str):
        if value in valid:
            return value
        folded = value.strip().lower()
        if folded in valid:
            warnings.warn(f"{what}={value!r} read as {folded!r}", InputWarning, stacklevel=4)
            return folded
    raise ValueError(f"unknown {what} {value!r}; valid: {', '.join(valid)}")


def _check_bool(what: str, value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{what} must be True or False, got {value!r} (a {type(value).__name__})")


def _check_int(what: str, value: Any, *, minimum: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be an int, got {value!r} (a {type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {value}")
    return int(value)


def _check_pooling(pooling: Any):
    if pooling is None:
        return None
    if isinstance(pooling, str):
        parts = [p.strip() for p in pooling.split("+")]
        folded = [p.lower() if p.lower() in POOLING_MODES and p not in POOLING_MODES else p for p in parts]
        mode = "+".join(parse_mode("+".join(folded)))
        if folded != parts or pooling != "+".join(parts):
            warnings.warn(f"pooling={pooling!r} read as {mode!r}", InputWarning, stacklevel=4)
        return mode
    if isinstance(pooling, torch.nn.Module):
        return pooling
    raise TypeError(f"pooling must be a mode name ({', '.join(POOLING_MODES)}, or several joined by '+'), "
                    f"a trainable head or None; got {pooling!r}")


def _check_prompt_name(prompt: Any) -> str | None:
    """A prompt, with a registered name matched ignoring case and outer spaces (reported)."""
    if prompt is None or prompt == "":
        return None
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str (a prefix, a template with {{text}}, or one of "
                        f"{', '.join(PROMPTS)}), got {prompt!r}")
    if prompt not in PROMPTS and prompt.strip().lower() in PROMPTS:
        name = prompt.strip().lower()
        warnings.warn(f"prompt={prompt!r} read as the registered prompt {name!r}; to use the words as a "
                      f"literal prefix, write a template such as {prompt + '{text}'!r}", InputWarning, stacklevel=4)
        return name
    check_prompt(prompt)
    return prompt
