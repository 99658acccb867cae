"""Input handling shared by the evaluators: encoder-or-vectors, and checks on vectors.

Every evaluator takes either an encoder (texts are embedded with the caller's encode
options) or precomputed vectors; this module turns both into checked float arrays so
that bad input fails with a message naming what is wrong, before any metric runs.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..vectors import check_vectors as _check


def check_vectors(X, name: str, n_rows: int | None = None) -> np.ndarray:
    """``X`` as a finite 2-d float32 array with ``n_rows`` rows, if given (see ``workbench.vectors``)."""
    return _check(X, name, n_rows=n_rows, dtype=np.float32)


def is_encoder(model) -> bool:
    """Whether ``model`` can embed texts (has an ``encode`` method; a str's ``encode`` does not count)."""
    return not isinstance(model, (str, bytes)) and callable(getattr(model, "encode", None))


def reject_name(model) -> None:
    """A model name is not a model: say how to get one."""
    if isinstance(model, (str, bytes)):
        raise TypeError(f"model must be a loaded encoder or vectors, not the name {model!r}; "
                        f"use workbench.load_encoder({model!r})")


def vectors_for(model, texts: Sequence[str], name: str, **encode_kwargs) -> np.ndarray:
    """Embed ``texts`` with an encoder, or check precomputed vectors aligned with them."""
    reject_name(model)
    if is_encoder(model):
        encode_kwargs.setdefault("show_progress", None)
        return check_vectors(model.encode(list(texts), **encode_kwargs), f"{name} vectors", len(texts))
    if encode_kwargs:
        raise TypeError(f"encode options {sorted(encode_kwargs)} only apply to an encoder, not precomputed vectors")
    return check_vectors(model, name, len(texts))


def require_nonempty(n: int, what: str) -> None:
    if n == 0:
        raise ValueError(f"the data set is empty: no {what} to evaluate")
