"""Fresh random inputs for function exercises, built to expose the typical mistakes.

Each generator is ``f(rng) -> tuple of arguments`` (the ``make_inputs`` of
:func:`workbench.course.checks.check_function`) and is registered in ``INPUTS``. They
are small (a check runs in well under a second) and adversarial where it teaches:
rows of very different lengths (a missing normalisation shows), padding on both sides
with large padding states (an unmasked pooling shows), many tied scores (a tie rule
shows), integer scores with ties (ordinal ranks show).

Left out: inputs for exercises on real data (those are number exercises).
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def row_pairs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two ``(n, d)`` float arrays whose rows have very different lengths.

    Examples
    --------
    >>> a, b = row_pairs(np.random.default_rng(0))
    >>> a.shape == b.shape
    True
    """
    n, d = int(rng.integers(3, 9)), int(rng.integers(2, 12))
    scale = np.exp(rng.normal(0, 1.5, size=(n, 1)))
    return rng.normal(size=(n, d)) * scale, rng.normal(size=(n, d)) * scale[::-1]


def scores_with_ties(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """A ``(m, n)`` score matrix with many exact ties, and a ``k`` below ``n``.

    Examples
    --------
    >>> scores, k = scores_with_ties(np.random.default_rng(0))
    >>> 1 <= k < scores.shape[1]
    True
    """
    m, n = int(rng.integers(1, 5)), int(rng.integers(6, 20))
    return rng.integers(0, 6, size=(m, n)) / 5.0, int(rng.integers(1, n))


def token_states(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Token states ``(b, t, h)`` and an attention mask ``(b, t)`` with left and right padding.

    Padding positions hold large values, so a pooling that reads them is visibly wrong.

    Examples
    --------
    >>> states, mask = token_states(np.random.default_rng(0))
    >>> states.shape[:2] == mask.shape, bool(mask.sum(1).min() >= 1)
    (True, True)
    """
    b, t, h = int(rng.integers(2, 6)), int(rng.integers(4, 10)), int(rng.integers(2, 9))
    states = rng.normal(size=(b, t, h)).astype(np.float32)
    mask = np.zeros((b, t), dtype=np.int64)
    for i in range(b):
        length = int(rng.integers(1, t + 1))
        start = 0 if i % 2 == 0 else t - length  # right padding on even rows, left on odd
        mask[i, start:start + length] = 1
    states[mask == 0] = 10.0 + 5 * np.abs(states[mask == 0])
    return states, mask


def paired_with_ties(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two paired samples: model scores and integer gold ratings with many ties.

    Examples
    --------
    >>> x, y = paired_with_ties(np.random.default_rng(0))
    >>> len(x) == len(y), len(set(y.tolist())) < len(y)
    (True, True)
    """
    n = int(rng.integers(12, 40))
    gold = rng.integers(0, 5, size=n).astype(np.float64)
    return gold + rng.normal(0, 1.5, size=n) ** 3, gold


def anisotropic_cloud(rng: np.random.Generator) -> tuple[np.ndarray]:
    """An ``(n, d)`` cloud with ``n > d``, a common offset and unequal variances, like raw embeddings.

    Examples
    --------
    >>> (X,) = anisotropic_cloud(np.random.default_rng(0))
    >>> X.shape[0] > X.shape[1]
    True
    """
    n, d = int(rng.integers(20, 60)), int(rng.integers(2, 8))
    return (rng.normal(size=(n, d)) * np.exp(rng.normal(0, 1, size=d)) + rng.normal(0, 3, size=d),)


def ranking_with_judgements(rng: np.random.Generator) -> tuple[list[str], dict[str, int]]:
    """A ranked list of document ids (best first) and graded judgements of one query.

    Some relevant documents are missing from the ranking (so the ideal ordering differs
    from a re-sort of the retrieved ones), the ranking is sometimes shorter than 10, and
    grades run from 1 to 3.

    Examples
    --------
    >>> ranked, relevance = ranking_with_judgements(np.random.default_rng(0))
    >>> len(set(ranked)) == len(ranked), min(relevance.values()) >= 1
    (True, True)
    """
    n_docs = int(rng.integers(12, 40))
    docs = [f"d{i}" for i in rng.permutation(n_docs)]
    ranked = docs[: int(rng.integers(5, n_docs))]
    judged = rng.choice(n_docs, size=int(rng.integers(1, 7)), replace=False)
    return ranked, {f"d{int(i)}": int(rng.integers(1, 4)) for i in judged}


def ranking_judgements_and_k(rng: np.random.Generator) -> tuple[list[str], dict[str, int], int]:
    """:func:`ranking_with_judgements` and a cut-off ``k`` from 1 to 20.

    Examples
    --------
    >>> 1 <= ranking_judgements_and_k(np.random.default_rng(0))[2] <= 20
    True
    """
    return (*ranking_with_judgements(rng), int(rng.integers(1, 21)))


def query_doc_batch(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """A batch of query and positive vectors ``(B, D)`` with rows of very different lengths, and a temperature.

    Examples
    --------
    >>> q, d, t = query_doc_batch(np.random.default_rng(0))
    >>> q.shape == d.shape and q.shape[0] >= 2 and t > 0
    True
    """
    b, dim = int(rng.integers(2, 9)), int(rng.integers(3, 12))
    q = rng.normal(size=(b, dim)) * np.exp(rng.normal(0, 1, size=(b, 1)))
    d = q + rng.normal(0, 1.0, size=(b, dim)) * np.exp(rng.normal(0, 1, size=(b, 1)))
    return q.astype(np.float32), d.astype(np.float32), float(rng.choice([0.05, 0.1, 0.5, 1.0]))


def query_doc_hard(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """:func:`query_doc_batch` with ``m`` hard negatives per query, ``(B, m, D)``, close to their query.

    Examples
    --------
    >>> q, d, hard, t = query_doc_hard(np.random.default_rng(0))
    >>> hard.shape[0] == q.shape[0] and hard.shape[2] == q.shape[1]
    True
    """
    q, d, t = query_doc_batch(rng)
    m = int(rng.integers(1, 4))
    hard = q[:, None, :] + rng.normal(0, 1.5, size=(q.shape[0], m, q.shape[1]))
    return q, d, hard.astype(np.float32), t


def vectors_and_width(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Embedding-like rows ``(n, d)`` (not unit length, an offset per dimension) and a width ``m < d``.

    Examples
    --------
    >>> X, m = vectors_and_width(np.random.default_rng(0))
    >>> 1 <= m < X.shape[1] and len(X) >= 10
    True
    """
    n, d = int(rng.integers(10, 40)), int(rng.integers(4, 24))
    X = rng.normal(size=(n, d)) * np.exp(rng.normal(0, 1, size=d)) + rng.normal(0, 1, size=d)
    return X.astype(np.float32), int(rng.integers(1, d))


def calibration_vectors(rng: np.random.Generator) -> tuple[np.ndarray]:
    """``(n, d)`` float32 rows with a different range in every dimension, ``n >= 10`` (enough to calibrate).

    Examples
    --------
    >>> (X,) = calibration_vectors(np.random.default_rng(0))
    >>> X.dtype, len(X) >= 10
    (dtype('float32'), True)
    """
    return (vectors_and_width(rng)[0],)


def result_ids(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two ``(m, k)`` arrays of distinct ids per row that partly overlap (found results and the true ones).

    Examples
    --------
    >>> got, truth = result_ids(np.random.default_rng(0))
    >>> got.shape == truth.shape, len(set(got[0].tolist())) == got.shape[1]
    (True, True)
    """
    m, k = int(rng.integers(1, 8)), int(rng.integers(2, 11))
    n = int(rng.integers(2 * k, 3 * k + 2))
    truth = np.stack([rng.choice(n, size=k, replace=False) for _ in range(m)])
    got = np.stack([rng.permutation(np.concatenate([rng.choice(row, size=keep, replace=False),
                                                    rng.choice(np.setdiff1d(np.arange(n), row), size=k - keep,
                                                               replace=False)]))
                    for row, keep in zip(truth, rng.integers(0, k + 1, size=m))])
    return got.astype(np.int64), truth.astype(np.int64)


def subset_sizes(rng: np.random.Generator) -> tuple[int, int]:
    """A number of documents ``n`` (3 to 9) and a subset size ``k`` (1 to ``n - 1``).

    Examples
    --------
    >>> n, k = subset_sizes(np.random.default_rng(0))
    >>> 1 <= k < n
    True
    """
    n = int(rng.integers(3, 10))
    return n, int(rng.integers(1, n))


def scores_and_qrels(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A score matrix ``(m, n)`` and binary qrels with the same number of relevant documents per query.

    Examples
    --------
    >>> scores, qrels = scores_and_qrels(np.random.default_rng(0))
    >>> scores.shape == qrels.shape, len(set(qrels.sum(1).tolist()))
    (True, 1)
    """
    m, n = int(rng.integers(2, 10)), int(rng.integers(4, 15))
    r = int(rng.integers(1, n))
    qrels = np.zeros((m, n), dtype=np.int64)
    for row in qrels:
        row[rng.choice(n, size=r, replace=False)] = 1
    return (rng.normal(size=(m, n)) + rng.uniform(0, 2) * qrels).astype(np.float32), qrels


def cloud_and_k(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """An ``(n, d)`` cloud of 30 to 80 points in 3 to 12 dimensions and a neighbour count ``k``.

    Examples
    --------
    >>> X, k = cloud_and_k(np.random.default_rng(0))
    >>> k < len(X)
    True
    """
    n, d = int(rng.integers(30, 81)), int(rng.integers(3, 13))
    X = rng.normal(size=(n, d)) * np.exp(rng.normal(0, 0.5, size=d))
    return X.astype(np.float32), int(rng.integers(3, 9))


def queries_corpus_mask(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Queries ``(m, d)``, a corpus ``(n, d)``, a boolean mask over the corpus (sometimes with fewer than ``k``
    admissible rows) and ``k``.

    Examples
    --------
    >>> Q, X, mask, k = queries_corpus_mask(np.random.default_rng(0))
    >>> mask.shape == (len(X),) and mask.dtype == bool and k <= len(X)
    True
    """
    m, n, d = int(rng.integers(1, 6)), int(rng.integers(8, 40)), int(rng.integers(2, 9))
    k = int(rng.integers(1, 8))
    mask = rng.random(n) < rng.choice([0.1, 0.3, 0.7])
    return (rng.normal(size=(m, d)).astype(np.float32), rng.normal(size=(n, d)).astype(np.float32), mask, k)


def mask_and_prefix(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """An attention mask ``(b, t)`` with left and right padding (as :func:`token_states`) and a prefix length 0 to 3.

    Examples
    --------
    >>> mask, n = mask_and_prefix(np.random.default_rng(0))
    >>> mask.ndim, 0 <= n <= 3
    (2, True)
    """
    return token_states(rng)[1], int(rng.integers(0, 4))


#: name -> input generator ``f(rng) -> tuple of arguments``
INPUTS: dict[str, Callable] = {
    "row_pairs": row_pairs,
    "scores_with_ties": scores_with_ties,
    "token_states": token_states,
    "paired_with_ties": paired_with_ties,
    "anisotropic_cloud": anisotropic_cloud,
    "ranking_with_judgements": ranking_with_judgements,
    "ranking_judgements_and_k": ranking_judgements_and_k,
    "query_doc_batch": query_doc_batch,
    "query_doc_hard": query_doc_hard,
    "vectors_and_width": vectors_and_width,
    "calibration_vectors": calibration_vectors,
    "result_ids": result_ids,
    "subset_sizes": subset_sizes,
    "scores_and_qrels": scores_and_qrels,
    "cloud_and_k": cloud_and_k,
    "queries_corpus_mask": queries_corpus_mask,
    "mask_and_prefix": mask_and_prefix,
}
