"""Exercise checks that teach: compare a student's answer with the package, print a hint.

Three checkers, one per kind of exercise:

* :func:`check_function` -- a function the student wrote, run beside a reference (the
  package's own implementation) on fresh random inputs, compared with a comparator of
  :mod:`.compare` (float tolerance, sign, rotation, ties, cluster permutation);
* :func:`check_number` -- a number (or an interval) within a tolerance that fits it;
* :func:`check_text` -- a free-text explanation: answered or not (read against the
  rubric of the instructor edition).

A checker never raises at the student: a missing name, a function that raises, a wrong
type or shape, a wrong value each print one line -- a pass line, or a hint naming the
likely mistake (:mod:`.hints`). Each result is also recorded in ``LEDGER`` (one entry
per exercise id, the latest wins), which the grader reads from the kernel through
:func:`ledger_json`. A checker may be given the student's answer itself or its name as
a string; a name is looked up in the caller's globals, so a deleted or renamed
function gets a hint instead of a ``NameError``.

**Strict mode.** With the switch ``WB_COURSE_STRICT`` on, a check that does not pass
prints its line and then raises :class:`CheckFailed`, so a notebook runner (nbmake, the
test suite) fails on a lesson whose committed solution is wrong. Students never set it,
so they see the hint and no traceback; the lessons' folder turns it on for the notebooks
the test suite runs (``notebooks/course/conftest.py``), and the grader turns it off in
the kernels it starts.

Left out: checking code style or complexity, partial credit within an exercise.
"""

from __future__ import annotations

import copy
import inspect
import json
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..env import env_flag
from .compare import ALLOWING, get_comparator
from .hints import explain

#: the line the grader looks for in a kernel's output: this prefix, then the ledger as JSON
MARKER = "WORKBENCH-COURSE-LEDGER "
_MISSING = object()


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: which exercise, whether it passed, and the line shown."""

    exercise: str
    passed: bool
    message: str
    kind: str

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'NOT YET'} {self.exercise}: {self.message}"

    def _ipython_display_(self) -> None:
        """Shown already: the checker printed the line when it ran."""


class CheckFailed(AssertionError):
    """Raised by a check that did not pass, in strict mode only (``WB_COURSE_STRICT`` on)."""


def strict() -> bool:
    """Whether a check that does not pass raises :class:`CheckFailed` (the switch ``WB_COURSE_STRICT``).

    Examples
    --------
    >>> import os
    >>> os.environ["WB_COURSE_STRICT"] = "1"
    >>> strict()
    True
    >>> check_number(2.0, 1.0, exercise="demo-strict", tol=0.1)
    Traceback (most recent call last):
    ...
    workbench.course.checks.CheckFailed: NOT YET demo-strict: not within 0.1 of the expected value: yours is too high
    >>> del os.environ["WB_COURSE_STRICT"]
    >>> strict()
    False
    """
    return env_flag("WB_COURSE_STRICT")


#: exercise id -> latest result in this process (the kernel a notebook runs in)
LEDGER: dict[str, CheckResult] = {}


def ledger_json() -> str:
    """The ledger as one line: ``MARKER`` followed by a JSON list of results.

    Examples
    --------
    >>> ledger_json().startswith(MARKER)
    True
    """
    return MARKER + json.dumps([asdict(r) for r in LEDGER.values()])


def _record(exercise: str, passed: bool, message: str, kind: str) -> CheckResult:
    result = CheckResult(str(exercise), bool(passed), " ".join(str(message).split()), kind)
    LEDGER[result.exercise] = result
    print(result)
    if not result.passed and strict():
        raise CheckFailed(str(result))
    return result


def _lookup(target: Any, frame: Any) -> Any:
    """``target`` itself, or the value its name has where the checker was called (locals, then globals)."""
    if isinstance(target, str) and target.isidentifier():
        return frame.f_locals.get(target, frame.f_globals.get(target, _MISSING))
    return target


def _missing(name: Any, what: str) -> str:
    return (f"there is no {what} named `{name}` yet: run the cell that defines it, and keep the name "
            "the exercise asks for")


def _raised(exc: BaseException) -> str:
    if isinstance(exc, NotImplementedError):
        return "not written yet: replace the `raise NotImplementedError(...)` line with your solution"
    text = " ".join(str(exc).split())
    return f"your code raised {type(exc).__name__}" + (f": {text}" if text else "")


def _as_array(value: Any) -> np.ndarray | None:
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value)
    except Exception:
        return None
    return arr if arr.dtype != object else None


def _describe(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    arr = _as_array(value) if hasattr(value, "shape") else None
    if arr is not None and arr.ndim:
        return f"an array of shape {arr.shape}"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _structure(got: Any, expected: Any) -> str | None:
    """A hint when ``got`` is not even the right kind of thing (None, type, shape, NaN)."""
    if got is None:
        return "you returned None: did you forget the `return` statement?"
    if isinstance(expected, str):
        return None if isinstance(got, str) else f"expected a word (str), got {_describe(got)}"
    e, g = np.asarray(expected), _as_array(got)
    if g is None or not (np.issubdtype(g.dtype, np.number) or g.dtype == bool):
        return f"expected {'a number' if e.ndim == 0 else f'an array of shape {e.shape}'}, got {_describe(got)}"
    if g.shape != e.shape:
        if g.ndim == 2 and g.T.shape == e.shape:
            return f"expected shape {e.shape}, got {g.shape}: you returned the transpose"
        if g.size == e.size:
            return f"expected shape {e.shape}, got {g.shape}: same values, reshaped? check which axis you reduce"
        return f"expected shape {e.shape}, got {g.shape}"
    if np.issubdtype(g.dtype, np.floating) and not np.isfinite(g).all():
        return "your result contains NaN or inf: a division by zero (an all-zero row, an empty mask)?"
    return None


def _difference(got: Any, expected: Any) -> str:
    g, e = _as_array(got), np.asarray(expected)
    if isinstance(expected, str) or g is None or e.ndim == 0 or not np.issubdtype(e.dtype, np.number):
        return f"got {got!r}, expected something else"
    diff = np.abs(g.astype(np.float64) - e.astype(np.float64))
    at = np.unravel_index(int(np.argmax(diff)), diff.shape)
    where = ", ".join(str(int(i)) for i in at)
    return f"largest difference at [{where}]: got {float(g[at]):.6g}, expected {float(e[at]):.6g}"


def check_function(student_fn: Callable | str, reference_fn: Callable, make_inputs: Callable, *, exercise: str,
                   n_trials: int = 5, compare: str = "close", rtol: float = 1e-5, atol: float = 1e-6,
                   hints: Sequence[str] = ("not_unit", "ascending", "negated", "scaled"),
                   mistakes: Mapping[str, Callable] | None = None, seed: int | None = None) -> CheckResult:
    """Run a student's function beside the reference on fresh random inputs; print a pass line or a hint.

    Parameters
    ----------
    student_fn : callable or str
        The student's function, or its name (looked up in the caller's globals).
    reference_fn : callable
        The package's implementation, called with the same inputs.
    make_inputs : callable
        ``make_inputs(rng) -> tuple of arguments`` (a non-tuple is one argument); each
        function gets its own deep copy, so an in-place change cannot leak.
    exercise : str
        The exercise id recorded in the ledger, e.g. ``"lesson01-ex1"``.
    n_trials : int, default 5
        Random inputs tried; the first disagreement is reported.
    compare : str, default "close"
        A comparator name of :data:`workbench.course.compare.COMPARATORS`.
    rtol, atol : float
        Tolerances handed to the comparator.
    hints : sequence of str
        Rules of :data:`workbench.course.hints.HINTS` to try on a wrong answer.
    mistakes : dict of message -> callable, optional
        Wrong implementations a student is likely to write: when the student's output
        matches one of them, its message is the hint.
    seed : int, optional
        Seed of the input generator (default: fresh inputs each run).

    Returns
    -------
    CheckResult (also recorded in ``LEDGER``)

    Examples
    --------
    >>> def double(x):
    ...     return 2 * x
    >>> inputs = lambda rng: (rng.normal(size=3),)
    >>> _ = check_function(double, lambda x: x * 2, inputs, exercise="demo-1")
    PASS demo-1: matches the reference on 5 random inputs
    >>> _ = check_function(double, lambda x: x * 3, inputs, exercise="demo-1", hints=["scaled"])  # doctest: +ELLIPSIS
    NOT YET demo-1: your result is a constant multiple of the expected one: ...
    >>> _ = check_function("no_such_function", double, inputs, exercise="demo-1")  # doctest: +ELLIPSIS
    NOT YET demo-1: there is no function named `no_such_function` yet: ...
    """
    name = student_fn if isinstance(student_fn, str) else getattr(student_fn, "__name__", "your function")
    fn = _lookup(student_fn, inspect.currentframe().f_back)
    if fn is _MISSING:
        return _record(exercise, False, _missing(name, "function"), "function")
    if not callable(fn):
        return _record(exercise, False, f"`{name}` is {_describe(fn)}, not a function", "function")
    same = get_comparator(compare)
    rng = np.random.default_rng(seed)
    for trial in range(n_trials):
        args = make_inputs(rng)
        args = args if isinstance(args, tuple) else (args,)
        expected = reference_fn(*copy.deepcopy(args))
        if hasattr(expected, "detach"):
            expected = expected.detach().cpu().numpy()
        try:
            got = fn(*copy.deepcopy(args))
        except Exception as exc:
            return _record(exercise, False, _raised(exc), "function")
        problem = _structure(got, expected)
        if problem is None and not same(_as_array(got) if not isinstance(got, str) else got, expected, args,
                                        rtol, atol):
            problem = _mistake(got, expected, args, mistakes, same, rtol, atol) \
                or explain(_as_array(got), expected, args, hints) or (
                    _difference(got, expected) if compare == "close"
                    else f"your result differs from the reference, even allowing for {ALLOWING[compare]}")
        if problem is not None:
            return _record(exercise, False, f"{problem} (random input {trial + 1} of {n_trials})", "function")
    return _record(exercise, True, f"matches the reference on {n_trials} random inputs", "function")


def _mistake(got, expected, args, mistakes, same, rtol, atol) -> str | None:
    for message, wrong in (mistakes or {}).items():
        try:
            if same(_as_array(got), np.asarray(wrong(*copy.deepcopy(args))), args, rtol, atol):
                return message
        except Exception:
            continue
    return None


def check_number(value: Any, expected: Any, *, exercise: str, tol: float | None = None, rtol: float = 0.0,
                 hints: Sequence[str] = ("negated", "percent", "interval_order", "zero_width"),
                 mistakes: Mapping[str, Any] | None = None) -> CheckResult:
    """Check a number (or an interval ``(low, high)``) within a tolerance; print a pass line or a hint.

    Parameters
    ----------
    value : number, pair of numbers, or str
        The student's answer, or the name of the variable that holds it.
    expected : number or pair of numbers
        The answer, usually computed by the package in the check cell.
    exercise : str
    tol : float, optional
        Absolute tolerance (default ``1e-6`` times the magnitude, at least ``1e-9``); fit it
        to the quantity, e.g. the Monte-Carlo error of a bootstrap.
    rtol : float, default 0
        Relative tolerance added to ``tol``.
    hints : sequence of str
        Rules of :data:`workbench.course.hints.HINTS` to try on a wrong answer.
    mistakes : dict of message -> number, optional
        Answers a likely mistake gives: a match within the tolerance shows its message.

    Examples
    --------
    >>> _ = check_number(0.5, 0.5004, exercise="demo-2", tol=1e-3)
    PASS demo-2: 0.5 is within 0.001 of the expected value
    >>> _ = check_number(50.0, 0.5, exercise="demo-2", tol=1e-3)
    NOT YET demo-2: you gave a percentage: give a fraction between 0 and 1
    >>> _ = check_number(0.31, 0.5, exercise="demo-2", tol=1e-3, mistakes={"that is Pearson's r": 0.31})
    NOT YET demo-2: that is Pearson's r
    """
    name = value if isinstance(value, str) else "answer"
    got = _lookup(value, inspect.currentframe().f_back)
    if got is _MISSING:
        return _record(exercise, False, _missing(name, "variable"), "number")
    e = np.asarray(expected, dtype=np.float64)
    tol = float(max(1e-9, 1e-6 * float(np.abs(e).max(initial=0)))) if tol is None else float(tol)
    problem = _structure(got, e)
    if problem is not None:
        return _record(exercise, False, problem, "number")
    g = _as_array(got).astype(np.float64)
    allowed = tol + rtol * np.abs(e)
    if np.all(np.abs(g - e) <= allowed):
        shown = "(" + ", ".join(f"{v:.4g}" for v in g.ravel()) + ")" if g.ndim else f"{float(g):.4g}"
        near = f"within {tol:g} of" if tol > 0 else "exactly"
        return _record(exercise, True, f"{shown} is {near} the expected value", "number")
    for message, wrong in (mistakes or {}).items():
        w = np.asarray(wrong, dtype=np.float64)
        if w.shape == g.shape and np.all(np.abs(g - w) <= allowed):
            return _record(exercise, False, message, "number")
    hint = explain(g, e, (), hints)
    if hint is None:
        direction = "too high" if float(np.mean(g - e)) > 0 else "too low"
        hint = f"not within {tol:g} of the expected value: yours is {direction}"
    return _record(exercise, False, hint, "number")


def check_text(answer: Any, *, exercise: str, min_words: int = 20) -> CheckResult:
    """Check that a free-text explanation is written; its content is read against the rubric.

    Examples
    --------
    >>> _ = check_text("too short", exercise="demo-3", min_words=5)
    NOT YET demo-3: write at least 5 words (you have 2)
    >>> _ = check_text("one two three four five six", exercise="demo-3", min_words=5)
    PASS demo-3: answered in 6 words; it is read against the rubric
    """
    name = answer if isinstance(answer, str) and answer.isidentifier() else "answer"
    text = _lookup(answer, inspect.currentframe().f_back)
    if text is _MISSING:
        return _record(exercise, False, _missing(name, "variable"), "text")
    if not isinstance(text, str):
        return _record(exercise, False, f"expected your explanation as a str, got {_describe(text)}", "text")
    words = len(text.split())
    if words < min_words:
        return _record(exercise, False, f"write at least {min_words} words (you have {words})", "text")
    return _record(exercise, True, f"answered in {words} words; it is read against the rubric", "text")
