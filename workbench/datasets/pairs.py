"""Load text pairs with a score from a file or a table, and say what was read.

Sources: delimited text (TSV, CSV, semicolons; the delimiter read from the content,
gzip undone), json lines (the MTEB STS layout: ``sentence1``, ``sentence2``, ``score``),
a JSON array of objects, parquet, a pandas DataFrame, or anything with ``to_pandas()``
(a Hugging Face ``datasets.Dataset``). The columns are chosen by
:mod:`.layouts`, which refuses a table it cannot read without guessing. Every load
logs one summary line (logger ``workbench.datasets.pairs``) and keeps it in
``meta["summary"]``.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np

from ..notices import InputWarning
from .containers import PairDataset
from .layouts import (
    ANCHOR_NAMES,
    LAYOUTS,
    SCORE_NAMES,
    TEXT1_NAMES,
    TEXT2_NAMES,
    PairColumns,
    column_kind,
    normalise,
    resolve_pair_columns,
)
from .reading import (
    Table,
    as_float,
    existing_file,
    is_nan,
    read_json_array,
    read_jsonl,
    read_table,
    saved_dataset,
)

__all__ = ["load_pairs", "pair_table"]

log = logging.getLogger(__name__)
TASKS = ("sts", "pairs")
# names that mark a first row as a header
_KNOWN = {*TEXT1_NAMES, *TEXT2_NAMES, *SCORE_NAMES, *ANCHOR_NAMES, "positive", "negative", "split", "genre",
          "pairid", "id"}


def _field(value) -> str:
    """A table cell as the string a text file would hold; a missing value (None, NaN) is empty."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _records_table(source: str, records: list[tuple[int, dict]], unit: str) -> Table:
    """Rows of string fields from (number, record) pairs; the header is the union of keys in order."""
    header: list[str] = []
    for _, record in records:
        header.extend(k for k in record if k not in header)
    rows = [(i, [_field(r.get(k)) for k in header]) for i, r in records]
    return Table(source, rows, [str(h) for h in header], None, unit, {}, None)


def _frame_table(frame, source: str) -> Table:
    """A pandas DataFrame as a Table; integer (unnamed) columns give no header."""
    named = not all(isinstance(c, (int, np.integer)) for c in frame.columns)
    rows = [(i, [_field(v) for v in values])
            for i, values in enumerate(frame.itertuples(index=False, name=None), 1)]
    if not rows:
        raise ValueError(f"{source} holds no rows; its columns are {list(frame.columns)}")
    return Table(source, rows, [str(c) for c in frame.columns] if named else None, None, "row", {}, None)


def _text_table(path: Path, names_given: bool) -> Table:
    """A delimited file with its header found: a first row of names, never a row with a number in it."""
    table = read_table(path)
    first = table.rows[0][1]
    all_words = all(as_float(f) is None for f in first)
    known = any(normalise(f) in _KNOWN for f in first)
    numbers_later = any(as_float(f) is not None for _, fields in table.rows[1:50] for f in fields)
    if names_given or (all_words and (known or numbers_later)):
        table.header_line, table.header = table.rows[0][0], first
        table.rows = table.rows[1:]
        if not table.rows:
            raise ValueError(f"{path} has a header (line {table.header_line}) but no data rows")
    return table


def pair_table(source, *, names_given: bool = False) -> tuple[Table, str]:
    """Read ``source`` (path, DataFrame or ``to_pandas()`` object) into a Table, with a display name.

    Examples
    --------
    >>> import pandas as pd
    >>> t, name = pair_table(pd.DataFrame({"sentence1": ["a"], "sentence2": ["b"], "score": [1.5]}))
    >>> t.header, t.rows, name
    (['sentence1', 'sentence2', 'score'], [(1, ['a', 'b', '1.5'])], 'DataFrame')
    """
    if hasattr(source, "to_pandas") and not isinstance(source, (str, Path)):
        return _frame_table(source.to_pandas(), type(source).__name__), type(source).__name__
    if hasattr(source, "itertuples") and hasattr(source, "columns"):
        return _frame_table(source, "DataFrame"), "DataFrame"
    saved = saved_dataset(source)
    if saved is not None:
        return _frame_table(saved, str(source)), Path(source).name
    path = existing_file(source)
    kind = path.suffix.lower() if path.suffix.lower() != ".gz" else Path(path.stem).suffix.lower()
    name = Path(path.name.removesuffix(".gz")).stem
    if kind == ".parquet":
        import pandas as pd  # noqa: PLC0415

        return _frame_table(pd.read_parquet(path), str(path)), name
    if kind == ".jsonl":
        return _records_table(str(path), read_jsonl(path), "line"), name
    if kind == ".json":
        array = read_json_array(path)
        if not all(isinstance(r, dict) for r in array):
            raise ValueError(f"{path}: expected a JSON array of objects (one per pair)")
        return _records_table(str(path), list(enumerate(array, 1)), "item"), name
    return _text_table(path, names_given), name


def _column_label(table: Table, j: int) -> str:
    return f"{j} {table.header[j]!r}" if table.header and j < len(table.header) else str(j)


def load_pairs(
    source,
    *,
    text1: int | str | None = None,
    text2: int | str | None = None,
    score: int | str | None = None,
    task: str | None = None,
    scale: tuple[float, float] | None = None,
    skip_bad_rows: bool = False,
) -> PairDataset:
    """Read text pairs with a score; refuse what cannot be read without guessing.

    The columns come from the header names, a recognised layout (STS Benchmark
    distribution files, SICK, MRPC, Quora Question Pairs, with or without their
    headers), or a table of exactly two text columns and one numeric column; an
    ambiguous table raises a ValueError showing its first row and how to choose.
    Triplet tables (``anchor``/``query``, ``positive``, ``negative``) become labelled
    pairs (1 positive, 0 negative).

    Parameters
    ----------
    source : str, Path, pandas.DataFrame or datasets.Dataset
        A file (``.tsv``, ``.csv``, ``.txt``, ``.jsonl``, ``.json``, ``.parquet``, any
        of the text ones gzip-compressed) or a table.
    text1, text2, score : int or str, optional
        Column of each role, as a 0-based position or a header name.
    task : {"sts", "pairs"}, optional
        What the pairs are for: ``sts`` wants graded scores (0/1 labels are refused),
        ``pairs`` 0/1 labels. It also picks between a graded and a 0/1 column.
    scale : (float, float), optional
        The score range; scores outside it are counted in a warning. Recognised
        layouts bring their own (STS Benchmark 0-5, SICK 1-5, MRPC 0/1).
    skip_bad_rows : bool
        Leave out rows with a missing, non-numeric or NaN score, or too few fields, and
        count them in the summary (default: such a row is an error naming its line).

    Returns
    -------
    PairDataset
        ``meta`` holds ``path``, ``layout``, ``columns`` (role -> position),
        ``column_names`` and ``summary`` (the line that was logged).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "pairs.tsv"
    >>> _ = p.write_text("sentence1\\tsentence2\\tscore\\nA cat.\\tA kitten.\\t4.5\\n")
    >>> ds = load_pairs(p)
    >>> ds.text1, ds.scores.tolist(), ds.meta["layout"]
    (['A cat.'], [4.5], 'header')
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {TASKS} or None, got {task!r}")
    names_given = any(isinstance(s, str) and not s.strip().isdigit() for s in (text1, text2, score))
    table, name = pair_table(source, names_given=names_given)
    cols = resolve_pair_columns(table, text1=text1, text2=text2, score=score, task=task)
    a, b, s, kept, skipped = _collect(table, cols, skip_bad_rows)
    if not s:
        raise ValueError(f"{table.source}: no pairs left to read ({_skips(skipped)})")
    scores = np.asarray(s, dtype=np.float64)
    kind = column_kind(scores.tolist())
    if task == "sts" and kind == "0/1":
        raise ValueError(f"{table.source}: column {_column_label(table, cols.score)} holds 0/1 labels, not graded "
                         "scores; evaluate it as pair classification (`workbench eval pairs`) or choose a "
                         "graded column with score=")
    scale = scale or cols.scale
    outside = int(np.sum((scores < scale[0]) | (scores > scale[1]))) if scale else 0
    if outside:
        warnings.warn(f"{table.source}: {outside} of {len(scores)} scores lie outside the range "
                      f"{scale[0]:g}..{scale[1]:g} ({LAYOUTS[cols.layout]})", InputWarning, stacklevel=2)
    used = {"text1": cols.text1, "text2": cols.text2, "score": cols.score}
    if cols.negative is not None:
        used = {"anchor": cols.text1, "positive": cols.text2, "negative": cols.negative}
    names = {role: table.header[j] if table.header and 0 <= j < len(table.header) else None
             for role, j in used.items()}
    summary = _summary(name, table, cols, used, len(s), skipped, kind, scores, outside)
    log.info(summary)
    meta = {"path": table.source, "layout": cols.layout, "columns": used, "column_names": names,
            "format": table.format, "skipped": dict(table.skipped, **skipped), "summary": summary}
    if scale:
        meta["scale"] = tuple(scale)
    if table.header and "split" in [h.lower() for h in table.header] and cols.negative is None:
        k = [h.lower() for h in table.header].index("split")
        meta["split"] = [fields[k] if k < len(fields) else "" for fields in kept]
    return PairDataset(name, a, b, scores, meta)


def _collect(table: Table, cols: PairColumns, skip: bool):
    """The texts and scores of every row, checked; bad rows raise or are counted."""
    a, b, s, kept, skipped = [], [], [], [], {}
    need = max(cols.text1, cols.text2, cols.score, cols.negative or 0) + 1

    def bad(reason: str, message: str) -> None:
        if not skip:
            raise ValueError(message + " (pass skip_bad_rows=True to leave such rows out and count them)")
        skipped[reason] = skipped.get(reason, 0) + 1

    for number, fields in table.rows:
        at = f"{table.source} {table.unit} {number}"
        if len(fields) < need:
            bad("too few fields", f"{at}: expected at least {need} {table.format} fields, got {len(fields)}")
            continue
        if cols.negative is not None:
            for text, label in ((fields[cols.text2], 1.0), (fields[cols.negative], 0.0)):
                a.append(fields[cols.text1])
                b.append(text)
                s.append(label)
            kept.append(fields)
            continue
        raw = fields[cols.score]
        value = as_float(raw)
        if value is None:
            if not raw.strip():
                bad("empty score", f"{at}: the score (column {_column_label(table, cols.score)}) is empty or missing")
            elif is_nan(raw):
                bad("NaN score", f"{at}: the score (column {_column_label(table, cols.score)}) is NaN")
            else:
                bad("non-numeric score", f"{at}: expected a numeric score in column "
                                         f"{_column_label(table, cols.score)}, got {raw!r}")
            continue
        if not fields[cols.text1].strip() or not fields[cols.text2].strip():
            bad("empty text", f"{at}: a text is empty")
            continue
        a.append(fields[cols.text1])
        b.append(fields[cols.text2])
        s.append(value)
        kept.append(fields)
    return a, b, s, kept, skipped


def _skips(skipped: dict) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in skipped.items()) or "none"


def _summary(name, table, cols, used, n, skipped, kind, scores, outside) -> str:
    header = f"header on {table.unit} {table.header_line}" if table.header_line else \
        ("named columns" if table.header else "no header")
    columns = ", ".join(f"{role}={_column_label(table, j)}" for role, j in used.items())
    values = "0/1 labels" if kind == "0/1" else f"{kind} scores {scores.min():g}..{scores.max():g}"
    parts = [f"{name}: read {n} pairs from {table.source}", f"layout: {LAYOUTS[cols.layout]}",
             f"{table.format}, {header}", f"columns {columns}", values,
             f"skipped: {_skips(dict(table.skipped, **skipped))}"]
    if outside:
        parts.append(f"{outside} outside the range")
    if cols.note:
        parts.append(cols.note)
    return "; ".join(parts)
