"""Student and instructor editions of a lesson notebook.

A lesson is written once, as the instructor sees it, with nbgrader-style markers:

* solution code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines -- the
  student edition replaces each block by ``raise NotImplementedError(...)`` at the same
  indentation, so the exercise's check prints "not written yet" until it is solved;
* rubrics in markdown between ``<!-- BEGIN RUBRIC -->`` and ``<!-- END RUBRIC -->``, or a
  whole cell tagged ``rubric`` -- removed from the student edition;
* each exercise's solution cell tagged ``exercise:<id>`` (e.g. ``exercise:lesson01-ex1``);
  the editions list the ids in the notebook metadata (``workbench_course.exercises``) so
  the grader knows which exercises a submission must contain even when a cell is gone.

Both editions have their outputs cleared; the instructor edition is otherwise the
notebook as written. Left out: nbgrader's cell-level grade ids and checksums (its
markers work unchanged, so nbgrader users can run ``nbgrader generate_assignment``).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Iterable

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
STUB = 'raise NotImplementedError("write your solution here")'
RUBRIC = re.compile(r"<!--\s*BEGIN RUBRIC\s*-->.*?<!--\s*END RUBRIC\s*-->", re.DOTALL)
EXERCISE_TAG = "exercise:"
METADATA_KEY = "workbench_course"


def _nbformat():
    import nbformat  # noqa: PLC0415

    return nbformat


def exercise_ids(nb) -> list[str]:
    """Exercise ids of a notebook's cells, in order (from the ``exercise:<id>`` tags).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["exercise:a-1"]})])
    >>> exercise_ids(nb)
    ['a-1']
    """
    ids = [t[len(EXERCISE_TAG):] for cell in nb.cells for t in cell.get("metadata", {}).get("tags", [])
           if t.startswith(EXERCISE_TAG)]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"exercise id {dupes[0]!r} tags more than one cell")
    return ids


def strip_solutions(source: str, *, where: str = "cell") -> str:
    """Replace each solution block of a code cell by a stub that raises ``NotImplementedError``.

    Parameters
    ----------
    source : str
        The cell's code.
    where : str
        Names the cell in the error for unbalanced markers.

    Examples
    --------
    >>> print(strip_solutions("def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION"))
    def f(x):
        raise NotImplementedError("write your solution here")
    """
    out: list[str] = []
    inside = False
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            if inside:
                raise ValueError(f"{where}: {BEGIN_SOLUTION} inside another solution block")
            inside = True
            out.append(line[: len(line) - len(line.lstrip())] + STUB)
        elif marker == END_SOLUTION:
            if not inside:
                raise ValueError(f"{where}: {END_SOLUTION} without a {BEGIN_SOLUTION}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN_SOLUTION} is never closed by {END_SOLUTION}")
    return "\n".join(out)


def _cleared(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata[METADATA_KEY] = {"exercises": exercise_ids(nb)}
    return nb


def instructor_edition(nb):
    """The notebook as written, outputs cleared, with its exercise ids in the metadata."""
    return _cleared(nb)


def student_edition(nb):
    """Solutions replaced by stubs, rubrics removed, outputs cleared.

    Examples
    --------
    >>> import nbformat
    >>> v4 = nbformat.v4
    >>> nb = v4.new_notebook(cells=[
    ...     v4.new_code_cell("### BEGIN SOLUTION\\nanswer = 42\\n### END SOLUTION",
    ...                      metadata={"tags": ["exercise:a-1"]}),
    ...     v4.new_markdown_cell("Explain.<!-- BEGIN RUBRIC -->full marks if ...<!-- END RUBRIC -->"),
    ...     v4.new_markdown_cell("secret", metadata={"tags": ["rubric"]})])
    >>> student = student_edition(nb)
    >>> [c.source for c in student.cells]
    ['raise NotImplementedError("write your solution here")', 'Explain.']
    >>> student.metadata["workbench_course"]
    {'exercises': ['a-1']}
    """
    nb = _cleared(nb)
    cells = []
    for i, cell in enumerate(nb.cells):
        if "rubric" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, where=f"cell {i}")
        elif cell.cell_type == "markdown":
            cell.source = RUBRIC.sub("", cell.source).strip()
            if not cell.source:
                continue
        cells.append(cell)
    nb.cells = cells
    return nb


def solution_lines(nb) -> list[str]:
    """The non-blank lines inside solution blocks and rubrics: text a student edition must not contain."""
    lines = []
    for cell in nb.cells:
        if "rubric" in cell.get("metadata", {}).get("tags", []):
            lines += cell.source.splitlines()
        elif cell.cell_type == "code":
            inside = False
            for line in cell.source.splitlines():
                if line.strip() in (BEGIN_SOLUTION, END_SOLUTION):
                    inside = line.strip() == BEGIN_SOLUTION
                elif inside:
                    lines.append(line)
        else:
            for block in RUBRIC.findall(cell.source):
                lines += block.splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("<!--")]


def build_editions(sources: Iterable[str | Path], out: str | Path) -> dict[str, list[str]]:
    """Write ``out/student/NAME.ipynb`` and ``out/instructor/NAME.ipynb`` for each source notebook.

    Returns
    -------
    dict with the paths written under ``"student"`` and ``"instructor"``
    """
    nbformat = _nbformat()
    sources = [Path(s) for s in sources]
    if not sources:
        raise ValueError("no lesson notebooks to build")
    missing = [str(s) for s in sources if not s.is_file()]
    if missing:
        raise FileNotFoundError(f"no such notebook: {missing[0]}")
    out = Path(out)
    written: dict[str, list[str]] = {"student": [], "instructor": []}
    for src in sources:
        nb = nbformat.read(src, as_version=4)
        for edition, make in (("student", student_edition), ("instructor", instructor_edition)):
            try:
                made = make(nb)
            except ValueError as exc:
                raise ValueError(f"{src}: {exc}") from None
            target = out / edition / src.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(made, target)
            written[edition].append(str(target))
    return written
