"""Training losses for bi-encoders: contrastive, graded, Matryoshka and distillation.

Every loss is a plain function of torch tensors that returns a scalar tensor; vectors
are compared by cosine similarity (each loss normalises its inputs), so a model's raw
pooled outputs can be passed straight in.

* :func:`info_nce` -- multiple-negatives ranking: row ``i`` of ``d`` is the positive of
  query ``i``, every other row an in-batch negative, plus optional mined hard negatives;
  a temperature, a symmetric variant (documents also retrieve their queries) and
  focal-style reweighting of hard samples (KaLM-Embedding: weight ``(1 - p)^gamma``);
* :func:`cosent` -- graded pairs: every pair the gold scores rank higher must get the
  higher cosine (a log-sum-exp over all wrongly ordered pairs);
* :func:`matryoshka` -- wrap any loss to sum it over truncation widths (MRL);
  :func:`matryoshka_2d` also over layers (2DMSE: truncate depth and width);
* :func:`distill_mse` and :func:`distill_kl` -- learn a teacher's pair scores, or its
  in-batch score distribution (Distilled Sentence Embedding).

``LOSSES`` maps the names the CLI and the trainer accept to these functions.
Left out: triplet and contrastive (margin) losses, learned temperatures, cross-device
gathering of negatives (see ``gradcache`` for large batches on one machine).
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


def _check_pair(q: Tensor, d: Tensor, *, min_rows: int = 1) -> None:
    for name, t in (("q", q), ("d", d)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.ndim != 2:
            raise ValueError(f"{name} must be a 2-d (batch, dim) tensor, got shape {tuple(t.shape)}")
    if q.shape != d.shape:
        raise ValueError(f"q and d must have the same shape (row i of d is the positive of row i of q); "
                         f"got {tuple(q.shape)} and {tuple(d.shape)}")
    if q.shape[0] < min_rows:
        raise ValueError(f"a batch needs at least {min_rows} pairs for this loss (the other rows are the "
                         f"negatives), got {q.shape[0]}")


def _check_temperature(temperature: float) -> float:
    if not isinstance(temperature, (int, float)) or not temperature > 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    return float(temperature)


def _focal_nll(logits: Tensor, gamma: float) -> Tensor:
    """Mean of ``-(1 - p)^gamma log p`` where ``p`` is the softmax probability of the diagonal target."""
    target = torch.arange(logits.shape[0], device=logits.device)
    logp = F.log_softmax(logits, dim=1).gather(1, target[:, None])[:, 0]
    if gamma == 0:
        return -logp.mean()
    return -(((1 - logp.exp()) ** gamma) * logp).mean()


def info_nce(q: Tensor, d: Tensor, *, hard_negatives: Tensor | None = None, temperature: float = 0.05,
             symmetric: bool = False, gamma: float = 0.0) -> Tensor:
    """InfoNCE / multiple-negatives ranking loss with in-batch and hard negatives.

    Query ``i`` must pick its positive ``d[i]`` out of every row of ``d`` and its own
    hard negatives; the logits are cosine similarities divided by ``temperature``.

    Parameters
    ----------
    q, d : Tensor of shape (B, D)
        Query and positive vectors; row ``i`` of ``d`` is the positive of row ``i`` of
        ``q``, the other rows are its in-batch negatives. ``B >= 2``.
    hard_negatives : Tensor of shape (B, m, D), optional
        ``m`` mined negatives per query, scored only against their own query.
    temperature : float, default 0.05
    symmetric : bool, default False
        Also make each document pick its own query out of the batch's queries, and
        average the two directions (hard negatives enter the query direction only).
    gamma : float, default 0.0
        Focal reweighting: each query's loss is multiplied by ``(1 - p)^gamma``, ``p``
        the probability given to its positive, so easy queries count less.

    Returns
    -------
    Tensor, a scalar

    Examples
    --------
    >>> q = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> round(float(info_nce(q, q, temperature=1.0)), 4)   # log(1 + e^-1)
    0.3133
    """
    _check_pair(q, d, min_rows=2 if hard_negatives is None else 1)
    temperature = _check_temperature(temperature)
    if not gamma >= 0:
        raise ValueError(f"gamma must be >= 0, got {gamma!r}")
    qn, dn = F.normalize(q, dim=-1), F.normalize(d, dim=-1)
    logits = qn @ dn.T
    if hard_negatives is not None:
        if not isinstance(hard_negatives, Tensor) or hard_negatives.ndim != 3 \
                or hard_negatives.shape[0] != q.shape[0] or hard_negatives.shape[2] != q.shape[1]:
            shape = tuple(getattr(hard_negatives, "shape", ()))
            raise ValueError(f"hard_negatives must be a (batch, m, dim) = ({q.shape[0]}, m, {q.shape[1]}) "
                             f"tensor, got shape {shape}")
        hn = F.normalize(hard_negatives, dim=-1)
        logits = torch.cat([logits, torch.einsum("bd,bmd->bm", qn, hn)], dim=1)
    loss = _focal_nll(logits / temperature, gamma)
    if symmetric:
        loss = (loss + _focal_nll((dn @ qn.T) / temperature, gamma)) / 2
    return loss


def cosent(a: Tensor, b: Tensor, scores: Tensor, *, scale: float = 20.0) -> Tensor:
    """CoSENT loss for pairs with graded gold scores.

    ``log(1 + sum exp(scale * (cos_j - cos_i)))`` over all pairs ``(i, j)`` whose gold
    score says ``i`` is more similar than ``j``: only the order of the cosines counts.

    Parameters
    ----------
    a, b : Tensor of shape (B, D)
        The two sides of each pair.
    scores : Tensor of shape (B,)
        Gold similarity of each pair (any scale).
    scale : float, default 20.0
        Inverse temperature of the cosine differences.

    Returns
    -------
    Tensor, a scalar (``log 1 = 0`` when no two gold scores differ)

    Examples
    --------
    >>> a = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    >>> b = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> round(float(cosent(a, b, torch.tensor([1.0, 0.0]), scale=1.0)), 4)  # log(1 + e^(0 - 1))
    0.3133
    """
    _check_pair(a, b)
    scores = torch.as_tensor(scores, dtype=a.dtype, device=a.device)
    if scores.shape != (a.shape[0],):
        raise ValueError(f"scores must hold one gold value per pair, shape ({a.shape[0]},); got {tuple(scores.shape)}")
    cos = F.cosine_similarity(a, b, dim=-1) * scale
    diff = cos[None, :] - cos[:, None]  # [i, j] = cos_j - cos_i
    wrong_if_positive = scores[:, None] > scores[None, :]  # i should beat j
    terms = torch.cat([torch.zeros(1, dtype=a.dtype, device=a.device), diff[wrong_if_positive]])
    return torch.logsumexp(terms, dim=0)


def _check_dims(dims: Sequence[int], weights: Sequence[float] | None, what: str = "dims") -> tuple[list[int], list]:
    dims = [int(k) for k in dims]
    if not dims or any(k < 1 for k in dims):
        raise ValueError(f"{what} must be a non-empty list of positive ints, got {dims}")
    if len(set(dims)) != len(dims):
        raise ValueError(f"{what} holds a value twice: {dims}")
    weights = [1.0] * len(dims) if weights is None else [float(w) for w in weights]
    if len(weights) != len(dims):
        raise ValueError(f"{len(weights)} weights for {len(dims)} {what}; give one weight per entry")
    return dims, weights


def _truncate(t: Tensor, k: int) -> Tensor:
    if k > t.shape[-1]:
        raise ValueError(f"Matryoshka dim {k} is larger than the vectors' width {t.shape[-1]}")
    return t[..., :k]


def matryoshka(loss_fn: Callable[..., Tensor], dims: Sequence[int],
               weights: Sequence[float] | None = None) -> Callable[..., Tensor]:
    """Matryoshka representation learning: a loss summed over truncation widths.

    The returned function takes the arguments of ``loss_fn``; every tensor argument
    whose last axis is the vector width (``q``, ``d``, ``hard_negatives``) is cut to
    its first ``k`` coordinates for each ``k`` in ``dims``, and the losses are summed
    with ``weights`` (default 1 each).

    Parameters
    ----------
    loss_fn : callable
        A loss such as :func:`info_nce` or :func:`cosent`.
    dims : sequence of int
        Truncation widths, e.g. ``(384, 256, 128, 64, 32)``.
    weights : sequence of float, optional

    Returns
    -------
    callable with the signature of ``loss_fn``

    Examples
    --------
    >>> q, d = torch.randn(4, 8), torch.randn(4, 8)
    >>> mrl = matryoshka(info_nce, [8, 4], [1.0, 0.5])
    >>> bool(torch.isclose(mrl(q, d), info_nce(q, d) + 0.5 * info_nce(q[:, :4], d[:, :4])))
    True
    """
    dims, weights = _check_dims(dims, weights)

    def loss(q: Tensor, d: Tensor, *args, **kwargs) -> Tensor:
        width = q.shape[-1]

        def cut(x, k):
            return _truncate(x, k) if isinstance(x, Tensor) and x.ndim >= 2 and x.shape[-1] == width else x

        total = q.new_zeros(())
        for k, w in zip(dims, weights):
            total = total + w * loss_fn(_truncate(q, k), _truncate(d, k), *[cut(a, k) for a in args],
                                        **{name: cut(v, k) for name, v in kwargs.items()})
        return total

    loss.dims, loss.weights, loss.base = dims, weights, loss_fn
    return loss


def matryoshka_2d(loss_fn: Callable[..., Tensor], dims: Sequence[int], n_layers: int, *,
                  dim_weights: Sequence[float] | None = None, layer_weights: Sequence[float] | None = None
                  ) -> Callable[..., Tensor]:
    """2D Matryoshka (2DMSE): a loss summed over layers and truncation widths.

    The returned function takes per-layer vectors: ``q`` and ``d`` of shape
    ``(L, B, D)`` -- the pooled output of each of the last ``L = n_layers`` layers,
    shallowest first, so ``q[-1]`` is the final layer. Each layer ``l`` and width ``k``
    contributes ``layer_weights[l] * dim_weights[k] * loss_fn(q[l, :, :k], d[l, :, :k])``;
    other arguments pass through (hard negatives of shape ``(L, B, m, D)`` are cut the
    same way). One trained model then serves any (layer, dim) pair.

    Parameters
    ----------
    loss_fn : callable
    dims : sequence of int
    n_layers : int
        How many layers the vectors hold (the last ``n_layers`` of the model).
    dim_weights, layer_weights : sequence of float, optional
        Default 1 each.

    Returns
    -------
    callable

    Examples
    --------
    >>> q, d = torch.randn(2, 4, 8), torch.randn(2, 4, 8)
    >>> loss = matryoshka_2d(info_nce, [8, 4], 2)
    >>> expected = sum(info_nce(q[i, :, :k], d[i, :, :k]) for i in range(2) for k in (8, 4))
    >>> bool(torch.isclose(loss(q, d), expected))
    True
    """
    dims, dim_w = _check_dims(dims, dim_weights)
    layers, layer_w = _check_dims(range(1, int(n_layers) + 1), layer_weights, "layers")
    inner = matryoshka(loss_fn, dims, dim_w)

    def loss(q: Tensor, d: Tensor, *args, **kwargs) -> Tensor:
        for name, t in (("q", q), ("d", d)):
            if t.ndim != 3 or t.shape[0] != len(layers):
                raise ValueError(f"{name} must be (layers, batch, dim) with {len(layers)} layers, "
                                 f"got shape {tuple(t.shape)}")

        def layer_of(x, i):
            return x[i] if isinstance(x, Tensor) and x.ndim >= 3 and x.shape[0] == len(layers) else x

        total = q.new_zeros(())
        for i, w in enumerate(layer_w):
            total = total + w * inner(q[i], d[i], *[layer_of(a, i) for a in args],
                                      **{n: layer_of(v, i) for n, v in kwargs.items()})
        return total

    loss.dims, loss.n_layers, loss.base = dims, len(layers), loss_fn
    return loss


def _student_scores(q: Tensor, d: Tensor, teacher: Tensor) -> Tensor:
    _check_pair(q, d)
    teacher = torch.as_tensor(teacher, dtype=q.dtype, device=q.device)
    qn, dn = F.normalize(q, dim=-1), F.normalize(d, dim=-1)
    b = q.shape[0]
    if teacher.shape == (b,):
        return (qn * dn).sum(-1)
    if teacher.shape == (b, b):
        return qn @ dn.T
    raise ValueError(f"teacher scores must be ({b},) pair scores or a ({b}, {b}) in-batch score matrix, "
                     f"got shape {tuple(teacher.shape)}")


def distill_mse(q: Tensor, d: Tensor, teacher: Tensor) -> Tensor:
    """Mean squared error between the student's cosine scores and a teacher's scores.

    Parameters
    ----------
    q, d : Tensor of shape (B, D)
        Student vectors of the two sides.
    teacher : Tensor of shape (B,) or (B, B)
        The teacher's score of each pair ``(q[i], d[i])``, or of every ``(q[i], d[j])``.

    Examples
    --------
    >>> q = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    >>> float(distill_mse(q, q, torch.tensor([0.5, 1.0])))  # ((1 - 0.5)^2 + 0) / 2
    0.125
    """
    student = _student_scores(q, d, teacher)
    return F.mse_loss(student, torch.as_tensor(teacher, dtype=q.dtype, device=q.device))


def distill_kl(q: Tensor, d: Tensor, teacher: Tensor, *, temperature: float = 0.05,
               teacher_temperature: float | None = None) -> Tensor:
    """KL divergence from the teacher's in-batch score distribution to the student's.

    For each query, softmax over its scores with every document of the batch gives a
    distribution for the teacher (``teacher[i]`` / ``teacher_temperature``) and one for
    the student (cosines / ``temperature``); the loss is the mean over queries of
    ``KL(teacher || student)``.

    Parameters
    ----------
    q, d : Tensor of shape (B, D)
    teacher : Tensor of shape (B, B)
        The teacher's score of every ``(q[i], d[j])``.
    temperature : float, default 0.05
    teacher_temperature : float, optional
        Default: ``temperature``.

    Examples
    --------
    >>> q = torch.eye(3)
    >>> float(distill_kl(q, q, torch.eye(3), temperature=1.0))  # same scores, same distributions
    0.0
    """
    temperature = _check_temperature(temperature)
    t_temp = _check_temperature(temperature if teacher_temperature is None else teacher_temperature)
    teacher = torch.as_tensor(teacher, dtype=q.dtype, device=q.device)
    if teacher.ndim != 2:
        raise ValueError(f"distill_kl needs an in-batch teacher score matrix of shape ({q.shape[0]}, {q.shape[0]}), "
                         f"got shape {tuple(teacher.shape)}")
    student = _student_scores(q, d, teacher)
    log_s = F.log_softmax(student / temperature, dim=1)
    log_t = F.log_softmax(teacher / t_temp, dim=1)
    return (log_t.exp() * (log_t - log_s)).sum(1).mean()


#: name -> loss; "mnrl" (multiple-negatives ranking) and "info_nce" are the same function
LOSSES: dict[str, Callable[..., Tensor]] = {
    "mnrl": info_nce,
    "info_nce": info_nce,
    "cosent": cosent,
    "distill_mse": distill_mse,
    "distill_kl": distill_kl,
}


def get_loss(name: str) -> Callable[..., Tensor]:
    """Look a loss up by name.

    Examples
    --------
    >>> get_loss("mnrl") is info_nce
    True
    """
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; valid: {', '.join(LOSSES)}")
    return LOSSES[name]
