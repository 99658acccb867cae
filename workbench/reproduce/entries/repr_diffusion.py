"""Representation-guided diffusion (Graikos et al. 2023): self-supervised embeddings as the labels of a DDPM."""

from __future__ import annotations

import numpy as np

from ..registry import Outcome, Paper, Reproduction
from ..sidebyside import side_by_side
from ..verdicts import decide, same_sign

SEED = 0


def run(smoke: bool) -> Outcome:
    import plotly.express as px  # noqa: PLC0415

    from workbench.diffusion import DiffusionConfig  # noqa: PLC0415
    from workbench.digits import ContrastiveConfig  # noqa: PLC0415
    from workbench.embedding_labels import run_embedding_labels  # noqa: PLC0415

    if smoke:
        result = run_embedding_labels(DiffusionConfig.smoke(), ContrastiveConfig(steps=20, batch_size=64), n_eval=40,
                                      seed=SEED, show_progress=False)
    else:
        result = run_embedding_labels(seed=SEED, show_progress=False)
    t, aug = result["table"].set_index("condition"), result["augmentation"].set_index("condition")
    mos = result["mosaic"]
    rows = []
    for cond, r in t.iterrows():
        rows.append({"quantity": "embedding_match", "setting": cond, "ours": r["embedding_match"], "unit": "cosine"})
        rows.append({"quantity": "classifier_accuracy", "setting": cond, "ours": r["classifier_accuracy"],
                     "unit": "fraction"})
        rows.append({"quantity": "frechet_embedding", "setting": cond, "ours": r["frechet"], "unit": "distance"})
    for cond, r in aug.iterrows():
        rows.append({"quantity": "augmentation_gain", "setting": f"{cond}-conditioned, {int(r['labelled'])} labelled",
                     "ours": r["accuracy_augmented"] - r["accuracy_real_only"], "unit": "accuracy points (0-1)"})
    for r in mos.itertuples():
        rows.append({"quantity": "seam_ratio", "setting": r.mosaic, "ours": r.seam_ratio, "unit": "ratio"})
    gain = float(aug.loc["embedding", "accuracy_augmented"] - aug.loc["embedding", "accuracy_real_only"])
    match = float(t.loc["embedding", "embedding_match"] - t.loc["none", "embedding_match"])
    seams = float(mos["seam_ratio"].iloc[0] - mos["seam_ratio"].iloc[1])
    rows.append({"quantity": "augmentation_gain", "setting": "embedding-conditioned", "ours": gain, "unit": "sign"})
    verdict, reason = decide(None, same_sign([gain, match, seams], [1.0, 1.0, 1.0]))
    reason += (f" (embedding-conditioned: augmentation gain {gain:+.3f} accuracy, embedding match over unconditioned "
               f"{match:+.3f} cosine, seam ratio plain minus overlapping {seams:+.3f})")
    images = np.concatenate([result["images"][k][:8] for k in ("embedding", "label", "none")])
    grid = images.reshape(3, 8, 8, 8).transpose(0, 2, 1, 3).reshape(24, 64)
    figure = px.imshow(grid, color_continuous_scale="gray",
                       title="Generated digits: rows conditioned on embeddings, labels, nothing")
    return Outcome(side_by_side(rows, ENTRY.published), verdict, reason, figure, seeds=(SEED,),
                   details={"sizes": result["sizes"]})


ENTRY = Reproduction(
    name="repr_diffusion",
    paper=Paper("Learned representation-guided diffusion models for large-image generation",
                "Graikos et al.", 2023, "2312.07330"),
    claim="A diffusion model conditioned on self-supervised embeddings instead of labels generates images that "
          "follow their embeddings, augmenting real data with such images helps a classifier, and patches "
          "generated from a grid of embeddings with overlapping updates averaged make a seamless larger image.",
    rule="direction reproduced when, for the embedding-conditioned model, augmenting a 50-image labelled set with "
         "generated images raises test accuracy, generated images' embeddings match their conditions better than "
         "an unconditioned model's, and overlapping patches leave a lower seam ratio than plain tiles",
    scale="an MLP DDPM (T=100) on scikit-learn's 8x8 digits (1,257 training images) conditioned on 16-d embeddings "
          "of a contrastive MLP encoder trained here; the paper trains latent diffusion models on millions of "
          "256x256 histopathology and satellite patches conditioned on large pretrained SSL encoders and reports "
          "FID and classifier accuracy, so only directions are comparable; digits have blank borders, so plain tiles "
          "of digits meet on background and the seam ratio favours them more than it would on texture-like patches",
    run=run,
    published="repr_diffusion",
    minutes=6.0,
)
