"""A corpus as row ranges: files counted once by the driver, slices read by the workers.

A corpus is a JSON-lines file, a parquet file, a folder of such files (its shards, in
name order) or a list of texts already in memory. The driver only counts rows
(:func:`sources`); each worker reads the rows of its own shard (:func:`read_rows`), so
texts never pass through the driver and a corpus larger than one machine's memory is
read piece by piece. Every record holds a text field (default ``"text"``) and may hold
an id field (default ``"id"``); without ids a row's id is its 0-based position in the
corpus.

Blank lines of a JSON-lines file are not rows. A malformed line, a record without the
text field or with an empty one raises ValueError naming the file and the line.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

#: file suffixes a corpus may be made of
SUFFIXES = (".jsonl", ".parquet")


@dataclass(frozen=True)
class Source:
    """One input file (or the in-memory list, ``path=None``) and its number of rows."""

    path: str | None
    rows: int
    bytes: int = 0

    def describe(self) -> dict[str, Any]:
        return {"path": self.path, "rows": self.rows, "bytes": self.bytes}


def sources(data: str | Path | Sequence[str]) -> list[Source]:
    """The files of a corpus with their row counts (an in-memory list is one source without a path).

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = f.write_text('{"text": "a"}\\n\\n{"text": "b"}\\n')
    >>> [(Path(s.path).name, s.rows) for s in sources(f)]
    [('c.jsonl', 2)]
    >>> sources(["one", "two", "three"])[0].rows
    3
    """
    if not isinstance(data, (str, Path)):
        texts = list(data)
        bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
        if bad:
            raise TypeError(f"texts must be str; item {bad[0]} is a {type(texts[bad[0]]).__name__}")
        return [Source(None, len(texts))]
    path = Path(data).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"corpus {str(data)!r} does not exist; give a .jsonl or .parquet file or a folder "
                                "of them")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in SUFFIXES)
        names = {p.name for p in files}
        if "corpus.jsonl" in names and "queries.jsonl" in names:
            raise ValueError(f"{path} is laid out as a retrieval folder (corpus.jsonl, queries.jsonl); its files are "
                             "not shards of one corpus: point at its corpus.jsonl (ids in '_id': id field '_id')")
        if not files:
            raise ValueError(f"folder {path} holds no {' or '.join(SUFFIXES)} files")
    elif path.suffix in SUFFIXES:
        files = [path]
    else:
        raise ValueError(f"corpus {path.name!r}: expected a .jsonl or .parquet file or a folder of them, "
                         f"got a {path.suffix or 'suffix-less'} file")
    return [Source(str(f.resolve()), _count_rows(f), f.stat().st_size) for f in files]


def _count_rows(path: Path) -> int:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq  # noqa: PLC0415

        return int(pq.ParquetFile(path).metadata.num_rows)
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def read_rows(source: Source, start: int, stop: int, *, text_field: str = "text", id_field: str = "id",
              texts: Sequence[str] | None = None, offset: int = 0) -> tuple[list, list[str]]:
    """Ids and texts of rows ``start:stop`` of ``source`` (``texts``: the in-memory list of a path-less source).

    ``offset`` is the position of the source's first row in the corpus (the id of a row
    without one).

    Examples
    --------
    >>> read_rows(Source(None, 3), 1, 3, texts=["a", "b", "c"])
    ([1, 2], ['b', 'c'])
    """
    if source.path is None:
        if texts is None:
            raise ValueError("an in-memory source needs its texts")
        return list(range(offset + start, offset + stop)), list(texts[start:stop])
    path = Path(source.path)
    if path.suffix == ".parquet":
        records = _parquet_rows(path, start, stop, text_field, id_field)
        where = [f"row {start + i}" for i in range(len(records))]
    else:
        numbered = ((n, line) for n, line in enumerate(open(path, encoding="utf-8"), 1) if line.strip())
        where, records = [], []
        for n, line in itertools.islice(numbered, start, stop):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path} line {n}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{path} line {n}: expected an object with a {text_field!r} field, got "
                                 f"{type(record).__name__}")
            where.append(f"line {n}")
            records.append(record)
    ids, out = [], []
    for i, (loc, record) in enumerate(zip(where, records)):
        text = record.get(text_field)
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{path} {loc}: expected a non-empty {text_field!r} field, got {text!r}; "
                             f"the fields are {sorted(record)}")
        out.append(text)
        ids.append(record[id_field] if record.get(id_field) is not None else offset + start + i)
    given = [record.get(id_field) is not None for record in records]
    if any(given) and not all(given):
        loc = where[given.index(False)]
        raise ValueError(f"{path} {loc}: no {id_field!r} field, while other rows have one; give every row an id "
                         "or none (rows without ids get their position)")
    if len(out) != stop - start:
        raise ValueError(f"{path} holds {start + len(out)} rows, fewer than the {stop} counted when the run began; "
                         "it changed during the run")
    return ids, out


def _parquet_rows(path: Path, start: int, stop: int, text_field: str, id_field: str) -> list[dict]:
    """Rows ``start:stop`` of a parquet file, reading only the row groups that hold them."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    f = pq.ParquetFile(path)
    names = f.schema_arrow.names
    if text_field not in names:
        raise ValueError(f"{path}: no {text_field!r} column; the columns are {names} (choose one with text_field=, "
                         "on the command line --text-field)")
    columns = [text_field] + ([id_field] if id_field in names else [])
    groups, first, at = [], None, 0
    for g in range(f.metadata.num_row_groups):
        n = f.metadata.row_group(g).num_rows
        if at + n > start and at < stop:
            groups.append(g)
            first = at if first is None else first
        at += n
    if not groups:
        return []
    table = f.read_row_groups(groups, columns=columns)
    table = table.slice(start - first, stop - start)
    return pa.Table.to_pylist(table)
