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
