"""Retrieval evaluation in MTEB's conventions: nDCG@10 (main), MAP@100, MRR@10, recall@k.

:func:`ranking_metrics` is the pure core: rankings and graded relevance judgements in,
metrics out, per query or averaged. Definitions follow ``trec_eval`` (which MTEB calls
through ``pytrec_eval``):

* nDCG@k -- linear gain ``rel`` discounted by ``log2(rank + 1)``, divided by the DCG of
  the ideal ordering of *all* judged documents (the gain of ``sklearn.metrics.ndcg_score``);
* MAP@k -- precision at each relevant rank within the top k, summed and divided by the
  number of relevant documents of the query;
* MRR@k -- reciprocal rank of the first relevant document within the top k, else 0;
* recall@k -- relevant documents in the top k over all relevant documents of the query.

A document is relevant when its judgement is above zero. A document whose id equals
the query id is kept unless ``ignore_identical_ids=True`` (BEIR drops them by default).
:func:`evaluate_retrieval` embeds (or takes) query and document vectors, searches --
exactly by default, or with any index you pass -- and scores the rankings, with a
bootstrap CI of nDCG@10 over queries. ``BM25`` from :mod:`workbench.bm25` is accepted in
place of an encoder. Left out: re-ranking, multi-vector models, judged-only metrics.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from ..search import exact_search
from ..vectors import check_vectors
from . import stats
from .inputs import is_encoder, reject_name, require_nonempty

if TYPE_CHECKING:
    from ..datasets import RetrievalDataset

K_VALUES = (1, 2, 3, 5, 10, 20, 100)
MAIN = "ndcg@10"


def _rankings(ranked, query_ids: Sequence[str] | None, qrels: Mapping) -> tuple[list[str], list[list[str]]]:
    """Normalise the accepted ranking forms to (query ids, ranked doc ids per query)."""
    if isinstance(ranked, Mapping):
        qids = list(ranked) if query_ids is None else list(query_ids)
        missing = [q for q in qids if q not in ranked]
        if missing:
            raise ValueError(f"no ranking for {len(missing)} queries, e.g. {missing[:3]}")
        lists = []
        for q in qids:
            r = ranked[q]
            if isinstance(r, Mapping):  # a run: doc id -> score; ties broken by doc id
                lists.append([d for d, _ in sorted(r.items(), key=lambda item: (-float(item[1]), str(item[0])))])
            else:
                lists.append([str(d) for d in r])
        return qids, lists
    lists = [[str(d) for d in r] for r in ranked]
    qids = list(qrels) if query_ids is None else list(query_ids)
    if len(qids) != len(lists):
        raise ValueError(f"{len(lists)} rankings for {len(qids)} query ids; pass query_ids aligned with the rankings")
    return qids, lists


def ranking_metrics(ranked, qrels: Mapping[str, Mapping[str, int]], k_values: Sequence[int] = K_VALUES, *,
                    query_ids: Sequence[str] | None = None, per_query: bool = False,
                    ignore_identical_ids: bool = False) -> dict:
    """nDCG@10, MAP@100, MRR@10 and recall@k of rankings against graded judgements.

    Parameters
    ----------
    ranked : list of lists of doc ids, or dict
        Best-first document ids per query (a list aligned with ``query_ids``, by
        default with the keys of ``qrels``), or a dict query id -> list of doc ids, or
        a dict query id -> {doc id: score} (a run; equal scores ordered by doc id).
    qrels : dict of query id -> {doc id: relevance}
        Graded judgements; only relevances above zero count as relevant.
    k_values : sequence of int
        Cut-offs of ``recall@k``.
    query_ids : sequence of str, optional
        Which queries are evaluated, in order (default: all ranked queries).
    per_query : bool, default False
        Also return ``"per_query"``: metric -> array of per-query values.
    ignore_identical_ids : bool, default False
        Drop a retrieved document whose id equals the query id.

    Returns
    -------
    dict with ``ndcg@10``, ``map@100``, ``mrr@10``, ``recall@k`` for each k, ``n``

    Raises
    ------
    ValueError
        When a query has no relevant document in ``qrels``, or ``k_values`` is bad.

    Examples
    --------
    >>> res = ranking_metrics([["d2", "d1", "d3"]], {"q1": {"d1": 1}}, k_values=(1, 2))
    >>> res["mrr@10"], res["recall@1"], res["recall@2"], round(res["ndcg@10"], 4)
    (0.5, 0.0, 1.0, 0.6309)
    """
    ks = sorted({int(k) for k in k_values})
    if not ks or ks[0] < 1:
        raise ValueError(f"k_values must be positive ints, got {list(k_values)}")
    qids, lists = _rankings(ranked, query_ids, qrels)
    require_nonempty(len(qids), "queries")
    no_rel = [q for q in qids if not any(r > 0 for r in qrels.get(q, {}).values())]
    if no_rel:
        raise ValueError(f"{len(no_rel)} of {len(qids)} queries have no relevant document in qrels, "
                         f"e.g. {no_rel[:3]}; drop them (RetrievalDataset.select_queries) or add judgements")
    names = ["ndcg@10", "map@100", "mrr@10", *[f"recall@{k}" for k in ks]]
    out = {m: np.zeros(len(qids)) for m in names}
    discount = 1.0 / np.log2(np.arange(2, 102))
    for i, (q, docs) in enumerate(zip(qids, lists)):
        rel = {d: float(r) for d, r in qrels[q].items() if r > 0}
        if ignore_identical_ids:
            docs = [d for d in docs if d != q]
        if len(set(docs)) != len(docs):
            raise ValueError(f"query {q!r}: the ranking lists a document twice")
        gains = np.array([rel.get(d, 0.0) for d in docs[:max(100, ks[-1])]])
        hit = gains > 0
        n_rel = len(rel)
        ideal = np.sort(np.array(list(rel.values())))[::-1][:10]
        out["ndcg@10"][i] = (gains[:10] * discount[:len(gains[:10])]).sum() / (ideal * discount[:len(ideal)]).sum()
        h100 = hit[:100]
        precision_at = np.cumsum(h100) / np.arange(1, len(h100) + 1)
        out["map@100"][i] = precision_at[h100].sum() / n_rel
        first = np.flatnonzero(hit[:10])
        out["mrr@10"][i] = 1.0 / (first[0] + 1) if len(first) else 0.0
        for k in ks:
            out[f"recall@{k}"][i] = hit[:k].sum() / n_rel
    result = {m: float(v.mean()) for m, v in out.items()}
    result["n"] = len(qids)
    if per_query:
        result["per_query"] = out
    return result


def truncate(X: np.ndarray, dim: int | None) -> np.ndarray:
    """First ``dim`` coordinates of each row, re-normalised to unit length.

    Examples
    --------
    >>> truncate(np.array([[3.0, 4.0, 12.0]]), 2).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """
    if dim is None:
        return X
    if not isinstance(dim, (int, np.integer)) or not 1 <= dim <= X.shape[1]:
        raise ValueError(f"dim must be an int in 1..{X.shape[1]} (the vector width), got {dim!r}")
    Y = np.ascontiguousarray(X[:, :dim], dtype=np.float32)
    norms = np.linalg.norm(Y, axis=1, keepdims=True)
    return np.divide(Y, norms, out=np.zeros_like(Y), where=norms > 0)


def _search(index, Q: np.ndarray, X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    if index is None:
        return exact_search(Q, X, k)
    if callable(index) and not hasattr(index, "search"):
        return index(Q, X, k)  # a function like workbench.search.exact_search
    if hasattr(index, "fit"):
        index.fit(X)
    elif hasattr(index, "add") and getattr(index, "ntotal", 0) == 0:
        index.add(np.ascontiguousarray(X, np.float32))  # a bare faiss index
    if not hasattr(index, "search"):
        raise TypeError(f"index must have search(queries, k) or be a function (Q, X, k); got {type(index).__name__}")
    return index.search(np.ascontiguousarray(Q, np.float32), min(k, len(X)))


def check_dataset(dataset: "RetrievalDataset") -> None:
    """Raise a clear ValueError for an empty set, unjudged queries or unknown judged documents."""
    require_nonempty(len(dataset.queries), "queries")
    require_nonempty(len(dataset.corpus), "documents")
    unjudged = [q for q in dataset.query_ids if not dataset.qrels.get(q)]
    if unjudged:
        raise ValueError(f"{dataset.name}: {len(unjudged)} queries have no qrels (relevant documents), "
                         f"e.g. {unjudged[:3]}; keep only judged queries with dataset.select_queries(...)")
    unknown = sorted({d for rel in dataset.qrels.values() for d in rel if d not in dataset.corpus})
    if unknown:
        raise ValueError(f"{dataset.name}: qrels name {len(unknown)} documents missing from the corpus, "
                         f"e.g. {unknown[:3]}")


def evaluate_retrieval(model, dataset: "RetrievalDataset", *, k_values: Sequence[int] = K_VALUES,
                       query_prompt: str | None = None, doc_prompt: str | None = None, index=None,
                       dim: int | None = None, per_query: bool = False, ignore_identical_ids: bool = False,
                       n_resamples: int = 1000, **encode_kwargs) -> dict:
    """Retrieve for every query of ``dataset`` and score the rankings, MTEB style.

    Parameters
    ----------
    model : Encoder, BM25 or (query_vectors, doc_vectors)
        An encoder (queries and documents embedded with ``encode_kwargs`` and their
        prompts), a :class:`workbench.bm25.BM25` (fitted here on the corpus), or
        precomputed vectors aligned with ``dataset.query_ids`` and ``dataset.doc_ids``.
    dataset : RetrievalDataset
    k_values : sequence of int, default (1, 2, 3, 5, 10, 20, 100)
        Cut-offs of ``recall@k``.
    query_prompt, doc_prompt : str, optional
        Prompts for queries and for documents (default: ``encode_kwargs["prompt"]``).
    index : optional
        Search backend: a function ``(Q, X, k) -> (scores, ids)``, an object with
        ``fit(X)`` (or a faiss index with ``add``) and ``search(Q, k)``; default exact.
    dim : int, optional
        Keep the first ``dim`` coordinates of every vector (Matryoshka-style
        truncation). Vectors are always re-normalised, so the search ranks by cosine.
    per_query : bool, default False
        Also return ``"per_query"``: metric -> array aligned with ``dataset.query_ids``.
    ignore_identical_ids : bool, default False
        Drop a retrieved document whose id equals the query id.
    n_resamples : int, default 1000
        Bootstrap resamples for ``ndcg@10_ci`` (0 skips it).
    **encode_kwargs
        Passed to ``Encoder.encode``: ``options=`` (an ``EncodeOptions``) and any of its
        fields (pooling, layer, precision, ...), ``batch_size``, ``cache``.

    Returns
    -------
    dict with ``ndcg@10``, ``map@100``, ``mrr@10``, ``recall@k``, ``n`` and
    ``ndcg@10_ci`` (95% bootstrap interval over queries)

    Examples
    --------
    >>> from workbench.datasets import RetrievalDataset
    >>> from workbench.bm25 import BM25
    >>> ds = RetrievalDataset("toy", corpus={"a": "cats purr", "b": "dogs bark", "c": "birds sing"},
    ...                       queries={"q1": "dogs that bark", "q2": "cats purr"},
    ...                       qrels={"q1": {"b": 1}, "q2": {"a": 1}})
    >>> evaluate_retrieval(BM25(), ds, n_resamples=0)["recall@1"]
    1.0
    """
    reject_name(model)
    check_dataset(dataset)
    qids, dids = dataset.query_ids, dataset.doc_ids
    k_max = max(100, *[int(k) for k in k_values])
    if isinstance(model, tuple):
        if len(model) != 2:
            raise ValueError("precomputed vectors must be a (query_vectors, doc_vectors) pair")
        if encode_kwargs or query_prompt or doc_prompt:
            raise TypeError("encode options and prompts only apply to an encoder, not precomputed vectors")
        Q = check_vectors(model[0], "query_vectors", n_rows=len(qids), dtype=np.float32)
        X = check_vectors(model[1], "doc_vectors", n_rows=len(dids), dtype=np.float32)
    elif hasattr(model, "fit") and hasattr(model, "search") and not is_encoder(model):  # BM25 and alike
        if dim is not None or index is not None or encode_kwargs:
            raise TypeError(f"dim, index and encode options do not apply to a lexical model ({model!r})")
        model.fit(dataset.documents)
        _, ids = model.search(dataset.query_texts, k_max)
        Q = X = None
    elif is_encoder(model):
        encode_kwargs.setdefault("show_progress", None)
        # a side's own prompt replaces the shared one (from prompt= or options=); otherwise the shared one holds
        q_side = {"prompt": query_prompt} if query_prompt else {}
        d_side = {"prompt": doc_prompt} if doc_prompt else {}
        Q = check_vectors(model.encode(dataset.query_texts, **{**encode_kwargs, **q_side}),
                          "query vectors", n_rows=len(qids), dtype=np.float32)
        X = check_vectors(model.encode(dataset.documents, **{**encode_kwargs, **d_side}),
                          "document vectors", n_rows=len(dids), dtype=np.float32)
    else:
        raise TypeError(f"model must be an Encoder, a BM25 or a (query_vectors, doc_vectors) tuple, "
                        f"got {type(model).__name__}")
    if X is not None:
        if Q.shape[1] != X.shape[1]:
            raise ValueError(f"query vectors are {Q.shape[1]}-d but document vectors {X.shape[1]}-d")
        width = Q.shape[1] if dim is None else dim
        Q, X = truncate(Q, width), truncate(X, width)  # unit rows: inner product = cosine
        _, ids = _search(index, Q, X, k_max)
    ranked = [[dids[j] for j in row if j >= 0] for row in np.asarray(ids)]
    res = ranking_metrics(ranked, dataset.qrels, k_values, query_ids=qids, per_query=True,
                          ignore_identical_ids=ignore_identical_ids)
    if n_resamples:
        res[f"{MAIN}_ci"] = stats.bootstrap_ci(res["per_query"][MAIN], n_resamples=n_resamples) \
            if len(qids) > 1 else (res[MAIN], res[MAIN])
    if not per_query:
        del res["per_query"]
    return res


def retrieval_subset(dataset: "RetrievalDataset", n_queries: int, n_docs: int | None = None,
                     seed: int = 0) -> "RetrievalDataset":
    """A smaller, deterministic retrieval set: some queries, their documents and distractors.

    ``n_queries`` queries are drawn with ``seed``; the corpus keeps every document
    they judge relevant plus the first other documents (in a seeded order) up to
    ``n_docs`` in all (default: the whole corpus). Corpus order is preserved.

    Examples
    --------
    >>> from workbench.datasets import RetrievalDataset
    >>> ds = RetrievalDataset("toy", {f"d{i}": str(i) for i in range(10)},
    ...                       {f"q{i}": str(i) for i in range(10)}, {f"q{i}": {f"d{i}": 1} for i in range(10)})
    >>> small = retrieval_subset(ds, 3, n_docs=5)
    >>> len(small.queries), len(small.corpus), all(d in small.corpus for r in small.qrels.values() for d in r)
    (3, 5, True)
    """
    rng = np.random.default_rng(seed)
    judged = [q for q in dataset.query_ids if dataset.qrels.get(q)]
    if not 1 <= n_queries:
        raise ValueError(f"n_queries must be at least 1, got {n_queries}")
    picked = sorted(rng.permutation(len(judged))[:n_queries])
    qids = [judged[i] for i in picked]
    needed = {d for q in qids for d in dataset.qrels[q]}
    if n_docs is not None and n_docs < len(needed):
        raise ValueError(f"n_docs={n_docs} is below the {len(needed)} documents the chosen queries judge relevant")
    others = [d for d in dataset.doc_ids if d not in needed]
    extra = len(others) if n_docs is None else n_docs - len(needed)
    keep = needed | {others[i] for i in rng.permutation(len(others))[:extra]}
    return replace(dataset, name=f"{dataset.name}[{len(qids)}q/{len(keep)}d]",
                   queries={q: dataset.queries[q] for q in qids},
                   qrels={q: dict(dataset.qrels[q]) for q in qids},
                   corpus={d: t for d, t in dataset.corpus.items() if d in keep},
                   titles={d: t for d, t in dataset.titles.items() if d in keep}, meta=dict(dataset.meta))
