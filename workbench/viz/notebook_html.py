"""Executed notebooks as offline HTML pages: run a notebook, keep it small, export it with every figure.

:func:`execute` runs a notebook with nbclient without saving widget state (each plotly
``FigureWidget`` or jupyter-scatter widget would store its 5 MB JavaScript bundle; the
panels leave static snapshots instead, see :mod:`workbench.display`). :func:`to_html`
exports it with nbconvert's ``lab`` template minus everything it would fetch from a CDN
(require.js, MathJax, the widget manager, mermaid), so the page opens offline; plotly.js
travels inside the notebook, once. :func:`build_pages` does both for a list of notebooks
(``make figures``: ``python -m workbench.viz.notebook_html notebooks/*.ipynb --out build/figures``).
:func:`figure_ids`, :func:`page_figure_ids` and :func:`network_urls` are the checks a
test or a reader applies to a page. Formulas in markdown (``$...$``, ``$$...$$``) become
MathML at export (:func:`tex_to_mathml`, with ``latex2mathml``), which browsers draw
without MathJax; one that cannot be converted stays as TeX source.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from ..cache import atomic_write_bytes

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
OFFLINE_TEMPLATE = "workbench_offline.html.j2"
_TEMPLATE_TEXT = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
_DIV = re.compile(r'<div\b[^>]*\bclass="plotly-graph-div"[^>]*>')  # nbconvert may reorder the attributes
_ID = re.compile(r'\bid="([^"]+)"')
_URL_REFS = (re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//[^\"' >]+", re.I),
             re.compile(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//[^\"' >]+", re.I),
             re.compile(r"\bimport\s*\(\s*[\"'](https?:)?//[^\"']+", re.I),
             re.compile(r"\bimport\s+[^;\"']*?[\"'](https?:)?//[^\"']+", re.I),
             re.compile(r"requirejs\.config\([^)]*(https?:)?//", re.I),
             re.compile(r"@import\s+(url\()?[\"']?(https?:)?//", re.I))


def execute(path: str | Path, *, smoke: bool = True, timeout: int = 300, kernel: str | None = None,
            cwd: str | Path | None = None) -> Any:
    """Run the notebook at ``path`` top to bottom and return the executed notebook (widget state not saved).

    ``smoke`` sets ``WB_SMOKE=1`` for the kernel (small sizes; ``False`` runs at full
    size); ``kernel`` defaults to the notebook's own kernelspec; ``timeout`` is per cell;
    ``cwd`` defaults to the notebook's folder (as nbmake and ``jupyter nbconvert`` run it).
    A failing cell raises nbclient's ``CellExecutionError`` naming the cell.
    """
    import nbformat  # noqa: PLC0415
    from nbclient import NotebookClient  # noqa: PLC0415

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    kwargs = {"kernel_name": kernel} if kernel else {}
    resources = {"metadata": {"path": str(Path(path).resolve().parent if cwd is None else cwd)}}
    # the state is kept in memory while running (nbclient's Output-widget capture needs it), then dropped
    client = NotebookClient(nb, timeout=timeout, store_widget_state=True, record_timing=False,
                            resources=resources, **kwargs)
    client.execute(env={**os.environ, "WB_SMOKE": "1" if smoke else "0"})
    nb.metadata.pop("widgets", None)
    return nb


_CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?![\w$])")


def tex_to_mathml(markdown: str) -> str:
    """Markdown with its ``$...$`` and ``$$...$$`` formulas as MathML (code spans and blocks untouched).

    Examples
    --------
    >>> out = tex_to_mathml("the slope $d$ of `$x$`, and $$k = x^2$$")
    >>> out.count("<math"), "`$x$`" in out, 'display="block"' in out
    (2, True, True)
    >>> tex_to_mathml("it costs $5 and $6")   # prices are not formulas
    'it costs $5 and $6'
    """
    try:
        from latex2mathml.converter import convert  # noqa: PLC0415
    except ImportError:  # formulas stay as TeX source
        return markdown

    def swap(display: str):
        def to_mathml(match: re.Match) -> str:
            try:
                return convert(match.group(1).strip(), display=display)
            except Exception:  # noqa: BLE001 - left as TeX source
                return match.group(0)
        return to_mathml

    parts = _CODE.split(markdown)
    for i in range(0, len(parts), 2):  # even parts are prose, odd parts code
        parts[i] = _INLINE_MATH.sub(swap("inline"), _DISPLAY_MATH.sub(swap("block"), parts[i]))
    return "".join(parts)


def to_html(nb: Any) -> str:
    """The executed notebook as one offline HTML page (``lab`` look, formulas as MathML, nothing fetched)."""
    import copy  # noqa: PLC0415

    import jinja2  # noqa: PLC0415
    from nbconvert import HTMLExporter  # noqa: PLC0415

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = tex_to_mathml(cell.source)

    exporter = HTMLExporter(template_name="lab", template_file=OFFLINE_TEMPLATE,
                            extra_loaders=[jinja2.DictLoader({OFFLINE_TEMPLATE: _TEMPLATE_TEXT})])
    body, _ = exporter.from_notebook_node(nb)
    return body


def _div_ids(html: str) -> list[str]:
    return [m.group(1) for tag in _DIV.findall(html) for m in [_ID.search(tag)] if m]


def figure_ids(nb: Any) -> list[str]:
    """The ids of the plotly figures an executed notebook shows (figures and figures inside panel snapshots).

    Raises ValueError when a plotly figure output has no HTML form (it would vanish from an export).
    """
    ids = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            html = data.get("text/html", "")
            if PLOTLY_MIME in data and not _div_ids(html):
                raise ValueError(f"cell {index} shows a plotly figure without an HTML form: an export would drop it; "
                                 "import workbench in the notebook (it sets the renderer) or call "
                                 "workbench.display.setup_notebook()")
            ids.extend(_div_ids(html))
    return ids


def bare_widgets(nb: Any) -> list[int]:
    """Cells whose widget outputs carry no static form (``text/html`` or an image): blank in an export."""
    return [index for index, cell in enumerate(nb.cells) for out in cell.get("outputs", [])
            if WIDGET_MIME in out.get("data", {})
            and not {"text/html", "image/png", "image/svg+xml"} & set(out.get("data", {}))]


def page_figure_ids(page: str) -> list[str]:
    """The ids of the plotly figures a page draws (a ``div`` and a ``Plotly.newPlot`` call each).

    Examples
    --------
    >>> page_figure_ids('<div id="0b5e7c1a-0000-4000-8000-000000000000" class="plotly-graph-div"></div>'
    ...                 '<script>Plotly.newPlot("0b5e7c1a-0000-4000-8000-000000000000", [])</script>')
    ['0b5e7c1a-0000-4000-8000-000000000000']
    """
    return [i for i in _div_ids(page) if re.search(rf'Plotly\.newPlot\(\s*"{i}"', page)]


def network_urls(page: str) -> list[str]:
    """What a page would load from the network: ``<script src>``, ``<link href>``, ES ``import``,
    require paths and CSS ``@import`` pointing at ``http(s)://`` or ``//`` addresses.

    Examples
    --------
    >>> network_urls('<script src="https://cdn.plot.ly/x.js"></script><a href="https://example.org">ok</a>')
    ['<script src="https://cdn.plot.ly/x.js']
    >>> network_urls('<script>var a = 1;</script>')
    []
    """
    return [m.group(0) for rx in _URL_REFS for m in rx.finditer(page)]


def build_pages(notebooks: Sequence[str | Path], out: str | Path, *, smoke: bool = False, timeout: int = 3600,
                kernel: str | None = None) -> list[dict]:
    """Execute each notebook and write ``<out>/<name>.ipynb`` and ``<out>/<name>.html``; returns one summary each.

    Raises ValueError when a page would load something from the network or loses a figure.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for path in map(Path, notebooks):
        import nbformat  # noqa: PLC0415

        t0 = time.perf_counter()
        nb = execute(path, smoke=smoke, timeout=timeout, kernel=kernel)
        seconds = time.perf_counter() - t0
        page = to_html(nb)
        missing = sorted(set(figure_ids(nb)) - set(page_figure_ids(page)))
        urls = network_urls(page)
        if missing or urls:
            raise ValueError(f"{path.name}: the page loses figures {missing} or loads from the network: {urls[:3]}")
        notebook_file, page_file = out / f"{path.stem}.ipynb", out / f"{path.stem}.html"
        atomic_write_bytes(notebook_file, nbformat.writes(nb).encode("utf-8"))
        atomic_write_bytes(page_file, page.encode("utf-8"))
        rows.append({"notebook": path.name, "seconds": round(seconds, 1), "figures": len(figure_ids(nb)),
                     "ipynb_bytes": notebook_file.stat().st_size, "html_bytes": page_file.stat().st_size,
                     "page": str(page_file)})
        print(f"{path.name}: {rows[-1]['figures']} figures, {seconds:.0f} s, notebook "
              f"{rows[-1]['ipynb_bytes'] / 1e6:.1f} MB, page {rows[-1]['html_bytes'] / 1e6:.1f} MB -> {page_file}",
              flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m workbench.viz.notebook_html NOTEBOOK... --out DIR [--smoke]``."""
    parser = argparse.ArgumentParser(prog="python -m workbench.viz.notebook_html",
                                     description="execute notebooks and write offline HTML pages of them")
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--out", default="build/figures")
    parser.add_argument("--smoke", action="store_true", help="small sizes (WB_SMOKE=1)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    parser.add_argument("--kernel", default=None)
    args = parser.parse_args(argv)
    missing = [n for n in args.notebooks if not Path(n).is_file()]
    if missing:
        print(f"error: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    build_pages(args.notebooks, args.out, smoke=args.smoke, timeout=args.timeout, kernel=args.kernel)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
