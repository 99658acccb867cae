"""The tour notebook in a real JupyterLab, driven in headless Chromium.

Starts JupyterLab from this environment on a free localhost port with a random token,
opens a copy of ``notebooks/00_tour.ipynb``, runs every cell (smoke sizes), changes the
Explorer's colour-by control and checks that the plot's data changed in the browser;
saves a screenshot under ``tests/artifacts/``. Needs Debian's ``chromium`` (apt-get
install chromium) and the ``playwright`` package, which drives it without downloading a
browser of its own. The server and its kernels are always stopped.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from labserver import CHROMIUM, headless_chromium, jupyterlab

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium: apt-get install chromium "
                                                          "(CI's .ci/run installs it)")]

PLOT_STATE = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const p = plots[plots.length - 1];
  const data = p && (p._fullData || p.data);  // _fullData holds decoded typed arrays
  if (!data) return null;
  return JSON.stringify(data.map(t => [t.name, t.x ? t.x.length : 0,
                                         t.marker && t.marker.color ? Array.from(t.marker.color).slice(0, 20) : null]));
}"""


@pytest.fixture()
def playwright_browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with headless_chromium(sync_api) as browser:
        yield browser


@pytest.fixture()
def lab(tmp_path):
    """A JupyterLab server on a copy of the tour notebook; yields (url, token)."""
    work = tmp_path / "lab"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_tour.ipynb", work / "00_tour.ipynb")
    with jupyterlab(work, tmp_path, env={"WB_SMOKE": "1"}) as served:
        yield served


def test_tour_explorer_in_jupyterlab(lab, playwright_browser):
    page = playwright_browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        drive_tour(page, *lab)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "tour_failure.png"), full_page=True)  # what the browser showed
        raise


def accept_kernel_dialog(page, seconds: float = 15) -> None:
    """JupyterLab may ask which kernel to start; accept its proposal (the environment's python3)."""
    button = page.locator(".jp-Dialog .jp-mod-accept")
    deadline = time.time() + seconds
    while time.time() < deadline:
        if button.count() and button.first.is_visible():
            button.first.click()
            return
        if page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count():
            page.wait_for_timeout(1000)  # a dialog can still open right after the kernel reports idle
            if not button.count():
                return
        page.wait_for_timeout(500)


STARTED = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
  .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""


def run_all_cells(page, attempts: int = 3) -> None:
    """Run > Run All Cells, again if no cell starts (a click can land before the kernel is wired up)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(attempts):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(STARTED, timeout=60_000)
            return
        except PlaywrightTimeout:  # nothing started: open the menu again
            page.keyboard.press("Escape")
    raise AssertionError(f"no cell started running after {attempts} clicks on Run All Cells")


def drive_tour(page, url: str, token: str) -> None:
    page.set_default_timeout(60_000)
    page.goto(f"{url}/lab/tree/00_tour.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    accept_kernel_dialog(page)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    run_all_cells(page)

    colour_by = page.locator(".widget-dropdown", has_text="colour by").locator("select")
    colour_by.wait_for(state="attached", timeout=420_000)  # every cell of the tour runs first (cold cache)
    page.wait_for_function(f"({PLOT_STATE})() !== null && JSON.parse(({PLOT_STATE})()).length > 0",
                           timeout=60_000)
    before_raw = page.evaluate(PLOT_STATE)
    before = json.loads(before_raw)
    assert sorted(t[0] for t in before) == ["alt.atheism", "sci.space"]
    assert sum(t[1] for t in before) == 60  # the smoke-size tour embeds 60 posts

    colour_by.scroll_into_view_if_needed()
    colour_by.select_option("k-occurrence")
    page.wait_for_function(f"({PLOT_STATE})() !== {json.dumps(before_raw)}",
                           timeout=60_000)
    after = json.loads(page.evaluate(PLOT_STATE))
    assert after != before
    assert after[0][0] == "k-occurrence" and after[0][1] == 60 and after[0][2] is not None
    assert all(float(v) >= 0 for v in after[0][2])  # k-occurrence counts drawn as the marker colours

    ARTIFACTS.mkdir(exist_ok=True)
    plot = page.locator(".js-plotly-plot").last
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "tour_explorer.png"))
    assert (ARTIFACTS / "tour_explorer.png").stat().st_size > 20_000


def test_exported_page_renders_offline(tmp_path, playwright_browser):
    from workbench.viz.export import projection_page

    path, _ = projection_page("pang-lee-polarity", tmp_path / "page.html", model="glove-50d", method="pca",
                              max_points=50)
    page = playwright_browser.new_page()
    page.route("http*://**", lambda route: route.abort())  # no network: everything must be in the file
    page.goto(path.as_uri())
    page.wait_for_selector(".js-plotly-plot .scatterlayer, .js-plotly-plot canvas", timeout=30_000)
    state = json.loads(page.evaluate(PLOT_STATE))
    assert sorted(t[0] for t in state) == ["neg", "pos"] and sum(t[1] for t in state) == 50
