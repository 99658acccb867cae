"""Named concept spaces: ESA and SESA codes, explanations that sum to the score, faithfulness."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from workbench.concepts import ESA, SESA, concept_scores, explain, faithfulness

TEXTS = ["red dress with lace", "the dress fits well", "blue jeans fit tight", "red shirt, loose fit",
         "lace top in blue", "tight dress and red shoes", "jeans and shirt", "loose blue dress"] * 3


def test_esa_concepts_are_frequent_words_described_by_their_texts():
    esa = ESA(n_concepts=5, top_k=None, min_texts=3).fit(TEXTS)
    assert len(esa.concepts_) == 5 and "dress" in esa.concepts_ and "red" in esa.concepts_
    for name, size in zip(esa.concepts_, esa.description_sizes_):
        assert size == sum(name in t.replace(",", "").split() for t in TEXTS)
    # a concept vector is the normalised centroid of its texts' TF-IDF rows (reference: sklearn directly)
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(TEXTS)
    rows = tfidf.transform([t for t in TEXTS if "dress" in t.split()]).toarray().sum(0)
    i = esa.concepts_.index("dress")
    np.testing.assert_allclose(esa.concept_vectors_[i].toarray().ravel(), rows / np.linalg.norm(rows), atol=1e-6)
    Z = esa.transform(["a red dress"])
    assert Z.min() >= 0 and esa.concepts_[int(Z.argmax())] in ("red", "dress")
    assert (ESA(n_concepts=5, top_k=2, min_texts=3).fit(TEXTS).transform(TEXTS) > 0).sum(1).max() <= 2
    with pytest.raises(ValueError, match="min_texts"):
        ESA(min_texts=100).fit(TEXTS)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_explanation_sums_to_the_score(seed):
    rng = np.random.default_rng(seed)
    A, B = np.maximum(rng.normal(size=(2, 40)), 0)
    out = explain(A, B, [f"c{i}" for i in range(40)], top=3)
    assert out["contributions"].sum() == pytest.approx(out["score"], abs=1e-12)
    assert out["score"] == pytest.approx(float(concept_scores(A[None], B[None])[0, 0]), abs=1e-6)
    assert [v for _, v in out["top"]] == sorted(out["contributions"], reverse=True)[:3]


def test_sesa_learns_a_planted_concept_ranking_and_stays_sparse_and_named():
    """Pairs share one hidden concept; SESA on centred inputs must rank them far above chance, faithfully."""
    rng = np.random.default_rng(0)
    k, d, n = 12, 24, 600
    C = np.linalg.qr(rng.normal(size=(d, k)))[0].T.astype(np.float32)   # concept directions
    which = rng.integers(0, k, size=n)
    Xq = (C[which] + 0.4 * rng.normal(size=(n, d))).astype(np.float32)
    Xd = (C[which] + 0.4 * rng.normal(size=(n, d))).astype(np.float32)
    sesa = SESA([f"c{i}" for i in range(k)], C, epochs=10, l1=1e-2, seed=0).fit(Xq[:400], Xd[:400])
    assert sesa.losses_[-1] < sesa.losses_[0]
    Zq, Zd = sesa.transform(Xq[400:]), sesa.transform(Xd[400:])
    assert Zq.min() >= 0 and (Zq > 0).mean() < 0.6
    # the named dimension of a pair's concept is its strongest: the names still mean what they say
    assert (Zq.argmax(1) == which[400:]).mean() > 0.6  # chance: 1/12
    S = concept_scores(Zq, Zd)
    top_concept = which[400:][S.argmax(1)]
    assert (top_concept == which[400:]).mean() > 3.0 / k  # same-concept docs are 1/k of the pool
    f = faithfulness(Zq, Zd, k=1)
    assert f["drop_top"] > f["drop_random"] and f["drop_top"] > 0.3
