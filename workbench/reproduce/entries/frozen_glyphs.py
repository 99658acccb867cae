"""Frozen visual Unicode embeddings (Bochkov 2025): a decoder learns with glyph bitmaps as fixed input vectors."""

from __future__ import annotations

from ... import theme
from ..registry import Outcome, Paper, Reproduction
from ..sidebyside import side_by_side
from ..verdicts import decide, same_sign

SEEDS = (0, 1)


def run(smoke: bool) -> Outcome:
    import plotly.express as px  # noqa: PLC0415

    from workbench.tinylm import TinyLMConfig, run_frozen_glyphs  # noqa: PLC0415

    cfg = TinyLMConfig.smoke() if smoke else TinyLMConfig()
    result = run_frozen_glyphs(cfg, seeds=SEEDS, show_progress=False)
    per_kind = result["table"].groupby("kind", sort=False).mean(numeric_only=True)
    last = max(c for c in per_kind.columns if c.startswith("visual_agreement_L"))
    rows = []
    for kind, r in per_kind.iterrows():
        rows.append({"quantity": "bits_per_char", "setting": kind, "ours": r["bits_per_char"], "unit": "bits/char"})
        rows.append({"quantity": "wordsim_spearman", "setting": kind, "ours": r["wordsim_spearman"],
                     "unit": "Spearman"})
        rows.append({"quantity": "visual_agreement_input", "setting": kind, "ours": r["visual_agreement_L0"],
                     "unit": "Spearman"})
        rows.append({"quantity": "visual_agreement_last_layer", "setting": kind, "ours": r[last],
                     "unit": "Spearman"})
    gap = float(per_kind.loc["trainable", "bits_per_char"] - per_kind.loc["glyph", "bits_per_char"])
    rows.append({"quantity": "frozen_minus_trainable", "setting": "held-out language modelling", "ours": gap,
                 "unit": "sign"})
    verdict, reason = decide(None, same_sign([gap], [1.0]))
    reason += (f" (bits per character, mean of {len(SEEDS)} seeds: trainable "
               f"{per_kind.loc['trainable', 'bits_per_char']:.3f}, frozen glyphs "
               f"{per_kind.loc['glyph', 'bits_per_char']:.3f}, frozen random "
               f"{per_kind.loc['random', 'bits_per_char']:.3f}, "
               f"shuffled glyphs {per_kind.loc['shuffled glyph', 'bits_per_char']:.3f})")
    curves = result["curves"].groupby(["kind", "step"], as_index=False)["bits_per_char"].mean()
    figure = px.line(curves, x="step", y="bits_per_char", color="kind", template=theme.template(),
                     title=f"Tiny decoder on Lee news characters: held-out bits per character "
                           f"(mean of {len(SEEDS)} seeds)")
    return Outcome(side_by_side(rows, ENTRY.published), verdict, reason, figure, seeds=SEEDS,
                   details={"sizes": result["sizes"], "missing_glyphs": result["missing"],
                            "per_seed": result["table"].to_dict(orient="records")})


ENTRY = Reproduction(
    name="frozen_glyphs",
    paper=Paper("Emergent Semantics Beyond Token Embeddings: Transformer LMs with Frozen Visual Unicode "
                "Representations", "Bochkov", 2025, "2507.04886"),
    claim="A transformer LM whose input embeddings are frozen vectors computed from rendered Unicode glyphs trains "
          "as well as, or better than, the same model with trainable embeddings.",
    rule="direction reproduced when the frozen-glyph model's held-out bits per character (mean of two seeds) is "
         "lower than the trainable-embedding model's; the paper's MMLU numbers are shown but not compared",
    scale="a 2-block, 64-wide character-level decoder (about 0.1M parameters) trained for 300 steps of 32x64 "
          "characters on the Lee background news corpus (~320k characters), glyphs of DejaVu Sans reduced by PCA "
          "to 64 dimensions; the paper trains 0.5B-parameter models on 9B tokens with a 131k-token Unicode "
          "vocabulary and reports MMLU, so only the sign of frozen-vs-trainable is comparable, on a different metric",
    run=run,
    published="frozen_glyphs",
    minutes=5.0,
)
