"""Every notebook, executed in smoke mode, stays small and exports to an offline HTML page with all its figures.

This is where ``make test`` runs ``notebooks/*.ipynb`` (the lessons under
``notebooks/course/`` still run through nbmake), so each notebook is executed once per
suite: with nbclient, ``WB_SMOKE=1``, the notebook's own kernel and a 300 s cell timeout,
as nbmake would. Each executed notebook must stay under ``SIZE_LIMIT``; its HTML export
must hold a drawn figure for every plotly figure the notebook shows and must load nothing
from the network (checked in the page's text and, with Chromium, by watching its
requests). A screenshot of each page goes to ``tests/artifacts/`` (not committed).
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from labserver import CHROMIUM, headless_chromium

from workbench.viz import notebook_html

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SIZE_LIMIT = 5_000_000  # bytes of an executed notebook (plotly.js travels once, about 2 MB)
CELL_TIMEOUT = 300

DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')]
    .filter(d => d.classList.contains('js-plotly-plot') && d.querySelector('.main-svg')).map(d => d.id)"""


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for all the pages (None without a system Chromium)."""
    if CHROMIUM is None:
        yield None
        return
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with headless_chromium(sync_api) as browser:
        yield browser


def _look(browser, page_file: Path, ids: list[str], shot: Path) -> tuple[list[str], list[str]]:
    """Open the page: the figure ids drawn and every non-local request; saves a full-page screenshot."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        remote: list[str] = []
        page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(("file:", "data:", "blob:"))
                else None)
        page.goto(page_file.as_uri(), wait_until="load")
        if ids:
            page.wait_for_function(f"() => ({DRAWN})().length >= {len(ids)}", timeout=60_000)
        drawn = page.evaluate(DRAWN)
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.close()
    return drawn, remote


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_stays_small_and_exports_every_figure(path, tmp_path, chromium):
    t0 = time.perf_counter()
    nb = notebook_html.execute(path, smoke=True, timeout=CELL_TIMEOUT)
    seconds = time.perf_counter() - t0
    executed = tmp_path / path.name
    nbformat.write(nb, str(executed))
    size = executed.stat().st_size
    assert size < SIZE_LIMIT, f"{path.name}: the executed notebook is {size / 1e6:.1f} MB (limit {SIZE_LIMIT / 1e6} MB)"

    ids = notebook_html.figure_ids(nb)  # raises when a figure has no HTML form
    assert notebook_html.bare_widgets(nb) == [], f"{path.name}: widgets without a static snapshot"
    page = notebook_html.to_html(nb)
    missing = set(ids) - set(notebook_html.page_figure_ids(page))
    assert not missing, f"{path.name}: {len(missing)} of {len(ids)} figures are missing from the page"
    assert notebook_html.network_urls(page) == []
    if ids:
        assert page.count("window.workbenchPlotly = new Response") == 1  # plotly.js once, not per figure
    page_file = tmp_path / f"{path.stem}.html"
    page_file.write_text(page, encoding="utf-8")
    print(f"{path.name}: {len(ids)} figures, executed in {seconds:.0f} s, notebook {size / 1e6:.2f} MB, "
          f"page {len(page.encode()) / 1e6:.2f} MB")
    if chromium is None:
        return
    drawn, remote = _look(chromium, page_file, ids, ARTIFACTS / f"export-{path.stem}.png")
    assert remote == [], f"{path.name}: the page asked the network for {remote[:3]}"
    assert set(ids) <= set(drawn), f"{path.name}: {len(set(ids) - set(drawn))} figures were not drawn"


def test_page_checks_catch_a_lost_figure_and_a_cdn_script():
    nb = nbformat.v4.new_notebook()
    figure = {"application/vnd.plotly.v1+json": {"data": [], "layout": {}}, "text/plain": "Figure()"}
    nb.cells.append(nbformat.v4.new_code_cell("fig", outputs=[nbformat.v4.new_output("display_data", data=figure)]))
    with pytest.raises(ValueError, match="without an HTML form"):
        notebook_html.figure_ids(nb)
    assert notebook_html.network_urls('<link rel="stylesheet" href="//cdn.example.org/a.css">') != []
    assert notebook_html.network_urls('<script type="module">import x from "https://esm.sh/x"</script>') != []


def test_formulas_become_mathml_and_code_keeps_its_dollars():
    pytest.importorskip("latex2mathml")
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("For $n$ vectors, $$\\mathrm{IsoScore} = \\frac{k - 1}{D - 1}$$ "
                                                  "and `cost = $5`."))
    page = notebook_html.to_html(nb)
    body = page[page.index("<main>"):]
    assert body.count("<math") == 2 and "<mfrac>" in body and "cost = $5" in body
    assert "$n$" not in body and notebook_html.network_urls(page) == []
