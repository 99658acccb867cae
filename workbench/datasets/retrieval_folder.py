"""Load a retrieval folder (BEIR or MTEB json-lines layout) into a RetrievalDataset.

BEIR: ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv``; MTEB: the same two
files and ``qrels.jsonl``. Shares the line-level readers and error style of
:mod:`.reading`; malformed lines raise ValueError naming the file and line.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from .containers import RetrievalDataset
from .reading import as_float, read_jsonl, read_text

__all__ = ["load_retrieval"]


def _relevance(value, path: Path, line_no: int) -> int:
    number = as_float(str(value))
    if number is None or number != int(number):
        raise ValueError(f"{path} line {line_no}: expected an integer relevance, got {value!r}")
    return int(number)


def _read_qrels_tsv(path: Path) -> list[tuple[str, str, int]]:
    """BEIR ``query-id corpus-id score`` (header optional) or TREC ``qid 0 docid rel``."""
    triples = []
    for line_no, line in enumerate(read_text(path).splitlines(), 1):
        fields = line.split("\t") if "\t" in line else line.split()
        if not fields or not line.strip():
            continue
        if line_no == 1 and as_float(fields[-1]) is None:
            continue  # header
        if len(fields) not in (3, 4):
            raise ValueError(
                f"{path} line {line_no}: expected 3 fields (query-id, corpus-id, score), "
                f"got {len(fields)}"
            )
        query, doc = fields[0], fields[-2]
        triples.append((query, doc, _relevance(fields[-1], path, line_no)))
    return triples


def load_retrieval(path: str | Path, *, split: str = "test") -> RetrievalDataset:
    """Read a retrieval data set from a BEIR or MTEB folder.

    Both layouts share ``corpus.jsonl`` (``_id``, optional ``title``, ``text``) and
    ``queries.jsonl`` (``_id``, ``text``). Relevance judgements come from
    ``qrels/<split>.tsv`` (BEIR: columns query-id, corpus-id, score, header optional)
    or, when that folder is absent, from ``qrels.jsonl`` (MTEB: one
    ``{"query-id", "corpus-id", "score"}`` object per line).

    Only queries with at least one judgement above zero are kept, so the queries of
    other splits drop out. A title is put in front of the text as ``"title. text"``
    and also kept in ``titles``. Judgements naming a document missing from the corpus
    are dropped with a warning.

    Parameters
    ----------
    path : str or Path
        The folder.
    split : str, default "test"
        Which ``qrels/<split>.tsv`` to read in the BEIR layout.

    Returns
    -------
    RetrievalDataset

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "corpus.jsonl").write_text(json.dumps({"_id": "d1", "text": "Cats purr."}))
    >>> _ = (d / "queries.jsonl").write_text(json.dumps({"_id": "q1", "text": "purring?"}))
    >>> _ = (d / "qrels.jsonl").write_text(
    ...     json.dumps({"query-id": "q1", "corpus-id": "d1", "score": 1}))
    >>> ds = load_retrieval(d)
    >>> ds.qrels
    {'q1': {'d1': 1}}
    """
    folder = Path(path)
    if not folder.exists():
        raise FileNotFoundError(f"no such folder: {folder}")
    if not folder.is_dir():
        raise ValueError(f"{folder} is a file; expected a BEIR or MTEB folder")

    corpus, titles = {}, {}
    for _, record in read_jsonl(folder / "corpus.jsonl", ("_id", "text")):
        doc_id, body = str(record["_id"]), str(record["text"] or "")
        title = str(record.get("title") or "").strip()
        if title:
            titles[doc_id] = title
            sep = " " if title[-1] in ".?!:" else ". "
            body = f"{title}{sep}{body}" if body else title
        corpus[doc_id] = body
    queries = {str(r["_id"]): str(r["text"])
               for _, r in read_jsonl(folder / "queries.jsonl", ("_id", "text"))}

    qrels_dir = folder / "qrels"
    if qrels_dir.is_dir():
        qrels_file = qrels_dir / f"{split}.tsv"
        if not qrels_file.exists():
            found = sorted(p.stem for p in qrels_dir.glob("*.tsv"))
            raise FileNotFoundError(f"no {qrels_file}; splits found: {found}")
        triples = _read_qrels_tsv(qrels_file)
        layout = "beir"
    else:
        qrels_file = folder / "qrels.jsonl"
        records = read_jsonl(qrels_file, ("query-id", "corpus-id", "score"))
        triples = [(str(r["query-id"]), str(r["corpus-id"]),
                    _relevance(r["score"], qrels_file, i)) for i, r in records]
        layout = "mteb"

    qrels: dict[str, dict[str, int]] = {}
    dropped = 0
    for query, doc, rel in triples:
        if rel <= 0:
            continue
        if doc not in corpus or query not in queries:
            dropped += 1
            continue
        qrels.setdefault(query, {})[doc] = rel
    if dropped:
        warnings.warn(f"{qrels_file}: dropped {dropped} judgements naming unknown ids",
                      stacklevel=2)
    if not qrels:
        raise ValueError(f"{qrels_file} holds no positive judgements for known ids")
    queries = {q: text for q, text in queries.items() if q in qrels}
    meta = {"path": str(folder), "layout": layout, "split": split if layout == "beir" else None}
    return RetrievalDataset(folder.name, corpus, queries, qrels, titles, meta)


# --------------------------------------------------------------------------- texts
