"""Stepping through aligned maps of a sequence of spaces (training checkpoints, layers, models).

Both take a :class:`~workbench.maps.steps.StepMaps` (``workbench.maps.step_maps``):

* :class:`StepViewer` -- a plotly ``FigureWidget`` and a slider; moving the slider updates
  the figure's one trace in place (positions, colours, hover) -- no new figure per step;
* :func:`steps_figure` -- the same as a static figure: one animation frame per step, a
  slider and a play button, for a self-contained HTML export (``fig.write_html``).

Points are coloured by their neighbourhood change against the first or the previous step
(``StepMaps.against``), on a fixed 0-1 scale, and the axes span every step so that the view
does not jump.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import display
from .figures import require_plotly
from .widgets import require_widgets, table_html

COLOURSCALE = "Viridis"


def _check(sm: Any, texts: Sequence[str] | None) -> list[str] | None:
    from ..maps.steps import StepMaps  # noqa: PLC0415

    if not isinstance(sm, StepMaps):
        raise TypeError(f"expected the StepMaps of workbench.maps.step_maps, got {type(sm).__name__}")
    n = len(sm.coords[0])
    if texts is not None and len(texts) != n:
        raise ValueError(f"texts has {len(texts)} entries but the maps have {n} points; give one per point")
    return None if texts is None else [str(t)[:120] for t in texts]


def _ranges(sm) -> tuple[list[float], list[float]]:
    allc = np.concatenate(sm.coords)
    lo, hi = allc.min(0), allc.max(0)
    pad = 0.05 * (hi - lo + 1e-12)
    return [float(lo[0] - pad[0]), float(hi[0] + pad[0])], [float(lo[1] - pad[1]), float(hi[1] + pad[1])]


def _title(sm, t: int) -> str:
    vs = "the first step" if sm.against == "first" else "the step before"
    return (f"step {sm.steps[t]}: mean neighbourhood change {sm.change[t].mean():.2f} vs {vs} "
            f"(k={sm.k}, {sm.method.upper()} maps)")


def _trace_data(sm, t: int, hover: list[str] | None) -> dict:
    c = sm.coords[t]
    change = sm.change[t]
    text = [f"{h}<br>change {v:.2f}" for h, v in zip(hover, change)] if hover is not None else \
        [f"row {i}<br>change {v:.2f}" for i, v in enumerate(change)]
    return dict(x=c[:, 0].tolist(), y=c[:, 1].tolist(), text=text, marker_color=change.tolist())


def steps_figure(sm: Any, *, texts: Sequence[str] | None = None, size: tuple[int, int] = (720, 560)):
    """A figure with one frame per step, a slider and a play button (2-d maps).

    Examples
    --------
    >>> from workbench.maps import step_maps
    >>> X = np.random.default_rng(0).normal(size=(30, 5))
    >>> fig = steps_figure(step_maps([X, X * 2, X + 1], k=4))
    >>> len(fig.frames), len(fig.layout.sliders[0].steps)
    (3, 3)
    """
    go = require_plotly()
    hover = _check(sm, texts)
    if sm.coords[0].shape[1] != 2:
        raise ValueError(f"steps_figure draws 2-d maps, got {sm.coords[0].shape[1]}-d coordinates")
    xr, yr = _ranges(sm)

    def trace(t):
        d = _trace_data(sm, t, hover)
        return go.Scattergl(x=d["x"], y=d["y"], text=d["text"], mode="markers", hoverinfo="text",
                            customdata=list(range(len(d["x"]))), name=f"step {sm.steps[t]}",
                            marker=dict(color=d["marker_color"], colorscale=COLOURSCALE, cmin=0.0, cmax=1.0, size=6,
                                        colorbar=dict(title="change")))

    frames = [go.Frame(data=[trace(t)], name=str(t), layout=dict(title_text=_title(sm, t))) for t in range(len(sm))]
    redraw = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate", "transition": {"duration": 0}}
    slider = dict(active=0, currentvalue={"prefix": "step "}, pad={"t": 40},
                  steps=[dict(label=str(s), method="animate", args=[[str(t)], redraw]) for t, s in enumerate(sm.steps)])
    play = dict(type="buttons", showactive=False, x=0.0, y=-0.08, xanchor="left", buttons=[
        dict(label="play", method="animate",
             args=[None, {**redraw, "frame": {"duration": 700, "redraw": True}, "fromcurrent": True}]),
        dict(label="pause", method="animate", args=[[None], redraw])])
    fig = go.Figure(data=[trace(0)], frames=frames)
    fig.update_layout(title_text=_title(sm, 0), width=size[0], height=size[1], sliders=[slider], updatemenus=[play],
                      xaxis=dict(range=xr, title=f"{sm.method.upper()} 1"),
                      yaxis=dict(range=yr, title=f"{sm.method.upper()} 2"))
    return fig


class StepViewer:
    """A map of one step at a time, with a slider over the steps; the figure is updated in place.

    Examples
    --------
    >>> from workbench.maps import step_maps
    >>> X = np.random.default_rng(0).normal(size=(30, 5))
    >>> sm = step_maps([X, X[::-1].copy(), X], k=4)
    >>> v = StepViewer(sm)
    >>> v.slider.value = 1
    >>> v.step, bool(np.allclose(v.figure.data[0].x, sm.coords[1][:, 0]))
    (1, True)
    """

    def __init__(self, sm: Any, *, texts: Sequence[str] | None = None, size: tuple[int, int] = (640, 520)):
        widgets, go = require_widgets()
        self.hover = _check(sm, texts)
        if sm.coords[0].shape[1] != 2:
            raise ValueError(f"StepViewer draws 2-d maps, got {sm.coords[0].shape[1]}-d coordinates")
        self.maps, self.step = sm, 0
        xr, yr = _ranges(sm)
        d = _trace_data(sm, 0, self.hover)
        self.figure = go.FigureWidget(data=[go.Scattergl(
            x=d["x"], y=d["y"], text=d["text"], mode="markers", hoverinfo="text",
            marker=dict(color=d["marker_color"], colorscale=COLOURSCALE, cmin=0.0, cmax=1.0, size=6,
                        colorbar=dict(title="change")))])
        self.figure.update_layout(title_text=_title(sm, 0), width=size[0], height=size[1],
                                  xaxis=dict(range=xr, title=f"{sm.method.upper()} 1"),
                                  yaxis=dict(range=yr, title=f"{sm.method.upper()} 2"))
        self.slider = widgets.SelectionSlider(options=[(str(s), t) for t, s in enumerate(sm.steps)], value=0,
                                              description="step", continuous_update=False,
                                              layout=widgets.Layout(width=f"{size[0]}px"))
        self.slider.observe(lambda change: self.show(change["new"]), names="value")
        self.table = widgets.HTML(table_html(sm.summary().set_index("step")))
        self.widget = widgets.VBox([self.slider, widgets.HBox([self.figure, self.table])])

    def show(self, t: int) -> None:
        """Draw step ``t`` (its position in the sequence): positions, colours and hover, in place."""
        if not 0 <= int(t) < len(self.maps):
            raise ValueError(f"step position must be in 0..{len(self.maps) - 1}, got {t}")
        self.step = int(t)
        d = _trace_data(self.maps, self.step, self.hover)
        with self.figure.batch_update():
            trace = self.figure.data[0]
            trace.x, trace.y, trace.text = d["x"], d["y"], d["text"]
            trace.marker.color = d["marker_color"]
            self.figure.layout.title.text = _title(self.maps, self.step)
        if self.slider.value != self.step:
            self.slider.value = self.step

    def _repr_mimebundle_(self, **kwargs):  # the live panel, and a static snapshot for exports
        return display.widget_bundle(self.widget, **kwargs)
