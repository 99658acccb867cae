"""Relevance judgements and runs in the TREC text formats (and BEIR's qrels TSV).

* qrels: ``qid 0 docid rel`` (TREC, whitespace-separated) or ``query-id corpus-id score``
  (BEIR, tab-separated, header optional) -> ``{qid: {docid: rel}}``;
* run: ``qid Q0 docid rank score tag`` (TREC) -> ``{qid: {docid: score}}``, the form
  :func:`workbench.evaluate.retrieval.ranking_metrics` scores.

Malformed lines raise ValueError naming the file, the line and what was expected.
Left out: the TREC XML topic files and ``trec_eval``'s own output.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .reading import as_float, read_text

__all__ = ["load_qrels", "load_trec_run", "read_qrels", "relevance"]

log = logging.getLogger(__name__)


def relevance(value, path, line_no: int) -> int:
    """A judgement's relevance as an int (``1``, ``"2"``, ``1.0``); anything else names the line.

    Examples
    --------
    >>> relevance("2", "qrels.tsv", 3)
    2
    """
    number = as_float(str(value))
    if number is None or number != int(number):
        raise ValueError(f"{path} line {line_no}: expected an integer relevance, got {value!r}")
    return int(number)


def read_qrels(path: Path) -> list[tuple[str, str, int, int]]:
    """(query id, doc id, relevance, line) of every judgement in a BEIR or TREC qrels file.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "test.tsv"
    >>> _ = p.write_text("query-id\\tcorpus-id\\tscore\\nq1\\td1\\t1\\n")
    >>> read_qrels(p)
    [('q1', 'd1', 1, 2)]
    """
    triples = []
    for line_no, line in enumerate(read_text(path).splitlines(), 1):
        fields = line.split("\t") if "\t" in line else line.split()
        if not line.strip():
            continue
        if not triples and as_float(fields[-1]) is None:
            continue  # header
        if len(fields) not in (3, 4):
            raise ValueError(f"{path} line {line_no}: expected 3 fields (query-id, corpus-id, score) or "
                             f"4 (TREC: qid 0 docid rel), got {len(fields)}")
        triples.append((fields[0].strip(), fields[-2].strip(), relevance(fields[-1], path, line_no), line_no))
    return triples


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """Read a qrels file (TREC ``qid 0 docid rel`` or BEIR TSV) into ``{qid: {docid: rel}}``.

    Every judgement is kept, zeros included (they mark judged non-relevant documents).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "qrels.txt"
    >>> _ = p.write_text("301 0 FT911-3 1\\n301 0 FT911-9 0\\n")
    >>> load_qrels(p)
    {'301': {'FT911-3': 1, 'FT911-9': 0}}
    """
    qrels: dict[str, dict[str, int]] = {}
    for query, doc, rel, line_no in read_qrels(Path(path)):
        if doc in qrels.get(query, {}):
            raise ValueError(f"{path} line {line_no}: query {query!r} judges document {doc!r} twice")
        qrels.setdefault(query, {})[doc] = rel
    log.info("%s: read %d judgements of %d queries", path, sum(map(len, qrels.values())), len(qrels))
    return qrels


def load_trec_run(path: str | Path) -> dict[str, dict[str, float]]:
    """Read a TREC run file (``qid Q0 docid rank score tag``) into ``{qid: {docid: score}}``.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "bm25.run"
    >>> _ = p.write_text("q1 Q0 d7 1 12.5 bm25\\nq1 Q0 d2 2 9.0 bm25\\n")
    >>> load_trec_run(p)
    {'q1': {'d7': 12.5, 'd2': 9.0}}
    """
    run: dict[str, dict[str, float]] = {}
    for line_no, line in enumerate(read_text(Path(path)).splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 6:
            raise ValueError(f"{path} line {line_no}: expected 6 fields (qid Q0 docid rank score tag), "
                             f"got {len(fields)}")
        score = as_float(fields[4])
        if score is None:
            raise ValueError(f"{path} line {line_no}: expected a numeric score in field 5, got {fields[4]!r}")
        if fields[2] in run.get(fields[0], {}):
            raise ValueError(f"{path} line {line_no}: query {fields[0]!r} ranks document {fields[2]!r} twice")
        run.setdefault(fields[0], {})[fields[2]] = score
    if not run:
        raise ValueError(f"{path} holds no run lines")
    log.info("%s: read a run of %d queries, %d documents ranked", path, len(run), sum(map(len, run.values())))
    return run
