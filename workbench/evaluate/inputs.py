"""What every evaluator accepts as its model: an encoder, or precomputed vectors.

Every evaluator takes either an encoder (texts are embedded with the caller's encode
options) or precomputed vectors; this module turns both into checked float32 arrays
(through :func:`workbench.vectors.check_vectors`) so that bad input fails with a message
naming what is wrong, before any metric runs.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..vectors import check_vectors


def is_encoder(model: Any) -> bool:
    """Whether ``model`` can embed texts (has an ``encode`` method; a str's ``encode`` does not count).

    Examples
    --------
    >>> is_encoder("minilm"), is_encoder(np.zeros((2, 3)))
    (False, False)
    """
    return not isinstance(model, (str, bytes)) and callable(getattr(model, "encode", None))


def reject_name(model: Any) -> None:
    """Refuse a model *name* where a loaded model is needed, saying how to load it.

    Examples
    --------
    >>> reject_name("minilm")
    Traceback (most recent call last):
    ...
    TypeError: model must be a loaded encoder or vectors, not the name 'minilm'; use workbench.load_encoder('minilm')
    """
    if isinstance(model, (str, bytes)):
        raise TypeError(f"model must be a loaded encoder or vectors, not the name {model!r}; "
                        f"use workbench.load_encoder({model!r})")


def vectors_for(model: Any, texts: Sequence[str], name: str, **encode_kwargs: Any) -> np.ndarray:
    """Embed ``texts`` with an encoder, or check precomputed vectors aligned with them.

    Parameters
    ----------
    model : encoder or (len(texts), d) array
    texts : sequence of str
    name : str
        What the vectors are called in error messages.
    **encode_kwargs
        Options for ``model.encode`` (only with an encoder).

    Returns
    -------
    (len(texts), d) float32 array

    Examples
    --------
    >>> vectors_for(np.eye(2), ["a", "b"], "texts").dtype
    dtype('float32')
    """
    reject_name(model)
    if is_encoder(model):
        encode_kwargs.setdefault("show_progress", None)
        return check_vectors(model.encode(list(texts), **encode_kwargs), f"{name} vectors", n_rows=len(texts),
                             dtype=np.float32)
    if encode_kwargs:
        raise TypeError(f"encode options {sorted(encode_kwargs)} only apply to an encoder, not precomputed vectors")
    return check_vectors(model, name, n_rows=len(texts), dtype=np.float32)


def require_nonempty(n: int, what: str) -> None:
    """Refuse an empty data set, naming what it lacks.

    Examples
    --------
    >>> require_nonempty(0, "pairs")
    Traceback (most recent call last):
    ...
    ValueError: the data set is empty: no pairs to evaluate
    """
    if n == 0:
        raise ValueError(f"the data set is empty: no {what} to evaluate")
