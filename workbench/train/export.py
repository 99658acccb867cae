"""Export a (trained) encoder as a sentence-transformers folder.

:func:`save_model` writes the layout sentence-transformers reads -- the transformer's
``config.json`` and ``model.safetensors``, the tokenizer files, ``modules.json``,
``sentence_bert_config.json``, ``1_Pooling/config.json`` and ``2_Normalize`` -- so both
``workbench.load_encoder(folder)`` and ``sentence_transformers.SentenceTransformer(folder)``
load it and produce the same vectors. The folder is built under a temporary name and
renamed into place. Matryoshka widths, when given, are recorded in
``config_sentence_transformers.json`` for readers; truncating is the user's call
(``encode(...)[:, :k]`` or ``SentenceTransformer(folder, truncate_dim=k)``).

Left out: pooling modes sentence-transformers has no module for (``first_last_avg``,
mixed ``+`` modes), trainable heads, and pushing to a model hub.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

from ..encoder import Encoder

#: workbench pooling mode -> the sentence-transformers Pooling flag that means the same
ST_POOLING = {
    "cls": "pooling_mode_cls_token",
    "mean": "pooling_mode_mean_tokens",
    "max": "pooling_mode_max_tokens",
    "weighted_mean": "pooling_mode_weightedmean_tokens",
    "last": "pooling_mode_lasttoken",
    "mean_sqrt_len": "pooling_mode_mean_sqrt_len_tokens",
}
_ALL_FLAGS = ("pooling_mode_cls_token", "pooling_mode_mean_tokens", "pooling_mode_max_tokens",
              "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken")


def save_model(encoder: Encoder, folder: str | Path, *, normalize: bool = True,
               matryoshka_dims: Sequence[int] | None = None, overwrite: bool = False) -> Path:
    """Save ``encoder`` as a folder loadable by workbench and by sentence-transformers.

    Parameters
    ----------
    encoder : Encoder
        A transformer encoder (e.g. ``TrainResult.encoder``).
    folder : str or Path
    normalize : bool, default True
        Add sentence-transformers' Normalize module (unit-length outputs, as
        ``Encoder.encode`` gives by default).
    matryoshka_dims : sequence of int, optional
        Widths the model was trained to be truncated to (recorded, not applied).
    overwrite : bool, default False
        Replace an existing folder.

    Returns
    -------
    Path of the folder

    Examples
    --------
    >>> import tempfile, workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> path = save_model(enc, Path(tempfile.mkdtemp()) / "minilm-copy")
    >>> again = wb.load_encoder(path)
    >>> bool(abs(again.encode(["hi"], cache=False) - enc.encode(["hi"], cache=False)).max() < 1e-6)
    True
    """
    if not isinstance(encoder, Encoder) or encoder.model is None:
        raise TypeError("save_model takes a transformer Encoder (static word vectors have no transformer to save)")
    if encoder.pooling not in ST_POOLING:
        raise ValueError(f"pooling {encoder.pooling!r} has no sentence-transformers equivalent; "
                         f"exportable: {', '.join(ST_POOLING)}")
    if getattr(encoder, "projection", None) is not None:
        raise ValueError(f"{encoder.name} has Dense layers after its pooling, which this export does not write; "
                         "save the sentence-transformers model itself")
    if matryoshka_dims is not None:
        dims = [int(k) for k in matryoshka_dims]
        if any(not 1 <= k <= encoder.dim for k in dims):
            raise ValueError(f"matryoshka_dims must lie in 1..{encoder.dim}, got {dims}")
    folder = Path(folder)
    if folder.exists() and not overwrite:
        raise FileExistsError(f"{folder} exists; pass overwrite=True to replace it")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        encoder.model.save_pretrained(tmp, safe_serialization=True)
        encoder.tokenizer.save_pretrained(tmp)
        modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
        if normalize:
            modules.append({"idx": 2, "name": "2", "path": "2_Normalize",
                            "type": "sentence_transformers.models.Normalize"})
            (tmp / "2_Normalize").mkdir()
        _write_json(tmp / "modules.json", modules)
        _write_json(tmp / "sentence_bert_config.json", {"max_seq_length": encoder.max_length, "do_lower_case": False})
        (tmp / "1_Pooling").mkdir()
        pooling = {"word_embedding_dimension": encoder.dim, **{flag: False for flag in _ALL_FLAGS},
                   ST_POOLING[encoder.pooling]: True, "include_prompt": encoder.include_prompt}
        _write_json(tmp / "1_Pooling" / "config.json", pooling)
        extra = {"similarity_fn_name": "cosine", "prompts": encoder.prompts,
                 "default_prompt_name": encoder.default_prompt_name, "workbench": {"source": encoder.identity}}
        if matryoshka_dims is not None:
            extra["workbench"]["matryoshka_dims"] = dims
        _write_json(tmp / "config_sentence_transformers.json", extra)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2) + "\n")
