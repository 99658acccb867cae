"""Model merging: average fine-tuned checkpoints in weight space, no training.

* ``uniform_soup`` — the model soup of Wortsman et al. (2022): the (optionally weighted)
  mean of checkpoints that share one architecture, usually fine-tunes of one base;
* ``deviation_merge`` — a CoDiEmb-style merge (Zhang et al. 2025): each parameter
  element of each checkpoint is weighted by how far it moved from the pre-trained value,
  ``w_k = |theta_k - theta_0|^p / sum_j |theta_j - theta_0|^p``, and the merge is
  ``theta_0 + sum_k w_k (theta_k - theta_0)``, so the checkpoint that changed an element
  most has the most say about it (elements no checkpoint moved keep the base value);
* ``merged_encoder`` — an :class:`~workbench.encoder.Encoder` running merged weights,
  with a cache identity that includes a hash of them.

Checkpoints may be state dicts, ``nn.Module``s, encoders, or safetensors files/folders.
Integer buffers (position ids and the like) must agree across checkpoints and are copied.
Left out: TIES / DARE sign-resolution and sparsification, greedy soups (they need an
evaluation loop: score each candidate with ``workbench.evaluate`` and keep it if it helps).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Mapping, Sequence

import torch

from ..encoder import Encoder, head_key

Tensor = torch.Tensor
StateDict = dict[str, Tensor]


def state_dict_of(checkpoint) -> StateDict:
    """Weights of ``checkpoint`` as a name -> tensor dict (detached, on the CPU).

    Takes a mapping of tensors, an ``nn.Module``, an encoder (its ``.model``), or a path
    to a ``.safetensors`` file or a folder holding one.

    Examples
    --------
    >>> sorted(state_dict_of(torch.nn.Linear(2, 1)))
    ['bias', 'weight']
    """
    if isinstance(checkpoint, (str, Path)):
        from safetensors.torch import load_file  # noqa: PLC0415

        path = Path(checkpoint)
        if path.is_dir():
            files = sorted(path.glob("*.safetensors")) or sorted(path.glob("*/*.safetensors"))
            if len(files) != 1:
                raise ValueError(f"{path} must hold exactly one .safetensors file, found {len(files)}")
            path = files[0]
        if not path.is_file():
            raise FileNotFoundError(f"no checkpoint at {path}")
        return dict(load_file(str(path)))
    if isinstance(checkpoint, Encoder):
        if checkpoint.model is None:
            raise ValueError(f"{checkpoint.name} is a static model with no torch weights to merge")
        checkpoint = checkpoint.model
    if isinstance(checkpoint, torch.nn.Module):
        checkpoint = checkpoint.state_dict()
    if not isinstance(checkpoint, Mapping) or not all(isinstance(v, Tensor) for v in checkpoint.values()):
        raise TypeError("a checkpoint must be a state dict (name -> tensor), an nn.Module, an Encoder or a "
                        f"path to a .safetensors file; got {type(checkpoint).__name__}")
    return {k: v.detach().cpu() for k, v in checkpoint.items()}


def _check_compatible(dicts: Sequence[StateDict], labels: Sequence[str]) -> None:
    ref, ref_label = dicts[0], labels[0]
    for sd, label in zip(dicts[1:], labels[1:]):
        missing, extra = sorted(set(ref) - set(sd)), sorted(set(sd) - set(ref))
        if missing or extra:
            raise ValueError(f"{label} does not match {ref_label}: missing keys {missing[:5]}"
                             f"{' ...' if len(missing) > 5 else ''}, extra keys {extra[:5]}"
                             f"{' ...' if len(extra) > 5 else ''}")
        for k, v in ref.items():
            if sd[k].shape != v.shape:
                raise ValueError(f"{label} has {k!r} of shape {tuple(sd[k].shape)}, "
                                 f"{ref_label} of shape {tuple(v.shape)}: not the same architecture")


def _load(checkpoints, what: str) -> list[StateDict]:
    if isinstance(checkpoints, (str, Path, Mapping, torch.nn.Module, Encoder)):
        raise TypeError(f"{what} must be a list of checkpoints, not a single {type(checkpoints).__name__}")
    dicts = [state_dict_of(c) for c in checkpoints]
    if not dicts:
        raise ValueError(f"{what} is empty: pass at least one checkpoint")
    return dicts


def _copy_non_float(key: str, values: list[Tensor]) -> Tensor:
    if any(not torch.equal(values[0], v) for v in values[1:]):
        raise ValueError(f"non-float tensor {key!r} ({values[0].dtype}) differs between checkpoints; "
                         "it cannot be averaged")
    return values[0].clone()


def uniform_soup(checkpoints: Sequence, *, weights: Sequence[float] | None = None) -> StateDict:
    """Average checkpoints of one architecture, element by element (a model soup).

    Parameters
    ----------
    checkpoints : sequence of state dicts, modules, encoders or safetensors paths
    weights : sequence of float, optional
        Non-negative mixing weights (normalised to sum 1); default uniform.

    Returns
    -------
    dict of str to torch.Tensor
        Float tensors averaged in float64 and cast back to their dtype; other tensors copied.

    Examples
    --------
    >>> a, b = {"w": torch.tensor([1.0, 2.0])}, {"w": torch.tensor([3.0, 6.0])}
    >>> uniform_soup([a, b])["w"].tolist()
    [2.0, 4.0]
    >>> uniform_soup([a, b], weights=[3, 1])["w"].tolist()
    [1.5, 3.0]
    """
    dicts = _load(checkpoints, "checkpoints")
    labels = [f"checkpoint {i}" for i in range(len(dicts))]
    _check_compatible(dicts, labels)
    if weights is None:
        w = torch.full((len(dicts),), 1.0 / len(dicts), dtype=torch.float64)
    else:
        w = torch.as_tensor(list(weights), dtype=torch.float64)
        if w.shape != (len(dicts),):
            raise ValueError(f"weights has {w.numel()} values for {len(dicts)} checkpoints")
        if not torch.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"weights must be finite, non-negative and not all zero; got {w.tolist()}")
        w = w / w.sum()
    out = {}
    for k, v in dicts[0].items():
        values = [sd[k] for sd in dicts]
        if not v.is_floating_point():
            out[k] = _copy_non_float(k, values)
            continue
        acc = sum(wi * x.to(torch.float64) for wi, x in zip(w.tolist(), values))
        out[k] = acc.to(v.dtype)
    return out


def deviation_merge(base, checkpoints: Sequence, *, power: float = 1.0) -> StateDict:
    """Merge fine-tunes of ``base``, weighting each element by its deviation from the base.

    Parameters
    ----------
    base : state dict, module, encoder or safetensors path
        The pre-trained weights every checkpoint started from.
    checkpoints : sequence of the same kinds
        Fine-tuned descendants of ``base``.
    power : float, default 1.0
        Exponent ``p`` on the absolute deviation (0 gives the uniform soup of the
        checkpoints; larger values follow the biggest mover more closely).

    Returns
    -------
    dict of str to torch.Tensor

    Examples
    --------
    >>> base = {"w": torch.tensor([0.0, 0.0, 1.0])}
    >>> a, b = {"w": torch.tensor([1.0, 0.0, 1.0])}, {"w": torch.tensor([-3.0, 2.0, 1.0])}
    >>> deviation_merge(base, [a, b])["w"].tolist()   # (1*1 + 3*-3)/4, b alone, untouched
    [-2.0, 2.0, 1.0]
    """
    if not isinstance(power, (int, float)) or not power >= 0 or power != power:
        raise ValueError(f"power must be a non-negative number, got {power!r}")
    dicts = _load(checkpoints, "checkpoints")
    ref = state_dict_of(base)
    _check_compatible([ref, *dicts], ["the base"] + [f"checkpoint {i}" for i in range(len(dicts))])
    out = {}
    for k, v in ref.items():
        if not v.is_floating_point():
            out[k] = _copy_non_float(k, [v] + [sd[k] for sd in dicts])
            continue
        theta0 = v.to(torch.float64)
        deltas = torch.stack([sd[k].to(torch.float64) - theta0 for sd in dicts])
        mass = deltas.abs() ** power if power > 0 else torch.ones_like(deltas)
        total = mass.sum(dim=0, keepdim=True)
        w = torch.where(total > 0, mass / total.clamp(min=torch.finfo(torch.float64).tiny), 1.0 / len(dicts))
        out[k] = (theta0 + (w * deltas).sum(dim=0)).to(v.dtype)
    return out


def merged_encoder(like: Encoder, state_dict: Mapping[str, Tensor], *, name: str | None = None) -> Encoder:
    """An encoder with ``like``'s architecture, tokenizer and settings running ``state_dict``.

    The cache identity includes a hash of the new weights, so vectors never mix with
    those of ``like``. Keys and shapes must match ``like.model`` exactly.

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> same = merged_encoder(enc, uniform_soup([enc, enc]), name="minilm-soup")
    >>> bool(abs(same.encode(["hi"], cache=False) - enc.encode(["hi"], cache=False)).max() < 1e-6)
    True
    """
    if not isinstance(like, Encoder) or like.model is None:
        raise TypeError("like must be a transformer Encoder (from workbench.load_encoder)")
    sd = dict(state_dict)
    _check_compatible([state_dict_of(like.model), sd], [like.name, "the merged weights"])
    model = copy.deepcopy(like.model)
    model.load_state_dict(sd, strict=True)
    model.eval()
    return Encoder(model, like.tokenizer, name=name or f"{like.name}-merged",
                   identity=f"{like.identity}|weights:{head_key(model)}", pooling=like.pooling,
                   max_length=like.max_length, is_decoder=like.is_decoder)
