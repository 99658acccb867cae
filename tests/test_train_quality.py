"""Quality floor on held-out real data: a short fine-tune of minilm beats the base model."""

from __future__ import annotations

import pytest

from workbench.evaluate import evaluate_retrieval
from workbench.train import training_split
from workbench.train.loop import train


@pytest.mark.slow
def test_short_finetune_raises_held_out_ndcg(minilm):
    pairs, test = training_split("python-docstrings", n_train=256, n_test=120, n_test_docs=120)
    res = train(minilm, pairs, steps=8, batch_size=32, lr=1e-4, warmup=0.0, max_length=64, show_progress=False)
    opts = dict(n_resamples=0, cache=False, max_length=64, show_progress=False)
    base = evaluate_retrieval(minilm, test, **opts)["ndcg@10"]
    tuned = evaluate_retrieval(res.encoder, test, **opts)["ndcg@10"]
    assert 0.5 < base < 0.95  # the task is neither trivial nor hopeless for the base model
    assert tuned > base  # measured: 0.8323 -> 0.8401 (the full 10-minute run: 0.765 -> 0.817, p < 1e-3)
