"""SESA (Bogdanova & Yazdani 2017): a supervised map onto named concepts, against ESA and dense cosine."""

from __future__ import annotations

import math

import pandas as pd

from ..registry import Outcome, Paper, Reproduction
from ..verdicts import decide

SEEDS = (0,)


def _figure(table: pd.DataFrame):
    import plotly.graph_objects as go  # noqa: PLC0415

    fig = go.Figure(go.Bar(x=table["system"], y=table["mrr"],
                           error_y={"type": "data", "symmetric": False, "array": table["mrr_hi"] - table["mrr"],
                                    "arrayminus": table["mrr"] - table["mrr_lo"]}))
    fig.update_layout(title="Review title -> review: MRR (95% CI)", yaxis_title="MRR")
    return fig


def run(smoke: bool) -> Outcome:
    import workbench as wb  # noqa: PLC0415
    from workbench.experiments.concept_space import run_concepts  # noqa: PLC0415

    enc = wb.load_encoder("minilm")
    sizes = dict(n_train=300, n_test=60, n_test_docs=200, n_concepts=100, epochs=3, n_resamples=200) if smoke \
        else dict(n_train=3000, n_test=400, n_test_docs=1500, n_concepts=300, epochs=8, n_resamples=1000)
    out = run_concepts(enc, show_progress=False, **sizes)
    rows = []
    for _, r in out["table"].iterrows():
        for metric in ("recall@1", "recall@10", "mrr"):
            rows.append({"quantity": metric, "setting": r["system"], "ours": r[metric], "theirs": math.nan,
                         "unit": "fraction", "source": ""})
    for _, r in out["faithfulness"].iterrows():
        for metric in ("drop_top", "drop_random"):
            rows.append({"quantity": f"score {metric.replace('_', ' ')} (k={r['k']})", "setting": r["system"],
                         "ours": r[metric], "theirs": math.nan, "unit": "cosine", "source": ""})
    verdict, reason = decide(None, None)
    return Outcome(pd.DataFrame(rows), verdict, reason + ": the paper's results are on LinkedIn's job-profile data",
                   _figure(out["table"]), SEEDS,
                   {"sizes": out["sizes"], "examples": out["examples"].to_dict("records")})


ENTRY = Reproduction(
    name="sesa",
    paper=Paper("SESA: Supervised Explicit Semantic Analysis", "Bogdanova and Yazdani", 2017, "1708.03246"),
    claim="A ranking model whose dimensions are explicit, named concepts (trained with a supervised objective) "
          "ranks well while every score can be explained by the concepts behind it.",
    rule="No published number applies (the paper's data is private), so the verdict is 'not comparable'; the "
         "table gives ranking quality of ESA, SESA and dense cosine with 95% intervals, and faithfulness: the score "
         "drop when an explanation's top concepts are removed against as many random shared concepts.",
    scale="Paper: LinkedIn profiles and jobs, skills as the concepts, an RNN encoder trained end to end. Ours: "
          "clothing review titles -> reviews, the 300 most frequent content words as concepts, frozen MiniLM "
          "vectors and only the concept layer trained (3,000 training pairs, 400 test queries against 1,500 "
          "reviews; smoke: 300 pairs, 60 queries). Comparable: whether explanations are faithful and what the "
          "interpretable space costs in ranking quality, not magnitudes.",
    run=run,
    published=None,
    minutes=3.0,
)
