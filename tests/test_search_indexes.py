"""Indexes, rescoring and the bi-granular store: brute-force equality, recall floors on real vectors, bad input."""

import numpy as np
import pytest

from workbench.search import (
    INDEXES,
    BiGranularStore,
    BinaryIndex,
    CodeIndex,
    FlatIndex,
    RescoredIndex,
    exact_search,
    index_lab,
    knn_recall,
    make_index,
    perturbed_corpus,
    rescore,
    scaling_sweep,
    top_k,
)


def test_exact_search_matches_brute_force():
    rng = np.random.default_rng(1)
    corpus, queries = rng.normal(size=(200, 16)).astype(np.float32), rng.normal(size=(5, 16)).astype(np.float32)
    scores, ids = exact_search(queries, corpus, k=7)
    brute = np.argsort(-(queries @ corpus.T), axis=1)[:, :7]
    np.testing.assert_array_equal(ids, brute)
    np.testing.assert_allclose(scores, np.take_along_axis(queries @ corpus.T, brute, 1), rtol=1e-5)
    with pytest.raises(ValueError, match="same d"):
        exact_search(queries[:, :3], corpus)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_exact_search_gives_the_numpy_neighbours_on_any_thread_count(threads):
    import faiss

    rng = np.random.default_rng(7)
    corpus = perturbed_corpus(rng.normal(size=(500, 48)).astype(np.float32), 6000)
    corpus[100] = corpus[50]  # an exact tie: the lower id comes first, as in top_k
    queries = perturbed_corpus(corpus[::40], 150, seed=3)
    queries[0] = corpus[50]
    before = faiss.omp_get_max_threads()
    scores, ids = exact_search(queries, corpus, k=10, threads=threads)
    assert faiss.omp_get_max_threads() == before  # the caller's OpenMP setting is left alone
    ref_scores, ref_ids = top_k(queries @ corpus.T, 10)
    np.testing.assert_array_equal(ids, ref_ids)
    np.testing.assert_allclose(scores, ref_scores, atol=1e-5)
    assert ids[0, :2].tolist() == [50, 100]
    assert exact_search(queries[:0], corpus, k=3)[1].shape == (0, 3)


@pytest.fixture(scope="module")
def words(glove):
    """Real vectors: the 6,000 most frequent GloVe words (unit rows) and 200 of them as queries."""
    V = glove.vectors[:6000].numpy().astype(np.float32)
    V = V / np.linalg.norm(V, axis=1, keepdims=True)
    return V, V[::30][:200] + 0.0


def test_flat_and_code_indexes_equal_brute_force(words):
    X, Q = words
    brute_scores = Q @ X.T
    brute = np.argsort(-brute_scores, axis=1, kind="stable")[:, :10]
    np.testing.assert_array_equal(FlatIndex().fit(X).search(Q, 10)[1], brute)
    int8 = CodeIndex("int8").fit(X)
    decoded = Q @ int8.compressor_.inverse_transform(int8.codes_).T
    np.testing.assert_array_equal(int8.search(Q, 10)[1], np.argsort(-decoded, axis=1, kind="stable")[:, :10])
    binary = BinaryIndex().fit(X)
    signs = np.where(X > 0, 1, -1) @ np.where(Q > 0, 1, -1).T
    scores, ids = binary.search(Q, 10)
    np.testing.assert_array_equal(scores, np.sort(signs.T, axis=1)[:, ::-1][:, :10])  # Hamming ties: scores agree
    assert binary.memory_bytes == len(X) * 7  # 50 bits -> 7 bytes


@pytest.mark.parametrize("spec, params, floor", [
    ("ivf-flat", {"nprobe": 16}, 0.90),
    ("hnsw", {}, 0.95),
    ("ivf-pq", {"m": 10, "nprobe": 16}, 0.40),
    ("binary+rescore", {}, 0.60),  # only 50 sign bits (GloVe 50-d): a coarse first stage
    ("int8", {}, 0.95),
])
def test_approximate_indexes_reach_recall_floors_on_real_vectors(words, spec, params, floor):
    X, Q = words
    _, truth = exact_search(Q, X, 10)
    index = make_index(spec, **params).fit(X)
    _, ids = index.search(Q, 10)
    assert knn_recall(ids, truth) >= floor
    assert index.memory_bytes > 0 and index.build_seconds_ >= 0


def test_rescoring_never_returns_fewer_than_k(words):
    X, Q = words
    for base in (BinaryIndex(), make_index("ivf-flat", nprobe=1, nlist=150), CodeIndex("pca8>int4")):
        ids = RescoredIndex(base, rescore_multiplier=1).fit(X).search(Q, 25)[1]
        assert (ids >= 0).all() and all(len(set(r)) == 25 for r in ids.tolist())
    # re-ranking with the true vectors can only move the exact neighbours up
    _, truth = exact_search(Q, X, 10)
    plain = BinaryIndex().fit(X).search(Q, 10)[1]
    rescored = RescoredIndex(BinaryIndex(), rescore_multiplier=8).fit(X).search(Q, 10)[1]
    assert knn_recall(rescored, truth) > knn_recall(plain, truth)


def test_rescore_against_int8_and_reference():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 12)).astype(np.float32)
    Q = rng.normal(size=(4, 12)).astype(np.float32)
    cand = np.array([[5, 7, 9, -1]] * 4)
    scores, ids = rescore(Q, cand, X, 3)
    ref = np.argsort(-(Q @ X[[5, 7, 9]].T), axis=1)
    np.testing.assert_array_equal(ids, np.array([5, 7, 9])[ref])
    _, ids = rescore(Q, cand, X, 5)  # fewer candidates than k: padded
    assert (ids[:, 3:] == -1).all()
    full = RescoredIndex(FlatIndex(), rescore_with="int8").fit(X)
    assert full.memory_bytes == FlatIndex().fit(X).memory_bytes + X.size


def test_bigranular_store_reads_vectors_from_disk(words, tmp_path):
    X, Q = words
    store = BiGranularStore(tmp_path / "vecs.npy", codes="binary", rescore_multiplier=4).fit(X)
    assert isinstance(store.vectors_, np.memmap) and store.disk_bytes == X.nbytes
    assert store.memory_bytes == BinaryIndex().fit(X).memory_bytes
    in_memory = RescoredIndex(BinaryIndex(), 4).fit(X).search(Q, 10)
    on_disk = store.search(Q, 10)
    np.testing.assert_array_equal(in_memory[1], on_disk[1])
    np.testing.assert_array_equal(np.load(tmp_path / "vecs.npy"), X)
    assert not list(tmp_path.glob("*.part"))


def test_bad_search_input(words):
    X, Q = words
    with pytest.raises(ValueError, match="larger than the corpus"):
        FlatIndex().fit(X[:5]).search(Q, 6)
    with pytest.raises(ValueError, match="empty: call fit"):
        FlatIndex().search(Q, 1)
    with pytest.raises(ValueError, match="queries are 10-d"):
        FlatIndex().fit(X).search(Q[:, :10], 1)
    with pytest.raises(ValueError, match="one entry per corpus row"):
        FlatIndex().fit(X).search(Q, 1, mask=np.ones(3, bool))
    with pytest.raises(ValueError, match="unknown index 'annoy'.*flat, ivf-flat, hnsw"):
        make_index("annoy")
    with pytest.raises(ValueError, match="only suffix"):
        make_index("hnsw+pq")
    with pytest.raises(ValueError, match="empty corpus"):
        FlatIndex().fit(np.zeros((0, 4), np.float32))
    assert set(INDEXES) == {"flat", "ivf-flat", "hnsw", "ivf-pq", "binary"}


def test_index_lab_and_scaling_sweep(words):
    X, Q = words
    lab = index_lab(X, Q[:50], ["flat", "hnsw", "binary"], k=10)
    assert lab["index"].tolist() == ["flat", "hnsw", "binary"]
    assert lab.loc[0, "recall@10"] == 1.0 and lab.loc[0, "bytes/vector"] >= 200
    assert lab.loc[2, "bytes/vector"] == 7
    big = perturbed_corpus(X, 9000, noise=0.25)
    np.testing.assert_allclose(big[:6000], X, atol=1e-6)  # the real rows come first
    assert 0.8 < np.mean(np.sum(big[6000:] * X[np.argmax(big[6000:] @ X.T, axis=1)], axis=1)) < 1.0
    sweep = scaling_sweep(X, Q[:30], sizes=(3000, 9000), indexes=("flat", "hnsw"), k=10)
    assert sweep["n"].tolist() == [3000, 3000, 9000, 9000]
    flat = sweep[sweep["index"] == "flat"]
    assert flat["memory MB"].iloc[1] > 2.9 * flat["memory MB"].iloc[0]
