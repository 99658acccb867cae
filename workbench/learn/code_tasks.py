"""Code-understanding tasks built from Python source with :mod:`ast` (the CuBERT task family).

Kanade et al. (2020) fine-tune on five classification tasks made by rewriting real
functions; here they are built from the interpreter's standard library (no download):

* ``exception`` -- one ``except X:`` handler's type replaced by ``__HOLE__``; predict ``X``
  among the :data:`EXCEPTIONS` (multi-class);
* ``variable-misuse`` -- one read of a local variable replaced by another local variable;
* ``swapped-operands`` -- the operands of one non-commutative binary operation or
  comparison swapped;
* ``wrong-operator`` -- one arithmetic or comparison operator replaced by another of the
  same kind;
* ``docstring-mismatch`` -- a docstring paired with its own function or with another
  function of the same split.

The four bug tasks are binary (1: rewritten, 0: original). Each function gives one
example, buggy or clean, chosen by a hash of its name, so a model never sees both
versions of one function; clean and buggy code both pass through :func:`ast.unparse`,
so formatting cannot give the label away. Splits are by module (a hash of the module
name), so no function leaks across splits. Files that do not parse are skipped and
counted. Left out: CuBERT's multi-hole variable-misuse localisation and repair.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

TASKS: tuple[str, ...] = ("exception", "variable-misuse", "swapped-operands", "wrong-operator", "docstring-mismatch")
#: the exception classes predicted by the exception task
EXCEPTIONS: tuple[str, ...] = ("ValueError", "TypeError", "KeyError", "AttributeError", "IndexError", "OSError",
                               "ImportError", "StopIteration", "UnicodeError", "LookupError")
SPLITS = {"train": range(0, 7), "dev": range(7, 8), "test": range(8, 10)}  # tenths of the module hash

_NONCOMMUTATIVE = (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift, ast.RShift)
_ORDERED = (ast.Lt, ast.Gt, ast.LtE, ast.GtE)
_ARITH = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod)
_COMPARE = (ast.Eq, ast.NotEq, ast.Lt, ast.Gt, ast.LtE, ast.GtE)


def _hash(*parts: str) -> int:
    return int(hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:12], 16)


def module_split(module: str) -> str:
    """The split a module belongs to (70% train, 10% dev, 20% test by a hash of its name).

    Examples
    --------
    >>> module_split("json.decoder") in SPLITS
    True
    """
    tenth = _hash("split", module) % 10
    return next(name for name, r in SPLITS.items() if tenth in r)


@dataclass
class CodeExample:
    """One example: the text a model reads, its label and where it came from."""

    task: str
    text: str
    label: object
    module: str
    function: str
    split: str
    detail: dict = field(default_factory=dict)


def _functions(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for m in node.body:
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{m.name}", m


def _strip_docstring(fn):
    fn = copy.deepcopy(fn)
    if ast.get_docstring(fn) is not None and len(fn.body) > 1:
        fn.body = fn.body[1:]
    return fn


def _pick(nodes: list, key: str):
    return nodes[_hash("pick", key) % len(nodes)] if nodes else None


def _local_names(fn) -> list[str]:
    names = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)]
    names += [n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    return [n for n in dict.fromkeys(names) if n != "self"]


def _exception_example(fn, key):
    handlers = [h for h in ast.walk(fn) if isinstance(h, ast.ExceptHandler) and isinstance(h.type, ast.Name)
                and h.type.id in EXCEPTIONS]
    h = _pick(handlers, key)
    if h is None:
        return None
    label = h.type.id
    h.type = ast.Name("__HOLE__", ast.Load())
    return ast.unparse(fn), label, {"exception": label}


def _variable_misuse(fn, key):
    local = _local_names(fn)
    uses = [n for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in local]
    use = _pick(uses, key)
    if use is None or len(local) < 2:
        return None
    others = [v for v in local if v != use.id]
    old, new = use.id, others[_hash("var", key) % len(others)]
    use.id = new
    return ast.unparse(fn), 1, {"line": use.lineno, "original": old, "replacement": new}


def _swapped(fn, key):
    cands = [n for n in ast.walk(fn) if (isinstance(n, ast.BinOp) and isinstance(n.op, _NONCOMMUTATIVE))
             or (isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], _ORDERED))]
    node = _pick(cands, key)
    if node is None:
        return None
    before = ast.unparse(node)
    if isinstance(node, ast.BinOp):
        node.left, node.right = node.right, node.left
    else:
        node.left, node.comparators = node.comparators[0], [node.left]
    if ast.unparse(node) == before:  # x - x: swapping changes nothing
        return None
    return ast.unparse(fn), 1, {"line": node.lineno, "original": before, "rewritten": ast.unparse(node)}


def _wrong_operator(fn, key):
    cands = [(n, "op") for n in ast.walk(fn) if isinstance(n, ast.BinOp) and isinstance(n.op, _ARITH)]
    cands += [(n, "cmp") for n in ast.walk(fn) if isinstance(n, ast.Compare) and len(n.ops) == 1
              and isinstance(n.ops[0], _COMPARE)]
    pick = _pick(cands, key)
    if pick is None:
        return None
    node, kind = pick
    family = _ARITH if kind == "op" else _COMPARE
    old = type(node.op if kind == "op" else node.ops[0])
    choices = [c for c in family if c is not old]
    new = choices[_hash("op", key) % len(choices)]
    before = ast.unparse(node)
    if kind == "op":
        node.op = new()
    else:
        node.ops = [new()]
    return ast.unparse(fn), 1, {"line": node.lineno, "original": before, "rewritten": ast.unparse(node),
                                "old_op": old.__name__, "new_op": new.__name__}


_BUGS = {"variable-misuse": _variable_misuse, "swapped-operands": _swapped, "wrong-operator": _wrong_operator}


def parse_sources(sources: Mapping[str, str]) -> tuple[dict[str, ast.Module], list[str]]:
    """Parse module sources; returns the trees and the names of the modules that did not parse."""
    trees, failed = {}, []
    for module, text in sources.items():
        try:
            trees[module] = ast.parse(text)
        except (SyntaxError, ValueError):
            failed.append(module)
    return trees, failed


def build_examples(sources: Mapping[str, str], task: str) -> tuple[list[CodeExample], dict]:
    """Examples of ``task`` from module sources (module name -> source text).

    Returns
    -------
    (examples, stats) : stats counts ``modules``, ``unparseable`` (skipped, with ``unparseable_modules``),
    ``functions`` and ``examples``

    Examples
    --------
    >>> src = {"m": "def f(a, b):\\n    return a - b\\n", "bad": "def (:"}
    >>> ex, st = build_examples(src, "swapped-operands")
    >>> st["unparseable"], len(ex) == 1, ex[0].text.splitlines()[-1].strip() in ("return a - b", "return b - a")
    (1, True, True)
    """
    if task not in TASKS:
        raise ValueError(f"unknown code task {task!r}; valid: {', '.join(TASKS)}")
    trees, failed = parse_sources(sources)
    out, n_fn = [], 0
    docs = []
    for module, tree in trees.items():
        split = module_split(module)
        for qualname, node in _functions(tree):
            n_fn += 1
            key = f"{module}:{qualname}"
            if task == "docstring-mismatch":
                doc = ast.get_docstring(node)
                if doc and len(node.body) > 1:
                    docs.append((module, qualname, split, " ".join(doc.split("\n\n")[0].split()),
                                 ast.unparse(_strip_docstring(node))))
                continue
            if task == "exception" and not any(isinstance(h, ast.ExceptHandler) and isinstance(h.type, ast.Name)
                                               and h.type.id in EXCEPTIONS for h in ast.walk(node)):
                continue
            fn = _strip_docstring(node)
            if task == "exception":
                made = _exception_example(fn, key)
                if made:
                    out.append(CodeExample(task, made[0], made[1], module, qualname, split, made[2]))
                continue
            clean = ast.unparse(fn)
            made = _BUGS[task](fn, key)
            if made is None:
                continue
            if _hash("buggy", key) % 2:
                out.append(CodeExample(task, made[0], 1, module, qualname, split, made[2]))
            else:
                out.append(CodeExample(task, clean, 0, module, qualname, split, {"line": made[2].get("line")}))
    if task == "docstring-mismatch":
        out = _mismatch(docs)
    stats = {"modules": len(sources), "unparseable": len(failed), "unparseable_modules": failed,
             "functions": n_fn, "examples": len(out)}
    return out, stats


def _mismatch(docs: list) -> list[CodeExample]:
    out = []
    by_split: dict[str, list] = {}
    for d in docs:
        by_split.setdefault(d[2], []).append(d)
    for split, items in by_split.items():
        for i, (module, qualname, _, doc, code) in enumerate(items):
            key = f"{module}:{qualname}"
            if _hash("match", key) % 2 or len(items) < 2:
                out.append(CodeExample("docstring-mismatch", f'"""{doc}"""\n{code}', 1, module, qualname, split))
            else:
                j = (i + 1 + _hash("other", key) % (len(items) - 1)) % len(items)
                out.append(CodeExample("docstring-mismatch", f'"""{doc}"""\n{items[j][4]}', 0, module, qualname,
                                       split, {"code_of": f"{items[j][0]}:{items[j][1]}"}))
    return out


def stdlib_sources(modules: Sequence[str] | str | None = None) -> dict[str, str]:
    """Source text of standard library modules (read, never imported).

    ``modules``: names such as ``"json.decoder"``; None: the 150 or so modules of
    :data:`workbench.datasets.stdlib_code.MODULES`; ``"all"``: every ``.py`` file of the
    stdlib folder (about 600; tests and idlelib excluded).
    """
    from ..datasets.stdlib_code import MODULES  # noqa: PLC0415

    root = Path(sysconfig.get_paths()["stdlib"])
    if modules is None:
        modules = MODULES
    if isinstance(modules, str) and modules != "all":
        raise ValueError(f"modules must be a list of module names, None or 'all', got {modules!r}")
    if isinstance(modules, str):
        files = sorted(p for p in root.rglob("*.py")
                       if not ({"test", "tests", "idlelib", "site-packages", "lib2to3", "__pycache__"}
                               & set(p.relative_to(root).parts)))
    else:
        files = [f for m in modules for f in (root.joinpath(*m.split(".")).with_suffix(".py"),
                                               root.joinpath(*m.split("."), "__init__.py")) if f.is_file()]
    out = {}
    for f in files:
        rel = f.relative_to(root).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        try:
            out[name] = f.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            out[name] = "\x00"  # unreadable: counted as unparseable
    return out


def load_code_task(task: str, *, modules: Sequence[str] | str | None = None, sources: Mapping[str, str] | None = None):
    """Train / dev / test examples of a code task from the standard library, split by module.

    Returns
    -------
    (splits, stats) : dict split -> list of CodeExample, and :func:`build_examples`' counts
    """
    examples, stats = build_examples(sources if sources is not None else stdlib_sources(modules), task)
    splits = {name: [e for e in examples if e.split == name] for name in SPLITS}
    stats["per_split"] = {k: len(v) for k, v in splits.items()}
    return splits, stats
