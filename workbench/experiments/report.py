"""Reading a sweep: the best and worst cells, a heatmap with significance marks, sentences.

:func:`best_worst` picks the extreme cells per (model, task, data); :func:`heatmap`
draws one two-way slice of a sweep as a plotly heatmap whose cells carry the score and
a mark for the paired test against the baseline (◆ baseline, ▲ significantly better,
▼ significantly worse); :func:`summarize` composes plain sentences from the numbers,
for a notebook's "what we learned". Left out: multiple-comparison corrections.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import theme

CELL = ("prompt", "attention", "pooling", "layer", "dim")
GROUP = ["model", "task", "data"]


def _mark(row, alpha: float) -> str:
    if row["baseline"]:
        return "◆"
    if np.isfinite(row["p_value"]) and row["p_value"] < alpha:
        return "▲" if row["delta"] > 0 else "▼"
    return ""


def best_worst(df: pd.DataFrame) -> pd.DataFrame:
    """The best and the worst cell of each (model, task, data), with CIs and tests.

    Examples
    --------
    >>> df = pd.DataFrame(dict(model="m", task="sts", data="d", prompt="none", attention="causal",
    ...                        pooling=["mean", "last"], layer=1, dim=8, score=[0.5, 0.2]))
    >>> best_worst(df)[["rank", "pooling"]].values.tolist()
    [['best', 'mean'], ['worst', 'last']]
    >>> tied = df.assign(score=0.625)  # every cell the same: no best and no worst
    >>> best_worst(tied)[["rank", "pooling"]].values.tolist()
    [['all equal', 'mean']]
    """
    out = []
    for _, group in df[np.isfinite(df.score)].groupby(GROUP, sort=False):
        if group.score.max() == group.score.min():
            out.append(group.iloc[[0]].assign(rank="all equal"))
            continue
        out.append(group.loc[[group.score.idxmax()]].assign(rank="best"))
        out.append(group.loc[[group.score.idxmin()]].assign(rank="worst"))
    cols = ["rank", *[c for c in df.columns]]
    return pd.concat(out, ignore_index=True)[cols]


def heatmap(df: pd.DataFrame, x: str = "layer", y: str = "pooling", *, alpha: float | None = None,
            title: str | None = None):
    """A plotly heatmap of the scores over two sweep columns, with significance marks.

    Every other cell column must be fixed (select a slice first). Hovering shows the
    score's interval and the paired test against the sweep's baseline. Needs plotly (the
    ``viz`` extra); :func:`best_worst` and :func:`summarize` do not.

    Examples
    --------
    >>> df = pd.DataFrame(dict(model="m", task="sts", data="d", prompt="none", attention="causal",
    ...                        pooling=["mean", "mean", "cls", "cls"], layer=[0, 1, 0, 1], dim=8, metric="spearman",
    ...                        score=[0.5, 0.6, 0.2, 0.3], ci_low=0.0, ci_high=1.0, delta=[0, 0.1, -0.4, -0.3],
    ...                        p_value=[np.nan, 0.3, 0.001, 0.01], baseline=[False, True, False, False]))
    >>> fig = heatmap(df)
    >>> [list(r) for r in fig.data[0].text]
    [['0.500', '0.600 ◆'], ['0.200 ▼', '0.300 ▼']]
    """
    from ..packages import require  # noqa: PLC0415

    go = require("plotly.graph_objects", "viz", "heatmap")
    for col in (x, y):
        if col not in CELL and col not in df.columns:
            raise ValueError(f"{col!r} is not a column of the sweep; use one of {', '.join(CELL)}")
    varying = [c for c in (*GROUP, *CELL) if c not in (x, y) and c in df and df[c].nunique() > 1]
    if varying:
        raise ValueError(f"the table varies {varying} besides {x!r} and {y!r}; select one slice first, "
                         f"e.g. df[df[{varying[0]!r}] == {df[varying[0]].iloc[0]!r}]")
    alpha = df.attrs.get("alpha", 0.05) if alpha is None else alpha
    xs, ys = list(dict.fromkeys(df[x])), list(dict.fromkeys(df[y]))
    z = np.full((len(ys), len(xs)), np.nan)
    text = [["" for _ in xs] for _ in ys]
    hover = [["" for _ in xs] for _ in ys]
    for _, row in df.iterrows():
        i, j = ys.index(row[y]), xs.index(row[x])
        z[i, j] = row["score"]
        mark = _mark(row, alpha)
        text[i][j] = ("n/a" if not np.isfinite(row["score"]) else f"{row['score']:.3f}") + (f" {mark}" if mark else "")
        test = "baseline" if row["baseline"] else f"Δ {row['delta']:+.3f}, p = {row['p_value']:.3g}"
        hover[i][j] = f"{row['score']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]; {test}"
    # a correlation (spearman) or any signed score goes on the diverging scale centred at 0
    fig = go.Figure(go.Heatmap(z=z, x=[str(v) for v in xs], y=[str(v) for v in ys], text=text,
                               texttemplate="%{text}", customdata=hover,
                               **theme.scale_for(z, str(df["metric"].iloc[0])),
                               hovertemplate="%{customdata}<extra></extra>",
                               colorbar={"title": {"text": str(df["metric"].iloc[0])}}))
    first = df.iloc[0]
    fig.update_layout(title=title or f"{first['model']} · {first['task']} on {first['data']} "
                      f"(◆ baseline, ▲/▼ p < {alpha:g})", xaxis_title=x, yaxis_title=y,
                      xaxis={"type": "category", "showgrid": False}, template=theme.template(),
                      yaxis={"type": "category", "autorange": "reversed", "showgrid": False})
    return fig


def describe_cell(row, varying) -> str:
    parts = []
    for c in varying:
        parts.append(f"layer {row[c]}" if c == "layer" else f"{row[c]}-d" if c == "dim" else
                     f"{c} {row[c]}" if c == "prompt" else f"{row[c]} {'pooling' if c == 'pooling' else c}")
    return ", ".join(parts) or "the only cell"


def _score(row) -> str:
    return f"{row['score']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"


def summarize(df: pd.DataFrame, alpha: float | None = None) -> list[str]:
    """Sentences about a sweep, computed from it: extremes, the baseline, significance, layers.

    Examples
    --------
    >>> df = pd.DataFrame(dict(model="m", task="sts", data="d", prompt="none", attention="causal",
    ...                        pooling=["mean", "cls"], layer=6, dim=8, metric="spearman", score=[0.6, 0.3],
    ...                        ci_low=[0.5, 0.2], ci_high=[0.7, 0.4], delta=[0.0, -0.3], p_value=[np.nan, 0.001],
    ...                        baseline=[True, False]))
    >>> print(summarize(df)[0])  # doctest: +NORMALIZE_WHITESPACE
    m on sts (d): the best cell is mean pooling with spearman 0.600 [0.500, 0.700];
    the worst is cls pooling with 0.300 [0.200, 0.400].
    >>> print(summarize(df.assign(score=0.625))[0])  # doctest: +NORMALIZE_WHITESPACE
    m on sts (d): all 2 cells score spearman 0.625, so there is no best or worst cell
    (too few examples to tell them apart).
    """
    alpha = df.attrs.get("alpha", 0.05) if alpha is None else alpha
    out = []
    for (model, task, data), g in df.groupby(GROUP, sort=False):
        g = g[np.isfinite(g.score)]
        if g.empty:
            continue
        varying = [c for c in CELL if g[c].nunique() > 1]
        best, worst = g.loc[g.score.idxmax()], g.loc[g.score.idxmin()]
        if best["score"] == worst["score"]:
            out.append(f"{model} on {task} ({data}): all {len(g)} cells score {best['metric']} {best['score']:.3f}, "
                       "so there is no best or worst cell (too few examples to tell them apart).")
            continue
        out.append(f"{model} on {task} ({data}): the best cell is {describe_cell(best, varying)} with "
                   f"{best['metric']} {_score(best)}; the worst is {describe_cell(worst, varying)} "
                   f"with {_score(worst)}.")
        base = g[g.baseline]
        tested = g[~g.baseline & g.p_value.notna()]
        if len(base) and len(tested):
            b = base.iloc[0]
            sig = tested[tested.p_value < alpha]
            up, down = int((sig.delta > 0).sum()), int((sig.delta < 0).sum())
            out.append(f"Against the baseline ({describe_cell(b, varying)}, {b['score']:.3f}), {len(sig)} of "
                       f"{len(tested)} other cells differ at p < {alpha:g}: {up} better, {down} worse.")
            if not best["baseline"]:
                verdict = "significantly" if best["p_value"] < alpha else "not significantly"
                out.append(f"The best cell is {verdict} better than the baseline (difference "
                           f"{best['delta']:+.3f} [{best['delta_ci_low']:+.3f}, {best['delta_ci_high']:+.3f}], "
                           f"p = {best['p_value']:.3g}).")
            else:
                out.append("No cell scores above the baseline.")
        if "layer" in varying:
            top = int(g.layer.max())
            sub = g[(g.pooling == best["pooling"]) & (g.prompt == best["prompt"]) & (g.attention == best["attention"])
                    & (g.dim == best["dim"])]
            peak = sub.loc[sub.score.idxmax()]
            where = "the last layer" if peak["layer"] == top else f"layer {peak['layer']} of {top}, not the last"
            out.append(f"With {best['pooling']} pooling the peak is at {where}.")
        if "pooling" in varying:
            means = g.groupby("pooling").score.mean().sort_values(ascending=False)
            out.append(f"Averaged over the other settings, {means.index[0]} pooling leads ({means.iloc[0]:.3f}) "
                       f"and {means.index[-1]} trails ({means.iloc[-1]:.3f}).")
    return out
