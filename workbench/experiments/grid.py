"""Token states once, every pooling of every layer: the engine under a pooling sweep.

:func:`pool_grid` runs the model once per batch with all hidden states kept and
applies each pooling mode to each layer before the states are dropped, so a sweep of
P modes x L layers costs about one forward pass instead of P x L. Each mode's result is
the array ``Encoder.encode_layers`` returns and is cached under the same key, chunk by
chunk, so the two share entries. Left out: keeping raw token states on disk (too large
for decoders with many layers) and trainable pooling heads.
"""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import torch

from .. import cache, progress
from ..encoder import CHUNK_SIZE, check_texts
from ..pooling import POOLING_MODES, parse_mode, pool
from ..prompts import apply_prompt


def pool_grid(encoder, texts: Sequence[str], poolings: Sequence[str] = POOLING_MODES, *, prompt: str | None = None,
              attention: str | None = None, normalize: bool = True, batch_size: int = 32, precision: str = "fp32",
              max_length: int | None = None, add_eos: bool = False, cache_vectors: bool = True,
              show_progress: bool | None = None) -> dict[str, np.ndarray]:
    """Every pooling mode of every layer from one forward pass per batch.

    Equal to ``{p: encoder.encode_layers(texts, pooling=p, ...) for p in poolings}``
    (and cached under the same keys), but the model runs once per text instead of once
    per mode.

    Returns
    -------
    dict pooling -> float32 array of shape ``(n_layers + 1, n, d)``

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> grid = pool_grid(enc, ["a cat", "a dog"], ["cls", "mean"], cache_vectors=False)
    >>> grid["mean"].shape, bool(np.allclose(grid["mean"][-1], enc.encode(["a cat", "a dog"], cache=False)))
    ((7, 2, 384), True)
    """
    texts = check_texts(texts)
    modes = list(dict.fromkeys("+".join(parse_mode(p)) for p in poolings))
    kw = dict(prompt=prompt, attention=attention, normalize=normalize, batch_size=batch_size, precision=precision,
              max_length=max_length, add_eos=add_eos)
    if encoder.model is None:  # static vectors: no shared token states, and nothing costly to share
        return {m: encoder.encode_layers(texts, pooling=m, cache=cache_vectors, show_progress=False, **kw)
                for m in modes}
    opts = {m: encoder._options(pooling=m, layer="all", **kw) for m in modes}
    parts: dict[str, list[np.ndarray]] = {m: [] for m in modes}
    truncated = 0
    with progress.bar(len(texts), f"token states of {encoder.name}", show_progress) as bar:
        for start in range(0, len(texts), CHUNK_SIZE):
            chunk = texts[start:start + CHUNK_SIZE]
            keys = {m: encoder._cache_key(chunk, opts[m], "layers") for m in modes}
            got = {m: cache.get(keys[m]) if cache_vectors else None for m in modes}
            missing = [m for m in modes if got[m] is None]
            if missing:
                fresh, cut = _grid_chunk(encoder, chunk, missing, opts[missing[0]], bar)
                truncated += cut
                for m in missing:
                    got[m] = fresh[m]
                    if cache_vectors:
                        cache.put(keys[m], fresh[m])
            else:
                bar.update(len(chunk))
            for m in modes:
                parts[m].append(got[m])
    if truncated:
        warnings.warn(f"{truncated} of {len(texts)} texts were longer than max_length="
                      f"{opts[modes[0]]['max_length']} tokens and were truncated", stacklevel=2)
    width, depth = encoder.dim, encoder.n_layers + 1
    return {m: np.concatenate(parts[m], axis=1) if parts[m] else
            np.zeros((depth, 0, width * len(parse_mode(m))), np.float32) for m in modes}


def _grid_chunk(encoder, chunk: list[str], modes: list[str], opts: dict, bar) -> tuple[dict, int]:
    """One chunk: the batching of ``Encoder._compute`` (longest first), all modes per batch."""
    ids, cut = encoder._tokenize_counting(apply_prompt(chunk, opts["prompt"]), opts)
    order = np.argsort([-len(x) for x in ids], kind="stable")
    out: dict[str, np.ndarray] = {}
    for start in range(0, len(order), opts["batch_size"]):
        idx = order[start:start + opts["batch_size"]]
        hidden, mask = encoder._forward([ids[i] for i in idx], opts, all_layers=True)
        for m in modes:
            vecs = torch.stack([pool(hidden, mask, m, layer=i) for i in range(len(hidden))]).float()
            if opts["normalize"]:
                vecs = torch.nn.functional.normalize(vecs, p=2, dim=-1)
            if m not in out:
                out[m] = np.empty((vecs.shape[0], len(chunk), vecs.shape[-1]), np.float32)
            out[m][:, idx, :] = vecs.numpy()
        bar.update(len(idx))
    return out, cut
