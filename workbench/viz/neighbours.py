"""The Neighbours panel: type a query, see its top-k neighbours and where they sit in the projection.

The query is embedded exactly as the points of the :class:`~workbench.viz.explorer.Explorer`
it is attached to (same model, pooling, layer, and the post-processing fitted on the
points), then searched by inner product (``workbench.search.exact_search``; the cosine
when the vectors are normalised). The neighbours appear in a table and as rings in the
explorer's figure. Left out: placing the query itself in the projection (t-SNE has no
out-of-sample transform) and approximate search.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import display
from .charts import neighbour_frame
from .explorer import Explorer
from .pipeline import embed_points
from .widgets import error_html, require_widgets, table_html


class Neighbours:
    """Nearest neighbours of a typed query among an Explorer's points.

    Parameters
    ----------
    explorer : Explorer, optional
        The panel whose points, vectors and figure are used; built from
        ``explorer_kwargs`` when not given.
    query : str
        Searched right away when not empty.
    k : int
        Neighbours shown.

    Examples
    --------
    >>> nb = Neighbours(data="pang-lee-polarity", model="glove-50d", models=["glove-50d"], max_points=40,
    ...                 query="a funny movie", k=3)
    >>> len(nb.results), nb.explorer.figure.data[-1].name
    (3, 'top 3 for the query')
    """

    def __init__(self, explorer: Explorer | None = None, *, query: str = "", k: int = 10, **explorer_kwargs: Any):
        widgets, _ = require_widgets()
        self.explorer = explorer if explorer is not None else Explorer(**explorer_kwargs)
        self.query = widgets.Text(value=query, placeholder="type a query, then press search", description="query",
                                  continuous_update=False, layout=widgets.Layout(width="420px"))
        self.k = widgets.BoundedIntText(value=k, min=1, max=1000, description="k", layout=widgets.Layout(width="140px"))
        self.button = widgets.Button(description="search", button_style="primary", icon="search")
        self.table = widgets.HTML()
        self.error = widgets.HTML()
        self.results: pd.DataFrame | None = None
        self.button.on_click(lambda _: self.search())
        self.query.observe(lambda change: self.search(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.query, self.k, self.button]), self.error, self.table,
                                    self.explorer.widget])
        if query.strip():
            self.search()

    def search(self, query: str | None = None) -> pd.DataFrame | None:
        """Find the neighbours of ``query`` (default: the text box); errors go to the panel."""
        self.error.value = ""
        try:
            text = self.query.value if query is None else query
            if not text.strip():
                raise ValueError("type a query first")
            k = int(self.k.value)
            ex = self.explorer
            if ex._given is not None:
                raise ValueError("these are given vectors without a model, so a typed query cannot be embedded; "
                                 "open the Explorer on a data set instead")
            if ex.vectors is None or ex.transform is None:
                raise ValueError("the explorer has no vectors yet (see its error message)")
            from ..search import exact_search  # noqa: PLC0415

            c = ex.controls
            raw = embed_points(ex.encoder(), [text], pooling=c["pooling"].value, layer=c["layer"].value)
            scores, ids = exact_search(ex.transform(raw), ex.vectors.X, k=min(k, len(ex.vectors.X)))
            frame = neighbour_frame(scores[0], ids[0], ex.points.texts, ex.points.labels)
            ex.highlight(frame.row.tolist(), name=f"top {k} for the query")
            self.results = frame
            self.table.value = f"<b>top {k} for</b> {text!r}" + table_html(frame.set_index("rank"),
                                                                           header=list(frame.columns))
        except Exception as exc:  # noqa: BLE001 - shown in the panel
            self.error.value = error_html(exc)
            return None
        return self.results

    def _repr_mimebundle_(self, **kwargs):  # the live panel, and a static snapshot for exports
        return display.widget_bundle(self.widget, **kwargs)
