"""A mini-benchmark: several configurations on several tasks, one tidy table, cached.

:func:`run_suite` evaluates each configuration (a model plus encode options such as
pooling, layer, prompt, precision; or ``"bm25"``) on each :class:`Task` (a task type
from ``TASKS`` and a data set: a packaged name, a file or folder, or a loaded data set,
optionally cut to a deterministic subset). It returns a tidy DataFrame -- one row per
configuration, task and metric, with the main score's 95% interval. :func:`suite_figure`
draws the main scores with their intervals as a plotly bar chart, on request (plotly comes
with the ``viz`` extra; the table needs none of it).

Each (configuration, task) result is stored in the workbench cache (namespace
``suite``, written atomically) under a key of everything that changes it, so rerunning
with one new configuration computes only that one; models are loaded only on a miss.
Left out: parallel execution, automatic paired tests between all configurations (use
:func:`workbench.evaluate.paired_test` on per-example outputs), task weighting.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import progress, theme
from ..cache import atomic_write_bytes, cache_dir, hash_texts, make_key
from ..encoder import check_batch_size
from ..options import FIELDS, EncodeOptions

_VERSION = 1  # bump when a metric's definition changes, so old cached results are not reused


@dataclass
class Task:
    """One evaluation: a task type on a data set.

    Parameters
    ----------
    kind : str
        A name in ``workbench.evaluate.TASKS`` (sts, retrieval, classification,
        clustering, pairs).
    data : str, Path or data set
        A packaged data set name, a file or folder, or a loaded data set. For ``pairs``
        a retrieval set is turned into labelled pairs (``pairs_from_retrieval``).
    max_items : int, optional
        Deterministic subset: pairs, texts or queries (seeded by ``seed``).
    max_docs : int, optional
        Retrieval only: corpus size of the subset (relevant documents always kept).
    options : dict
        Passed to the evaluator (e.g. ``{"threshold": 0.5}``, ``{"n_seeds": 3}``).
    name : str, optional
        Label in tables (default ``"kind:data"``).
    seed : int
        Seed of the subset draw.
    columns : dict
        Pairs files: the columns to read (``{"text1": ..., "text2": ..., "score": ...}``,
        0-based positions or header names), passed to ``load_pairs``.

    Examples
    --------
    >>> Task("sts", "lee-pairs").label
    'sts:lee-pairs'
    """

    kind: str
    data: Any
    max_items: int | None = None
    max_docs: int | None = None
    options: dict = field(default_factory=dict)
    name: str | None = None
    seed: int = 0
    columns: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("max_items", "max_docs"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                                      or value < 1):
                raise ValueError(f"{name} must be a positive number (or None for all), got {value!r}")

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        data = self.data if isinstance(self.data, (str, Path)) else getattr(self.data, "name", "data")
        return f"{self.kind}:{Path(str(data)).name if isinstance(data, Path) else data}"

    def identity(self) -> dict:
        """Everything about the task that changes its result (for cache keys)."""
        if isinstance(self.data, Path) or (isinstance(self.data, str) and Path(self.data).exists()):
            p = Path(self.data).resolve()
            files = sorted(p.rglob("*")) if p.is_dir() else [p]
            data = {"path": str(p), "stamp": [(f.name, f.stat().st_size, f.stat().st_mtime_ns)
                                              for f in files if f.is_file()]}
        elif isinstance(self.data, str):
            data = {"packaged": self.data}
        else:
            data = {"content": _content_hash(self.data)}
        out = {"kind": self.kind, "data": data, "max_items": self.max_items, "max_docs": self.max_docs,
               "options": self.options, "seed": self.seed}
        return dict(out, columns=self.columns) if self.columns else out

    def load(self):
        """The data set this task evaluates, subset applied."""
        from ..datasets import (  # noqa: PLC0415
            DATASETS,
            PairDataset,
            RetrievalDataset,
            TextDataset,
            load_pairs,
            load_retrieval,
            load_texts,
        )
        from ..datasets import load as load_packaged  # noqa: PLC0415
        from .pairs import pairs_from_retrieval  # noqa: PLC0415
        from .retrieval import retrieval_subset  # noqa: PLC0415

        ds = self.data
        if isinstance(ds, (str, Path)):
            if isinstance(ds, str) and ds in DATASETS:
                ds = load_packaged(ds)
            elif Path(ds).is_dir():
                ds = load_retrieval(ds)
            elif Path(ds).is_file():
                ds = load_pairs(ds, task=self.kind, **self.columns) if self.kind in ("sts", "pairs") \
                    else load_texts(ds)
            else:
                raise ValueError(f"task data {ds!r} is neither a packaged data set nor an existing file or folder")
        elif self.columns:
            raise ValueError("columns= applies to a pairs file, not to a loaded data set")
        _check_fits(self.kind, ds, self.data)
        if self.kind == "pairs" and isinstance(ds, RetrievalDataset):
            return pairs_from_retrieval(ds, n_pairs=self.max_items, seed=self.seed)
        if self.max_items is None and self.max_docs is None:
            return ds
        if isinstance(ds, RetrievalDataset):
            return retrieval_subset(ds, self.max_items or len(ds.queries), self.max_docs, seed=self.seed)
        if isinstance(ds, (PairDataset, TextDataset)) and self.max_items and self.max_items < len(ds):
            idx = np.sort(np.random.default_rng(self.seed).permutation(len(ds))[:self.max_items])
            return ds.select(idx)
        return ds


#: task -> the containers it evaluates, and what the user should do otherwise
_FITS = {"sts": ("PairDataset",), "pairs": ("PairDataset", "RetrievalDataset"), "retrieval": ("RetrievalDataset",),
         "classification": ("TextDataset",), "clustering": ("TextDataset",)}
_READS = {"PairDataset": "a pairs data set (tasks sts, pairs)",
          "RetrievalDataset": "a retrieval data set (tasks retrieval, pairs)",
          "TextDataset": "a texts data set (tasks classification, clustering)"}


def _check_fits(kind: str, ds, data) -> None:
    """A ValueError when the task cannot evaluate this kind of data set, naming the tasks that can."""
    have = type(ds).__name__
    if kind in _FITS and have not in _FITS[kind]:
        what = _READS.get(have, have)
        raise ValueError(f"the {kind} task cannot evaluate {data if isinstance(data, (str, Path)) else ds.name!s}: "
                         f"it is {what}; {kind} needs {' or '.join(_READS[c] for c in _FITS[kind])}")


def _content_hash(ds) -> str:
    parts = []
    for name in ("text1", "text2", "texts", "documents", "query_texts"):
        if hasattr(ds, name):
            parts.append(hash_texts(getattr(ds, name)))
    for name in ("scores", "labels"):
        value = getattr(ds, name, None)
        if value is not None:
            parts.append(hash_texts([str(v) for v in np.asarray(value).tolist()]))
    if hasattr(ds, "qrels"):
        parts.append(make_key(qrels=ds.qrels, docs=ds.doc_ids, queries=ds.query_ids))
    return make_key(kind=type(ds).__name__, parts=parts)


#: the default tasks: every task type on packaged data, subsets sized for a laptop CPU
DEFAULT_TASKS: tuple[Task, ...] = (
    Task("sts", "lee-pairs"),
    Task("retrieval", "python-docstrings", max_items=100, max_docs=200),
    Task("classification", "pang-lee-polarity"),
    Task("clustering", "mini-newsgroups", max_items=100),
    Task("pairs", "python-docstrings", max_items=100, seed=1),
)

_COUNTS = {"n", "n_train", "n_clusters", "positives"}  # sizes in a result, not metrics: no rows of their own
#: configuration keys besides ``model`` and ``label``: every encode option, the per-side prompts, the batch size
_ENCODE_KEYS = (*FIELDS, "query_prompt", "doc_prompt", "batch_size")


def _config(spec) -> dict:
    """Normalise a configuration: a model name, or a dict with ``model`` and encode options."""
    if isinstance(spec, str):
        spec = {"model": spec}
    if not isinstance(spec, dict) or "model" not in spec:
        raise ValueError(f"a configuration is a model name or a dict with a 'model' key, got {spec!r}")
    unknown = set(spec) - {"model", "label", *_ENCODE_KEYS}
    if unknown:
        raise ValueError(f"unknown configuration keys {sorted(unknown)}; "
                         f"valid: model, label, {', '.join(_ENCODE_KEYS)}")
    cfg = dict(spec)
    # checked now, before any model runs: the same validation Encoder.encode applies
    fields = EncodeOptions.from_any({k: cfg[k] for k in FIELDS if k in cfg})
    cfg.update({k: getattr(fields, k) for k in FIELDS if k in cfg})
    for side in ("query_prompt", "doc_prompt"):
        if side in cfg:
            cfg[side] = EncodeOptions(prompt=cfg[side]).prompt
    if "batch_size" in cfg:
        check_batch_size(cfg["batch_size"])
    model = cfg["model"]
    name = model if isinstance(model, str) else getattr(model, "name", type(model).__name__)
    if "label" not in cfg:
        bits = [name, cfg.get("pooling") or ("default" if name != "bm25" else None)]
        if cfg.get("layer", -1) != -1:
            bits.append(f"layer{cfg['layer']}")
        bits += [f"{k}={cfg[k]!r}" for k in ("prompt", "query_prompt", "doc_prompt", "precision", "max_length")
                 if cfg.get(k) not in (None, "fp32")]
        cfg["label"] = "/".join(b for b in bits if b)
    return cfg


def _model_identity(model) -> str:
    if isinstance(model, str):
        return model
    return getattr(model, "identity", None) or repr(model)


def _cache_path(key: str) -> Path:
    return cache_dir() / "suite" / key[:2] / f"{key}.json"


def _jsonable(result: dict) -> dict:
    out = {}
    for k, v in result.items():
        if isinstance(v, (int, float, np.integer, np.floating)):
            out[k] = float(v) if isinstance(v, (float, np.floating)) else int(v)
        elif isinstance(v, tuple) and len(v) == 2:
            out[k] = [float(v[0]), float(v[1])]
    return out


def run_suite(configs: Sequence, tasks: Sequence[Task | str] | None = None, *, n_resamples: int = 1000,
              cache: bool = True, show_progress: bool | None = None) -> pd.DataFrame:
    """Evaluate every configuration on every task; one tidy table (``suite_figure`` charts it).

    Parameters
    ----------
    configs : list
        Model names (``"minilm"``, ``"bm25"``) or dicts with ``model`` (a name or a
        loaded encoder), any field of :class:`~workbench.options.EncodeOptions`
        (``pooling``, ``layer``, ``normalize``, ``prompt``, ``precision``,
        ``max_length``, ``attention``, ``add_eos``), ``query_prompt`` / ``doc_prompt``,
        ``batch_size`` and an optional ``label``. BM25 runs on retrieval tasks only.
    tasks : list of Task or str, optional
        Tasks, or strings ``"kind:data"``; default ``DEFAULT_TASKS``.
    n_resamples : int, default 1000
        Bootstrap resamples of each main score's interval.
    cache : bool, default True
        Read and write per-(configuration, task) results in the cache.
    show_progress : bool, optional

    Returns
    -------
    table : pandas.DataFrame
        Columns ``config, task, metric, score, ci_low, ci_high, n, main, cached``; the
        interval is filled for main scores. ``suite_figure(table)`` draws the main score
        per task, one bar per configuration, with 95% error bars.

    Examples
    --------
    >>> table = run_suite(["minilm"], ["sts:lee-pairs"], n_resamples=100)
    >>> table.query("main")[["task", "metric"]].values.tolist()
    [['sts:lee-pairs', 'spearman']]
    """
    from . import MAIN_METRIC, TASKS  # noqa: PLC0415

    cfgs = [_config(c) for c in configs]
    if not cfgs:
        raise ValueError("run_suite needs at least one configuration")
    labels = [c["label"] for c in cfgs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"configuration labels must be distinct, got {labels}; set 'label' to tell them apart")
    task_list = [t if isinstance(t, Task) else Task(*str(t).split(":", 1)) for t in (tasks or DEFAULT_TASKS)]
    for t in task_list:
        if t.kind not in TASKS:
            raise ValueError(f"unknown task {t.kind!r}; valid: {', '.join(TASKS)}")
    datasets: dict[int, Any] = {}
    encoders: dict[str, Any] = {}
    rows = []
    with progress.bar(len(cfgs) * len(task_list), "suite", show_progress) as bar:
        for cfg in cfgs:
            model = cfg["model"]
            lexical = (model == "bm25") or (not isinstance(model, str) and not callable(getattr(model, "encode", None)))
            opts = {k: cfg[k] for k in _ENCODE_KEYS if k in cfg}
            for ti, task in enumerate(task_list):
                bar.update(1)
                if lexical and task.kind != "retrieval":
                    continue  # a lexical model has no vectors to score pairs, classes or clusters
                key = make_key(kind="suite", version=_VERSION, model=_model_identity(model),
                               encode={k: v for k, v in opts.items() if k != "batch_size"},
                               task=task.identity(), n_resamples=n_resamples)
                path = _cache_path(key)
                result, cached = None, False
                if cache and path.exists():
                    try:
                        result, cached = json.loads(path.read_text()), True
                    except (OSError, ValueError):
                        result = None
                if result is None:
                    if ti not in datasets:
                        datasets[ti] = task.load()
                    result = _jsonable(_evaluate(TASKS[task.kind], task, model, opts, datasets[ti], encoders,
                                                 n_resamples, show_progress))
                    if cache:
                        try:
                            atomic_write_bytes(path, json.dumps(result).encode())
                        except OSError as exc:  # a read-only or full disk: the table is still returned
                            warnings.warn(f"workbench cache: cannot write {path} ({exc}); the result is not "
                                          "cached", RuntimeWarning, stacklevel=2)
                main = MAIN_METRIC[task.kind]
                for metric, value in result.items():
                    if metric in _COUNTS or isinstance(value, list):
                        continue
                    ci = result.get(f"{metric}_ci", [np.nan, np.nan])
                    rows.append({"config": cfg["label"], "task": task.label, "metric": metric, "score": value,
                                 "ci_low": ci[0], "ci_high": ci[1], "n": int(result["n"]), "main": metric == main,
                                 "cached": cached})
    table = pd.DataFrame(rows, columns=["config", "task", "metric", "score", "ci_low", "ci_high", "n", "main",
                                        "cached"])
    return table


def _evaluate(fn, task: Task, model, opts: dict, data, encoders: dict, n_resamples: int, show_progress) -> dict:
    from ..bm25 import BM25  # noqa: PLC0415
    from ..models import load_encoder  # noqa: PLC0415

    if model == "bm25":
        return fn(BM25(), data, n_resamples=n_resamples, **task.options)
    if isinstance(model, str):
        if model not in encoders:
            encoders[model] = load_encoder(model)
        model = encoders[model]
    kwargs = dict(task.options)
    if task.kind == "retrieval":
        kwargs.update({k: opts[k] for k in ("query_prompt", "doc_prompt") if k in opts})
    elif "query_prompt" in opts or "doc_prompt" in opts:
        kwargs["prompt"] = opts.get("query_prompt")  # symmetric tasks: the query side's prompt
    enc = {k: v for k, v in opts.items() if k not in ("query_prompt", "doc_prompt")}
    if hasattr(model, "encode"):
        enc["show_progress"] = show_progress
    return fn(model, data, n_resamples=n_resamples, **{**enc, **kwargs})


def suite_figure(table: pd.DataFrame, *, title: str = "Main score per task (95% bootstrap interval)"):
    """Grouped bar chart of the main scores in a :func:`run_suite` table, with error bars.

    Needs plotly (the ``viz`` extra); without it this raises
    :class:`~workbench.packages.MissingExtra` naming the pip command.

    Examples
    --------
    >>> t = pd.DataFrame({"config": ["a"], "task": ["sts:x"], "metric": ["spearman"], "score": [0.5],
    ...                   "ci_low": [0.4], "ci_high": [0.6], "n": [10], "main": [True], "cached": [False]})
    >>> [round(v, 2) for v in suite_figure(t).data[0].error_y.array]
    [0.1]
    """
    from ..packages import require  # noqa: PLC0415

    go = require("plotly.graph_objects", "viz", "suite_figure")
    main = table[table["main"]]
    fig = go.Figure()
    for config, part in main.groupby("config", sort=False):
        fig.add_bar(name=str(config), x=[f"{t}<br>{m}" for t, m in zip(part["task"], part["metric"])],
                    y=part["score"].tolist(), error_y=dict(type="data", symmetric=False,
                                                  array=(part["ci_high"] - part["score"]).tolist(),
                                                  arrayminus=(part["score"] - part["ci_low"]).tolist()),
                    hovertemplate="%{x}<br>%{y:.3f}<extra>" + str(config) + "</extra>")
    fig.update_layout(barmode="group", title=title, yaxis_title="score", legend_title="configuration",
                      template=theme.template())
    return fig
