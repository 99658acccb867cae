"""A cross-encoder: both texts of a pair in one input, every token attending to both; one score per pair.

:func:`fit_cross_encoder` copies an encoder's transformer (the encoder itself is left
untouched), puts a linear head on the [CLS] state of the pair input
``[CLS] a [SEP] b [SEP]`` and fine-tunes both with binary cross-entropy on labelled
pairs. :meth:`CrossEncoder.score` gives the logit of each pair. It is the teacher of
distilled sentence embeddings (:mod:`.distill`): accurate, but a query must run
through the model once per candidate.

Left out: graded (regression) targets, listwise losses, mixed precision.
"""

from __future__ import annotations

import copy
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["CrossEncoder", "fit_cross_encoder"]


class CrossEncoder(nn.Module):
    """A transformer over a pair input with a linear head on its [CLS] state."""

    def __init__(self, model: nn.Module, tokenizer, *, max_length: int = 128):
        super().__init__()
        if getattr(tokenizer, "cls_token", None) is None or getattr(tokenizer, "sep_token", None) is None:
            raise ValueError("a cross-encoder reads [CLS] a [SEP] b [SEP]: the tokenizer needs [CLS] and [SEP] "
                             "tokens (a BERT-style encoder such as minilm)")
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = int(max_length)
        self.head = nn.Linear(int(model.config.hidden_size), 1)

    def forward(self, a: Sequence[str], b: Sequence[str]) -> torch.Tensor:
        """Logits ``(n,)`` of the pairs ``(a[i], b[i])``."""
        batch = self.tokenizer(list(a), list(b), padding=True, truncation="longest_first",
                               max_length=self.max_length, return_tensors="pt")
        out = self.model(**batch)
        return self.head(out.last_hidden_state[:, 0]).squeeze(-1)

    def score(self, a: Sequence[str], b: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Logits of the pairs, float32, without gradients."""
        a, b = list(a), list(b)
        if len(a) != len(b):
            raise ValueError(f"{len(a)} first texts and {len(b)} second texts; pairs need one of each")
        self.eval()
        out = []
        with torch.inference_mode():
            for start in range(0, len(a), batch_size):
                out.append(self(a[start:start + batch_size], b[start:start + batch_size]).float().numpy())
        return np.concatenate(out) if out else np.zeros(0, np.float32)


def fit_cross_encoder(encoder, text1: Sequence[str], text2: Sequence[str], labels, *, epochs: int = 1,
                      batch_size: int = 16, lr: float = 3e-5, max_length: int = 128, seed: int = 0) -> CrossEncoder:
    """Fine-tune a cross-encoder from ``encoder``'s transformer on 0/1-labelled pairs.

    Parameters
    ----------
    encoder : Encoder
        Its model is copied; the encoder keeps its own weights.
    text1, text2 : list of str
        The pairs.
    labels : array of 0/1
    epochs, batch_size, lr, max_length, seed : training settings (AdamW, linear warm-up
        over the first tenth of the steps, then constant)

    Returns
    -------
    CrossEncoder (in eval mode), with ``losses_``: the training loss per step
    """
    text1, text2 = list(text1), list(text2)
    y = torch.as_tensor(np.asarray(labels, dtype=np.float32))
    if not (len(text1) == len(text2) == len(y)) or len(y) < 2:
        raise ValueError(f"need aligned pairs and labels (two or more); got {len(text1)}, {len(text2)}, {len(y)}")
    if not torch.all((y == 0) | (y == 1)):
        raise ValueError("labels must be 0 or 1")
    torch.manual_seed(seed)
    model = CrossEncoder(copy.deepcopy(encoder.model), encoder.tokenizer, max_length=max_length)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    steps = epochs * -(-len(y) // batch_size)
    warm = max(1, steps // 10)
    step = 0
    model.losses_ = []
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen).tolist()
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            for group in opt.param_groups:
                group["lr"] = lr * min(1.0, (step + 1) / warm)
            logits = model([text1[i] for i in idx], [text2[i] for i in idx])
            loss = F.binary_cross_entropy_with_logits(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            model.losses_.append(float(loss.detach()))
            step += 1
    model.eval()
    return model
