"""The Compare panel: two configurations of the same points side by side, with linked selection.

Two :class:`~workbench.viz.explorer.Explorer` panels share one data set (the left one's
data menu drives both). Selecting points in either figure (lasso or box) selects the same
rows in the other, so one sees where a cluster of one configuration lands in the other.
Below, a table puts the two configurations' diagnostics side by side with their
difference (right - left), and the mean Jaccard overlap of each point's 10 nearest
neighbours under the two configurations -- over all points and over the selection.
Left out: more than two configurations and aligning the two projections (Procrustes).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import display
from .explorer import Explorer
from .widgets import error_html, require_widgets, table_html

OVERLAP_K = 10
WIDTH = 1480  # the whole panel fits a 1,500-px window
GAP = 20  # between the two sides


def neighbour_overlap(ids_a: np.ndarray, ids_b: np.ndarray) -> np.ndarray:
    """Per-row Jaccard overlap of two neighbour-index arrays of shape ``(n, k)``.

    Examples
    --------
    >>> neighbour_overlap(np.array([[1, 2], [0, 2]]), np.array([[2, 1], [0, 3]])).tolist()
    [1.0, 0.3333333333333333]
    """
    ids_a, ids_b = np.asarray(ids_a), np.asarray(ids_b)
    if ids_a.shape != ids_b.shape or ids_a.ndim != 2:
        raise ValueError(f"neighbour arrays must have the same (n, k) shape, got {ids_a.shape} and {ids_b.shape}")
    out = np.empty(len(ids_a))
    for i, (a, b) in enumerate(zip(ids_a, ids_b)):
        sa, sb = set(a.tolist()), set(b.tolist())
        out[i] = len(sa & sb) / len(sa | sb)
    return out


class Compare:
    """Two configurations of one data set, side by side.

    Parameters
    ----------
    data : str or data set container
    left, right : dict
        Explorer settings of each side (``model``, ``pooling``, ``layer``, ``postprocess``,
        ``method``, ``colour_by``); by default MiniLM with mean pooling against its ``[CLS]`` vector.
    **common
        Explorer settings both sides share (``models``, ``max_points``, ``seed``, ...). Each side is
        a compact Explorer (controls wrapping, table below its figure) of width
        ``(WIDTH - GAP) / 2`` by default, so that the panel, colour bars included, fits
        ``WIDTH`` pixels; a larger ``size`` is refused.

    Examples
    --------
    >>> cmp = Compare("pang-lee-polarity", left=dict(model="glove-50d"),
    ...               right=dict(model="glove-50d", pooling="max"), models=["glove-50d"], max_points=60)
    >>> cmp.select([0, 1, 2])
    >>> cmp.right.selected, list(cmp.frame.columns)
    ([0, 1, 2], ['left', 'right', 'difference'])
    """

    def __init__(self, data: Any = "mini-newsgroups", *, left: dict | None = None, right: dict | None = None,
                 **common: Any):
        widgets, _ = require_widgets()
        common.setdefault("max_points", 1000)
        side = (WIDTH - GAP) // 2
        common.setdefault("size", (side, 460))
        if common["size"][0] > side:
            raise ValueError(f"size {tuple(common['size'])}: each side of Compare is at most {side} px wide "
                             f"(the panel fits {WIDTH} px); give a smaller width")
        left = {"model": "minilm", **(left or {})}
        right = {"model": "minilm", "pooling": "cls", **(right or {})}
        self.table = widgets.HTML()
        self.error = widgets.HTML()
        self.frame: pd.DataFrame | None = None
        self.overlap: dict[str, float] = {}
        self._ready = False
        self.left = Explorer(data, **{**common, **left, "compact": True})
        self.right = Explorer(data, **{**common, **right, "compact": True})
        self.right.controls["data"].layout.display = "none"  # the left menu drives both
        for side in (self.left, self.right):
            side.on_update(lambda _: self.update())
            side.on_select(lambda ex, rows: self.select(rows, source=ex))
        self.left.controls["data"].observe(lambda ch: self.right.set_values(data=ch["new"]), names="value")
        sides = widgets.HBox([self.left.widget, self.right.widget],
                             layout=widgets.Layout(width=f"{WIDTH}px", justify_content="space-between"))
        self.table.layout = widgets.Layout(width=f"{WIDTH}px", overflow="auto")
        self.widget = widgets.VBox([sides, self.error, self.table], layout=widgets.Layout(width=f"{WIDTH}px"))
        self._ready = True
        self.update()

    def select(self, rows: Sequence[int], source: Any = None) -> None:
        """Select ``rows`` in both figures (as a lasso in either one does) and update the table."""
        self.error.value = ""
        try:
            for side in (self.left, self.right):
                side.select(rows)
        except Exception as exc:  # noqa: BLE001
            self.error.value = error_html(exc)
        self.update()

    def update(self) -> None:
        """Recompute the side-by-side diagnostics and the neighbour overlap."""
        if not self._ready:
            return
        self.error.value = ""
        try:
            a, b = self.left, self.right
            if a.vectors is None or b.vectors is None or a.error.value or b.error.value:
                raise ValueError("one side has no vectors (see its message); fix it to compare")
            if len(a.vectors.X) != len(b.vectors.X):
                raise ValueError("the two sides hold different points; choose the same data set")
            names = list(dict.fromkeys([*a.diagnostics, *b.diagnostics]))
            frame = pd.DataFrame({"left": [a.diagnostics.get(m, np.nan) for m in names],
                                  "right": [b.diagnostics.get(m, np.nan) for m in names]}, index=names)
            frame["difference"] = frame.right - frame.left
            frame.index.name = "metric"
            k = min(OVERLAP_K, len(a.vectors.X) - 1)
            per_point = neighbour_overlap(a.vectors.knn(k)[1], b.vectors.knn(k)[1])
            self.overlap = {"all": float(per_point.mean())}
            if a.selected:
                self.overlap["selected"] = float(per_point[a.selected].mean())
            self.frame = frame
            lines = f"mean Jaccard overlap of each point's {k} nearest neighbours: {self.overlap['all']:.3f}"
            if "selected" in self.overlap:
                lines += f" (the {len(a.selected)} selected points: {self.overlap['selected']:.3f})"
            self.table.value = f"<b>left vs right</b><br>{lines}" + table_html(frame, header=["metric", *frame.columns])
        except Exception as exc:  # noqa: BLE001 - shown in the panel
            self.error.value = error_html(exc)

    def _repr_mimebundle_(self, **kwargs):  # the live panel, and a static snapshot for exports
        return display.widget_bundle(self.widget, **kwargs)
