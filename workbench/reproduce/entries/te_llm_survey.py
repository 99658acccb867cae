"""LLMs as text embedders (Nie et al. 2024): an LLM must be adapted before it embeds well."""

from __future__ import annotations

from ..common import bar_figure, compare_sts, sts_cosines
from ..registry import Outcome, Paper, Reproduction
from ..sidebyside import side_by_side
from ..verdicts import decide, same_sign

UNTUNED = {"last token": dict(pooling="last"), "mean": dict(pooling="mean"),
           "PromptEOL + last token": dict(pooling="last", prompt="prompteol")}


def run(smoke: bool) -> Outcome:
    from scipy.stats import spearmanr  # noqa: PLC0415

    import workbench as wb  # noqa: PLC0415

    cos = {}
    smol = wb.load_encoder("smollm2")
    for label, opts in UNTUNED.items():
        cos[f"smollm2 (untuned), {label}"], gold = sts_cosines(smol, smoke, max_length=128, **opts)
    cos["minilm (contrastively trained), mean"], _ = sts_cosines(wb.load_encoder("minilm"), smoke, max_length=128)
    rho = {label: float(spearmanr(c, gold).statistic) for label, c in cos.items()}
    best_untuned = max((k for k in rho if k.startswith("smollm2")), key=rho.get)  # the untuned LLM's best chance
    test_ = compare_sts(cos["minilm (contrastively trained), mean"], cos[best_untuned], gold)
    verdict, reason = decide(None, same_sign([test_["difference"]], [1.0]) and test_["p_value"] < 0.05)
    reason += (f" (minilm - best untuned smollm2 [{best_untuned.split(', ')[1]}] = {test_['difference']:+.3f} "
               f"Spearman, paired p = {test_['p_value']:.3g})")
    rows = [{"quantity": "spearman", "setting": label, "ours": r, "unit": "Spearman (-1..1)"}
            for label, r in rho.items()]
    rows.append({"quantity": "tuned_encoder_minus_untuned_llm", "setting": "sts", "ours": test_["difference"],
                 "unit": "sign"})
    figure = bar_figure(list(rho), list(rho.values()), yaxis="Spearman",
                        title="A 22M trained encoder against a 135M untuned decoder: Lee document pairs")
    return Outcome(side_by_side(rows, ENTRY.published), verdict, reason, figure, seeds=(0,),
                   details={"p_value": test_["p_value"], "best_untuned": best_untuned, "n_pairs": int(len(gold))})


ENTRY = Reproduction(
    name="te_llm_survey",
    paper=Paper("When Text Embedding Meets Large Language Model: A Comprehensive Survey",
                "Nie, Feng, Li, Zhang, Zhang, Long, Zhang", 2024, "2412.09165"),
    claim="An LLM used as an embedder without adaptation is beaten by a much smaller encoder trained contrastively "
          "for embedding.",
    rule="direction reproduced when all-MiniLM-L6-v2 (trained for embedding) beats the best of three untuned SmolLM2 "
         "poolings on the Lee document pairs (Spearman, paired permutation p < 0.05)",
    scale="a 22M-parameter trained encoder against a 135M-parameter decoder on 1,225 Lee pairs; the survey discusses "
          "7B-scale models on MTEB, so only the direction is comparable",
    run=run,
    published="te_llm_survey",
    minutes=1.0,
)
