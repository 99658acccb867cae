"""The shared theme and the figure fixes: axis order, tick labels, facet titles, colour-scale
types, distinct titles and the Compare panel's width. Small figures built straight from the
figure functions (no model runs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import theme
from workbench.experiments.pareto import pareto_figure
from workbench.experiments.report import heatmap as sweep_heatmap
from workbench.train.data import TrainPairs
from workbench.train.liveplot import LivePlot
from workbench.train.loop import TrainConfig, run_title
from workbench.viz import charts, polish
from workbench.viz.figures import scatter

px = pytest.importorskip("plotly.express")


def _lightness(colour: str) -> float:
    """Relative luminance (WCAG 2.x definition) of a ``#rrggbb`` colour."""
    lin = [(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
           for c in (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _is_diverging(fig_scale) -> bool:
    return [tuple(c) for c in fig_scale] == [tuple(c) for c in theme.colourscale(theme.DIVERGING)]


def test_every_package_figure_uses_the_white_workbench_template():
    table = pd.DataFrame({"layer": [0, 1], "pooling": ["mean"] * 2, "metric": ["a"] * 2, "value": [1.0, 2.0]})
    figs = [charts.layer_curves(table), charts.layer_pooling_heatmap(table, "a"),
            charts.spectrum_figure(np.random.default_rng(0).normal(size=(50, 4))),
            scatter(np.eye(3)[:, :2], colour=["a", "b", "a"])]
    for fig in figs:
        assert fig.layout.template.layout.plot_bgcolor == "white"
        assert fig.layout.template.layout.paper_bgcolor == "white"
    assert px.line(x=[0, 1], y=[0, 1]).layout.template.layout.colorway[0] == theme.QUALITATIVE[0]  # viz imported


def test_the_isoscore_heatmap_orders_layers_numerically_and_prints_values():
    # layerwise tables can list layer 0 last (as the 06 notebook's did)
    layers = [1, 2, 3, 4, 5, 6, 0]
    table = pd.DataFrame([(lay, p, "isoscore", 0.01 * lay + (0.005 if p == "mean" else 0))
                          for p in ("cls", "mean", "max") for lay in layers],
                         columns=["layer", "pooling", "metric", "value"])
    heat = charts.layer_pooling_heatmap(table, "isoscore").data[0]
    assert list(heat.x) == [str(i) for i in range(7)]
    assert heat.z[0][0] == pytest.approx(0.0) and heat.z[0][6] == pytest.approx(0.06)
    assert heat.texttemplate == "%{text}" and heat.text[1][6] == "0.065"
    table.loc[(table.layer == 0) & (table.pooling == "cls"), "value"] = np.nan  # undefined: said so in the cell
    assert charts.layer_pooling_heatmap(table, "isoscore").data[0].text[0][0] == "n/a"
    assert list(heat.y) == ["cls", "mean", "max"]
    assert heat.zmid is None and heat.colorscale[0][1] == theme.SEQUENTIAL[0]  # a magnitude: sequential


def test_facets_keep_their_y_tick_labels_and_plain_titles():
    df = pd.DataFrame({"layer": [0, 1] * 4, "value": [1, 0.5, 0.2, 0.3, 0.8, 0.4, 0.4, 0.9],
                       "metric": np.repeat(["average_cosine", "token_average_cosine", "self_similarity_adjusted",
                                            "intra_sentence_similarity_adjusted"], 2)})
    fig = polish.tidy_facets(px.line(df, x="layer", y="value", facet_col="metric", facet_col_wrap=2))
    titles = sorted(a.text for a in fig.layout.annotations)
    assert titles == sorted(set(df.metric)) and not any("=" in t for t in titles)
    yaxes = [k for k in fig.layout.to_plotly_json() if k.startswith("yaxis")]
    assert len(yaxes) == 4 and all(fig.layout[k].showticklabels for k in yaxes)
    assert all(fig.layout[k].matches is None for k in yaxes)
    curves = charts.layer_curves(df.assign(pooling="mean"))
    assert sorted(a.text for a in curves.layout.annotations) == sorted(set(df.metric))
    assert all(curves.layout[k].showticklabels for k in curves.layout.to_plotly_json() if k.startswith("yaxis"))


def test_signed_values_get_the_diverging_scale_centred_at_zero():
    rows = [dict(model="minilm", task="sts", data="lee", metric="spearman", pooling=p, layer=lay, score=s,
                 ci_low=s - 0.1, ci_high=s + 0.1, baseline=(p == "mean" and lay == 6), delta=0.0, p_value=1.0)
            for (p, lay, s) in [("mean", 6, 0.45), ("cls", 6, 0.30), ("mean", 0, 0.12), ("cls", 0, -0.05)]]
    corr = sweep_heatmap(pd.DataFrame(rows), x="layer", y="pooling").data[0]
    assert _is_diverging(corr.colorscale) and corr.zmid == 0 and corr.zmin == -corr.zmax
    # a correlation that happens to be positive everywhere is still signed by nature
    positive = sweep_heatmap(pd.DataFrame(rows[:3]), x="layer", y="pooling").data[0]
    assert _is_diverging(positive.colorscale) and positive.zmid == 0
    sim = charts.similarity_heatmap(np.random.default_rng(0).normal(size=(6, 4))).data[0]
    assert _is_diverging(sim.colorscale) and sim.zmid == 0 and (sim.zmin, sim.zmax) == (-1, 1)
    diff = scatter(np.random.default_rng(0).normal(size=(20, 2)), colour=np.linspace(-1, 2, 20),
                   colour_name="difference").data[0].marker
    assert _is_diverging(diff.colorscale) and diff.cmid == 0
    norm = scatter(np.random.default_rng(0).normal(size=(20, 2)), colour=np.linspace(1, 2, 20),
                   colour_name="norm").data[0].marker
    assert norm.cmid is None and norm.colorscale[0][1] == theme.SEQUENTIAL[0]


def test_an_ordinal_rating_is_drawn_in_order_on_an_ordered_palette():
    from workbench.viz.colour import colour_values
    from workbench.viz.pipeline import load_points

    pts = load_points("clothing-reviews", 40)
    values, kind = colour_values("rating", pts)
    assert kind == "ordinal"
    fig = scatter(np.random.default_rng(0).normal(size=(40, 2)), colour=values, kind=kind)
    names = [t.name for t in fig.data]
    assert names == sorted(names, key=float) and len(names) >= 3
    light = [_lightness(t.marker.color) for t in fig.data]
    assert light == sorted(light)  # dark (low rating) to light (high rating)
    assert not set(t.marker.color for t in fig.data) & set(theme.QUALITATIVE)


def test_second_axes_have_their_own_round_ticks():
    spec = charts.spectrum_figure(np.random.default_rng(0).normal(size=(60, 8))).layout.yaxis2
    assert spec.tickmode == "linear" and spec.dtick == 0.2 and spec.showgrid is False and spec.overlaying == "y"
    live = LivePlot(enabled=True, title="minilm on toy")
    live.update([{"step": s, "loss": 1 / s} for s in range(1, 6)], [{"step": 5, "ndcg@10": 0.4}], force=True)
    y2 = live.fig.layout.yaxis2
    assert y2.tickmode == "linear" and y2.showgrid is False and list(y2.range) == [0, 1.0001]


def test_live_charts_are_titled_by_run():
    pairs = TrainPairs("lee-pairs", ["q"] * 4, ["d"] * 4)
    mined = TrainPairs("lee-pairs", ["q"] * 4, ["d"] * 4, negatives=[["n"]] * 4)
    update = TrainPairs("new-task", ["q"] * 4, ["d"] * 4)
    cfg = TrainConfig(steps=40, lr=1e-4)
    runs = [run_title("minilm", pairs, cfg), run_title("minilm", mined, cfg),
            run_title("minilm", pairs, TrainConfig(steps=40, lr=1e-4, matryoshka_dims=(384, 64))),
            run_title("minilm", pairs, TrainConfig(steps=40, lr=1e-4, matryoshka_dims=(384, 64), matryoshka_layers=3)),
            run_title("minilm", update, TrainConfig(steps=10, lr=5e-4))]
    assert len(set(runs)) == 5 and not any(r == "training" for r in runs)
    live = LivePlot(enabled=True, title=runs[1])
    live.update([{"step": 5, "loss": 1.0}], [], force=True)
    assert live.fig.layout.title.text == runs[1]


def test_close_point_labels_do_not_collide_and_log_axes_have_no_minor_digits():
    table = pd.DataFrame({"method": ["float32", "int8", "int4", "int4+rescore", "pca128>int8", "binary",
                                     "binary+rescore", "pq32"],
                          "bytes/vector": [1536, 384, 192, 192, 128, 48, 48, 32],
                          "ndcg@10": [0.578, 0.578, 0.575, 0.578, 0.584, 0.454, 0.568, 0.503],
                          "pareto": [False, False, False, False, True, False, True, True]})
    fig = pareto_figure(table)
    pos = {t: p for tr in fig.data[:2] for t, p in zip(tr.text, tr.textposition)}
    assert pos["int4"] != pos["int4+rescore"]  # same size, nDCG 0.003 apart: one above, one beside or below
    assert list(fig.layout.xaxis.ticktext) == [theme.tick_text(v) for v in fig.layout.xaxis.tickvals]
    assert len(fig.layout.xaxis.tickvals) <= 8
    lab = pd.DataFrame({"index": ["int8", "hnsw", "ivf-flat", "flat", "binary+rescore", "ivf-pq", "binary"],
                        "QPS": [350, 850, 28000, 60000, 24000, 25000, 170000],
                        "recall@10": [1.0, 0.99, 1.0, 1.0, 0.86, 0.85, 0.56], "memory MB": [1, 9, 7, 7, 7, 1, 0.2]})
    fig = px.scatter(lab, x="QPS", y="recall@10", size="memory MB", text="index")
    fig = polish.label_points(polish.log_axis(fig))
    tr = fig.data[0]
    pos = dict(zip(tr.text, tr.textposition))
    assert pos["binary+rescore"] != pos["ivf-pq"] and tr.cliponaxis is False
    lo, hi = fig.layout.xaxis.range
    assert lo < np.log10(lab.QPS.min()) and hi > np.log10(lab.QPS.max())  # no marker on the edge
    assert fig.layout.xaxis.ticktext and fig.layout.xaxis.minor.ticks == ""


def test_reference_levels_are_legend_entries_not_overlapping_annotations():
    fig = px.line(pd.DataFrame({"dim": [32, 64, 32, 64], "r": [0.2, 0.3, 0.1, 0.2], "data": ["a", "a", "b", "b"]}),
                  x="dim", y="r", color="data")
    polish.reference_lines(fig, {"a": 1.0, "b": 1.0}, label="BM25")
    assert not fig.layout.annotations
    refs = [t for t in fig.data if t.name.startswith("BM25")]
    assert [t.name for t in refs] == ["BM25, a", "BM25, b"]
    assert [t.line.color for t in refs] == [t.line.color for t in fig.data[:2]]


def test_the_compare_panel_fits_a_1500px_window_with_its_colour_bar():
    pytest.importorskip("ipywidgets")
    from workbench.viz import compare
    from workbench.viz.widgets import declared_width

    cmp = compare.Compare("pang-lee-polarity", left=dict(model="glove-50d"),
                          right=dict(model="glove-50d", pooling="max", colour_by="norm"), models=["glove-50d"],
                          max_points=40)
    assert cmp.error.value == "" and declared_width(cmp.widget) <= 1500
    side = (compare.WIDTH - compare.GAP) // 2
    for ex in (cmp.left, cmp.right):
        assert declared_width(ex.widget) <= side and ex.figure.layout.width <= side
    assert cmp.right.figure.data[0].marker.showscale  # the colour bar is drawn inside the side's width
    with pytest.raises(ValueError, match="at most 730 px"):
        compare.Compare("pang-lee-polarity", left=dict(model="glove-50d"), right=dict(model="glove-50d"),
                        models=["glove-50d"], max_points=40, size=(900, 400))
