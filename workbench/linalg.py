"""Small dense linear algebra that stays fast when the machine is busy.

LAPACK routines on d x d matrices (d up to about a thousand: covariances, Gram
matrices of embedding dimensions) finish in milliseconds on one thread. With several
OpenBLAS threads on a machine whose other cores are busy, the threads wait on each
other and the same call can take a hundred times longer (measured: 2.3 s instead of
0.03 s for a 384 x 384 ``eigh`` on 2 cores with a torch job running). These wrappers run
such calls on one BLAS thread and leave large ones to the library's own threading.
Left out: anything on n x d data matrices, where threads pay off.
"""

from __future__ import annotations

import numpy as np

SINGLE_THREAD_MAX_DIM = 1024  # square matrices up to this size are decomposed on one BLAS thread


def _limit(d: int):
    from threadpoolctl import threadpool_limits  # noqa: PLC0415  (imported on use: it inspects loaded libraries)

    return threadpool_limits(limits=1 if d <= SINGLE_THREAD_MAX_DIM else None, user_api="blas")


def sym_eigh(C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and eigenvectors (columns, same order) of a symmetric matrix.

    Examples
    --------
    >>> vals, vecs = sym_eigh(np.diag([1.0, 3.0, 2.0]))
    >>> vals.tolist(), np.abs(vecs[:, 0]).tolist()
    ([3.0, 2.0, 1.0], [0.0, 1.0, 0.0])
    """
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"sym_eigh needs a square matrix, got shape {C.shape}")
    with _limit(C.shape[0]):
        vals, vecs = np.linalg.eigh(C)
    return vals[::-1], vecs[:, ::-1]


def small_svd(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thin SVD ``U, s, Vt`` of a matrix whose smaller side is small (e.g. a d x d cross-covariance).

    Examples
    --------
    >>> U, s, Vt = small_svd(np.array([[2.0, 0.0], [0.0, 1.0]]))
    >>> s.tolist()
    [2.0, 1.0]
    """
    M = np.asarray(M)
    if M.ndim != 2:
        raise ValueError(f"small_svd needs a 2-d matrix, got shape {M.shape}")
    with _limit(min(M.shape)):
        return np.linalg.svd(M, full_matrices=False)
