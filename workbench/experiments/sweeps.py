"""The pooling sweep: every (prompt, attention, pooling, layer, dim) cell scored, with paired tests.

:func:`sweep` embeds a task's texts once per (prompt, attention) with
:meth:`~workbench.encoder.Encoder.encode_poolings`, then scores every pooling x layer x
truncated-width cell from those vectors with the task's evaluator (STS, retrieval or
classification from :mod:`workbench.evaluate`), keeping each cell's per-example
outputs; every cell is then compared with one baseline cell by
:func:`workbench.evaluate.stats.paired_test` (Spearman on cosine scores for STS, mean
of per-query nDCG@10 or per-text correctness otherwise). Left out: clustering and
pair tasks (no per-example score), corrections for testing many cells at once.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.stats import ConstantInputWarning

from ..evaluate import MAIN_METRIC
from ..evaluate.classification import evaluate_classification
from ..evaluate.retrieval import evaluate_retrieval, truncate
from ..evaluate.stats import bootstrap_ci, paired_test
from ..evaluate.sts import evaluate_sts
from ..options import EncodeOptions
from ..pooling import POOLING_MODES, parse_mode

#: task types :func:`sweep` runs (each has a per-example score for the paired test)
SWEEP_TASKS = ("sts", "retrieval", "classification")


DEFAULTS = EncodeOptions()


def _listed(value, default) -> list:
    if value is None:
        return list(default)
    if isinstance(value, (str, int, np.integer)):
        return [value]
    return list(value)


def _prompt_label(p) -> str:
    if p is None:
        return "none"
    if isinstance(p, tuple):
        return " | ".join(_prompt_label(x) for x in p)
    return p if len(p) <= 40 else p[:37].replace("\n", " ") + "..."


def _prompt_entries(prompts, task: str) -> list[tuple[str, Any, Any]]:
    """(label, query-side prompt, document-side prompt) per prompt configuration."""
    if prompts is None or isinstance(prompts, (str, tuple)):
        prompts = [prompts]
    items = list(prompts.items()) if isinstance(prompts, dict) else [(_prompt_label(p), p) for p in prompts]
    out = []
    for label, p in items:
        if isinstance(p, tuple):
            if task != "retrieval" or len(p) != 2:
                raise ValueError(f"prompt {label!r}: a (query prompt, document prompt) pair applies to the "
                                 f"retrieval task only; give {task} one prompt (str or None)")
            q, d = p
        else:
            q = d = p
        out.append((str(label), EncodeOptions(prompt=q).prompt, EncodeOptions(prompt=d).prompt))
    labels = [x[0] for x in out]
    if len(set(labels)) != len(labels):
        raise ValueError(f"prompt labels must be distinct, got {labels}; pass a dict label -> prompt")
    return out


def _task_setup(task: str, ds) -> tuple[dict, Any, str]:
    """Texts to embed per role ('query' side or 'doc' side), a scorer of vectors, the paired statistic."""
    from ..datasets import PairDataset, RetrievalDataset, TextDataset  # noqa: PLC0415

    expected = {"sts": PairDataset, "retrieval": RetrievalDataset, "classification": TextDataset}[task]
    if not isinstance(ds, expected):
        raise ValueError(f"task {task!r} needs a {expected.__name__}, got a {type(ds).__name__} ({ds.name})")
    if task == "sts":
        unique = list(dict.fromkeys([*ds.text1, *ds.text2]))
        row = {t: i for i, t in enumerate(unique)}
        i1, i2 = [row[t] for t in ds.text1], [row[t] for t in ds.text2]

        def score(v, n_resamples):
            res = evaluate_sts((v["texts"][i1], v["texts"][i2]), ds, n_resamples=n_resamples, per_pair=True)
            return res, res["per_pair"]["cosine"]
        return {"texts": (unique, "query")}, score, "spearman"
    if task == "retrieval":
        def score(v, n_resamples):
            res = evaluate_retrieval((v["queries"], v["docs"]), ds, per_query=True, n_resamples=n_resamples)
            return res, res["per_query"]["ndcg@10"]
        return {"queries": (ds.query_texts, "query"), "docs": (ds.documents, "doc")}, score, "mean"

    def score(v, n_resamples):
        res = evaluate_classification(v["texts"], ds, per_example=True, n_resamples=n_resamples)
        return res, res["per_example"]
    return {"texts": (list(ds.texts), "query")}, score, "mean"


def sweep(encoder, task, data=None, *, poolings: Sequence[str] | None = None, layers="all", prompts=None,
          attention=None, dims: Sequence[int] | None = None, baseline: dict | None = None,
          n_resamples: int = 1000, alpha: float = 0.05, options: EncodeOptions | dict | None = None,
          batch_size: int = 32, cache: bool = True, show_progress: bool | None = None,
          **overrides) -> pd.DataFrame:
    """Score every (prompt, attention, pooling, layer, dim) cell on a task, with CIs and paired tests.

    Parameters
    ----------
    encoder : Encoder
    task : str or workbench.evaluate.Task
        ``"sts"``, ``"retrieval"`` or ``"classification"`` (with ``data``), or a ``Task``
        (which carries its data and subset).
    data : str, Path or data set, optional
        A packaged name, a file or folder, or a loaded data set (when ``task`` is a str).
    poolings : sequence of str, optional
        Modes from ``POOLING_MODES`` (default: every mode the model supports).
    layers : "all", int or sequence of int
        Hidden-state layers (0 = embeddings; negative counts from the end).
    prompts : None, str, (query, doc) pair, a list of these, or a dict label -> prompt
        Prompt configurations; a pair gives queries and documents their own (retrieval).
    attention : None, str or sequence of str
        ``"causal"`` / ``"bidirectional"``; None keeps the model's own mask.
    dims : sequence of int, optional
        Truncated widths (first ``d`` coordinates, re-normalised); default full width.
    baseline : dict, optional
        The cell every other is tested against, given by any of ``prompt`` (label),
        ``attention``, ``pooling``, ``layer``, ``dim``; unnamed parts default to the first
        prompt and attention, the model's own pooling, the last layer and the full width.
    n_resamples : int, default 1000
        Bootstrap resamples for the CIs and permutations for the paired tests (0: none).
        A cell whose score is undefined (constant cosines, as the CLS state of the
        embedding layer gives) gets NaN score, interval and test.
    alpha : float, default 0.05
        Level stored with the table (``significant`` column).
    options : EncodeOptions or dict, optional
        Encode options shared by every cell (``normalize``, ``precision``,
        ``max_length``, ``add_eos``); the swept ones (pooling, layer, prompt,
        attention) come from the arguments above.
    batch_size : int, default 32
    cache : bool, default True
        Read and write the vector cache.
    **overrides
        Fields of ``EncodeOptions`` on top of ``options``.

    Returns
    -------
    pandas.DataFrame, one row per cell: ``model, task, data, prompt, attention, pooling,
    layer, dim, metric, score, ci_low, ci_high, n, delta, delta_ci_low, delta_ci_high,
    p_value, significant, baseline``

    Examples
    --------
    >>> import workbench as wb
    >>> from workbench.evaluate import Task
    >>> df = sweep(wb.load_encoder("minilm"), Task("sts", "lee-pairs", max_items=200),
    ...            poolings=["cls", "mean"], layers=[3, -1], n_resamples=100)
    >>> df[["pooling", "layer"]].values.tolist()
    [['cls', 3], ['cls', 6], ['mean', 3], ['mean', 6]]
    >>> bool(df.loc[df.baseline, "pooling"].item() == "mean"), bool(df.score.max() > 0.5)
    (True, True)
    """
    from ..evaluate.suite import Task  # noqa: PLC0415

    if isinstance(task, Task):
        if data is not None:
            raise ValueError("pass either a Task (which holds its data) or a task name with data, not both")
        kind, ds = task.kind, task.load()
    else:
        if data is None:
            raise ValueError(f"task {task!r} needs data: a packaged name, a file or folder, or a data set")
        kind = task
        ds = Task(task, data).load() if task in SWEEP_TASKS else None
    if kind not in SWEEP_TASKS:
        raise ValueError(f"sweep runs tasks {', '.join(SWEEP_TASKS)}; got {kind!r}")
    shared = EncodeOptions.from_any(options, **overrides)
    swept = [f for f in ("pooling", "layer", "prompt", "attention") if getattr(shared, f) != getattr(DEFAULTS, f)]
    if swept:
        raise ValueError(f"sweep varies {', '.join(swept)} itself: pass them as poolings=, layers=, prompts=, "
                         "attention=, not as encode options")
    n_layers = encoder.n_layers + 1
    supported = [m for m in POOLING_MODES if (m != "cls" or getattr(encoder.tokenizer, "cls_token", None))
                 and (m != "first_last_avg" or n_layers > 1)]
    modes = list(dict.fromkeys("+".join(parse_mode(p)) for p in _listed(poolings, supported)))
    if layers == "all":
        layer_ids = list(range(n_layers))
    else:
        layer_ids = []
        for layer in _listed(layers, []):
            layer_ids.append(encoder.resolve(shared, layer=layer).layer % n_layers)
        layer_ids = list(dict.fromkeys(layer_ids))
    entries = _prompt_entries(prompts, kind)
    attentions = [encoder.resolve(shared, attention=a).attention for a in _listed(attention, [None])]
    for m in modes:  # every option checked before the first forward pass
        encoder.resolve(shared, pooling=m, attention=attentions[0])
    width = encoder.dim
    dim_list = [width] if dims is None else [int(d) for d in _listed(dims, [])]
    bad = [d for d in dim_list if not 1 <= d <= width]
    if bad or not dim_list:
        raise ValueError(f"dims must be ints in 1..{width} (the vector width), got {list(dims or [])}")
    roles, score, statistic = _task_setup(kind, ds)
    gold = np.asarray(ds.scores, np.float64) if statistic == "spearman" else None

    rows, per_example, grids = [], {}, {}
    for label, q_prompt, d_prompt in entries:
        for att in attentions:
            vec = {}
            for role, (texts, side) in roles.items():
                p = q_prompt if side == "query" else d_prompt
                if (role, p, att) not in grids:
                    grids[role, p, att] = encoder.encode_poolings(
                        texts, modes, shared.replace(prompt=p, attention=att), batch_size=batch_size, cache=cache,
                        show_progress=show_progress)
                vec[role] = grids[role, p, att]
            for m in modes:
                for layer in layer_ids:
                    for d in dim_list:
                        v = {r: truncate(g[m][layer], d) if d < g[m].shape[-1] else g[m][layer]
                             for r, g in vec.items()}
                        metric = MAIN_METRIC[kind]
                        with warnings.catch_warnings():  # constant cosines (e.g. CLS of layer 0): no correlation
                            warnings.simplefilter("ignore", ConstantInputWarning)
                            res, example = score(v, 0)
                        cell = (label, att, m, layer, d)
                        if _degenerate(res[metric], example, statistic):
                            res[metric], lo, hi = np.nan, np.nan, np.nan
                        else:
                            per_example[cell] = example
                            lo, hi = (bootstrap_ci(example, gold, statistic=statistic, n_resamples=n_resamples)
                                      if n_resamples else (np.nan, np.nan))
                        rows.append(dict(model=encoder.name, task=kind, data=ds.name, prompt=label, attention=att,
                                         pooling=m, layer=layer, dim=d, metric=metric, score=res[metric],
                                         ci_low=lo, ci_high=hi, n=res["n"]))
    df = pd.DataFrame(rows)
    base = _baseline(baseline, df, encoder, entries, attentions, modes, layer_ids, dim_list)
    if base not in per_example:
        raise ValueError(f"the baseline cell {base} has no defined score (its vectors are all alike); "
                         "choose another baseline")
    tests = []
    for cell in zip(df.prompt, df.attention, df.pooling, df.layer, df.dim):
        if cell == base or not n_resamples or cell not in per_example:
            tests.append({"difference": 0.0 if cell == base else np.nan, "ci_low": np.nan, "ci_high": np.nan,
                          "p_value": np.nan})
            continue
        tests.append(paired_test(per_example[cell], per_example[base], gold, statistic=statistic,
                                 n_resamples=n_resamples))
    df["delta"] = [t["difference"] for t in tests]
    df["delta_ci_low"] = [t["ci_low"] for t in tests]
    df["delta_ci_high"] = [t["ci_high"] for t in tests]
    df["p_value"] = [t["p_value"] for t in tests]
    df["significant"] = df["p_value"] < alpha
    df["baseline"] = [cell == base for cell in zip(df.prompt, df.attention, df.pooling, df.layer, df.dim)]
    df.attrs.update(baseline=dict(zip(("prompt", "attention", "pooling", "layer", "dim"), base)), alpha=alpha,
                    n_layers=encoder.n_layers)
    return df


def _degenerate(value: float, example: np.ndarray, statistic: str) -> bool:
    """A cell whose score is undefined: NaN, or constant per-pair cosines under a rank correlation."""
    return not np.isfinite(value) or (statistic == "spearman" and np.ptp(example) <= 1e-12)


def _baseline(baseline, df, encoder, entries, attentions, modes, layer_ids, dims) -> tuple:
    own = encoder.pooling if encoder.pooling in modes else modes[0]
    last = encoder.n_layers if encoder.n_layers in layer_ids else layer_ids[-1]
    base = {"prompt": entries[0][0], "attention": attentions[0], "pooling": own, "layer": last, "dim": max(dims)}
    given = dict(baseline or {})
    unknown = sorted(set(given) - set(base))
    if unknown:
        raise ValueError(f"baseline keys {unknown} are unknown; valid: {', '.join(base)}")
    if "layer" in given:
        given["layer"] = encoder.resolve(layer=given["layer"]).layer % (encoder.n_layers + 1)
    base.update(given)
    cell = tuple(base[k] for k in ("prompt", "attention", "pooling", "layer", "dim"))
    if not ((df.prompt == cell[0]) & (df.attention == cell[1]) & (df.pooling == cell[2]) & (df.layer == cell[3])
            & (df.dim == cell[4])).any():
        raise ValueError(f"baseline {base} is not a cell of this sweep")
    return cell
