"""Embeddings as labels for generation: the study that compares the three conditions of a small DDPM.

:func:`run_embedding_labels` trains the contrastive encoder (:mod:`workbench.digits`) on
the training digits without their labels, then one DDPM per condition
(:data:`workbench.diffusion.CONDITIONS`) and measures, on images generated for the
test set's conditions:

- ``embedding_match``: mean cosine between a generated image's embedding and the
  embedding it was conditioned on (for the other conditions: the embedding of the test
  image whose label or slot it was generated for), with a shuffled-pairs baseline;
- ``classifier_accuracy``: a fixed logistic regression (trained on all real training
  digits) scoring generated images against their source image's label;
- ``frechet``: Fréchet distance between generated and real test embeddings;
- ``augmentation``: accuracy of a classifier on a small labelled set, and on that set
  plus generated images (labelled by their source), on the real test set;
- ``mosaic``: the seam ratio of a 16x16 canvas from a 2x2 grid of embeddings, plain
  tiles against overlapping patches averaged.

Left out: image sizes past 8x8 and more than one seed per model (the notebook shows
how to add seeds).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .diffusion import CONDITIONS, DiffusionConfig, condition_vectors, mosaic, sample, seam_ratio, train_diffusion
from .digits import ContrastiveConfig, frechet_distance, load_digits_scaled, train_contrastive

__all__ = ["run_embedding_labels"]


def _classifier(X, y):
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    return LogisticRegression(max_iter=2000).fit(X.reshape(len(X), -1), y)


def run_embedding_labels(cfg: DiffusionConfig | None = None, enc_cfg: ContrastiveConfig | None = None, *,
                         n_eval: int = 300, per_class: int = 5, seed: int = 0,
                         show_progress: bool | None = None) -> dict:
    """Train and measure the three conditions; returns ``table``, ``augmentation``, ``mosaic``, images, ``sizes``."""
    cfg = cfg or DiffusionConfig()
    Xtr, ytr, Xte, yte = load_digits_scaled(seed)
    enc, enc_losses = train_contrastive(Xtr, enc_cfg, seed=seed, show_progress=show_progress)
    Etr, Ete = enc.embed(Xtr), enc.embed(Xte)
    clf = _classifier(Xtr, ytr)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(Xte), size=min(n_eval, len(Xte)), replace=False)
    small = np.concatenate([rng.choice(np.flatnonzero(ytr == k), per_class, replace=False) for k in range(10)])
    base_acc = float(_classifier(Xtr[small], ytr[small]).score(Xte.reshape(len(Xte), -1), yte))
    shuffled = rng.permutation(len(pick))
    rows, aug, images, models = [], [], {}, {}
    for kind in CONDITIONS:
        C = condition_vectors(kind, embeddings=Etr, labels=ytr, n_classes=10)
        model, losses = train_diffusion(Xtr, C, cfg, seed=seed, show_progress=show_progress)
        models[kind] = model
        Ceval = condition_vectors(kind, embeddings=Ete[pick], labels=yte[pick], n_classes=10)
        G = sample(model, Ceval, cfg.schedule, seed=seed + 1)
        images[kind] = G[:20]
        Eg = enc.embed(G)
        acc = float(clf.score(G.reshape(len(G), -1), yte[pick])) if kind != "none" else float("nan")
        rows.append({"condition": kind,
                     "embedding_match": float((Eg * Ete[pick]).sum(1).mean()),
                     "embedding_match_shuffled": float((Eg * Ete[pick][shuffled]).sum(1).mean()),
                     "classifier_accuracy": acc,
                     "frechet": frechet_distance(Eg, Ete),
                     "final_loss": float(np.mean(losses[-50:]))})
        if kind != "none":
            reps = 4
            Csmall = condition_vectors(kind, embeddings=np.repeat(Etr[small], reps, 0),
                                       labels=np.repeat(ytr[small], reps), n_classes=10)
            Gs = sample(model, Csmall, cfg.schedule, seed=seed + 2)
            Xa = np.concatenate([Xtr[small], Gs])
            ya = np.concatenate([ytr[small], np.repeat(ytr[small], reps)])
            aug.append({"condition": kind, "labelled": len(small), "generated": len(Gs),
                        "accuracy_real_only": base_acc,
                        "accuracy_augmented": float(_classifier(Xa, ya).score(Xte.reshape(len(Xte), -1), yte))})
    real = {"condition": "real test images", "embedding_match": 1.0,
            "embedding_match_shuffled": float((Ete[pick] * Ete[pick][shuffled]).sum(1).mean()),
            "classifier_accuracy": float(clf.score(Xte[pick].reshape(len(pick), -1), yte[pick])),
            "frechet": frechet_distance(Etr, Ete), "final_loss": float("nan")}
    rows.append(real)
    tiles = Ete[pick[:4]].reshape(2, 2, -1)
    plain = mosaic(models["embedding"], tiles, cfg.schedule, stride=8, seed=seed)
    inner = tiles.repeat(2, 0).repeat(2, 1)  # a 4x4 grid of the 2x2 embeddings, averaged to 3x3 overlaps
    over = (inner[:-1, :-1] + inner[1:, :-1] + inner[:-1, 1:] + inner[1:, 1:]) / 4
    over = over / np.linalg.norm(over, axis=-1, keepdims=True)
    blended = mosaic(models["embedding"], over, cfg.schedule, stride=4, seed=seed)
    mos = pd.DataFrame([{"mosaic": "plain tiles (2x2, stride 8)", "seam_ratio": seam_ratio(plain)},
                        {"mosaic": "overlapping patches averaged (3x3, stride 4)", "seam_ratio": seam_ratio(blended)},
                        {"mosaic": "real digits tiled (2x2)",
                         "seam_ratio": seam_ratio(np.block([[Xte[pick[0]], Xte[pick[1]]],
                                                            [Xte[pick[2]], Xte[pick[3]]]]))}])
    return {"table": pd.DataFrame(rows), "augmentation": pd.DataFrame(aug), "mosaic": mos,
            "images": images, "mosaics": {"plain": plain, "overlap": blended}, "encoder_losses": enc_losses,
            "sizes": {"train": len(Xtr), "test": len(Xte), "generated_per_model": len(pick),
                      "labelled_small": len(small), "diffusion_steps": cfg.steps, "T": cfg.schedule.steps}}
