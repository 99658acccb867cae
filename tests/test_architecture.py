"""Architecture rules checked by reading the source (``ast``), not by importing it.

Every ``.py`` file under ``workbench/`` is parsed; imports anywhere in a file count,
including those deferred into functions, since a deferred import is still a dependency.

(a) The module import graph has no cycle. Nodes are modules (``workbench.geometry`` is
    ``workbench/geometry/__init__.py``); importing a package is an edge to its
    ``__init__``. ``from P import x`` is an edge to the submodule ``P.x`` when that file
    exists, and otherwise to ``P`` itself. One exception: a module inside package ``P``
    that imports a name from ``P``'s ``__init__`` (``from . import x`` in a submodule,
    ``from .. import x`` one level down) depends on where ``x`` is defined: when the ``__init__`` only re-exports
    ``x`` from a submodule, the edge goes to that submodule; only a name defined in the
    ``__init__`` itself is an edge to it. So a package ``__init__`` importing its
    submodules is normal, and a cycle through it means a submodule needs code that lives
    in the ``__init__``. ``import a.b`` is an edge to ``a.b`` only (the parent packages
    Python initialises on the way are not counted). Imports through ``importlib`` (the
    lazy ``__getattr__`` of a package ``__init__``) are not seen.
(b) No module imports a ``_``-prefixed name from another module: neither a private
    module (``from .x import _y``, ``from ._x import y``) nor a private attribute of an
    imported module (``progress._helper()``). ``__future__`` and dunder names are allowed.
(c) Outside ``workbench/encoder.py`` (and ``workbench/static.py``, which subclasses
    ``Encoder`` and overrides its hooks), nothing calls a ``_``-prefixed method that class
    ``Encoder`` defines on any object other than ``self``, ``cls`` or ``super()``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, tuple[Path, ast.Module]]:
    """Every module of the package: name -> (file, parsed tree)."""
    return {_module_name(p): (p, ast.parse(p.read_text(encoding="utf-8"), filename=str(p)))
            for p in sorted(PACKAGE.rglob("*.py"))}


def _base(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` reads from."""
    if not node.level:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imports(modules: dict) -> list[tuple[str, int, str, str | None]]:
    """Every import of a workbench module: (importer, line, target module, imported name or None)."""
    found = []
    for module, (path, tree) in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(module, node.lineno, a.name, None) for a in node.names
                          if a.name.split(".")[0] == "workbench"]
            elif isinstance(node, ast.ImportFrom):
                base = _base(module, path, node)
                if base.split(".")[0] != "workbench":
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.append((module, node.lineno, sub, None) if sub in modules
                                 else (module, node.lineno, base, alias.name))
    return found


def _reexports(modules: dict) -> dict[str, dict[str, str]]:
    """package -> {name its ``__init__`` imports at top level from one of its submodules -> that submodule}."""
    found: dict[str, dict[str, str]] = {}
    for module, (path, tree) in modules.items():
        if path.name != "__init__.py":
            continue
        names = found.setdefault(module, {})
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level:
                base = _base(module, path, node)
                if base.startswith(module + ".") and base in modules:
                    names.update({a.asname or a.name: base for a in node.names})
    return found


def _graph(modules: dict) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in modules}
    reexports = _reexports(modules)
    for module, _, target, name in _imports(modules):
        if name is not None and module.startswith(target + "."):  # from its own package's __init__
            target = reexports.get(target, {}).get(name, target)
        if target in modules and target != module:
            graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for component in components:
        members, start = set(component), component[0]
        path, seen = [start], {start}
        while True:  # walk inside the component until a module repeats
            nxt = sorted(graph[path[-1]] & members)
            step = start if start in nxt else next((w for w in nxt if w not in seen), nxt[0])
            if step in seen:
                cycles.append(path[path.index(step):] + [step])
                break
            path.append(step)
            seen.add(step)
    return cycles


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_import_cycles():
    cycles = _cycles(_graph(_modules()))
    assert not cycles, "import cycles (including imports inside functions):\n" + "\n".join(
        " -> ".join(c) for c in cycles)


def test_no_private_names_imported():
    modules = _modules()
    problems = []
    for module, line, target, name in _imports(modules):
        dotted = target if name is None else f"{target}.{name}"
        if any(_private(part) for part in dotted.split(".")):
            problems.append(f"{modules[module][0].relative_to(PACKAGE.parent)}:{line} imports {dotted}")
    for module, (path, tree) in modules.items():  # private attributes of imported workbench modules
        bound = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                bound |= {a.asname or a.name for a in node.names if a.name.split(".")[0] == "workbench"}
            elif isinstance(node, ast.ImportFrom) and _base(module, path, node).split(".")[0] == "workbench":
                base = _base(module, path, node)
                bound |= {a.asname or a.name for a in node.names if f"{base}.{a.name}" in modules}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr)
                    and isinstance(node.value, ast.Name) and node.value.id in bound):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert not problems, "private names used across modules:\n" + "\n".join(problems)


def test_no_private_encoder_methods_called_from_outside():
    modules = _modules()
    encoder_tree = modules["workbench.encoder"][1]
    hooks = {f.name for c in encoder_tree.body if isinstance(c, ast.ClassDef) and c.name == "Encoder"
             for f in c.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(f.name)}
    problems = []
    for module, (path, tree) in modules.items():
        if module in ("workbench.encoder", "workbench.static"):
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in hooks):
                continue
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
                continue
            problems.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} calls "
                            f"{ast.unparse(node.func)}() (a private method of Encoder)")
    assert not problems, "private Encoder methods called from outside encoder.py:\n" + "\n".join(problems)
