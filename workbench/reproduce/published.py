"""Published numbers as data: ``data/published/<name>.csv``, each number with its source.

A file holds one paper's numbers (or numbers an entry compares with, from any paper),
one per row, with the columns of :data:`COLUMNS`:

- ``quantity``: what is measured (``critical_n``, ``spearman``, ``ndcg@10`` ...);
- ``setting``: the condition it was measured in (``d=4``, ``layer=6 dim=128`` ...);
- ``value`` and ``unit`` (``count``, ``%``, ``fraction``, ``points`` ...);
- ``paper``, ``table``, ``row``, ``column``: where the number is printed
  (``Weller et al. 2025``, ``Table 6``, ``d=4``, ``critical-n``); ``table`` may name a
  figure or a section, and then ``note`` says how the number was read;
- ``note``: anything a reader needs (how a figure was read, a unit conversion).

Lines starting with ``#`` are comments. A number we could not find is absent, never
estimated; the entry says so. The files live in the project's ``data/published/``
(a clone of the project; an installed wheel has none, and reading then says where it
looked).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd

from ..datasets.local import PROJECT_DATA

__all__ = ["COLUMNS", "PUBLISHED_DIR", "read_published"]

#: where the published numbers live
PUBLISHED_DIR = PROJECT_DATA / "published"

#: the columns of a published-numbers file, in order
COLUMNS: tuple[str, ...] = ("quantity", "setting", "value", "unit", "paper", "table", "row", "column", "note")
_REQUIRED = ("quantity", "value", "unit", "paper", "table", "row", "column")


def read_published(name: str | Path, folder: Path | None = None) -> pd.DataFrame:
    """The published numbers of ``data/published/<name>.csv`` (or of the file ``name``), checked line by line.

    Returns a DataFrame with :data:`COLUMNS` (``value`` as float) and a ``source``
    column that reads ``"paper, table, row ..., column ..."``. A missing file, a
    missing column, an empty required field or a value that is not a number is an
    error naming the file and line.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "toy.csv"
    >>> _ = f.write_text("quantity,setting,value,unit,paper,table,row,column,note\\n"
    ...                  "critical_n,d=4,10,count,Weller et al. 2025,Table 6,d=4,critical-n,\\n")
    >>> read_published(f)[["setting", "value", "source"]].values.tolist()
    [['d=4', 10.0, 'Weller et al. 2025, Table 6, row d=4, column critical-n']]
    >>> _ = f.write_text("quantity,setting,value,unit,paper,table,row,column,note\\n"
    ...                  "critical_n,d=4,ten,count,Weller et al. 2025,Table 6,d=4,critical-n,\\n")
    >>> read_published(f)
    Traceback (most recent call last):
    ...
    ValueError: .../toy.csv line 2: value 'ten' is not a number
    """
    path = Path(name)
    if path.suffix != ".csv":
        path = (folder or PUBLISHED_DIR) / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"no published numbers at {path}: the entry needs this file (columns: "
                                f"{', '.join(COLUMNS)}); published numbers ship with a clone of the project")
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        lines = (line for line in enumerate(handle, start=1) if not line[1].lstrip().startswith("#"))
        numbered = list(lines)
    if not numbered:
        raise ValueError(f"{path} is empty; expected a header with the columns {', '.join(COLUMNS)}")
    reader = csv.reader(line for _, line in numbered)
    header = [h.strip() for h in next(reader)]
    if tuple(header) != COLUMNS:
        raise ValueError(f"{path} line {numbered[0][0]}: the header must be {','.join(COLUMNS)}; "
                         f"found {','.join(header)}")
    for (lineno, _), values in zip(numbered[1:], reader):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(COLUMNS):
            raise ValueError(f"{path} line {lineno}: {len(values)} fields, expected {len(COLUMNS)} "
                             f"({', '.join(COLUMNS)}); quote fields that hold commas")
        row = dict(zip(COLUMNS, (v.strip() for v in values)))
        empty = [c for c in _REQUIRED if not row[c]]
        if empty:
            raise ValueError(f"{path} line {lineno}: empty {', '.join(empty)}; every number needs its value, "
                             "unit and source (paper, table or figure, row, column)")
        try:
            row["value"] = float(row["value"])
        except ValueError:
            raise ValueError(f"{path} line {lineno}: value {row['value']!r} is not a number") from None
        if not math.isfinite(row["value"]):
            raise ValueError(f"{path} line {lineno}: value {row['value']} is not finite")
        rows.append(row)
    if not rows:
        raise ValueError(f"{path} holds a header but no numbers")
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table["source"] = (table["paper"] + ", " + table["table"] + ", row " + table["row"]
                       + ", column " + table["column"])
    return table
