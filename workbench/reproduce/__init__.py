"""Reproductions: each seed paper's central result rerun at laptop scale, beside its published numbers.

- :mod:`.registry`: :class:`Reproduction` entries (one module each under ``entries/``), :class:`Outcome`;
- :mod:`.published`: the papers' numbers as data, each with its source;
- :mod:`.verdicts`: the rules that turn ours and theirs into a verdict.
"""

from .published import COLUMNS, PUBLISHED_DIR, read_published
from .registry import OUTCOME_COLUMNS, VERDICTS, Outcome, Paper, Reproduction, all_entries, available, get
from .verdicts import decide, same_order, same_sign, within

__all__ = [
    "COLUMNS", "OUTCOME_COLUMNS", "PUBLISHED_DIR", "VERDICTS", "Outcome", "Paper", "Reproduction", "available",
    "all_entries", "decide", "get", "read_published", "same_order", "same_sign", "within",
]
