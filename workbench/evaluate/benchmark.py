"""A score matrix for benchmark design: many configurations on many tasks, sharing forward passes.

Designing a benchmark (which tasks to keep, how big a retrieval corpus must be) needs
the scores of many systems on every task. :func:`score_matrix` computes them cheaply:
each model runs once per task (``Encoder.encode_poolings`` returns every pooling of
every layer from one forward pass, and the vector cache keeps them), and the
configurations of that model -- poolings, layers, compressions of the same vectors --
are read off those arrays. Besides the transformers it scores GloVe, a lexical system
(BM25 on retrieval, character 3-4-gram TF-IDF vectors elsewhere) and a random floor
(Gaussian vectors). An STS score left undefined because every similarity is equal is
recorded as 0 (such a system cannot order the pairs), with the evaluator's warning.

:data:`DEFAULT_CONFIGS` holds 17 configurations of five families and
:func:`benchmark_tasks` 14 tasks over the packaged data (STS, retrieval,
classification, clustering, pairs). The result, :class:`BenchmarkRun`, holds the
``configs x tasks`` main scores, each configuration's family (to see where the
configurations of one model inflate agreement, :mod:`.downsample`) and the retrieval
tasks' vectors (to downsample their corpora). Left out: prompts and instructions per
task, and models beyond the embedded ones (pass your own :class:`Config` with any
``load_encoder`` name).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from .. import progress
from ..notices import TruncationWarning
from .suite import Task

__all__ = ["Config", "BenchmarkRun", "DEFAULT_CONFIGS", "benchmark_tasks", "score_matrix"]

_SPECIAL = ("lexical", "random")


@dataclass(frozen=True)
class Config:
    """One system: a model, and how its vectors are read and stored."""

    label: str                      # name in tables
    model: str                      # a load_encoder name, "lexical" (BM25 / TF-IDF) or "random"
    pooling: str | None = None      # pooling mode (transformers)
    layer: int = -1                 # layer index (0: embeddings; -1: last)
    compression: str | None = None  # a workbench.compress spec; vectors are compressed and decoded

    @property
    def family(self) -> str:
        """Configurations of one model form a family."""
        return self.model


#: 17 configurations of five families (minilm 10, smollm2 4, glove, lexical, random)
DEFAULT_CONFIGS: tuple[Config, ...] = (
    Config("minilm/mean", "minilm", "mean"),
    Config("minilm/cls", "minilm", "cls"),
    Config("minilm/max", "minilm", "max"),
    Config("minilm/mean/L3", "minilm", "mean", 3),
    Config("minilm/cls/L3", "minilm", "cls", 3),
    Config("minilm/mean/L1", "minilm", "mean", 1),
    Config("minilm/mean/L0", "minilm", "mean", 0),
    Config("minilm/mean/int8", "minilm", "mean", compression="int8"),
    Config("minilm/mean/binary", "minilm", "mean", compression="binary"),
    Config("minilm/mean/pca32", "minilm", "mean", compression="pca32"),
    Config("smollm2/last", "smollm2", "last"),
    Config("smollm2/mean", "smollm2", "mean"),
    Config("smollm2/mean/L15", "smollm2", "mean", 15),
    Config("smollm2/last/L15", "smollm2", "last", 15),
    Config("glove-50d", "glove-50d"),
    Config("lexical", "lexical"),
    Config("random", "random"),
)


def benchmark_tasks(smoke: bool = False) -> list[Task]:
    """Fourteen tasks over the packaged data; ``smoke`` shrinks every one of them.

    Examples
    --------
    >>> tasks = benchmark_tasks(smoke=True)
    >>> len(tasks), sorted({t.kind for t in tasks})
    (14, ['classification', 'clustering', 'pairs', 'retrieval', 'sts'])
    """
    n = 40 if smoke else None
    q, d = (12, 40) if smoke else (100, 300)
    return [
        Task("sts", "lee-pairs", max_items=n and 120),
        Task("sts", "wordsim353", max_items=n),
        Task("sts", "simlex999", max_items=n or 300),
        Task("retrieval", "python-docstrings", max_items=q, max_docs=d),
        Task("retrieval", "clothing-title-review", max_items=q, max_docs=d),
        Task("retrieval", "rotten-tomatoes-synopsis", max_items=3 if smoke else 10,
             max_docs=150 if smoke else 450),
        Task("classification", "pang-lee-polarity", max_items=n and 60, options={"n_seeds": 3}),
        Task("classification", "rotten-tomatoes", max_items=n and 60 or 300, options={"n_seeds": 3}),
        Task("classification", "clothing-reviews", max_items=n and 60 or 300, options={"n_seeds": 3}),
        Task("classification", "mini-newsgroups", max_items=n and 60, options={"n_seeds": 3}),
        Task("clustering", "mini-newsgroups", max_items=n and 60, options={"n_seeds": 2}),
        Task("clustering", "political-speeches", max_items=n and 60, options={"n_seeds": 2}),
        Task("pairs", "python-docstrings", max_items=n or 150, seed=1),
        Task("pairs", "clothing-title-review", max_items=n or 150, seed=1),
    ]


@dataclass
class BenchmarkRun:
    """What :func:`score_matrix` returns."""

    scores: pd.DataFrame                  # configs x tasks, each task's main score
    families: dict[str, str]              # config label -> family (its model)
    kinds: dict[str, str]                 # task label -> task kind
    datasets: dict = field(default_factory=dict)   # retrieval task label -> the evaluated RetrievalDataset
    vectors: dict = field(default_factory=dict)    # (config label, retrieval task label) -> (Q, X); None: lexical
    seconds: dict = field(default_factory=dict)    # model -> seconds spent embedding (cache hits are fast)
    texts: dict = field(default_factory=dict)      # task label -> distinct texts embedded


def _texts(kind: str, ds) -> tuple[list[str], list]:
    """The distinct texts a task embeds, and how to rebuild its model input from their rows."""
    if kind in ("sts", "pairs"):
        uniq = list(dict.fromkeys([*ds.text1, *ds.text2]))
        at = {t: i for i, t in enumerate(uniq)}
        return uniq, [[at[t] for t in ds.text1], [at[t] for t in ds.text2]]
    if kind == "retrieval":
        uniq = list(dict.fromkeys([*ds.query_texts, *ds.documents]))
        at = {t: i for i, t in enumerate(uniq)}
        return uniq, [[at[t] for t in ds.query_texts], [at[t] for t in ds.documents]]
    uniq = list(dict.fromkeys(ds.texts))
    at = {t: i for i, t in enumerate(uniq)}
    return uniq, [[at[t] for t in ds.texts]]


def _unit(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    n = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, n, out=np.zeros_like(X), where=n > 0)


def _compress(V: np.ndarray, spec: str | None) -> np.ndarray:
    if spec is None:
        return V
    from ..compress import make_compressor  # noqa: PLC0415

    comp = make_compressor(spec).fit(V)
    return _unit(comp.inverse_transform(comp.transform(V)))


def _tfidf(texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415

    M = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True,
                        max_features=4096).fit_transform(texts)
    return _unit(M.toarray())


def _model_input(kind: str, V: np.ndarray, rows: list):
    parts = [V[r] for r in rows]
    return parts[0] if len(parts) == 1 else tuple(parts)


def score_matrix(configs: Sequence[Config] = DEFAULT_CONFIGS, tasks: Sequence[Task] | None = None, *,
                 max_length: int = 128, batch_size: int = 32, n_resamples: int = 0, seed: int = 0,
                 show_progress: bool | None = None) -> BenchmarkRun:
    """Main scores of every configuration on every task, each model running once per task.

    Parameters
    ----------
    configs : sequence of Config
        Distinct labels; transformer configurations need a pooling.
    tasks : sequence of Task, optional
        Default :func:`benchmark_tasks`.
    max_length : int, default 128
        Tokens per text for the transformers.
    batch_size : int, default 32
    n_resamples : int, default 0
        Bootstrap resamples per score (0: none; the matrix needs only the scores).
    seed : int, default 0
        Seed of the random floor's vectors.
    show_progress : bool, optional

    Returns
    -------
    BenchmarkRun

    Examples
    --------
    >>> from workbench.evaluate import Task
    >>> run = score_matrix([Config("minilm/mean", "minilm", "mean"), Config("random", "random")],
    ...                    [Task("sts", "lee-pairs", max_items=60)])
    >>> run.scores.shape, bool(run.scores.loc["minilm/mean"].iloc[0] > run.scores.loc["random"].iloc[0])
    ((2, 1), True)
    """
    from ..bm25 import BM25  # noqa: PLC0415
    from ..models import load_encoder  # noqa: PLC0415
    from .tasks import MAIN_METRIC, TASKS  # noqa: PLC0415

    configs = list(configs)
    labels = [c.label for c in configs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"configuration labels must be distinct, got {labels}")
    tasks = list(benchmark_tasks() if tasks is None else tasks)
    if not configs or not tasks:
        raise ValueError("score_matrix needs at least one configuration and one task")
    task_labels = [t.label for t in tasks]
    if len(set(task_labels)) != len(task_labels):
        raise ValueError(f"task labels must be distinct, got {task_labels}; set Task(name=...)")
    by_model: dict[str, list[Config]] = {}
    for c in configs:
        by_model.setdefault(c.model, []).append(c)
    scores = pd.DataFrame(np.nan, index=labels, columns=task_labels)
    run = BenchmarkRun(scores, {c.label: c.family for c in configs}, {t.label: t.kind for t in tasks})
    encoders: dict = {}
    with progress.bar(len(tasks) * len(by_model), "score matrix", show_progress) as bar:
        for task in tasks:
            ds = task.load()
            uniq, rows = _texts(task.kind, ds)
            run.texts[task.label] = len(uniq)
            if task.kind == "retrieval":
                run.datasets[task.label] = ds
            evaluate, main = TASKS[task.kind], MAIN_METRIC[task.kind]
            for model, group in by_model.items():
                bar.update(1)
                start = time.perf_counter()
                arrays: dict[str, np.ndarray] = {}
                if model == "random":
                    rng = np.random.default_rng(seed)
                    arrays[""] = _unit(rng.normal(size=(len(uniq), 384)))
                elif model == "lexical":
                    arrays[""] = None if task.kind == "retrieval" else _tfidf(uniq)
                else:
                    if model not in encoders:
                        encoders[model] = load_encoder(model)
                    enc = encoders[model]
                    if getattr(enc, "model", None) is None:  # static vectors: one array
                        with warnings.catch_warnings():  # out-of-vocabulary words are part of the measure
                            warnings.filterwarnings("ignore", message=".*vocabulary.*")
                            arrays[""] = _unit(enc.encode(uniq, batch_size=batch_size))
                    else:
                        poolings = sorted({c.pooling or enc.pooling for c in group})
                        with warnings.catch_warnings():  # truncation to max_length is the design here
                            warnings.filterwarnings("ignore", category=TruncationWarning)
                            grid = enc.encode_poolings(uniq, poolings, max_length=max_length,
                                                       batch_size=batch_size, normalize=False, show_progress=False)
                        for c in group:
                            arrays[c.label] = _unit(grid[c.pooling or enc.pooling][c.layer])
                run.seconds[model] = run.seconds.get(model, 0.0) + time.perf_counter() - start
                for c in group:
                    V = arrays.get(c.label, arrays.get(""))
                    if V is None:  # lexical retrieval: BM25
                        res = evaluate(BM25(), ds, n_resamples=n_resamples, **task.options)
                        run.vectors[(c.label, task.label)] = None
                    else:
                        V = _compress(V, c.compression)
                        res = evaluate(_model_input(task.kind, V, rows), ds, n_resamples=n_resamples,
                                       **task.options)
                        if task.kind == "retrieval":
                            run.vectors[(c.label, task.label)] = (V[rows[0]], V[rows[1]])
                    value = float(res[main])
                    # every similarity equal: the system cannot order the pairs, which is no correlation
                    scores.loc[c.label, task.label] = 0.0 if np.isnan(value) and task.kind == "sts" else value
    return run


def _rank(run: BenchmarkRun, label: str, task: str, ds, keep: np.ndarray | None = None) -> dict:
    """Query id -> ranked doc ids of one configuration on ``ds`` (a sub-corpus: ``keep`` masks the full rows)."""
    from ..bm25 import BM25  # noqa: PLC0415
    from ..search import exact_search  # noqa: PLC0415

    depth = min(100, len(ds.corpus))
    vectors = run.vectors[(label, task)]
    if vectors is None:
        _, ids = BM25().fit(ds.documents).search(ds.query_texts, depth)
    else:
        Q, X = vectors
        _, ids = exact_search(Q, X if keep is None else X[keep], depth)
    return {q: [ds.doc_ids[j] for j in row if j >= 0] for q, row in zip(ds.query_ids, np.asarray(ids))}


def corpus_fidelity(run: BenchmarkRun, task: str, ks: Sequence[int] = (2, 5, 10, 20), *,
                    pool: Sequence[str] = ("minilm/mean", "lexical"), n_random: int = 5,
                    seed: int = 0) -> pd.DataFrame:
    """Cost against ranking fidelity when a retrieval corpus is cut to pooled hard negatives.

    For every ``k`` the corpus keeps each query's relevant documents and the top ``k``
    of every ``pool`` configuration (MMTEB's hard-negative sampling); the configurations
    are scored again on it, and their order is compared with the full corpus's
    (Kendall's tau of nDCG@10, over all configurations and over those outside the pool,
    which the pooling cannot favour). A random corpus of the same size (``n_random``
    draws, mean tau) is the baseline.

    Returns
    -------
    DataFrame with ``k, docs, fraction, tau_hard, tau_hard_unpooled, tau_random, ndcg_shift``
    (``ndcg_shift``: mean rise of nDCG@10 on the smaller corpus)
    """
    from scipy.stats import kendalltau  # noqa: PLC0415

    from .downsample import hard_negative_corpus  # noqa: PLC0415
    from .retrieval import ranking_metrics, retrieval_subset  # noqa: PLC0415

    if task not in run.datasets:
        raise ValueError(f"{task!r} is not a retrieval task of this run; retrieval tasks: {sorted(run.datasets)}")
    unknown = [p for p in pool if p not in run.families]
    if unknown:
        raise ValueError(f"pool configurations {unknown} are not in the run; configurations: {list(run.families)}")
    ds = run.datasets[task]
    labels = list(run.scores.index)
    full = run.scores[task].to_numpy(float)
    unpooled = np.array([lab not in pool for lab in labels])
    runs = [_rank(run, p, task, ds) for p in pool]
    position = {d: i for i, d in enumerate(ds.doc_ids)}

    def scored(sub) -> np.ndarray:
        keep = np.array([position[d] for d in sub.doc_ids])
        return np.array([ranking_metrics(_rank(run, lab, task, sub, keep), sub.qrels)["ndcg@10"] for lab in labels])

    def tau(a, b) -> float:
        return float(kendalltau(a, b).statistic)

    rows = []
    for k in ks:
        sub = hard_negative_corpus(ds, runs, int(k))
        hard = scored(sub)
        rand = []
        for i in range(n_random):
            other = retrieval_subset(ds, len(ds.queries), len(sub.corpus), seed=seed + i)
            rand.append(tau(full, scored(other)))
        rows.append({"k": int(k), "docs": len(sub.corpus), "fraction": len(sub.corpus) / len(ds.corpus),
                     "tau_hard": tau(full, hard), "tau_hard_unpooled": tau(full[unpooled], hard[unpooled]),
                     "tau_random": float(np.mean(rand)), "ndcg_shift": float(np.mean(hard - full))})
    return pd.DataFrame(rows)
