"""LLMs as embedders, direct prompting (Tao et al. 2024): a one-word prompt beats the plain last token."""

from __future__ import annotations

from ..common import bar_figure, compare_sts, sts_cosines
from ..registry import Outcome, Paper, Reproduction
from ..sidebyside import side_by_side
from ..verdicts import decide, same_sign

CONFIGS = {  # label -> encode options for smollm2
    "last token": dict(pooling="last"),
    "mean": dict(pooling="mean"),
    "PromptEOL + last token": dict(pooling="last", prompt="prompteol"),
}


def run(smoke: bool) -> Outcome:
    import workbench as wb  # noqa: PLC0415

    enc = wb.load_encoder("smollm2")
    cos = {}
    for label, opts in CONFIGS.items():
        cos[label], gold = sts_cosines(enc, smoke, max_length=128, **opts)
    test_ = compare_sts(cos["PromptEOL + last token"], cos["last token"], gold)
    verdict, reason = decide(None, same_sign([test_["difference"]], [1.0]) and test_["p_value"] < 0.05)
    reason += f" (PromptEOL - last token = {test_['difference']:+.3f} Spearman, paired p = {test_['p_value']:.3g})"
    from scipy.stats import spearmanr  # noqa: PLC0415

    rho = {label: float(spearmanr(c, gold).statistic) for label, c in cos.items()}
    rows = [{"quantity": "spearman", "setting": f"smollm2, {label}", "ours": r, "unit": "Spearman (-1..1)"}
            for label, r in rho.items()]
    rows.append({"quantity": "prompteol_minus_last", "setting": "sts", "ours": test_["difference"], "unit": "sign"})
    figure = bar_figure(list(rho), list(rho.values()), yaxis="Spearman",
                        title="An untuned decoder as embedder: Lee document pairs (smollm2, last layer)")
    return Outcome(side_by_side(rows, ENTRY.published), verdict, reason, figure, seeds=(0,),
                   details={"p_value": test_["p_value"], "n_pairs": int(len(gold))})


ENTRY = Reproduction(
    name="llm_embedders_survey",
    paper=Paper("LLMs are Also Effective Embedding Models: An In-depth Overview",
                "Tao, Shen, Gao, Zhang, Li, Hua, Hu, Tao, Ma", 2024, "2412.12591"),
    claim="Without any tuning, a prompt that asks an LLM to compress a text into one word (PromptEOL) gives better "
          "embeddings than the plain last-token state.",
    rule="direction reproduced when the PromptEOL last-token vectors correlate better with the human scores of the Lee "
         "document pairs than plain last-token vectors (Spearman, paired permutation p < 0.05)",
    scale="SmolLM2-135M-Instruct (4-bit GGUF dequantised) on the 1,225 Lee document pairs (50 news documents, cut to "
          "128 tokens); the surveyed results use 1-70B models on the STS benchmarks, so only the sign is comparable",
    run=run,
    published="llm_embedders_survey",
    minutes=1.0,
)
