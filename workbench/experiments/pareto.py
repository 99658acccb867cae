"""Size against quality: every compression method on one retrieval task, as a table and a chart.

:func:`pareto` embeds (or takes) a retrieval set's queries and documents, compresses the
documents with each method, searches with float queries, and scores the rankings with
MTEB's metrics (``workbench.evaluate.retrieval.ranking_metrics``). A method is a
compressor spec (``"int8"``, ``"binary"``, ``"pq32"``, ``"pca128>int8"``, ...), an index
name (``"hnsw"``), ``"float32"`` (the exact baseline), and any of them followed by
``+rescore``: the top ``rescore_multiplier x k`` candidates are re-ranked against float32
(or int8) document vectors, which a bi-granular store keeps on disk. ``bytes/vector`` is
what the first stage holds in memory per document; ``rescore bytes`` what re-ranking
reads. :func:`pareto_figure` draws the table with its Pareto front. Left out: compressing
the queries (they stay float32, as in asymmetric search).
"""

from __future__ import annotations

import time
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import theme
from ..vectors import check_vectors

DEFAULT_METHODS = ("float32", "truncate128", "pca128", "int8", "int4", "binary", "binary+rescore",
                   "pq32", "pq32+rescore", "pca128>int8")


def _vectors(model, dataset, query_prompt, doc_prompt, encode_kwargs):
    from ..evaluate.inputs import is_encoder, reject_name  # noqa: PLC0415

    reject_name(model)
    qn, dn = len(dataset.queries), len(dataset.corpus)
    if isinstance(model, tuple):
        if len(model) != 2:
            raise ValueError("precomputed vectors must be a (query_vectors, doc_vectors) pair")
        if encode_kwargs or query_prompt or doc_prompt:
            raise TypeError("encode options and prompts only apply to an encoder, not precomputed vectors")
        return (check_vectors(model[0], "query_vectors", n_rows=qn, dtype=np.float32),
                check_vectors(model[1], "doc_vectors", n_rows=dn, dtype=np.float32))
    if not is_encoder(model):
        raise TypeError(f"model must be an Encoder or a (query_vectors, doc_vectors) tuple, got {type(model).__name__}")
    encode_kwargs.setdefault("show_progress", None)
    prompt = encode_kwargs.pop("prompt", None)
    Q = model.encode(dataset.query_texts, prompt=query_prompt or prompt, **encode_kwargs)
    X = model.encode(dataset.documents, prompt=doc_prompt or prompt, **encode_kwargs)
    return (check_vectors(Q, "query vectors", n_rows=qn, dtype=np.float32),
            check_vectors(X, "document vectors", n_rows=dn, dtype=np.float32))


def _index_for(method: str, calibration, rescore_multiplier: int, rescore_with: str):
    from ..compress.registry import make_compressor  # noqa: PLC0415
    from ..search.indexes import INDEXES, CodeIndex, FlatIndex  # noqa: PLC0415
    from ..search.registry import make_index  # noqa: PLC0415
    from ..search.rescore import RescoredIndex  # noqa: PLC0415

    base, plus, tail = method.partition("+")
    if plus and tail != "rescore":
        raise ValueError(f"method {method!r}: the only suffix is '+rescore'")
    if base == "float32":
        index = FlatIndex()
        index.name = "float32"
    elif calibration is not None and base not in INDEXES:
        index = CodeIndex(make_compressor(base).fit(calibration))
        index.name = base
    else:
        index = make_index(base)
    if plus:
        index = RescoredIndex(index, rescore_multiplier=rescore_multiplier, rescore_with=rescore_with)
    return index


def check_pareto_method(method: str) -> None:
    """Raise a ValueError naming what is accepted when ``method`` is not a valid method spec.

    Examples
    --------
    >>> check_pareto_method("pca128>int8+rescore")
    """
    if not isinstance(method, str) or not method:
        raise ValueError(f"a method is a non-empty string, got {method!r}")
    _index_for(method, None, 4, "float32")


def _first_stage_bytes(index, X) -> float:
    from ..search.indexes import CodeIndex, FlatIndex  # noqa: PLC0415
    from ..search.rescore import RescoredIndex  # noqa: PLC0415

    inner = index.base if isinstance(index, RescoredIndex) else index
    if isinstance(inner, FlatIndex):
        return 4.0 * X.shape[1]
    if isinstance(inner, CodeIndex):
        return float(inner.compressor_.bytes_per_vector)
    return inner.memory_bytes / len(X)


def pareto(model, dataset, methods: Sequence[str] = DEFAULT_METHODS, *, k_values: Sequence[int] = (10,),
           rescore_multiplier: int = 4, rescore_with: str = "float32", calibration=None,
           query_prompt: str | None = None, doc_prompt: str | None = None, **encode_kwargs) -> pd.DataFrame:
    """Size-vs-quality table of compression methods on a retrieval set.

    Parameters
    ----------
    model : Encoder or (query_vectors, doc_vectors)
        Vectors are aligned with ``dataset.query_ids`` and ``dataset.doc_ids``.
    dataset : RetrievalDataset
    methods : sequence of str
        Method specs (see the module docstring); ``"float32"`` is added first if missing,
        as the reference of ``retention``.
    k_values : sequence of int, default (10,)
        Cut-offs of ``recall@k`` (nDCG@10 is always reported).
    rescore_multiplier : int, default 4
        Candidates re-ranked per query by ``+rescore`` methods, as a multiple of k.
    rescore_with : {"float32", "int8"}
        Vectors the ``+rescore`` methods re-rank against.
    calibration : (c, d) array, optional
        Vectors the compressors are fitted on (default: the documents themselves).
    query_prompt, doc_prompt : str, optional
    **encode_kwargs
        Passed to ``Encoder.encode``.

    Returns
    -------
    DataFrame with method, bytes/vector, rescore bytes, compression, ndcg@10, recall@k,
    retention (nDCG@10 over float32's), build s (fit and compress the corpus), search s
    (all queries), pareto (on the size-quality front)

    Examples
    --------
    >>> from workbench.datasets import RetrievalDataset
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 16)).astype(np.float32); X /= np.linalg.norm(X, axis=1, keepdims=True)
    >>> ds = RetrievalDataset("toy", {f"d{i}": "" for i in range(60)}, {f"q{i}": "" for i in range(20)},
    ...                       {f"q{i}": {f"d{i}": 1} for i in range(20)})
    >>> table = pareto((X[:20], X), ds, methods=["int8", "binary+rescore"])
    >>> table[["method", "bytes/vector", "retention"]].values.tolist()
    [['float32', 64.0, 1.0], ['int8', 16.0, 1.0], ['binary+rescore', 2.0, 1.0]]
    """
    from ..evaluate.retrieval import check_dataset, ranking_metrics  # noqa: PLC0415

    check_dataset(dataset)
    methods = list(methods)
    if not methods or not all(isinstance(m, str) and m for m in methods):
        raise ValueError(f"methods must be a non-empty list of method specs, got {methods!r}")
    if "float32" not in methods:
        methods.insert(0, "float32")
    for method in methods:  # a bad spec fails before any encoding
        check_pareto_method(method)
    Q, X = _vectors(model, dataset, query_prompt, doc_prompt, dict(encode_kwargs))
    if calibration is not None:
        calibration = check_vectors(calibration, "calibration", min_rows=0, dim=X.shape[1], dtype=np.float32,
                                    purpose=f"the {X.shape[1]}-d document vectors")
    ks = sorted({int(k) for k in k_values} | {10})
    k = min(max(ks), len(X))
    dids = dataset.doc_ids
    rows = []
    for method in methods:
        index = _index_for(method, calibration, rescore_multiplier, rescore_with)
        index.fit(X)
        start = time.perf_counter()
        _, ids = index.search(Q, k)
        seconds = time.perf_counter() - start
        ranked = [[dids[j] for j in row if j >= 0] for row in ids]
        res = ranking_metrics(ranked, dataset.qrels, ks, query_ids=dataset.query_ids)
        first = _first_stage_bytes(index, X)
        second = getattr(index, "vectors_", None)
        rows.append({"method": method, "bytes/vector": first,
                     "rescore bytes": 0.0 if second is None else second.nbytes / len(X),
                     "compression": 4.0 * X.shape[1] / first, "ndcg@10": res["ndcg@10"],
                     **{f"recall@{kk}": res[f"recall@{kk}"] for kk in ks if kk != 10 or 10 in k_values},
                     "build s": index.build_seconds_, "search s": seconds})
    table = pd.DataFrame(rows)
    base = table.loc[table["method"] == "float32", "ndcg@10"].iloc[0]
    table.insert(table.columns.get_loc("ndcg@10") + 1, "retention", table["ndcg@10"] / base if base > 0 else np.nan)
    table["pareto"] = pareto_front(table["bytes/vector"].to_numpy(), table["ndcg@10"].to_numpy())
    return table


def pareto_front(cost: Any, quality: Any) -> np.ndarray:
    """Which points are on the Pareto front of low ``cost`` (e.g. bytes per vector) and high ``quality``.

    Tie rule: a point is on the front unless some other point is at least as good in
    both (cost no higher, quality no lower) and strictly better in one. So exact
    duplicates of a front point are all on the front, and a point that only ties
    another on cost but has lower quality (or ties on quality at a higher cost) is not.
    A point with a NaN cost or quality is never on the front and beats no other point.

    Parameters
    ----------
    cost, quality : array-like of shape (n,)

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
        True for the points on the front, in the input order (``np.flatnonzero`` gives
        their indices).

    Examples
    --------
    >>> pareto_front([1, 2, 3], [0.5, 0.4, 0.9]).tolist()
    [True, False, True]
    >>> pareto_front([1, 1, 1, 2], [0.5, 0.5, 0.4, 0.5]).tolist()  # duplicates stay; ties lose
    [True, True, False, False]
    """
    cost, quality = np.asarray(cost, dtype=float), np.asarray(quality, dtype=float)
    if cost.shape != quality.shape or cost.ndim != 1:
        raise ValueError(f"cost and quality must be 1-d of the same length, got {cost.shape} and {quality.shape}")
    front = np.zeros(len(cost), dtype=bool)
    idx = np.flatnonzero(~(np.isnan(cost) | np.isnan(quality)))
    if not len(idx):
        return front
    idx = idx[np.lexsort((-quality[idx], cost[idx]))]  # cheapest first, best first within a cost
    c, q = cost[idx], quality[idx]
    start = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])  # first position of each cost group
    group = np.repeat(start, np.diff(np.r_[start, len(c)]))
    best_before = np.r_[-np.inf, np.maximum.accumulate(q)][group]  # best quality at a strictly lower cost
    front[idx] = (q == q[group]) & (q > best_before)
    return front


def pareto_figure(table: pd.DataFrame, *, quality: str = "ndcg@10", title: str | None = None):
    """Plotly chart of a :func:`pareto` table: bytes per vector (log) against ``quality``.

    Methods with ``+rescore`` are drawn as a second trace, and the Pareto front as a line.
    Needs plotly (the ``viz`` extra); :func:`pareto` itself does not.

    Examples
    --------
    >>> table = pd.DataFrame({"method": ["float32", "binary", "binary+rescore"], "bytes/vector": [1536., 48, 48],
    ...                       "ndcg@10": [0.5, 0.4, 0.49], "pareto": [True, False, True]})
    >>> [t.name for t in pareto_figure(table).data]
    ['compressed', 'with rescoring', 'Pareto front']
    """
    from ..packages import require  # noqa: PLC0415

    go = require("plotly.graph_objects", "viz", "pareto_figure")
    if quality not in table.columns:
        raise ValueError(f"no column {quality!r} in the table; valid: {', '.join(table.columns)}")
    fig = go.Figure()
    rescored = table["method"].str.endswith("+rescore").to_numpy()
    size = table["bytes/vector"].to_numpy(float)
    # labels placed together so that close points (int4 and int4+rescore) do not write over each other
    where = np.asarray(theme.place_labels(size, table[quality].to_numpy(float), table["method"].astype(str).tolist(),
                                          log_x=True, width=560, height=300), dtype=object)
    groups = [("compressed", ~rescored, "circle", theme.QUALITATIVE[0]),
              ("with rescoring", rescored, "diamond", theme.QUALITATIVE[3])]
    for name, mask, symbol, colour in groups:
        part = table[mask]
        fig.add_trace(go.Scatter(x=part["bytes/vector"], y=part[quality], mode="markers+text", name=name,
                                 text=part["method"], textposition=list(where[mask]), cliponaxis=False,
                                 marker={"size": 10, "symbol": symbol, "color": colour}))
    front = table[table["pareto"]].sort_values("bytes/vector")
    fig.add_trace(go.Scatter(x=front["bytes/vector"], y=front[quality], mode="lines", name="Pareto front",
                             line={"dash": "dot", "color": "grey"}))
    finite = size[np.isfinite(size) & (size > 0)]
    ticks = theme.log_ticks(float(finite.min()), float(finite.max())) if len(finite) else None
    span = np.log10(finite.max() / finite.min()) if len(finite) else 1.0
    fig.update_layout(title=title or f"{quality} against bytes per vector", xaxis_title="bytes per vector (log)",
                      yaxis_title=quality, template=theme.template(),
                      xaxis=dict(type="log", tickvals=ticks, ticktext=[theme.tick_text(t) for t in ticks or []],
                                 range=[np.log10(finite.min()) - 0.08 * span, np.log10(finite.max()) + 0.08 * span]
                                 if len(finite) else None))
    return fig
