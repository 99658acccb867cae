"""Load the user's own data files into the workbench containers.

Three readers, one per container:

* :func:`load_pairs` -- sentence pairs with a score: TSV, CSV, or the STS Benchmark
  distribution layout;
* :func:`~workbench.datasets.retrieval_folder.load_retrieval` -- a BEIR or MTEB
  json-lines folder (in :mod:`.retrieval_folder`);
* :func:`load_texts` -- texts with optional labels: ``.txt``, ``.csv``, ``.tsv``,
  ``.jsonl``, ``.parquet``.

Bad input fails early and plainly: a missing path raises FileNotFoundError, an empty
file or a malformed line raises ValueError naming the file, the 1-based line number
and what was expected. Compressed files, remote URLs and the Hugging Face ``datasets``
format are out of scope.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from .containers import PairDataset, TextDataset

__all__ = ["load_pairs", "load_texts"]

# Header names recognised for each role in a pairs file (compared case-insensitively).
_TEXT1_NAMES = ("sentence1", "sentence_1", "text1", "text_1", "s1", "word1", "word 1", "text_a")
_TEXT2_NAMES = ("sentence2", "sentence_2", "text2", "text_2", "s2", "word2", "word 2", "text_b")
_SCORE_NAMES = ("score", "similarity", "sim", "gold", "label", "relatedness", "human (mean)")


def _existing_file(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a folder; expected a file")
    return path


def read_text(path: Path) -> str:
    """A text file's contents (UTF-8, or UTF-16 with its byte-order mark; a byte-order mark dropped).

    An empty or blank file, and one that is not valid text in its encoding, is refused
    with a ValueError naming the file.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.txt"; _ = p.write_text("\\ufeffhello", encoding="utf-8")
    >>> read_text(p)
    'hello'
    """
    data = path.read_bytes()
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"  # a BOM says UTF-16
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = encoding.removesuffix("-sig").upper()
        raise ValueError(f"{path} is not {name} text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
                         "save it as UTF-8") from None
    if not text.strip():
        raise ValueError(f"{path} is empty")
    return text


def as_float(value: str) -> float | None:
    """``value`` as a finite float, or None when it is not a number (or is NaN or inf).

    Examples
    --------
    >>> as_float("0.5"), as_float("nan"), as_float("label")
    (0.5, None, None)
    """
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# --------------------------------------------------------------------------- pairs


def _pair_rows(path: Path, text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Split a pairs file into (line number, fields), skipping blank and '#' lines."""
    if delimiter == "\t":  # TSV: no quoting, quotes are part of the sentences
        rows = [(i, line.split("\t")) for i, line in enumerate(text.splitlines(), 1)]
    else:
        reader = csv.reader(io.StringIO(text))
        rows = [(reader.line_num, fields) for fields in reader]
    return [
        (i, [f.strip() for f in fields])
        for i, fields in rows
        if any(f.strip() for f in fields) and not fields[0].lstrip().startswith("#")
    ]


def _resolve_column(spec: int | str | None, header: list[str] | None, role: str,
                    path: Path) -> int | None:
    if spec is None or isinstance(spec, int):
        return spec
    if header is None:
        raise ValueError(f"{path}: column {spec!r} given for {role} but the file has no header")
    names = [h.lower() for h in header]
    if spec.lower() not in names:
        raise ValueError(f"{path}: no column {spec!r} for {role}; the header has {header}")
    return names.index(spec.lower())


def _infer_columns(fields: list[str]) -> tuple[int, int, int]:
    """Guess (text1, text2, score) from a data row: the last numeric field is the score
    and the last two other fields are the texts (right for ``a, b, score``,
    ``score, a, b`` and STS-B-like rows with leading metadata)."""
    numeric = [j for j, f in enumerate(fields) if as_float(f) is not None]
    if not numeric or len(fields) < 3:
        return 0, 1, 2
    score = numeric[-1]
    others = [j for j in range(len(fields)) if j != score]
    return others[-2], others[-1], score


def load_pairs(
    path: str | Path,
    *,
    text1: int | str | None = None,
    text2: int | str | None = None,
    score: int | str | None = None,
) -> PairDataset:
    """Read text pairs with a numeric score from a TSV or CSV file.

    The delimiter comes from the extension (``.tsv`` tab, ``.csv`` comma) or, for
    other names, from the first line (a tab means TSV). TSV is split on tabs with no
    quoting at all; CSV follows the usual quoting rules. Blank lines and lines
    starting with ``#`` are skipped. A first row whose score field is not a number is
    taken as a header.

    The STS Benchmark distribution layout is recognised by itself: tab-separated rows
    of seven or more fields ``genre, file, year, id, score, sentence1, sentence2``
    (later fields, such as source notes, are ignored).

    A ``split`` column in a header (as in the sentence-transformers STS-B TSV) is
    kept in ``meta["split"]``, which :func:`train_test_split` honours.

    Without explicit columns, a header is searched for familiar names
    (``sentence1``/``sentence2``/``score`` and the like); failing that the last
    numeric field of the first row is the score and the two fields before it that
    are not it are the texts.

    Parameters
    ----------
    path : str or Path
        The file.
    text1, text2, score : int or str, optional
        Column of each role, as a 0-based position or a header name.

    Returns
    -------
    PairDataset
        Named after the file stem; ``meta`` records the path, layout and columns.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "pairs.tsv"
    >>> _ = p.write_text("sentence1\\tsentence2\\tscore\\nA cat.\\tA kitten.\\t4.5\\n")
    >>> ds = load_pairs(p)
    >>> ds.text1, ds.scores.tolist()
    (['A cat.'], [4.5])
    """
    path = _existing_file(path)
    text = read_text(path)
    suffix = path.suffix.lower()
    first_line = next((line for line in text.splitlines()
                       if line.strip() and not line.lstrip().startswith("#")), None)
    if first_line is None:
        raise ValueError(f"{path} holds no data rows (only blank or '#' lines)")
    delimiter = {".tsv": "\t", ".csv": ","}.get(
        suffix, "\t" if "\t" in first_line else ","
    )
    rows = _pair_rows(path, text, delimiter)
    if not rows:
        raise ValueError(f"{path} holds no data rows (only blank or '#' lines)")

    explicit = (text1, text2, score) != (None, None, None)
    first = rows[0][1]
    if (delimiter == "\t" and not explicit and len(first) >= 7
            and as_float(first[4]) is not None):
        layout, header, cols = "stsb", None, (5, 6, 4)
    else:
        layout = "tsv" if delimiter == "\t" else "csv"
        header = None
        named = any(isinstance(spec, str) for spec in (text1, text2, score))
        if named or all(as_float(f) is None for f in first):
            header = first
            rows = rows[1:]
        if not rows:
            raise ValueError(f"{path} has a header but no data rows")
        names = [h.lower() for h in header] if header else []

        def pick(spec, candidates, guess):
            if spec is not None:
                return _resolve_column(spec, header, "a column", path)
            found = [names.index(c) for c in candidates if c in names]
            return found[0] if found else guess

        guess = _infer_columns(rows[0][1])
        cols = (pick(text1, _TEXT1_NAMES, guess[0]), pick(text2, _TEXT2_NAMES, guess[1]),
                pick(score, _SCORE_NAMES, guess[2]))

    need = max(cols) + 1
    sep_name = "tab-separated" if delimiter == "\t" else "comma-separated"
    a, b, s = [], [], []
    for line_no, fields in rows:
        if len(fields) < need:
            raise ValueError(
                f"{path} line {line_no}: expected at least {need} {sep_name} fields, "
                f"got {len(fields)}"
            )
        value = as_float(fields[cols[2]])
        if value is None:
            raise ValueError(
                f"{path} line {line_no}: expected a numeric score in column "
                f"{cols[2] + 1}, got {fields[cols[2]]!r}"
            )
        a.append(fields[cols[0]])
        b.append(fields[cols[1]])
        s.append(value)
    meta = {"path": str(path), "layout": layout,
            "columns": {"text1": cols[0], "text2": cols[1], "score": cols[2]}}
    if header and "split" in names:  # e.g. the sentence-transformers STS-B TSV
        k = names.index("split")
        meta["split"] = [fields[k] if k < len(fields) else "" for _, fields in rows]
    return PairDataset(path.stem, a, b, np.asarray(s, dtype=np.float64), meta)


# ----------------------------------------------------------------------- retrieval


def read_jsonl(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    """Read a json-lines file into (line number, object) pairs, checking that each has the ``required`` keys.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "q.jsonl"; _ = p.write_text('{"_id": "q1", "text": "hi"}')
    >>> read_jsonl(p, ("_id", "text"))
    [(1, {'_id': 'q1', 'text': 'hi'})]
    """
    path = _existing_file(path)
    records = []
    for line_no, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path} line {line_no}: expected a JSON object ({err.msg})") from None
        if not isinstance(record, dict):
            raise ValueError(f"{path} line {line_no}: expected a JSON object, got {line[:40]!r}")
        missing = [key for key in required if key not in record]
        if missing:
            raise ValueError(f"{path} line {line_no}: expected the key(s) {missing}")
        records.append((line_no, record))
    return records


def _rows_to_dataset(path: Path, rows: list[tuple[str, dict]], text: str,
                     label: str) -> TextDataset:
    """Build a TextDataset from (location, record) pairs, e.g. ("line 3", {...})."""
    if not rows:
        raise ValueError(f"{path} holds no rows")
    for where, row in rows:
        value = row.get(text)
        if value is None or (isinstance(value, float) and math.isnan(value)) \
                or not str(value).strip():
            raise ValueError(f"{path} {where}: expected a non-empty {text!r} field")
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
    meta = {"path": str(path)}
    if "split" in frame:  # a shipped split, honoured by train_test_split
        meta["split"] = frame.pop("split").astype(str).tolist()
    attributes = frame if len(frame.columns) else None
    return TextDataset(path.stem, texts, labels, attributes, meta)


def load_texts(path: str | Path, *, text: str = "text", label: str = "label") -> TextDataset:
    """Read texts, with optional labels and attributes, from a file.

    ``.txt`` holds one text per line (blank lines skipped). ``.csv``, ``.tsv``,
    ``.jsonl`` and ``.parquet`` hold records with a ``text`` column, an optional
    ``label`` column, and any other columns, which become ``attributes``. TSV is read
    without quoting; CSV with the usual quoting rules. A ``split`` column goes to
    ``meta["split"]`` (see :func:`~workbench.datasets.train_test_split`).

    Parameters
    ----------
    path : str or Path
        The file.
    text, label : str
        Names of the text and label columns.

    Returns
    -------
    TextDataset

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "reviews.csv"
    >>> _ = p.write_text('text,label,stars\\n"Great, really.",pos,5\\nDull.,neg,1\\n')
    >>> ds = load_texts(p)
    >>> ds.texts, ds.labels.tolist(), ds.attributes["stars"].tolist()
    (['Great, really.', 'Dull.'], ['pos', 'neg'], [5, 1])
    """
    path = _existing_file(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        if text not in frame:
            raise ValueError(f"{path}: no {text!r} column; columns are {list(frame.columns)}")
        rows = [(f"row {i}", rec) for i, rec in enumerate(frame.to_dict("records"), 1)]
        return _rows_to_dataset(path, rows, text, label)
    if suffix == ".jsonl":
        rows = [(f"line {i}", rec) for i, rec in read_jsonl(path, (text,))]
        return _rows_to_dataset(path, rows, text, label)
    content = read_text(path)
    if suffix in (".csv", ".tsv"):
        delimiter = "\t" if suffix == ".tsv" else ","
        quoting = csv.QUOTE_NONE if suffix == ".tsv" else csv.QUOTE_MINIMAL
        reader = csv.reader(io.StringIO(content), delimiter=delimiter, quoting=quoting)
        header = [h.strip() for h in next(reader)]
        if text not in header:
            raise ValueError(f"{path} line 1: expected a header with a {text!r} column, "
                             f"got {header}")
        rows = []
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                raise ValueError(f"{path} line {reader.line_num}: expected {len(header)} "
                                 f"fields, got {len(fields)}")
            rows.append((f"line {reader.line_num}", dict(zip(header, fields))))
        return _rows_to_dataset(path, rows, text, label)
    texts = [line.strip() for line in content.splitlines() if line.strip()]
    return TextDataset(path.stem, texts, meta={"path": str(path)})
