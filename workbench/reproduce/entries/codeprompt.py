"""CodePrompt (Ma et al., 2024): prompt-recalled knowledge features for code classification.

The paper wraps the code in a prompt template, reads the language model's knowledge at
the verbaliser position and aggregates several layers with attention, and reports higher
accuracy than the [CLS]-embedding baselines. We read SmolLM2 the same way on the
swapped-operands task from the standard library: the verbaliser logits of a question
template (zero-shot and with a probe), the mean of three layers, against the last
token's hidden state alone. The paper's table values were not available to us as text,
so the published column is empty and the verdict compares the signs of the claimed gaps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..registry import Outcome, Paper, Reproduction
from ..verdicts import decide, same_sign

SEED = 0
SMOKE_MODULES = ["json.decoder", "fractions", "calendar", "heapq", "textwrap", "difflib", "statistics", "ipaddress",
                 "datetime", "shlex", "_pydecimal", "argparse"]
TASK = "swapped-operands"


def run(smoke: bool) -> Outcome:
    import plotly.express as px  # noqa: PLC0415

    from ...learn.code_models import learning_curve  # noqa: PLC0415
    from ...learn.code_tasks import load_code_task  # noqa: PLC0415
    from ...models import load_encoder  # noqa: PLC0415

    n_train, n_test = (24, 16) if smoke else (300, 200)
    splits, _ = load_code_task(TASK, modules=SMOKE_MODULES if smoke else None)
    features = ["smollm2-last", "smollm2-layers", "codeprompt", "codeprompt-zero-shot"]
    res = learning_curve(splits, TASK, features, sizes=(n_train,), n_test=n_test,
                         encoders={"smollm2": load_encoder("smollm2")}, seed=SEED, n_resamples=200)
    acc = res.set_index("feature")["accuracy"]
    gaps = {"multi-layer - last token": acc["smollm2-layers"] - acc["smollm2-last"],
            "prompt logits + probe - last token": acc["codeprompt"] - acc["smollm2-last"]}
    rows = [{"quantity": "accuracy", "setting": f, "ours": float(v), "theirs": np.nan, "unit": "fraction",
             "source": ""} for f, v in acc.items()]
    rows += [{"quantity": "accuracy gap", "setting": k, "ours": float(v), "theirs": np.nan, "unit": "fraction",
              "source": ""} for k, v in gaps.items()]
    verdict, reason = decide(None, same_sign(list(gaps.values()), [1.0] * len(gaps)))
    fig = px.bar(res, x="feature", y="accuracy", error_y=res.ci_high - res.accuracy,
                 error_y_minus=res.accuracy - res.ci_low, title=f"{TASK}: SmolLM2 features and prompt logits")
    return Outcome(pd.DataFrame(rows), verdict, f"{reason} (claimed gaps positive)", fig, (SEED,),
                   {"n_train": n_train, "n_test": n_test, "majority": float(res["majority"].iloc[0])})


ENTRY = Reproduction(
    name="codeprompt",
    paper=Paper("CodePrompt: Improving Source Code-Related Classification with Knowledge Features through Prompt "
                "Learning", "Yong Ma et al.", 2024, "2401.05544"),
    claim="Knowledge recalled by a prompt template at the verbaliser position, aggregated over layers, "
          "classifies code better than a single sentence-embedding vector.",
    rule="direction: multi-layer features and prompt-logit features must both beat the last-token hidden state "
         "(verdicts.same_sign of the accuracy gaps against +1).",
    scale="SmolLM2-135M (4-bit weights, dequantised) instead of CodeBERT; a fixed template and a logistic probe "
          "instead of learned prompts and an attention layer; one task from the standard library with 300 labels; "
          "only the signs compare.",
    run=run,
    published=None,
    minutes=8.0,
)
