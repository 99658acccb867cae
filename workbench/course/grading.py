"""Grading submitted notebooks: run each in a fresh kernel, read which checks passed.

A submission is executed top to bottom by ``nbclient`` in a fresh kernel, in the
notebook's folder, with a time limit per cell: a cell that runs past it (an endless
loop) is interrupted and reported, and execution goes on with the next cell. Errors do
not stop the run either. After the last cell the grader appends one cell of its own that
prints the kernel's check ledger (:func:`workbench.course.checks.ledger_json`); each
exercise then scores (the kernel runs with strict mode off, ``WB_COURSE_STRICT=0``, so
a failed check leaves its hint and no error)

* 1 -- its check recorded a pass;
* 0 with the reason -- its cell is missing (deleted, or its ``exercise:<id>`` tag
  changed), its cell raised or timed out, its check failed (the hint), or its check
  never ran.

The exercises a notebook must contain come from its metadata (written by the editions,
see :mod:`.editions`), else from its tags. A notebook that cannot be read or whose
kernel dies scores 0 on every exercise, with the reason, and grading goes on.
Left out: manual grading of free-text answers (they score 1 when answered at length; the
rubric is for the teacher), partial credit, and sandboxing (run students' code only
where you would run your own).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

from .checks import MARKER, ledger_json
from .editions import EXERCISE_TAG, METADATA_KEY, exercise_ids

TIMEOUT_ERROR = "CellTimeoutError"


def _ledger_cell_source() -> str:
    return f"from {ledger_json.__module__} import ledger_json as _wb_ledger\nprint(_wb_ledger())"


def _expected_ids(nb) -> list[str]:
    listed = nb.metadata.get(METADATA_KEY, {}).get("exercises")
    return list(listed) if listed else exercise_ids(nb)


def _cell_of(nb) -> dict[str, int]:
    return {t[len(EXERCISE_TAG):]: i for i, cell in enumerate(nb.cells)
            for t in cell.get("metadata", {}).get("tags", []) if t.startswith(EXERCISE_TAG)}


def _read_ledger(cell) -> dict[str, dict]:
    for out in cell.get("outputs", []):
        text = out.get("text", "") if out.get("output_type") == "stream" else ""
        for line in text.splitlines():
            if line.startswith(MARKER):
                return {r["exercise"]: r for r in json.loads(line[len(MARKER):])}
    return {}


def run_notebook(nb, *, timeout: float, cwd: str | Path, kernel_name: str = "python3") -> tuple[dict, dict]:
    """Execute ``nb`` (with the ledger cell appended) in a fresh kernel.

    Returns
    -------
    (ledger: exercise id -> recorded result, errors: cell index -> (error name, message))
    """
    import nbformat  # noqa: PLC0415
    from nbclient import NotebookClient  # noqa: PLC0415

    nb.cells.append(nbformat.v4.new_code_cell(_ledger_cell_source()))
    errors: dict[int, tuple[str, str]] = {}

    def on_error(cell, cell_index, execute_reply):
        content = execute_reply.get("content", {})
        errors[cell_index] = (content.get("ename", "Error"), " ".join(str(content.get("evalue", "")).split()))

    client = NotebookClient(nb, timeout=int(max(1, round(timeout))), kernel_name=kernel_name, allow_errors=True,
                            interrupt_on_timeout=True, record_timing=False,
                            error_on_timeout={"ename": TIMEOUT_ERROR, "evalue": f"stopped after {timeout:g} s"},
                            on_cell_error=on_error, resources={"metadata": {"path": str(cwd)}})
    client.execute(env={**os.environ, "WB_COURSE_STRICT": "0"})  # a failed check prints its hint, never raises
    return _read_ledger(nb.cells[-1]), errors


def score(nb, ledger: dict, errors: dict, expected: Sequence[str]) -> list[dict]:
    """One row per expected exercise: ``{"exercise", "points", "max", "reason"}``."""
    cells = _cell_of(nb)
    rows = []
    for ex in expected:
        idx = cells.get(ex)
        if idx is None:
            points, reason = 0, f"the exercise cell is missing (deleted, or its '{EXERCISE_TAG}{ex}' tag changed)"
        elif idx in errors and errors[idx][0] == TIMEOUT_ERROR:
            points, reason = 0, f"the exercise cell was {errors[idx][1]} (an endless loop?)"
        elif idx in errors:
            name, message = errors[idx]
            points, reason = 0, f"the exercise cell raised {name}" + (f": {message}" if message else "")
        elif ex in ledger:
            points, reason = int(bool(ledger[ex]["passed"])), ledger[ex]["message"]
        else:
            later = [f"{name}: {message}" for i, (name, message) in sorted(errors.items()) if i > idx]
            points, reason = 0, "its check did not run" + (f" (a later cell raised {later[0]})" if later else "")
        rows.append({"exercise": ex, "points": points, "max": 1, "reason": reason})
    return rows


def grade_notebook(path: str | Path, *, timeout: float = 120.0, kernel_name: str = "python3") -> dict:
    """Execute one submitted notebook and score its exercises.

    Parameters
    ----------
    path : str or Path
        The submitted ``.ipynb``.
    timeout : float, default 120
        Seconds each cell may run before it is interrupted.
    kernel_name : str, default "python3"

    Returns
    -------
    dict with ``notebook``, ``score``, ``max``, ``exercises`` (rows of :func:`score`) and
    ``error`` (why the notebook could not run at all, else None)
    """
    import nbformat  # noqa: PLC0415

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such notebook: {path}")
    if timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout}")
    try:
        nb = nbformat.read(path, as_version=4)
        expected = _expected_ids(nb)
    except Exception as exc:  # not a notebook, or broken JSON: it scores nothing, grading goes on
        return {"notebook": str(path), "score": 0, "max": 0, "exercises": [],
                "error": f"cannot read the notebook: {type(exc).__name__}: {' '.join(str(exc).split())}"}
    error = None
    try:
        ledger, errors = run_notebook(nb, timeout=timeout, cwd=path.resolve().parent, kernel_name=kernel_name)
    except Exception as exc:  # the kernel died or would not start
        ledger, errors = {}, {}
        error = f"the notebook could not run: {type(exc).__name__}: {' '.join(str(exc).split())}"
    rows = score(nb, ledger, errors, expected)
    if error:  # nothing ran to the end: every exercise present scores 0 with that reason
        rows = [r if "missing" in r["reason"] else dict(r, points=0, reason=error) for r in rows]
    return {"notebook": str(path), "score": sum(r["points"] for r in rows), "max": len(rows),
            "exercises": rows, "error": error}


def grade(paths: Sequence[str | Path], *, timeout: float = 120.0, kernel_name: str = "python3") -> list[dict]:
    """Grade several notebooks, one fresh kernel each; see :func:`grade_notebook`."""
    if not paths:
        raise ValueError("no notebooks to grade")
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"no such notebook: {missing[0]}")
    return [grade_notebook(p, timeout=timeout, kernel_name=kernel_name) for p in paths]


def score_table(results: Sequence[dict]) -> str:
    """The grades as text: one line per exercise, a total per notebook.

    Examples
    --------
    >>> print(score_table([{"notebook": "a.ipynb", "score": 1, "max": 2, "error": None, "exercises": [
    ...     {"exercise": "l1-ex1", "points": 1, "max": 1, "reason": "matches"},
    ...     {"exercise": "l1-ex2", "points": 0, "max": 1, "reason": "you sorted ascending"}]}]))
    a.ipynb: 1 / 2
      l1-ex1  1/1  matches
      l1-ex2  0/1  you sorted ascending
    """
    lines = []
    for res in results:
        lines.append(f"{res['notebook']}: {res['score']} / {res['max']}" + (f"  ({res['error']})" if res["error"]
                                                                            else ""))
        width = max((len(r["exercise"]) for r in res["exercises"]), default=0)
        lines += [f"  {r['exercise']:<{width}}  {r['points']}/{r['max']}  {r['reason']}" for r in res["exercises"]]
    return "\n".join(lines)
