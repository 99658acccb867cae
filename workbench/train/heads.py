"""Trainable pooling heads: small torch modules that turn a backbone's token states into one vector.

Three heads, each an ``nn.Module`` called as ``head(hidden_states, attention_mask) -> (batch, dim)``
with the tuple of per-layer states a Hugging Face model returns (index 0 = embeddings), so
``Encoder.encode(texts, pooling=head)`` uses one directly:

* ``LatentAttentionPooling`` (NV-Embed, Lee et al. 2024): the token states of one layer are
  the queries of a cross-attention whose keys and values are a trainable latent array,
  followed by an MLP (both residual, pre-norm) and a masked mean over tokens;
* ``MultiLayerPooling`` (the "multi-layers trainable pooling" of Tang & Yang 2024): trainable
  queries cross-attend over the mean-pooled states of every layer, tagged with a learned
  layer embedding; the result is added to the chosen layer's mean;
* ``WeightedLayerPooling``: a softmax-weighted sum of the layers, then the masked mean.

The two attention heads start as exact mean pooling (their output projections are zero at
initialisation) and learn a correction; the weighted head starts as the uniform layer average.

Each head splits into a parameter-free ``features(hidden_states, mask)`` and a trainable
``forward_features``: :func:`fit_head` runs the frozen backbone once (in padded, longest-first
batches: :func:`token_states`), keeps the features (token states of one layer, or per-layer
means) and trains the head on them with the InfoNCE loss of ``workbench.train.losses`` —
minutes on a CPU instead of hours.
Left out: training a head jointly with the backbone (use the training loop with a head
attached), dropout, and heads for static word vectors.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
from torch import nn

from .. import progress

Tensor = torch.Tensor


def _as_layers(hidden_states, dtype) -> tuple[Tensor, ...]:
    if isinstance(hidden_states, Tensor):
        hidden_states = (hidden_states,)
    return tuple(h.to(dtype) for h in hidden_states)


def _masked_mean(states: Tensor, mask: Tensor) -> Tensor:
    m = mask.to(states.dtype).unsqueeze(-1)
    return (states * m).sum(dim=-2) / m.sum(dim=-2).clamp(min=1e-9)


def _check_positive(**values) -> None:
    for name, v in values.items():
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")


class _Head(nn.Module):
    """Shared plumbing: ``forward = forward_features(*features(...))``."""

    feature_kind = "tokens"  # "tokens": one layer's token states; "layer_means": (batch, layers, dim)

    def forward(self, hidden_states: Sequence[Tensor] | Tensor, attention_mask: Tensor) -> Tensor:
        dtype = next(self.parameters()).dtype
        return self.forward_features(*self.features(_as_layers(hidden_states, dtype), attention_mask))

    def _check_layers(self, n: int) -> None:
        if getattr(self, "n_states", n) != n:
            raise ValueError(f"{type(self).__name__} was built for {self.n_states} hidden-state layers "
                             f"(n_layers + 1), but the model gave {n}")


class LatentAttentionPooling(_Head):
    """NV-Embed latent-attention pooling over one layer's token states.

    Parameters
    ----------
    dim : int
        Width of the token states (the model's hidden size).
    n_latents : int, default 512
        Rows of the trainable latent array (keys and values of the cross-attention).
    n_heads : int, default 8
        Attention heads; must divide ``dim``.
    mlp_ratio : int, default 4
        Hidden width of the MLP as a multiple of ``dim``.
    layer : int, default -1
        Which hidden-state layer to pool.

    Examples
    --------
    >>> import torch
    >>> head = LatentAttentionPooling(8, n_latents=4, n_heads=2)
    >>> h, m = torch.randn(2, 5, 8), torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    >>> head((h,), m).shape
    torch.Size([2, 8])
    >>> torch.allclose(head((h,), m)[0], h[0, :3].mean(0))   # untrained: exactly mean pooling
    True
    """

    def __init__(self, dim: int, *, n_latents: int = 512, n_heads: int = 8, mlp_ratio: int = 4, layer: int = -1):
        super().__init__()
        _check_positive(dim=dim, n_latents=n_latents, n_heads=n_heads, mlp_ratio=mlp_ratio)
        if dim % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide dim={dim}")
        self.dim, self.n_latents, self.n_heads, self.mlp_ratio, self.layer = dim, n_latents, n_heads, mlp_ratio, layer
        self.latents = nn.Parameter(torch.randn(n_latents, dim) / math.sqrt(dim))
        self.norm_tokens, self.norm_latents, self.norm_mlp = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = nn.MultiheadAttention(dim, n_heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim))
        nn.init.zeros_(self.attention.out_proj.weight)
        nn.init.zeros_(self.attention.out_proj.bias)
        nn.init.zeros_(self.mlp[-1].weight)
        nn.init.zeros_(self.mlp[-1].bias)

    def extra_repr(self) -> str:
        return (f"dim={self.dim}, n_latents={self.n_latents}, n_heads={self.n_heads}, "
                f"mlp_ratio={self.mlp_ratio}, layer={self.layer}")

    def features(self, hidden_states: Sequence[Tensor], attention_mask: Tensor) -> tuple[Tensor, Tensor]:
        n = len(hidden_states)
        if not -n <= self.layer < n:
            raise ValueError(f"layer {self.layer} is out of range for {n} hidden-state layers")
        return hidden_states[self.layer], attention_mask

    def forward_features(self, states: Tensor, attention_mask: Tensor) -> Tensor:
        latents = self.norm_latents(self.latents).unsqueeze(0).expand(states.shape[0], -1, -1)
        x = states + self.attention(self.norm_tokens(states), latents, latents, need_weights=False)[0]
        x = x + self.mlp(self.norm_mlp(x))
        return _masked_mean(x, attention_mask)


class MultiLayerPooling(_Head):
    """Cross-attention over the mean-pooled states of every layer, added to one layer's mean.

    Parameters
    ----------
    dim : int
        Hidden size.
    n_states : int
        Number of hidden-state layers the model returns (``n_layers + 1``).
    n_queries : int, default 8
        Trainable query vectors; their attention outputs are averaged.
    n_heads : int, default 8
    layer : int, default -1
        The layer whose mean the learned correction is added to.

    Examples
    --------
    >>> import torch
    >>> head = MultiLayerPooling(8, 3, n_heads=2)
    >>> hs, m = tuple(torch.randn(2, 4, 8) for _ in range(3)), torch.ones(2, 4, dtype=torch.long)
    >>> torch.allclose(head(hs, m), hs[-1].mean(1))   # untrained: the last layer's mean
    True
    """

    feature_kind = "layer_means"

    def __init__(self, dim: int, n_states: int, *, n_queries: int = 8, n_heads: int = 8, layer: int = -1):
        super().__init__()
        _check_positive(dim=dim, n_states=n_states, n_queries=n_queries, n_heads=n_heads)
        if dim % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide dim={dim}")
        if not -n_states <= layer < n_states:
            raise ValueError(f"layer {layer} is out of range for {n_states} hidden-state layers")
        self.dim, self.n_states, self.n_queries, self.n_heads, self.layer = dim, n_states, n_queries, n_heads, layer
        self.queries = nn.Parameter(torch.randn(n_queries, dim) / math.sqrt(dim))
        self.layer_embedding = nn.Parameter(torch.zeros(n_states, dim))
        self.norm = nn.LayerNorm(dim)
        self.attention = nn.MultiheadAttention(dim, n_heads, batch_first=True)
        nn.init.zeros_(self.attention.out_proj.weight)
        nn.init.zeros_(self.attention.out_proj.bias)

    def extra_repr(self) -> str:
        return (f"dim={self.dim}, n_states={self.n_states}, n_queries={self.n_queries}, "
                f"n_heads={self.n_heads}, layer={self.layer}")

    def features(self, hidden_states: Sequence[Tensor], attention_mask: Tensor) -> tuple[Tensor]:
        self._check_layers(len(hidden_states))
        return (torch.stack([_masked_mean(h, attention_mask) for h in hidden_states], dim=1),)

    def forward_features(self, layer_means: Tensor) -> Tensor:
        kv = self.norm(layer_means + self.layer_embedding)
        q = self.queries.unsqueeze(0).expand(layer_means.shape[0], -1, -1)
        mixed = self.attention(q, kv, kv, need_weights=False)[0].mean(dim=1)
        return layer_means[:, self.layer] + mixed


class WeightedLayerPooling(_Head):
    """Softmax-weighted average of all layers' states, then the masked mean over tokens.

    Parameters
    ----------
    dim : int
        Hidden size (recorded; the weights do not depend on it).
    n_states : int
        Number of hidden-state layers the model returns (``n_layers + 1``).

    Attributes
    ----------
    weights : torch.Tensor
        The current layer weights (softmax of the trainable logits).

    Examples
    --------
    >>> import torch
    >>> head = WeightedLayerPooling(4, 2)
    >>> hs, m = (torch.zeros(1, 2, 4), torch.ones(1, 2, 4)), torch.ones(1, 2, dtype=torch.long)
    >>> head(hs, m).tolist()   # uniform weights at the start
    [[0.5, 0.5, 0.5, 0.5]]
    """

    feature_kind = "layer_means"

    def __init__(self, dim: int, n_states: int):
        super().__init__()
        _check_positive(dim=dim, n_states=n_states)
        self.dim, self.n_states = dim, n_states
        self.logits = nn.Parameter(torch.zeros(n_states))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, n_states={self.n_states}"

    @property
    def weights(self) -> Tensor:
        return torch.softmax(self.logits.detach(), dim=0)

    def features(self, hidden_states: Sequence[Tensor], attention_mask: Tensor) -> tuple[Tensor]:
        self._check_layers(len(hidden_states))
        return (torch.stack([_masked_mean(h, attention_mask) for h in hidden_states], dim=1),)

    def forward_features(self, layer_means: Tensor) -> Tensor:
        # the mean over tokens is linear, so weighting per-layer means equals pooling the weighted layers
        return torch.einsum("l,bld->bd", torch.softmax(self.logits, dim=0), layer_means)


HEADS: dict[str, type[_Head]] = {
    "latent_attention": LatentAttentionPooling,
    "multi_layer": MultiLayerPooling,
    "weighted_layer": WeightedLayerPooling,
}


def make_head(name: str, encoder, *, seed: int = 0, **params) -> _Head:
    """Build the head ``name`` sized for ``encoder`` (hidden size and layer count), seeded.

    Examples
    --------
    >>> import workbench as wb
    >>> make_head("weighted_layer", wb.load_encoder("minilm"))
    WeightedLayerPooling(dim=384, n_states=7)
    """
    if name not in HEADS:
        raise ValueError(f"unknown head {name!r}; valid: {', '.join(HEADS)}")
    if getattr(encoder, "model", None) is None:
        raise ValueError(f"{getattr(encoder, 'name', encoder)!r} has no transformer token states; "
                         "pooling heads need a transformer model (e.g. 'minilm')")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if name == "latent_attention":
            return LatentAttentionPooling(encoder.dim, **params)
        return HEADS[name](encoder.dim, encoder.n_layers + 1, **params)


# ---------------------------------------------------------------------------- training on cached states
def token_states(encoder, texts: Sequence[str], layer: int = -1, *, max_length: int = 128, batch_size: int = 64,
                 show_progress: bool | None = None) -> list[Tensor]:
    """One layer's token states of each text, ``(tokens, dim)`` float32, computed in padded batches.

    ``Encoder.token_embeddings`` as torch tensors; each text gets the states it gets on
    its own (``batch_size=1``) up to float rounding.

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> states = token_states(enc, ["a cat", "a much longer sentence about dogs"])
    >>> alone = enc.token_embeddings("a cat", batch_size=1)[0][1]
    >>> [tuple(s.shape) for s in states], bool(np.allclose(states[0], alone, atol=1e-5))
    ([(4, 384), (8, 384)], True)
    """
    _check_positive(batch_size=batch_size, max_length=max_length)
    return [torch.from_numpy(s) for _, s in encoder.token_embeddings(
        list(texts), layer=layer, max_length=max_length, batch_size=batch_size, show_progress=show_progress)]


def cache_features(head: _Head, encoder, texts: Sequence[str], *, max_length: int = 128, batch_size: int = 64,
                   show_progress: bool | None = None) -> list[Tensor] | Tensor:
    """Run the frozen backbone once and keep what ``head`` needs for ``texts``.

    Returns a list of ``(tokens, dim)`` float16 tensors (one layer's token states, from
    :func:`token_states`) for a token-level head, or a ``(n, layers, dim)`` float32 tensor
    of per-layer means otherwise. Both run the backbone in batches of ``batch_size`` texts.
    """
    texts = list(texts)
    unique = list(dict.fromkeys(texts))  # a text repeated across pairs runs once
    where = {t: i for i, t in enumerate(unique)}
    if head.feature_kind == "layer_means":
        layers = encoder.encode_layers(unique, pooling="mean", normalize=False, max_length=max_length,
                                       batch_size=batch_size, show_progress=show_progress)
        means = torch.from_numpy(np.ascontiguousarray(layers.transpose(1, 0, 2)))
        return means[torch.as_tensor([where[t] for t in texts], dtype=torch.long)]
    states = [s.to(torch.float16) for s in token_states(encoder, unique, head.layer, max_length=max_length,
                                                         batch_size=batch_size, show_progress=show_progress)]
    return [states[where[t]] for t in texts]


def _batch(feats, idx: np.ndarray, dtype) -> tuple[Tensor, ...]:
    if isinstance(feats, Tensor):
        return (feats[idx].to(dtype),)
    rows = [feats[i] for i in idx]
    width = max(len(r) for r in rows)
    states = torch.zeros(len(rows), width, rows[0].shape[-1], dtype=dtype)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for j, r in enumerate(rows):
        states[j, :len(r)] = r.to(dtype)
        mask[j, :len(r)] = 1
    return states, mask


def fit_head(head: _Head, encoder, pairs, *, epochs: int = 3, batch_size: int = 64, lr: float = 1e-3,
             weight_decay: float = 0.01, temperature: float = 0.05, symmetric: bool = False,
             max_length: int = 128, seed: int = 0, show_progress: bool | None = None) -> _Head:
    """Train ``head`` on a frozen backbone's cached states with in-batch InfoNCE.

    The backbone runs once over every text (:func:`cache_features`); then only the head
    is trained (AdamW), with the other positives of a batch as negatives and batches that
    never hold one query (or one positive) twice (``workbench.train.data.batches``). The
    head is trained in place and returned, with ``head.history_`` holding the mean loss
    of each epoch.

    Parameters
    ----------
    head : a head from ``HEADS`` (e.g. built by :func:`make_head`)
    encoder : Encoder
        The frozen backbone.
    pairs : TrainPairs or (queries, positives)
        Aligned training texts: ``positives[i]`` answers ``queries[i]``.
    epochs, batch_size : int
    lr, weight_decay : float
        AdamW settings.
    temperature : float
        InfoNCE temperature.
    symmetric : bool
        Also score documents against queries.
    max_length : int
        Token limit when caching states.
    seed : int
        Seeds the batch order (same seed and same initial head: the same result).
    show_progress : bool, optional

    Returns
    -------
    the trained head

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> head = make_head("weighted_layer", enc)
    >>> qs = ["a cat purrs", "dogs bark loudly", "rain falls", "the sun is hot"]
    >>> ds = ["kittens purring", "a barking dog", "wet weather", "a hot summer day"]
    >>> head = fit_head(head, enc, (qs, ds), epochs=2, batch_size=4)
    >>> len(head.history_), enc.encode(qs, pooling=head, cache=False).shape
    (2, (4, 384))
    """
    from .data import TrainPairs, batches  # noqa: PLC0415
    from .losses import info_nce  # noqa: PLC0415

    if not isinstance(head, _Head):
        raise TypeError(f"head must be one of {', '.join(c.__name__ for c in HEADS.values())}, "
                        f"got {type(head).__name__}")
    if not isinstance(pairs, TrainPairs):
        if not isinstance(pairs, (tuple, list)) or len(pairs) != 2:
            raise TypeError("pairs must be a TrainPairs or a (queries, positives) pair of text lists")
        pairs = TrainPairs("pairs", *pairs)
    if len(pairs) < 2:
        raise ValueError(f"in-batch negatives need at least 2 training pairs, got {len(pairs)}")
    _check_positive(epochs=epochs, batch_size=batch_size, max_length=max_length)
    if batch_size < 2:
        raise ValueError("batch_size must be at least 2: a batch of one has no in-batch negatives")
    fq = cache_features(head, encoder, pairs.queries, max_length=max_length, show_progress=show_progress)
    fd = cache_features(head, encoder, pairs.positives, max_length=max_length, show_progress=show_progress)
    dtype = next(head.parameters()).dtype
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=weight_decay)
    history = []
    head.train()
    with progress.bar(epochs * math.ceil(len(pairs) / batch_size), f"training {type(head).__name__}",
                      show_progress) as bar:
        for epoch in range(epochs):
            total, count = 0.0, 0
            for batch in batches(pairs, batch_size, seed=seed, epoch=epoch):
                idx = np.asarray(batch)
                q = nn.functional.normalize(head.forward_features(*_batch(fq, idx, dtype)), dim=-1)
                d = nn.functional.normalize(head.forward_features(*_batch(fd, idx, dtype)), dim=-1)
                loss = info_nce(q, d, temperature=temperature, symmetric=symmetric)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total, count = total + loss.item() * len(idx), count + len(idx)
                bar.update(1)
            history.append(total / max(count, 1))
    head.eval()
    head.history_ = history
    return head
