"""Learning embeddings from raw text and code: static vectors, bit codes, multi-sense skip-gram, code tasks."""

from __future__ import annotations

import ast

import numpy as np
import pytest

import workbench as wb
from workbench.learn import code_tasks, hashing
from workbench.learn.binary_pv import BinaryParagraphVectors
from workbench.learn.corpus import load_corpus, tokenize_texts
from workbench.learn.label_retrieval import compare_codes, same_label_metrics
from workbench.learn.multisense import DisambiguatedSkipGram, sgns_loss_reference
from workbench.learn.static_text import random_vectors, train_static
from workbench.learn.word_pairs import evaluate_word_pairs

# ----------------------------------------------------------------- static vectors from raw text


@pytest.mark.parametrize("docs, n", [([], 0), ([["alone"]], 1), ([[], ["alone"]], 1)])
def test_empty_or_one_word_corpus_is_refused_with_the_count(docs, n):
    with pytest.raises(ValueError, match=f"has {n} token"):
        train_static(docs, "skipgram")


def test_unknown_method_lists_the_valid_ones():
    with pytest.raises(ValueError, match="skipgram, cbow, fasttext, pv-dbow, pv-dm"):
        train_static([["a", "b"]], "glove")


@pytest.fixture(scope="module")
def speeches_skipgram():
    corpus = load_corpus(["political-speeches", "lee-background", "mini-newsgroups"])
    return corpus, train_static(corpus.docs, "skipgram", dim=50, window=8, epochs=8, min_count=3, workers=1)


WORDSIM_MARGIN = 0.10  # learned skip-gram must beat random vectors on WordSim-353 by this much (Spearman)


def test_learned_skipgram_beats_random_vectors_on_wordsim(speeches_skipgram):
    corpus, lv = speeches_skipgram
    assert corpus.n_tokens > 250_000
    ws = wb.datasets.load("wordsim353")
    with pytest.warns(UserWarning, match="pairs skipped"):
        learned = evaluate_word_pairs(lv, ws, n_resamples=0)
    rand = evaluate_word_pairs(random_vectors(lv.words, 50), ws, n_resamples=0, warn=False)
    assert learned["n"] == rand["n"] and learned["oov_pairs"] == len(ws) - learned["n"] > 0
    assert learned["spearman"] > rand["spearman"] + WORDSIM_MARGIN


def test_learned_vectors_load_into_an_encoder(speeches_skipgram):
    _, lv = speeches_skipgram
    enc = lv.encoder()
    X = enc.encode(["the people", "zzqx"], normalize=False, cache=False)
    i, j = lv.index["the"], lv.index["people"]
    assert np.allclose(X[0], (lv.vectors[i] + lv.vectors[j]) / 2, atol=1e-6)
    assert not X[1].any() and enc.last_unknown["zzqx"] == 1


def test_fasttext_gives_unseen_words_a_vector_and_doc2vec_infers():
    docs = tokenize_texts(["the rocket reached orbit", "the church holds a service"] * 30)
    ft = train_static(docs, "fasttext", dim=16, min_count=1, epochs=2)
    assert "rockets" not in ft.index and ft.lookup("rockets") is not None
    pv = train_static(docs, "pv-dbow", dim=16, min_count=1, epochs=2)
    assert pv.doc_vectors.shape == (60, 16) and pv.infer_documents([["orbit"]]).shape == (1, 16)


# ----------------------------------------------------------------- bit codes


def test_hamming_search_equals_brute_force_hamming_distance():
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, (300, 64)).astype(np.uint8)
    queries = rng.integers(0, 2, (20, 64)).astype(np.uint8)
    dist, ids = hashing.hamming_search(hashing.pack_codes(queries), hashing.pack_codes(bits), k=300)
    brute = (queries[:, None, :] != bits[None, :, :]).sum(2)
    assert (np.take_along_axis(brute, ids, 1) == dist).all()
    expected = np.lexsort((np.broadcast_to(np.arange(300), brute.shape), brute), axis=1)
    assert (ids == expected).all()


@pytest.mark.parametrize("bits", [32, 128])
def test_binary_pv_codes_are_exactly_bits_bits(bits):
    docs = [["space", "orbit", "nasa", "moon"] * 3, ["god", "faith", "church", "bible"] * 3] * 10
    bpv = BinaryParagraphVectors(bits=bits, epochs=2, batch_size=64, min_count=1).fit(docs)
    assert bpv.codes_.shape == (20, bits) and bpv.codes_.dtype == np.uint8 and set(np.unique(bpv.codes_)) <= {0, 1}
    assert hashing.pack_codes(bpv.codes_).shape == (20, bits // 8)
    codes, real = bpv.infer(docs[:3], epochs=1)
    assert codes.shape == (3, bits) and real is None


def test_binary_pv_finds_same_newsgroup_documents():
    ds = wb.datasets.load("mini-newsgroups")
    docs, labels = tokenize_texts(ds.texts), np.asarray(ds.labels)
    bpv = BinaryParagraphVectors(bits=64, epochs=5, batch_size=512, min_count=2).fit(docs[:160])
    codes, _ = bpv.infer(docs[160:], epochs=5)
    res = compare_codes({"bpv": {"query_bits": codes, "corpus_bits": bpv.codes_}}, labels[160:], labels[:160], k=10,
                        k_values=(10,))
    assert res["precision@10"].iloc[0] > 0.6  # two balanced classes: chance is 0.5


def test_itq_and_lsh_bits_and_same_label_metrics_closed_form():
    X = np.random.default_rng(1).normal(size=(100, 20))
    assert hashing.ITQ(bits=16).fit(X).transform(X).shape == (100, 16)
    assert hashing.RandomHyperplaneLSH(bits=32).fit(X).transform(X).shape == (100, 32)
    m = same_label_metrics(np.array([[1, 0, 2]]), ["a"], ["a", "b", "a"], k_values=(1, 3))
    assert m["precision@1"] == 0.0 and m["precision@3"] == pytest.approx(2 / 3)
    assert m["ndcg@10"] == pytest.approx((1 / np.log2(3) + 1 / np.log2(4)) / (1 + 1 / np.log2(3)))


# ----------------------------------------------------------------- multi-sense skip-gram


def test_one_sense_reduces_to_the_skipgram_objective():
    import torch

    docs = [["a", "b", "c", "a", "d"], ["b", "c", "d", "a"]]
    m = DisambiguatedSkipGram(dim=4, senses=1, n_multi=4, epochs=1, min_count=1, window=1, seed=3).fit(docs)
    torch.manual_seed(0)
    with torch.no_grad():
        for emb in (m.sense_, m.out_):
            emb.weight.normal_()
        m.out_.weight[-1] = 0
    center, target = torch.tensor([0, 2, 1]), torch.tensor([1, 0, 3])
    context = torch.tensor([[1, 4], [0, 3], [2, 0]])
    negatives = torch.tensor([[2, 3], [1, 1], [0, 2]])
    got = float(m.loss(center, context, target, negatives))
    S, U = m.sense_.weight.detach().numpy(), m.out_.weight.detach().numpy()
    ref = np.mean([sgns_loss_reference(S[c], U[t], U[n]) for c, t, n in zip(center, target, negatives.numpy())])
    assert got == pytest.approx(ref, rel=1e-5)


def test_multisense_splits_an_ambiguous_toy_word_into_its_two_senses():
    import torch

    docs = [["river", "bank", "water", "shore"]] * 40 + [["money", "bank", "loan", "cash"]] * 40
    m = DisambiguatedSkipGram(dim=16, senses=2, n_multi=1, epochs=8, min_count=1, window=2, batch_size=64,
                              lr=0.05, seed=0).fit(docs)
    assert m.words_[0] == "bank" and m.n_senses("bank") == 2 and m.n_senses("river") == 1
    ids = m.index_

    def choice(words):
        p = m.sense_probabilities(torch.tensor([ids["bank"]]), torch.tensor([[ids[w] for w in words]]))
        return int(p.argmax())

    assert choice(["river", "water", "shore", "river"]) != choice(["money", "loan", "cash", "money"])
    groups = {frozenset(n) for n in m.sense_neighbours("bank", k=3)}
    assert groups == {frozenset({"river", "water", "shore"}), frozenset({"money", "loan", "cash"})}
    assert m.similarity("bank", "river", "max") > m.similarity("bank", "river", "avg")


# ----------------------------------------------------------------- code tasks

HAND = '''
def area(width, height):
    """Area of a rectangle."""
    return width - height


def read(path, default):
    try:
        return open(path).read()
    except KeyError:
        return default


def ratio(a, b, c):
    """Share of a in b."""
    if a < b:
        return a / b
    return c
'''


def _body(fn) -> str:
    """A function's statements without its docstring, as ast.unparse writes them."""
    return "\n".join(ast.unparse(st) for st in fn.body
                     if not (isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant)
                             and isinstance(st.value.value, str)))


@pytest.mark.parametrize("task", code_tasks.TASKS)
def test_code_task_labels_are_correct_on_hand_built_examples(task):
    sources = {f"m{i}": HAND.replace("area", f"area{i}") for i in range(12)}
    sources["broken"] = "def oops(:\n"
    examples, stats = code_tasks.build_examples(sources, task)
    assert stats["unparseable"] == 1 and stats["unparseable_modules"] == ["broken"] and examples
    originals = {f.name: f for f in ast.parse(HAND).body}
    for ex in examples:
        tree = ast.parse(ex.text.split('"""\n', 1)[-1] if task == "docstring-mismatch" else ex.text)
        fn = tree.body[0]
        name = ex.function.rstrip("0123456789") if ex.function.startswith("area") else ex.function
        orig = originals[name]
        if task == "exception":
            assert ex.label == "KeyError" and "__HOLE__" in ex.text and "KeyError" not in ex.text
        elif task == "docstring-mismatch":
            assert (ex.label == 1) == ("code_of" not in ex.detail)
        else:
            assert (_body(fn) == _body(orig)) == (ex.label == 0)
            if ex.label == 1 and task == "swapped-operands":
                a, b = ex.detail["original"], ex.detail["rewritten"]
                left, right = ast.parse(a).body[0].value, ast.parse(b).body[0].value
                def pair(n):
                    return ast.unparse(n.left), ast.unparse(n.right if hasattr(n, "right") else n.comparators[0])
                assert pair(left) == pair(right)[::-1]
            if ex.label == 1 and task == "wrong-operator":
                assert ex.detail["old_op"] != ex.detail["new_op"]
            if ex.label == 1 and task == "variable-misuse":
                assert ex.detail["original"] != ex.detail["replacement"]


def test_code_task_splits_are_disjoint_by_module():
    modules = ["json.decoder", "fractions", "calendar", "heapq", "textwrap", "difflib", "statistics", "ipaddress",
               "datetime", "shlex", "_pydecimal", "colorsys", "bisect"]
    splits, stats = code_tasks.load_code_task("swapped-operands", modules=modules)
    modules = {name: {e.module for e in exs} for name, exs in splits.items()}
    assert not (modules["train"] & modules["test"]) and not (modules["train"] & modules["dev"])
    assert not (modules["dev"] & modules["test"])
    assert sum(stats["per_split"].values()) == stats["examples"] > 50
    assert {e.label for e in splits["train"]} == {0, 1}
