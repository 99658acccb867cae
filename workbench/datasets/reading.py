"""Reading a data file into rows of fields, before anyone decides what the fields mean.

One place settles the byte-level questions every loader shares: gzip compression
(recognised by its magic bytes, whatever the name), UTF-8 with or without a byte-order
mark (anything else is refused with the file and the first undecodable byte named),
CRLF line ends, blank and ``#`` comment lines, and the delimiter, which is read from
the content rather than trusted from the extension: the STS Benchmark distribution
files are named ``.csv`` but separated by tabs.

Tab-separated files are split on tabs with no quoting at all (the STS Benchmark, SICK
and MRPC files hold unbalanced quotes inside sentences); comma-separated files follow
the usual CSV quoting, so a quoted field may hold commas and newlines.

Left out: other encodings (re-save the file as UTF-8), remote URLs, spreadsheets.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from ..packages import require

__all__ = ["Table", "as_float", "existing_file", "read_jsonl", "read_table", "read_text", "saved_dataset",
           "sniff_delimiter"]

DELIMITER_NAMES = {"\t": "tab-separated", ",": "comma-separated", ";": "semicolon-separated"}


def existing_file(path: str | Path) -> Path:
    """``path`` as a Path to an existing file; FileNotFoundError or ValueError otherwise.

    Examples
    --------
    >>> existing_file("/nowhere/x.tsv")
    Traceback (most recent call last):
    FileNotFoundError: no such file: /nowhere/x.tsv
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a folder; expected a file")
    return path


def saved_dataset(path: str | Path):
    """A folder written by Hugging Face ``datasets``' ``save_to_disk``, as a pandas DataFrame; None otherwise.

    A folder holding several splits (a ``DatasetDict``) is refused with their names:
    pass the split itself (``datasets.load_from_disk(folder)["test"]``) to the loader.

    Examples
    --------
    >>> import tempfile
    >>> saved_dataset(tempfile.mkdtemp()) is None   # an ordinary folder
    True
    """
    path = Path(path).expanduser()
    if not path.is_dir() or not {"state.json", "dataset_dict.json"} & {p.name for p in path.iterdir()}:
        return None
    datasets = require("datasets", "hf", f"reading {path} (written by save_to_disk)")
    saved = datasets.load_from_disk(str(path))
    if hasattr(saved, "keys"):
        splits = list(saved.keys())
        if len(splits) != 1:
            raise ValueError(f"{path} holds the splits {splits}; pass one of them: "
                             f"datasets.load_from_disk({str(path)!r})[{splits[0]!r}]")
        saved = saved[splits[0]]
    return saved.to_pandas()


def read_text(path: Path) -> str:
    """A text file's contents: gzip undone, UTF-8 (or UTF-16 by its byte-order mark) decoded, the mark dropped.

    An empty or blank file is refused, and so is a file that is not valid text in its
    encoding, with the position of the first byte that does not decode.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.txt"; _ = p.write_text("\\ufeffhello", encoding="utf-8")
    >>> read_text(p)
    'hello'
    """
    path = existing_file(path)
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise ValueError(f"{path}: a damaged gzip file ({err})") from None
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"  # a BOM says UTF-16
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        name = encoding.removesuffix("-sig").upper()
        raise ValueError(
            f"{path} line {line}: not {name} text (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "re-save the file as UTF-8, e.g. iconv -f latin1 -t utf-8"
        ) from None
    if not text.strip():
        raise ValueError(f"{path} is empty")
    return text


def as_float(value) -> float | None:
    """``value`` as a finite float, or None when it is not a number (or is NaN or inf).

    Examples
    --------
    >>> as_float("0.5"), as_float("nan"), as_float("label")
    (0.5, None, None)
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def is_nan(value) -> bool:
    """Whether ``value`` spells a missing number (``nan``, ``NaN``, a float NaN or None).

    Examples
    --------
    >>> is_nan("NaN"), is_nan(float("nan")), is_nan("0.5")
    (True, True, False)
    """
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter of a few data lines: tab, comma or semicolon, read from the content.

    Tab wins when every line holds one (sentences hold commas, rarely tabs); otherwise
    the candidate that splits every line into the same number (at least two) of
    CSV fields. None when no candidate does.

    Examples
    --------
    >>> sniff_delimiter(["genre\\tfile\\t2012\\t0001\\t3.8\\tA, b\\tC"])
    '\\t'
    >>> sniff_delimiter(['a,"b, c",1', "d,e,2"])
    ','
    """
    if lines and all("\t" in line for line in lines):
        return "\t"
    for candidate in (",", ";"):
        counts = {len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=candidate)}
        if len(counts) == 1 and min(counts) >= 2:
            return candidate
    # quoted fields with embedded newlines break the per-line view; fall back to a count on the whole sample
    for candidate in (",", ";"):
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=candidate))
        if rows and all(len(row) >= 2 for row in rows):
            return candidate
    return None


@dataclass
class Table:
    """Rows of string fields read from a file or a frame, with where each came from.

    Parameters
    ----------
    source : str
        The file (or a description of an in-memory table) for messages.
    rows : list of (int, list of str)
        (1-based line or row number, fields) of every data row.
    header : list of str or None
        Column names, when the first row is a header.
    delimiter : str or None
        The delimiter found, for text files.
    unit : str
        ``"line"`` for text files, ``"row"`` for frames.
    skipped : dict
        Reason -> count of lines left out (blank, comment).
    header_line : int or None
        Where the header was, when there is one.
    """

    source: str
    rows: list[tuple[int, list[str]]]
    header: list[str] | None = None
    delimiter: str | None = None
    unit: str = "line"
    skipped: dict = field(default_factory=dict)
    header_line: int | None = None

    @property
    def format(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, "table") if self.delimiter else "table"


def read_table(path: Path, *, comments: bool = True) -> Table:
    """Split a delimited text file into rows, the delimiter read from its content.

    Blank lines and (with ``comments``) lines starting with ``#`` are left out and counted. The header
    question is left to the caller: every non-blank row is returned.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "sts-dev.csv"
    >>> _ = p.write_bytes(b"main-news\\tMSRpar\\t2012\\t1\\t3.8\\tHe said \\"no\\".\\tNo.\\r\\n\\r\\n")
    >>> t = read_table(p)
    >>> t.format, t.rows[0][1][5], t.skipped
    ('tab-separated', 'He said "no".', {'blank': 1})
    """
    text = read_text(path)
    lines = text.splitlines()
    sample = [line for line in lines if line.strip() and not (comments and line.lstrip().startswith("#"))][:50]
    if not sample:
        raise ValueError(f"{path} holds no data rows (only blank or '#' lines)")
    delimiter = sniff_delimiter(sample)
    if delimiter is None:
        delimiter = "\t" if "\t" in sample[0] else ","
    if delimiter == "\t":  # no quoting: quotes are part of the sentences
        raw = [(i, line.split("\t")) for i, line in enumerate(lines, 1)]
    else:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        raw, start = [], 1
        for fields in reader:
            raw.append((start, fields))
            start = reader.line_num + 1
    rows, skipped = [], {}
    for line_no, fields in raw:
        if not any(f.strip() for f in fields):
            skipped["blank"] = skipped.get("blank", 0) + 1
        elif comments and fields[0].lstrip().startswith("#"):
            skipped["comment"] = skipped.get("comment", 0) + 1
        else:
            rows.append((line_no, [f.strip() for f in fields]))
    if not rows:
        raise ValueError(f"{path} holds no data rows (only blank or '#' lines)")
    return Table(str(path), rows, None, delimiter, "line", skipped)


def read_jsonl(path: Path, required: tuple[str, ...] = ()) -> list[tuple[int, dict]]:
    """Read a json-lines file into (line number, object) pairs, checking that each has the ``required`` keys.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "q.jsonl"; _ = p.write_text('{"_id": "q1", "text": "hi"}')
    >>> read_jsonl(p, ("_id", "text"))
    [(1, {'_id': 'q1', 'text': 'hi'})]
    """
    path = existing_file(path)
    records = []
    for line_no, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            hint = "; the file looks like one JSON array, name it .json" if line_no == 1 and \
                line.lstrip().startswith("[") else ""
            raise ValueError(f"{path} line {line_no}: expected a JSON object ({err.msg}){hint}") from None
        if not isinstance(record, dict):
            raise ValueError(f"{path} line {line_no}: expected a JSON object, got {line[:40]!r}")
        missing = [key for key in required if key not in record]
        if missing:
            raise ValueError(f"{path} line {line_no}: expected the key(s) {missing}; "
                             f"the line has {sorted(record)}")
        records.append((line_no, record))
    return records


def read_json_array(path: Path) -> list:
    """A ``.json`` file holding one array (of strings or objects); anything else is refused.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.json"; _ = p.write_text('["a", "b"]')
    >>> read_json_array(p)
    ['a', 'b']
    """
    text = read_text(path)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        hint = " (one object per line is json lines: name the file .jsonl)" if "\n{" in text else ""
        raise ValueError(f"{path} line {err.lineno}: not valid JSON ({err.msg}){hint}") from None
    if not isinstance(value, list):
        raise ValueError(f"{path}: expected a JSON array of texts or of objects, got a {type(value).__name__}")
    return value
