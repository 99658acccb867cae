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
# # Looking at an embedding space
#
# Numbers summarise; pictures show where they come from. This notebook uses three panels,
# each a figure with controls that recompute only what a change touches:
#
# 1. the **Explorer**: choose data set, model, pooling, layer, post-processing and
#    projection, and colour points by their label, an attribute, or a geometric
#    diagnostic computed per point — how often a point is someone's near neighbour
#    (k-occurrence, whose skew is *hubness*), its local intrinsic dimension, its norm;
# 2. **Neighbours**: type a query and see its nearest texts, ringed in the projection;
# 3. **Compare**: two configurations side by side; select points in one and see them in
#    the other, with the difference in their diagnostics and how much their neighbourhoods
#    agree.
#
# A few static figures follow: a cosine-similarity heatmap, the spectrum, and a layer x
# pooling heatmap. The last part turns to large maps: a WebGL map for hundreds of thousands
# of points, selections that come back as DataFrames, search that fades what does not match,
# maps that stay put when new points arrive, and which items moved between two spaces.
# Everything runs offline on packaged data.

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_POINTS = 60 if SMOKE else 2000  # reviews drawn in the Explorer and Neighbours panels
N_COMPARE = 40 if SMOKE else 600  # posts in the Compare panel
METHOD = "pca" if SMOKE else "umap"  # projection of the Explorer
N_LAYER_TEXTS = 20 if SMOKE else 200  # texts for the layer x pooling heatmap
N_LARGE = 300 if SMOKE else 20_000  # reviews on the large map and in the what-moved comparison
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import workbench as wb
from workbench import geometry
from workbench.viz import Compare, Explorer, Neighbours
from workbench.viz.charts import layer_pooling_heatmap, similarity_heatmap, spectrum_figure

enc = wb.load_encoder("minilm")
glove = wb.load_encoder("glove-50d")

# %% [markdown]
# ## 1. The Explorer on women's clothing reviews
# 23,000 real reviews with a rating, a department and a product class. Colour by
# `department` or `rating` to see which of them the model's space organises itself by; switch
# to `k-occurrence` to find the hubs — reviews that are among the ten nearest neighbours of
# unusually many others (short, generic reviews, typically). The table beside the figure
# gives the anisotropy (average cosine), IsoScore, effective rank, TwoNN dimension and hubness
# of the current vectors; change post-processing to `center+normalize` and watch the average
# cosine fall to about zero.
#
# The three less familiar measures, for $n$ vectors in $D$ dimensions:
#
# - **IsoScore** (Rudman et al. 2022): rotate to principal components, take the variances
#   $v$, scale them to $\hat v = \sqrt{D}\, v / \lVert v \rVert$, and measure the defect
#   $\delta = \lVert \hat v - \mathbf{1} \rVert / \sqrt{2 (D - \sqrt{D})}$; then
#   $k = (D - \delta^2 (D - \sqrt{D}))^2 / D$ dimensions are used evenly and
#   $\mathrm{IsoScore} = (k - 1)/(D - 1)$, from 0 (one direction) to 1 (isotropic).
# - **Hubness** (Radovanović et al. 2010): $N_k(x)$ counts the points that have $x$ among
#   their $k = 10$ nearest neighbours; hubness is the skewness
#   $\mathbb{E}[(N_k - \mu)^3] / \sigma^3$ of those counts. Its mean is always $k$; a
#   long right tail means a few hubs are everyone's neighbour.
# - **TwoNN** (Facco et al. 2017): for each point, $\mu = r_2 / r_1$, the ratio of its
#   second- to first-neighbour distance, follows $P(\mu \le x) = 1 - x^{-d}$ on a
#   $d$-dimensional manifold, so $d$ is the slope of $-\log(1 - F(\mu))$ against $\log \mu$.

# %%
explorer = Explorer("clothing-reviews", model=enc, models=[enc, glove], max_points=N_POINTS, method=METHOD,
                    colour_by="department")
explorer

# %% [markdown]
# The panel's state is plain Python: the diagnostics, the stage counters (a colour change
# reruns only the colour stage), and the vectors are all attributes.

# %%
explorer.controls["colour_by"].value = "k-occurrence"
print({k: v for k, v in explorer.counts.items()})
{k: round(v, 3) for k, v in explorer.diagnostics.items()}

# %% [markdown]
# ## 2. Neighbours of a query
# The query is embedded exactly as the points are — same model, pooling, layer, and the
# post-processing fitted on the points — and its top-k neighbours are ringed in the figure.

# %%
neighbours = Neighbours(data="clothing-reviews", model=enc, models=[enc, glove], max_points=N_POINTS,
                        method="pca", colour_by="rating", query="the fabric is thin and see-through", k=8)
neighbours

# %%
neighbours.results

# %% [markdown]
# ## 3. Compare: mean pooling against the `[CLS]` vector
# The same newsgroup posts under MiniLM's mean pooling (left, what it was trained for) and
# its `[CLS]` vector (right). Lasso a cluster on one side to see where it lands on the
# other. The table shows each side's diagnostics, their difference, and the mean Jaccard
# overlap of every post's ten nearest neighbours under the two poolings: 1 would mean the
# two define the same neighbourhoods. For a post $x$ with neighbour sets $A_x$ (mean) and
# $B_x$ (`[CLS]`), the overlap is the Jaccard index (Jaccard, 1912)
# $J = \frac{1}{n} \sum_x |A_x \cap B_x| / |A_x \cup B_x|$.

# %%
compare = Compare("mini-newsgroups", left=dict(model=enc, pooling="mean"), right=dict(model=enc, pooling="cls"),
                  models=[enc, glove], max_points=N_COMPARE)
compare

# %%
compare.frame.round(3)

# %% [markdown]
# ## 4. Static figures
# Cosine similarity of a few posts of each group (the two topics form two blocks), the
# explained-variance spectrum of the Explorer's vectors, and IsoScore over layers and
# pooling modes.

# %%
posts = wb.datasets.load("mini-newsgroups")
few = posts.select(list(range(0, len(posts), max(1, len(posts) // 40)))[:40])
similarity_heatmap(enc.encode(few.texts), few.labels, title="Cosine similarity of 40 posts, grouped by topic")

# %%
spectrum_figure(explorer.vectors.X, top=40, title="Explained-variance spectrum of the clothing-review vectors")

# %%
reviews = wb.datasets.load("pang-lee-polarity").texts[:N_LAYER_TEXTS]
table = geometry.layerwise(enc, reviews, metrics="isoscore", pooling=["cls", "mean", "max"])
layer_pooling_heatmap(table, "isoscore", title="IsoScore of MiniLM's vectors by layer and pooling")

# %% [markdown]
# ## 5. A large map, a selection, a search
# Above 50,000 points the Explorer draws with jupyter-scatter (WebGL; only coordinates and
# colours travel to the browser, a point's text is fetched when its tooltip opens);
# `renderer="jscatter"` asks for it at any size. Lasso points with the toolbar's lasso tool, or
# select them in code; `explorer.selection` is then a DataFrame of the chosen reviews with
# their attributes, map coordinates and per-point diagnostics, and the panel beside the map
# compares the selection with the whole: its IsoScore, TwoNN dimension and hubness, its
# mix of ratings, and the reviews just outside it in the full 384-d space.

# %%
import tempfile
from pathlib import Path

big = Explorer("clothing-reviews", model=enc, models=[enc], max_points=N_LARGE, method="pca",
               colour_by="department", renderer="jscatter")
big

# %%
big.select(big.points.attributes["department"].to_numpy() == "Dresses")
big.selection.head()

# %%
from workbench.maps import selection_report

print(f"{len(big.selection)} of {len(big.points)} reviews selected")

selection_report(big.vectors.X, big.selected)

# %% [markdown]
# A search keeps the context: matching reviews stay bright and the rest fade. Text search
# is a case-insensitive substring; `semantic=True` embeds the query with the same model,
# pooling and post-processing and keeps the `k` nearest; attribute filters combine with it.

# %%
matches = big.find("fabric", rating=[1, 2])
print(f"{len(matches)} low-rated reviews mention the fabric")
near = big.find("runs small, order a size up", semantic=True, k=25)
near[["text", "rating"]].head()

# %% [markdown]
# The map as one self-contained HTML page that opens offline (plotly.js inlined, the arrays in
# binary form: a million points make a page of about 36 MB).

# %%
from workbench.viz.export import map_page

page = map_page(big.coords, Path(tempfile.mkdtemp()) / "reviews_map.html",
                colour=big.points.attributes["department"].astype(str).to_numpy(), colour_name="department",
                texts=big.points.texts, title="Clothing reviews, PCA of MiniLM vectors")
print(page.name, f"{page.stat().st_size / 1e6:.1f} MB")

# %% [markdown]
# ## 6. Stable maps
# A map fitted once places new points without moving the old ones: fit on the first half of
# the reviews, `transform` the second half into the same coordinates, save it to one file.
# How much a layout depends on its seed is measurable: five seeds, each layout rotated and
# scaled onto the first (Procrustes), the mean displacement in units of the map's radius.

# %%
from workbench.maps import StableMap, aligned_projections, most_moved, seed_instability

X_big = big.vectors.X
half = len(X_big) // 2
stable = StableMap(METHOD, seed=0).fit(X_big[:half])
new_coords = stable.transform(X_big[half:])
saved = stable.save(Path(tempfile.mkdtemp()) / "reviews_map.npz")
print(new_coords.shape, "placed into the map saved as", saved.name)
instability, _ = seed_instability(X_big[: min(len(X_big), 2000)], METHOD, k=10)
instability.round(3)

# %% [markdown]
# ## 7. What moved between mean pooling and the `[CLS]` vector
# The same reviews in two spaces: MiniLM's mean pooling and its `[CLS]` vector. The
# neighbourhood-change score, computed in the full spaces, is the share of a review's ten
# nearest neighbours under mean pooling that are not among its ten nearest under `[CLS]`:
# 0 for a review whose company is unchanged, 1 for one that shares none. The two maps are
# aligned, so a point's displacement between them means something: with PCA, the `[CLS]` map
# is rotated onto the mean-pooling map (orthogonal Procrustes); with UMAP, both are laid out
# together by umap-learn's `AlignedUMAP`, each review tied to itself across the two.
#
# The panel links the ranking to the maps: choosing a review in the list marks it (a cross)
# in both maps, rings its ten neighbours in each space and lists them side by side, bold
# where the review kept them; a lasso on either map narrows the list to the reviews inside.

# %%
from workbench.viz import WhatMoved

N_MOVED = min(len(big.points), 300 if SMOKE else 2000)  # reviews in the panel (aligned UMAP is slow)
texts = big.points.texts[:N_MOVED]
A = enc.encode(texts, pooling="mean")
B = enc.encode(texts, pooling="cls")
panel = WhatMoved(A, B, texts=texts, names=("mean", "[CLS]"), method=METHOD, k=10)
change = panel.change
print(f"{N_MOVED} reviews, maps aligned by {'Procrustes-rotated PCA' if METHOD == 'pca' else 'aligned UMAP'}: "
      f"disparity {panel.disparity:.3f}; mean neighbourhood change {change.mean():.2f}, "
      f"{(change == 1).mean():.0%} of reviews keep none of their neighbours")
panel

# %% [markdown]
# The ranking is a DataFrame (`shift` is the distance a review travelled between the two
# aligned maps), and everything the panel does by hand it also does by code: here the list is
# narrowed to the dresses, and the most moved dress is chosen.

# %%
dresses = big.points.attributes["department"].to_numpy()[:N_MOVED] == "Dresses"
panel.filter(dresses)
if len(panel.frame):
    panel.choose(int(panel.frame["row"].iloc[0]))
print(f"{len(panel.frame)} dresses among the {N_MOVED} reviews")
panel.frame.head(5).assign(text=lambda f: f["text"].str[:70])

# %%
print(f"#{panel.chosen}: {texts[panel.chosen][:100]}")
near = panel.neighbour_frame(panel.chosen)
for space in ("mean", "[CLS]"):
    near[space] = [texts[i][:50] for i in near[space]]
near

# %% [markdown]
# ## 8. Stepping through a sequence of spaces
# Two spaces are the simplest case of a sequence: training checkpoints, or the layers of one
# model. `step_maps` aligns the maps of every step (each rotated onto the one before) and
# scores each review's neighbourhood change against the step before (`against="previous"`) or
# the first; `StepViewer` shows one step at a time under a slider, updating the figure in place.
# Here the sequence is MiniLM's layers, mean-pooled: where in the network do a review's
# neighbours settle? The layers' vectors spread very differently, so each map is also scaled
# onto the one before (`scale=True`), and the maps compare shapes, not sizes.

# %%
from workbench.maps import step_maps
from workbench.viz import StepViewer, steps_figure

layers = enc.encode_layers(texts, pooling="mean")  # (layers + 1, n, 384); 0 is the embedding layer
by_layer = step_maps(list(layers), steps=[f"layer {i}" for i in range(len(layers))], k=10, against="previous",
                     scale=True)
viewer = StepViewer(by_layer, texts=texts)
viewer

# %%
summary = by_layer.summary()
calm = summary.iloc[1:]["mean change"].idxmin()
print(f"the neighbourhoods change least from {summary['step'][calm - 1]} to {summary['step'][calm]} "
      f"(mean change {summary['mean change'][calm]:.2f}) and most from "
      f"{summary['step'][summary.iloc[1:]['mean change'].idxmax() - 1]} to "
      f"{summary['step'][summary.iloc[1:]['mean change'].idxmax()]}")
summary.round(3)

# %% [markdown]
# For an export, `steps_figure` puts every step into one static figure with a slider and a
# play button (plotly animation frames), which `write_html` saves as a page that opens offline.
#
# Training checkpoints make the same kind of sequence: `training_spaces` fine-tunes in sessions
# of `every` steps, each ending in a checkpoint the next one resumes from, and encodes the same
# texts before the first step and after each session. Fine-tuning MiniLM takes a few seconds
# per step on a CPU, so this notebook runs it at full size only (40 steps on clothing review
# titles -> reviews, a map every 10).

# %%
page = Path(tempfile.mkdtemp()) / "layers.html"
steps_figure(by_layer, texts=texts).write_html(page, include_plotlyjs=True)
print(page.name, f"{page.stat().st_size / 1e6:.1f} MB")

if not SMOKE:
    from workbench.maps import training_spaces
    from workbench.train import training_split

    tune_pairs, _ = training_split("clothing-title-review", n_train=2000)
    marks, spaces = training_spaces(enc, tune_pairs, texts, every=10, steps=40, batch_size=16, max_length=64)
    by_step = step_maps(spaces, steps=marks, k=10, against="first")
    display(by_step.summary().round(3))  # noqa: F821 - IPython's display
    display(StepViewer(by_step, texts=texts))  # noqa: F821
