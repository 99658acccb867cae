"""What moved between two spaces: two aligned maps and the ranked "most moved" table, linked.

:class:`WhatMoved` draws the same items in two spaces (two models, two poolings, before and
after fine-tuning) side by side, aligned (``workbench.maps.aligned_projections``: PCA +
Procrustes, or aligned UMAP), coloured by each item's neighbourhood change computed in the
full spaces (``workbench.maps.neighbourhood_change``). Beside them, the items ranked most
moved first (``workbench.maps.most_moved``) in a list:

* choosing a row (``choose(row)``, or clicking it in the list) rings that item in both maps,
  rings its neighbours in each space, and lists its neighbours before and after, marking
  the ones it kept;
* selecting points on either map (lasso or box; ``filter(rows)`` from code) narrows the
  list to the selected items, still ranked; an empty selection restores the whole ranking.

The callbacks are plain methods, so tests call them and read the traces; nothing needs a
browser.
"""

from __future__ import annotations

import html
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import display
from .widgets import error_html, require_widgets

COLOURSCALE = "Viridis"
LISTED = 50  # rows shown in the list at a time


class WhatMoved:
    """Two aligned maps of the same items and their ranked neighbourhood change, linked.

    Parameters
    ----------
    A, B : array (n, d_a), array (n, d_b)
        The same ``n`` items in two spaces (widths may differ).
    texts, labels : sequence, optional
        One per item; texts show in hover, the list and the neighbour table.
    names : (str, str)
        What the two spaces are called.
    method : {"pca", "umap"}
        How the maps are aligned (``aligned_projections``).
    k : int
        Neighbours per item for the change score (``metric`` as in ``neighbourhood_change``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> A = rng.normal(size=(40, 5)); B = A.copy(); B[7] = rng.normal(size=5) * 4
    >>> wm = WhatMoved(A, B, k=5)
    >>> int(wm.ranking["row"].iloc[0]), wm.table.value
    (7, 7)
    >>> wm.filter([1, 2, 3]); sorted(wm.frame["row"].tolist())
    [1, 2, 3]
    """

    def __init__(self, A: Any, B: Any, *, texts: Sequence[str] | None = None, labels: Sequence | None = None,
                 names: tuple[str, str] = ("A", "B"), method: str = "pca", k: int = 10, seed: int = 0,
                 metric: str = "cosine", size: tuple[int, int] = (460, 420)):
        from ..maps import aligned_projections, knn_ids, most_moved  # noqa: PLC0415

        widgets, go = require_widgets()
        pa, pb, self.disparity = aligned_projections(A, B, method=method, seed=seed)
        self.coords = (pa, pb)
        self.names, self.k = tuple(names), k
        self.texts = None if texts is None else [str(t) for t in texts]
        self.ranking = most_moved(A, B, k, top=None, texts=self.texts, labels=labels, metric=metric, coords=(pa, pb))
        self.change = self.ranking.sort_values("row")["change"].to_numpy()
        self.neighbour_ids = (knn_ids(A, k, metric=metric), knn_ids(B, k, metric=metric))
        self.chosen: int | None = None
        self.filtered: list[int] | None = None
        self.error = widgets.HTML()
        self.neighbours = widgets.HTML()
        self.table = widgets.Select(options=[], rows=14, layout=widgets.Layout(width="430px"))
        self.figures = [self._figure(go, c, name, size) for c, name in zip(self.coords, self.names)]
        for fig in self.figures:
            fig.data[0].on_selection(self._on_selection)
        self._list(self.ranking)
        self.table.observe(lambda change: self._guarded(lambda: self.choose(change["new"])), names="value")
        if len(self.ranking):
            self.choose(int(self.ranking["row"].iloc[0]))
        head = (f"<b>{html.escape(self.names[0])} vs {html.escape(self.names[1])}</b>: mean neighbourhood change "
                f"{self.change.mean():.3f} (k={k}); map disparity {self.disparity:.3f}")
        self.widget = widgets.VBox([widgets.HTML(head), self.error, widgets.HBox(self.figures),
                                    widgets.HBox([widgets.VBox([widgets.HTML("<b>most moved</b>"), self.table]),
                                                  self.neighbours])])

    def _hover(self, i: int) -> str:
        text = f"row {i}" if self.texts is None else html.escape(self.texts[i][:100])
        return f"{text}<br>change {self.change[i]:.2f}"

    def _figure(self, go, coords: np.ndarray, name: str, size: tuple[int, int]):
        n = len(coords)
        base = go.Scattergl(x=coords[:, 0].tolist(), y=coords[:, 1].tolist(), mode="markers", name="items",
                            customdata=list(range(n)), hoverinfo="text", text=[self._hover(i) for i in range(n)],
                            marker=dict(color=self.change.tolist(), colorscale=COLOURSCALE, cmin=0.0, cmax=1.0,
                                        size=6, colorbar=dict(title="change", len=0.6)))
        near = go.Scatter(x=[], y=[], mode="markers", name="its neighbours", hoverinfo="skip",
                          marker=dict(symbol="circle-open", size=11, color="#e45756", line=dict(width=1.5)))
        item = go.Scatter(x=[], y=[], mode="markers", name="chosen item", hoverinfo="skip",
                          marker=dict(symbol="x", size=14, color="black"))
        fig = go.FigureWidget(data=[base, near, item])
        fig.update_layout(title_text=name, width=size[0], height=size[1], dragmode="lasso", showlegend=False,
                          margin=dict(l=30, r=10, t=40, b=30))
        return fig

    def _list(self, frame: pd.DataFrame) -> None:
        def label(r):
            text = "" if self.texts is None else " " + self.texts[int(r.row)][:48]
            return f"{r.change:.2f}  #{int(r.row)}{text}"

        shown = frame.head(LISTED)
        value = self.table.value
        self.table.options = [(label(r), int(r.row)) for r in shown.itertuples(index=False)]
        rows = shown["row"].tolist()
        self.table.value = value if value in rows else (rows[0] if rows else None)

    @property
    def frame(self) -> pd.DataFrame:
        """The ranked rows the list holds now (all of them, or the selected ones), most moved first."""
        if self.filtered is None:
            return self.ranking
        return self.ranking[self.ranking["row"].isin(self.filtered)]

    def highlighted(self) -> dict[str, Any]:
        """What each map rings now: per map, the chosen item's row and its neighbours' rows in that space."""
        out = {}
        for fig, name in zip(self.figures, self.names):
            item, near = fig.data[2], fig.data[1]
            out[name] = {"item": list(item.customdata or ()), "neighbours": list(near.customdata or ())}
        return out

    def choose(self, row: int | None) -> None:
        """Ring item ``row`` in both maps with its neighbours in each space; list them (None clears)."""
        if row is None:
            self.chosen = None
            for fig in self.figures:
                with fig.batch_update():
                    for t in fig.data[1:]:
                        t.x, t.y, t.customdata = [], [], []
            self.neighbours.value = ""
            return
        row = int(row)
        if not 0 <= row < len(self.change):
            raise ValueError(f"row must be in 0..{len(self.change) - 1}, got {row}")
        self.chosen = row
        for fig, coords, ids in zip(self.figures, self.coords, self.neighbour_ids):
            near = ids[row].tolist()
            with fig.batch_update():
                fig.data[1].x, fig.data[1].y = coords[near, 0].tolist(), coords[near, 1].tolist()
                fig.data[1].customdata = near
                fig.data[2].x, fig.data[2].y = [float(coords[row, 0])], [float(coords[row, 1])]
                fig.data[2].customdata = [row]
        self.neighbours.value = self._neighbour_table(row)
        if self.table.value != row and row in [v for _, v in self.table.options]:
            self.table.value = row

    def neighbour_frame(self, row: int) -> pd.DataFrame:
        """Item ``row``'s neighbours in each space, nearest first; ``kept`` marks those in both lists."""
        a, b = (ids[int(row)].tolist() for ids in self.neighbour_ids)
        rank = np.arange(1, self.k + 1)
        frame = pd.DataFrame({"rank": rank, self.names[0]: a, f"kept in {self.names[1]}": [i in b for i in a],
                              self.names[1]: b, f"new in {self.names[1]}": [i not in a for i in b]})
        return frame

    def _neighbour_table(self, row: int) -> str:
        frame = self.neighbour_frame(row)
        a, b = frame[self.names[0]].tolist(), frame[self.names[1]].tolist()

        def cell(i, mark):
            text = f"#{i}" if self.texts is None else f"#{i} {html.escape(self.texts[i][:50])}"
            return f"<td>{'<b>' + text + '</b>' if mark else text}</td>"

        title = f"#{row}" if self.texts is None else f"#{row} {html.escape(self.texts[row][:80])}"
        head = (f"<b>{title}</b>: change {self.change[row]:.2f}; bold = kept in both<br>"
                f"<table class='wb-table'><tr><th>{html.escape(self.names[0])}</th>"
                f"<th>{html.escape(self.names[1])}</th></tr>")
        body = "".join(f"<tr>{cell(x, x in b)}{cell(y, y in a)}</tr>" for x, y in zip(a, b))
        return head + body + "</table>"

    def filter(self, rows: Sequence[int] | None) -> None:
        """Narrow the list to ``rows`` (still ranked); None or empty shows every item again."""
        from ..maps.subset import check_rows  # noqa: PLC0415

        rows = [] if rows is None else check_rows(rows, len(self.change)).tolist()
        self.filtered = sorted(set(rows)) or None
        self._list(self.frame)

    def _on_selection(self, trace, points, selector) -> None:
        """plotly's selection callback on either map's items trace."""
        rows = [int(trace.customdata[i]) for i in points.point_inds] if trace.customdata is not None else []
        self._guarded(lambda: self.filter(rows))

    def _guarded(self, fn) -> None:
        self.error.value = ""
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - shown in the panel
            self.error.value = error_html(exc)

    def _repr_mimebundle_(self, **kwargs):  # the live panel, and a static snapshot for exports
        return display.widget_bundle(self.widget, **kwargs)
