"""Compressors: exact sizes, round trips, references (scikit-learn, faiss, numpy), bad input, quality floors."""

import numpy as np
import pytest

from workbench import compress, experiments
from workbench.compress import (
    OPQ,
    PCA,
    BinaryQuantizer,
    Chain,
    ProductQuantizer,
    ScalarQuantizer,
    Truncate,
    make_compressor,
)

SPECS = ["truncate8", "pca12", "int8", "int4", "binary", "pq8", "opq4", "pca16>int8", "pca16>binary",
         "truncate31>int4"]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(400, 32)) @ rng.normal(size=(32, 32))).astype(np.float32)
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@pytest.mark.parametrize("spec", SPECS)
def test_bytes_per_vector_is_exact(spec, data):
    comp = make_compressor(spec)
    if isinstance(comp, ProductQuantizer):  # OPQ too: fewer k-means iterations, same code size
        comp.niter = 5
    if isinstance(comp, OPQ):
        comp.opq_iter, comp.nbits = 2, 4
    codes = comp.fit(data).transform(data[:50])
    assert codes.nbytes == 50 * comp.bytes_per_vector
    assert comp.inverse_transform(codes).shape == (50, 32)


def test_known_sizes(data):
    assert Truncate(10).fit(data).bytes_per_vector == 40
    assert PCA(5).fit(data).bytes_per_vector == 20
    assert ScalarQuantizer(bits=8).fit(data).bytes_per_vector == 32
    assert ScalarQuantizer(bits=4).fit(data[:, :31]).bytes_per_vector == 16  # 31 nibbles -> 16 bytes
    assert BinaryQuantizer().fit(data[:, :30]).bytes_per_vector == 4
    assert ProductQuantizer(8, nbits=4, niter=5).fit(data).bytes_per_vector == 4  # 8 x 4 bits


def test_pca_round_trip_and_sklearn_reference(data):
    from sklearn.decomposition import PCA as SkPCA

    full = PCA(32).fit(data)
    np.testing.assert_allclose(full.inverse_transform(full.transform(data)), data, atol=1e-5)
    ours, ref = PCA(6).fit(data), SkPCA(6).fit(data)
    np.testing.assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-4)
    np.testing.assert_allclose(np.abs(ours.components_ @ ref.components_.T), np.eye(6), atol=1e-4)


@pytest.mark.parametrize("bits", [8, 4])
def test_scalar_round_trip_within_step(bits, data):
    sq = ScalarQuantizer(bits=bits).fit(data)
    err = np.abs(sq.inverse_transform(sq.transform(data)) - data)
    assert (err <= sq.step_ / 2 + 1e-6).all()
    assert np.allclose(sq.step_, (data.max(0) - data.min(0)) / (2 ** bits - 1), rtol=1e-5)
    codes = sq.levels(sq.transform(data))
    assert codes.min() == 0 and codes.max() == 2 ** bits - 1
    outside = sq.transform(np.vstack([data.max(0) + 1, data.min(0) - 1]))  # clamped, not wrapped
    assert sq.levels(outside)[0].min() == 2 ** bits - 1 and sq.levels(outside)[1].max() == 0


def test_binary_signs_and_hamming_match_numpy_and_faiss(data):
    import faiss

    bq = BinaryQuantizer().fit(data)
    np.testing.assert_array_equal(bq.inverse_transform(bq.transform(data)), np.where(data > 0, 1.0, -1.0))
    a, b = bq.transform(data[:20]), bq.transform(data[20:120])
    ref = ((data[:20, None, :] > 0) != (data[None, 20:120, :] > 0)).sum(-1)
    np.testing.assert_array_equal(bq.hamming(a, b), ref)
    index = faiss.IndexBinaryFlat(32)
    index.add(b)
    dist, ids = index.search(a, 100)
    np.testing.assert_array_equal(np.take_along_axis(ref, ids, 1), dist)


def test_pq_and_opq_reconstruct_better_with_more_bytes(data):
    errors = []
    for m in (2, 8, 16):
        pq = ProductQuantizer(m, nbits=4, niter=10).fit(data)
        errors.append(np.mean((pq.inverse_transform(pq.transform(data)) - data) ** 2))
    assert errors[0] > errors[1] > errors[2]
    opq = OPQ(4, nbits=4, niter=10, opq_iter=3).fit(data)
    assert np.mean((opq.inverse_transform(opq.transform(data)) - data) ** 2) < np.mean(data ** 2)


def test_asymmetric_score_equals_query_times_decoded(data):
    sq = ScalarQuantizer(bits=4).fit(data)
    codes = sq.transform(data)
    np.testing.assert_allclose(sq.score(data[:5], codes), data[:5] @ sq.inverse_transform(codes).T, rtol=1e-5)
    chain = Chain([PCA(16), BinaryQuantizer()]).fit(data)
    s = chain.score(data[:3], chain.transform(data))
    assert s.shape == (3, 400) and np.all(s <= 16) and np.all(s == np.round(s))


def test_bad_input_is_refused(data):
    with pytest.raises(ValueError, match="not fitted"):
        ScalarQuantizer().transform(data)
    with pytest.raises(ValueError, match="not fitted"):
        BinaryQuantizer().inverse_transform(np.zeros((1, 4), np.uint8))
    with pytest.raises(ValueError, match="at least 10 calibration vectors"):
        ScalarQuantizer().fit(data[:1])  # one vector: every range would be zero
    with pytest.raises(ValueError, match="all identical"):
        ScalarQuantizer().fit(np.tile(data[:1], (20, 1)))
    with pytest.raises(ValueError, match="bits=8 or bits=4"):
        ScalarQuantizer(bits=2).fit(data)
    with pytest.raises(ValueError, match="fitted on 32-d"):
        ScalarQuantizer().fit(data).transform(data[:, :16])
    with pytest.raises(ValueError, match="does not divide"):
        ProductQuantizer(5).fit(data)
    with pytest.raises(ValueError, match="at least 256 calibration"):
        ProductQuantizer(8).fit(data[:100])
    with pytest.raises(ValueError, match="codes must be an"):
        ScalarQuantizer().fit(data).inverse_transform(np.zeros((2, 5), np.uint8))
    with pytest.raises(ValueError, match="1..32"):
        Truncate(40).fit(data)
    with pytest.raises(ValueError, match="only Truncate and PCA"):
        Chain([ScalarQuantizer(), PCA(4)]).fit(data)
    with pytest.raises(ValueError, match="unknown compressor 'int3x'.*valid: int8"):
        make_compressor("int3x")
    with pytest.raises(ValueError, match="int8 and int4"):
        make_compressor("int2")
    with pytest.raises(ValueError, match="needs a size"):
        make_compressor("pq")


def test_registry_lists_every_family():
    assert set(compress.COMPRESSORS) == {"truncate", "pca", "int", "binary", "pq", "opq"}
    assert isinstance(make_compressor("opq16"), OPQ) and make_compressor("opq16").m == 16


def test_make_is_a_deprecated_spelling_of_make_compressor():
    with pytest.warns(DeprecationWarning, match="make_compressor"):
        comp = compress.make("pca16>int8")
    assert repr(comp) == repr(make_compressor("pca16>int8"))


def test_pareto_figure_and_front():
    import pandas as pd

    table = pd.DataFrame({"method": ["float32", "int8", "binary", "binary+rescore"],
                          "bytes/vector": [1536.0, 384, 48, 48], "ndcg@10": [0.5, 0.5, 0.3, 0.48]})
    table["pareto"] = experiments.pareto_front(table["bytes/vector"], table["ndcg@10"])
    assert table["pareto"].tolist() == [False, True, False, True]
    fig = experiments.pareto_figure(table)
    assert fig.to_dict()["layout"]["xaxis"]["type"] == "log"
    assert list(fig.data[1].text) == ["binary+rescore"]
    assert list(fig.data[2].x) == [48.0, 384.0]
    with pytest.raises(ValueError, match="no column 'recall@5'"):
        experiments.pareto_figure(table, quality="recall@5")


def test_pareto_front_tie_rule():
    # on the front unless another point is at least as good in both and strictly better in one
    cost = [48, 48, 48, 96, 96, 384, 384, 1536, np.nan]
    quality = [0.40, 0.40, 0.30, 0.40, 0.45, 0.50, 0.50, 0.50, 0.99]
    front = experiments.pareto_front(cost, quality)
    assert front.tolist() == [True, True,  # exact duplicates both stay
                              False,  # same cost, lower quality
                              False,  # same quality, higher cost
                              True,  # better than every cheaper point
                              True, True,  # another duplicated pair
                              False,  # same quality as a cheaper point
                              False]  # NaN: never on the front
    assert experiments.pareto_front([], []).tolist() == []
    with pytest.raises(ValueError, match="same length"):
        experiments.pareto_front([1, 2], [0.5])


@pytest.mark.slow
def test_quality_floors_on_rotten_tomatoes_with_minilm(minilm):
    """int8 keeps >= 97% of float32 nDCG@10 and binary + rescoring (x4) >= 90%, on a real subset."""
    import workbench as wb
    from workbench.evaluate.retrieval import evaluate_retrieval, retrieval_subset

    full = wb.datasets.load("rotten-tomatoes-synopsis")
    relevant = {d for r in retrieval_subset(full, 15).qrels.values() for d in r}  # ~30 reviews per film
    ds = retrieval_subset(full, 15, n_docs=len(relevant) + 300)
    Q, X = minilm.encode(ds.query_texts), minilm.encode(ds.documents)
    table = experiments.pareto((Q, X), ds, methods=["int8", "binary", "binary+rescore"]).set_index("method")
    reference = evaluate_retrieval((Q, X), ds, n_resamples=0)["ndcg@10"]
    assert table.loc["float32", "ndcg@10"] == pytest.approx(reference, abs=1e-9)
    assert table.loc["float32", "ndcg@10"] > 0.2
    assert table.loc["int8", "retention"] >= 0.97
    assert table.loc["binary+rescore", "retention"] >= 0.90
    assert table.loc["binary+rescore", "retention"] >= table.loc["binary", "retention"] - 1e-9
    assert table.loc["binary", "bytes/vector"] == 48 and table.loc["int8", "bytes/vector"] == 384
    assert table.loc["binary", "compression"] == 32
    with pytest.raises(ValueError, match="only suffix"):
        experiments.pareto((Q, X), ds, methods=["int8+pq"])
    with pytest.raises(TypeError, match="not the name"):
        experiments.pareto("minilm", ds)
