"""Small dense linear algebra: the one-thread wrappers give LAPACK's answers."""

import numpy as np
import pytest

from workbench.linalg import small_svd, sym_eigh


@pytest.mark.parametrize("d", [3, 64, 400])
def test_sym_eigh_reconstructs_and_sorts_descending(d):
    A = np.random.default_rng(d).normal(size=(d + 5, d))
    C = A.T @ A
    vals, vecs = sym_eigh(C)
    assert np.all(np.diff(vals) <= 1e-9)
    np.testing.assert_allclose(vecs @ np.diag(vals) @ vecs.T, C, atol=1e-8 * np.abs(C).max())
    np.testing.assert_allclose(vals, np.sort(np.linalg.eigvalsh(C))[::-1], rtol=1e-9, atol=1e-9)


def test_small_svd_matches_numpy_and_errors():
    M = np.random.default_rng(0).normal(size=(40, 7))
    U, s, Vt = small_svd(M)
    np.testing.assert_allclose(U @ np.diag(s) @ Vt, M, atol=1e-12)
    np.testing.assert_allclose(s, np.linalg.svd(M, compute_uv=False))
    with pytest.raises(ValueError, match="square"):
        sym_eigh(np.ones((2, 3)))
    with pytest.raises(ValueError, match="2-d"):
        small_svd(np.ones(3))
