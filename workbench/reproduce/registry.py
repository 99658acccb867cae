"""The registry of reproductions: one entry per paper, found by name.

An entry is a :class:`Reproduction` stored as ``ENTRY`` in a module of
:mod:`workbench.reproduce.entries` named after it (``entries/limit.py`` holds the entry
``limit``). Adding a paper means adding one module; nothing else lists the entries, so
entries never collide. An entry only wires the package's own functions together: it
reruns the central experiment at a size a laptop CPU runs (``run(smoke)``), and puts
our numbers beside the paper's published ones (read from ``data/published/<name>.csv``
by :mod:`.published`) in an :class:`Outcome` with a verdict from :data:`VERDICTS`.

An entry whose capability is not built yet has ``run=None`` and the verdict
``"not yet"``; its ``scale`` field says what is missing.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

__all__ = ["OUTCOME_COLUMNS", "VERDICTS", "Outcome", "Paper", "Reproduction", "all_entries", "available", "get"]

#: the verdicts an entry may give, strongest first
VERDICTS: tuple[str, ...] = ("reproduced", "direction reproduced", "not reproduced", "not comparable", "not yet")

#: the columns of :attr:`Outcome.table`: one row per compared quantity
OUTCOME_COLUMNS: tuple[str, ...] = ("quantity", "setting", "ours", "theirs", "unit", "source")


@dataclass(frozen=True)
class Paper:
    """A paper, as a reader would cite it."""

    title: str    # the title as published
    authors: str  # "First Author et al." or every author for two or three
    year: int     # year of the first arXiv version
    arxiv: str    # arXiv id such as "2508.21038" ("" when the paper is not on arXiv)


@dataclass
class Outcome:
    """What one run of an entry found.

    ``table`` has :data:`OUTCOME_COLUMNS`: for each compared quantity our number, the
    published one (NaN where the paper reports none for our setting) and the published
    number's source (table or figure, row and column). ``verdict`` is one of
    :data:`VERDICTS` and ``reason`` says which rule gave it.
    """

    table: pd.DataFrame
    verdict: str
    reason: str
    figure: Any = None                          # a plotly Figure (or None)
    seeds: tuple[int, ...] = ()                 # every seed the run used
    details: dict = field(default_factory=dict)  # further numbers worth keeping (JSON-serialisable)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {VERDICTS}")
        missing = [c for c in OUTCOME_COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"an Outcome table needs the columns {OUTCOME_COLUMNS}; missing {missing}")


@dataclass(frozen=True)
class Reproduction:
    """One paper's central claim, how we rerun it, and how we judge the rerun."""

    name: str                                   # the entry's name: its module under entries/
    paper: Paper                                # the paper it reproduces
    claim: str                                  # the claim tested, in one sentence
    rule: str                                   # the verdict rule in words (tolerance, ordering, sign)
    scale: str                                  # how our setting differs from the paper's, and what that allows
    run: Callable[[bool], Outcome] | None = None  # run(smoke) -> Outcome, seeded; None: capability not built yet
    published: str | None = None                # stem of data/published/<stem>.csv, None when no number applies
    minutes: float = 0.0                        # expected full-size minutes on a 2-core laptop

    @property
    def built(self) -> bool:
        return self.run is not None


def all_entries() -> dict[str, Reproduction]:
    """Every entry by name, read from the modules of :mod:`workbench.reproduce.entries`.

    Examples
    --------
    >>> all(name == entry.name for name, entry in all_entries().items())
    True
    """
    package = importlib.import_module(f"{__package__}.entries")
    found: dict[str, Reproduction] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        entry = getattr(module, "ENTRY", None)
        if not isinstance(entry, Reproduction):
            raise TypeError(f"{module.__name__} must define ENTRY = Reproduction(...)")
        if entry.name != info.name:
            raise ValueError(f"{module.__name__} holds the entry {entry.name!r}; an entry's module is named after it")
        found[entry.name] = entry
    return found


def available() -> list[str]:
    """The entry names, sorted.

    Examples
    --------
    >>> names = available(); names == sorted(names)
    True
    """
    return sorted(all_entries())


def get(name: str) -> Reproduction:
    """The entry called ``name``; an unknown name lists the known ones.

    Examples
    --------
    >>> get("no-such-paper")
    Traceback (most recent call last):
    ...
    KeyError: "no reproduction called 'no-such-paper'; the entries are: ..."
    """
    found = all_entries()
    if name not in found:
        raise KeyError(f"no reproduction called {name!r}; the entries are: {', '.join(sorted(found))}")
    return found[name]
