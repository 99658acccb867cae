"""Whole standard-library modules as long documents whose chunks are functions.

The situated-retrieval companion of :mod:`.stdlib_code`: a module's source is one
document, every function and method in it is one chunk (a character span of the
document), and the docstring -> function queries of
:func:`~workbench.datasets.stdlib_code.load_python_docstrings` are asked against those
chunks. Every function and method docstring is removed from the document text, so
neither a chunk nor its surroundings hold any query's words verbatim; module and class
docstrings stay (they are the context a method lives in: a method called ``read`` means
something else in ``tarfile.TarFile`` than in ``configparser.RawConfigParser``).

Modules are read as text, never imported; the chunks are the functions and methods at
the top level of the module or of a top-level class (nested functions are inside their
parent's chunk). Not covered: code between functions (imports, constants, class
headers) as candidate chunks; it is only context.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Sequence

from .stdlib_code import MODULES, load_python_docstrings, module_file

__all__ = ["ModuleDocument", "SituatedQueries", "load_python_modules"]


@dataclass
class ModuleDocument:
    """One module's source (function docstrings removed) and its function chunks."""

    name: str                                   # the module's dotted name
    text: str                                   # the source with every function docstring removed
    chunk_ids: list[str]                        # "<module>.<qualname>" of each chunk, in source order
    spans: list[tuple[int, int]]                # character span of each chunk in ``text``


@dataclass
class SituatedQueries:
    """Documents, their chunks, and queries that each point at one chunk."""

    documents: list[ModuleDocument]
    queries: dict[str, str]                     # query id -> query text
    gold: dict[str, str]                        # query id -> chunk id of its answer
    meta: dict = field(default_factory=dict)

    def chunk_table(self) -> list[tuple[str, str, str, tuple[int, int]]]:
        """(chunk id, document name, chunk text, span) for every chunk, documents in order."""
        return [(cid, d.name, d.text[s:e], (s, e)) for d in self.documents for cid, (s, e) in zip(d.chunk_ids,
                                                                                                    d.spans)]


def _functions(tree: ast.Module):
    """(qualname, node) of the top-level functions and the methods of top-level classes."""
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, kinds):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, kinds):
                    yield f"{node.name}.{member.name}", member


def _document(module: str, source: str) -> ModuleDocument | None:
    """The module with function docstrings cut out, and each function's span in the result."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    lines = source.splitlines(keepends=True)
    drop: set[int] = set()  # 0-based line numbers of function docstrings
    functions = []
    for qualname, fn in _functions(tree):
        first = fn.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                and isinstance(first.value.value, str) and len(fn.body) > 1 and first.lineno > fn.lineno \
                and fn.body[1].lineno > first.end_lineno:
            drop.update(range(first.lineno - 1, first.end_lineno))
        start = min([fn.lineno] + [d.lineno for d in fn.decorator_list]) - 1
        functions.append((qualname, start, fn.end_lineno))
    kept_before = [0]  # characters of kept lines before line i
    for i, line in enumerate(lines):
        kept_before.append(kept_before[-1] + (0 if i in drop else len(line)))
    text = "".join(line for i, line in enumerate(lines) if i not in drop)
    ids, spans = [], []
    for qualname, start, end in functions:
        s, e = kept_before[start], kept_before[end]
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            ids.append(f"{module}.{qualname}")
            spans.append((s, e))
    if len(set(ids)) != len(ids):  # a redefined name (if/else branches): ambiguous, keep the first
        seen: set[str] = set()
        keep = [i for i, c in enumerate(ids) if not (c in seen or seen.add(c))]
        ids, spans = [ids[i] for i in keep], [spans[i] for i in keep]
    return ModuleDocument(module, text, ids, spans) if ids else None


def load_python_modules(n_modules: int | None = None, *, max_queries_per_module: int | None = None,
                        modules: Sequence[str] | None = None) -> SituatedQueries:
    """Standard-library modules as documents, and docstring queries for their function chunks.

    Parameters
    ----------
    n_modules : int, optional
        Keep the first ``n_modules`` modules (of :data:`~workbench.datasets.stdlib_code.MODULES`
        that have at least one query), default all.
    max_queries_per_module : int, optional
        Keep at most this many queries per module (the first in source order), so a few
        big modules do not dominate.
    modules : list of str, optional
        Read only these modules (names from ``MODULES``), in that list's order.

    Returns
    -------
    SituatedQueries
        Query ids are those of ``load_python_docstrings``; each gold chunk id is a chunk
        of exactly one document.

    Examples
    --------
    >>> ds = load_python_modules(modules=["fnmatch", "sched"])
    >>> [d.name for d in ds.documents]
    ['fnmatch', 'sched']
    >>> qid = next(iter(ds.gold)); ds.gold[qid] in ds.documents[0].chunk_ids
    True
    """
    if n_modules is not None and (isinstance(n_modules, bool) or n_modules < 1):
        raise ValueError(f"n_modules must be a positive int or None, got {n_modules!r}")
    if modules is not None:
        unknown = [m for m in modules if m not in MODULES]
        if unknown or not modules:
            raise ValueError(f"modules must be names from MODULES; unknown: {unknown or 'an empty list'}")
    pairs = load_python_docstrings()
    wanted = {qid[2:]: qid for qid in pairs.query_ids}
    documents, queries, gold = [], {}, {}
    for module in (MODULES if modules is None else modules):
        path = module_file(module)
        doc = _document(module, path.read_text(encoding="utf-8")) if path is not None else None
        if doc is None:
            continue
        hits = [c for c in doc.chunk_ids if c in wanted]
        if max_queries_per_module is not None:
            hits = hits[:max_queries_per_module]
        if not hits:
            continue
        documents.append(doc)
        for chunk_id in hits:
            queries[wanted[chunk_id]] = pairs.queries[wanted[chunk_id]]
            gold[wanted[chunk_id]] = chunk_id
        if n_modules is not None and len(documents) == n_modules:
            break
    return SituatedQueries(documents, queries, gold, meta={**pairs.meta, "documents": len(documents)})
