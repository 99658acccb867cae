"""The training loop on a tiny BERT: loss goes down, runs repeat bit for bit, resume, gradient caching, export."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from workbench.datasets import RetrievalDataset
from workbench.encoder import Encoder
from workbench.train import TrainPairs
from workbench.train.loop import TrainConfig, build_loss, embed, train
from workbench.train.losses import info_nce

WORDS = ["cat", "dog", "tree", "car", "river", "bread", "piano", "cloud", "stone", "lamp", "shoe", "apple",
         "train", "book", "chair", "fish"]
PAIRS = TrainPairs("toy", [f"what is a {w}?" for w in WORDS], [f"a {w} is a {w}" for w in WORDS])


def tiny_encoder(tokenizer, dropout: float = 0.1, seed: int = 0) -> Encoder:
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128, hidden_dropout_prob=dropout,
                     attention_probs_dropout_prob=dropout)
    return Encoder(BertModel(cfg).eval(), tokenizer, name="tiny", identity=f"tiny-bert-{seed}-{dropout}",
                   pooling="mean", max_length=32)


@pytest.fixture(scope="module")
def tiny(minilm):
    return tiny_encoder(minilm.tokenizer)


def _weights(enc: Encoder) -> dict:
    return {k: v.clone() for k, v in enc.model.state_dict().items()}


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def _batch_loss(enc: Encoder) -> float:
    with torch.no_grad():
        return float(info_nce(embed(enc, PAIRS.queries), embed(enc, PAIRS.positives)))


def test_training_lowers_the_loss_and_leaves_the_base_alone(tiny):
    before = _weights(tiny)
    res = train(tiny, PAIRS, steps=30, batch_size=8, lr=3e-3, warmup=0.0, show_progress=False)
    assert _same(before, _weights(tiny))  # the base encoder is untouched
    assert res.steps == 30 and res.stopped == "steps"
    assert _batch_loss(res.encoder) < 0.5 * _batch_loss(tiny)
    assert res.encoder.identity != tiny.identity  # vectors of the trained model never mix in the cache


def test_same_seed_same_weights_bit_for_bit(tiny):
    a = train(tiny, PAIRS, steps=4, batch_size=4, lr=1e-3, seed=3, show_progress=False)
    b = train(tiny, PAIRS, steps=4, batch_size=4, lr=1e-3, seed=3, show_progress=False)
    c = train(tiny, PAIRS, steps=4, batch_size=4, lr=1e-3, seed=4, show_progress=False)
    assert _same(_weights(a.encoder), _weights(b.encoder))
    assert [h["loss"] for h in a.history] == [h["loss"] for h in b.history]
    assert not _same(_weights(a.encoder), _weights(c.encoder))


def test_resume_continues_from_the_saved_step(tiny, tmp_path):
    cfg = TrainConfig(steps=6, batch_size=4, lr=1e-3, seed=1, checkpoint_every=3, grad_accum=2)
    straight = train(tiny, PAIRS, cfg, out_dir=tmp_path / "a", show_progress=False)
    # a session that ends after step 3 (as an interruption would, after the checkpoint), then a resume
    first = train(tiny, PAIRS, cfg, out_dir=tmp_path / "b", show_progress=False, until=3)
    assert first.steps == 3 and first.stopped == "until"
    assert (tmp_path / "b" / "checkpoint" / "model.safetensors").is_file()
    resumed = train(tiny, PAIRS, cfg, out_dir=tmp_path / "b", resume=True, show_progress=False)
    assert resumed.steps == 6 and [h["step"] for h in resumed.history] == [1, 2, 3, 4, 5, 6]
    assert _same(_weights(straight.encoder), _weights(resumed.encoder))
    with pytest.raises(ValueError, match="batch_size"):
        train(tiny, PAIRS, cfg, out_dir=tmp_path / "b", resume=True, batch_size=8, show_progress=False)


def test_gradient_caching_matches_a_full_batch_step(minilm):
    enc = tiny_encoder(minilm.tokenizer, dropout=0.0)
    full = train(enc, PAIRS, steps=2, batch_size=8, lr=1e-3, show_progress=False)
    cached = train(enc, PAIRS, steps=2, batch_size=8, lr=1e-3, chunk_size=3, show_progress=False)
    wa, wb = _weights(full.encoder), _weights(cached.encoder)
    assert max(float((wa[k] - wb[k]).abs().max()) for k in wa) < 1e-5
    assert full.history[0]["loss"] == pytest.approx(cached.history[0]["loss"], abs=1e-5)


def test_matryoshka_2d_hard_negatives_and_mixing_run(tiny):
    negs = [[PAIRS.positives[(i + 1) % len(PAIRS)], PAIRS.positives[(i + 2) % len(PAIRS)]] for i in range(len(PAIRS))]
    pairs = TrainPairs("toy", PAIRS.queries, PAIRS.positives, negatives=negs)
    res = train(tiny, pairs, steps=2, batch_size=4, matryoshka_dims=(32, 8), matryoshka_layers=2, mix_negatives=2,
                chunk_size=5, show_progress=False)
    assert res.steps == 2 and np.isfinite([h["loss"] for h in res.history]).all()


def test_weighted_matryoshka_loss_is_the_weighted_sum_of_truncated_losses(tiny):
    torch.manual_seed(0)
    q, d = torch.randn(6, 32), torch.randn(6, 32)
    dims, weights = (32, 16, 8), (0.5, 1.0, 2.0)
    cfg = TrainConfig(matryoshka_dims=dims, matryoshka_weights=weights, temperature=0.1)
    expected = sum(w * info_nce(q[:, :k], d[:, :k], temperature=0.1) for k, w in zip(dims, weights))
    torch.testing.assert_close(build_loss(cfg, 32)(q, d), expected)
    plain = build_loss(TrainConfig(matryoshka_dims=dims, temperature=0.1), 32)(q, d)
    torch.testing.assert_close(plain, sum(info_nce(q[:, :k], d[:, :k], temperature=0.1) for k in dims))
    a = train(tiny, PAIRS, steps=2, batch_size=4, matryoshka_dims=dims, matryoshka_weights=weights, show_progress=False)
    b = train(tiny, PAIRS, steps=2, batch_size=4, matryoshka_dims=dims, show_progress=False)
    assert a.history[0]["loss"] != pytest.approx(b.history[0]["loss"])  # the weights reach the training loss


def test_evaluation_early_stopping_keeps_the_best(tiny):
    ds = RetrievalDataset("toy", {f"d{i}": t for i, t in enumerate(PAIRS.positives)},
                          {f"q{i}": t for i, t in enumerate(PAIRS.queries)},
                          {f"q{i}": {f"d{i}": 1} for i in range(len(PAIRS))})
    res = train(tiny, PAIRS, steps=6, batch_size=8, lr=5e-3, eval_every=2, eval_set=ds, patience=5,
                show_progress=False)
    assert [e["step"] for e in res.evals] == [0, 2, 4, 6]
    assert res.best_metric == max(e["ndcg@10"] for e in res.evals)
    from workbench.evaluate import evaluate_retrieval

    again = evaluate_retrieval(res.encoder, ds, n_resamples=0, cache=False, max_length=128)["ndcg@10"]
    assert again == pytest.approx(res.best_metric, abs=1e-9)


@pytest.mark.parametrize("kwargs,match", [
    (dict(pairs=TrainPairs("empty", [], [])), "empty"),
    (dict(pairs=TrainPairs("one", ["a"], ["b"])), "single pair"),
    (dict(batch_size=1), "batch of one"),
    (dict(matryoshka_dims=(64, 16)), r"1\.\.32"),
    (dict(loss="cosent"), "pairs; loss must be one of"),
    (dict(eval_every=2), "no eval_set"),
    (dict(matryoshka_dims=(32, 8), matryoshka_weights=(1.0,)), "1 matryoshka_weights for 2"),
    (dict(matryoshka_weights=(1.0,)), "needs matryoshka_dims"),
    (dict(matryoshka_dims=(32, 8), matryoshka_weights=(1.0, -1.0)), "must be >= 0"),
])
def test_bad_input(tiny, kwargs, match):
    pairs = kwargs.pop("pairs", PAIRS)
    with pytest.raises(ValueError, match=match):
        train(tiny, pairs, steps=1, show_progress=False, **kwargs)


def test_mismatched_pair_lists():
    with pytest.raises(ValueError, match="3 queries but 2 positives"):
        TrainPairs("bad", ["a", "b", "c"], ["x", "y"])


def test_export_round_trips_through_sentence_transformers(tiny, tmp_path):
    from sentence_transformers import SentenceTransformer

    import workbench as wb
    from workbench.train.export import save_model

    trained = train(tiny, PAIRS, steps=2, batch_size=4, show_progress=False).encoder
    folder = save_model(trained, tmp_path / "tiny-model", matryoshka_dims=[32, 16])
    texts = ["what is a cat?", "a longer sentence about rivers and stones", "x"]
    ours = trained.encode(texts, cache=False)
    again = wb.load_encoder(folder).encode(texts, cache=False)
    st = SentenceTransformer(str(folder), device="cpu").encode(texts, convert_to_numpy=True)
    assert np.abs(ours - again).max() < 1e-5
    assert np.abs(ours - st).max() < 1e-5
    with pytest.raises(FileExistsError):
        save_model(trained, folder)


@pytest.mark.slow
def test_a_decoder_trains_on_the_vectors_it_is_evaluated_on(smollm2, monkeypatch):
    """Training embeds through the encoder's own forward pass: decoder position ids and padding included."""
    import workbench.train.loop as loop

    seen = []

    def recording_embed(encoder, texts, **kw):
        out = embed(encoder, texts, **kw)
        before = encoder.encode(list(texts), normalize=False, max_length=kw["max_length"], cache=False,
                                show_progress=False)  # the weights this step starts from
        seen.append(float(np.abs(out.detach().numpy() - before).max()))
        return out

    monkeypatch.setattr(loop, "embed", recording_embed)
    monkeypatch.setattr(smollm2.tokenizer, "padding_side", "left")  # decoders' usual side: positions must not shift
    texts = ["a cat", "the dog ran after a much longer ball", "why?", "one two three four five six"]
    pairs = TrainPairs("toy", texts, texts[::-1])
    train(smollm2, pairs, TrainConfig(steps=2, batch_size=4, max_length=16, lr=1e-4, warmup=0.0),
          show_progress=False, plot=False)
    assert len(seen) == 4 and max(seen) < 1e-5, seen
