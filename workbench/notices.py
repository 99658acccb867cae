"""The package's own warnings: one line per kind per operation, without source lines.

A notebook reader should see what matters ("40 of 200 texts were truncated to 256
tokens") once, not a pink block per batch with the package's ``file:line`` and source
echo. Three pieces:

* :class:`WorkbenchWarning` -- the base of the package's warning classes
  (:class:`TruncationWarning`, :class:`InputWarning`, ``geometry.GeometryWarning``); each
  kind knows how to
  :meth:`~WorkbenchWarning.merge` several of its messages into one line;
* :func:`gathered` -- a context manager around one operation (an encode call, a layer
  sweep, a report): the package's warnings raised inside are held back and re-issued at
  the end, one per kind;
* :func:`install` -- done on ``import workbench``: ``warnings.showwarning`` prints the
  package's warnings as ``Kind: message`` on one line; every other warning is shown as
  before. ``warnings`` filters still apply, so ``warnings.simplefilter("ignore",
  TruncationWarning)`` silences a kind and ``"error"`` turns it into an exception.

Left out: routing through ``logging``.
"""

from __future__ import annotations

import re
import sys
import warnings
from contextlib import contextmanager
from typing import Iterator, Sequence

MAX_LISTED = 3  # distinct messages a merged line lists before "and N more"


class WorkbenchWarning(UserWarning):
    """Base class of the package's warnings, shown as one ``Kind: message`` line."""

    @classmethod
    def merge(cls, messages: Sequence[str]) -> str:
        """One line for several messages of this kind: the distinct ones, in order.

        Examples
        --------
        >>> WorkbenchWarning.merge(["a", "b", "a"])
        'a; b'
        >>> WorkbenchWarning.merge(["m1", "m2", "m3", "m4", "m5"])
        'm1; m2; m3; and 2 more'
        """
        distinct = list(dict.fromkeys(messages))
        head = "; ".join(distinct[:MAX_LISTED])
        return head + (f"; and {len(distinct) - MAX_LISTED} more" if len(distinct) > MAX_LISTED else "")


class InputWarning(WorkbenchWarning):
    """Part of the input was skipped or read one particular way (unknown words, a folded name)."""


_TRUNCATED = re.compile(r"^(\d+) of (\d+) texts were truncated to (\d+) tokens")


class TruncationWarning(WorkbenchWarning):
    """Texts longer than the model reads were cut; the message counts them."""

    @staticmethod
    def message(truncated: int, total: int, max_length: int) -> str:
        """The warning text, e.g. ``"3 of 10 texts were truncated to 256 tokens"``.

        Examples
        --------
        >>> TruncationWarning.message(3, 10, 256)
        '3 of 10 texts were truncated to 256 tokens (max_length); a longer max_length reads more of each'
        """
        return (f"{truncated} of {total} texts were truncated to {max_length} tokens (max_length); "
                "a longer max_length reads more of each")

    @classmethod
    def merge(cls, messages: Sequence[str]) -> str:
        """Sum the counts of messages with the same ``max_length``.

        Examples
        --------
        >>> m = TruncationWarning.message
        >>> TruncationWarning.merge([m(3, 10, 256), m(5, 10, 256)])[:42]
        '8 of 20 texts were truncated to 256 tokens'
        """
        sums: dict[int, list[int]] = {}
        other = []
        for text in messages:
            hit = _TRUNCATED.match(text)
            if hit is None:
                other.append(text)
                continue
            cut, total, length = map(int, hit.groups())
            acc = sums.setdefault(length, [0, 0])
            acc[0] += cut
            acc[1] += total
        parts = [cls.message(cut, total, length) for length, (cut, total) in sums.items()]
        return WorkbenchWarning.merge(parts + other)


@contextmanager
def gathered(stacklevel: int = 3) -> Iterator[None]:
    """Hold back the package's warnings raised inside; re-issue one per kind at the end.

    Other warnings pass through untouched. Nested uses gather into the outermost one.
    ``stacklevel`` points the re-issued warnings at the caller of the function that
    uses this (3: the caller of a function whose body is ``with gathered():``).

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     with gathered():
    ...         for i in range(5):
    ...             warnings.warn(TruncationWarning.message(1, 2, 8), TruncationWarning)
    >>> [str(w.message)[:40] for w in seen]
    ['5 of 10 texts were truncated to 8 tokens']
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            held: dict[type, list[str]] = {}
            passing = []
            for w in caught:
                if issubclass(w.category, WorkbenchWarning):
                    held.setdefault(w.category, []).append(str(w.message))
                else:
                    passing.append(w)
    for w in passing:  # re-issued as they came, so their filters and locations apply as before
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    for category, messages in held.items():
        warnings.warn(category.merge(messages), category, stacklevel=stacklevel)


def _show(message, category, filename, lineno, file=None, line=None) -> None:
    out = sys.stderr if file is None else file
    if out is None:
        return
    try:
        out.write(f"{category.__name__}: {message}\n")
    except OSError:
        pass


def install() -> None:
    """Show the package's warnings as one ``Kind: message`` line; other warnings as before.

    Wraps whatever ``warnings.showwarning`` is current (idempotent).

    Examples
    --------
    >>> install()
    >>> import io
    >>> buf = io.StringIO()
    >>> warnings.showwarning(WorkbenchWarning("one line"), WorkbenchWarning, "x.py", 1, file=buf)
    >>> buf.getvalue()
    'WorkbenchWarning: one line\\n'
    """
    previous = warnings.showwarning
    if getattr(previous, "_workbench", False):
        return

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if isinstance(category, type) and issubclass(category, WorkbenchWarning):
            _show(message, category, filename, lineno, file, line)
        else:
            previous(message, category, filename, lineno, file, line)

    showwarning._workbench = True  # type: ignore[attr-defined]
    warnings.showwarning = showwarning
