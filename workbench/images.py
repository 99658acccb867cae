"""Figures as image files -- PNG, SVG, PDF -- through kaleido driven by the system Chromium.

Nothing is downloaded: kaleido is told to use the Chromium (or Chrome) found on the
``PATH`` or named by ``BROWSER_PATH``; when there is none, the error says what to
install. Several formats of one figure are written in one browser session. Files are
written to a temporary name first and renamed, so a failed export leaves no half file.
:func:`workbench.viz.export.write_image` is this function; the reproductions' PNGs
come from here too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Sequence

FORMATS = ("png", "svg", "pdf")
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
INSTALL = ("no Chromium for the static image engine (kaleido): install it with `apt-get install chromium` "
           "(Debian/Ubuntu) or `brew install --cask chromium` (macOS), or set BROWSER_PATH to a Chrome/Chromium binary")


def find_chromium() -> str | None:
    """The Chromium or Chrome binary kaleido will drive (``BROWSER_PATH`` first, then the ``PATH``), or None.

    Examples
    --------
    >>> find_chromium() is None or Path(find_chromium()).name != ""
    True
    """
    given = os.environ.get("BROWSER_PATH")
    if given:
        return given if Path(given).is_file() else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def image_formats(path: str | Path, formats: Sequence[str] | None = None) -> list[str]:
    """The formats to write: ``formats`` or the file's suffix, checked against ``FORMATS``.

    Examples
    --------
    >>> image_formats("fig.svg"), image_formats("fig", ["png", "PDF"])
    (['svg'], ['png', 'pdf'])
    >>> image_formats("fig.gif")
    Traceback (most recent call last):
    ...
    ValueError: cannot write a figure as 'gif'; accepted formats: png, svg, pdf
    """
    if formats is None:
        suffix = Path(path).suffix.lstrip(".").lower()
        if not suffix:
            raise ValueError(f"{str(path)!r} has no suffix; name a .png, .svg or .pdf file or pass formats=")
        formats = [suffix]
    wanted = [str(f).lower().lstrip(".") for f in formats]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise ValueError(f"cannot write a figure as {', '.join(map(repr, bad)) or 'nothing'}; "
                         f"accepted formats: {', '.join(FORMATS)}")
    return list(dict.fromkeys(wanted))


def write_image(fig: Any, path: str | Path, *, formats: Sequence[str] | None = None, width: int | None = None,
                height: int | None = None, scale: float = 1.0) -> list[Path]:
    """Write ``fig`` as an image file, or as several (``formats``: ``path`` with each suffix); returns the paths.

    ``width`` and ``height`` default to the figure's own size (or 700 x 500).

    Examples
    --------
    >>> import tempfile, plotly.graph_objects as go
    >>> paths = write_image(go.Figure(go.Bar(y=[1, 3])), Path(tempfile.mkdtemp()) / "bars",
    ...                     formats=["png", "svg"])            # doctest: +SKIP
    >>> [p.suffix for p in paths], paths[0].read_bytes()[:4]   # doctest: +SKIP
    (['.png', '.svg'], b'\\x89PNG')
    """
    path = Path(path).expanduser()
    wanted = image_formats(path, formats)
    from .packages import require  # noqa: PLC0415

    require("kaleido", "viz", "figures as PNG, SVG or PDF")
    pio = require("plotly.io", "viz", "figures as PNG, SVG or PDF")
    browser = find_chromium()
    if browser is None:
        raise RuntimeError(INSTALL)
    os.environ.setdefault("BROWSER_PATH", browser)  # kaleido (choreographer) drives this one, never a download
    stem = path.with_suffix("") if path.suffix.lstrip(".").lower() in FORMATS else path
    targets = [stem.with_name(f"{stem.name}.{f}") for f in wanted]
    temps = [t.with_name(f".tmp-{os.getpid()}-{t.name}") for t in targets]
    for t in targets:
        t.parent.mkdir(parents=True, exist_ok=True)
    try:
        pio.write_images([fig] * len(wanted), temps, format=wanted, width=width, height=height, scale=scale)
        for temp, target in zip(temps, targets):
            os.replace(temp, target)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    return targets
