"""The role of PLMs (Zhang et al. 2025): contrastive training turns a PLM's narrow cone into a usable space."""

from __future__ import annotations

from ..common import bar_figure
from ..registry import Outcome, Paper, Reproduction
from ..sidebyside import side_by_side
from ..verdicts import decide, same_sign

SEED = 0


def run(smoke: bool) -> Outcome:
    import numpy as np  # noqa: PLC0415

    import workbench as wb  # noqa: PLC0415
    from workbench.geometry import isoscore  # noqa: PLC0415

    texts = wb.datasets.load("lee-background").texts[: 24 if smoke else 300]
    max_length = 64 if smoke else 128
    spaces = {"smollm2 (untrained for embedding), mean": wb.load_encoder("smollm2"),
              "minilm (contrastively trained), mean": wb.load_encoder("minilm")}
    iso, cos = {}, {}
    for label, enc in spaces.items():
        X = enc.encode(texts, pooling="mean", max_length=max_length, normalize=True, show_progress=False)
        iso[label] = float(isoscore(X))
        sims = X @ X.T
        cos[label] = float(sims[np.triu_indices(len(X), 1)].mean())
    diff = iso["minilm (contrastively trained), mean"] - iso["smollm2 (untrained for embedding), mean"]
    lower_cos = cos["minilm (contrastively trained), mean"] < cos["smollm2 (untrained for embedding), mean"]
    verdict, reason = decide(None, same_sign([diff], [1.0]) and lower_cos)
    shown = ", ".join(f"{label.split()[0]} {value:.3f}" for label, value in cos.items())
    reason += f" (IsoScore trained - untrained = {diff:+.3f}; mean cosine {shown})"
    rows = [{"quantity": "isoscore", "setting": label, "ours": v, "unit": "IsoScore (0-1)"} for label, v in iso.items()]
    rows += [{"quantity": "mean_cosine", "setting": label, "ours": v, "unit": "cosine"} for label, v in cos.items()]
    rows.append({"quantity": "isoscore_trained_minus_untrained", "setting": "lee documents", "ours": diff,
                 "unit": "sign"})
    figure = bar_figure(list(iso), list(iso.values()), yaxis="IsoScore (1 = isotropic)",
                        title="Isotropy of mean-pooled document vectors before and after contrastive training")
    return Outcome(side_by_side(rows, ENTRY.published), verdict, reason, figure, seeds=(SEED,),
                   details={"n_texts": len(texts), "mean_cosine": cos})


ENTRY = Reproduction(
    name="plm_survey",
    paper=Paper("On The Role of Pretrained Language Models in General-Purpose Text Embeddings: A Survey",
                "Zhang, Zhang, Zhao, Huang, Hu, Zhang", 2025, "2507.20783"),
    claim="Contrastive training makes a pretrained model's text vectors more isotropic than the raw model's.",
    rule="direction reproduced when the contrastively trained encoder's vectors have the higher IsoScore and the lower "
         "mean pairwise cosine on the same documents",
    scale="two different pretrained models stand in for 'before' and 'after' (SmolLM2-135M untrained for embedding, "
          "all-MiniLM-L6-v2 trained contrastively) on 300 Lee background documents; a same-model before/after pair "
          "is not shipped offline, so the comparison confounds architecture with training. The published side is "
          "a sign: neither the survey nor the works we could read print an isotropy number of one model before and "
          "after contrastive training in a table (SimCSE shows it as a plot only)",
    run=run,
    published="plm_survey",
    minutes=0.5,
)
