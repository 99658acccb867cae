"""Word analogies: 3CosAdd and 3CosMul against their definitions, and a floor on GloVe."""

import numpy as np
import pytest

import workbench as wb
from workbench.datasets import AnalogyDataset
from workbench.evaluate import evaluate_analogies, solve_analogies


def _brute_force(V, a, b, c, method):
    U = V / np.linalg.norm(V, axis=1, keepdims=True)
    cos = U @ U.T
    if method == "3cosadd":
        scores = cos[b] - cos[a] + cos[c]
    else:
        s = (cos + 1) / 2
        scores = s[b] * s[c] / (s[a] + 1e-3)
    scores[[a, b, c]] = -np.inf
    return int(np.argmax(scores))


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_matches_the_definition_on_random_vectors(method):
    rng = np.random.default_rng(0)
    V = rng.normal(size=(200, 8)).astype(np.float32)
    q = rng.choice(200, size=(50, 3), replace=True)
    q = q[[len(set(row)) == 3 for row in q]]
    got = solve_analogies(V, q[:, 0], q[:, 1], q[:, 2], method=method)[:, 0]
    assert got.tolist() == [_brute_force(V, *row, method) for row in q]


def test_inputs_excluded_unless_asked():
    V = np.array([[1, 0], [0.9, 0.1], [0.8, 0.2], [0, 1]], dtype=np.float32)
    assert solve_analogies(V, [0], [1], [2])[0, 0] == 3
    assert solve_analogies(V, [0], [1], [2], exclude_inputs=False)[0, 0] in (1, 2)
    with pytest.raises(ValueError, match="unknown analogy method"):
        solve_analogies(V, [0], [1], [2], method="pairdistance")


def test_coverage_and_unknown_section():
    V = np.eye(4, dtype=np.float32)
    ds = AnalogyDataset("toy", ["a", "a"], ["b", "b"], ["c", "x"], ["d", "d"], ["s1", "s2"])
    res = evaluate_analogies(V, ["a", "b", "c", "d"], ds)
    assert res["n"] == 1 and res["coverage"] == 0.5 and set(res["per_section"]) == {"s1"}
    with pytest.raises(ValueError, match="no section 'nope'"):
        evaluate_analogies(V, ["a", "b", "c", "d"], ds, sections=["nope"])


def test_glove_solves_most_capital_analogies(glove):
    ds = wb.datasets.load("google-analogies")
    res = evaluate_analogies(glove.vectors.numpy(), glove.tokenizer.words, ds, sections=["capital-common-countries"])
    assert res["coverage"] == 1.0 and res["accuracy"] >= 0.7  # about 0.80 with the 30,000 most frequent words
