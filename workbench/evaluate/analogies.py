"""Word analogies ``a : b :: c : ?`` with static word vectors: 3CosAdd and 3CosMul.

* 3CosAdd (Mikolov, Yih and Zweig, 2013): the word whose vector has the highest cosine
  with ``b - a + c`` (unit vectors), i.e. ``cos(x, b) - cos(x, a) + cos(x, c)``;
* 3CosMul (Levy and Goldberg, 2014): ``cos'(x, b) * cos'(x, c) / (cos'(x, a) + eps)``
  with cosines shifted to [0, 1], which keeps one large term from dominating.

The question's own words are excluded from the answers (the usual protocol; without
it ``b`` itself often wins). Like Mikolov et al., the search may be restricted to the
``vocab_limit`` most frequent words (GloVe's rows are in frequency order). A question
with a word outside the searched vocabulary is skipped and counted in ``coverage``.
Left out: contextual models (a word has no single vector there) and pair-based methods
such as PairDistance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..vectors import check_vectors

if TYPE_CHECKING:
    from ..datasets import AnalogyDataset

METHODS = ("3cosadd", "3cosmul")


def solve_analogies(vectors: np.ndarray, a: Sequence[int], b: Sequence[int], c: Sequence[int], *, k: int = 1,
                    method: str = "3cosadd", exclude_inputs: bool = True, batch_size: int = 256) -> np.ndarray:
    """Row ids of the best ``k`` answers to ``a : b :: c : ?`` for each question.

    Parameters
    ----------
    vectors : (V, d) array
        One row per vocabulary word (normalised here).
    a, b, c : sequences of int
        Row ids of each question's words.
    k : int, default 1
    method : {"3cosadd", "3cosmul"}
    exclude_inputs : bool, default True
        Never answer with ``a``, ``b`` or ``c``.
    batch_size : int
        Questions scored at once.

    Returns
    -------
    (n, k) int64 array, best first (ties by lower id)

    Examples
    --------
    >>> V = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]], dtype=np.float32)
    >>> solve_analogies(V, [0], [1], [2]).tolist()   # 0 : 1 :: 2 : ?  (add the second axis)
    [[3]]
    """
    from ..search import top_k  # noqa: PLC0415

    if method not in METHODS:
        raise ValueError(f"unknown analogy method {method!r}; valid: {', '.join(METHODS)}")
    X = check_vectors(vectors, "vectors", min_rows=2, dtype=np.float32)
    X = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    a, b, c = (np.asarray(v, dtype=np.int64) for v in (a, b, c))
    if not len(a) == len(b) == len(c):
        raise ValueError(f"a, b and c differ in length ({len(a)}, {len(b)}, {len(c)})")
    out = np.zeros((len(a), min(k, len(X))), dtype=np.int64)
    for start in range(0, len(a), batch_size):
        s = slice(start, start + batch_size)
        ca, cb, cc = (X[v[s]] @ X.T for v in (a, b, c))
        if method == "3cosadd":
            scores = cb - ca + cc
        else:
            scores = ((cb + 1) / 2) * ((cc + 1) / 2) / ((ca + 1) / 2 + 1e-3)
        if exclude_inputs:
            rows = np.arange(scores.shape[0])
            for v in (a, b, c):
                scores[rows, v[s]] = -np.inf
        out[s] = top_k(scores, k)[1]
    return out


def evaluate_analogies(vectors: np.ndarray, words: Sequence[str], dataset: "AnalogyDataset", *,
                       method: str = "3cosadd", vocab_limit: int | None = 30_000,
                       sections: Sequence[str] | None = None, exclude_inputs: bool = True) -> dict:
    """Accuracy of ``method`` on analogy questions (lower-cased), overall and per section.

    Parameters
    ----------
    vectors : (V, d) array and words : list of str
        The word vectors, rows in frequency order, and their words.
    dataset : AnalogyDataset
    method : {"3cosadd", "3cosmul"}
    vocab_limit : int or None, default 30000
        Search the first ``vocab_limit`` words only (None: all).
    sections : sequence of str, optional
        Evaluate these sections only.
    exclude_inputs : bool, default True

    Returns
    -------
    dict with ``accuracy``, ``n`` (questions answered), ``coverage`` (answered / asked)
    and ``per_section`` (section -> accuracy)

    Examples
    --------
    >>> from workbench.datasets import AnalogyDataset
    >>> V = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]], dtype=np.float32)
    >>> ds = AnalogyDataset("toy", ["a", "a"], ["b", "b"], ["c", "zz"], ["d", "d"], ["s", "s"])
    >>> res = evaluate_analogies(V, ["a", "b", "c", "d"], ds)
    >>> res["accuracy"], res["n"], res["coverage"]
    (1.0, 1, 0.5)
    """
    words = list(words)[:vocab_limit] if vocab_limit else list(words)
    X = np.asarray(vectors)[: len(words)]
    row = {w: i for i, w in enumerate(words)}
    wanted = set(sections) if sections is not None else None
    unknown = sorted(wanted - set(dataset.sections)) if wanted else []
    if unknown:
        raise ValueError(f"no section {unknown[0]!r}; valid: {', '.join(dataset.sections)}")
    asked, keep = 0, []
    for q in zip(dataset.a, dataset.b, dataset.c, dataset.d, dataset.section):
        if wanted is not None and q[4] not in wanted:
            continue
        asked += 1
        ids = [row.get(w.lower()) for w in q[:4]]
        if None not in ids:
            keep.append((*ids, q[4]))
    if not keep:
        raise ValueError("no analogy question has all four words in the vocabulary")
    a, b, c, d = (np.array([q[i] for q in keep]) for i in range(4))
    hit = solve_analogies(X, a, b, c, method=method, exclude_inputs=exclude_inputs)[:, 0] == d
    section = np.array([q[4] for q in keep])
    per_section = {s: float(hit[section == s].mean()) for s in dict.fromkeys(section.tolist())}
    return {"accuracy": float(hit.mean()), "n": len(keep), "coverage": len(keep) / asked, "per_section": per_section}
