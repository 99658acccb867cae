"""Glyph embeddings: what a token looks like, as a fixed input vector.

Each token of a small vocabulary (single characters here) is rendered with a font that
ships with matplotlib (DejaVu Sans) into a fixed canvas with a common baseline, the
bitmaps are reduced with PCA to the model width and each row is scaled to unit length.
Frozen, these rows are the input embeddings of the models in :mod:`workbench.tinylm`
(after Bochkov 2025, who freezes rendered Unicode glyphs as the input layer).

A token the font has no glyph for is counted and given the fallback glyph (an empty
box), never an error. Rendering is deterministic (FreeType, no anti-aliasing state
shared between calls); the embeddings are cached by the vocabulary, font and sizes.

Left out: multi-character tokens wider than the canvas (they are scaled to fit), and
fonts other than the DejaVu family.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from . import cache

__all__ = ["GlyphSet", "font_path", "glyph_embeddings", "pixel_similarity", "render_glyphs", "similarity_agreement"]

_FONTS = ("DejaVuSans.ttf", "DejaVuSansMono.ttf", "DejaVuSerif.ttf")


def font_path(name: str = "DejaVuSans.ttf") -> Path:
    """A font file shipped with matplotlib.

    >>> font_path().name
    'DejaVuSans.ttf'
    """
    import matplotlib  # noqa: PLC0415

    if name not in _FONTS:
        raise ValueError(f"unknown font {name!r}; choose from: {', '.join(_FONTS)}")
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


@dataclass(frozen=True)
class GlyphSet:
    """Rendered tokens: ``bitmaps`` (n, height, width) in [0, 1] and which tokens had no glyph."""

    tokens: tuple[str, ...]
    bitmaps: np.ndarray
    missing: tuple[str, ...]  # tokens the font has no glyph for (given the fallback box)


def _fallback(height: int, width: int) -> np.ndarray:
    box = np.zeros((height, width), np.float32)
    top, left, bottom, right = height // 5, width // 4, height - height // 4, width - width // 4
    box[top, left:right] = box[bottom, left:right] = 1.0
    box[top:bottom + 1, left] = box[top:bottom + 1, right - 1] = 1.0
    return box


def render_glyphs(tokens: Sequence[str], *, font: str = "DejaVuSans.ttf", size: int = 12, height: int = 20,
                  width: int = 16) -> GlyphSet:
    """Render each token into a ``height`` x ``width`` canvas (baseline at 3/4 height, centred).

    >>> g = render_glyphs(["a", "b", "\\u6f22"])
    >>> g.bitmaps.shape, g.missing
    ((3, 20, 16), ('漢',))
    """
    from matplotlib.ft2font import FT2Font, LoadFlags  # noqa: PLC0415

    f = FT2Font(str(font_path(font)))
    f.set_size(size, 72)
    baseline = (3 * height) // 4
    out = np.zeros((len(tokens), height, width), np.float32)
    missing = []
    for i, tok in enumerate(tokens):
        if not tok or any(f.get_char_index(ord(c)) == 0 for c in tok if not c.isspace()):
            missing.append(tok)
            out[i] = _fallback(height, width)
            continue
        if tok.isspace():
            continue  # a blank glyph: the zero canvas
        f.set_text(tok, 0, flags=LoadFlags.DEFAULT)
        f.draw_glyphs_to_bitmap(antialiased=True)
        img = np.asarray(f.get_image(), dtype=np.float32) / 255.0
        descent = f.get_descent() / 64.0
        top = int(round(baseline - (img.shape[0] - descent)))
        if img.shape[1] > width or img.shape[0] > height:  # too big: shrink by striding
            step = int(np.ceil(max(img.shape[1] / width, img.shape[0] / height)))
            img, top = img[::step, ::step], max(0, top // step)
        top = min(max(top, 0), height - img.shape[0])
        left = (width - img.shape[1]) // 2
        out[i, top:top + img.shape[0], left:left + img.shape[1]] = img
    return GlyphSet(tuple(tokens), out, tuple(missing))


def glyph_embeddings(tokens: Sequence[str], dim: int, *, font: str = "DejaVuSans.ttf", size: int = 12,
                     use_cache: bool = True) -> tuple[np.ndarray, GlyphSet]:
    """Rows of unit length, one per token: the rendered bitmaps reduced to ``dim`` with PCA.

    PCA is computed exactly (SVD of the centred bitmaps, signs fixed so each component's
    largest loading is positive), so the result is deterministic. ``dim`` must not exceed
    the number of tokens. The array is cached (namespace ``glyphs``).

    >>> E, g = glyph_embeddings(list("abcdefgh"), 4, use_cache=False)
    >>> E.shape, bool(np.allclose(np.linalg.norm(E, axis=1), 1))
    ((8, 4), True)
    """
    tokens = list(tokens)
    if dim > len(tokens):
        raise ValueError(f"PCA to {dim} dimensions needs at least {dim} tokens; got {len(tokens)}")
    glyphs = render_glyphs(tokens, font=font, size=size)
    key = cache.make_key(kind="glyph-embeddings", tokens=tokens, dim=dim, font=font, size=size, version=1)
    if use_cache:
        hit = cache.get(key, namespace="glyphs", shape=(len(tokens), dim), dtype=np.float32)
        if hit is not None:
            return hit, glyphs
    X = glyphs.bitmaps.reshape(len(tokens), -1).astype(np.float64)
    X = X - X.mean(0)
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    signs = np.sign(Vt[np.arange(len(Vt)), np.abs(Vt).argmax(1)])
    Z = (U * S * signs)[:, :dim]
    norms = np.linalg.norm(Z, axis=1, keepdims=True)
    Z = np.where(norms > 0, Z / np.where(norms > 0, norms, 1), 0.0).astype(np.float32)
    if use_cache:
        cache.put(key, Z, namespace="glyphs")
    return Z, glyphs


def pixel_similarity(glyphs: GlyphSet) -> np.ndarray:
    """Cosine similarity of the raw bitmaps, (n, n); blank glyphs have zero similarity.

    >>> S = pixel_similarity(render_glyphs(["l", "I", "o"]))
    >>> bool(S[0, 1] > S[0, 2])
    True
    """
    X = glyphs.bitmaps.reshape(len(glyphs.tokens), -1)
    n = np.linalg.norm(X, axis=1, keepdims=True)
    X = X / np.where(n > 0, n, 1)
    return X @ X.T


def similarity_agreement(reference: np.ndarray, X: np.ndarray) -> float:
    """Spearman correlation between the off-diagonal entries of ``reference`` and the cosine similarities of ``X``.

    >>> rng = np.random.default_rng(0); X = rng.normal(size=(10, 3))
    >>> Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    >>> round(similarity_agreement(Xn @ Xn.T, X), 6)
    1.0
    """
    from scipy.stats import spearmanr  # noqa: PLC0415

    Xn = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    iu = np.triu_indices(len(X), 1)
    return float(spearmanr(reference[iu], (Xn @ Xn.T)[iu]).statistic)
