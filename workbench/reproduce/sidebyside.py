"""Our numbers beside the published ones: the :attr:`Outcome.table` of an entry, built from rows and a csv.

An entry measures ``(quantity, setting, ours, unit)`` rows; :func:`side_by_side` looks up
each row's published value and source in ``data/published/<name>.csv`` by
``(quantity, setting)`` and returns the table in :data:`~workbench.reproduce.OUTCOME_COLUMNS`.
A row the paper has no number for keeps ``theirs`` NaN and an empty source; a published
number that no row of ours matches is left out (the entry's ``details`` may say why).
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .published import read_published
from .registry import OUTCOME_COLUMNS

__all__ = ["side_by_side"]


def side_by_side(rows: Iterable[Mapping], published: str | None) -> pd.DataFrame:
    """The outcome table: each of our ``rows`` (quantity, setting, ours, unit) with the published value beside it.

    A ``(quantity, setting)`` that the published file lists twice is refused (it could be read two ways).

    Examples
    --------
    >>> t = side_by_side([{"quantity": "x", "setting": "a", "ours": 1.0, "unit": "count"}], None)
    >>> t.columns.tolist(), bool(np.isnan(t["theirs"][0])), t["source"][0]
    (['quantity', 'setting', 'ours', 'theirs', 'unit', 'source'], True, '')
    """
    ours = pd.DataFrame(list(rows), columns=["quantity", "setting", "ours", "unit"])
    if ours.empty:
        raise ValueError("no rows to compare; an entry reports at least one measured quantity")
    ours["theirs"], ours["source"] = np.nan, ""
    if published is not None:
        pub = read_published(published)
        twice = pub.duplicated(["quantity", "setting"], keep=False)
        if twice.any():
            dup = pub.loc[twice, ["quantity", "setting"]].drop_duplicates().values.tolist()
            raise ValueError(f"data/published/{published}.csv lists {dup} more than once; "
                             "give each (quantity, setting) one value")
        index = {(q, s): (v, src) for q, s, v, src in pub[["quantity", "setting", "value", "source"]].values}
        for i, (q, s) in enumerate(ours[["quantity", "setting"]].values):
            if (q, s) in index:
                ours.loc[i, "theirs"], ours.loc[i, "source"] = index[(q, s)]
    ours["ours"] = ours["ours"].astype(float)
    return ours[list(OUTCOME_COLUMNS)]
