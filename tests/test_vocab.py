"""Vocabulary extension: exact mean initialisation, untouched old rows, refusal of known tokens."""

import numpy as np
import pytest
import torch

from workbench import vocab as V


@pytest.fixture(scope="module")
def bulgarian():
    return V.bulgarian_wiki()


def test_base_tokens_are_reproduced_exactly(smollm2, bulgarian):
    tok = smollm2.tokenizer
    base = V.ExtendedTokenizer(tok)
    for text in bulgarian[:5] + ["The cat sat on the mat, didn't it?  x=1"]:
        assert base.encode(text) == tok.encode(text, add_special_tokens=False)


def test_mean_init_equals_hand_computed_mean(smollm2, bulgarian):
    tok, E = smollm2.tokenizer, smollm2.model.get_input_embeddings().weight.detach()
    new = V.choose_new_tokens(tok, bulgarian, 10)
    ext = V.extend(tok, new, base_size=E.shape[0])
    rows = V.init_rows(E, ext, "mean")
    for word, row in zip(new, rows):
        ids = tok.encode(word, add_special_tokens=False)
        assert len(ids) >= 2
        hand = E[ids].double().sum(0) / len(ids)
        np.testing.assert_allclose(row.double().numpy(), hand.numpy(), rtol=0, atol=1e-6)
    assert V.init_rows(E, ext, "random", seed=1).shape == rows.shape


def test_extension_compresses_held_out_text(smollm2, bulgarian):
    tok = smollm2.tokenizer
    ext = V.extend(tok, V.choose_new_tokens(tok, bulgarian[::2], 200))
    held = bulgarian[1::2]
    before = V.fertility(V.ExtendedTokenizer(tok).encode, held)["tokens_per_word"]
    after = V.fertility(V.ExtendedTokenizer(tok, ext).encode, held)["tokens_per_word"]
    assert before > 3.0 and after < 0.85 * before  # SmolLM2 spends >3 tokens per Bulgarian word


def test_known_token_is_refused_with_its_id(smollm2):
    tok = smollm2.tokenizer
    known = tok.convert_ids_to_tokens(tok.encode(" the", add_special_tokens=False))[0]
    with pytest.raises(ValueError, match=rf"already has ' the' \(id {tok.get_vocab()[known]}\)"):
        V.extend(tok, [" the"])
    with pytest.raises(ValueError, match="splits into"):
        V.extend(tok, [" two words"])


def test_training_new_rows_leaves_old_rows_bit_identical(smollm2, bulgarian):
    tok, model = smollm2.tokenizer, smollm2.model
    E = model.get_input_embeddings().weight
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    ext = V.extend(tok, V.choose_new_tokens(tok, bulgarian, 5), base_size=E.shape[0])
    start = V.init_rows(E, ext)
    ids = V.ExtendedTokenizer(tok, ext).encode(" ".join(bulgarian[:3]))
    assert max(ids) >= E.shape[0]  # the stream holds new tokens
    rows, losses = V.train_new_rows(model, E, start, ids, steps=1, length=12, batch_size=1, lr=1e-2)
    assert not torch.equal(rows, start) and np.isfinite(losses).all()
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert all(p.grad is None for p in model.parameters())  # no gradient was kept for an old weight


def test_cli_audit(capsys, tmp_path):
    import json

    from workbench.cli import main

    f = tmp_path / "words.txt"
    f.write_text("ein zwei drei\nvier fünf\n", encoding="utf-8")
    assert main(["vocab", "audit", "--model", "minilm", "--text", "bulgarian-wiki", str(f), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["words"] for r in rows] == [4972, 5] and rows[0]["tokens_per_word"] > 3
    assert main(["vocab", "audit", "--model", "minilm", "--text", "no-such-text"]) == 2
    assert "bulgarian-wiki" in capsys.readouterr().err
