"""Distilled sentence embeddings at laptop scale: a MiniLM cross-encoder teacher and bi-encoder students.

The pair task is "is this the title of this review?" on ``clothing-title-review``
(the largest set of natural text pairs packaged here; the paper's GLUE pair tasks are
not available offline). Each title is paired with its own review (label 1) and with
the review BM25 ranks highest among the others (label 0): a lexically close negative,
chosen without the dense model, so that neither the teacher nor a cosine student is
handed its own mistakes. Train pairs come from the training split, test pairs from the
held-out split (:func:`~workbench.train.data.training_split`).

:func:`run_dse` fine-tunes the teacher (:func:`~workbench.train.cross_encoder.fit_cross_encoder`),
embeds every text once with the frozen MiniLM, and compares three students on the test
pairs: the :class:`~workbench.train.distill.PairMLP` trained on the teacher's logits
(DSE), the same head trained on the hard labels, and plain cosine (threshold fit on the
training pairs). Accuracy (at logit 0, or the fitted threshold) and ROC-AUC, with the
relative degradation against the teacher; and the speed-up of scoring one query against
many candidates once the candidates' embeddings are cached.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ..bm25 import BM25
from ..evaluate.stats import bootstrap_ci
from ..train.cross_encoder import fit_cross_encoder
from ..train.data import training_split
from ..train.distill import PairMLP, fit_pair_head, relative_degradation

__all__ = ["labelled_pairs", "run_dse", "scoring_speedup"]


def labelled_pairs(titles, reviews) -> tuple[list[str], list[str], np.ndarray]:
    """Each title with its own review (1) and with the other review BM25 ranks highest (0)."""
    titles, reviews = list(titles), list(reviews)
    _, ids = BM25().fit(reviews).search(titles, k=2)
    t1, t2, y = [], [], []
    for i, title in enumerate(titles):
        neg = int(ids[i, 0]) if int(ids[i, 0]) != i else int(ids[i, 1])
        t1 += [title, title]
        t2 += [reviews[i], reviews[neg]]
        y += [1.0, 0.0]
    return t1, t2, np.array(y, dtype=np.float32)


def _cosine_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The threshold with the best training accuracy (midpoint between neighbouring scores)."""
    s = np.sort(scores)
    cuts = np.r_[s[0] - 1.0, (s[1:] + s[:-1]) / 2, s[-1] + 1.0]
    acc = [((scores >= c) == (y > 0)).mean() for c in cuts]
    return float(cuts[int(np.argmax(acc))])


def scoring_speedup(teacher, student: PairMLP, encoder, query: str, candidates: list[str], cached: np.ndarray,
                    *, repeats: int = 3) -> dict:
    """Seconds to score one query against the candidates: the teacher (one pass per pair) against the
    student (one encoder pass for the query, the MLP over the cached candidate embeddings); best of ``repeats``."""
    teacher_s, student_s = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        teacher.score([query] * len(candidates), candidates)
        teacher_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        u = encoder.encode([query], cache=False, show_progress=False)
        student.score(np.repeat(u, len(candidates), axis=0), cached)
        student_s.append(time.perf_counter() - t)
    return {"candidates": len(candidates), "teacher_s": min(teacher_s), "student_s": min(student_s),
            "speedup": min(teacher_s) / min(student_s)}


def run_dse(encoder, *, n_train: int = 1500, n_test: int = 400, teacher_epochs: int = 1, head_epochs: int = 30,
            max_length: int = 128, n_candidates: int = 200, n_resamples: int = 1000, seed: int = 0,
            show_progress: bool | None = None, cache: bool = True) -> dict:
    """Rerun the distillation comparison; returns the table, the speed-up and sizes."""
    train, test = training_split("clothing-title-review", n_train=n_train, n_test=n_test, n_test_docs=n_test)
    a_tr, b_tr, y_tr = labelled_pairs(train.queries, train.positives)
    q_te = test.query_ids
    a_te, b_te, y_te = labelled_pairs([test.queries[q] for q in q_te],
                                      [test.corpus[next(iter(test.qrels[q]))] for q in q_te])
    teacher = fit_cross_encoder(encoder, a_tr, b_tr, y_tr, epochs=teacher_epochs, max_length=max_length, seed=seed)
    t_tr, t_te = teacher.score(a_tr, b_tr), teacher.score(a_te, b_te)

    def emb(texts):
        return encoder.encode(list(texts), show_progress=show_progress, cache=cache)

    U_tr, V_tr, U_te, V_te = emb(a_tr), emb(b_tr), emb(a_te), emb(b_te)
    dim = U_tr.shape[1]
    distilled = fit_pair_head(PairMLP(dim), U_tr, V_tr, t_tr, loss="mse", epochs=head_epochs, seed=seed)
    hard = fit_pair_head(PairMLP(dim), U_tr, V_tr, y_tr, loss="bce", epochs=head_epochs, seed=seed)
    cos_tr, cos_te = (U_tr * V_tr).sum(1), (U_te * V_te).sum(1)
    cut = _cosine_threshold(cos_tr, y_tr)
    systems = {"teacher (cross-encoder)": (t_te, 0.0), "student: MLP on teacher logits (DSE)":
               (distilled.score(U_te, V_te), 0.0), "student: MLP on hard labels": (hard.score(U_te, V_te), 0.0),
               "student: cosine": (cos_te, cut)}
    rows = []
    for name, (scores, threshold) in systems.items():
        correct = ((scores >= threshold) == (y_te > 0)).astype(float)
        rows.append({"system": name, "accuracy": float(correct.mean()),
                     "accuracy_ci": bootstrap_ci(correct, n_resamples=n_resamples, seed=seed),
                     "auc": float(roc_auc_score(y_te, scores))})
    table = pd.DataFrame(rows)
    teacher_acc, teacher_auc = table.loc[0, "accuracy"], table.loc[0, "auc"]
    table["degradation_accuracy"] = [relative_degradation(a, teacher_acc) for a in table["accuracy"]]
    table["degradation_auc"] = [relative_degradation(a, teacher_auc) for a in table["auc"]]
    agreement = float(np.corrcoef(systems["student: MLP on teacher logits (DSE)"][0], t_te)[0, 1])
    candidates = list(dict.fromkeys(b_te))[:n_candidates]
    cached = emb(candidates)
    speed = scoring_speedup(teacher, distilled, encoder, a_te[0], candidates, cached)
    sizes = {"train_pairs": len(y_tr), "test_pairs": len(y_te), "teacher_steps": len(teacher.losses_),
             "max_length": max_length, "head_epochs": head_epochs}
    return {"table": table, "speed": speed, "sizes": sizes, "distilled_teacher_pearson": agreement}
