"""Which columns of a pairs table hold the two texts and the score: named, recognised, or refused.

A table is read without being told its columns only when the answer is unambiguous:

1. a header whose names say it (``sentence1``/``sentence2``/``score``, the SICK names
   ``sentence_A``/``sentence_B``/``relatedness_score``, the MRPC names ``#1 String``/
   ``#2 String``/``Quality``, the Quora Question Pairs names ``question1``/``question2``/
   ``is_duplicate``, ...), with any role the names leave open settled by rule 3 on the
   remaining columns;
2. a known layout recognised by the shape of every row: the STS Benchmark distribution
   files (``genre, file, year, id, score, sentence1, sentence2``), SICK without its
   header (``pair_ID, sentence_A, sentence_B, relatedness_score, entailment_judgment``),
   MRPC without its header (``Quality, #1 ID, #2 ID, #1 String, #2 String``) and Quora
   Question Pairs without its header (``id, qid1, qid2, question1, question2,
   is_duplicate``);
3. exactly two text columns and one numeric column.

Anything else raises a ValueError that shows the first row as read, each column's
position, header name and guessed kind, and how to choose (``text1=``, ``text2=``,
``score=``; on the command line ``--text1 --text2 --score``). When a table holds both a
graded score and a 0/1 label, the task decides: ``sts`` takes the graded score,
``pairs`` the label; with no task it is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .reading import Table, as_float, is_nan

__all__ = ["LAYOUTS", "PairColumns", "column_kind", "describe_columns", "resolve_pair_columns"]

ROLES = ("text1", "text2", "score")

# real header names of each role, compared after dropping case, spaces, underscores and brackets
TEXT1_NAMES = ("sentence1", "sentencea", "text1", "texta", "s1", "word1", "#1string", "question1",
               "sent1", "string1")
TEXT2_NAMES = ("sentence2", "sentenceb", "text2", "textb", "s2", "word2", "#2string", "question2",
               "sent2", "string2")
SCORE_NAMES = ("score", "similarity", "similarityscore", "sim", "gold", "goldscore", "relatedness",
               "relatednessscore", "humanmean", "rating", "label", "labels", "isduplicate", "quality",
               "isparaphrase")
ANCHOR_NAMES = ("anchor", "query", "question")

#: layout id (``meta["layout"]``) -> what it means, for summaries
LAYOUTS = {
    "stsb": "STS Benchmark distribution file (genre, file, year, id, score, sentence1, sentence2)",
    "sick": "SICK (pair_ID, sentence_A, sentence_B, relatedness_score, entailment_judgment)",
    "mrpc": "MRPC (Quality, #1 ID, #2 ID, #1 String, #2 String)",
    "qqp": "Quora Question Pairs (id, qid1, qid2, question1, question2, is_duplicate)",
    "stsb-glue": "STS Benchmark, GLUE file (index, genre, filename, year, ..., sentence1, sentence2, score)",
    "header": "columns found by their header names",
    "shape": "two text columns and one numeric column",
    "given": "the columns given",
    "triplets": "(anchor, positive, negative) triplets: 1 for positive, 0 for negative",
}
#: the header lines of the real distributions (normalised), recognised as their layout
KNOWN_HEADERS = {
    ("pairid", "sentencea", "sentenceb"): ("sick", (1.0, 5.0)),
    ("quality", "#1id", "#2id", "#1string", "#2string"): ("mrpc", (0.0, 1.0)),
    ("id", "qid1", "qid2", "question1", "question2", "isduplicate"): ("qqp", (0.0, 1.0)),
    ("index", "genre", "filename", "year", "oldindex", "source1", "source2", "sentence1", "sentence2"):
        ("stsb-glue", (0.0, 5.0)),
}
SICK_JUDGMENTS = {"ENTAILMENT", "NEUTRAL", "CONTRADICTION"}
SAMPLE = 500  # rows inspected to guess a column's kind and recognise a layout


def normalise(name: str) -> str:
    """A header name reduced for matching: lower case, only letters, digits and ``#``.

    Examples
    --------
    >>> normalise("#1 String"), normalise("relatedness_score"), normalise("Human (mean)")
    ('#1string', 'relatednessscore', 'humanmean')
    """
    return re.sub(r"[^a-z0-9#]", "", str(name).lower())


def column_kind(values: list[str]) -> str:
    """A column's kind from its values: ``0/1``, ``integer``, ``graded``, ``text``, ``mixed`` or ``empty``.

    Examples
    --------
    >>> column_kind(["0", "1", "1"]), column_kind(["3.8", "1"]), column_kind(["A cat.", "4"])
    ('0/1', 'graded', 'mixed')
    """
    values = [v for v in values if str(v).strip() and not is_nan(v)]
    if not values:
        return "empty"
    numbers = [as_float(v) for v in values]
    if all(n is None for n in numbers):
        return "text"
    if any(n is None for n in numbers):
        return "mixed"
    if set(numbers) <= {0.0, 1.0}:
        return "0/1"
    if all(n == int(n) for n in numbers) and all(re.fullmatch(r"-?\d+", str(v).strip()) for v in values):
        return "integer"
    return "graded"


NUMERIC = ("0/1", "integer", "graded")


@dataclass
class PairColumns:
    """The columns chosen for each role and why.

    Parameters
    ----------
    text1, text2, score : int
        0-based positions.
    layout : str
        What settled it: a key of ``LAYOUTS``.
    scale : tuple or None
        The score range of a recognised layout (checked with a warning).
    negative : int or None
        Triplet files: the column of negatives (label 0), with ``score`` unused (-1).
    note : str
        Anything the summary should say (e.g. which column the task ruled out).
    """

    text1: int
    text2: int
    score: int
    layout: str
    scale: tuple[float, float] | None = None
    negative: int | None = None
    note: str = ""


def _values(table: Table, j: int) -> list[str]:
    return [fields[j] for _, fields in table.rows[:SAMPLE] if j < len(fields)]


def _width(table: Table) -> int:
    return max(len(fields) for _, fields in table.rows[:SAMPLE])


def describe_columns(table: Table) -> list[dict]:
    """Each column of ``table``: position, header name, guessed kind and first value.

    Examples
    --------
    >>> t = Table("x", [(1, ["A cat.", "A kitten.", "4.5"])])
    >>> [c["kind"] for c in describe_columns(t)]
    ['text', 'text', 'graded']
    """
    first = table.rows[0][1]
    return [{"index": j, "name": table.header[j] if table.header and j < len(table.header) else None,
             "kind": column_kind(_values(table, j)), "first": first[j] if j < len(first) else None}
            for j in range(max(_width(table), len(table.header or [])))]


def ambiguity(table: Table, reason: str) -> ValueError:
    """The error for a table whose columns cannot be told apart: what was seen and how to choose."""
    where = f"header on {table.unit} {table.header_line}" if table.header else "no header"
    line_no, _ = table.rows[0]
    cols = "; ".join(f"[{c['index']}] {('header ' + repr(c['name'])) if c['name'] is not None else 'no name'}, "
                     f"{c['kind']}, value {c['first']!r}" for c in describe_columns(table))
    return ValueError(
        f"{table.source}: {reason} ({table.format}, {where}). First row as read ({table.unit} {line_no}):\n"
        f"  {cols}\n"
        "Choose the columns by 0-based position or header name: text1=, text2=, score= "
        "(on the command line --text1, --text2, --score); `workbench inspect PATH` shows the file as read."
    )


def _position(spec, table: Table, role: str) -> int:
    """A 0-based column position from a position or a header name (CLI digits count as positions)."""
    if isinstance(spec, str) and spec.strip().lstrip("-").isdigit():
        spec = int(spec)
    width = max(_width(table), len(table.header or []))
    if isinstance(spec, int) and not isinstance(spec, bool):
        if not 0 <= spec < width:
            raise ValueError(f"{table.source}: {role}={spec} is out of range; the rows have columns 0..{width - 1}")
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"{role} must be a column position (int) or a header name (str), got {spec!r}")
    if table.header is None:
        raise ValueError(f"{table.source}: {role}={spec!r} names a column but the file has no header; "
                         f"give a 0-based position (0..{width - 1})")
    exact = [j for j, h in enumerate(table.header) if h == spec]
    loose = [j for j, h in enumerate(table.header) if normalise(h) == normalise(spec)]
    found = exact or loose
    if len(found) != 1:
        problem = "no" if not found else "more than one"
        raise ValueError(f"{table.source}: {problem} column {spec!r} for {role}; the columns are {table.header}")
    return found[0]


def _by_shape(table: Table) -> PairColumns | None:
    """A known headerless layout recognised from every sampled row, or None."""
    rows = [fields for _, fields in table.rows[:SAMPLE]]

    def num(v):
        return as_float(v)

    def text(v):
        return bool(v.strip()) and num(v) is None

    def integer(v):
        return re.fullmatch(r"\d+", v) is not None

    if table.delimiter == "\t" and all(
            len(f) >= 7 and re.fullmatch(r"\d{4}\w*", f[2]) and integer(f[3])
            and num(f[4]) is not None and text(f[5]) and text(f[6]) for f in rows):
        return PairColumns(5, 6, 4, "stsb", (0.0, 5.0))
    for judged, scored in ((4, 3), (3, 4)):  # SemEval-2014 files, then the full SICK.txt column order
        if all(len(f) >= 5 and integer(f[0]) and text(f[1]) and text(f[2]) and f[judged].upper() in SICK_JUDGMENTS
               and num(f[scored]) is not None for f in rows):
            return PairColumns(1, 2, scored, "sick", (1.0, 5.0))
    if all(len(f) == 5 and f[0] in ("0", "1") and integer(f[1]) and integer(f[2]) and text(f[3]) and text(f[4])
           for f in rows):
        return PairColumns(3, 4, 0, "mrpc", (0.0, 1.0))
    if all(len(f) == 6 and integer(f[0]) and integer(f[1]) and integer(f[2]) and text(f[3]) and text(f[4])
           and f[5] in ("0", "1") for f in rows):
        return PairColumns(3, 4, 5, "qqp", (0.0, 1.0))
    return None


def _named(table: Table, names: tuple[str, ...], taken: set[int]) -> list[int]:
    return [j for j, h in enumerate(table.header or []) if normalise(h) in names and j not in taken]


def _pick_score(table: Table, candidates: list[int], task: str | None) -> tuple[int, str]:
    """One score column out of several: the task's kind (graded for sts, 0/1 for pairs) decides."""
    kinds = {j: column_kind(_values(table, j)) for j in candidates}
    want = {"sts": ("graded", "integer"), "pairs": ("0/1",)}.get(task or "")
    fits = [j for j in candidates if want and kinds[j] in want]
    if len(fits) != 1 and want == ("graded", "integer"):
        fits = [j for j in candidates if kinds[j] == "graded"]
    if len(fits) == 1:
        others = ", ".join(f"column {j} ({kinds[j]})" for j in candidates if j != fits[0])
        return fits[0], f"{task} uses the {kinds[fits[0]]} column {fits[0]}, not {others}"
    listed = ", ".join(f"{j} {table.header[j]!r} ({kinds[j]})" if table.header else f"{j} ({kinds[j]})"
                       for j in candidates)
    task_hint = "" if task else "; or say the task (sts takes a graded score, pairs a 0/1 label)"
    raise ambiguity(table, f"more than one column could be the score: {listed}{task_hint}")


def resolve_pair_columns(table: Table, *, text1=None, text2=None, score=None,
                         task: str | None = None) -> PairColumns:
    """Decide the text and score columns of ``table`` (module docstring: the rules), or raise.

    Parameters
    ----------
    table : Table
        Rows (and header, if any) as read.
    text1, text2, score : int or str, optional
        Columns the user chose: 0-based positions or header names.
    task : {"sts", "pairs"}, optional
        Settles a table that holds both a graded score and a 0/1 label.

    Returns
    -------
    PairColumns

    Examples
    --------
    >>> t = Table("sick.txt", [(2, ["1", "A boy runs", "A kid runs", "4.5", "ENTAILMENT"])])
    >>> resolve_pair_columns(t).layout
    'sick'
    """
    given = {role: _position(spec, table, role) for role, spec in zip(ROLES, (text1, text2, score))
             if spec is not None}
    if len(given) == 3:
        return PairColumns(given["text1"], given["text2"], given["score"], "given")
    if not given and table.header is None:
        known = _by_shape(table)
        if known is not None:
            return known
    chosen, layout, note = dict(given), "given" if given else "shape", ""
    if table.header is not None:
        taken = set(given.values())
        for role, names in (("text1", TEXT1_NAMES), ("text2", TEXT2_NAMES)):
            if role not in chosen:
                found = _named(table, names, taken)
                if len(found) > 1:
                    raise ambiguity(table, f"more than one column could be {role}: {found}")
                if found:
                    chosen[role] = found[0]
                    taken.add(found[0])
        if "score" not in chosen:
            found = _named(table, SCORE_NAMES, taken)
            if not found and not given:
                triplet = _triplets(table, chosen)
                if triplet is not None:
                    return triplet
            if found:
                chosen["score"], note = found[0], ""
                if len(found) > 1:
                    chosen["score"], note = _pick_score(table, found, task)
        if len(chosen) > len(given):
            layout = "header" if not given else "given"
    missing = [role for role in ROLES if role not in chosen]
    scale = None
    if layout == "header" and not missing:
        names = tuple(normalise(h) for h in table.header or [])
        for start, (known, known_scale) in KNOWN_HEADERS.items():
            if names[:len(start)] == start:
                layout, scale = known, known_scale
    if missing:
        rest = [j for j in range(_width(table)) if j not in chosen.values()]
        kinds = {j: column_kind(_values(table, j)) for j in rest}
        texts = [j for j in rest if kinds[j] == "text"]
        # a column of numbers with a bad value in some row still is the score; the row check names that row
        numbers = [j for j in rest if kinds[j] in NUMERIC] or [j for j in rest if kinds[j] == "mixed"]
        need_texts = [r for r in missing if r != "score"]
        if len(texts) != len(need_texts) or ("score" in missing and len(numbers) != 1):
            if "score" in missing and len(numbers) > 1 and len(texts) == len(need_texts):
                score_col, note = _pick_score(table, numbers, task)
                numbers = [score_col]
            else:
                what = " and ".join(missing)
                which = "the columns the header does not name" if len(rest) < _width(table) else "the columns"
                raise ambiguity(table, f"cannot tell which columns hold {what}: {which} hold "
                                       f"{len(texts)} text and {len(numbers)} numeric column(s), not "
                                       f"{len(need_texts)} and {int('score' in missing)}")
        for role, j in zip(need_texts, texts):
            chosen[role] = j
        if "score" in missing:
            chosen["score"] = numbers[0]
    return PairColumns(chosen["text1"], chosen["text2"], chosen["score"], layout, scale, note=note)


def _triplets(table: Table, chosen: dict) -> PairColumns | None:
    """(anchor or query, positive, negative) columns: labelled pairs, 1 for positive, 0 for negative."""
    positive = _named(table, ("positive", "pos"), set())
    negative = _named(table, ("negative", "neg"), set())
    anchor = [chosen["text1"]] if "text1" in chosen else _named(table, ANCHOR_NAMES, set())
    if len(positive) == 1 and len(negative) == 1 and len(anchor) == 1:
        return PairColumns(anchor[0], positive[0], -1, "triplets", (0.0, 1.0), negative=negative[0])
    if positive and not negative:
        raise ValueError(f"{table.source}: (anchor, positive) pairs with no negative and no score column: "
                         "nothing to score; add a negative column or a score")
    return None
