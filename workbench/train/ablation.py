"""Synthetic-data ablation: which generated ingredient helps fine-tuning, with intervals and paired tests.

QZhou-Embedding (Yu et al. 2025) adds LLM-generated data to contrastive training:
queries written for unlabelled documents, paraphrased queries, and hard negatives
rewritten from positives. :func:`synthetic_ingredients` makes the three with a
:class:`~workbench.synthetic.Generator`, filters them (round-trip retrieval for
queries, cosine bands for paraphrases and negatives) and counts what each step kept;
:func:`ingredient_sets` stacks them one at a time on the real pairs, beside a control
that uses no generator (the real pairs with negatives mined by the base model);
:func:`ablation` trains a copy of the encoder on every set with the same budget and
scores each on a held-out retrieval set: nDCG@10 with a bootstrap interval, and a
paired test against the previous stage, the real pairs and the control.

Left out: mixing ratios tuned per ingredient, several generated candidates per source,
and a larger generator (pass any decoder to :class:`~workbench.synthetic.Generator`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd

from ..evaluate.retrieval import evaluate_retrieval
from ..evaluate.stats import paired_test
from ..synthetic import KINDS, Generated, generate, round_trip, score_band
from .data import TrainPairs
from .loop import TrainConfig, train
from .mining import mine_hard_negatives

if TYPE_CHECKING:
    from ..datasets import RetrievalDataset

__all__ = ["Ingredients", "ablation", "ablation_data", "ingredient_sets", "synthetic_ablation", "synthetic_ingredients"]


@dataclass
class Ingredients:
    """Filtered synthetic data for a set of real pairs, and what each step kept."""

    doc_queries: TrainPairs                 # (generated query, its unlabelled document)
    paraphrases: TrainPairs                 # (paraphrased real query, the real positive)
    negatives: dict[str, str]               # real positive -> generated hard negative
    counts: pd.DataFrame                    # per ingredient: sources, generated, dropped by reason, kept by the filter
    runs: dict[str, Generated] = field(default_factory=dict)  # the generation runs (throughput, raw outputs)


def synthetic_ingredients(generator, encoder, pairs: TrainPairs, documents: Sequence[str], *, k: int = 3,
                          paraphrase_band: tuple[float, float] = (0.6, 0.98), negative_low: float = 0.3,
                          batch_size: int = 8, max_new_tokens: int | None = None,
                          max_seconds: float | None = None, show_progress: bool | None = None) -> Ingredients:
    """Generate and filter the three ingredients for ``pairs`` (and unlabelled ``documents``).

    Filters (``encoder``: the base model, cosine similarity):

    * a query written for a document is kept when that document is in its top ``k``
      among the unlabelled documents and the real positives (round trip);
    * a paraphrase is kept when its cosine with the original query lies in
      ``paraphrase_band`` (close in meaning, not a copy);
    * a negative rewritten from a positive is kept when its cosine with the positive is
      at least ``negative_low`` (hard) and the query still prefers the positive.

    ``max_new_tokens`` caps every kind's token budget (a quick look); ``max_seconds``
    bounds each kind's generation time (a rerun continues from the cache).
    """
    enc_kw = {"show_progress": show_progress, "max_length": 128}
    docs = list(dict.fromkeys(documents))
    queries = list(dict.fromkeys(pairs.queries))
    positives = list(dict.fromkeys(pairs.positives))
    def run(texts, kind):
        budget = None if max_new_tokens is None else min(int(max_new_tokens), KINDS[kind].max_new_tokens)
        return generate(generator, texts, kind, batch_size=batch_size, max_new_tokens=budget,
                        max_seconds=max_seconds, show_progress=show_progress)

    gq, gp, gn = run(docs, "query"), run(queries, "paraphrase"), run(positives, "negative")
    rows = []

    def count(name, run: Generated, kept: int):
        rows.append({"ingredient": name, "sources": len(run.sources), "generated": len(run.sources)
                     - run.meta["not_generated"], **{f"dropped {r}": n for r, n in run.dropped().items()},
                     "cleaned": len(run.kept), "kept by filter": kept, "tokens": run.stored_tokens,
                     "tokens/s": run.tokens_per_second})

    # round trip: the generated query finds its own document among every document
    i_q = gq.kept
    pool = docs + [p for p in positives if p not in set(docs)]
    if i_q:
        Q = encoder.encode([gq.texts[i] for i in i_q], **enc_kw)
        X = encoder.encode(pool, **enc_kw)
        ok = round_trip(Q, X, i_q, k=k)
        i_q = [i for i, good in zip(i_q, ok) if good]
    doc_queries = TrainPairs("doc-queries", [gq.texts[i] for i in i_q], [docs[i] for i in i_q],
                             [f"doc-query:{i}" for i in i_q])
    count("query from document", gq, len(i_q))
    # paraphrases close to their original
    i_p = gp.kept
    if i_p:
        ok = score_band(encoder.encode([queries[i] for i in i_p], **enc_kw),
                        encoder.encode([gp.texts[i] for i in i_p], **enc_kw),
                        low=paraphrase_band[0], high=paraphrase_band[1])
        i_p = [i for i, good in zip(i_p, ok) if good]
    para_of = {queries[i]: gp.texts[i] for i in i_p}
    sel = [j for j, q in enumerate(pairs.queries) if q in para_of]
    paraphrases = TrainPairs("paraphrases", [para_of[pairs.queries[j]] for j in sel],
                             [pairs.positives[j] for j in sel], [pairs.groups[j] for j in sel])
    count("paraphrased query", gp, len(i_p))
    # negatives: close to the positive, yet below it for the query
    i_n = gn.kept
    negatives: dict[str, str] = {}
    if i_n:
        P = encoder.encode([positives[i] for i in i_n], **enc_kw)
        N = encoder.encode([gn.texts[i] for i in i_n], **enc_kw)
        hard = score_band(P, N, low=negative_low)
        query_of = {}
        for q, p in zip(pairs.queries, pairs.positives):
            query_of.setdefault(p, q)
        Qn = encoder.encode([query_of[positives[i]] for i in i_n], **enc_kw)
        prefers = (Qn * P).sum(1) > (Qn * N).sum(1)
        negatives = {positives[i]: gn.texts[i] for i, a, b in zip(i_n, hard, prefers) if a and b}
    count("hard negative", gn, len(negatives))
    return Ingredients(doc_queries, paraphrases, negatives, pd.DataFrame(rows),
                       runs={"query": gq, "paraphrase": gp, "negative": gn})


def _concat(name: str, *sets: TrainPairs) -> TrainPairs:
    return TrainPairs(name, [q for s in sets for q in s.queries], [p for s in sets for p in s.positives],
                      [g for s in sets for g in s.groups])


def ingredient_sets(encoder, pairs: TrainPairs, ing: Ingredients, *, corpus: Sequence[str] | None = None,
                    seed: int = 0) -> dict[str, TrainPairs]:
    """Training sets that add one ingredient at a time, and the generator-free control.

    ``real`` -> ``+ doc queries`` -> ``+ paraphrases`` -> ``+ generated negatives``;
    the control ``real + mined negatives`` mines one negative per pair with the base
    ``encoder`` over ``corpus`` (default: the real positives). In the last stage a pair
    whose positive has no kept generated negative gets the mined one, and
    ``meta["generated_negative_share"]`` says how many had a generated one.
    """
    pool = list(dict.fromkeys([*pairs.positives, *(corpus or [])]))
    control = replace(mine_hard_negatives(encoder, pairs, corpus=pool, seed=seed, show_progress=False),
                      name="real + mined negatives")
    plus_docs = _concat("+ doc queries", pairs, ing.doc_queries)
    plus_para = _concat("+ paraphrases", pairs, ing.doc_queries, ing.paraphrases)
    pool_all = list(dict.fromkeys([*pool, *plus_para.positives]))
    mined = mine_hard_negatives(encoder, plus_para, corpus=pool_all, seed=seed, show_progress=False)
    negs = [[ing.negatives.get(p, m[0])] for p, m in zip(mined.positives, mined.negatives)]
    share = float(np.mean([p in ing.negatives for p in mined.positives]))
    plus_neg = replace(mined, name="+ generated negatives", negatives=negs,
                       meta={**mined.meta, "generated_negative_share": share})
    return {"real": pairs, "real + mined negatives": control, "+ doc queries": plus_docs,
            "+ paraphrases": plus_para, "+ generated negatives": plus_neg}


def ablation(encoder, sets: dict[str, TrainPairs], test, config: TrainConfig | None = None, *,
             baseline: str = "real", control: str | None = "real + mined negatives", n_resamples: int = 1000,
             show_progress: bool | None = None) -> pd.DataFrame:
    """Train on every set with the same budget; nDCG@10 on ``test`` with CIs and paired tests.

    Rows: the base model (untrained), then every set in order. Paired tests (permutation
    p-value, bootstrap CI of the difference, per-query nDCG@10) compare each row with the
    previous set (the ingredient's own effect), with ``baseline`` and with ``control``.

    Returns
    -------
    DataFrame with ``setting, pairs, negatives, ndcg@10, ci_low, ci_high`` and, per
    comparison ``prev / baseline / control``, ``d_<name>``, ``d_<name>_low``,
    ``d_<name>_high``, ``p_<name>``; ``.attrs["per_query"]`` holds the per-query arrays.
    """
    config = config or TrainConfig()
    names = list(sets)
    for name in (baseline, control):
        if name is not None and name not in sets:
            raise ValueError(f"{name!r} is not one of the sets {names}")
    per_query, rows = {}, []

    def score(enc, label, pairs=None):
        res = evaluate_retrieval(enc, test, per_query=True, n_resamples=n_resamples, cache=False,
                                 max_length=config.max_length, show_progress=False)
        per_query[label] = res["per_query"]["ndcg@10"]
        rows.append({"setting": label, "pairs": 0 if pairs is None else len(pairs),
                     "negatives": 0 if pairs is None else pairs.n_negatives, "ndcg@10": res["ndcg@10"],
                     "ci_low": res["ndcg@10_ci"][0], "ci_high": res["ndcg@10_ci"][1]})

    score(encoder, "base model")
    for name in names:
        result = train(encoder, sets[name], config, show_progress=show_progress, plot=False)
        score(result.encoder, name, sets[name])
        rows[-1]["train_seconds"] = result.seconds
    table = pd.DataFrame(rows)
    order = ["base model", *names]
    refs = {"prev": lambda i: order[i - 1] if i > 0 else None, "baseline": lambda i: baseline,
            "control": lambda i: control}
    for key, ref_of in refs.items():
        cols = {f"d_{key}": [], f"d_{key}_low": [], f"d_{key}_high": [], f"p_{key}": []}
        for i, label in enumerate(order):
            ref = ref_of(i)
            if ref is None or ref == label:
                for c in cols:
                    cols[c].append(np.nan)
                continue
            t = paired_test(per_query[label], per_query[ref], n_resamples=max(n_resamples, 10), seed=0)
            for c, v in zip(cols, (t["difference"], t["ci_low"], t["ci_high"], t["p_value"])):
                cols[c].append(v)
        for c, v in cols.items():
            table[c] = v
    table.attrs["per_query"] = per_query
    return table


def ablation_data(*, n_train: int = 16, n_docs: int = 16, n_test: int = 100,
                  n_test_docs: int = 400) -> tuple[TrainPairs, list[str], "RetrievalDataset"]:
    """Real pairs, unlabelled documents and a held-out set from the clothing reviews.

    Real pairs are (review title -> review) from the training side of
    ``training_split("clothing-title-review")``: the first ``n_train`` pairs; the next
    ``n_docs`` training reviews stand in for unlabelled documents (their titles are
    never used). Evaluation is on ``n_test`` held-out titles over ``n_test_docs`` reviews.

    Examples
    --------
    >>> pairs, docs, test = ablation_data(n_train=4, n_docs=2, n_test=3, n_test_docs=9)
    >>> len(pairs), len(docs), len(test.queries), set(docs) & set(pairs.positives)
    (4, 2, 3, set())
    """
    from .data import training_split  # noqa: PLC0415

    train_all, test = training_split("clothing-title-review", n_test=n_test, n_test_docs=n_test_docs)
    if n_train + n_docs > len(train_all):
        raise ValueError(f"n_train + n_docs = {n_train + n_docs} exceeds the {len(train_all)} training pairs")
    pairs = train_all.select(range(n_train))
    seen = set(pairs.positives)
    docs = [d for d in dict.fromkeys(train_all.positives[n_train:]) if d not in seen][:n_docs]
    return pairs, docs, test


def synthetic_ablation(generator, encoder, *, n_train: int = 16, n_docs: int = 16, n_test: int = 100,
                       n_test_docs: int = 400, config: TrainConfig | None = None, max_new_tokens: int | None = None,
                       max_seconds: float | None = None, n_resamples: int = 1000,
                       show_progress: bool | None = None) -> tuple[Ingredients, dict[str, TrainPairs], pd.DataFrame]:
    """The whole experiment on clothing reviews (:func:`ablation_data`): generate, filter, stack, train, score.

    Returns
    -------
    (Ingredients, sets, table) -- see :func:`synthetic_ingredients`, :func:`ingredient_sets`, :func:`ablation`
    """
    pairs, docs, test = ablation_data(n_train=n_train, n_docs=n_docs, n_test=n_test, n_test_docs=n_test_docs)
    ing = synthetic_ingredients(generator, encoder, pairs, docs, max_new_tokens=max_new_tokens,
                                max_seconds=max_seconds, show_progress=show_progress)
    sets = ingredient_sets(encoder, pairs, ing, corpus=docs)
    table = ablation(encoder, sets, test, config, n_resamples=n_resamples, show_progress=show_progress)
    table.attrs["test"] = {"queries": len(test.queries), "docs": len(test.corpus)}
    return ing, sets, table
