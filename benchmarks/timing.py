"""The one timing helper the benchmark scripts share (they run as scripts, so this imports as ``timing``)."""

from __future__ import annotations

import time
from typing import Any, Callable


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``(fn(), seconds)`` of one call, timed with ``time.perf_counter``."""
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t
