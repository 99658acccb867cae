"""Load a retrieval folder (BEIR or MTEB json-lines layout) into a RetrievalDataset.

BEIR: ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv`` (BEIR's TSV or TREC's
``qid 0 docid rel``); MTEB: the same two files and ``qrels.jsonl``. Any of the files may
be gzip-compressed (``corpus.jsonl.gz``). Malformed lines, duplicate ids, missing texts
and judgements naming unknown ids raise ValueError naming the file and line. One
summary line is logged (logger ``workbench.datasets.retrieval_folder``) and kept in
``meta["summary"]``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .containers import RetrievalDataset
from .reading import read_jsonl
from .trec import read_qrels, relevance

__all__ = ["load_retrieval"]

log = logging.getLogger(__name__)
EXPECTED = "corpus.jsonl, queries.jsonl and qrels/<split>.tsv (BEIR) or qrels.jsonl (MTEB)"


def _file(folder: Path, name: str) -> Path:
    """``folder/name``, its ``.gz`` twin or its ``.parquet`` twin; FileNotFoundError listing what the folder holds."""
    stem = name.removesuffix(".jsonl")
    for candidate in (folder / name, folder / f"{name}.gz", folder / f"{stem}.parquet"):
        if candidate.is_file():
            return candidate
    found = sorted(p.name for p in folder.iterdir())
    saved = " (a folder written by datasets' save_to_disk: load it with datasets.load_from_disk and pass the " \
        "table to load_pairs or load_texts)" if {"state.json", "dataset_dict.json"} & set(found) else ""
    raise FileNotFoundError(f"{folder}: no {name}; a retrieval folder holds {EXPECTED}; "
                            f"found {found or 'nothing'}{saved}")


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    """(line or row number, record) of a json-lines or parquet file."""
    if path.suffix == ".parquet":
        import pandas as pd  # noqa: PLC0415

        frame = pd.read_parquet(path)
        missing = [key for key in required if key not in frame.columns]
        if missing:
            raise ValueError(f"{path}: no column(s) {missing}; the columns are {list(frame.columns)}")
        return [(i, {k: (None if v is None or v != v else v) for k, v in rec.items()})
                for i, rec in enumerate(frame.to_dict("records"), 1)]
    return read_jsonl(path, required)


def _records(path: Path, what: str) -> dict[str, tuple[int, dict]]:
    """id -> (line, record); a duplicate id or a missing text is an error naming the lines."""
    out: dict[str, tuple[int, dict]] = {}
    unit = "row" if path.suffix == ".parquet" else "line"
    for line_no, record in _rows(path, ("_id", "text")):
        key = str(record["_id"])
        if key in out:
            raise ValueError(f"{path} {unit} {line_no}: {what} id {key!r} again (first on {unit} {out[key][0]}); "
                             "ids must be unique")
        text, title = record.get("text"), record.get("title")
        if not isinstance(text, str) or not (text.strip() or (isinstance(title, str) and title.strip())):
            raise ValueError(f"{path} {unit} {line_no}: {what} {key!r} has no text (got {text!r})")
        out[key] = (line_no, record)
    return out


def load_retrieval(path: str | Path, *, split: str = "test", missing: str = "error") -> RetrievalDataset:
    """Read a retrieval data set from a BEIR or MTEB folder.

    Both layouts share ``corpus.jsonl`` (``_id``, optional ``title``, ``text``) and
    ``queries.jsonl`` (``_id``, ``text``); each may also be gzip-compressed
    (``corpus.jsonl.gz``) or parquet (``corpus.parquet``). Relevance judgements come from
    ``qrels/<split>.tsv`` (BEIR: columns query-id, corpus-id, score, header optional;
    or TREC: ``qid 0 docid rel``) or, when that folder is absent, from ``qrels.jsonl``
    (MTEB: one ``{"query-id", "corpus-id", "score"}`` object per line).

    Only queries with at least one judgement above zero are kept, so the queries of
    other splits drop out (the summary counts them). A title is put in front of the
    text as ``"title. text"`` and also kept in ``titles``.

    Parameters
    ----------
    path : str or Path
        The folder.
    split : str, default "test"
        Which ``qrels/<split>.tsv`` to read in the BEIR layout.
    missing : {"error", "drop"}
        A judgement naming a document or query that is not in the folder: an error
        naming it (default), or dropped and counted in the summary.

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
    if missing not in ("error", "drop"):
        raise ValueError(f"missing must be 'error' or 'drop', got {missing!r}")
    folder = Path(path).expanduser()
    if not folder.exists():
        raise FileNotFoundError(f"no such folder: {folder}")
    if not folder.is_dir():
        raise ValueError(f"{folder} is a file; expected a BEIR or MTEB folder")

    corpus_file, queries_file = _file(folder, "corpus.jsonl"), _file(folder, "queries.jsonl")
    corpus, titles = {}, {}
    for doc_id, (_, record) in _records(corpus_file, "document").items():
        body = record["text"]
        title = str(record.get("title") or "").strip()
        if title:
            titles[doc_id] = title
            sep = " " if title[-1] in ".?!:" else ". "
            body = f"{title}{sep}{body}" if body.strip() else title
        corpus[doc_id] = body
    queries = {q: r["text"] for q, (_, r) in _records(queries_file, "query").items()}

    qrels_dir = folder / "qrels"
    if qrels_dir.is_dir():
        qrels_file = qrels_dir / f"{split}.tsv"
        if not qrels_file.exists():
            found = sorted(p.stem for p in qrels_dir.glob("*.tsv"))
            raise FileNotFoundError(f"no {qrels_file}; splits found: {found}")
        judgements = read_qrels(qrels_file)
        layout = "beir"
    else:
        qrels_file = _file(folder, "qrels.jsonl")
        records = _rows(qrels_file, ("query-id", "corpus-id", "score"))
        judgements = [(str(r["query-id"]), str(r["corpus-id"]), relevance(r["score"], qrels_file, i), i)
                      for i, r in records]
        layout = "mteb"

    qrels: dict[str, dict[str, int]] = {}
    dropped = 0
    for query, doc, rel, line_no in judgements:
        if rel <= 0:
            continue
        unknown = [f"document {doc!r}"] if doc not in corpus else []
        unknown += [f"query {query!r}"] if query not in queries else []
        if unknown:
            if missing == "error":
                raise ValueError(f"{qrels_file} line {line_no}: judges {' and '.join(unknown)}, which "
                                 f"{'is' if len(unknown) == 1 else 'are'} not in {folder} "
                                 "(pass missing='drop' to leave such judgements out and count them)")
            dropped += 1
            continue
        qrels.setdefault(query, {})[doc] = rel
    if not qrels:
        raise ValueError(f"{qrels_file} holds no positive judgements for known ids")
    unjudged = len(queries) - len(qrels)
    queries = {q: text for q, text in queries.items() if q in qrels}
    summary = (f"{folder.name}: read {len(corpus)} documents, {len(queries)} queries with "
               f"{sum(map(len, qrels.values()))} positive judgements from {folder} "
               f"(layout {layout}, qrels {qrels_file.name}); skipped: {unjudged} queries without judgements"
               + (f" in split {split!r}" if layout == "beir" else "")
               + (f", {dropped} judgements naming unknown ids" if dropped else ""))
    log.info(summary)
    meta = {"path": str(folder), "layout": layout, "split": split if layout == "beir" else None,
            "summary": summary, "unjudged_queries": unjudged, "dropped_judgements": dropped}
    return RetrievalDataset(folder.name, corpus, queries, qrels, titles, meta)
