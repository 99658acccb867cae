"""Checking texts: an ordered sequence of strings that can be written as UTF-8.

The encoder, BM25 and the static models read texts through :func:`check_texts`, so a
set (whose order changes from process to process, and with it the rows of the vectors)
or a text holding a lone surrogate fails before any model runs, naming the text.
"""

from __future__ import annotations

from typing import Sequence


def check_texts(texts: Sequence[str] | str) -> list[str]:
    """Validate ``texts``: a string or an ordered sequence of strings; returns a list.

    A set is refused (its order, and so the row order of the vectors, changes from
    process to process), and so is a text that cannot be written as UTF-8 (a lone
    surrogate), named by its position.

    Examples
    --------
    >>> check_texts("one text")
    ['one text']
    >>> check_texts({"b", "a"})
    Traceback (most recent call last):
    ...
    TypeError: texts is a set, which has no fixed order (rows would come back shuffled); pass sorted(texts) or a list
    """
    if isinstance(texts, str):
        texts = [texts]
    if isinstance(texts, (set, frozenset)):
        raise TypeError(f"texts is a {type(texts).__name__}, which has no fixed order (rows would come back "
                        "shuffled); pass sorted(texts) or a list")
    if isinstance(texts, (bytes, dict)) or not hasattr(texts, "__iter__"):
        raise TypeError(f"texts must be a list of strings, got {type(texts).__name__}")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__}, not str; every item must be a string")
        try:
            t.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"texts[{i}] = {t[:60]!r} holds {t[exc.start:exc.end]!r} at position {exc.start}, "
                             "which is not a character (a lone surrogate, often from a badly decoded file); "
                             "repair or drop that text") from None
    return texts
