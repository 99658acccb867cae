"""Large maps in a real JupyterLab: jupyter-scatter, embedding-atlas and plotly ``scattergl`` side by side.

For each renderer and size (``--sizes``, default 100,000 and 1,000,000 points), a fresh
notebook (so a fresh kernel) builds the widget over the same synthetic 2-d map (eight
Gaussian clusters, a label and a short text per point) and displays it in headless
Chromium (software WebGL, SwiftShader). Measured:

* **build s**: kernel-side time to construct the widget;
* **first render s**: from pressing Shift+Enter to the first screenshot of the cell's
  output with at least 2,000 coloured pixels (the points are on screen);
* **kernel MB**: peak resident memory of the kernel (``ru_maxrss``);
* **browser MB**: JavaScript heap of the page after the render (``performance.memory``).

Then, on the chosen renderer at the largest size, the Explorer's own path: time to first
render of ``Explorer.from_vectors`` (16-d vectors: projection, diagnostics, drawing), a
colour change, and a filter that fades the rest (kernel-side seconds). A renderer that
does not draw within ``--timeout`` seconds is reported as such. Run from the repository root:
``python benchmarks/bench_viz_browser.py``; timings on a shared machine are noisy: compare
the renderers within one run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from labserver import (  # noqa: E402
    CHROMIUM,
    coloured_pixels,
    jupyterlab,
    open_notebook,
    run_cell,
    stop_kernels,
    wait_output,
    write_notebook,
)

DATA = """
import time, resource, numpy as np, pandas as pd
from sklearn.datasets import make_blobs
xy, lab = make_blobs({n}, 2, centers=8, random_state=0)
df = pd.DataFrame({{"x": xy[:, 0].astype("f4"), "y": xy[:, 1].astype("f4"), "label": pd.Categorical(lab.astype(str)),
                   "text": [f"point {{i}} of cluster {{c}}" for i, c in enumerate(lab)]}})
t0 = time.perf_counter()
"""

BUILD = {
    "jupyter-scatter": """import jscatter
w = jscatter.Scatter(data=df, x="x", y="y", color_by="label", size=1, tooltip=True,
                     tooltip_properties=["text", "label"], width=900, height=600).widget
""",
    "embedding-atlas": """from embedding_atlas.widget import EmbeddingAtlasWidget
w = EmbeddingAtlasWidget(df, x="x", y="y", text="text", labels="disabled")
""",
    "plotly scattergl": """import plotly.graph_objects as go
w = go.FigureWidget(go.Scattergl(x=df["x"].to_numpy(), y=df["y"].to_numpy(), mode="markers",
                                 text=df["text"].tolist(), hoverinfo="text",
                                 marker=dict(size=2, color=lab, colorscale="Viridis")),
                    layout=dict(width=900, height=600))
""",
}

REPORT = """peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("BUILT", round(time.perf_counter() - t0, 2), round(peak))
w
"""

EXPLORER = """
import time, resource, numpy as np
from sklearn.datasets import make_blobs
from workbench.viz import Explorer
X, y = make_blobs({n}, 16, centers=8, random_state=0)
X = X.astype(np.float32)
t0 = time.perf_counter()
explorer = Explorer.from_vectors(X, labels=y, size=(900, 600))
print("BUILT", round(time.perf_counter() - t0, 2), round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
explorer
"""

CHANGES = """
t0 = time.perf_counter(); explorer.controls["colour_by"].value = "norm"; t_colour = time.perf_counter() - t0
t0 = time.perf_counter(); explorer.find(label=[1, 2]); t_filter = time.perf_counter() - t0
print("CHANGES", round(t_colour, 2), round(t_filter, 2), explorer.renderer, explorer.error.value)
"""


def measure(page, url, token, root: Path, name: str, cells: list[str], timeout: float) -> dict:
    write_notebook(root / name, cells)
    open_notebook(page, url, token, name)
    t0 = time.perf_counter()
    run_cell(page, 0)
    out = page.locator(".jp-Notebook .jp-Cell").nth(0).locator(".jp-OutputArea")
    rendered, built = None, None
    while time.perf_counter() - t0 < timeout:
        text = out.inner_text() if out.count() else ""
        if built is None:
            m = re.search(r"BUILT ([\d.]+) (\d+)", text)
            built = m and (float(m.group(1)), int(m.group(2)))
        if "Traceback" in text:
            return {"error": text[-600:]}
        if built:
            try:
                if coloured_pixels(out.screenshot(timeout=10_000)) >= 2000:
                    rendered = time.perf_counter() - t0
                    break
            except Exception:  # noqa: BLE001 - the output is still being laid out
                pass
        page.wait_for_timeout(200)
    heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : null")
    result = {"build_s": built[0] if built else None, "render_s": rendered,
              "kernel_mb": built[1] if built else None, "heap_mb": heap / 2**20 if heap else None}
    if len(cells) > 1 and rendered is not None:
        run_cell(page, 1)
        m = wait_output(page, 1, r"CHANGES ([\d.]+) ([\d.]+) (\w+)", 300)
        result.update(colour_s=float(m.group(1)), filter_s=float(m.group(2)), renderer=m.group(3))
    page.keyboard.press("Escape")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--renderers", default=",".join(BUILD))
    ap.add_argument("--timeout", type=float, default=240)
    ap.add_argument("--no-explorer", action="store_true")
    args = ap.parse_args()
    if CHROMIUM is None:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = tmp / "lab"
        root.mkdir()
        env = {"WB_CACHE_DIR": str(tmp / "cache"), "PYTHONPATH": str(ROOT)}
        with jupyterlab(root, tmp / "scratch", env) as (url, token), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--enable-precise-memory-info",
                                               "--use-gl=swiftshader", "--enable-unsafe-swiftshader"])
            import importlib.util

            modules = {"jupyter-scatter": "jscatter", "embedding-atlas": "embedding_atlas",
                       "plotly scattergl": "plotly"}
            renderers = []
            for r in args.renderers.split(","):
                if importlib.util.find_spec(modules[r]) is None:
                    print(f"{r}: not installed (pip install {r.split()[0]}); left out")
                else:
                    renderers.append(r)
            for n in sizes:
                for r in renderers:
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page.set_default_timeout(120_000)
                    name = f"{re.sub(r'[^a-z]', '_', r)}_{n}.ipynb"
                    res = measure(page, url, token, root, name, [DATA.format(n=n) + BUILD[r] + REPORT], args.timeout)
                    rows.append((r, n, res))
                    print(json.dumps({"renderer": r, "n": n, **res}), flush=True)
                    page.close()
                    stop_kernels(url, token)
            if not args.no_explorer:
                n = max(sizes)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                res = measure(page, url, token, root, f"explorer_{n}.ipynb",
                              [EXPLORER.format(n=n), CHANGES], args.timeout * 2)
                rows.append(("Explorer (16-d -> PCA)", n, res))
                print(json.dumps({"renderer": "Explorer", "n": n, **res}), flush=True)
            browser.close()

    def f(v, fmt="{:.1f}"):
        return "-" if v is None else fmt.format(v)

    print(f"\n{'renderer':<26}{'points':>10}{'build s':>9}{'first render s':>16}{'kernel MB':>11}{'browser MB':>12}")
    for r, n, res in rows:
        if "error" in res:
            print(f"{r:<26}{n:>10,}  failed: {res['error'][-200:]!r}")
            continue
        render = f(res["render_s"]) if res["render_s"] is not None else f"> {args.timeout:.0f}"
        print(f"{r:<26}{n:>10,}{f(res['build_s']):>9}{render:>16}{f(res['kernel_mb'], '{:.0f}'):>11}"
              f"{f(res['heap_mb'], '{:.0f}'):>12}")
        if "colour_s" in res:
            print(f"  Explorer at {n:,} points ({res['renderer']}): colour change {res['colour_s']:.2f} s, "
                  f"filter (fade the rest) {res['filter_s']:.2f} s, kernel side")


if __name__ == "__main__":
    main()
