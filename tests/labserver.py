"""A JupyterLab server for browser tests and benchmarks, and helpers to drive a notebook in it.

:func:`jupyterlab` starts JupyterLab from this environment on a free localhost port with a
random token and a private runtime folder, and always stops it (and the kernels it
started). :func:`write_notebook` writes a notebook of code cells; :func:`run_cell` runs one
cell through the page (click, Shift+Enter) and :func:`wait_output` waits for a line of its
output; :func:`headless_chromium` opens the system Chromium through playwright. Used by
the browser tests and ``benchmarks/bench_viz.py --browser``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def headless_chromium(sync_api, *args: str):
    """The system Chromium, headless, driven by playwright's ``sync_api`` (no browser download); always closed."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", *args])
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(root: Path, scratch: Path, env: dict | None = None):
    """Serve ``root`` with JupyterLab; yields ``(url, token)``. ``scratch`` holds the runtime files and log."""
    port, token = free_port(), secrets.token_hex(16)
    scratch.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "workspaces"), **(env or {})}
    jupyter = Path(sys.executable).parent / "jupyter"
    log_path = scratch / "lab.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([str(jupyter), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                             "--ServerApp.open_browser=False", "--LabApp.news_url=None",
                             *(["--allow-root"] if os.geteuid() == 0 else [])],
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"JupyterLab did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url, token
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


def coloured_pixels(png: bytes) -> int:
    """Pixels of a screenshot that carry a colour (grey and white do not): points on screen."""
    import io  # noqa: PLC0415

    import numpy as np  # noqa: PLC0415
    from PIL import Image  # noqa: PLC0415

    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int(((a.max(axis=2) - a.min(axis=2)) > 40).sum())


def wait_drawn(page, locator, timeout_s: float = 300, pixels: int = 2000) -> float:
    """Wait until ``locator``'s screenshot shows at least ``pixels`` coloured pixels; returns the seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        try:
            if coloured_pixels(locator.screenshot(timeout=10_000)) >= pixels:
                return time.perf_counter() - t0
        except Exception:  # noqa: BLE001 - still being laid out
            pass
        page.wait_for_timeout(250)
    raise AssertionError(f"nothing was drawn within {timeout_s:.0f} s")


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A notebook of code cells with the environment's python3 kernel."""
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
                    for src in cells],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))
    return path


def open_notebook(page, url: str, token: str, name: str) -> None:
    """Open ``name`` and wait until its kernel is idle (accepting a kernel dialog if one opens)."""
    # a workspace of its own, so that notebooks opened before in the same server stay closed
    page.goto(f"{url}/lab/workspaces/{Path(name).stem}/tree/{name}?token={token}&reset")
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    button = page.locator(".jp-Dialog .jp-mod-accept")
    deadline = time.time() + 20
    while time.time() < deadline:
        if button.count() and button.first.is_visible():
            button.first.click()
            break
        if page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count():
            page.wait_for_timeout(1000)
            if not button.count():
                break
        page.wait_for_timeout(500)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)


def stop_kernels(url: str, token: str) -> None:
    """Shut down every session's kernel (between measurements, so that they do not add up)."""
    req = urllib.request.Request(f"{url}/api/sessions?token={token}")
    with urllib.request.urlopen(req, timeout=10) as r:
        sessions = json.loads(r.read())
    for s in sessions:
        urllib.request.urlopen(urllib.request.Request(f"{url}/api/sessions/{s['id']}?token={token}",
                                                      method="DELETE"), timeout=30).close()


def run_cell(page, index: int, attempts: int = 4) -> None:
    """Run the ``index``-th cell: click into its editor and press Shift+Enter, again if it does not
    start (a key press can land before the kernel is wired up)."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    for _ in range(attempts):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        deadline = time.time() + 15
        while time.time() < deadline:
            now = prompt.inner_text()
            if now != before and re.search(r"\[(\*|\d+)\]", now):
                return
            page.wait_for_timeout(250)
    raise AssertionError(f"cell {index} did not start after {attempts} tries")


def wait_output(page, index: int, pattern: str, timeout_s: float = 300) -> re.Match:
    """Wait until the ``index``-th cell's output matches ``pattern``; fail early on a traceback."""
    out = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea")
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        text = out.inner_text() if out.count() else ""
        m = re.search(pattern, text)
        if m:
            return m
        if "Traceback" in text or "Error" in text.split("\n", 1)[0]:
            raise AssertionError(f"cell {index} failed:\n{text[-3000:]}")
        page.wait_for_timeout(250)
    raise AssertionError(f"cell {index} printed no {pattern!r} within {timeout_s:.0f} s")
