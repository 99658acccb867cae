# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Embeddings at the input and as labels: new vocabulary, frozen glyphs, diffusion conditioning
#
# Three small experiments where embeddings are not the output of a model but what goes *into* it:
#
# 1. **Vocabulary extension with propagation** (after Tikhomirov & Chernyshev 2024, LEP): SmolLM2
#    spends many tokens on Cyrillic words. We add whole Bulgarian words as new tokens, start their
#    rows as the mean of the sub-token rows, train only those rows, and hand them to a second
#    variant of the model without retraining.
# 2. **Frozen glyph embeddings** (after Bochkov 2025): a tiny character-level decoder whose input
#    vectors are rendered glyph bitmaps (DejaVu Sans, PCA), frozen, against trainable, frozen
#    random and shuffled-glyph controls.
# 3. **Embeddings as labels for a diffusion model** (after Graikos et al. 2023): a DDPM on 8x8
#    digits conditioned on a contrastive encoder's embeddings instead of class labels.
#
# Everything runs on a CPU; the sizes in the parameters cell are small on purpose. Each part says
# what its toy version can and cannot tell about the paper it follows.

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
SEEDS = (0, 1)  # seeds of the glyph experiment
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import numpy as np
import pandas as pd
import plotly.express as px

import workbench as wb
from workbench import diffusion, digits, glyphs, lep, tinylm, vocab
from workbench.embedding_labels import run_embedding_labels

# %% [markdown]
# ## 1. How badly does the base vocabulary handle Cyrillic text?
#
# The text is the Bulgarian Wikipedia excerpt that gensim ships as test data (three help pages,
# wiki markup stripped). Tokens per word is the *fertility* of a tokenizer; English news (the Lee
# corpus) is the reference.

# %%
enc = wb.load_encoder("smollm2")
tok = enc.tokenizer
paragraphs = vocab.bulgarian_wiki()
english = wb.datasets.load("lee-background").texts[:20]
base = vocab.ExtendedTokenizer(tok)
audit = pd.DataFrame([{"text": "Bulgarian", **vocab.fertility(base.encode, paragraphs)},
                      {"text": "English", **vocab.fertility(base.encode, english)}])
audit

# %%
ratio = audit.tokens_per_word[0] / audit.tokens_per_word[1]
print(f"SmolLM2 spends {ratio:.1f}x as many tokens per Bulgarian word as per English word.")

# %% [markdown]
# Extend the vocabulary with the words that save the most tokens (count x (sub-tokens - 1)) on
# the training paragraphs, and check compression on held-out paragraphs. A word the base
# vocabulary already has is refused with its id:

# %%
train, held = paragraphs[::2], paragraphs[1::2]
rows_before = enc.model.get_input_embeddings().num_embeddings
ext = vocab.extend(tok, vocab.choose_new_tokens(tok, train, 300), base_size=rows_before)
extended = vocab.ExtendedTokenizer(tok, ext)
print("new tokens:", ext.tokens[:12])
print("held-out tokens per word: base %.2f, extended %.2f" % (
    vocab.fertility(base.encode, held)["tokens_per_word"], vocab.fertility(extended.encode, held)["tokens_per_word"]))
try:
    vocab.extend(tok, [" the"])
except ValueError as err:
    print("refused:", err)

# %% [markdown]
# The new rows start as the mean of the rows of the sub-tokens each new word replaces. Then only
# those rows are trained (the model's head is tied to its input embeddings, so they are also the
# new words' output vectors); every old row stays bit-identical. `run_lep` runs the whole
# experiment: mean against random initialisation, held-out bits per byte (comparable across
# tokenizers: the same bytes are scored), drift on English (KL divergence of next-token
# distributions, bits per token), and the propagation to a variant derived by a short
# instruction-style fine-tune of the last two blocks (English news continued in the chat template).
#
# For held-out texts $t$ of $B_t$ UTF-8 bytes whose tokens $x_1, \dots, x_{T_t}$ the model predicts
# one after the other, and for the next-token distributions $p_i$ before and $q_i$ after the change
# at the $N$ positions of the English texts,
#
# $$\mathrm{bpb} = \frac{\sum_t \sum_{i} -\ln P(x_i \mid x_{<i})}{\ln 2 \, \sum_t B_t}, \qquad
# \mathrm{drift} = \frac{1}{N} \sum_{i=1}^{N} \sum_{v} p_i(v) \log_2 \frac{p_i(v)}{q_i(v)},$$
#
# the second a Kullback-Leibler divergence (Kullback and Leibler, 1951) in bits per token, over the
# base vocabulary (mass that moves to new tokens counts as drift).

# %%
cfg = lep.LEPConfig.smoke() if SMOKE else lep.LEPConfig()
result = lep.run_lep(enc, cfg)
result["audit"][["text", "tokenizer", "tokens_per_word", "bytes_per_token"]]

# %%
table = result["table"]
table

# %%
t = table.set_index(["model", "rows"])["bg_bits_per_byte"]
print(f"With {cfg.n_new} new tokens and {cfg.steps} training steps: base vocabulary "
      f"{t[('base', 'base vocabulary')]:.3f} bits/byte; mean init {t[('base', 'mean init')]:.3f} before and {t[('base', 'mean init, trained')]:.3f} after "
      f"training; random init {t[('base', 'random init')]:.3f} before and "
      f"{t[('base', 'random init, trained')]:.3f} after.")
print(f"Variant: mean-initialised rows {t[('variant', 'mean init')]:.3f}, propagated rows "
      f"{t[('variant', 'propagated (trained on base)')]:.3f} bits/byte.")

# %% [markdown]
# **What this can and cannot say.** The paper trains new tokenizers and embeddings on billions of
# Russian tokens for 7-8B models and measures instruction benchmarks. Here a 135M model gets a few
# hundred whole-word tokens trained on a few thousand tokens of Bulgarian. What carries over is the
# mechanism: compression of the target language, the value of a mean-of-sub-tokens start over a
# random one, whether rows learned on one variant still help another variant that shares the
# embedding layer, and how much the new rows disturb English (drift).

# %% [markdown]
# ## 2. Frozen glyph embeddings
#
# Each character is rendered with DejaVu Sans into a 20x16 canvas on a common baseline, and the
# bitmaps are reduced with PCA and scaled to unit length. Characters the font lacks get a fallback
# box and are counted.

# %%
chars = sorted(set("\n".join(english)))
E, glyph_set = glyphs.glyph_embeddings(chars + ["\u6f22"], 32)
print("missing glyphs:", glyph_set.missing)
px.imshow(np.concatenate(list(glyph_set.bitmaps[20:40]), axis=1), color_continuous_scale="gray_r",
          title="Rendered glyphs (DejaVu Sans)")

# %%
run_cfg = tinylm.TinyLMConfig.smoke() if SMOKE else tinylm.TinyLMConfig()
glyph_result = tinylm.run_frozen_glyphs(run_cfg, seeds=SEEDS)
curves = glyph_result["curves"].groupby(["kind", "step"], as_index=False)["bits_per_char"].mean()
px.line(curves, x="step", y="bits_per_char", color="kind", template="plotly_white",
        title=f"Held-out bits per character, mean of {len(SEEDS)} seeds")

# %%
summary = glyph_result["table"].groupby("kind", sort=False).mean(numeric_only=True)
summary.round(3)

# %%
best = summary["bits_per_char"].idxmin()
print(f"Lowest held-out bits per character after {run_cfg.steps} steps: {best}. "
      f"Pixel similarity vs input similarity (Spearman): glyph {summary.loc['glyph', 'visual_agreement_L0']:.2f}, "
      f"trainable {summary.loc['trainable', 'visual_agreement_L0']:.2f}.")

# %% [markdown]
# The `visual_agreement_L*` columns say how well the similarity of each character's (mean)
# representation at a layer follows the pixel similarity of the glyphs: by construction high at the
# input for glyphs, and the layers show how much of it survives. `wordsim_spearman` probes the last
# layer with WordSim-353 (cosine of mean hidden states of each word). A model of 0.1M parameters
# trained for minutes says nothing about MMLU, where the paper's claim lives; it does show whether a
# frozen, meaning-free input layer slows learning compared with a trainable one, and whether the
# visual structure of the glyphs matters (glyphs vs shuffled glyphs vs random vectors).

# %% [markdown]
# ## 3. Embeddings as labels for a diffusion model
#
# The noise schedule first: the variance of x_t given x_0 is 1 - abar_t.

# %%
sched = diffusion.Schedule()
px.line(x=np.arange(sched.steps), y=1 - sched.abar.numpy(), labels={"x": "t", "y": "Var(x_t | x_0)"},
        title="Linear schedule: variance of x_t given x_0")

# %%
if SMOKE:
    gen = run_embedding_labels(diffusion.DiffusionConfig.smoke(), digits.ContrastiveConfig(steps=20, batch_size=64),
                               n_eval=40)
else:
    gen = run_embedding_labels()
gen["table"].round(3)

# %%
gen["augmentation"].round(3)

# %%
images = np.concatenate([gen["images"][k][:10] for k in ("embedding", "label", "none")])
px.imshow(images.reshape(3, 10, 8, 8).transpose(0, 2, 1, 3).reshape(24, 80), color_continuous_scale="gray",
          title="Generated: conditioned on embeddings (top), labels (middle), nothing (bottom)")

# %% [markdown]
# The large-image idea at toy scale: a 16x16 canvas from a 2x2 grid of embeddings, as plain tiles
# or as a 3x3 grid of overlapping patches whose predictions are averaged at every step. The seam
# ratio is the mean pixel step across the tile boundaries over the mean step elsewhere. A caveat
# of the toy: a digit has a blank border, so plain tiles of digits meet on background and score a
# low ratio (compare the real digits tiled), while averaged overlapping patches put strokes across
# the boundaries. The measure means more on texture-like images such as the paper's tissue and
# satellite patches, where plain tiles show visible seams.

# %%
gen["mosaic"].round(3)

# %%
px.imshow(np.concatenate([gen["mosaics"]["plain"], np.full((16, 2), -1.0), gen["mosaics"]["overlap"]], axis=1),
          color_continuous_scale="gray", title="Plain tiles (left) and overlapping patches averaged (right)")

# %% [markdown]
# **What this can and cannot say.** The paper's claims are about 256x256 pathology and satellite
# patches, pretrained SSL encoders and FID. On 8x8 digits with a 16-d contrastive MLP, the checks
# that carry over are directional: do generated images follow their conditioning embeddings better
# than unconditioned samples, does a fixed classifier recognise them, does augmenting a small
# labelled set help, and do overlapping patches remove seams. A label-conditioned model needs two
# or more classes:

# %%
try:
    diffusion.condition_vectors("label", labels=np.zeros(10, int))
except ValueError as err:
    print(err)
