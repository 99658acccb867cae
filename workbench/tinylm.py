"""A tiny character-level decoder LM whose input embeddings can be frozen glyphs.

The frozen-glyph experiment (after Bochkov 2025) at laptop scale: the same small causal
transformer is trained with four kinds of input embedding (:data:`EMBEDDINGS`):

- ``trainable``: ordinary learned rows;
- ``glyph``: frozen rows from rendered glyphs (:func:`workbench.glyphs.glyph_embeddings`);
- ``random``: frozen random rows of unit length;
- ``shuffled glyph``: the frozen glyph rows assigned to the wrong tokens (a permutation).

Positions and the output head are learned in every kind. The run reports held-out bits
per character along training, a word-similarity probe of the hidden states
(WordSim-353: cosine of mean hidden states of each word against human scores) and, per
layer, how well representation similarity follows pixel similarity of the glyphs.

Left out: sub-word vocabularies, models past a few hundred thousand parameters, and
the paper's downstream benchmarks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
from torch import nn

from .glyphs import glyph_embeddings, pixel_similarity, similarity_agreement
from .progress import bar

__all__ = ["EMBEDDINGS", "TinyDecoder", "TinyLMConfig", "input_rows", "layer_states", "run_frozen_glyphs",
           "train_tiny_lm", "word_probe"]

#: input-embedding kinds: name -> whether the rows are trained
EMBEDDINGS: dict[str, bool] = {"trainable": True, "glyph": False, "random": False, "shuffled glyph": False}


@dataclass(frozen=True)
class TinyLMConfig:
    dim: int = 64            # model width (= glyph embedding width)
    layers: int = 2          # transformer blocks
    heads: int = 4           # attention heads
    context: int = 64        # characters per training window
    steps: int = 300         # Adam steps
    batch_size: int = 32     # windows per step
    lr: float = 3e-3         # learning rate
    eval_every: int = 50     # steps between held-out evaluations
    eval_chars: int = 20000  # held-out characters scored

    @classmethod
    def smoke(cls) -> "TinyLMConfig":
        return cls(dim=32, layers=1, steps=10, batch_size=8, context=32, eval_every=5, eval_chars=1000)


class TinyDecoder(nn.Module):
    """A pre-norm causal transformer over token ids with a given (possibly frozen) input matrix."""

    def __init__(self, rows: torch.Tensor, cfg: TinyLMConfig, *, trainable: bool):
        super().__init__()
        self.embed = nn.Embedding.from_pretrained(rows.clone().float(), freeze=not trainable)
        self.pos = nn.Parameter(torch.randn(cfg.context, cfg.dim) * 0.02)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(cfg.dim, cfg.heads, 4 * cfg.dim, dropout=0.0, batch_first=True,
                                       norm_first=True) for _ in range(cfg.layers))
        self.norm = nn.LayerNorm(cfg.dim)
        self.head = nn.Linear(cfg.dim, rows.shape[0])

    def forward(self, ids: torch.Tensor, *, states: bool = False):
        n = ids.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(n)
        h = self.embed(ids) + self.pos[:n]
        out = [self.embed(ids)]
        for block in self.blocks:
            h = block(h, src_mask=mask, is_causal=True)
            out.append(h)
        logits = self.head(self.norm(h))
        return (logits, out) if states else logits


def input_rows(kind: str, tokens: list[str], dim: int, seed: int) -> torch.Tensor:
    """The initial input matrix of an embedding kind (see :data:`EMBEDDINGS`)."""
    if kind not in EMBEDDINGS:
        raise ValueError(f"unknown embedding kind {kind!r}; choose from: {', '.join(EMBEDDINGS)}")
    g = torch.Generator().manual_seed(seed)
    if kind in ("trainable", "random"):
        R = torch.randn(len(tokens), dim, generator=g)
        return R / R.norm(dim=1, keepdim=True)
    G = torch.from_numpy(glyph_embeddings(tokens, dim)[0])
    if kind == "shuffled glyph":
        perm = torch.randperm(len(tokens), generator=g)
        while len(tokens) > 1 and bool((perm == torch.arange(len(tokens))).any()):  # no token keeps its own glyph
            perm = torch.randperm(len(tokens), generator=g)
        G = G[perm]
    return G


@torch.no_grad()
def _bits_per_char(model: TinyDecoder, ids: torch.Tensor, context: int) -> float:
    n = (len(ids) - 1) // context
    x = ids[: n * context].view(n, context)
    y = ids[1: n * context + 1].view(n, context)
    loss = nn.functional.cross_entropy(model(x).transpose(1, 2), y, reduction="sum")
    return float(loss) / (n * context) / math.log(2)


def train_tiny_lm(kind: str, tokens: list[str], train_ids: torch.Tensor, eval_ids: torch.Tensor,
                  cfg: TinyLMConfig, *, seed: int = 0,
                  show_progress: bool | None = None) -> tuple[TinyDecoder, list[tuple[int, float]]]:
    """Train one model; returns it and its held-out curve as (step, bits per character)."""
    torch.manual_seed(seed)
    model = TinyDecoder(input_rows(kind, tokens, cfg.dim, seed), cfg, trainable=EMBEDDINGS[kind])
    frozen = model.embed.weight.detach().clone()
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    g = torch.Generator().manual_seed(seed)
    curve = [(0, _bits_per_char(model, eval_ids, cfg.context))]
    progress = bar(cfg.steps, f"tiny LM ({kind})", show_progress)
    for step in range(1, cfg.steps + 1):
        start = torch.randint(len(train_ids) - cfg.context - 1, (cfg.batch_size,), generator=g)
        x = torch.stack([train_ids[s: s + cfg.context] for s in start])
        y = torch.stack([train_ids[s + 1: s + cfg.context + 1] for s in start])
        loss = nn.functional.cross_entropy(model(x).transpose(1, 2), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % cfg.eval_every == 0 or step == cfg.steps:
            curve.append((step, _bits_per_char(model, eval_ids, cfg.context)))
        progress.update(1)
    progress.close()
    if not EMBEDDINGS[kind] and not torch.equal(frozen, model.embed.weight):
        raise RuntimeError("a frozen input matrix changed during training")
    return model, curve


@torch.no_grad()
def layer_states(model: TinyDecoder, ids: torch.Tensor, vocab_size: int, context: int) -> list[np.ndarray]:
    """Per layer (0 = input rows), each token's mean state over its occurrences in ``ids`` (NaN if absent)."""
    n = len(ids) // context
    x = ids[: n * context].view(n, context)
    _, states = model(x, states=True)
    flat = x.reshape(-1)
    out = []
    for h in states:
        h = h.reshape(-1, h.shape[-1])
        sums = torch.zeros(vocab_size, h.shape[1]).index_add_(0, flat, h)
        counts = torch.bincount(flat, minlength=vocab_size).float()[:, None]
        out.append((sums / counts).numpy())
    return out


@torch.no_grad()
def word_probe(model: TinyDecoder, stoi: dict[str, int], pairs) -> tuple[float, int]:
    """Spearman between WordSim-style scores and cosine of each word's mean last-layer state (context " word ")."""
    from scipy.stats import spearmanr  # noqa: PLC0415

    def vec(w):
        ids = torch.tensor([[stoi[c] for c in f" {w} "]])
        return model(ids, states=True)[1][-1][0, 1:-1].mean(0)

    sims, gold = [], []
    for a, b, s in zip(pairs.text1, pairs.text2, pairs.scores):
        if all(c in stoi for c in f" {a}{b}"):
            sims.append(float(nn.functional.cosine_similarity(vec(a), vec(b), dim=0)))
            gold.append(float(s))
    return float(spearmanr(sims, gold).statistic), len(sims)


def run_frozen_glyphs(cfg: TinyLMConfig | None = None, *, seeds: tuple[int, ...] = (0, 1),
                      kinds: tuple[str, ...] = tuple(EMBEDDINGS), show_progress: bool | None = None) -> dict:
    """Train every kind over ``seeds`` on the Lee background corpus (characters); curves, probes, visual agreement.

    Returns ``curves`` (kind, seed, step, bits per char), ``table`` (final bits per char,
    the WordSim-353 probe, pixel/representation agreement per layer, per kind and seed),
    ``missing`` (characters without a glyph) and ``sizes``.
    """
    from .datasets import load  # noqa: PLC0415

    cfg = cfg or TinyLMConfig()
    text = "\n".join(load("lee-background").texts)
    tokens = sorted(set(text))
    if cfg.dim > len(tokens):
        cfg = replace(cfg, dim=len(tokens))
    stoi = {c: i for i, c in enumerate(tokens)}
    ids = torch.tensor([stoi[c] for c in text])
    cut = int(0.9 * len(ids))
    train_ids, eval_ids = ids[:cut], ids[cut: cut + cfg.eval_chars]
    _, glyphs = glyph_embeddings(tokens, cfg.dim)
    pix = pixel_similarity(glyphs)
    ink = glyphs.bitmaps.reshape(len(tokens), -1).sum(1) > 0
    pairs = load("wordsim353")
    curves, table = [], []
    for kind in kinds:
        for seed in seeds:
            model, curve = train_tiny_lm(kind, tokens, train_ids, eval_ids, cfg, seed=seed,
                                         show_progress=show_progress)
            curves += [{"kind": kind, "seed": seed, "step": s, "bits_per_char": b} for s, b in curve]
            rho, n_pairs = word_probe(model, stoi, pairs)
            row = {"kind": kind, "seed": seed, "bits_per_char": curve[-1][1], "wordsim_spearman": rho,
                   "wordsim_pairs": n_pairs}
            for layer, H in enumerate(layer_states(model, eval_ids, len(tokens), cfg.context)):
                keep = ink & np.isfinite(H).all(1)
                row[f"visual_agreement_L{layer}"] = similarity_agreement(pix[np.ix_(keep, keep)], H[keep])
            table.append(row)
    return {"curves": pd.DataFrame(curves), "table": pd.DataFrame(table), "missing": list(glyphs.missing),
            "sizes": {"vocabulary": len(tokens), "train_chars": int(cut), "eval_chars": int(len(eval_ids)),
                      "parameters": sum(p.numel() for p in TinyDecoder(torch.zeros(len(tokens), cfg.dim), cfg,
                                                                       trainable=True).parameters()),
                      "dim": cfg.dim, "steps": cfg.steps, "seeds": list(seeds)}}
