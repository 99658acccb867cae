"""When pytest runs a lesson (``--nbmake``), its checks run in strict mode: a check that does not pass raises.

Without this a lesson whose committed solution is wrong would only print a hint and still pass. Students never
run this file; the grader starts its kernels with strict mode off.
"""

import os

import pytest

_SAVED = "_wb_course_strict_saved"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    setattr(item, _SAVED, os.environ.get("WB_COURSE_STRICT"))
    os.environ["WB_COURSE_STRICT"] = "1"  # the kernel nbmake starts inherits it


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item):
    saved = getattr(item, _SAVED, None)
    if saved is None:
        os.environ.pop("WB_COURSE_STRICT", None)
    else:
        os.environ["WB_COURSE_STRICT"] = saved
