"""Load texts, with optional labels and attributes, from the user's own files or tables.

``.txt`` holds one text per line; ``.csv``, ``.tsv`` (the delimiter read from the
content), ``.jsonl``, ``.json`` (an array of strings or of objects) and ``.parquet`` hold
records with a text column, an optional label column and any other columns, which
become attributes; a pandas DataFrame or a Hugging Face ``datasets.Dataset`` is read
the same way. Text files may be gzip-compressed. Every load logs one summary line
(logger ``workbench.datasets.texts``) and keeps it in ``meta["summary"]``.

Bad input fails early and plainly: a missing path raises FileNotFoundError, an empty
file, a file that is not UTF-8 or a malformed line raises ValueError naming the file,
the 1-based line number and what was expected.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pandas as pd

from .containers import TextDataset
from .reading import existing_file, read_json_array, read_jsonl, read_table, read_text, saved_dataset

__all__ = ["load_texts"]

log = logging.getLogger(__name__)
SUFFIXES = (".txt", ".csv", ".tsv", ".jsonl", ".json", ".parquet")


def _rows_to_dataset(source: str, name: str, rows: list[tuple[str, dict]], text: str,
                     label: str, how: str) -> TextDataset:
    """Build a TextDataset from (location, record) pairs, e.g. ("line 3", {...})."""
    if not rows:
        raise ValueError(f"{source} holds no rows")
    columns = list(dict.fromkeys(k for _, row in rows for k in row))
    if text not in columns:
        raise ValueError(f"{source}: no {text!r} column; the columns are {columns} "
                         "(choose one with text=, on the command line --text1)")
    for where, row in rows:
        value = row.get(text)
        if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
            raise ValueError(f"{source} {where}: expected a non-empty {text!r} field, got {value!r}")
    frame = pd.DataFrame([row for _, row in rows])
    texts = frame.pop(text).astype(str).tolist()
    labels = frame.pop(label).to_numpy() if label in frame else None
    for column in frame.columns:  # CSV fields arrive as strings; make numbers numeric
        try:
            frame[column] = pd.to_numeric(frame[column])
        except (ValueError, TypeError):
            pass
    if labels is not None and labels.dtype == object:
        try:
            labels = pd.to_numeric(pd.Series(labels)).to_numpy()
        except (ValueError, TypeError):
            labels = labels.astype(str)
    meta = {"path": source, "layout": how, "columns": {"text": text, "label": label if labels is not None
                                                       else None}}
    if "split" in frame:  # a shipped split, honoured by train_test_split
        meta["split"] = frame.pop("split").astype(str).tolist()
    attributes = frame if len(frame.columns) else None
    extra = f", attributes {list(attributes.columns)}" if attributes is not None else ""
    labelled = f", label column {label!r}" if labels is not None else ", no labels"
    return _done(TextDataset(name, texts, labels, attributes, meta),
                 f"{how}; text column {text!r}{labelled}{extra}")


def _done(ds: TextDataset, how: str, skipped: str = "none") -> TextDataset:
    ds.meta["summary"] = f"{ds.name}: read {len(ds)} texts from {ds.meta['path']}; {how}; skipped: {skipped}"
    log.info(ds.meta["summary"])
    return ds


def load_texts(source, *, text: str = "text", label: str = "label") -> TextDataset:
    """Read texts, with optional labels and attributes, from a file or a table.

    ``.txt`` holds one text per line (blank lines skipped). ``.csv``, ``.tsv``,
    ``.jsonl``, ``.json`` and ``.parquet`` hold records with a ``text`` column, an
    optional ``label`` column, and any other columns, which become ``attributes``; a
    ``.json`` file may also be an array of strings. The delimiter of a delimited file
    is read from its content; tab-separated fields are not quoted, comma-separated ones
    follow the usual quoting rules. A ``split`` column goes to ``meta["split"]`` (see
    :func:`~workbench.datasets.train_test_split`). Other extensions are refused.

    Parameters
    ----------
    source : str, Path, pandas.DataFrame or datasets.Dataset
        The file (text formats may be gzip-compressed) or a table.
    text, label : str
        Names of the text and label columns.

    Returns
    -------
    TextDataset
        ``meta["summary"]`` holds the line that was logged.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "reviews.csv"
    >>> _ = p.write_text('text,label,stars\\n"Great, really.",pos,5\\nDull.,neg,1\\n')
    >>> ds = load_texts(p)
    >>> ds.texts, ds.labels.tolist(), ds.attributes["stars"].tolist()
    (['Great, really.', 'Dull.'], ['pos', 'neg'], [5, 1])
    """
    saved = saved_dataset(source) if isinstance(source, (str, Path)) else None
    if saved is not None or not isinstance(source, (str, Path)):
        frame = saved if saved is not None else source.to_pandas() if hasattr(source, "to_pandas") else source
        if not hasattr(frame, "to_dict"):
            raise TypeError(f"load_texts takes a path, a DataFrame or a datasets.Dataset, got {type(source).__name__}")
        rows = [(f"row {i}", rec) for i, rec in enumerate(frame.to_dict("records"), 1)]
        if saved is not None:
            return _rows_to_dataset(str(source), Path(source).name, rows, text, label, "table")
        kind = type(source).__name__
        return _rows_to_dataset(kind, kind, rows, text, label, "table")
    path = existing_file(source)
    suffix = path.suffix.lower() if path.suffix.lower() != ".gz" else Path(path.stem).suffix.lower()
    name = Path(path.name.removesuffix(".gz")).stem
    if suffix not in SUFFIXES:
        raise ValueError(f"{path}: cannot tell how to read a {suffix or 'extensionless'} file; "
                         f"name it with one of {', '.join(SUFFIXES)} (optionally .gz)")
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        rows = [(f"row {i}", rec) for i, rec in enumerate(frame.to_dict("records"), 1)]
        return _rows_to_dataset(str(path), name, rows, text, label, "parquet")
    if suffix == ".jsonl":
        rows = [(f"line {i}", rec) for i, rec in read_jsonl(path, (text,))]
        return _rows_to_dataset(str(path), name, rows, text, label, "json lines")
    if suffix == ".json":
        array = read_json_array(path)
        if array and all(isinstance(item, str) for item in array):
            return _done(TextDataset(name, array, meta={"path": str(path), "layout": "JSON array of texts"}),
                         "JSON array of texts")
        if not all(isinstance(item, dict) for item in array):
            raise ValueError(f"{path}: expected a JSON array of texts or of objects, not a mix "
                             f"(item 1 is a {type(array[0]).__name__})")
        rows = [(f"item {i}", rec) for i, rec in enumerate(array, 1)]
        return _rows_to_dataset(str(path), name, rows, text, label, "JSON array of objects")
    if suffix in (".csv", ".tsv"):
        table = read_table(path, comments=False)
        (header_line, header), data = table.rows[0], table.rows[1:]
        if text not in header:
            raise ValueError(f"{path} line {header_line}: expected a header with a {text!r} column, got {header}")
        rows = []
        for line_no, fields in data:
            if len(fields) != len(header):
                raise ValueError(f"{path} line {line_no}: expected {len(header)} {table.format} fields, "
                                 f"got {len(fields)}")
            rows.append((f"line {line_no}", dict(zip(header, fields))))
        return _rows_to_dataset(str(path), name, rows, text, label, f"{table.format} with a header")
    lines = read_text(path).splitlines()
    texts = [line.strip() for line in lines if line.strip()]
    return _done(TextDataset(name, texts, meta={"path": str(path), "layout": "one text per line"}),
                 "one text per line", f"{len(lines) - len(texts)} blank")
