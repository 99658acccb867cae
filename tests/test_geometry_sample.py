"""``geometry.report`` above ``max_rows``: the metrics of a seeded row sample, said in the report."""

from __future__ import annotations

import numpy as np
import pytest

from workbench import geometry


def test_report_samples_rows_and_says_so():
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(3000, 8)) * np.linspace(1, 3, 8) + 0.5).astype(np.float32)
    pairs = np.stack([np.arange(0, 3000, 2), np.arange(1, 3000, 2)], axis=1)
    got = geometry.report(X, pairs, max_rows=1000, knn_sample=500)
    rows = np.sort(np.random.default_rng(0).choice(3000, 1000, replace=False))
    ref = geometry.report(X[rows], knn_sample=500, max_rows=None)
    assert got["n"] == 3000 and got["sample_rows"] == 1000 and "sample_rows" not in ref
    for key in ref:
        if key != "n":
            assert got[key] == pytest.approx(ref[key], rel=1e-9, abs=1e-12), key
    assert got["alignment"] == pytest.approx(geometry.alignment(X, pairs))  # pairs index the full X
    whole = geometry.report(X, max_rows=None, knn_sample=500)
    assert "sample_rows" not in whole and abs(whole["isoscore"] - got["isoscore"]) < 0.05
    with pytest.raises(ValueError, match="max_rows must be an int >= 2 or None"):
        geometry.report(X, max_rows=1)
    with pytest.raises(ValueError, match=r"pairs hold row indices outside 0\.\.2999"):
        geometry.report(X, np.array([[0, 3000]]), max_rows=1000)
    X[2999, 0] = np.nan  # a row outside the sample is still checked
    with pytest.raises(ValueError):
        geometry.report(X, max_rows=1000)
