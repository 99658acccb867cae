"""Plotly figures for embedding spaces; every function returns a ``plotly.graph_objects.Figure``.

So far: 2-D / 3-D projections of vectors, coloured by label, with hover text. Points
are drawn with WebGL (``Scattergl``) so that tens of thousands stay responsive.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

PROJECTIONS = ("pca", "tsne", "umap")


def _require_plotly():
    try:
        import plotly.graph_objects as go  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("figures need plotly: pip install 'workbench[viz]'") from exc
    return go


def project(X: np.ndarray, method: str = "pca", dims: int = 2, *, seed: int = 0) -> np.ndarray:
    """Project rows of ``X`` to ``dims`` coordinates with PCA, t-SNE or UMAP.

    Examples
    --------
    >>> project(np.random.default_rng(0).normal(size=(20, 5)), "pca").shape
    (20, 2)
    """
    X = np.asarray(X, dtype=np.float32)
    if method not in PROJECTIONS:
        raise ValueError(f"unknown projection {method!r}; valid: {', '.join(PROJECTIONS)}")
    if dims not in (2, 3):
        raise ValueError(f"dims must be 2 or 3, got {dims}")
    if X.ndim != 2 or len(X) <= dims:
        raise ValueError(f"need an (n, d) array with n > {dims}, got shape {X.shape}")
    if method == "pca":
        from sklearn.decomposition import PCA  # noqa: PLC0415

        return PCA(n_components=dims, random_state=seed).fit_transform(X)
    if method == "tsne":
        from sklearn.manifold import TSNE  # noqa: PLC0415

        perplexity = float(min(30, max(2, (len(X) - 1) // 3)))
        return TSNE(n_components=dims, perplexity=perplexity, random_state=seed, init="pca").fit_transform(X)
    try:
        import umap  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError("UMAP projections need umap-learn: pip install umap-learn") from exc
    return umap.UMAP(n_components=dims, random_state=seed).fit_transform(X)


def projection(X: np.ndarray, method: str = "pca", dims: int = 2, *, labels: Sequence | None = None,
               hover: Sequence[str] | None = None, title: str | None = None, seed: int = 0):
    """Scatter plot of a projection of ``X``, one trace per label.

    Parameters
    ----------
    X : (n, d) array
    method : {"pca", "tsne", "umap"}
    dims : {2, 3}
    labels : sequence, optional
        One label per row; each label becomes a trace (legend entry).
    hover : sequence of str, optional
        Text shown when hovering a point (long texts are shortened).
    title : str, optional

    Examples
    --------
    >>> fig = projection(np.random.default_rng(0).normal(size=(30, 8)), labels=[0, 1] * 15)
    >>> len(fig.data), fig.data[0].type
    (2, 'scattergl')
    """
    go = _require_plotly()
    coords = project(X, method, dims, seed=seed)
    n = len(coords)
    labels = np.asarray(labels if labels is not None else ["all"] * n, dtype=object)
    if len(labels) != n or (hover is not None and len(hover) != n):
        raise ValueError(f"labels and hover must have one entry per row ({n})")
    hover = [h if len(h) <= 120 else h[:117] + "..." for h in hover] if hover is not None else None
    fig = go.Figure()
    for value in sorted(set(labels.tolist()), key=str):
        idx = np.flatnonzero(labels == value)
        text = [hover[i] for i in idx] if hover is not None else None
        common = dict(mode="markers", name=str(value), text=text, hoverinfo="text" if text else "x+y",
                      marker=dict(size=5, opacity=0.75))
        if dims == 2:
            fig.add_trace(go.Scattergl(x=coords[idx, 0], y=coords[idx, 1], **common))
        else:
            fig.add_trace(go.Scatter3d(x=coords[idx, 0], y=coords[idx, 1], z=coords[idx, 2], **common))
    axis = method.upper() if method != "tsne" else "t-SNE"
    fig.update_layout(title=title or f"{axis} projection of {n} vectors", template="plotly_white",
                      xaxis_title=f"{axis} 1", yaxis_title=f"{axis} 2", legend_title="label")
    return fig
