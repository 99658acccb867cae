"""Course tools: checkers that teach (and never raise), editions, grading in fresh kernels."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from scipy import stats

from workbench.cli import main
from workbench.course import LEDGER, check_function, check_number, check_text
from workbench.course.checks import CheckFailed
from workbench.course.compare import same_partition, same_ranking, same_up_to_rotation, same_up_to_sign
from workbench.course.editions import (
    BEGIN_SOLUTION,
    STUB,
    build_editions,
    exercise_ids,
    solution_lines,
    strip_solutions,
    student_edition,
)
from workbench.course.grading import grade
from workbench.course.inputs import INPUTS, paired_with_ties, row_pairs, scores_with_ties, token_states
from workbench.evaluate.stats import STATISTICS
from workbench.evaluate.sts import cosine_rows
from workbench.pooling import pool
from workbench.search import top_k

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks" / "course").glob("*.ipynb"))
v4 = nbformat.v4


def _pool(mode):
    return lambda s, m: pool(torch.from_numpy(s), torch.from_numpy(m), mode).numpy()


def _spearman(x, y):
    return float(STATISTICS["spearman"](np.asarray(x)[None], np.asarray(y)[None])[0])


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    """The checker tests expect hints, not exceptions: strict mode off unless a test turns it on."""
    monkeypatch.delenv("WB_COURSE_STRICT", raising=False)


def _run(capsys, checker, *args, **kwargs):
    result = checker(*args, **kwargs)
    line = capsys.readouterr().out.strip()
    assert line == str(result) and "\n" not in line
    return result


# ---------------------------------------------------------------- checkers: right answers pass

CORRECT = [
    (lambda a, b: (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1), cosine_rows, row_pairs,
     "close"),
    (lambda s, k: np.argsort(-s, axis=1)[:, :k], lambda s, k: top_k(s, k)[1], scores_with_ties, "ties"),
    (lambda s, m: (s * m[..., None]).sum(1) / m.sum(1, keepdims=True), _pool("mean"), token_states, "close"),
    (lambda x, y: stats.spearmanr(x, y).statistic, _spearman, paired_with_ties, "close"),
]


@pytest.mark.parametrize("student, reference, inputs, compare", CORRECT)
def test_correct_functions_pass(capsys, student, reference, inputs, compare):
    result = _run(capsys, check_function, student, reference, inputs, exercise="t-ok", compare=compare, rtol=1e-4)
    assert result.passed, result.message
    assert LEDGER["t-ok"] is result


# ---------------------------------------------------------------- checkers: each typical mistake, its hint

MISTAKES = [
    ("dot product", lambda a, b: (a * b).sum(1), cosine_rows, row_pairs, {"hints": ["dot_product"]},
     "you returned the dot product"),
    ("ascending", lambda s, k: np.argsort(s, axis=1)[:, -k:],
     lambda s, k: top_k(s, k)[1], scores_with_ties, {"compare": "ties", "hints": ["ascending"]},
     "you sorted ascending"),
    ("ascending, worst k", lambda s, k: np.argsort(s, axis=1)[:, :k], lambda s, k: top_k(s, k)[1], scores_with_ties,
     {"compare": "ties", "hints": ["ascending"]}, "you sorted ascending"),
    ("padding averaged", lambda s, m: s.mean(1), _pool("mean"), token_states, {"hints": ["unmasked_mean"]},
     "you averaged the padding positions too"),
    ("padding in the max", lambda s, m: s.max(1), _pool("max"), token_states, {"hints": ["unmasked_max"]},
     "your maximum includes padding positions"),
    ("pearson", lambda x, y: float(np.corrcoef(x, y)[0, 1]), _spearman, paired_with_ties,
     {"hints": ["pearson", "ordinal_ranks"]}, "you computed Pearson's r"),
    ("ordinal ranks", lambda x, y: float(np.corrcoef(np.argsort(np.argsort(x, kind="stable"), kind="stable"),
                                                     np.argsort(np.argsort(y, kind="stable"), kind="stable"))[0, 1]),
     _spearman, paired_with_ties, {"hints": ["pearson", "ordinal_ranks"]}, "tied values must share"),
    ("not unit", lambda X: X * 2, lambda X: X / np.linalg.norm(X, axis=1, keepdims=True),
     lambda rng: (rng.normal(size=(4, 3)),), {}, "your vectors are not unit length"),
    ("transpose", lambda a: a.T, lambda a: a, lambda rng: (rng.normal(size=(3, 5)),), {},
     "you returned the transpose"),
    ("wrong shape", lambda a, b: a[:, :1], lambda a, b: a, row_pairs, {}, "expected shape"),
    ("no return", lambda a, b: None, cosine_rows, row_pairs, {}, "you returned None"),
    ("wrong type", lambda a, b: "0.5", cosine_rows, row_pairs, {}, "expected an array of shape"),
    ("nan", lambda a, b: np.full(len(a), np.nan), cosine_rows, row_pairs, {}, "NaN or inf"),
    ("raises", lambda a, b: 1 / 0, cosine_rows, row_pairs, {}, "your code raised ZeroDivisionError: division by zero"),
    ("stub", lambda a, b: (_ for _ in ()).throw(NotImplementedError("write your solution here")), cosine_rows,
     row_pairs, {}, "not written yet"),
    ("lesson's own mistake", lambda a, b: a[:, 0], cosine_rows, row_pairs,
     {"mistakes": {"you used only the first coordinate": lambda a, b: a[:, 0]}}, "you used only the first"),
    ("anything else", lambda a, b: cosine_rows(a, b) + 0.5, cosine_rows, row_pairs, {}, "largest difference at"),
    ("not a rotation", lambda X: X * [2.0, 1.0], lambda X: X, lambda rng: (rng.normal(size=(5, 2)),),
     {"compare": "rotation"}, "even allowing for any rotation"),
]


@pytest.mark.parametrize("name, student, reference, inputs, options, hint", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_typical_mistakes_get_their_hint_and_never_raise(capsys, name, student, reference, inputs, options, hint):
    result = _run(capsys, check_function, student, reference, inputs, exercise="t-bad", **options)
    assert not result.passed
    assert hint in result.message, result.message
    assert "Traceback" not in result.message


def test_a_missing_or_renamed_name_or_a_non_function_gets_a_hint():
    # called directly: a name is looked up where the checker is called (here, this test's locals)
    assert "no function named `not_defined_here`" in check_function("not_defined_here", cosine_rows, row_pairs,
                                                                     exercise="t-name").message
    some_array = np.zeros(3)  # noqa: F841 - looked up by name
    assert "is an array of shape (3,), not a function" in check_function("some_array", cosine_rows, row_pairs,
                                                                          exercise="t-name").message
    my_cosine = cosine_rows  # noqa: F841 - looked up by name
    assert check_function("my_cosine", cosine_rows, row_pairs, exercise="t-name").passed


def test_comparators_accept_the_invariances_and_nothing_else():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    assert same_up_to_rotation(X @ Q, X) and not same_up_to_rotation(X * [1, 2, 1], X)
    assert same_up_to_sign(X * [-1, 1, -1], X) and not same_up_to_sign(X[::-1], X)
    scores = np.array([[0.3, 0.9, 0.9, 0.1]])
    assert same_ranking([[2, 1]], [[1, 2]], scores) and not same_ranking([[1, 1]], [[1, 2]], scores)
    assert same_partition([2, 2, 0, 1], [0, 0, 1, 2]) and not same_partition([0, 1, 0, 1], [0, 0, 1, 1])
    sign_flip = lambda M: M * [-1, 1, 1]  # noqa: E731
    assert check_function(sign_flip, lambda M: M, lambda r: (r.normal(size=(4, 3)),), exercise="t-sign",
                          compare="sign").passed


# ---------------------------------------------------------------- numbers and text

NUMBERS = [
    ({"value": 0.5003, "expected": 0.5, "tol": 1e-3}, True, "within 0.001"),
    ({"value": 50.0, "expected": 0.5, "tol": 1e-3}, False, "you gave a percentage"),
    ({"value": -0.5, "expected": 0.5, "tol": 1e-3}, False, "opposite sign"),
    ({"value": 0.7, "expected": 0.5, "tol": 1e-3}, False, "yours is too high"),
    ({"value": 0.31, "expected": 0.5, "tol": 1e-3, "mistakes": {"that is Pearson's r": 0.31}}, False,
     "that is Pearson's r"),
    ({"value": "0.5", "expected": 0.5}, False, "expected a number, got a str"),
    ({"value": [0.5, 0.6], "expected": 0.5}, False, "expected shape (), got (2,)"),
    ({"value": None, "expected": 0.5}, False, "you returned None"),
    ({"value": (0.8, 0.6), "expected": (0.6, 0.8), "tol": 0.01}, False, "swap them"),
    ({"value": (0.7, 0.7), "expected": (0.6, 0.8), "tol": 0.01}, False, "*with* replacement"),
    ({"value": (0.61, 0.79), "expected": (0.6, 0.8), "tol": 0.02}, True, "(0.61, 0.79)"),
    ({"value": 3, "expected": 3, "tol": 0}, True, "exactly the expected value"),
]


@pytest.mark.parametrize("kwargs, passed, text", NUMBERS)
def test_check_number(capsys, kwargs, passed, text):
    kwargs = dict(kwargs)
    result = _run(capsys, check_number, kwargs.pop("value"), kwargs.pop("expected"), exercise="t-num", **kwargs)
    assert result.passed is passed and text in result.message, result.message


def test_check_number_and_text_look_names_up_and_never_raise():
    assert "no variable named `no_such_answer`" in check_number("no_such_answer", 1.0, exercise="t-num").message
    my_answer = 0.25  # noqa: F841 - looked up by name
    assert check_number("my_answer", 0.25, exercise="t-num").passed
    assert "at least 10 words" in check_text("too short an answer", exercise="t-txt", min_words=10).message
    assert "as a str, got a list of 30 items" in check_text(["a"] * 30, exercise="t-txt").message
    my_text = " ".join(["word"] * 25)  # noqa: F841 - looked up by name
    assert check_text("my_text", exercise="t-txt").passed
    assert not check_text("undefined_text", exercise="t-txt").passed


def test_input_generators_are_fresh_and_well_formed():
    for name, make in INPUTS.items():
        a, b = make(np.random.default_rng(1)), make(np.random.default_rng(2))
        assert isinstance(a, tuple) and not all(np.array_equal(np.asarray(x), np.asarray(y)) if np.shape(x) ==
                                                np.shape(y) else False for x, y in zip(a, b)), name


# ---------------------------------------------------------------- editions

def test_strip_solutions_keeps_indentation_and_refuses_unbalanced_markers():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    y = x\n    return y\n    ### END SOLUTION\n\nz = 1"
    assert strip_solutions(src) == 'def f(x):\n    raise NotImplementedError("write your solution here")\n\nz = 1'
    with pytest.raises(ValueError, match="never closed"):
        strip_solutions("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(ValueError, match="without a"):
        strip_solutions("x = 1\n### END SOLUTION")


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_each_lesson_student_edition_holds_no_solution_and_every_exercise_is_tagged(lesson):
    nb = nbformat.read(lesson, as_version=4)
    ids = exercise_ids(nb)
    assert 3 <= len(ids) <= 6 and all(i.startswith(f"lesson{lesson.name[:2]}-ex") for i in ids)
    for cell in nb.cells:  # every solution sits in a tagged exercise cell; outputs are stripped
        if BEGIN_SOLUTION in cell.source:
            assert any(t.startswith("exercise:") for t in cell.metadata.get("tags", [])), cell.source[:80]
        assert not cell.get("outputs")
    head = "\n".join(c.source for c in nb.cells[:2])
    assert "Learning goals" in head and "Prerequisites" in head and "minutes" in head
    assert any("parameters" in c.metadata.get("tags", []) and "WB_SMOKE" in c.source for c in nb.cells)
    student = student_edition(nb)
    text = "\n".join(c.source for c in student.cells)
    secret = solution_lines(nb)
    assert len(secret) >= 2 * len(ids) and "Rubric" in "\n".join(secret)
    leaked = [line for line in secret if line in text.splitlines() or
              line in {ln.strip() for ln in text.splitlines()}]
    assert not leaked, leaked[:3]
    assert text.count("raise NotImplementedError") >= len(ids)
    assert student.metadata["workbench_course"]["exercises"] == ids


# ---------------------------------------------------------------- grading (fresh kernels)

SYNTHETIC = [
    ("code", "from workbench.course import check_function, check_number, check_text\nimport numpy as np", []),
    ("code", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION", ["exercise:syn-ex1"]),
    ("code", "check_function('double', lambda x: x * 2, lambda rng: (rng.normal(size=4),), exercise='syn-ex1')", []),
    ("code", "### BEGIN SOLUTION\nanswer = 0.25\n### END SOLUTION", ["exercise:syn-ex2"]),
    ("code", "check_number('answer', 1 / 4, exercise='syn-ex2', tol=1e-9)", []),
    ("markdown", "Explain.\n<!-- BEGIN RUBRIC -->\nFull marks for a reason.\n<!-- END RUBRIC -->", []),
    ("code", '### BEGIN SOLUTION\nwhy = "because doubling adds the number to itself once more"\n### END SOLUTION',
     ["exercise:syn-ex3"]),
    ("code", "check_text('why', exercise='syn-ex3', min_words=5)", []),
    ("code", "### BEGIN SOLUTION\nlast = 3\n### END SOLUTION", ["exercise:syn-ex4"]),
    ("code", "check_number('last', 3, exercise='syn-ex4', tol=0)", []),
]


def _synthetic(folder: Path) -> dict[str, Path]:
    """The instructor notebook, its built editions, and a broken submission."""
    cells = [(v4.new_code_cell if kind == "code" else v4.new_markdown_cell)(src, metadata={"tags": tags})
             for kind, src, tags in SYNTHETIC]
    source = folder / "syn.ipynb"
    nbformat.write(v4.new_notebook(cells=cells), source)
    build_editions([source], folder / "build")
    broken = nbformat.read(folder / "build" / "student" / "syn.ipynb", as_version=4)
    del broken.cells[1]                                                       # syn-ex1: cell deleted
    broken.cells[2].source = "answer = float('x')"                            # syn-ex2: raises
    broken.cells[5].source = "while True:\n    pass"                          # syn-ex3: never ends
    broken.cells[7].source = "last = 3"                                       # syn-ex4: solved after the loop
    nbformat.write(broken, folder / "broken.ipynb")
    return {"solved": folder / "build" / "instructor" / "syn.ipynb",
            "unsolved": folder / "build" / "student" / "syn.ipynb", "broken": folder / "broken.ipynb"}


def test_grading_solved_unsolved_and_broken_submissions(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WB_COURSE_STRICT", "1")  # the grader's kernels run with strict mode off all the same
    paths = _synthetic(tmp_path)
    # a cell limit that importing the package (torch, plotly) fits even when the CPU is shared
    assert main(["course", "grade", *map(str, paths.values()), "--json", "--timeout", "20"]) == 0
    solved, unsolved, broken = json.loads(capsys.readouterr().out)
    assert (solved["score"], solved["max"]) == (4, 4), solved
    assert (unsolved["score"], unsolved["max"]) == (0, 4), unsolved
    reasons = {r["exercise"]: r["reason"] for r in unsolved["exercises"]}
    assert reasons["syn-ex1"].startswith("not written yet")
    assert all("NotImplementedError" in reasons[e] for e in ("syn-ex2", "syn-ex3", "syn-ex4"))
    reasons = {r["exercise"]: (r["points"], r["reason"]) for r in broken["exercises"]}
    assert reasons["syn-ex1"][0] == 0 and "missing" in reasons["syn-ex1"][1]
    assert reasons["syn-ex2"] == (0, "the exercise cell raised ValueError: could not convert string to float: 'x'")
    assert reasons["syn-ex3"][0] == 0 and "stopped after 20 s" in reasons["syn-ex3"][1]
    assert reasons["syn-ex4"][0] == 1, "grading goes on after a cell that loops"


def test_course_cli_user_errors(tmp_path, capsys):
    assert main(["course", "grade", str(tmp_path / "nothing.ipynb")]) == 2
    assert main(["course", "build", "--out", str(tmp_path), "--lessons", str(tmp_path / "none")]) == 2
    assert "no lesson folder" in capsys.readouterr().err


@pytest.mark.slow
def test_a_real_lesson_grades_full_as_instructor_and_zero_with_hints_as_student(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WB_SMOKE", "1")
    assert main(["course", "build", "--out", str(tmp_path), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert len(written["student"]) == len(written["instructor"]) == len(LESSONS)
    first = [p for p in written["instructor"] + written["student"] if Path(p).name == LESSONS[0].name]
    instructor, student = grade(first, timeout=120)
    assert instructor["score"] == instructor["max"] >= 3, instructor
    assert student["score"] == 0 and student["max"] == instructor["max"], student
    for row in student["exercises"]:
        assert row["reason"].startswith(("not written yet", "the exercise cell raised NotImplementedError")), row


def test_an_unreadable_submission_scores_nothing_and_grading_goes_on(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not a notebook")
    (result,) = grade([bad], timeout=5)
    assert result["score"] == 0 and result["exercises"] == [] and "cannot read the notebook" in result["error"]


# ---------------------------------------------------------------- strict mode: a wrong committed solution fails the run

def test_strict_mode_raises_after_the_hint_and_only_on_a_failure(monkeypatch, capsys):
    monkeypatch.setenv("WB_COURSE_STRICT", "1")
    assert check_number(0.5, 0.5, exercise="t-strict", tol=1e-9).passed
    with pytest.raises(CheckFailed, match="NOT YET t-strict: you gave a percentage"):
        check_number(50.0, 0.5, exercise="t-strict", tol=1e-3)
    assert "NOT YET t-strict" in capsys.readouterr().out and not LEDGER["t-strict"].passed
    with pytest.raises(CheckFailed, match="not written yet"):
        check_function(lambda x: (_ for _ in ()).throw(NotImplementedError()), lambda x: x,
                       lambda rng: (rng.normal(size=2),), exercise="t-strict")
    monkeypatch.setenv("WB_COURSE_STRICT", "0")
    assert not check_number(50.0, 0.5, exercise="t-strict", tol=1e-3).passed  # a hint, no exception


def test_nbmake_fails_a_lesson_whose_committed_solution_is_wrong(tmp_path):
    """The lessons' conftest turns strict mode on, so a wrong solution fails under pytest --nbmake."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "course" / "conftest.py", folder / "conftest.py")
    cells = [(v4.new_code_cell if kind == "code" else v4.new_markdown_cell)(src, metadata={"tags": tags})
             for kind, src, tags in SYNTHETIC]
    nbformat.write(v4.new_notebook(cells=cells), folder / "right.ipynb")
    cells[1].source = cells[1].source.replace("return 2 * x", "return 3 * x")  # syn-ex1's solution, now wrong
    nbformat.write(v4.new_notebook(cells=cells), folder / "wrong.ipynb")
    env = {key: value for key, value in os.environ.items() if key != "WB_COURSE_STRICT"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbmake",
                          "--rootdir", str(folder), str(folder / "right.ipynb"), str(folder / "wrong.ipynb")],
                         cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out[-3000:]
    assert re.search(r"1 failed, 1 passed", out), out[-3000:]
    assert "FAILED" in out and "wrong.ipynb" in out and "CheckFailed" in out
    assert "your result is a constant multiple of the expected one" in out  # the hint travels with the failure


# ---------------------------------------------------------------- grading every lesson: a right and a wrong answer

def _first_exercise_submission(lesson: Path, folder: Path) -> tuple[Path, str]:
    """The student edition cut after the first exercise's check, that exercise solved as the instructor did,
    and a copy of it answered wrongly (returning its first argument) under the id ``<ex1>-wrong``."""
    nb = nbformat.read(lesson, as_version=4)
    student = student_edition(nb)
    ex1 = exercise_ids(nb)[0]
    tag = f"exercise:{ex1}"
    at = next(i for i, c in enumerate(student.cells) if tag in c.metadata.get("tags", []))
    check = next(i for i in range(at + 1, len(student.cells)) if "check_function(" in student.cells[i].source)
    solved = next(c for c in nb.cells if tag in c.metadata.get("tags", []))
    cells = student.cells[:check + 1]
    cells[at] = v4.new_code_cell(solved.source, metadata={"tags": [tag]})
    first_arg = re.search(r"def \w+\((\w+)", student.cells[at].source).group(1)
    wrong = student.cells[at].source.replace(STUB, f"return {first_arg}")
    assert wrong != student.cells[at].source, f"{lesson.name}: the first exercise has no stub to fill"
    cells.append(v4.new_code_cell(wrong, metadata={"tags": [f"{tag}-wrong"]}))
    check_wrong = student.cells[check].source.replace(f'exercise="{ex1}"', f'exercise="{ex1}-wrong"')
    assert check_wrong != student.cells[check].source, f"{lesson.name}: no check of {ex1} found"
    cells.append(v4.new_code_cell(check_wrong))
    student.cells = cells
    student.metadata["workbench_course"] = {"exercises": [ex1, f"{ex1}-wrong"]}
    path = folder / lesson.name
    nbformat.write(student, path)
    return path, ex1


@pytest.mark.slow
def test_every_later_lesson_grades_its_first_exercise_right_and_wrong(tmp_path, monkeypatch):
    """Lessons 2 onwards (lesson 1 is graded whole above), each in a fresh kernel, cut after its first exercise."""
    monkeypatch.setenv("WB_SMOKE", "1")
    lessons = LESSONS[1:]
    made = [_first_exercise_submission(lesson, tmp_path) for lesson in lessons]
    for (path, ex1), result in zip(made, grade([p for p, _ in made], timeout=180)):
        rows = {r["exercise"]: r for r in result["exercises"]}
        assert result["error"] is None and rows[ex1]["points"] == 1, (path.name, rows[ex1])
        wrong = rows[f"{ex1}-wrong"]
        assert wrong["points"] == 0 and wrong["reason"] and "Traceback" not in wrong["reason"], (path.name, wrong)
        assert "raised" not in wrong["reason"], (path.name, wrong)  # the check answered with a hint
