"""The Explorer and its siblings: interactive panels built on plotly ``FigureWidget`` and ipywidgets.

* :class:`Explorer` -- pick a data set, model, pooling, layer, post-processing, projection
  and what to colour by; the scatter plot and a small diagnostics table update in place.
* :class:`~workbench.viz.neighbours.Neighbours` -- type a query, see its top-k neighbours.
* :class:`~workbench.viz.compare.Compare` -- two configurations side by side, linked selection.

Every callback is a plain method (``refresh``, ``select``, ``highlight``, ``search``) that
tests call directly or trigger by setting a control's ``value``; nothing needs a browser.
Large maps are drawn by jupyter-scatter instead of plotly (``renderer``; ``bigmap.py``);
selections come back as DataFrames and search / filter fade the rest (``selecting.py``); the
stages before drawing live in ``stages.py``.
Work is split into stages -- data, vectors, post-processing, projection, colour -- and a
change reruns only the stages after the one it touches, so recolouring reuses the vectors
and the projection (``counts`` records how often each stage ran). Vectors come from the
encoder's on-disk cache and projections from the projection cache. An error (bad input,
a post-processor that cannot fit, ...) is shown in the panel as one readable line,
never as a traceback. Left out: streaming sets beyond memory and server-side rendering.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

import numpy as np

from .. import display
from ..options import EncodeOptions
from . import colour as colouring
from .bigmap import THRESHOLD, choose_renderer, fade, map_frame, scatter_map
from .figures import view_figure
from .pipeline import DEFAULT_DATASETS, POSTPROCESS_CHOICES, Points
from .projection import PROJECTIONS
from .selecting import SelectionMixin
from .stages import StagesMixin
from .widgets import error_html, plain_json, require_widgets, table_html

STAGES = ("data", "vectors", "post", "project", "colour")


class Explorer(StagesMixin, SelectionMixin):
    """A projection of a data set's vectors with controls for every choice that shapes it.

    Parameters
    ----------
    data : str or data set container
        A packaged data set name or a ``TextDataset`` / ``RetrievalDataset`` / ``PairDataset``.
    model : str or Encoder
        The model shown first.
    models : sequence of str or Encoder
        The models offered (loaded on first use).
    datasets : sequence of str or containers, optional
        The data sets offered (default: the installed ones of ``DEFAULT_DATASETS``).
    pooling : str, optional
        Default: the model's own.
    layer : int
    postprocess : str
        One of ``POSTPROCESS_CHOICES`` (or any ``+``-joined chain of post-processors).
    method : {"pca", "tsne", "umap"}
    dims : {2, 3}
    colour_by : str
        "label", an attribute column, or a name in ``colour.COMPUTED``.
    max_points : int
        Evenly spaced rows of the data set to draw.
    seed : int
        Projection seed.
    size : (width, height)
        Figure size in pixels.
    options : EncodeOptions or dict, optional
        Encode options kept fixed while the controls change pooling and layer (a
        prompt, ``max_length``, ``precision`` ...).
    renderer : {"auto", "plotly", "jscatter"}
        Who draws the map; "auto": jupyter-scatter above ``threshold`` points, plotly below.
    threshold : int
        The size at which "auto" switches to jupyter-scatter.
    sample : int, optional
        Draw a seeded random sample of this many of the given vectors (``from_vectors``).
    compact : bool
        Keep the panel as wide as the figure: the controls wrap onto more rows and the
        diagnostics table goes below the figure (as in :class:`~workbench.viz.compare.Compare`).

    Examples
    --------
    >>> import workbench as wb
    >>> ex = Explorer("pang-lee-polarity", model="glove-50d", models=["glove-50d"], max_points=40)
    >>> ex.error.value, len(ex.figure.data), sorted(ex.diagnostics)[:2]
    ('', 2, ['IsoScore', 'TwoNN dimension'])
    >>> ex.controls["colour_by"].value = "norm"    # recolours: no new vectors, no new projection
    >>> ex.counts["vectors"], ex.counts["project"], ex.counts["colour"]
    (1, 1, 2)
    """

    def __init__(self, data: Any = "mini-newsgroups", *, model: Any = "minilm",
                 models: Sequence[Any] = ("minilm", "glove-50d"), datasets: Sequence[Any] | None = None,
                 pooling: str | None = None, layer: int = -1, postprocess: str = "normalize", method: str = "pca",
                 dims: int = 2, colour_by: str = "label", max_points: int = 2000, seed: int = 0,
                 size: tuple[int, int] = (720, 520), options: EncodeOptions | dict | None = None,
                 renderer: str = "auto", threshold: int = THRESHOLD, sample: int | None = None, compact: bool = False,
                 _given: dict | None = None):
        widgets, go = require_widgets()
        self.renderer_option, self.threshold, self.sample_size = renderer, threshold, sample
        self.renderer: str | None = None  # the renderer that drew the current map
        self.scatter = None  # the jupyter-scatter Scatter when it draws the map
        self.match: np.ndarray | None = None  # points highlighted by find(); the rest are faded
        self.options = EncodeOptions.from_any(options)  # fixed encode options under the pooling and layer controls
        self.max_points, self.seed, self.size, self._given = max_points, seed, size, _given
        self._encoders: dict[str, Any] = {}
        for m in [model, *models]:
            name = m if isinstance(m, str) else m.name
            if name not in self._encoders or not isinstance(m, str):
                self._encoders[name] = None if isinstance(m, str) else m
        self._datasets: dict[str, Any] = {}
        for d in [data, *(datasets if datasets is not None else self._installed())]:
            self._datasets.setdefault(d if isinstance(d, str) else d.name, d)
        first_model = model if isinstance(model, str) else model.name
        first_data = data if isinstance(data, str) else data.name
        from ..pooling import POOLING_MODES  # noqa: PLC0415

        def dropdown(desc, options, value):
            options = list(options)
            if value not in [o[1] if isinstance(o, tuple) else o for o in options]:
                options.append(value)  # shown, so that the panel can report what is wrong with it
            return widgets.Dropdown(description=desc, options=options, value=value,
                                    layout=widgets.Layout(width="230px"), style={"description_width": "80px"})

        self.controls = {
            "data": dropdown("data", self._datasets, first_data if _given is None else "vectors"),
            "model": dropdown("model", self._encoders, first_model),
            "pooling": dropdown("pooling", POOLING_MODES, pooling or "mean"),
            "layer": dropdown("layer", [("last", -1)], layer),
            "postprocess": dropdown("post-proc.", POSTPROCESS_CHOICES, postprocess),
            "method": dropdown("projection", PROJECTIONS, method),
            "dims": dropdown("dims", [2, 3], dims),
            "colour_by": dropdown("colour by", [colour_by], colour_by),
        }
        self._explicit_pooling = pooling is not None
        self._stage_of = {"data": "data", "model": "vectors", "pooling": "vectors", "layer": "vectors",
                          "postprocess": "post", "method": "project", "dims": "project", "colour_by": "colour"}
        if _given is not None:
            for name in ("data", "model", "pooling", "layer"):
                self.controls[name].disabled = True
        self.figure = go.FigureWidget()
        self._figure_box = widgets.Box([self.figure])
        self.table = widgets.HTML()
        self.error = widgets.HTML()
        self.status = widgets.Label()
        self.selection_panel = widgets.HTML()
        self.search_box = widgets.Text(placeholder="search texts (Enter); empty clears", continuous_update=False,
                                       layout=widgets.Layout(width="360px"))
        self.search_box.observe(lambda change: self._guarded(lambda: self.find(change["new"])), names="value")
        self.progress = widgets.FloatProgress(min=0.0, max=1.0, layout=widgets.Layout(width="200px",
                                                                                       visibility="hidden"))
        c = self.controls
        rows = [[c["data"], c["model"], c["pooling"], c["layer"]], [c["postprocess"], c["method"], c["dims"],
                                                                     c["colour_by"]]]
        side = widgets.VBox([self.table, self.selection_panel])
        if compact:  # as wide as the figure: controls wrap, the table goes below
            width = f"{size[0]}px"
            self.table.layout = widgets.Layout(width=width, overflow="auto")
            self.widget = widgets.VBox([
                widgets.HBox(rows[0] + rows[1], layout=widgets.Layout(flex_flow="row wrap", width=width)),
                widgets.HBox([self.progress, self.status]), self.search_box, self.error,
                widgets.VBox([self._figure_box, side])], layout=widgets.Layout(width=width))
        else:
            self.widget = widgets.VBox([
                widgets.HBox(rows[0]), widgets.HBox(rows[1]),
                widgets.HBox([self.progress, self.status]), self.search_box, self.error,
                widgets.HBox([self._figure_box, side])])
        self.counts = dict.fromkeys([*STAGES, "diagnostics"], 0)
        self.timings: dict[str, float] = {}  # seconds each stage took when it last ran
        self.points: Points | None = None
        self.vectors: colouring.Vectors | None = None
        self.coords: np.ndarray | None = None
        self.transform: Callable | None = None
        self.diagnostics: dict[str, float] = {}
        self.selected: list[int] = []
        self._highlight: tuple[list[int], str] | None = None
        self._colours: dict[str, Any] = {}
        self._by_trace: dict[str, list[int]] = {}
        self._listeners: list[Callable] = []
        self._select_listeners: list[Callable] = []
        self._quiet = False
        for name, w in self.controls.items():
            w.observe(lambda change, name=name: self._on_control(name), names="value")
        self.refresh("data")

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def from_vectors(cls, X: Any, *, labels: Sequence | None = None, texts: Sequence[str] | None = None,
                     attributes: Any = None, **kwargs) -> "Explorer":
        """An Explorer of given vectors (no model: data, model, pooling and layer are fixed).

        Examples
        --------
        >>> ex = Explorer.from_vectors(np.zeros(5))
        >>> "must be a 2-d (n, d) array of row vectors, got shape (5,)" in ex.error.value, len(ex.figure.data)
        (True, 0)
        """
        post = kwargs.pop("postprocess", "none")
        return cls(data="vectors", models=(), datasets=(), model="vectors", postprocess=post,
                   _given=dict(X=X, labels=labels, texts=texts, attributes=attributes), **kwargs)

    @staticmethod
    def _installed() -> list[str]:
        from ..datasets import DATASETS  # noqa: PLC0415

        out = []
        for name in DEFAULT_DATASETS:
            try:
                DATASETS[name].check_installed()
                out.append(name)
            except Exception:  # noqa: BLE001 - a missing data package just hides the set
                continue
        return out

    def encoder(self, name: str | None = None):
        """The encoder of ``name`` (default: the selected model), loaded on first use."""
        name = name or self.controls["model"].value
        if name not in self._encoders:
            raise ValueError(f"unknown model {name!r}; offered: {', '.join(self._encoders)}")
        if self._encoders[name] is None:
            from ..models import load_encoder  # noqa: PLC0415

            self._encoders[name] = load_encoder(name)
        return self._encoders[name]

    # ------------------------------------------------------------------ callbacks
    def _on_control(self, name: str) -> None:
        if not self._quiet:
            self.refresh(self._stage_of[name])

    def on_update(self, callback: Callable[["Explorer"], None]) -> None:
        """Call ``callback(explorer)`` after every refresh (also after a failed one)."""
        self._listeners.append(callback)

    def on_select(self, callback: Callable[["Explorer", list[int]], None]) -> None:
        """Call ``callback(explorer, rows)`` when the user selects points in the figure."""
        self._select_listeners.append(callback)

    def set_values(self, **values: Any) -> None:
        """Set several controls at once and refresh once, from the earliest stage touched."""
        self._quiet = True
        try:
            for name, value in values.items():
                if name not in self.controls:
                    raise ValueError(f"unknown control {name!r}; valid: {', '.join(self.controls)}")
                self.controls[name].value = value
        finally:
            self._quiet = False
        self.refresh(min((self._stage_of[n] for n in values), key=STAGES.index, default="colour"))

    def refresh(self, stage: str = "data") -> None:
        """Recompute from ``stage`` (one of ``STAGES``) on; errors go to the panel."""
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; valid: {', '.join(STAGES)}")
        start = STAGES.index(stage)
        self.error.value = ""
        try:
            steps = [self._load_data, self._embed, self._post, self._project, self._draw]
            for i, step in enumerate(steps[start:], start=start):
                self._progress(i / len(steps), f"{STAGES[i]}...")
                t0 = time.perf_counter()
                step()
                self.timings[STAGES[i]] = time.perf_counter() - t0
                self.counts[STAGES[i]] += 1
            if start <= STAGES.index("post"):
                self._progress(0.95, "diagnostics...")
                t0 = time.perf_counter()
                self._diagnose()
                self.timings["diagnostics"] = time.perf_counter() - t0
            self.status.value = self._summary()
        except Exception as exc:  # noqa: BLE001 - every failure is shown in the panel, not raised
            self.error.value = error_html(exc)
            self.status.value = ""
        finally:
            self.progress.layout.visibility = "hidden"
        for callback in self._listeners:
            callback(self)

    def select(self, rows: Sequence[int] | np.ndarray, *, notify: bool = False, _from_view: bool = False) -> None:
        """Mark ``rows`` (positions, or a boolean mask over the points) as selected in the map
        (others dimmed); empty clears the selection. ``selection`` then holds them as a DataFrame."""
        rows = self.rows_of(rows)
        self.selected = rows
        if self.renderer == "jscatter" and self.scatter is not None:
            if not _from_view:
                self._syncing = True
                try:
                    self.scatter.selection(np.asarray(rows, dtype=np.int64) if rows else None)
                finally:
                    self._syncing = False
        elif self.figure is not None and len(self.figure.data):
            chosen = set(rows)
            with self.figure.batch_update():
                for t in self.figure.data:
                    if t.customdata is not None and t.type == "scattergl":
                        t.selectedpoints = [j for j, i in enumerate(t.customdata)
                                            if int(i) in chosen] if rows else None
        self._guarded(self._report_selection)
        if notify:
            for callback in self._select_listeners:
                callback(self, rows)

    def highlight(self, rows: Sequence[int] | None, name: str = "highlighted") -> None:
        """Draw ``rows`` as rings on top of the projection (None clears); keeps the colours."""
        self._highlight = None if rows is None else ([int(r) for r in rows], name)
        self._guarded(self._draw)

    def _guarded(self, fn: Callable) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001
            self.error.value = error_html(exc)

    def _on_view_selection(self, change) -> None:
        """jupyter-scatter's selection changed in the browser (lasso, click, or cleared)."""
        if getattr(self, "_syncing", False):
            return
        rows = [] if change["new"] is None else np.asarray(change["new"]).astype(np.int64).tolist()
        self._guarded(lambda: self.select(rows, notify=True, _from_view=True))

    def sample(self, n: int | None) -> None:
        """Draw a seeded random sample of ``n`` of the given vectors (None: all of them)."""
        if self._given is None:
            self.max_points = n
            self.refresh("data")
            return
        self.sample_size = n
        self.refresh("data")

    def _on_selection(self, trace, points, selector) -> None:
        """plotly's selection callback: fires once per trace; the union is the selection."""
        ids = [] if trace.customdata is None else [int(trace.customdata[i]) for i in points.point_inds]
        self._by_trace[trace.name] = ids
        rows = sorted({r for part in self._by_trace.values() for r in part})
        self._guarded(lambda: self.select(rows, notify=True))

    def colour_values(self, name: str) -> tuple[Any, str]:
        """Values and kind ("category" / "continuous") of a colour-by choice (memoised per vectors)."""
        if name not in self._colours:
            self._colours[name] = colouring.colour_values(name, self.points, self.vectors)
        return self._colours[name]

    def _draw(self) -> None:
        name = self.controls["colour_by"].value
        values, kind = self.colour_values(name)
        dims = int(self.controls["dims"].value)
        self.renderer = choose_renderer(len(self.points), self.renderer_option if dims == 2 else "plotly",
                                        threshold=self.threshold)
        if self.renderer == "jscatter":
            self._draw_scatter(name, values, kind)
            return
        self.scatter = None
        rows, hname = self._highlight if self._highlight else (None, "highlighted")
        fig = view_figure(self.points, self.coords, values, kind=kind, colour_name=name,
                          method=self.controls["method"].value, highlight=rows, highlight_name=hname,
                          selected=self.selected or None)
        fig.update_layout(width=self.size[0], height=self.size[1])
        if self.match is not None:
            fade(fig, self.match)
        # a new FigureWidget per drawing, its arrays as plain lists: the widget's front end leaves
        # a figure blank when its state holds numpy arrays (binary-encoded), and can drop trace
        # edits sent before a view exists
        _, go = require_widgets()
        self.figure = go.FigureWidget(plain_json(fig.to_plotly_json()))
        self._figure_box.children = (self.figure,)
        for t in self.figure.data:
            t.on_selection(self._on_selection)
        self._by_trace = {}

    def _draw_scatter(self, name: str, values: Any, kind: str) -> None:
        rows = self._highlight[0] if self._highlight else None
        match = self.match
        if rows is not None:  # highlighted rows (a query's neighbours) are drawn as the matches
            match = np.zeros(len(self.points), dtype=bool)
            match[rows] = True
        frame = map_frame(self.coords, values, kind, name, self.points.texts, match)
        self.scatter = scatter_map(frame, name, kind, selected=self.selected, size=self.size,
                                   faded=match is not None)
        self.figure = self.scatter.widget
        self.figure.observe(self._on_view_selection, names="selection")
        method, size, selected = self.controls["method"].value, self.size, self.selected or None

        def snapshot() -> str:  # exports show the same points as a plotly figure (jupyter-scatter needs a kernel)
            fig = view_figure(self.points, self.coords, values, kind=kind, colour_name=name, method=method,
                              highlight=rows, selected=selected)
            fig.update_layout(width=size[0], height=size[1])
            return display.figure_html(fig)

        display.register_snapshot(self.figure, snapshot)
        self._figure_box.children = (self.figure,)

    def _diagnose(self) -> None:
        self.diagnostics = colouring.diagnostics(self.vectors.X, self.points.labels)
        self.table.value = "<b>diagnostics</b>" + table_html(self.diagnostics)
        self.counts["diagnostics"] += 1

    def _summary(self) -> str:
        c = self.controls
        if self._given is not None:
            return f"{len(self.points):,} given vectors, {c['method'].value}"
        return (f"{len(self.points):,} points of {self.points.name}; {c['model'].value}, {c['pooling'].value} "
                f"pooling, layer {c['layer'].value}, {c['postprocess'].value}, {c['method'].value}")

    def _repr_mimebundle_(self, **kwargs):  # the live panel, and a static snapshot for exports
        return display.widget_bundle(self.widget, **kwargs)
