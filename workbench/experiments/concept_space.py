"""Named concept spaces against dense cosine: review-title -> review retrieval, with explanations.

:func:`run_concepts` takes the fixed split of ``clothing-title-review``
(:func:`~workbench.train.data.training_split`), fits :class:`~workbench.concepts.ESA` on
the training reviews (its concepts: the most frequent content words), trains
:class:`~workbench.concepts.SESA` on the training (title, review) pairs over frozen
MiniLM vectors, and ranks each test review among the test corpus by dense cosine, ESA
and SESA. It reports recall@1/10 and MRR with intervals, code sparsity, and the
faithfulness of the explanations (score drop when the top concepts are removed, against
random ones) on the (title, its review) pairs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..concepts import ESA, SESA, explain, faithfulness
from ..evaluate.gold_rank import gold_ranks, rank_summary
from ..train.data import training_split

__all__ = ["run_concepts"]


def _unit(Z: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(Z, axis=1, keepdims=True)
    return (Z / np.where(n > 0, n, 1.0)).astype(np.float32)


def run_concepts(encoder, *, n_train: int = 4000, n_test: int = 500, n_test_docs: int = 2000, n_concepts: int = 300,
                 top_k: int = 50, epochs: int = 5, k_remove: int = 3, n_examples: int = 3, n_resamples: int = 1000,
                 seed: int = 0, show_progress: bool | None = None, cache: bool = True) -> dict:
    """Rerun the concept-space comparison; returns tables, examples and sizes.

    Returns
    -------
    dict with ``table`` (system, recall@1, recall@10, mrr with ``_lo``/``_hi``, active concepts per code),
    ``faithfulness`` (system, k, score, drop_top, drop_random), ``examples`` (query, document, score, top
    concepts per system), ``sizes``.
    """
    train, test = training_split("clothing-title-review", n_train=n_train, n_test=n_test, n_test_docs=n_test_docs)
    doc_ids = test.doc_ids
    index = {d: i for i, d in enumerate(doc_ids)}
    qids = test.query_ids
    gold = np.array([index[next(iter(test.qrels[q]))] for q in qids])
    q_texts = [test.queries[q] for q in qids]
    d_texts = [test.corpus[d] for d in doc_ids]

    def enc(texts):
        return encoder.encode(list(texts), show_progress=show_progress, cache=cache)

    Qd, Xd = enc(q_texts), enc(d_texts)
    esa = ESA(n_concepts=n_concepts, top_k=top_k).fit(train.positives)
    sesa = SESA(esa.concepts_, enc(esa.concepts_), epochs=epochs, seed=seed)
    sesa.fit(enc(train.queries), enc(train.positives))
    codes = {"dense cosine": (Qd, Xd),
             "ESA": (esa.transform(q_texts), esa.transform(d_texts)),
             "SESA": (sesa.transform(Qd), sesa.transform(Xd))}
    rows, faith, examples = [], [], []
    for name, (A, B) in codes.items():
        ranks = gold_ranks(_unit(A), _unit(B), gold)
        s = rank_summary(ranks, n_resamples=n_resamples, seed=seed)
        row = {"system": name, "n": s["n"], "dims": A.shape[1]}
        for m in ("recall@1", "recall@10", "mrr"):
            row[m] = s[m]
            row[f"{m}_lo"], row[f"{m}_hi"] = s[f"{m}_ci"]
        row["active_per_code"] = float((np.concatenate([A, B]) > 0).sum(axis=1).mean()) if name != "dense cosine" \
            else float(A.shape[1])
        rows.append(row)
        if name == "dense cosine":
            continue
        f = faithfulness(A, B[gold], k=k_remove, seed=seed)
        faith.append({"system": name, "k": k_remove, "score": f["score"], "drop_top": f["drop_top"],
                      "drop_random": f["drop_random"], "share_top_beats_random":
                      float((f["per_pair"]["top"] > f["per_pair"]["random"]).mean())})
        for i in range(min(n_examples, len(qids))):
            e = explain(A[i], B[gold[i]], esa.concepts_, top=5)
            examples.append({"system": name, "query": q_texts[i], "document": d_texts[gold[i]][:160],
                             "score": e["score"], "top": ", ".join(f"{c} {v:.2f}" for c, v in e["top"])})
    sizes = {"train_pairs": len(train), "test_queries": len(qids), "test_docs": len(doc_ids),
             "concepts": len(esa.concepts_), "encoder_dim": int(Qd.shape[1])}
    return {"table": pd.DataFrame(rows), "faithfulness": pd.DataFrame(faith), "examples": pd.DataFrame(examples),
            "sizes": sizes, "concepts": esa.concepts_}
