"""Distilled sentence embeddings (DSE): a bi-encoder pair scorer trained on a cross-encoder's scores.

Barkan et al. (2019) train a sentence-embedding student to reproduce the pair scores
of a cross-attentive teacher: each text is embedded once (``u``, ``v``), and a small
MLP reads ``[u, v, u*v, |u-v|]`` to give the pair's score. Candidates' embeddings are
computed once and cached, so scoring a query against many candidates costs one encoder
pass plus one MLP pass per candidate, instead of one transformer pass per pair.

* :class:`PairMLP`: the head; :func:`cosine_head` sets its weights so that it returns
  ``u . v`` (the cosine of unit vectors) exactly;
* :func:`fit_pair_head`: trains a head on teacher logits (``"mse"``, distillation) or
  on hard 0/1 labels (``"bce"``);
* :func:`relative_degradation`: the paper's measure, ``(teacher - student) / teacher``.

Left out: fine-tuning the student's encoder (here it is frozen, and only the head
learns), and data augmentation for the teacher to label.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["LOSSES", "PairMLP", "cosine_head", "fit_pair_head", "pair_features", "relative_degradation"]

#: training targets of :func:`fit_pair_head`: teacher logits (mse) or 0/1 labels (bce)
LOSSES: tuple[str, ...] = ("mse", "bce")


def pair_features(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """``[u, v, u*v, |u-v|]`` along the last axis.

    Examples
    --------
    >>> pair_features(torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, 1.0]])).tolist()
    [[1.0, 2.0, 3.0, 1.0, 3.0, 2.0, 2.0, 1.0]]
    """
    return torch.cat([u, v, u * v, (u - v).abs()], dim=-1)


class PairMLP(nn.Module):
    """Score of a pair of embeddings: ``Linear(4d, hidden) -> ReLU -> Linear(hidden, 1)`` over :func:`pair_features`.

    Examples
    --------
    >>> head = PairMLP(3, hidden=8)
    >>> head(torch.ones(2, 3), torch.zeros(2, 3)).shape
    torch.Size([2])
    """

    def __init__(self, dim: int, *, hidden: int = 256):
        super().__init__()
        if dim < 1 or hidden < 1:
            raise ValueError(f"dim and hidden must be positive, got {dim} and {hidden}")
        self.dim = int(dim)
        self.net = nn.Sequential(nn.Linear(4 * dim, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return self.net(pair_features(u, v)).squeeze(-1)

    def score(self, U: np.ndarray, V: np.ndarray, *, batch_size: int = 4096) -> np.ndarray:
        """Scores of the aligned rows of ``U`` and ``V`` (float32), without gradients."""
        U, V = np.asarray(U, np.float32), np.asarray(V, np.float32)
        if U.shape != V.shape:
            raise ValueError(f"U {U.shape} and V {V.shape} must be aligned")
        self.eval()
        with torch.inference_mode():
            return np.concatenate([self(torch.from_numpy(U[i:i + batch_size]), torch.from_numpy(V[i:i + batch_size]))
                                   .numpy() for i in range(0, max(len(U), 1), batch_size)]) if len(U) else \
                np.zeros(0, np.float32)


def cosine_head(dim: int) -> PairMLP:
    """A :class:`PairMLP` whose output is ``sum(u * v)``: the ``u*v`` block passes through ``relu(x) - relu(-x)``.

    Examples
    --------
    >>> u, v = torch.tensor([[0.6, 0.8]]), torch.tensor([[1.0, 0.0]])
    >>> round(float(cosine_head(2)(u, v).detach()), 6)
    0.6
    """
    head = PairMLP(dim, hidden=2 * dim)
    first, last = head.net[0], head.net[2]
    with torch.no_grad():
        first.weight.zero_()
        first.bias.zero_()
        eye = torch.eye(dim)
        first.weight[:dim, 2 * dim:3 * dim] = eye
        first.weight[dim:, 2 * dim:3 * dim] = -eye
        last.weight.copy_(torch.cat([torch.ones(dim), -torch.ones(dim)])[None])
        last.bias.zero_()
    return head


def fit_pair_head(head: PairMLP, U: np.ndarray, V: np.ndarray, targets, *, loss: str = "mse", epochs: int = 20,
                  batch_size: int = 64, lr: float = 1e-3, weight_decay: float = 1e-4, seed: int = 0) -> PairMLP:
    """Train ``head`` on pairs of embeddings: teacher logits with ``loss="mse"``, 0/1 labels with ``"bce"``.

    Returns the head (eval mode) with ``losses_``, the mean loss per epoch.

    Examples
    --------
    >>> rng = np.random.default_rng(0); U = rng.normal(size=(64, 4)).astype(np.float32)
    >>> y = (U[:, 0] > 0).astype(np.float32)
    >>> head = fit_pair_head(PairMLP(4, hidden=16), U, U, y, loss="bce", epochs=30, lr=1e-2)
    >>> bool(((head.score(U, U) > 0) == (y > 0)).mean() > 0.9)
    True
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    U, V = torch.as_tensor(np.asarray(U, np.float32)), torch.as_tensor(np.asarray(V, np.float32))
    t = torch.as_tensor(np.asarray(targets, np.float32))
    if U.shape != V.shape or U.ndim != 2 or len(t) != len(U) or U.shape[1] != head.dim:
        raise ValueError(f"need aligned (n, {head.dim}) embeddings and n targets; got {tuple(U.shape)}, "
                         f"{tuple(V.shape)}, {len(t)}")
    if loss == "bce" and not torch.all((t == 0) | (t == 1)):
        raise ValueError("loss='bce' trains on 0/1 labels; use loss='mse' for teacher scores")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=weight_decay)
    head.train()
    head.losses_ = []
    for _ in range(epochs):
        order = torch.randperm(len(t), generator=gen)
        total = 0.0
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            out = head(U[idx], V[idx])
            value = F.mse_loss(out, t[idx]) if loss == "mse" else F.binary_cross_entropy_with_logits(out, t[idx])
            opt.zero_grad()
            value.backward()
            opt.step()
            total += float(value.detach()) * len(idx)
        head.losses_.append(total / len(t))
    head.eval()
    return head


def relative_degradation(student: float, teacher: float) -> float:
    """``(teacher - student) / teacher``: the share of the teacher's score the student loses.

    Examples
    --------
    >>> relative_degradation(0.855, 0.9)
    0.05
    """
    if not np.isfinite(teacher) or teacher == 0:
        raise ValueError(f"the teacher's score must be finite and non-zero, got {teacher!r}")
    return round(float((teacher - student) / teacher), 12)
