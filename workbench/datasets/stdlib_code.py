"""Docstring -> function retrieval built from the Python standard library.

The running interpreter carries a large, well documented body of code, so a code
retrieval set needs no download: parse a fixed list of pure-Python standard library
modules with :mod:`ast`, and for every public top-level function and every public
method of a public top-level class that has a docstring, pair

* the query: the docstring's first paragraph, on one line, and
* the document: the function's source with the docstring removed, dedented.

Pairs are dropped when the first paragraph has fewer than :data:`MIN_WORDS` words,
when the body is only a placeholder (``pass``, ``...``, ``raise
NotImplementedError``), and when the qualified name, the query text or the code is
shared with another pair (those pairs are ambiguous). If more than
:data:`MAX_PAIRS` remain, the ones with the smallest SHA-1 of their qualified name
are kept, so the choice is stable across runs and mostly stable across Python
versions. Modules are read as text and
never imported. The exact set depends on the interpreter's version (recorded in
``meta``). Parsing takes a few seconds, so the built set is cached on disk.

Not covered: C-extension modules (no Python source), nested functions, classes as
retrieval units, and docstrings that mention the function's own name (left as is).
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
import sysconfig
import textwrap
import warnings
from pathlib import Path

from ..cache import atomic_write_bytes, cache_dir
from .containers import RetrievalDataset

__all__ = ["MAX_PAIRS", "MIN_WORDS", "MODULES", "load_python_docstrings"]

MAX_PAIRS = 2000  # cap on query -> function pairs
MIN_WORDS = 4  # shortest first paragraph kept as a query
_FORMAT = 2  # bump when the built set changes shape or content rules

# Pure-Python modules present from Python 3.10 onwards (none slated for removal).
# Underscored ones are private modules holding public classes (_pydecimal and _pyio
# are the pure-Python twins of decimal and io).
MODULES = (
    "argparse", "ast", "asyncio.base_events", "asyncio.events", "asyncio.locks",
    "asyncio.queues", "asyncio.selector_events", "asyncio.streams", "asyncio.tasks",
    "base64", "bdb", "calendar", "cmd", "code", "codecs", "collections",
    "concurrent.futures._base", "configparser", "contextlib", "copy", "csv", "ctypes",
    "curses.textpad", "dataclasses", "datetime", "difflib", "dis", "doctest",
    "email._policybase", "email.feedparser", "email.generator", "email.header",
    "email.headerregistry", "email.message", "email.policy", "email.utils", "enum",
    "filecmp", "fileinput", "fnmatch", "fractions", "ftplib", "functools", "getopt",
    "gettext", "glob", "graphlib", "gzip", "heapq", "hmac", "html.parser",
    "http.client", "http.cookiejar", "http.cookies", "http.server", "imaplib",
    "importlib.metadata", "inspect", "ipaddress", "json", "json.decoder",
    "json.encoder", "locale", "logging", "logging.config", "logging.handlers",
    "mailbox", "mimetypes", "modulefinder", "multiprocessing.connection",
    "multiprocessing.managers", "multiprocessing.pool", "multiprocessing.process",
    "netrc", "ntpath", "numbers", "optparse", "os", "pathlib", "pdb", "pickle",
    "pickletools", "pkgutil", "platform", "plistlib", "poplib", "posixpath", "pprint",
    "profile", "pstats", "py_compile", "pyclbr", "_pydecimal", "pydoc", "_pyio",
    "queue", "quopri", "random", "reprlib", "runpy", "sched", "secrets", "selectors",
    "shelve", "shlex", "shutil", "smtplib", "socket", "socketserver", "statistics",
    "string", "subprocess", "symtable", "sysconfig", "tabnanny", "tarfile", "tempfile",
    "textwrap", "threading", "timeit", "tokenize", "trace", "traceback", "turtle",
    "typing", "unittest.case", "unittest.loader", "unittest.mock", "unittest.result",
    "unittest.suite", "urllib.parse", "urllib.request", "urllib.robotparser", "uuid",
    "venv", "warnings", "wave", "weakref", "webbrowser", "wsgiref.handlers",
    "xml.dom.expatbuilder", "xml.dom.minidom", "xml.dom.pulldom",
    "xml.etree.ElementTree", "xml.sax.saxutils", "xmlrpc.client", "xmlrpc.server",
    "zipapp", "zipfile", "zipimport",
)


def module_file(module: str) -> Path | None:
    """Source file of a standard library module, without importing it."""
    base = Path(sysconfig.get_paths()["stdlib"]).joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _first_paragraph(docstring: str) -> str:
    paragraph = textwrap.dedent(docstring).strip().split("\n\n")[0]
    return " ".join(paragraph.split())


def _is_placeholder(body: list[ast.stmt]) -> bool:
    if len(body) != 1:
        return False
    stmt = body[0]
    if isinstance(stmt, ast.Pass):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _pair(node: ast.AST, lines: list[str]) -> tuple[str, str] | None:
    """(query, code) for one function node, or None when it does not qualify."""
    docstring = ast.get_docstring(node, clean=True)
    if not docstring or len(node.body) < 2 or _is_placeholder(node.body[1:]):
        return None
    query = _first_paragraph(docstring)
    if len(query.split()) < MIN_WORDS:
        return None
    doc, after = node.body[0], node.body[1]
    if doc.lineno <= node.lineno or after.lineno <= doc.end_lineno:
        return None  # docstring shares a line with code; skip rather than cut badly
    kept = lines[node.lineno - 1: doc.lineno - 1] + lines[doc.end_lineno: node.end_lineno]
    # Dedent by the def's own column (textwrap.dedent gives up when a string literal
    # inside the body has lines starting at column 0).
    indent = node.col_offset
    code = "\n".join(line[indent:] if line[:indent].isspace() else line for line in kept)
    return query, code.strip("\n")


def _candidates(module: str, source: str) -> list[tuple[str, str, str]]:
    """(qualified name, query, code) for the public functions and methods of a module."""
    tree = ast.parse(source)
    lines = source.splitlines()
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    found = []
    for node in tree.body:
        members = []
        if isinstance(node, functions):
            members = [(node.name, node)]
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            members = [(f"{node.name}.{m.name}", m) for m in node.body
                       if isinstance(m, functions)]
        for qualname, fn in members:
            if fn.name.startswith("_"):
                continue
            pair = _pair(fn, lines)
            if pair is not None:
                found.append((f"{module}.{qualname}", *pair))
    return found


def _build(max_pairs: int) -> dict:
    """Parse the modules and return the data set as plain JSON-ready dicts."""
    rows, modules_read = [], []
    for module in MODULES:
        path = module_file(module)
        if path is not None:
            modules_read.append(module)
            rows.extend(_candidates(module, path.read_text(encoding="utf-8")))
    total = len(rows)
    counts: dict[str, int] = {}
    for row in rows:
        for key in row:  # a name, a query or a code shared by two rows is ambiguous
            counts[key] = counts.get(key, 0) + 1
    rows = [row for row in rows if all(counts[key] == 1 for key in row)]
    unambiguous = len(rows)
    if len(rows) > max_pairs:
        order = {name: i for i, (name, _, _) in enumerate(rows)}
        rows = sorted(rows, key=lambda r: hashlib.sha1(r[0].encode()).hexdigest())[:max_pairs]
        rows.sort(key=lambda r: order[r[0]])
    return {
        "corpus": {name: code for name, _, code in rows},
        "queries": {f"q:{name}": query for name, query, _ in rows},
        "meta": {
            "source": "Python standard library",
            "python": ".".join(map(str, sys.version_info[:3])),
            "modules": modules_read,
            "candidates": total,
            "unambiguous": unambiguous,
            "max_pairs": max_pairs,
        },
    }


def _cache_file(max_pairs: int) -> Path:
    key = json.dumps([_FORMAT, MODULES, MIN_WORDS, max_pairs, sys.version])
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return cache_dir() / "datasets" / f"python-docstrings-{digest}.json"


def _cached_build(max_pairs: int) -> dict:
    """Read the built set from the cache, or build it and write it atomically."""
    path = _cache_file(max_pairs)
    if path.exists():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            warnings.warn(f"rebuilding the unreadable cache entry {path}: {err}", stacklevel=3)
    data = _build(max_pairs)
    try:
        atomic_write_bytes(path, json.dumps(data).encode("utf-8"))
    except OSError as err:  # a read-only home still gets the data, just not cached
        warnings.warn(f"could not cache python-docstrings at {path}: {err}", stacklevel=3)
    return data


def load_python_docstrings(max_pairs: int = MAX_PAIRS) -> RetrievalDataset:
    """Build the docstring -> function retrieval set from the standard library.

    Query ids are ``"q:<module>.<qualname>"`` and document ids ``"<module>.<qualname>"``;
    each query has exactly one relevant document, its own function. Documents appear
    in module order, then source order; queries follow the same order. The built set
    is cached as JSON under ``$WB_CACHE_DIR/datasets`` (default
    ``~/.cache/workbench``), keyed by the interpreter version and the settings here.

    Parameters
    ----------
    max_pairs : int, default MAX_PAIRS
        Keep at most this many pairs (chosen by SHA-1 of the qualified name).

    Returns
    -------
    RetrievalDataset

    Examples
    --------
    >>> ds = load_python_docstrings(max_pairs=50)
    >>> len(ds), len(ds.corpus)
    (50, 50)
    >>> qid = ds.query_ids[0]
    >>> list(ds.qrels[qid]) == [qid[2:]]
    True
    """
    data = _cached_build(max_pairs)
    qrels = {f"q:{name}": {name: 1} for name in data["corpus"]}
    return RetrievalDataset("python-docstrings", data["corpus"], data["queries"], qrels,
                            meta=data["meta"])
