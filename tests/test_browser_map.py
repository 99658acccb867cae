"""A million-point map in a real JupyterLab (headless Chromium): draw, lasso, read the selection back.

The notebook builds ``Explorer.from_vectors`` on ``WB_MAP_POINTS`` synthetic 16-d vectors
(100,000 in the suite, to keep it short; ``WB_MAP_POINTS=1000000`` runs the million-point
case, about three and a half minutes on a busy two-core machine) in eight clusters; above
the threshold the Explorer draws with jupyter-scatter. The test waits for the WebGL canvas,
picks the lasso tool in the map's toolbar and draws a rectangular lasso over part of the
map, then runs a second cell that reads
``explorer.selection``: it must be a DataFrame with the documented columns, as many rows as
the browser selected, and exactly the points inside the bounding box of its own map
coordinates (a rectangle in screen space is a rectangle in data space, so every point in
that box was inside the lasso; a wrong or shuffled selection fails this). A screenshot goes
to ``tests/artifacts/map_1m.png``. Needs Debian's ``chromium`` and playwright.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from labserver import CHROMIUM, jupyterlab, open_notebook, run_cell, wait_drawn, wait_output, write_notebook

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
N_POINTS = int(os.environ.get("WB_MAP_POINTS", "100000"))

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium: apt-get install chromium"),
              pytest.mark.skipif(importlib.util.find_spec("jscatter") is None,
                                 reason='pip install "jupyter-scatter>=1.0"')]

BUILD = f"""
import time, numpy as np
from sklearn.datasets import make_blobs
from workbench.viz import Explorer
X, y = make_blobs({N_POINTS}, 16, centers=8, random_state=0)
t0 = time.perf_counter()
explorer = Explorer.from_vectors(X.astype(np.float32), labels=y, size=(900, 600), threshold=10_000)
print("BUILT", explorer.renderer, len(explorer.points), round(time.perf_counter() - t0, 1), explorer.error.value)
explorer
"""

READ = """
import json
sel = explorer.selection
xy = explorer.coords
lo, hi = sel[["x", "y"]].min().to_numpy(), sel[["x", "y"]].max().to_numpy()
inside = int(((xy >= lo) & (xy <= hi)).all(1).sum()) if len(sel) else 0
print("RESULT", json.dumps({"n": len(sel), "front": int(len(explorer.figure.selection)), "inside": inside,
                            "columns": list(sel.columns), "type": type(sel).__name__,
                            "panel": "nearest outside it" in explorer.selection_panel.value,
                            "error": explorer.error.value}))
"""

CANVAS = ".jupyter-widgets canvas"


def test_million_points_lasso_to_dataframe(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    root = tmp_path / "lab"
    root.mkdir()
    write_notebook(root / "map.ipynb", [BUILD, READ])
    # the kernel imports the package of this checkout
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p and p != ".")
    env = {"WB_CACHE_DIR": str(tmp_path / "cache"), "WB_SMOKE": "1", "PYTHONPATH": path}
    with jupyterlab(root, tmp_path / "scratch", env) as (url, token), sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--use-gl=swiftshader", "--enable-unsafe-swiftshader"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.set_default_timeout(120_000)
        try:
            open_notebook(page, url, token, "map.ipynb")
            run_cell(page, 0)
            built = wait_output(page, 0, r"BUILT (\w+) (\d+) ([\d.]+) (.*)", 400)
            assert built.group(1) == "jscatter" and int(built.group(2)) == N_POINTS, built.group(0)
            canvas = page.locator(CANVAS).first
            canvas.wait_for(state="visible", timeout=120_000)
            canvas.scroll_into_view_if_needed()
            wait_drawn(page, canvas, 300)  # the points arrived and are on screen
            page.wait_for_timeout(2000)
            box = canvas.bounding_box()
            x0, y0 = box["x"] + 0.35 * box["width"], box["y"] + 0.30 * box["height"]
            x1, y1 = box["x"] + 0.65 * box["width"], box["y"] + 0.60 * box["height"]
            page.mouse.move(x0, y0)  # the toolbar shows while the pointer is over the map
            page.locator('button[title="Activate lasso selection"]').first.click()
            page.mouse.move(x0, y0)
            page.mouse.down()
            # the lasso closes itself; ending away from the start keeps the release from reading as a click
            path, last = [(x1, y0), (x1, y1), (x0, y1), (x0, (y0 + y1) / 2)], (x0, y0)
            for a, b in path:  # small steps with pauses: the lasso records a point every few ms and pixels
                for t in range(1, 11):
                    page.mouse.move(last[0] + (a - last[0]) * t / 10, last[1] + (b - last[1]) * t / 10)
                    page.wait_for_timeout(25)
                last = (a, b)
            page.mouse.up()
            page.wait_for_timeout(3000)  # the selection travels to the kernel
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "map_1m.png"))
            for _ in range(12):  # the selection and its report reach the kernel while it is idle: read until both have
                run_cell(page, 1)
                result = json.loads(wait_output(page, 1, r"RESULT (\{.*\})", 300).group(1))
                if result["n"] and result["panel"]:
                    break
                page.wait_for_timeout(5000)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "map_1m_failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert result["type"] == "DataFrame"
    assert result["columns"][:3] == ["row", "text", "label"] and {"x", "y", "norm"} <= set(result["columns"])
    assert N_POINTS // 100 < result["n"] < N_POINTS and result["n"] == result["front"], result
    assert result["inside"] == result["n"], result  # the selection is exactly a region of the map
    assert result["panel"] and not result["error"], result
