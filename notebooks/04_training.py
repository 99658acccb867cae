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
# # The training lab: fine-tuning an embedding model on a CPU
#
# Half of the embedding papers we read are training recipes. This notebook tries the
# main ones on a real model and real data, in minutes on a laptop CPU, and measures each
# effect with a confidence interval and a paired significance test:
#
# 1. a fixed, non-overlapping train/test split of a real retrieval set (Python docstring -> function code);
# 2. the base model, `all-MiniLM-L6-v2`, on the held-out queries;
# 3. fine-tuning with the multiple-negatives ranking loss (InfoNCE with in-batch negatives);
# 4. the same with hard negatives mined by the model itself, behind an adaptive margin;
# 5. Matryoshka training: one model that still works when its vectors are cut to 64 or 32 numbers;
# 6. 2D Matryoshka: also cut the depth, and look at the whole (layer x dim) grid;
# 7. exporting the model so that sentence-transformers loads it.

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
DATA = "python-docstrings"
N_TRAIN = 32 if SMOKE else None  # training pairs (None: the whole training split)
N_TEST = 16 if SMOKE else None  # held-out queries (None: all)
STEPS = 2 if SMOKE else 120  # optimizer steps per run (about 600 s on 2 idle cores)
MAX_SECONDS = None if SMOKE else 600  # and at most this much training time per run
BATCH = 8 if SMOKE else 32
MAX_LENGTH = 64  # tokens per text, for training and evaluation alike
DIMS = (384, 256, 128, 64, 32)
MRL_WEIGHTS = (1.0, 1.0, 1.5, 6.0, 3.0)  # Matryoshka loss weight per width: the small widths count more
MRL_LR = 4e-4  # the Matryoshka run moves the weights further in the same few steps
UPDATE_STEPS = 2 if SMOKE else 40  # the update on a new task, for drift compensation
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import tempfile

import numpy as np
import pandas as pd
import plotly.express as px

import workbench as wb
from workbench.evaluate import evaluate_retrieval, stats
from workbench.train import mine_hard_negatives, training_split
from workbench.train.export import save_model
from workbench.train.loop import TrainConfig, train

# %% [markdown]
# ## 1. Training pairs with a fixed split
# `training_split` holds out about 20% of the queries. Which ones is fixed by a hash of
# the query id — not by a seed or the load order — and the test corpus holds no document
# that any training pair uses, so nothing leaks from training into the evaluation.

# %%
pairs, test = training_split(DATA, n_train=N_TRAIN, n_test=N_TEST, n_test_docs=N_TEST)
print(f"{len(pairs)} training pairs; {len(test.queries)} held-out queries over {len(test.corpus)} documents")
pd.DataFrame({"query": pairs.queries[:3], "positive": [p[:120] + " ..." for p in pairs.positives[:3]]})

# %% [markdown]
# ## 2. The base model
# Each model is scored once: we keep the query and document vectors, and every
# truncation width is then a cheap re-scoring of the same vectors.

# %%
enc = wb.load_encoder("minilm")


def vectors(model):
    opts = dict(cache=False, max_length=MAX_LENGTH, show_progress=False)
    return model.encode(test.query_texts, **opts), model.encode(test.documents, **opts)


def scores(QX, dim=None):
    return evaluate_retrieval(QX, test, dim=dim, per_query=True)


base_vecs = vectors(enc)
base = {k: scores(base_vecs, k) for k in DIMS}
print(f"base nDCG@10 = {base[384]['ndcg@10']:.3f}, 95% CI {base[384]['ndcg@10_ci']}")

# %% [markdown]
# ## 3. Fine-tuning with in-batch negatives
# Each query must find its own function among the batch's functions (InfoNCE, temperature
# 0.05). A batch never holds the same query twice, so every in-batch negative is a real
# negative. Training stops after `STEPS` steps or `MAX_SECONDS` seconds, whichever comes
# first; in a notebook the loss is drawn live.
#
# For a batch of $B$ pairs $(q_i, d_i)$ the loss (InfoNCE, van den Oord et al. 2018; the
# multiple-negatives ranking loss of Henderson et al. 2017) is the cross-entropy of
# picking $d_i$ among the batch's documents, on cosine similarities scaled by a
# temperature $\tau$:
#
# $$\mathcal{L} = -\frac{1}{B} \sum_{i=1}^{B}
# \log \frac{\exp(\cos(q_i, d_i) / \tau)}{\sum_{j=1}^{B} \exp(\cos(q_i, d_j) / \tau)}.$$
#
# Mined hard negatives (section 4) join the denominator as extra $d_j$.

# %%
config = TrainConfig(steps=STEPS, batch_size=BATCH, lr=1e-4, max_length=MAX_LENGTH, max_seconds=MAX_SECONDS)
runs = {}
runs["mnrl"] = train(enc, pairs, config)
print(f"{runs['mnrl'].steps} steps in {runs['mnrl'].seconds:.0f} s")

# %% [markdown]
# ## 4. With mined hard negatives
# The base model ranks every training function for every training query; the best-ranked
# functions that are not the answer become hard negatives — unless they score above 95%
# of the answer's own score, in which case they are likely unlabelled answers (the
# adaptive margin of LG-ANNA) and are dropped.

# %%
mined = mine_hard_negatives(enc, pairs, n_negatives=1, margin=0.95, max_length=MAX_LENGTH, cache=False)
print("query:", mined.queries[0], "\nhard negative:", mined.negatives[0][0][:200])
runs["mnrl + hard negatives"] = train(enc, mined, config)

# %% [markdown]
# ## 5. Matryoshka training
# The loss is summed over the widths 384, 256, 128, 64 and 32, so the first 64
# coordinates must carry a usable embedding on their own. With a few dozen steps the
# equal-weight sum leaves the small widths behind, so they get more weight (`MRL_WEIGHTS`,
# heaviest at 64) and the run a higher learning rate.
#
# Matryoshka representation learning (Kusupati et al. 2022) applies the loss to the first
# $m$ coordinates of every vector, re-normalised, for each width $m$ in a set $M$, with
# weights $c_m$:
#
# $$\mathcal{L}_{\mathrm{MRL}} = \sum_{m \in M} c_m \, \mathcal{L}\big(q_{1:m}, d_{1:m}\big).$$

# %%
runs["mnrl + matryoshka"] = train(enc, pairs, config, matryoshka_dims=DIMS, matryoshka_weights=MRL_WEIGHTS, lr=MRL_LR)
print(f"{runs['mnrl + matryoshka'].steps} steps in {runs['mnrl + matryoshka'].seconds:.0f} s")

# %% [markdown]
# ## 6. Against the base model, with paired tests
# Per-query nDCG@10 of a fine-tuned model and of the base model on the same held-out
# queries go into a paired permutation test; the interval is a paired bootstrap of the
# difference.
#
# With $\Delta$ the observed difference of mean nDCG@10, the permutation test swaps the two
# systems' scores on each query with probability 1/2, $R$ times, and counts the swapped
# differences at least as large: $p = \big(1 + \#\{r : |\Delta^{*}_r| \ge |\Delta|\}\big) / (1 + R)$.
# The 95% interval is the 2.5th to 97.5th percentile of $\Delta$ over queries resampled
# with replacement (the percentile bootstrap, Efron 1979). The two answer different
# questions, so near the boundary one may exclude zero while the other's $p$ is above 0.05.

# %%
tuned = {name: vectors(run.encoder) for name, run in runs.items()}
rows = []
for name, QX in tuned.items():
    for k in DIMS:
        r = scores(QX, k)
        test_res = stats.paired_test(r["per_query"]["ndcg@10"], base[k]["per_query"]["ndcg@10"])
        rows.append({"model": name, "dim": k, "nDCG@10": r["ndcg@10"], "CI": np.round(r["ndcg@10_ci"], 3),
                     "base": base[k]["ndcg@10"], "difference": test_res["difference"],
                     "diff CI": np.round([test_res["ci_low"], test_res["ci_high"]], 3),
                     "p": test_res["p_value"], "steps": runs[name].steps, "train s": round(runs[name].seconds)})
table = pd.DataFrame(rows)
table[table.dim == 384].round(4)

# %% [markdown]
# **Matryoshka retention**: the share of its own full-width nDCG@10 each model keeps when
# its vectors are cut, and the base model cut the same way.

# %%
retention = table.pivot(index="dim", columns="model", values="nDCG@10").sort_index(ascending=False)
retention["base"] = [base[k]["ndcg@10"] for k in retention.index]
(retention / retention.loc[384]).round(3)

# %% [markdown]
# ## 7. 2D Matryoshka: depth and width
# 2DMSE also sums the loss over the last layers, so a shallower network can serve too.
# The heatmap shows nDCG@10 of the 2D-Matryoshka model minus the base model for every
# (layer, dim) pair: vectors pooled from layer *l* and cut to *k* coordinates.

# %%
run_2d = train(enc, pairs, config, matryoshka_dims=DIMS, matryoshka_layers=3)
layers = range(1, enc.n_layers + 1)


def grid(model):
    opts = dict(cache=False, max_length=MAX_LENGTH, show_progress=False)
    HQ, HX = model.encode_layers(test.query_texts, **opts), model.encode_layers(test.documents, **opts)
    return np.array([[scores((HQ[l], HX[l]), k)["ndcg@10"] for k in DIMS] for l in layers])


gain = grid(run_2d.encoder) - grid(enc)
px.imshow(gain, x=[str(k) for k in DIMS], y=[f"layer {l}" for l in layers], color_continuous_scale="RdBu",
          color_continuous_midpoint=0, text_auto=".3f", labels=dict(x="dim", y="layer", color="ΔnDCG@10"),
          title="2D Matryoshka minus base: nDCG@10 per (layer, dim)")

# %% [markdown]
# ## 8. Export
# A trained model saves as a sentence-transformers folder; `wb.load_encoder(folder)` and
# `SentenceTransformer(folder)` both load it and give the same vectors.

# %%
folder = save_model(runs["mnrl + matryoshka"].encoder, tempfile.mkdtemp() + "/minilm-docstrings",
                    matryoshka_dims=DIMS)
again = wb.load_encoder(folder)
sample = test.query_texts[:4]
print(folder, float(np.abs(again.encode(sample, cache=False) - runs["mnrl + matryoshka"].encoder.encode(
    sample, cache=False)).max()))

# %% [markdown]
# ## A latent-attention head on a frozen backbone
# NV-Embed pools with a small trainable module: every token state asks a question of a
# trainable latent array (cross-attention), passes an MLP, and the results are averaged.
# Here the backbone stays frozen: its token states are computed once, and only the head
# (about 1.5M numbers) is trained on the same training pairs — a fast experiment. The
# head starts as exact mean pooling, so any change is what it learned. Is it better than
# plain mean pooling on the held-out queries? A paired test decides.

# %%
from workbench.train.heads import fit_head, make_head

HEAD_EPOCHS = 1 if SMOKE else 5
head = make_head("latent_attention", enc, n_latents=64)
fit_head(head, enc, pairs, epochs=HEAD_EPOCHS, batch_size=BATCH, max_length=MAX_LENGTH, show_progress=False)
head_opts = dict(cache=False, max_length=MAX_LENGTH, show_progress=False, pooling=head)
head_res = scores((enc.encode(test.query_texts, **head_opts), enc.encode(test.documents, **head_opts)))
head_test = stats.paired_test(head_res["per_query"]["ndcg@10"], base[384]["per_query"]["ndcg@10"])
print(f"loss per epoch: {np.round(head.history_, 3)}")
pd.DataFrame([{"pooling": "mean (base)", "nDCG@10": base[384]["ndcg@10"], "CI": np.round(base[384]["ndcg@10_ci"], 3)},
              {"pooling": "latent attention (trained head)", "nDCG@10": head_res["ndcg@10"],
               "CI": np.round(head_res["ndcg@10_ci"], 3), "difference": head_test["difference"],
               "p": head_test["p_value"]}]).round(4)

# %% [markdown]
# ## Model soup
# A model soup averages the weights of fine-tunes of one base (Wortsman et al. 2022): one
# model, no extra cost at query time. We average the two contrastive fine-tunes, the base
# with one fine-tune (half-way back to the base), and also try the deviation-weighted merge
# (CoDiEmb style), where each weight follows the fine-tune that moved it most.

# %%
from workbench.train.merge import deviation_merge, merged_encoder, uniform_soup

tuned_a, tuned_b = runs["mnrl"].encoder, runs["mnrl + hard negatives"].encoder
soups = {
    "soup(mnrl, hard negatives)": merged_encoder(enc, uniform_soup([tuned_a, tuned_b]), name="soup-ab"),
    "soup(base, mnrl)": merged_encoder(enc, uniform_soup([enc, tuned_a]), name="soup-base-a"),
    "deviation merge(mnrl, hard negatives)": merged_encoder(enc, deviation_merge(enc, [tuned_a, tuned_b]),
                                                            name="dev-ab"),
}
soup_rows = []
for name, QX in [("base", base_vecs), ("mnrl", tuned["mnrl"]),
                 ("mnrl + hard negatives", tuned["mnrl + hard negatives"])] + [(n, vectors(m)) for n, m in soups.items()]:
    r = scores(QX)
    t = stats.paired_test(r["per_query"]["ndcg@10"], base[384]["per_query"]["ndcg@10"])
    soup_rows.append({"model": name, "nDCG@10": r["ndcg@10"], "CI": np.round(r["ndcg@10_ci"], 3),
                      "vs base": t["difference"], "p": t["p_value"]})
pd.DataFrame(soup_rows).round(4)

# %% [markdown]
# ## Query drift compensation
# After fine-tuning, the documents already in the index carry base-model vectors.
# Re-embedding the whole corpus is the expensive part of a model update; query drift
# compensation skips it: a linear map, learned on texts that both models embed (here the
# training pairs' texts, none of them in the test set), carries each new query vector
# into the old space. The table compares the old index searched with raw new queries,
# with mapped ones (least squares, orthogonal Procrustes), and a full re-index;
# `gap_recovered` is the share of the gap between the raw queries and the better of
# a full re-index and the old model that the map closes.

# %%
from workbench.train.drift import drift_report

fit_texts = list(dict.fromkeys(pairs.queries + pairs.positives))
drift = drift_report(enc, runs["mnrl"].encoder, test, fit_texts=fit_texts, alpha=1.0 if SMOKE else 0.0,
                     old_options=dict(max_length=MAX_LENGTH), new_options=dict(max_length=MAX_LENGTH), cache=False)
print(f"map fitted on {len(fit_texts)} texts")
drift.round(4)

# %%
px.bar(drift.reset_index(), x="setting", y="ndcg@10", error_y=drift["ci_high"].values - drift["ndcg@10"].values,
       error_y_minus=drift["ndcg@10"].values - drift["ci_low"].values,
       title="Old index + new queries: raw, mapped, and a full re-index (nDCG@10, 95% CI)")

# %% [markdown]
# Fine-tuning on the index's own task moves queries only a little, so raw new queries
# may already do well against the old index. Query drift compensation was proposed for
# another kind of update (Goswami et al., 2025): training on *new* data, after which the
# model forgets part of the old task. Here the base model is trained on clothing-review
# titles -> reviews, then searches the docstring index it built before. Re-indexing
# would now hurt, so the bar is the old model itself.

# %%
new_task, _ = training_split("clothing-title-review", n_train=N_TRAIN or 2000)
update = train(enc, new_task, TrainConfig(steps=UPDATE_STEPS, batch_size=BATCH, lr=5e-4, max_length=MAX_LENGTH,
                                          max_seconds=MAX_SECONDS))
drift_update = drift_report(enc, update.encoder, test, fit_texts=fit_texts, alpha=1.0 if SMOKE else 0.0,
                            old_options=dict(max_length=MAX_LENGTH), new_options=dict(max_length=MAX_LENGTH),
                            cache=False)
print(f"update: {update.steps} steps on clothing titles -> reviews in {update.seconds:.0f} s")
drift_update.round(4)
