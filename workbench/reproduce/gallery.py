"""The gallery: every entry's figure, side-by-side table and verdict on one offline page; the README's table.

:func:`build_gallery` reads the result folders that :func:`~.runner.run_entry` wrote and
writes ``index.html``: plotly's script once, inline, then for each paper its claim, the
verdict, the figure and the table of ours against theirs with each published number's
source. It opens offline. :func:`verdict_table` is the same summary as Markdown, the
table the README carries between the markers :data:`README_START` and
:data:`README_END` (:func:`update_readme` rewrites only that part).
"""

from __future__ import annotations

import html
import math
from pathlib import Path

from ..cache import atomic_write_bytes
from .registry import all_entries
from .runner import RESULTS_DIR, load_result, result_folder

__all__ = ["README_END", "README_START", "build_gallery", "headline", "update_readme", "verdict_table"]

README_START = "<!-- reproductions:start (written by `workbench reproduce --readme`; do not edit) -->"
README_END = "<!-- reproductions:end -->"


def _number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def headline(result: dict | None) -> tuple[str, str]:
    """Theirs and ours for the first row of a result's table that has both (the entry's headline comparison).

    Examples
    --------
    >>> headline({"table": [{"quantity": "critical_n", "setting": "d=4", "ours": 9.0, "theirs": 10.0,
    ...                      "unit": "count", "source": "T6"}]})
    ('critical_n d=4: 10', 'critical_n d=4: 9')
    >>> headline(None)
    ('—', 'not run')
    """
    if not result:
        return "—", "not run"
    rows = result.get("table") or []
    both = [r for r in rows if r.get("ours") is not None and r.get("theirs") is not None]
    row = (both or rows or [None])[0]
    if row is None:
        return "—", "—"
    label = f"{row['quantity']} {row['setting']}".strip()
    return f"{label}: {_number(row.get('theirs'))}", f"{label}: {_number(row.get('ours'))}"


def verdict_table(out: str | Path | None = None) -> str:
    """The Markdown table of every entry: paper, claim, theirs, ours, verdict (and the size it ran at).

    Examples
    --------
    >>> import tempfile
    >>> verdict_table(out=tempfile.mkdtemp()).splitlines()[0]
    '| paper | claim | theirs | ours | verdict |'
    """
    lines = ["| paper | claim | theirs | ours | verdict |", "|---|---|---|---|---|"]
    for name, entry in sorted(all_entries().items()):
        result = load_result(name, out)
        theirs, ours = headline(result)
        if not entry.built:
            verdict = "not yet"
        elif result is None:
            verdict = "not run"
        else:
            verdict = result["verdict"] + (" (smoke size)" if result.get("size") == "smoke" else "")
        paper = f"{entry.paper.authors} {entry.paper.year}, *{entry.paper.title}*"
        cells = [paper, entry.claim, theirs, ours, verdict]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def update_readme(readme: str | Path, out: str | Path | None = None) -> Path:
    """Replace the verdict table between the README's markers with :func:`verdict_table`; atomic.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "README.md"
    >>> _ = f.write_text("# x\\n")
    >>> update_readme(f)
    Traceback (most recent call last):
    ...
    ValueError: .../README.md has no reproductions section: add the two lines ... where the table goes
    """
    path = Path(readme)
    text = path.read_text()
    if README_START not in text or README_END not in text:
        raise ValueError(f"{path} has no reproductions section: add the two lines {README_START!r} and "
                         f"{README_END!r} where the table goes")
    before, rest = text.split(README_START, 1)
    _, after = rest.split(README_END, 1)
    atomic_write_bytes(path, (before + README_START + "\n" + verdict_table(out) + README_END + after).encode())
    return path


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0 1.4em; font-size: 0.92em; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
.verdict { font-weight: 600; padding: 0.1em 0.5em; border-radius: 4px; }
.reproduced { background: #d8f0d8; } .direction-reproduced { background: #e8f4d0; }
.not-reproduced { background: #f6d6d6; } .not-comparable { background: #eee; } .not-yet { background: #f3ecd8; }
.not-run { background: #fff; border: 1px dashed #aaa; }
section { border-top: 1px solid #ddd; padding-top: 0.8em; }
"""


def _table_html(rows: list[dict]) -> str:
    cols = ("quantity", "setting", "ours", "theirs", "unit", "source")
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_number(r.get(c)))}</td>" for c in cols) + "</tr>"
                   for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def build_gallery(out: str | Path | None = None) -> Path:
    """Write ``index.html`` beside the result folders: one self-contained page that opens offline.

    Examples
    --------
    >>> import tempfile
    >>> build_gallery(tempfile.mkdtemp()).name
    'index.html'
    """
    import plotly.io as pio  # noqa: PLC0415
    from plotly.offline import get_plotlyjs  # noqa: PLC0415

    root = Path(out if out is not None else RESULTS_DIR).expanduser()
    summary, sections = [], []
    for name, entry in sorted(all_entries().items()):
        result = load_result(name, root)
        verdict = "not yet" if not entry.built else (result["verdict"] if result else "not run")
        css = verdict.replace(" ", "-")
        summary.append(f"<tr><td><a href='#{name}'>{html.escape(entry.paper.title)}</a></td>"
                       f"<td><span class='verdict {css}'>{verdict}</span></td></tr>")
        parts = [f"<section id='{name}'><h2>{html.escape(entry.paper.title)}</h2>",
                 f"<p>{html.escape(entry.paper.authors)} ({entry.paper.year})"
                 + (f", arXiv:{html.escape(entry.paper.arxiv)}" if entry.paper.arxiv else "") + "</p>",
                 f"<p><b>Claim.</b> {html.escape(entry.claim)}</p>",
                 f"<p><b>Verdict:</b> <span class='verdict {css}'>{verdict}</span>"
                 + (f" — {html.escape(result['reason'])} ({result['size']} size, {result['seconds']} s, "
                    f"{result['finished']} UTC)" if result else "") + "</p>",
                 f"<p><b>Rule.</b> {html.escape(entry.rule)}</p><p><b>Our scale.</b> {html.escape(entry.scale)}</p>"]
        figure = result_folder(name, root, smoke=bool(result) and result["size"] == "smoke") / "figure.json"
        if result and figure.is_file():
            parts.append(pio.read_json(figure).to_html(full_html=False, include_plotlyjs=False))
        if result:
            parts.append(_table_html(result["table"]))
        sections.append("".join(parts) + "</section>")
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Reproductions</title>"
            f"<style>{_STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
            "<h1>Reproductions</h1><p>Each seed paper's central claim, rerun at laptop scale beside the "
            "published numbers.</p><table><tr><th>paper</th><th>verdict</th></tr>" + "".join(summary)
            + "</table>" + "".join(sections) + "</body></html>")
    target = root / "index.html"
    atomic_write_bytes(target, page.encode())
    return target

