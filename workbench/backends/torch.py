"""The torch backend: the exact reference forward pass (fp32, or bf16 under CPU autocast)."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import torch

from ..options import EncodeOptions


def pad(batch_ids: list[list[int]], tokenizer: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids of a batch padded on the tokenizer's side: ``(input_ids, attention_mask)``, both long.

    Examples
    --------
    >>> class Tok:
    ...     pad_token_id, padding_side = 0, "left"
    >>> ids, mask = pad([[5, 6, 7], [8]], Tok())
    >>> ids.tolist(), mask.tolist()
    ([[5, 6, 7], [0, 0, 8]], [[1, 1, 1], [0, 0, 1]])
    """
    width = max(len(x) for x in batch_ids)
    input_ids = torch.full((len(batch_ids), width), tokenizer.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(batch_ids), width), dtype=torch.long)
    left = getattr(tokenizer, "padding_side", "right") == "left"
    for row, x in enumerate(batch_ids):
        span = slice(width - len(x), width) if left else slice(0, len(x))
        input_ids[row, span] = torch.tensor(x)
        mask[row, span] = 1
    return input_ids, mask


def forward(model: torch.nn.Module, input_ids: torch.Tensor, mask: torch.Tensor, opts: EncodeOptions, *,
            all_layers: bool, is_decoder: bool, grad: bool = False) -> tuple[torch.Tensor, ...]:
    """Hidden states of a padded batch: every layer (index 0 = embeddings), or just the last.

    A decoder gets position ids that count real tokens only (left padding shifts
    nothing) and, with ``opts.attention == "bidirectional"``, a 4-D mask that lets every
    token see every real token. ``grad=True`` keeps gradients (training).

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> ids, mask = pad([[101, 7592, 102]], enc.tokenizer)
    >>> hidden = forward(enc.model, ids, mask, enc.resolve(), all_layers=True, is_decoder=False)
    >>> len(hidden), tuple(hidden[-1].shape)
    (7, (1, 3, 384))
    """
    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if opts.precision == "bf16" else nullcontext()
    extra: dict[str, torch.Tensor] = {}
    attn = mask
    if is_decoder:  # positions count real tokens only, so left padding shifts nothing
        extra["position_ids"] = (mask.cumsum(dim=1) - 1).clamp(min=0)
        if opts.attention == "bidirectional":
            # a ready 4-D additive mask replaces the causal one: every token sees every real token
            width = mask.shape[1]
            blocked = torch.finfo(torch.float32).min
            keys = torch.zeros(mask.shape, dtype=torch.float32).masked_fill(mask == 0, blocked)
            attn = keys[:, None, None, :].expand(-1, 1, width, -1)
    with (nullcontext() if grad else torch.inference_mode()), autocast:
        out = model(input_ids=input_ids, attention_mask=attn, output_hidden_states=all_layers, **extra)
    return tuple(out.hidden_states) if all_layers else (out.last_hidden_state,)
