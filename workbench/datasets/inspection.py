"""What the loaders make of a file or folder, shown before any model runs.

:func:`inspect_data` reports the format, the layout recognised, every column with its
header name and guessed kind, the columns the pairs loader would use (or why it
refuses), the first rows exactly as read, and the loader's summary line. The
``workbench inspect PATH`` command prints it.
"""

from __future__ import annotations

from pathlib import Path

from .layouts import LAYOUTS, describe_columns, resolve_pair_columns
from .pairs import load_pairs, pair_table
from .retrieval_folder import load_retrieval
from .texts import load_texts

__all__ = ["inspect_data"]


def inspect_data(path: str | Path, *, text1=None, text2=None, score=None, task: str | None = None,
                 n_rows: int = 5) -> dict:
    """Describe how ``path`` would be read, without loading a model.

    Parameters
    ----------
    path : str or Path
        A pairs or texts file, or a BEIR / MTEB folder.
    text1, text2, score : int or str, optional
        Columns to use, as for :func:`~workbench.datasets.load_pairs`.
    task : {"sts", "pairs"}, optional
        As for :func:`~workbench.datasets.load_pairs`.
    n_rows : int
        How many rows to show as read.

    Returns
    -------
    dict
        ``path``, ``kind`` (pairs, texts, retrieval or unreadable), ``format``,
        ``header``, ``layout``, ``columns`` (one dict per column), ``use`` (role ->
        column) or ``problem`` (the loader's error), ``rows`` (the first rows as read) and
        ``summary``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sts-dev.csv"
    >>> _ = p.write_text("main-news\\tMSRpar\\t2012test\\t0001\\t3.8\\tA cat.\\tA kitten.\\n")
    >>> report = inspect_data(p)
    >>> report["layout"].split(" (")[0], report["use"]
    ('STS Benchmark distribution file', {'text1': 5, 'text2': 6, 'score': 4})
    """
    path = Path(path).expanduser()
    if path.is_dir():
        ds = load_retrieval(path)
        first = list(ds.queries.items())[:n_rows]
        return {"path": str(path), "kind": "retrieval", "layout": ds.meta["layout"],
                "rows": [{"query": q, "text": t, "relevant": sorted(ds.qrels[q])} for q, t in first],
                "summary": ds.meta["summary"]}
    report: dict = {"path": str(path), "kind": "pairs"}
    table, _ = pair_table(path, names_given=any(isinstance(s, str) and not s.strip().isdigit()
                                                for s in (text1, text2, score) if s is not None))
    report.update(format=table.format, header=table.header,
                  columns=describe_columns(table),
                  rows=[{table.unit: n, "fields": fields} for n, fields in table.rows[:n_rows]])
    try:
        cols = resolve_pair_columns(table, text1=text1, text2=text2, score=score, task=task)
        report["layout"] = LAYOUTS[cols.layout]
        ds = load_pairs(path, text1=text1, text2=text2, score=score, task=task)
        report["use"], report["summary"] = ds.meta["columns"], ds.meta["summary"]
    except ValueError as err:
        report["problem"] = str(err)
        try:
            texts = load_texts(path)
        except (ValueError, TypeError):
            report["kind"] = "unreadable"
        else:
            report.update(kind="texts", layout=texts.meta["layout"], summary=texts.meta["summary"])
    return report


def format_report(report: dict) -> str:
    """``inspect_data``'s report as lines of text for a terminal.

    Examples
    --------
    >>> print(format_report({"path": "x.tsv", "kind": "pairs", "summary": "x: read 1 pairs"}))
    path: x.tsv
    kind: pairs
    summary: x: read 1 pairs
    """
    lines = [f"path: {report['path']}", f"kind: {report['kind']}"]
    for key in ("format", "layout"):
        if report.get(key):
            lines.append(f"{key}: {report[key]}")
    if "header" in report:
        lines.append(f"header: {report['header'] if report['header'] else 'none'}")
    if report.get("columns"):
        lines.append("columns (0-based position, header name, kind, first value):")
        lines += [f"  [{c['index']}] {c['name'] if c['name'] is not None else '-'}  {c['kind']}  {c['first']!r}"
                  for c in report["columns"]]
    if report.get("use"):
        lines.append("would use: " + ", ".join(f"{role}={j}" for role, j in report["use"].items()))
    if report.get("problem"):
        lines.append(f"problem (as a pairs file): {report['problem']}")
    if report.get("rows"):
        lines.append("first rows as read:")
        for row in report["rows"]:
            where = next(iter(row))
            lines.append(f"  {where} {row[where]}: {row.get('fields', {k: v for k, v in row.items() if k != where})}")
    if report.get("summary"):
        lines.append(f"summary: {report['summary']}")
    return "\n".join(lines)
