"""The free-embedding ("best case") experiment of the LIMIT paper, on CPU.

Query and document vectors are optimised directly for one qrel pattern, with no
language model in between. If even free vectors in ``R^d`` cannot rank every query's
relevant documents first, no embedding model of dimension ``d`` can.

The recipe follows Weller et al. (2025) and their released script: unit vectors drawn
from a seeded Gaussian; full-batch InfoNCE over all documents with temperature 0.1;
Adam (lr 0.01) on queries and documents together; every vector re-normalised to unit
length after each step; stop when the loss has not improved by ``min_delta`` for
``patience`` steps, after ``max_steps`` steps, or as soon as the top-k accuracy
(checked every ``eval_every`` steps) reaches 100%.

Two readings of "InfoNCE with several positives" are offered. ``"per_positive"`` (the
default, what the authors' script computes) averages ``-log softmax`` over every
(query, relevant document) pair; ``"sum"`` (the other reading of the paper's
"InfoNCE over all documents", Weller et al. 2025, section 4) takes ``-log`` of the
summed softmax mass of a query's relevant documents.

Speed: the gradient of either loss is written out by hand (``dL/dS = P * r - T``), so a
step is two small matrix products plus element-wise work, with no autograd graph; Adam
runs on one stacked ``(n_queries + n_docs, d)`` tensor. Small problems run fastest on one
thread, which is the default. Left out: GPUs, mini-batches, other optimisers.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from ..progress import bar
from .qrels import validate_qrels

FREE_EMBEDDING_LOSSES = ("per_positive", "sum")  # the ``loss`` options of free_embedding


@dataclass
class FreeEmbeddingResult:
    """What one free-embedding run found."""

    solved: bool  # every query's top-k were exactly its relevant documents at some check
    best_accuracy: float  # highest top-k accuracy seen at any check
    final_accuracy: float  # accuracy of the final vectors
    steps: int  # optimisation steps taken
    seconds: float  # wall time of the run
    stop_reason: str  # "solved", "patience" or "max_steps"
    n_queries: int
    n_docs: int
    dim: int
    check_steps: np.ndarray = field(repr=False)  # steps at which loss and accuracy were recorded
    losses: np.ndarray = field(repr=False)  # loss at each check step
    accuracies: np.ndarray = field(repr=False)  # top-k accuracy at each check step
    queries: np.ndarray = field(repr=False)  # (n_queries, dim) final unit query vectors
    documents: np.ndarray = field(repr=False)  # (n_docs, dim) final unit document vectors


@contextmanager
def _threads(n: int | None):
    if n is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(old)


def topk_accuracy(scores: np.ndarray | torch.Tensor, qrels: np.ndarray | torch.Tensor) -> float:
    """Fraction of relevant documents found in each query's top-``r_i`` (``r_i`` = its number of relevant).

    Ties are broken by index order, as ``argsort`` does.

    Examples
    --------
    >>> topk_accuracy(np.array([[0.9, 0.8, 0.1], [0.2, 0.9, 0.5]]), np.array([[1, 1, 0], [1, 1, 0]]))
    0.75
    """
    S = torch.as_tensor(scores)
    M = torch.as_tensor(np.asarray(qrels, dtype=bool) if not torch.is_tensor(qrels) else qrels).bool()
    r = M.sum(1)
    if bool((r == r[0]).all()):
        top = S.topk(int(r[0]), dim=1).indices
        return float(M.gather(1, top).sum()) / float(r.sum())
    order = S.argsort(dim=1, descending=True)
    in_top = torch.arange(S.shape[1])[None, :] < r[:, None]
    return float((M.gather(1, order) & in_top).sum()) / float(r.sum())


def free_embedding(
    qrels,
    d: int,
    *,
    seed: int = 0,
    temperature: float = 0.1,
    lr: float = 0.01,
    max_steps: int = 100_000,
    patience: int = 1_000,
    min_delta: float = 1e-5,
    eval_every: int = 50,
    loss: str = "per_positive",
    threads: int | None = 1,
    show_progress: bool | None = None,
    callback: Callable[[int, float, float], None] | None = None,
) -> FreeEmbeddingResult:
    """Optimise free query and document vectors in ``R^d`` for a qrel pattern.

    Parameters
    ----------
    qrels : array-like of shape (n_queries, n_docs)
        Binary relevance matrix, e.g. from :func:`workbench.limits.dense`.
    d : int
        Embedding dimension (>= 1).
    seed : int
        Seed of the Gaussian initialisation.
    temperature, lr : float
        InfoNCE temperature (paper: 0.1) and Adam learning rate (paper: 0.01).
    max_steps, patience, min_delta : int, int, float
        Step budget, and early stopping when the loss has not dropped by ``min_delta``
        for ``patience`` consecutive steps.
    eval_every : int
        Steps between accuracy checks (paper: 50; the first check follows step 1).
    loss : {"per_positive", "sum"}
        How the relevant documents of a query enter the loss (see the module docstring).
    threads : int or None
        torch threads during the run (None leaves the global setting).
    show_progress : bool or None
        Progress bar over steps; None: on in notebooks and terminals.
    callback : callable, optional
        Called as ``callback(step, loss, accuracy)`` at every check (for live plots).

    Returns
    -------
    FreeEmbeddingResult

    Examples
    --------
    >>> from workbench.limits import dense
    >>> res = free_embedding(dense(4, 2), d=4, seed=0, show_progress=False)
    >>> res.solved, res.stop_reason
    (True, 'solved')
    """
    return free_embedding_seeds(qrels, d, [seed], temperature=temperature, lr=lr, max_steps=max_steps,
                                patience=patience,
                                min_delta=min_delta, eval_every=eval_every, loss=loss, threads=threads,
                                show_progress=show_progress, callback=callback)[0]


def free_embedding_seeds(qrels, d: int, seeds, **kwargs) -> list[FreeEmbeddingResult]:
    """:func:`free_embedding` for several seeds at once, as one batched optimisation.

    Each seed's run is the same as ``free_embedding(qrels, d, seed=s)`` (same start, same
    stopping rules); batching shares the per-step overhead, which dominates on small
    problems. A finished seed leaves the batch. ``callback`` receives the first seed's
    checks only.

    Examples
    --------
    >>> from workbench.limits import dense
    >>> [r.solved for r in free_embedding_seeds(dense(16, 2), 4, [0, 1], show_progress=False)]
    [False, False]
    """
    A = validate_qrels(qrels)
    opts = dict(temperature=0.1, lr=0.01, max_steps=100_000, patience=1_000, min_delta=1e-5, eval_every=50,
                loss="per_positive", threads=1, show_progress=None, callback=None)
    unknown = set(kwargs) - set(opts)
    if unknown:
        raise TypeError(f"unknown options {sorted(unknown)}; valid: {', '.join(opts)}")
    opts.update(kwargs)
    if int(d) != d or d < 1:
        raise ValueError(f"d (embedding dimension) must be a positive integer, got {d!r}")
    if opts["loss"] not in FREE_EMBEDDING_LOSSES:
        raise ValueError(f"unknown loss {opts['loss']!r}; valid: {', '.join(FREE_EMBEDDING_LOSSES)}")
    for name in ("temperature", "lr"):
        if not opts[name] > 0:
            raise ValueError(f"{name} must be positive, got {opts[name]!r}")
    for name in ("max_steps", "patience", "eval_every"):
        if int(opts[name]) != opts[name] or opts[name] < 1:
            raise ValueError(f"{name} must be a positive integer, got {opts[name]!r}")
    seeds = [int(x) for x in seeds]
    if not seeds:
        raise ValueError("seeds is empty")
    with _threads(opts.pop("threads")), torch.no_grad():
        return _run(A, int(d), seeds, **opts)


def _run(A, d, seeds, *, temperature, lr, max_steps, patience, min_delta, eval_every, loss, show_progress,
         callback) -> list[FreeEmbeddingResult]:
    start = time.perf_counter()
    q, n = A.shape
    X = torch.empty(len(seeds), q + n, d, dtype=torch.float32)
    for b, s in enumerate(seeds):
        X[b] = torch.randn(q + n, d, generator=torch.Generator().manual_seed(s), dtype=torch.float32)
    X /= X.norm(dim=2, keepdim=True)
    M = torch.from_numpy(A)
    mask = M.float()
    r = mask.sum(1, keepdim=True)  # relevant documents per query
    n_pos = float(r.sum())
    equal_k = bool((r == r[0]).all())
    idx = M.nonzero()[:, 1].reshape(q, -1) if equal_k else None
    inv_tau = 1.0 / temperature
    m1, m2 = torch.zeros_like(X), torch.zeros_like(X)
    b1, b2, eps = 0.9, 0.999, 1e-8
    active = list(range(len(seeds)))  # positions in `seeds` still in the batch
    best_loss = [math.inf] * len(seeds)
    since_best = [0] * len(seeds)
    best_acc = [0.0] * len(seeds)
    history: list[list[tuple[int, float, float]]] = [[] for _ in seeds]
    results: dict[int, FreeEmbeddingResult] = {}
    pbar = bar(max_steps, f"free embedding n={n} d={d}", show_progress)

    def finish(pos: int, b: int, step: int, reason: str) -> None:
        Qb, Db = X[b, :q], X[b, q:]
        final = topk_accuracy(Qb @ Db.T, M)
        top = max(best_acc[pos], final)
        h = np.asarray(history[pos], dtype=float).reshape(-1, 3)
        results[pos] = FreeEmbeddingResult(
            solved=top >= 1.0, best_accuracy=top, final_accuracy=final, steps=step,
            seconds=time.perf_counter() - start, stop_reason="solved" if top >= 1.0 else reason, n_queries=q,
            n_docs=n, dim=d, check_steps=h[:, 0].astype(int), losses=h[:, 1], accuracies=h[:, 2],
            queries=Qb.numpy().copy(), documents=Db.numpy().copy())

    step = 0
    for step in range(1, max_steps + 1):
        Q, D = X[:, :q], X[:, q:]
        S = torch.bmm(Q, D.transpose(1, 2)).mul_(inv_tau)
        top = S.max(2, keepdim=True).values
        E = (S - top).exp_()
        Z = E.sum(2, keepdim=True)
        lse = top + Z.log()  # (B, q, 1) log partition per query
        if loss == "per_positive":
            pos = S.gather(2, idx.expand(len(active), -1, -1)).sum((1, 2)) if equal_k else (S * mask).sum((1, 2))
            values = (((r * lse).sum((1, 2)) - pos) / n_pos).tolist()
            G = E.div_(Z).mul_(r).sub_(mask).mul_(inv_tau / n_pos)
        else:
            P = E.div_(Z)
            rel_mass = (P * mask).sum(2, keepdim=True).clamp_min_(1e-30)
            values = (-rel_mass.log().mean((1, 2))).tolist()
            G = P.sub_(P * mask / rel_mass).mul_(inv_tau / q)
        grad = torch.cat([torch.bmm(G, D), torch.bmm(G.transpose(1, 2), Q)], dim=1)
        m1.mul_(b1).add_(grad, alpha=1 - b1)
        m2.mul_(b2).addcmul_(grad, grad, value=1 - b2)
        denom = (m2 / (1 - b2 ** step)).sqrt_().add_(eps)
        X.addcdiv_(m1, denom, value=-lr / (1 - b1 ** step))
        X.div_(X.norm(dim=2, keepdim=True))
        check = (step - 1) % eval_every == 0
        done: list[tuple[int, str]] = []
        for b, pos in enumerate(active):
            value = values[b]
            if value < best_loss[pos] - min_delta:
                best_loss[pos], since_best[pos] = value, 0
            else:
                since_best[pos] += 1
            if check:
                acc = topk_accuracy(X[b, :q] @ X[b, q:].T, M)
                best_acc[pos] = max(best_acc[pos], acc)
                history[pos].append((step, value, acc))
                if pos == 0 and callback is not None:
                    callback(step, value, acc)
                if acc >= 1.0:
                    done.append((b, "solved"))
                    continue
            if since_best[pos] >= patience:
                done.append((b, "patience"))
        if check:
            pbar.update(step - pbar.n)
            h = history[active[0]][-1]
            pbar.set_postfix_str(f"loss={h[1]:.4f} acc={h[2]:.4f}", refresh=False)
        if done:
            for b, reason in done:
                finish(active[b], b, step, reason)
            keep = [b for b in range(len(active)) if b not in {x for x, _ in done}]
            if not keep:
                break
            X, m1, m2 = X[keep].contiguous(), m1[keep].contiguous(), m2[keep].contiguous()
            active = [active[b] for b in keep]
    for b, pos in enumerate(active):
        if pos not in results:
            finish(pos, b, step, "max_steps")
    pbar.close()
    return [results[i] for i in range(len(seeds))]
