"""What moved between two spaces over the same items.

Two embeddings of the same ``n`` items (two models, two poolings, a model before and after
fine-tuning, successive checkpoints) are compared in two ways:

* **in the picture**: :func:`aligned_projections` projects each space with PCA and rotates
  (and reflects) the second projection onto the first by orthogonal Procrustes
  (:func:`~workbench.maps.aligned.procrustes`; Schoenemann 1966: ``R = U V^T`` from the SVD ``U S V^T`` of
  ``B_c^T A_c``), so that the two maps share their axes and a point's displacement between
  them means something; or (``method="umap"``) lays both out with umap-learn's
  ``AlignedUMAP`` (:func:`~workbench.maps.aligned.aligned_maps`), whose layouts are tied item
  to item by identity relations;
* **in the full spaces**: :func:`neighbourhood_change` is, per item, ``1 - |N_A(i) & N_B(i)| / k``
  where ``N_X(i)`` are the ``k`` nearest neighbours of item ``i`` in space ``X`` (exact,
  faiss ``IndexFlatL2``; cosine by default): 0 when the item keeps all its neighbours, 1
  when it keeps none. It does not depend on any projection. :func:`most_moved` ranks the
  items by it.

Spaces of different item counts are refused with an error naming both counts; the two
spaces may have different widths. More than two spaces (training checkpoints) are
:mod:`.steps`'s business.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..vectors import check_vectors
from .aligned import aligned_maps, check_paired, disparity

_CHUNK = 65_536  # rows per block when comparing neighbour lists


def aligned_projections(A: Any, B: Any, dims: int = 2, *, method: str = "pca", seed: int = 0,
                        n_neighbors: int = 15, n_epochs: int | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """Maps of two spaces over the same items, the second aligned to the first.

    ``method="pca"``: a PCA map of each, the second rotated onto the first by :func:`procrustes`.
    ``method="umap"``: umap-learn's ``AlignedUMAP`` over both, with identity relations (item
    ``i`` of one space is item ``i`` of the other), ``seed`` pinned and ``n_epochs`` (None:
    umap-learn's 200); no rotation afterwards.

    Returns ``(coords_a, coords_b, disparity)``; ``disparity`` is ``||coords_b - coords_a||_F^2 /
    ||coords_a - mean||_F^2`` (for PCA, :func:`~workbench.maps.aligned.procrustes`'s).

    Examples
    --------
    >>> A = np.random.default_rng(0).normal(size=(50, 6))
    >>> Q = np.linalg.qr(np.random.default_rng(1).normal(size=(6, 6)))[0]
    >>> pa, pb, d = aligned_projections(A, A @ Q)
    >>> bool(np.allclose(pa, pb, atol=1e-8)), d < 1e-12
    (True, True)
    """
    A, B = check_paired(A, B, min_rows=dims + 1)
    pa, pb = aligned_maps([A, B], method=method, dims=dims, seed=seed, n_neighbors=n_neighbors,
                          n_epochs=n_epochs)
    return pa, pb, disparity(pa, pb)


def knn_ids(X: Any, k: int = 10, *, metric: str = "cosine") -> np.ndarray:
    """Exact ``k`` nearest neighbours of every row among the others, ``(n, k)`` int64, nearest first.

    ``metric`` is ``"cosine"`` (rows normalised first) or ``"euclidean"``.

    Examples
    --------
    >>> knn_ids(np.array([[0.0, 0], [1, 0], [3, 0], [10, 0]]), 1, metric="euclidean").ravel().tolist()
    [1, 0, 1, 2]
    """
    import faiss  # noqa: PLC0415

    if metric not in ("cosine", "euclidean"):
        raise ValueError(f"metric must be 'cosine' or 'euclidean', got {metric!r}")
    X = check_vectors(X, min_rows=2, dtype=np.float32)
    n = len(X)
    if not 1 <= k < n:
        raise ValueError(f"k must be in 1..{n - 1} for {n} rows, got {k}")
    if metric == "cosine":
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        if (norms == 0).any():
            raise ValueError(f"{int((norms == 0).sum())} row(s) are zero vectors: cosine is undefined; "
                             "use metric='euclidean'")
        X = np.ascontiguousarray(X / norms)
    index = faiss.IndexFlatL2(X.shape[1])
    index.add(X)
    _, ids = index.search(X, k + 1)
    own = ids == np.arange(n)[:, None]
    # drop the row itself; where a duplicate pushed it out of the list, drop the last neighbour instead
    own[~own.any(1), -1] = True
    return ids[~own].reshape(n, k).astype(np.int64)


def neighbourhood_change(A: Any, B: Any, k: int = 10, *, metric: str = "cosine") -> np.ndarray:
    """Per item, the share of its ``k`` nearest neighbours in ``A`` that are not among them in ``B``.

    0 means the item has the same neighbours in both spaces, 1 that it shares none.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(30, 4))
    >>> float(neighbourhood_change(X, X, k=5).max())
    0.0
    """
    A, B = check_paired(A, B, min_rows=k + 1)
    ia, ib = knn_ids(A, k, metric=metric), knn_ids(B, k, metric=metric)
    shared = np.empty(len(ia), dtype=np.int64)
    for s in range(0, len(ia), _CHUNK):
        a, b = ia[s:s + _CHUNK], ib[s:s + _CHUNK]
        shared[s:s + _CHUNK] = (a[:, :, None] == b[:, None, :]).any(2).sum(1)
    return 1.0 - shared / k


def most_moved(A: Any, B: Any, k: int = 10, *, top: int | None = 20, texts: Sequence[str] | None = None,
               labels: Sequence | None = None, metric: str = "cosine",
               coords: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """The items ranked by :func:`neighbourhood_change`, most moved first.

    Columns: ``row``, ``change``, ``text`` and ``label`` (when given), and ``shift`` (the
    distance between the item's two positions in the aligned maps, when ``coords`` are given).
    Ties keep the items' order.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> A = rng.normal(size=(40, 5)); B = A.copy(); B[3] = rng.normal(size=5) * 5
    >>> int(most_moved(A, B, k=5, top=1)["row"].iloc[0])
    3
    """
    change = neighbourhood_change(A, B, k, metric=metric)
    n = len(change)
    for name, values in (("texts", texts), ("labels", labels)):
        if values is not None and len(values) != n:
            raise ValueError(f"{name} has {len(values)} entries but the spaces have {n} rows; give one per row")
    order = np.argsort(-change, kind="stable")
    if top is not None:
        order = order[:top]
    frame = pd.DataFrame({"row": order, "change": change[order]})
    if texts is not None:
        frame["text"] = [str(texts[i]) for i in order]
    if labels is not None:
        frame["label"] = np.asarray(labels)[order]
    if coords is not None:
        ca, cb = (np.asarray(c) for c in coords)
        if len(ca) != n or len(cb) != n:
            raise ValueError(f"coords have {len(ca)} and {len(cb)} rows but the spaces have {n}")
        frame["shift"] = np.linalg.norm(ca[order] - cb[order], axis=1)
    return frame
