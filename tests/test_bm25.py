"""BM25 baseline: the scoring formula by hand, ranking contract, errors."""

import numpy as np
import pytest

from workbench.bm25 import BM25


def _lucene_bm25(query, docs, k1=1.5, b=0.75):
    """Lucene's BM25 written out: idf = ln(1 + (N - df + 0.5) / (df + 0.5)); since Lucene 8 the
    term-frequency part has no (k1 + 1) factor (a constant, so rankings are unchanged)."""
    toks = [d.lower().split() for d in docs]
    avg = np.mean([len(t) for t in toks])
    out = []
    for t in toks:
        s = 0.0
        for term in query.lower().split():
            df = sum(term in u for u in toks)
            tf = t.count(term)
            idf = np.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            s += idf * tf / (tf + k1 * (1 - b + b * len(t) / avg))
        out.append(s)
    return np.array(out)


def test_scores_match_the_lucene_formula():
    docs = ["apple banana apple", "banana cherry", "cherry cherry date fig", "grape"]
    bm = BM25(stopwords=None).fit(docs)
    for q in ["apple", "banana cherry", "fig grape apple"]:
        np.testing.assert_allclose(bm.score([q])[0], _lucene_bm25(q, docs), rtol=1e-5)


def test_search_is_best_first_with_ties_in_corpus_order():
    docs = ["red fox", "blue fox", "red red fox", "green frog"]
    bm = BM25().fit(docs)
    scores, ids = bm.search(["red", "frog", "zebra"], k=3)
    assert ids[0, 0] == 2 and set(ids[0, :2]) == {0, 2}
    assert ids[1, 0] == 3
    assert ids[2].tolist() == [0, 1, 2] and (scores[2] == 0).all()  # no match: all tie, corpus order
    assert (np.diff(scores, axis=1) <= 0).all()
    assert bm.search(["fox"], k=50)[1].shape == (1, 4)


def test_errors():
    with pytest.raises(ValueError, match="not fitted"):
        BM25().search(["x"])
    with pytest.raises(ValueError, match="empty"):
        BM25().fit([])
    with pytest.raises(ValueError, match="unknown BM25 method"):
        BM25(method="okapi-ish").fit(["ab cd"])
    with pytest.raises(ValueError, match="k must be"):
        BM25().fit(["ab cd"]).search(["ab"], k=0)
    with pytest.raises(TypeError, match="must be a string"):
        BM25().fit(["a", 3])
