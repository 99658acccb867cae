"""The ONNX Runtime backend: an exported graph that returns every layer, in fp32 or int8.

A model is exported once with ``torch.onnx.export`` (the TorchScript exporter, dynamic
batch and sequence axes) into ``cache_dir() / "onnx"``, in a folder named by a hash of
the model's identity (which holds its weights' hash) and the export settings. The export
is written to a temporary folder and renamed, so a folder that exists is complete. The
graph's outputs are the hidden states of every layer (``hidden_0`` = embeddings ...
``hidden_L``), so every pooling mode, every layer, ``encode_layers`` and the sweeps read
the same states as on the torch backend. An encoder's attention is traced in its plain
form (matrix products and a softmax, transformers' ``"eager"``), not as the traced
decomposition of ``scaled_dot_product_attention``: ONNX Runtime runs the plain form
faster (``minilm``, 256-token texts: about 16%), and the states agree within 1e-5. A
decoder keeps its model's own attention, which ran faster than the plain form
(``smollm2``: 28.8 against 25.0 texts per second).

``precision="int8"`` quantizes that graph with ONNX Runtime's dynamic quantization: the
weight matrices of the linear layers become int8, per output channel, with 7-bit range
(``reduce_range``), and activations are quantized to uint8 on the fly. The reduced range
keeps the int8 kernels of AVX2 CPUs without VNNI from saturating, and per-channel scales
keep each row of a weight matrix accurate. The first use of int8 on a model measures its
agreement with fp32 on real texts (:func:`int8_agreement`), prints it, warns below
``INT8_FLOOR`` and stores the figures beside the quantized graph.

A decoder (``DECODER_MODEL_TYPES``) is exported with a third input, the position ids
the torch backend gives it (counting real tokens only, so either padding side reads
the same positions), and runs with its own causal mask; ``attention="bidirectional"``
(a 4-D mask the graph does not take) stays on the torch backend.

Sessions are kept per process (one per model and precision) with as many intra-op
threads as torch uses. Left out: decoders' bidirectional attention, gradients, GPUs,
static (per-dataset calibrated) quantization.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch

from .. import cache
from ..options import EncodeOptions
from ..packages import require

#: what the exported graph depends on besides the weights (a change re-exports)
EXPORT_SETTINGS = {"exporter": "torchscript", "opset": 17, "outputs": "every layer", "format": 1}
#: how an encoder's attention is traced (part of its export key); decoders keep their own
ENCODER_ATTENTION = "eager"
#: ``onnxruntime.quantization.quantize_dynamic`` settings of ``precision="int8"``
INT8_SETTINGS = {"weight_type": "QInt8", "per_channel": True, "reduce_range": True, "op_types": ["MatMul"]}
#: the real texts the int8 agreement is measured on
AGREEMENT_DATA, AGREEMENT_TEXTS = "rotten-tomatoes", 300
#: mean cosine between int8 and fp32 vectors below which first use warns
INT8_FLOOR = 0.985
#: decoder families whose export (with position ids, causal mask) is checked against torch by a test
DECODER_MODEL_TYPES = ("llama",)

_SESSIONS: dict[tuple[str, str], tuple[Any, list[str]]] = {}
_WRITTEN: dict[str, Path] = {}  # graphs this process exported or quantized (reused if the cache folder moves)


def check_model(encoder: Any, attention: str | None = None) -> None:
    """Raise unless ``encoder`` can run on this backend (with onnxruntime and onnx installed).

    ``attention`` is the requested mask (None: the model's own).

    Examples
    --------
    >>> class StaticVectors:
    ...     name, model = "glove-50d", None
    >>> check_model(StaticVectors())
    Traceback (most recent call last):
    ...
    ValueError: backend='onnx' runs transformer models; glove-50d has none (static vectors): use backend='torch'
    """
    require("onnxruntime", extra="fast", needed_for="backend='onnx'")
    require("onnx", extra="fast", needed_for="backend='onnx'")
    if getattr(encoder, "model", None) is None:
        raise ValueError(f"backend='onnx' runs transformer models; {encoder.name} has none (static vectors): "
                         "use backend='torch'")
    if encoder.is_decoder and _model_type(encoder) not in DECODER_MODEL_TYPES:
        raise ValueError(f"backend='onnx' runs encoders and decoders of type {', '.join(DECODER_MODEL_TYPES)}; "
                         f"{encoder.name} is a decoder of type {_model_type(encoder)!r}: use backend='torch'")
    if encoder.is_decoder and attention == "bidirectional":
        raise ValueError(f"backend='onnx' runs {encoder.name} with its own causal mask; attention='bidirectional' "
                         "needs backend='torch'")


def export_dir(encoder: Any) -> Path:
    """The folder that holds ``encoder``'s exported graph (it may not exist yet)."""
    key = json.dumps({"identity": encoder.identity, "torch": torch.__version__.split("+")[0], **EXPORT_SETTINGS,
                      **_graph_settings(encoder)}, sort_keys=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in encoder.name)[:40]
    return cache.cache_dir() / "onnx" / f"{safe}-{hashlib.blake2b(key.encode(), digest_size=10).hexdigest()}"


def export(encoder: Any) -> Path:
    """Export ``encoder``'s model to ONNX once (atomically) and return the graph's path.

    Examples
    --------
    >>> import workbench as wb
    >>> path = export(wb.load_encoder("minilm"))
    >>> path.name, export(wb.load_encoder("minilm")) == path
    ('model.onnx', True)
    """
    check_model(encoder)
    folder = export_dir(encoder)
    if (folder / "model.onnx").exists():
        return folder / "model.onnx"
    if folder.name in _WRITTEN and _WRITTEN[folder.name].exists():
        return _WRITTEN[folder.name]
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        _export_to(encoder, tmp / "model.onnx")
        (tmp / "export.json").write_text(json.dumps({"identity": encoder.identity, "name": encoder.name,
                                                     "torch": torch.__version__, **EXPORT_SETTINGS,
                                                     **_graph_settings(encoder)}, indent=1))
        try:
            os.rename(tmp, folder)
        except OSError:  # another process finished first: its export is the same
            if not (folder / "model.onnx").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _WRITTEN[folder.name] = folder / "model.onnx"
    return folder / "model.onnx"


def quantized(encoder: Any) -> Path:
    """The int8 graph of ``encoder`` (quantized from the fp32 export once, atomically)."""
    fp32 = export(encoder)
    path = fp32.with_name(f"model.int8-{_settings_hash(INT8_SETTINGS)}.onnx")
    if path.exists():
        return path
    known = _WRITTEN.get(f"{fp32.parent.name}/{path.name}")
    if known is not None and known.exists():
        return known
    from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415

    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}.onnx")
    try:
        with _quiet_root_logger():
            quantize_dynamic(fp32, tmp, weight_type=getattr(QuantType, INT8_SETTINGS["weight_type"]),
                             per_channel=INT8_SETTINGS["per_channel"], reduce_range=INT8_SETTINGS["reduce_range"],
                             op_types_to_quantize=INT8_SETTINGS["op_types"])
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _WRITTEN[f"{fp32.parent.name}/{path.name}"] = path
    return path


def session(encoder: Any, precision: str = "fp32") -> tuple[Any, list[str]]:
    """An ``onnxruntime.InferenceSession`` for ``encoder`` in ``precision`` and its output names, per process.

    The first int8 session of a model in a process reports its agreement with fp32
    (:func:`int8_agreement`).
    """
    if precision not in ("fp32", "int8"):
        raise ValueError(f"backend='onnx' runs precision fp32 or int8, got {precision!r}")
    key = (str(export_dir(encoder).name), precision)
    if key not in _SESSIONS:
        ort = require("onnxruntime", extra="fast", needed_for="backend='onnx'")
        path = export(encoder) if precision == "fp32" else quantized(encoder)
        options = ort.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        sess = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        _SESSIONS[key] = (sess, [o.name for o in sess.get_outputs()])
        if precision == "int8":
            _report(encoder, int8_agreement(encoder))
    return _SESSIONS[key]


def forward(encoder: Any, input_ids: torch.Tensor, mask: torch.Tensor, opts: EncodeOptions, *, all_layers: bool,
            grad: bool = False) -> tuple[torch.Tensor, ...]:
    """Hidden states of a padded batch from the ONNX graph: every layer, or just the last.

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> opts = enc.resolve(backend="onnx")
    >>> ids, mask = torch.tensor([[101, 7592, 102]]), torch.ones(1, 3, dtype=torch.long)
    >>> hidden = forward(enc, ids, mask, opts, all_layers=True)
    >>> len(hidden), tuple(hidden[-1].shape)
    (7, (1, 3, 384))
    """
    if grad:
        raise ValueError("backend='onnx' runs inference only; gradients (training) need backend='torch'")
    check_model(encoder, opts.attention)
    sess, names = session(encoder, opts.precision)
    wanted = names if all_layers else names[-1:]
    out = sess.run(wanted, _feed(encoder, input_ids, mask))
    return tuple(torch.from_numpy(x) for x in out)


def _graph_settings(encoder: Any) -> dict[str, Any]:
    """What the graph depends on besides ``EXPORT_SETTINGS``: a decoder's inputs, an encoder's traced attention."""
    return {"inputs": list(_input_names(encoder))} if encoder.is_decoder else {"attention": ENCODER_ATTENTION}


def _input_names(encoder: Any) -> tuple[str, ...]:
    return ("input_ids", "attention_mask", "position_ids") if encoder.is_decoder else ("input_ids", "attention_mask")


def _feed(encoder: Any, input_ids: torch.Tensor, mask: torch.Tensor) -> dict[str, np.ndarray]:
    """The graph's inputs for a padded batch: a decoder's position ids count real tokens only, as on torch."""
    feed = {"input_ids": input_ids.numpy(), "attention_mask": mask.numpy()}
    if encoder.is_decoder:
        feed["position_ids"] = (mask.cumsum(dim=1) - 1).clamp(min=0).numpy()
    return feed


def int8_agreement(encoder: Any) -> dict[str, Any]:
    """Cosine between int8 and fp32 vectors of ``AGREEMENT_TEXTS`` real texts (measured once, stored).

    The vectors are the model's own pooling of the last layer at its own length; the
    figures are stored beside the int8 graph, so later processes read them.

    Returns
    -------
    dict with ``min_cosine``, ``mean_cosine``, ``n``, ``data`` and ``floor``
    """
    path = quantized(encoder).with_suffix(".agreement.json")
    if path.exists():
        return json.loads(path.read_text())
    from .. import datasets  # noqa: PLC0415
    from ..pooling import pool  # noqa: PLC0415
    from .torch import pad  # noqa: PLC0415

    texts = list(datasets.load(AGREEMENT_DATA).texts[:AGREEMENT_TEXTS])
    ort = require("onnxruntime", extra="fast", needed_for="backend='onnx'")
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    vectors = []
    for model in (export(encoder), quantized(encoder)):
        sess = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        last = sess.get_outputs()[-1].name
        rows = []
        for start in range(0, len(texts), 32):
            ids = encoder.tokenizer(texts[start:start + 32], truncation=True, max_length=encoder.max_length)
            input_ids, mask = pad(ids["input_ids"], encoder.tokenizer)
            hidden = sess.run([last], _feed(encoder, input_ids, mask))[0]
            rows.append(pool(torch.from_numpy(hidden), mask, encoder.pooling))
        vectors.append(torch.nn.functional.normalize(torch.cat(rows).float(), dim=-1).numpy())
    cos = np.sum(vectors[0] * vectors[1], axis=1)
    result = {"min_cosine": float(cos.min()), "mean_cosine": float(cos.mean()), "n": len(texts),
              "data": AGREEMENT_DATA, "floor": INT8_FLOOR, "pooling": encoder.pooling, "int8": INT8_SETTINGS}
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(result, indent=1))
    os.replace(tmp, path)
    return result


# ---------------------------------------------------------------------------- helpers
class _AllLayers(torch.nn.Module):
    """The model with every layer's hidden states as its outputs."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                position_ids: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        extra = {} if position_ids is None else {"position_ids": position_ids}
        return tuple(self.model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True,
                                **extra).hidden_states)


def _export_to(encoder: Any, path: Path) -> None:
    from .torch import pad  # noqa: PLC0415

    names = [f"hidden_{i}" for i in range(encoder.n_layers + 1)]
    inputs = _input_names(encoder)
    ids = encoder.tokenizer(["an example sentence to trace", "short"])["input_ids"]
    example = tuple(torch.from_numpy(x) for x in _feed(encoder, *pad(ids, encoder.tokenizer)).values())
    axes = {name: {0: "batch", 1: "sequence"} for name in [*inputs, *names]}
    training = encoder.model.training
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about Python branches on shapes
            with _traced_attention(encoder.model, _graph_settings(encoder).get("attention")):
                torch.onnx.export(_AllLayers(encoder.model).eval(), example, str(path),
                                  input_names=list(inputs), output_names=names, dynamic_axes=axes,
                                  opset_version=EXPORT_SETTINGS["opset"], do_constant_folding=True, dynamo=False)
    except Exception as exc:
        raise RuntimeError(f"exporting {encoder.name} (model type {_model_type(encoder)!r}) to ONNX failed: "
                           f"{type(exc).__name__}: {exc}; use backend='torch' for this model") from exc
    finally:
        encoder.model.train(training)


def _model_type(encoder: Any) -> str:
    return str(getattr(getattr(encoder.model, "config", None), "model_type", "unknown"))


def _settings_hash(settings: dict) -> str:
    return hashlib.blake2b(json.dumps(settings, sort_keys=True).encode(), digest_size=4).hexdigest()


@contextmanager
def _traced_attention(model: torch.nn.Module, attention: str | None) -> Iterator[None]:
    """The model with transformers' ``attention`` implementation while it is traced, then as it was (None: its own)."""
    before = getattr(getattr(model, "config", None), "_attn_implementation", None)
    switch = getattr(model, "set_attn_implementation", None)
    if attention is None or switch is None or before in (None, attention):
        yield
        return
    switch(attention)
    try:
        yield
    finally:
        switch(before)


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """Keep the quantizer's ``logging.warning`` calls from installing a handler on the root logger."""
    root, null = logging.getLogger(), logging.NullHandler()
    added = not root.handlers
    if added:
        root.addHandler(null)
    try:
        yield
    finally:
        if added:
            root.removeHandler(null)


def _report(encoder: Any, agreement: dict[str, Any]) -> None:
    line = (f"int8 on {encoder.name}: agreement with fp32 on {agreement['n']} {agreement['data']} texts: "
            f"min cosine {agreement['min_cosine']:.5f}, mean {agreement['mean_cosine']:.5f}")
    print(line, file=sys.stderr)
    if agreement["mean_cosine"] < INT8_FLOOR:
        warnings.warn(f"{line}, below the floor of {INT8_FLOOR} mean cosine: int8 vectors of this model differ "
                      "from fp32 more than usual; use precision='fp32' where that matters", RuntimeWarning,
                      stacklevel=2)
