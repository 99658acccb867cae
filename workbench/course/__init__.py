"""Course tools: exercise checks that teach, student and instructor editions, grading.

* :mod:`.checks` -- :func:`check_function`, :func:`check_number`, :func:`check_text`:
  a pass line or a hint, never a traceback; results go to a per-kernel ledger; in strict
  mode (``WB_COURSE_STRICT``, for test runs) a check that does not pass raises :class:`CheckFailed`;
* :mod:`.compare` -- comparators invariant where the maths is (sign, rotation, ties,
  cluster permutation, float tolerance), a registry by name;
* :mod:`.hints` -- the typical mistakes, a registry name -> (rule, message);
* :mod:`.editions` -- student edition (solutions stubbed, rubrics removed) and
  instructor edition of a lesson notebook;
* :mod:`.grading` -- execute submissions in fresh kernels with a per-cell time limit and
  score each exercise from the ledger.

The lessons themselves are notebooks under ``notebooks/course/``.
"""

from .checks import LEDGER, CheckFailed, CheckResult, check_function, check_number, check_text
from .compare import COMPARATORS
from .hints import HINTS

__all__ = ["COMPARATORS", "CheckFailed", "CheckResult", "HINTS", "LEDGER", "check_function", "check_number",
           "check_text"]
