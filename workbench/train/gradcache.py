"""Gradient caching: contrastive batches far larger than memory would allow.

An in-batch contrastive loss couples every vector of the batch, so the batch cannot
simply be split into micro-batches. Gradient caching (Gao et al. 2021, "Scaling Deep
Contrastive Learning Batch Size under Memory Limited Setup"; sentence-transformers'
``CachedMultipleNegativesRankingLoss``) splits the work in three passes instead:

1. embed every input in chunks without building a graph (memory: one chunk);
2. compute the loss on the detached vectors and back-propagate to the vectors only,
   which gives d(loss)/d(vector) for every row -- the *cached gradients*;
3. embed each chunk again, this time with a graph, and back-propagate the cached
   gradient of its rows into the model's parameters.

The parameter gradients equal those of one full-batch step (up to floating-point
summation order), at the cost of a second forward pass. Dropout draws the same masks in
both passes because torch's random state is saved before each chunk and restored for its
second pass. Left out: multi-device gathering, and mixed precision scaling.
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch

Tensor = torch.Tensor


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def grad_cache_backward(embed: Callable[[list[str]], Tensor], inputs: Sequence[Sequence[str]],
                        loss_fn: Callable[..., Tensor], *, chunk_size: int = 32, scale: float = 1.0) -> Tensor:
    """One contrastive step's forward and backward with cached gradients.

    Parameters
    ----------
    embed : callable
        ``embed(texts) -> Tensor`` whose rows (axis ``-2``) follow ``texts``, e.g.
        ``(len(texts), dim)``, or ``(layers, len(texts), dim)`` for 2D Matryoshka.
    inputs : sequence of lists of str
        The groups of texts the loss takes, e.g. ``[queries, positives]`` or
        ``[queries, positives, flat_negatives]``.
    loss_fn : callable
        ``loss_fn(*vectors) -> scalar`` on one tensor per input group.
    chunk_size : int, default 32
        Texts embedded at once (the memory bound).
    scale : float, default 1.0
        Multiplies the gradients (``1 / accumulation steps`` when accumulating).

    Returns
    -------
    Tensor
        The detached loss value; the parameters' ``.grad`` hold its gradient (added to
        whatever they held before, as ``backward`` does).

    Examples
    --------
    >>> lin = torch.nn.Linear(3, 4)
    >>> feats = {t: torch.randn(3, generator=torch.Generator().manual_seed(i)) for i, t in enumerate("abcd")}
    >>> embed = lambda texts: lin(torch.stack([feats[t] for t in texts]))
    >>> from workbench.train.losses import info_nce
    >>> loss = grad_cache_backward(embed, [["a", "b"], ["c", "d"]], info_nce, chunk_size=1)
    >>> g_cached = lin.weight.grad.clone(); lin.zero_grad()
    >>> full = info_nce(embed(["a", "b"]), embed(["c", "d"])); full.backward()
    >>> bool(torch.allclose(g_cached, lin.weight.grad, atol=1e-6)), bool(torch.isclose(loss, full))
    (True, True)
    """
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
    groups = [list(g) for g in inputs]
    if not groups or any(len(g) == 0 for g in groups):
        raise ValueError("inputs must be a non-empty sequence of non-empty text lists")
    # pass 1: embed without a graph, remembering the random state before each chunk
    states, reps = [], []
    for texts in groups:
        parts, saved = [], []
        for s in _chunks(len(texts), chunk_size):
            saved.append(torch.get_rng_state())
            with torch.no_grad():
                parts.append(embed(texts[s]))
        states.append(saved)
        reps.append(torch.cat(parts, dim=-2).detach().requires_grad_(True))
    after = torch.get_rng_state()
    # pass 2: loss on the detached vectors; gradients stop at the vectors
    loss = loss_fn(*reps)
    (loss * scale).backward()
    # pass 3: re-embed each chunk with a graph and push its cached gradient into the model
    for texts, rep, saved in zip(groups, reps, states):
        for s, state in zip(_chunks(len(texts), chunk_size), saved):
            torch.set_rng_state(state)
            out = embed(texts[s])
            out.backward(rep.grad[..., s, :])
    torch.set_rng_state(after)
    return loss.detach()
