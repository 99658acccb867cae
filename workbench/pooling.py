"""Pooling: turn a model's token states into one vector per text.

Every mode is a plain function ``f(hidden_states, attention_mask, layer) -> (batch, hidden)``
registered in ``POOLING``; ``pool`` looks modes up, validates them and concatenates
several when they are joined with ``+`` (``"cls+mean"``). ``hidden_states`` is the
tuple a Hugging Face model returns with ``output_hidden_states=True``: index 0 is the
embedding layer, index ``i`` the output of transformer layer ``i``.

All modes work under left and right padding alike: positions are read from the
attention mask, never assumed. Trainable pooling heads live with the training code;
this module holds only the parameter-free strategies.
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch

Tensor = torch.Tensor
PoolingFn = Callable[[Sequence[Tensor], Tensor, int], Tensor]


def _masked(states: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
    m = mask.to(states.dtype).unsqueeze(-1)
    return states * m, m


def cls(hidden_states: Sequence[Tensor], attention_mask: Tensor, layer: int = -1) -> Tensor:
    """First real token (``[CLS]`` for BERT-style models), whatever the padding side."""
    first = attention_mask.to(torch.long).argmax(dim=1)
    states = hidden_states[layer]
    return states[torch.arange(states.shape[0], device=states.device), first]


def mean(hidden_states: Sequence[Tensor], attention_mask: Tensor, layer: int = -1) -> Tensor:
    """Average over the non-padding tokens."""
    summed, m = _masked(hidden_states[layer], attention_mask)
    return summed.sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)


def mean_sqrt_len(hidden_states: Sequence[Tensor], attention_mask: Tensor, layer: int = -1) -> Tensor:
    """Sum over the non-padding tokens divided by the square root of their number (sentence-transformers)."""
    summed, m = _masked(hidden_states[layer], attention_mask)
    return summed.sum(dim=1) / m.sum(dim=1).clamp(min=1e-9).sqrt()


def max_(hidden_states: Sequence[Tensor], attention_mask: Tensor, layer: int = -1) -> Tensor:
    """Coordinate-wise maximum over the non-padding tokens."""
    states = hidden_states[layer]
    fill = torch.finfo(states.dtype).min
    pooled = states.masked_fill(attention_mask.unsqueeze(-1) == 0, fill).amax(dim=1)
    # a row with no real token at all (cannot come from a tokenizer) pools to zeros
    return torch.where(pooled == fill, torch.zeros_like(pooled), pooled)


def last(hidden_states: Sequence[Tensor], attention_mask: Tensor, layer: int = -1) -> Tensor:
    """Last real token (EOS pooling for decoders); correct under left or right padding."""
    positions = torch.arange(attention_mask.shape[1], device=attention_mask.device)
    idx = (attention_mask.to(torch.long) * (positions + 1)).argmax(dim=1)
    states = hidden_states[layer]
    return states[torch.arange(states.shape[0], device=states.device), idx]


def weighted_mean(
    hidden_states: Sequence[Tensor], attention_mask: Tensor, layer: int = -1
) -> Tensor:
    """Position-weighted mean (SGPT): the i-th real token weighs i / sum(1..L).

    Weights count real tokens only, so left padding does not shift them.
    """
    weights = attention_mask.to(hidden_states[layer].dtype).cumsum(dim=1) * attention_mask
    weights = weights / weights.sum(dim=1, keepdim=True).clamp(min=1e-9)
    return (hidden_states[layer] * weights.unsqueeze(-1)).sum(dim=1)


def first_last_avg(
    hidden_states: Sequence[Tensor], attention_mask: Tensor, layer: int = -1
) -> Tensor:
    """BERT-whitening's "first-last avg": mean over tokens of ``hidden_states[1] + hidden_states[layer]``, halved.

    ``hidden_states[1]`` is the first transformer layer's output (not the embedding
    layer), following Su et al. (2021). ``layer`` picks the "last" end (default -1).
    """
    if len(hidden_states) < 2:
        raise ValueError("first_last_avg needs at least one transformer layer of hidden states")
    both = (hidden_states[1] + hidden_states[layer]) / 2
    return mean([both], attention_mask, 0)


POOLING: dict[str, PoolingFn] = {
    "cls": cls,
    "mean": mean,
    "max": max_,
    "last": last,
    "weighted_mean": weighted_mean,
    "first_last_avg": first_last_avg,
    "mean_sqrt_len": mean_sqrt_len,
}
POOLING_MODES: tuple[str, ...] = tuple(POOLING)


def exclude_prefix(attention_mask: Tensor, n_tokens: int) -> Tensor:
    """A copy of ``attention_mask`` with each row's first ``n_tokens`` real tokens masked (a prompt not pooled).

    Examples
    --------
    >>> exclude_prefix(torch.tensor([[1, 1, 1, 0], [0, 1, 1, 1]]), 2).tolist()
    [[0, 0, 1, 0], [0, 0, 0, 1]]
    """
    first = attention_mask.to(torch.long).argmax(dim=1, keepdim=True)
    positions = torch.arange(attention_mask.shape[1], device=attention_mask.device).unsqueeze(0)
    return attention_mask.masked_fill(positions < first + n_tokens, 0)


def parse_mode(mode: str) -> tuple[str, ...]:
    """Split and validate a pooling spec such as ``"cls+mean"``.

    Examples
    --------
    >>> parse_mode("cls+mean")
    ('cls', 'mean')
    """
    if not isinstance(mode, str) or not mode.strip():
        raise ValueError(f"pooling must be a non-empty string; valid modes: {', '.join(POOLING_MODES)}")
    parts = tuple(p.strip() for p in mode.split("+"))
    unknown = [p for p in parts if p not in POOLING]
    if unknown:
        raise ValueError(
            f"unknown pooling mode {unknown[0]!r}; valid modes: {', '.join(POOLING_MODES)} "
            "(join several with '+', e.g. 'cls+mean')"
        )
    return parts


def pool(
    hidden_states: Sequence[Tensor] | Tensor,
    attention_mask: Tensor,
    mode: str = "mean",
    *,
    layer: int = -1,
) -> Tensor:
    """Pool token states into one vector per row.

    Parameters
    ----------
    hidden_states : sequence of (batch, tokens, hidden) tensors, or one such tensor
        Per-layer token states (index 0 = embeddings). A single tensor is treated as
        the only layer.
    attention_mask : (batch, tokens) tensor
        1 for real tokens, 0 for padding (either side).
    mode : str
        One of ``POOLING_MODES`` or several joined with ``+`` (outputs concatenated).
    layer : int
        Which entry of ``hidden_states`` to pool (negative counts from the end).

    Returns
    -------
    torch.Tensor of shape (batch, hidden * number of modes)

    Examples
    --------
    >>> import torch
    >>> h = torch.arange(12.0).reshape(1, 3, 4)
    >>> m = torch.tensor([[1, 1, 0]])
    >>> pool(h, m, "mean").tolist()
    [[2.0, 3.0, 4.0, 5.0]]
    >>> pool(h, m, "cls+last").shape
    torch.Size([1, 8])
    """
    parts = parse_mode(mode)
    if isinstance(hidden_states, torch.Tensor):
        hidden_states = (hidden_states,)
    n = len(hidden_states)
    if not -n <= layer < n:
        raise ValueError(f"layer {layer} is out of range for {n} hidden-state layers (valid: {-n}..{n - 1})")
    outs = [POOLING[p](hidden_states, attention_mask, layer) for p in parts]
    return outs[0] if len(outs) == 1 else torch.cat(outs, dim=-1)
