"""LLMs as embedders, direct prompting (Tao et al. 2024): a one-word prompt beats the plain last token."""

from __future__ import annotations

import math

from ..common import bar_figure, compare_sts, sts_cosines
from ..registry import Outcome, Paper, Reproduction
from ..sidebyside import side_by_side
from ..verdicts import decide, same_order

CONFIGS = {  # label (the setting in data/published/llm_embedders_survey.csv) -> encode options for smollm2
    "last token": dict(pooling="last"),
    "mean": dict(pooling="mean"),
    "PromptEOL + last token": dict(pooling="last", prompt="prompteol"),
}
LAST, EOL = "last token", "PromptEOL + last token"


def run(smoke: bool) -> Outcome:
    from scipy.stats import spearmanr  # noqa: PLC0415

    import workbench as wb  # noqa: PLC0415

    enc = wb.load_encoder("smollm2")
    cos = {}
    for label, opts in CONFIGS.items():
        cos[label], gold = sts_cosines(enc, smoke, max_length=128, **opts)
    test_ = compare_sts(cos[EOL], cos[LAST], gold)
    rho = {label: 100 * float(spearmanr(c, gold).statistic) for label, c in cos.items()}
    rows = [{"quantity": "spearman", "setting": label, "ours": r, "unit": "Spearman x100"} for label, r in rho.items()]
    rows += [{"quantity": "mteb_average", "setting": label, "ours": math.nan, "unit": "MTEB score (theirs only)"}
             for label in CONFIGS]
    rows.append({"quantity": "prompteol_minus_last", "setting": "sts", "ours": 100 * test_["difference"],
                 "unit": "sign (ours: Spearman x100)"})
    table = side_by_side(rows, ENTRY.published)
    mteb = table[table["quantity"] == "mteb_average"].set_index("setting")["theirs"]
    sts = table[table["quantity"] == "spearman"].set_index("setting")
    claim = same_order([rho[LAST], rho[EOL]], [mteb[LAST], mteb[EOL]])
    verdict, reason = decide(None, claim and test_["p_value"] < 0.05)
    order = same_order([rho[k] for k in CONFIGS], [mteb[k] for k in CONFIGS])
    reason += (f" (PromptEOL - last token = {100 * test_['difference']:+.1f} Spearman x100, paired p = "
               f"{test_['p_value']:.3g}; Springer et al. 2024, Mistral-7B: PromptEOL {mteb[EOL]:.2f} vs last token "
               f"{mteb[LAST]:.2f} MTEB average). Ordering of the three poolings (paper: last token < mean < PromptEOL "
               f"on the MTEB average): ours {' < '.join(sorted(rho, key=rho.get))}, "
               f"{'the same' if order else 'not the same'}; on STS the paper has PromptEOL "
               f"{sts.loc[EOL, 'theirs']:.2f} over mean {sts.loc['mean', 'theirs']:.2f}, ours "
               f"{rho[EOL]:.1f} vs {rho['mean']:.1f}")
    figure = bar_figure(list(rho), list(rho.values()), yaxis="Spearman x100",
                        title="An untuned decoder as embedder: Lee document pairs (smollm2, last layer)")
    return Outcome(table, verdict, reason, figure, seeds=(0,),
                   details={"p_value": test_["p_value"], "n_pairs": int(len(gold)), "same_order_as_paper": order})


ENTRY = Reproduction(
    name="llm_embedders_survey",
    paper=Paper("LLMs are Also Effective Embedding Models: An In-depth Overview",
                "Tao, Shen, Gao, Zhang, Li, Hua, Hu, Tao, Ma", 2024, "2412.12591"),
    claim="Without any tuning, a prompt that asks an LLM to compress a text into one word (PromptEOL) gives better "
          "embeddings than the plain last-token state.",
    rule="direction reproduced when PromptEOL ranks above the plain last token as in the published numbers (Springer "
         "et al. 2024, Mistral-7B-Instruct zero-shot: PromptEOL 43.69 vs last token 31.94 MTEB average, Tables 1 and "
         "4) and our difference on the Lee document pairs is significant (Spearman, paired permutation p < 0.05). "
         "The ordering of all three poolings (theirs: last token < mean < PromptEOL) and the STS pair (theirs: "
         "PromptEOL 67.14 over mean 57.07) are reported beside it and do not enter the verdict.",
    scale="SmolLM2-135M-Instruct (4-bit GGUF dequantised) on the 1,225 Lee document pairs (50 news documents, cut to "
          "128 tokens) against Mistral-7B-Instruct on MTEB (56 datasets; its STS category for the Spearman rows; "
          "last-token pooling is printed only as the 56-dataset average). The survey itself prints no number for this "
          "comparison in the copies we could read; its claim stays a sign. A 50x smaller model on news documents: "
          "orderings and signs are comparable, magnitudes are not.",
    run=run,
    published="llm_embedders_survey",
    minutes=1.0,
)
