"""The timing and memory helpers the benchmark scripts share (they run as scripts, so this imports as ``timing``)."""

from __future__ import annotations

import os
import re
import resource
import time
from pathlib import Path
from typing import Any, Callable


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``(fn(), seconds)`` of one call, timed with ``time.perf_counter``."""
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def rss_source() -> str:
    """Which peak :class:`PeakRSS` reports here: a per-phase ``VmHWM`` or the process-wide ``ru_maxrss``."""
    return "VmHWM" if os.access("/proc/self/clear_refs", os.W_OK) else "ru_maxrss"


class PeakRSS:
    """The process's peak resident set size (MB) while the ``with`` block ran.

    Resets the kernel's high-water mark on entry and reads ``VmHWM`` on exit. Where
    the reset is not allowed, falls back to ``ru_maxrss`` (the peak since the process
    started) and says so in ``self.source``. ``self.start_mb`` is the resident set as the
    block began, so ``mb - start_mb`` is what the block itself added at its peak.
    """

    def __enter__(self):
        self.start_mb = rss_now_mb()
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.source = "VmHWM"
        except OSError:
            self.source = "ru_maxrss"
        return self

    def __exit__(self, *exc):
        self.mb = _vm_hwm_mb() if self.source == "VmHWM" else ru_maxrss_mb()
        return False


def _vm_hwm_mb() -> float:
    found = re.search(r"^VmHWM:\s+(\d+)\s+kB", Path("/proc/self/status").read_text(), re.M)
    return int(found.group(1)) / 1024 if found else ru_maxrss_mb()


def rss_now_mb() -> float:
    """The process's resident set size now, in MB (nan where ``/proc`` does not say)."""
    found = re.search(r"^VmRSS:\s+(\d+)\s+kB", Path("/proc/self/status").read_text(), re.M)
    return int(found.group(1)) / 1024 if found else float("nan")


def ru_maxrss_mb() -> float:
    """The process's peak resident set size since it started, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
