"""Standalone interactive HTML pages: a figure, or a data set's projection, in one file.

:func:`write_html` writes any plotly figure with plotly.js inlined (about 4.7 MB), so the
page opens offline, from e-mail or a course site, with zoom, hover and legend toggles;
the file is written atomically. :func:`projection_page` runs the whole path -- data set,
model, pooling, layer, post-processing, projection, colour -- and writes the page; the
``workbench project`` command calls it. :func:`map_page` writes a large map (a million
points make a page of about 36 MB) with its arrays in binary form. :func:`write_image`
writes PNG, SVG and PDF files through kaleido and the system Chromium (``workbench.images``).
Left out: widgets (a static page has no kernel).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np

from ..cache import atomic_write_bytes
from ..images import FORMATS, write_image  # noqa: F401  (re-exported: figures as PNG, SVG, PDF)
from . import colour as colouring
from .figures import scatter, view_figure
from .pipeline import embed_points, load_points, postprocess
from .projection import project


def write_html(fig, path: str | Path, *, title: str | None = None) -> Path:
    """Write ``fig`` as a self-contained HTML page (plotly.js inlined); returns the path.

    Examples
    --------
    >>> import tempfile, plotly.graph_objects as go
    >>> out = write_html(go.Figure(go.Scatter(x=[1], y=[2])), Path(tempfile.mkdtemp()) / "f.html", title="t")
    >>> text = out.read_text()
    >>> "<title>t</title>" in text, "cdn.plot.ly" in text.split("<body>")[0]
    (True, False)
    """
    path = Path(path).expanduser()
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"the output must be an .html file, got {str(path)!r}")
    page = fig.to_html(full_html=True, include_plotlyjs=True, config={"scrollZoom": True, "displaylogo": False})
    name = title or (fig.layout.title.text if fig.layout.title and fig.layout.title.text else "workbench figure")
    page = page.replace("<head>", f"<head><meta charset=\"utf-8\" /><title>{html.escape(name)}</title>", 1)
    atomic_write_bytes(path, page.encode("utf-8"))
    return path


def projection_page(data: Any, out: str | Path, *, model: Any = "minilm", pooling: str | None = None,
                    layer: int = -1, postprocess_spec: str = "normalize", method: str = "umap", dims: int = 2,
                    colour_by: str = "label", max_points: int | None = 5000, seed: int = 0,
                    show_progress: bool | None = None) -> tuple[Path, dict]:
    """Write the projection of a data set's vectors as a standalone page.

    Returns the path and a summary (points, dimension, method, colour).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "p.html"
    >>> path, info = projection_page("pang-lee-polarity", out, model="glove-50d", method="pca", max_points=30)
    >>> info["points"], info["dim"], path.stat().st_size > 1_000_000
    (30, 50, True)
    """
    from .. import progress  # noqa: PLC0415
    from ..models import load_encoder  # noqa: PLC0415

    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"--out must name an .html file, got {str(out)!r}")
    points = load_points(data, max_points)
    if len(points) <= dims:
        raise ValueError(f"the data set has {len(points)} point(s); a {dims}-d projection needs more than {dims}")
    enc = load_encoder(model) if isinstance(model, str) else model
    pbar = progress.bar(len(points), f"encoding with {enc.name}", show_progress)
    raw = embed_points(enc, points.texts, pooling=pooling, layer=layer,
                       on_progress=lambda done, total: pbar.update(done - pbar.n))
    pbar.close()
    X, _ = postprocess(raw, postprocess_spec)
    coords = project(X, method, dims, seed=seed)
    options = colouring.colour_options(points)
    if colour_by not in options:
        raise ValueError(f"cannot colour {points.name} by {colour_by!r}; valid: {', '.join(options)}")
    values, kind = colouring.colour_values(colour_by, points, colouring.Vectors(X, raw))
    title = (f"{points.name}: {enc.name}, {pooling or enc.pooling} pooling, layer {layer}, {postprocess_spec}, "
             f"{method.upper()} of {len(points):,} points")
    fig = view_figure(points, coords, values, kind=kind, colour_name=colour_by, method=method, title=title)
    fig.update_layout(height=760)
    path = write_html(fig, out, title=title)
    return path, {"out": str(path), "points": len(points), "dim": int(X.shape[1]), "method": method,
                  "colour_by": colour_by}


HOVER_LIMIT = 100_000  # above this many points a static map carries no hover texts (they would dominate the file)


def map_page(coords: Any, out: str | Path, *, colour: Any = None, colour_name: str = "label",
             texts: Any = None, title: str = "map", hover_limit: int = HOVER_LIMIT) -> Path:
    """Write a large 2-d map as one self-contained HTML page (plotly.js inlined, WebGL, opens offline).

    Coordinates, colours and row numbers travel as binary arrays (base64 in the page), so a
    million points make a file of tens of megabytes; hover texts are kept up to
    ``hover_limit`` points (beyond that hover shows the row number and coordinates).

    Examples
    --------
    >>> import tempfile
    >>> xy = np.random.default_rng(0).normal(size=(1000, 2))
    >>> path = map_page(xy, Path(tempfile.mkdtemp()) / "m.html", colour=np.arange(1000) % 3, texts=None)
    >>> text = path.read_text()
    >>> '"bdata"' in text, "cdn.plot.ly" in text.split("<body>")[0]
    (True, False)
    """

    coords = np.asarray(coords, dtype=np.float32)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise ValueError(f"a map page needs (n, 2) coordinates, got shape {coords.shape}")
    n = len(coords)
    if texts is not None and len(texts) != n:
        raise ValueError(f"texts has {len(texts)} entries but there are {n} points; give one per point")
    hover = [str(t) for t in texts] if texts is not None and n <= hover_limit else None
    fig = scatter(coords, colour=colour, colour_name=colour_name, hover=hover, title=title, axis="dim")
    for t in fig.data:  # binary arrays, not JSON lists: float32 coordinates, int32 rows
        t.x, t.y = np.asarray(t.x, np.float32), np.asarray(t.y, np.float32)
        t.customdata = np.asarray(t.customdata, np.int32)
        t.marker.size = 2 if n > 100_000 else t.marker.size
    fig.update_layout(height=760, dragmode="pan")
    return write_html(fig, out, title=title)
