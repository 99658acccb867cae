"""The look every figure of the package shares: one plotly template and its palettes.

The template ``"workbench"`` is white, with dark axis lines, light grid lines and no minor
ticks, so figures stay readable when printed in grey. Its palettes:

* ``QUALITATIVE`` -- categories (labels, configurations): the Okabe-Ito colours, which
  colour-blind readers tell apart, without their yellow (unreadable on white);
* ``SEQUENTIAL`` -- magnitudes (counts, norms, scores): Viridis, light for high values;
* ``DIVERGING`` -- signed values centred at zero (correlations, differences): blue below
  zero, white at zero, red above; always drawn with the midpoint pinned at 0;
* ``ordinal(n)`` -- ``n`` ordered colours (ratings, sizes) from the sequential scale, dark
  to light, without its palest end.

Figure functions call :func:`template` for their ``template=`` argument; importing
:mod:`workbench.viz` also makes it plotly's default, so ``plotly.express`` charts in a
notebook match. The module depends on nothing but plotly (imported when used), so every
part of the package that draws can use it. Left out: dark mode.
"""

from __future__ import annotations

NAME = "workbench"

# Okabe & Ito (2008), "Color Universal Design", the eight-colour set less its yellow (#F0E442)
QUALITATIVE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999")
SEQUENTIAL = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58",
              "#b5de2b", "#fde725")  # Viridis
DIVERGING = ("#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582",
             "#d6604d", "#b2182b", "#67001f")  # RdBu reversed: negative blue, zero white, positive red
INK = "#222222"  # text and axis lines
GRID = "#e5e5e5"


def colourscale(colours) -> list[list]:
    """A plotly colour scale (``[[position, colour], ...]``) spreading ``colours`` evenly.

    Examples
    --------
    >>> colourscale(["#000000", "#ffffff"])
    [[0.0, '#000000'], [1.0, '#ffffff']]
    """
    colours = list(colours)
    if len(colours) < 2:
        raise ValueError(f"a colour scale needs at least 2 colours, got {len(colours)}")
    return [[i / (len(colours) - 1), c] for i, c in enumerate(colours)]


def ordinal(n: int) -> list[str]:
    """``n`` ordered colours for ordinal values (lowest first), sampled from the sequential scale.

    The palest fifth of Viridis is left out so that every colour shows on white.

    Examples
    --------
    >>> ordinal(2)
    ['#440154', '#6fce57']
    >>> len(set(ordinal(5)))
    5
    """
    if n < 1:
        raise ValueError(f"ordinal needs at least one colour, got n={n}")
    from plotly.colors import sample_colorscale  # noqa: PLC0415

    top = 0.78  # stop before the light yellow end
    points = [top * i / (n - 1) for i in range(n)] if n > 1 else [0.0]
    return [_hex(c) for c in sample_colorscale(colourscale(SEQUENTIAL), points, colortype="rgb")]


def _hex(colour: str) -> str:
    if colour.startswith("#"):
        return colour
    r, g, b = (round(float(v)) for v in colour[colour.index("(") + 1:-1].split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _axis() -> dict:
    return dict(showline=True, linecolor=INK, linewidth=1, mirror=False, ticks="outside", tickcolor=INK,
                showgrid=True, gridcolor=GRID, zeroline=True, zerolinecolor="#bbbbbb", automargin=True,
                minor=dict(ticks="", showgrid=False), title=dict(standoff=8))


def build():
    """The ``plotly.graph_objects.layout.Template`` of the theme (not registered).

    Examples
    --------
    >>> t = build()
    >>> t.layout.plot_bgcolor, t.layout.colorway[0], t.layout.colorscale.diverging[5][1]
    ('white', '#0072B2', '#f7f7f7')
    """
    import plotly.graph_objects as go  # noqa: PLC0415

    axis = _axis()
    layout = dict(
        paper_bgcolor="white", plot_bgcolor="white", colorway=list(QUALITATIVE),
        font=dict(family="Arial, Helvetica, sans-serif", size=13, color=INK),
        title=dict(x=0.02, xanchor="left", font=dict(size=16)),
        colorscale=dict(sequential=colourscale(SEQUENTIAL), sequentialminus=colourscale(SEQUENTIAL),
                        diverging=colourscale(DIVERGING)),
        coloraxis=dict(colorbar=dict(outlinewidth=0, ticks="outside", thickness=14)),
        xaxis=axis, yaxis=axis, hovermode="closest", legend=dict(bgcolor="rgba(255,255,255,0.8)"),
        scene=dict(xaxis=dict(backgroundcolor="white", gridcolor=GRID, showbackground=True),
                   yaxis=dict(backgroundcolor="white", gridcolor=GRID, showbackground=True),
                   zaxis=dict(backgroundcolor="white", gridcolor=GRID, showbackground=True)),
        annotationdefaults=dict(font=dict(size=12, color=INK), showarrow=False),
        shapedefaults=dict(line=dict(color=INK)))
    bar = dict(outlinewidth=0, ticks="outside", thickness=14)
    data = dict(heatmap=[dict(colorscale=colourscale(SEQUENTIAL), colorbar=bar)],
                contour=[dict(colorscale=colourscale(SEQUENTIAL), colorbar=bar)],
                table=[dict(header=dict(fill=dict(color="#f0f0f0"), line=dict(color=GRID)),
                            cells=dict(fill=dict(color="white"), line=dict(color=GRID)))])
    return go.layout.Template(layout=layout, data=data)


def template(default: bool = False) -> str:
    """Register the theme with plotly (once) and return its name, for ``template=``.

    With ``default=True`` it also becomes plotly's default template (what ``plotly.express``
    and bare ``go.Figure`` use).

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> go.Figure(layout=dict(template=template())).layout.template.layout.paper_bgcolor
    'white'
    """
    import plotly.io as pio  # noqa: PLC0415

    if NAME not in pio.templates:
        pio.templates[NAME] = build()
    if default:
        pio.templates.default = NAME
    return NAME


SIGNED_METRICS = ("spearman", "pearson", "kendall", "correlation", "cosine", "difference", "delta", "gain")


def is_signed(values, name: str | None = None) -> bool:
    """Whether ``values`` are signed quantities: some below zero and some above, or ``name`` says
    so (a correlation, a cosine, a difference).

    Examples
    --------
    >>> is_signed([0.2, 0.5]), is_signed([-0.2, 0.5]), is_signed([0.2, 0.5], "spearman")
    (False, True, True)
    """
    import numpy as np  # noqa: PLC0415

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if name is not None and any(word in str(name).lower() for word in SIGNED_METRICS):
        return True
    return bool(len(v)) and bool(v.min() < 0 < v.max())


def scale_for(values, name: str | None = None, *, signed: bool | None = None) -> dict:
    """Colour-scale arguments of a heatmap (``colorscale``, ``zmin``, ``zmid``, ``zmax``) for ``values``.

    Signed values (:func:`is_signed`, or ``signed=True``) get the diverging scale centred at
    zero and symmetric about it, so white means 0 and equal distances from 0 look equally
    strong; other values get the sequential scale over their range.

    Examples
    --------
    >>> s = scale_for([-0.2, 0.6])
    >>> s["zmid"], s["zmin"], s["zmax"], s["colorscale"][0][1]
    (0.0, -0.6, 0.6, '#053061')
    >>> sorted(scale_for([1.0, 3.0]))
    ['colorscale', 'zmax', 'zmin']
    """
    import numpy as np  # noqa: PLC0415

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    signed = is_signed(v, name) if signed is None else signed
    if signed:
        m = float(np.abs(v).max()) if len(v) else 1.0
        m = m if m > 0 else 1.0
        return dict(colorscale=colourscale(DIVERGING), zmin=-m, zmid=0.0, zmax=m)
    lo, hi = (float(v.min()), float(v.max())) if len(v) else (0.0, 1.0)
    return dict(colorscale=colourscale(SEQUENTIAL), zmin=lo, zmax=hi)


def log_ticks(lo: float, hi: float, most: int = 8) -> list[float]:
    """Tick values for a log axis over ``[lo, hi]``, all of them labelled: the sparsest of
    powers of ten, 1-3, 1-2-5 and denser mantissas that gives at least three ticks and at
    most ``most``, so that no minor digits clutter the axis and even a range shorter than
    a decade has labelled ticks.

    Examples
    --------
    >>> log_ticks(30, 400)
    [30.0, 100.0, 300.0]
    >>> log_ticks(3, 200000)
    [10.0, 100.0, 1000.0, 10000.0, 100000.0]
    >>> log_ticks(212, 826)
    [300.0, 400.0, 500.0, 600.0, 800.0]
    """
    import math  # noqa: PLC0415

    if not (lo > 0 and hi >= lo):
        raise ValueError(f"a log axis needs 0 < lo <= hi, got lo={lo}, hi={hi}")
    found: list[list[float]] = []
    for steps in ((1,), (1, 3), (1, 2, 5), (1, 2, 3, 4, 5, 6, 8), (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9)):
        ticks = [round(m * 10.0 ** e, 12) for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1)
                 for m in steps if lo <= m * 10.0 ** e <= hi]
        if 3 <= len(ticks) <= most:
            return ticks
        found.append(ticks)
    fitting = [t for t in found if 2 <= len(t) <= most]
    if fitting:
        return fitting[-1]
    return [float(f"{lo:.2g}"), float(f"{hi:.2g}")]


def tick_text(value: float) -> str:
    """A short label for a tick value: ``100``, ``2k``, ``1M``, ``0.5``.

    Examples
    --------
    >>> [tick_text(v) for v in (0.5, 100.0, 2000.0, 30000.0, 1e6)]
    ['0.5', '100', '2k', '30k', '1M']
    """
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def place_labels(x, y, texts, *, log_x: bool = False, log_y: bool = False, width: int = 700,
                 height: int = 400, font_px: float = 7.0) -> list[str]:
    """A ``textposition`` per point so that point labels do not overlap each other or the points.

    Greedy: points are taken from left to right and each label goes to the first of eight
    positions around its point whose box (estimated from the text length at ``font_px`` per
    character on a ``width`` x ``height`` plot) clears the labels and points placed so far.
    When none is clear, the position with the least overlap wins.

    Examples
    --------
    >>> pos = place_labels([0, 5, 5.05, 10], [0, 1, 1, 2], ["a", "int4", "int4+rescore", "b"])
    >>> pos[1], pos[2]
    ('top center', 'bottom center')
    """
    import numpy as np  # noqa: PLC0415

    x = np.log10(np.asarray(x, float)) if log_x else np.asarray(x, float)
    y = np.log10(np.asarray(y, float)) if log_y else np.asarray(y, float)
    if not (len(x) == len(y) == len(texts)):
        raise ValueError(f"x, y and texts differ in length: {len(x)}, {len(y)}, {len(texts)}")
    span = lambda v: (np.nanmax(v) - np.nanmin(v)) or 1.0  # noqa: E731
    px_x = (x - np.nanmin(x)) / span(x) * width if len(x) else x
    px_y = (y - np.nanmin(y)) / span(y) * height if len(y) else y
    line = font_px * 2.0
    gap = 6.0
    options = ["top center", "bottom center", "middle right", "middle left", "top right", "top left",
               "bottom right", "bottom left"]
    boxes: list[tuple[float, float, float, float]] = [(px - 4, py - 4, px + 4, py + 4) for px, py in zip(px_x, px_y)]
    out = [""] * len(texts)

    def box(i: int, where: str) -> tuple[float, float, float, float]:
        w = len(str(texts[i])) * font_px
        vert, horiz = where.split()
        cx = {"center": px_x[i] - w / 2, "right": px_x[i] + gap, "left": px_x[i] - gap - w}[horiz]
        cy = {"top": px_y[i] + gap, "middle": px_y[i] - line / 2, "bottom": px_y[i] - gap - line}[vert]
        return cx, cy, cx + w, cy + line

    def overlap(a, b) -> float:
        return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))

    for i in np.argsort(px_x, kind="stable"):
        if not np.isfinite(px_x[i]) or not np.isfinite(px_y[i]):
            out[i] = "top center"
            continue
        costs = []
        for where in options:
            b = box(i, where)
            outside = max(0.0, -b[0]) + max(0.0, b[2] - width)  # labels leaving the plot sideways
            costs.append(sum(overlap(b, o) for j, o in enumerate(boxes) if j != i) + outside * line)
        best = int(np.argmin(costs))
        out[i] = options[best]
        boxes.append(box(i, options[best]))
    return out
