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


#: name -> input generator ``f(rng) -> tuple of arguments``
INPUTS: dict[str, Callable] = {
    "row_pairs": row_pairs,
    "scores_with_ties": scores_with_ties,
    "token_states": token_states,
    "paired_with_ties": paired_with_ties,
    "anisotropic_cloud": anisotropic_cloud,
    "ranking_with_judgements": ranking_with_judgements,
    "ranking_judgements_and_k": ranking_judgements_and_k,
}
