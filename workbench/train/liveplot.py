"""A live training chart: loss and held-out metric curves that redraw in place in a notebook.

Outside a notebook it does nothing (terminals get the training loop's progress bar), and
without plotly (the ``viz`` extra) it warns once and stays silent: training never needs it.
Left out: saving the chart; ``TrainResult.history`` holds the numbers.
"""

from __future__ import annotations

import warnings

from .. import progress, theme
from ..packages import MissingExtra, require


class LivePlot:
    """Loss (and metric) curves that redraw in place in a notebook; silent elsewhere."""

    def __init__(self, enabled: bool | None = None, every: int = 5, *, title: str = "training"):
        self.enabled = progress.in_notebook() if enabled is None else bool(enabled)
        self.every, self.handle, self.fig, self.title = every, None, None, title

    def update(self, history: list[dict], evals: list[dict], force: bool = False) -> None:
        if not self.enabled or not history or (not force and history[-1]["step"] % self.every):
            return
        try:
            go = require("plotly.graph_objects", "viz", "the live training chart")
        except MissingExtra as exc:
            warnings.warn(f"{exc}; training goes on without the chart", stacklevel=2)
            self.enabled = False
            return
        from IPython.display import display  # noqa: PLC0415

        fig = go.Figure(layout=dict(title=self.title, xaxis_title="step", yaxis_title="loss", height=320,
                                    template=theme.template(),
                                    legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1)))
        fig.add_scatter(x=[h["step"] for h in history], y=[h["loss"] for h in history], name="loss (left)",
                        line=dict(color=theme.QUALITATIVE[0]))
        if evals:
            fig.add_scatter(x=[e["step"] for e in evals], y=[e["ndcg@10"] for e in evals], name="nDCG@10 (right)",
                            yaxis="y2", mode="lines+markers", line=dict(color=theme.QUALITATIVE[1]))
            # its own round ticks on [0, 1], not synced to the loss axis's grid
            fig.update_layout(yaxis2=dict(title="nDCG@10 (held out)", overlaying="y", side="right", range=[0, 1.0001],
                                          tickmode="linear", tick0=0, dtick=0.2, showgrid=False, zeroline=False))
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
        self.fig = fig
