"""Running an entry: ``build/reproductions/<name>/`` with ``result.json`` and the figure (JSON, HTML, PNG).

``result.json`` holds ours, theirs and the verdict row by row, the seeds, the library
versions and thread counts that could make a rerun differ, the size (smoke or full) and
the seconds the run took (wall and this process's CPU, which a shared machine inflates
less). The folder is written atomically: a run that fails leaves the previous result as it
was, and the error says so. Smoke runs write under ``smoke/<name>/``, so a smoke run (as
``make test`` does) never replaces a full-size result. Entries are seeded, so a rerun gives
the same numbers (:func:`numbers_of` is what a rerun must reproduce).
"""

from __future__ import annotations

import json
import math
import os
import platform
import time
from importlib import metadata
from pathlib import Path

from ..datasets.local import PROJECT_DATA
from ..images import write_image
from ..outputs import owns_only, write_folder
from .published import read_published
from .registry import Outcome, Reproduction, get

__all__ = ["RESULTS_DIR", "RESULT_FILES", "environment", "load_result", "numbers_of", "result_folder", "run_entry"]

#: where results go by default: the project's build/ folder (never committed)
RESULTS_DIR = PROJECT_DATA.parent / "build" / "reproductions"

#: the files a result folder holds (the PNG is absent when no static image engine runs)
RESULT_FILES = ("result.json", "figure.json", "figure.html", "figure.png")

_LIBRARIES = ("numpy", "scipy", "torch", "transformers", "scikit-learn", "faiss-cpu", "pandas", "gensim", "plotly")


def environment() -> dict:
    """Library versions, Python, platform and thread counts: what could make a rerun's numbers differ.

    Examples
    --------
    >>> sorted(environment())[:3]
    ['libraries', 'platform', 'python']
    """
    versions = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    import torch  # noqa: PLC0415

    threads = {"torch": torch.get_num_threads(), "torch_interop": torch.get_num_interop_threads(),
               "cpu_count": os.cpu_count()}
    return {"libraries": versions, "platform": platform.platform(), "python": platform.python_version(),
            "threads": threads}


def _clean(value):
    """JSON-safe: NaN and infinities become None, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def result_folder(name: str, out: str | Path | None = None, *, smoke: bool = False) -> Path:
    """Where the result of ``name`` at one size lives: ``<out>/<name>`` (full) or ``<out>/smoke/<name>``.

    Examples
    --------
    >>> result_folder("limit", "/tmp/r", smoke=True).as_posix()
    '/tmp/r/smoke/limit'
    """
    root = Path(out if out is not None else RESULTS_DIR).expanduser()
    return root / "smoke" / name if smoke else root / name


def _result(entry: Reproduction, outcome: Outcome, smoke: bool, seconds: float, cpu: float) -> dict:
    return _clean({
        "name": entry.name, "title": entry.paper.title, "authors": entry.paper.authors, "year": entry.paper.year,
        "arxiv": entry.paper.arxiv, "claim": entry.claim, "rule": entry.rule, "scale": entry.scale,
        "size": "smoke" if smoke else "full", "verdict": outcome.verdict, "reason": outcome.reason,
        "table": outcome.table.to_dict(orient="records"), "seeds": list(outcome.seeds), "details": outcome.details,
        "environment": environment(), "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    })


def run_entry(name: str, *, smoke: bool = False, out: str | Path | None = None, image: bool = True) -> dict:
    """Run the entry ``name`` and write its result folder; returns the result (the content of ``result.json``).

    An entry whose capability is not built yet (``run=None``) is recorded with the
    verdict ``"not yet"`` and no figure. The published file is read before the run, so
    a missing or malformed one fails fast, naming the file and line.

    Parameters
    ----------
    name : str
        An entry name (:func:`workbench.reproduce.available`).
    smoke : bool
        Run at smoke size (seconds) instead of full size.
    out : str or Path, optional
        The parent folder of result folders (default :data:`RESULTS_DIR`).
    image : bool
        Also write ``figure.png`` (needs kaleido and a Chromium; when it cannot, the
        result's ``figure_png`` says why).

    Examples
    --------
    >>> import tempfile
    >>> run_entry("no-such-paper", out=tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    KeyError: "no reproduction called 'no-such-paper'; the entries are: ..."
    """
    entry = get(name)
    target = result_folder(name, out, smoke=smoke)
    if entry.published:
        read_published(entry.published)
    start, cpu_start = time.perf_counter(), time.process_time()
    if entry.run is None:
        import pandas as pd  # noqa: PLC0415

        from .registry import OUTCOME_COLUMNS  # noqa: PLC0415

        outcome = Outcome(pd.DataFrame(columns=list(OUTCOME_COLUMNS)), "not yet",
                          f"the capability this entry needs is not built yet: {entry.scale}")
    else:
        try:
            outcome = entry.run(smoke)
        except Exception as error:
            kept = "the previous result in " + str(target) + " is kept" if target.exists() else "nothing was written"
            raise RuntimeError(f"reproduction {name!r} failed ({type(error).__name__}: {error}); {kept}") from error
    result = _result(entry, outcome, smoke, time.perf_counter() - start, time.process_time() - cpu_start)

    def fill(folder: Path) -> None:
        if outcome.figure is not None:
            outcome.figure.write_json(folder / "figure.json")
            outcome.figure.write_html(folder / "figure.html", include_plotlyjs=True, full_html=True)
            if image:
                try:
                    write_image(outcome.figure, folder / "figure.png", width=900, height=520, scale=1.5)
                    result["figure_png"] = "figure.png"
                except Exception as error:  # no kaleido or no Chromium: the HTML figure still stands
                    result["figure_png"] = f"not written: {type(error).__name__}: {str(error).splitlines()[0]}"
        (folder / "result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")

    write_folder(target, fill, owns=owns_only(RESULT_FILES))
    return result


def load_result(name: str, out: str | Path | None = None, *, size: str | None = None) -> dict | None:
    """The last result of ``name`` (the content of its ``result.json``), or None when it has not run.

    ``size`` picks ``"full"`` or ``"smoke"``; by default the full-size result, or the
    smoke one when no full run exists (its ``size`` field says which it is).

    Examples
    --------
    >>> import tempfile
    >>> load_result("limit", out=tempfile.mkdtemp()) is None
    True
    """
    if size not in (None, "full", "smoke"):
        raise ValueError(f"size must be 'full', 'smoke' or None (full, else smoke), got {size!r}")
    for smoke in ((False, True) if size is None else (size == "smoke",)):
        path = result_folder(name, out, smoke=smoke) / "result.json"
        if not path.is_file():
            continue
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError as error:
            raise ValueError(f"{path} is not valid JSON ({error}); rerun the entry: workbench reproduce "
                             f"{name}{' --smoke' if smoke else ''}") from None
    return None


def numbers_of(result: dict) -> list:
    """The numbers a rerun must reproduce: the verdict and every row of ours and theirs.

    Examples
    --------
    >>> numbers_of({"verdict": "reproduced", "table": [{"quantity": "n", "setting": "", "ours": 1.0,
    ...            "theirs": 1.0, "unit": "count", "source": "T1"}]})
    ['reproduced', ('n', '', 1.0, 1.0)]
    """
    return [result["verdict"], *((r["quantity"], r["setting"], r["ours"], r["theirs"]) for r in result["table"])]
