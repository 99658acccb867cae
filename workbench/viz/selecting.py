"""What the Explorer does with chosen points: selections as DataFrames, a report on them, search and filter.

:class:`SelectionMixin` is mixed into :class:`~workbench.viz.explorer.Explorer`:

* ``explorer.selection`` -- the selected rows (lasso or box in either renderer, or
  ``explorer.select(rows_or_mask)``) as a pandas DataFrame: ``row``, ``text``, ``label``
  (when labelled), the attribute columns, the map coordinates, and the per-point
  diagnostics (``norm`` always; ``k-occurrence`` and ``local dimension`` when the map has at
  most ``DIAGNOSE_ALL`` points or they were already computed as colours -- on a million
  points their exact kNN graph takes far longer than a selection should). An empty
  selection is an empty DataFrame with the same columns.
* the selection panel beside the map -- the selection against the whole
  (:func:`workbench.maps.selection_report`: size, IsoScore, TwoNN dimension, hubness), the
  label mix, and the selection's nearest neighbours in the full-dimensional space;
* ``explorer.find(query, semantic=False, **filters)`` -- highlight the points whose text
  contains ``query`` (case-insensitive), or with ``semantic=True`` the ``k`` nearest to the
  query embedded by the same model, pooling, layer and post-processing, and/or whose
  attributes pass ``filters``; the rest are faded, not hidden, so the context stays.
  ``explorer.find()`` clears it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..maps import label_mix, selection_neighbours, selection_report
from ..maps.subset import check_rows
from . import colour as colouring
from .widgets import table_html

DIAGNOSE_ALL = 50_000  # maps up to this size get every per-point diagnostic in ``selection``


class SelectionMixin:
    """Selections, the selection panel, and search / filter for the Explorer."""

    def _diagnostic_columns(self) -> list[str]:
        n = len(self.points)
        return [name for name in colouring.COMPUTED
                if name == "norm" or n <= DIAGNOSE_ALL or name in self._colours]

    def selection_columns(self) -> list[str]:
        """The columns of ``selection`` (the same for an empty selection)."""
        p = self.points
        cols = ["row", "text"] + (["label"] if p is not None and p.labels is not None else [])
        if p is not None and p.attributes is not None:
            cols += [str(c) for c in p.attributes.columns if str(c) not in cols]
        dims = 0 if self.coords is None else self.coords.shape[1]
        cols += ["x", "y", "z"][:dims]
        return cols + (self._diagnostic_columns() if p is not None and self.vectors is not None else [])

    @property
    def selection(self) -> pd.DataFrame:
        """The selected points as a DataFrame (see the module docstring for its columns)."""
        cols = self.selection_columns()
        rows = np.asarray(self.selected, dtype=np.int64)
        if self.points is None:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        p = self.points
        data: dict[str, Any] = {"row": rows, "text": [p.texts[i] for i in rows]}
        if p.labels is not None:
            data["label"] = np.asarray(p.labels)[rows]
        if p.attributes is not None:
            for c in p.attributes.columns:
                if str(c) not in data:
                    data[str(c)] = p.attributes[c].to_numpy()[rows]
        if self.coords is not None:
            for j, axis in enumerate(["x", "y", "z"][: self.coords.shape[1]]):
                data[axis] = self.coords[rows, j]
        if self.vectors is not None:
            for name in self._diagnostic_columns():
                data[name] = np.asarray(self.colour_values(name)[0])[rows]
        return pd.DataFrame(data, columns=cols)

    def _report_selection(self) -> None:
        """Fill the selection panel: the selection against the whole, label mix, full-space neighbours."""
        if self.points is None or self.vectors is None:
            self.selection_panel.value = ""
            return
        if not self.selected:
            self.selection_panel.value = "<i>no selection: lasso or box-select points, or call select(rows)</i>"
            return
        X, rows = self.vectors.X, np.asarray(self.selected)
        report = selection_report(X, rows, whole=self._whole_metrics())
        parts = ["<b>selection</b>", table_html(report[["selection", "whole"]])]
        if self.points.labels is not None:
            mix = label_mix(self.points.labels, rows).head(8).set_index("label")
            parts += ["<b>label mix</b>", table_html(mix)]
        near = selection_neighbours(X, rows, k=5, texts=[t[:60] for t in self.points.texts]
                                    if len(self.points) <= DIAGNOSE_ALL else None)
        if len(near):
            if "text" not in near.columns:
                near["text"] = [self.points.texts[i][:60] for i in near["row"]]
            parts += ["<b>nearest outside it (full space)</b>", table_html(near.set_index("row"))]
        self.selection_panel.value = "".join(parts)

    def _whole_metrics(self) -> pd.Series:
        key = id(self.vectors)
        if getattr(self, "_whole_key", None) != key:
            self._whole = selection_report(self.vectors.X, [])["whole"]
            self._whole_key = key
        return self._whole

    def match_mask(self, query: str = "", *, semantic: bool = False, k: int = 100, encoder: Any = None,
                   **filters: Any) -> np.ndarray | None:
        """The boolean mask ``find`` highlights (None when nothing is asked)."""
        n = len(self.points)
        mask = np.ones(n, dtype=bool)
        asked = False
        if query:
            asked = True
            if semantic:
                mask &= self._semantic_mask(query, k, encoder)
            else:
                q = query.lower()
                mask &= np.fromiter((q in t.lower() for t in self.points.texts), dtype=bool, count=n)
        for column, want in filters.items():
            asked = True
            mask &= self._filter_mask(column, want)
        return mask if asked else None

    def _filter_mask(self, column: str, want: Any) -> np.ndarray:
        p = self.points
        if column == "label" and p.labels is not None:
            values = pd.Series(np.asarray(p.labels))
        elif p.attributes is not None and column in p.attributes.columns:
            values = p.attributes[column].reset_index(drop=True)
        else:
            have = (["label"] if p.labels is not None else []) + \
                ([] if p.attributes is None else [str(c) for c in p.attributes.columns])
            raise ValueError(f"cannot filter by {column!r}; columns: {', '.join(have) or 'none'}")
        if callable(want):
            out = np.asarray(want(values), dtype=bool)
        elif isinstance(want, (list, tuple, set, frozenset)):
            out = values.isin(list(want)).to_numpy()
        else:
            out = (values == want).to_numpy()
        if out.shape != (len(p),):
            raise ValueError(f"the filter on {column!r} must give one True/False per point, got shape {out.shape}")
        return out

    def _semantic_mask(self, query: str, k: int, encoder: Any) -> np.ndarray:
        from .pipeline import embed_points  # noqa: PLC0415

        if encoder is None and self._given is not None:
            raise ValueError("a semantic search of given vectors needs the model that made them: "
                             "find(query, semantic=True, encoder=enc)")
        enc = encoder or self.encoder()
        c = self.controls
        pooling = c["pooling"].value if self._given is None else None
        layer = c["layer"].value if self._given is None else -1
        q = embed_points(enc, [query], self.options, pooling=pooling, layer=layer)
        q = self.transform(q) if self.transform is not None else q
        X = self.vectors.X
        if q.shape[1] != X.shape[1]:
            raise ValueError(f"the query vector has {q.shape[1]} dimensions but the points {X.shape[1]}: "
                             "pass the encoder that made the vectors")
        sims = (X @ q[0]) / (np.linalg.norm(X, axis=1) * np.linalg.norm(q[0]) + 1e-12)
        mask = np.zeros(len(X), dtype=bool)
        mask[np.argsort(-sims)[: min(k, len(X))]] = True
        return mask

    def find(self, query: str = "", *, semantic: bool = False, k: int = 100, encoder: Any = None,
             **filters: Any) -> pd.DataFrame:
        """Highlight the matches of a text query and/or attribute filters, fade the rest; returns the matches.

        ``filters`` map a column (``label`` or an attribute) to a value (equality), a list of
        values (membership) or a function of the column giving True/False per point.
        """
        mask = self.match_mask(query, semantic=semantic, k=k, encoder=encoder, **filters)
        self.match = mask
        self._guarded(self._draw)
        rows = np.flatnonzero(mask) if mask is not None else np.zeros(0, dtype=np.int64)
        saved, self.selected = self.selected, rows.tolist()
        try:
            return self.selection
        finally:
            self.selected = saved

    def rows_of(self, rows_or_mask: Any) -> list[int]:
        """Row positions from positions or a boolean mask over the map's points."""
        n = 0 if self.points is None else len(self.points)
        return check_rows(rows_or_mask, n).tolist()
