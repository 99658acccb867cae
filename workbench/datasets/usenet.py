"""Clean Usenet posts: drop stray mail headers, quoted replies, attribution lines and signatures.

A newsgroup post's body still carries what other people wrote (lines starting with
``>``, ``|>`` or initials such as ``MB>``), the line that introduces the quote
("In article <...> someone writes:"), sometimes a second header block, and a signature
after a ``--`` line or in a ``|``-framed box at the end. For an embedding of what the
author said, and for a neighbour table a reader can scan, those are noise (and the
headers leak the label: they name the newsgroup).

Left out: detecting signatures without a separator or a frame (a last line with an
e-mail address and a quip stays), and rewrapping the text.
"""

from __future__ import annotations

import re

__all__ = ["clean_post"]

#: header names that open a stray header block at the top of a body
HEADERS = ("to", "from", "newsgroups", "subject", "date", "message-id", "organization", "organisation",
           "reply-to", "lines", "path", "sender", "references", "nntp-posting-host", "distribution",
           "keywords", "summary", "article-i.d.", "in-reply-to", "followup-to", "x-newsreader",
           "archive-name", "last-modified", "version")
_HEADER = re.compile(r"^\s*([A-Za-z][\w.-]*):\s")
_QUOTE = re.compile(r"^\s*(?:[>|:}#]|[A-Za-z]{1,4}>)")  # >, |>, :, }, #, and initials such as "MB>"
_ATTRIBUTION = re.compile(r"^\s*In (?:article\b|<)|(?:writes|wrote|says|said)(?: in [^:]*)?:\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*(?:--\s*|-{3,}\s*|={3,}\s*|_{3,}\s*)$")
SIGNATURE_LINES = 12  # a separator this close to the end opens a signature


def _is_header(line: str) -> bool:
    match = _HEADER.match(line)
    return bool(match) and match.group(1).lower() in HEADERS


def clean_post(text: str) -> str:
    """The author's own words of a Usenet post body.

    Drops, in order: a header block at the top (lines such as ``From: ...`` up to the
    first blank line), attribution lines ("In article <...>", "In <...>", "... writes:"), quoted lines
    (starting with ``>``, ``|``, ``:``, ``}``, ``#`` or up to four letters and ``>``), a
    signature (everything after a ``--`` or ruler line among the last twelve lines, and a
    trailing block of ``|``-framed lines), then runs of blank lines. A post that is all
    quotation comes back empty.

    Parameters
    ----------
    text : str
        One post body (the mail headers already cut off, or not).

    Returns
    -------
    str
        The cleaned text, stripped.

    Examples
    --------
    >>> post = ("In article <1993Apr5.1@x.edu>\\nsomeone@x.edu (Some One) writes:\\n> Is the shuttle safe?\\n"
    ...         "\\nSafer than it was in 1986.\\n-- \\nSome One, x.edu")
    >>> clean_post(post)
    'Safer than it was in 1986.'
    """
    if not isinstance(text, str):
        raise TypeError(f"clean_post takes a str, got {type(text).__name__}")
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and _is_header(lines[first]):
        end = next((i for i in range(first, len(lines)) if not lines[i].strip()), len(lines))
        lines = lines[end:]
    # a signature: the last separator line near the end, then a trailing framed box
    seps = [i for i, line in enumerate(lines) if _SEPARATOR.match(line)]
    if seps and len(lines) - seps[-1] <= SIGNATURE_LINES:
        lines = lines[:seps[-1]]
    while lines and not lines[-1].strip():
        lines.pop()
    box = len(lines)
    while box > 0 and lines[box - 1].lstrip().startswith("|"):
        box -= 1
    lines = lines[:box]
    kept = [line.rstrip() for line in lines if not _QUOTE.match(line) and not _ATTRIBUTION.search(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
