"""One spec string per index: ``make_index("hnsw")``, ``"int8"``, ``"binary+rescore"``, ``"pq32+rescore"``.

A spec is a name from ``INDEXES`` or a ``workbench.compress`` spec (searched as
compressed codes), optionally followed by ``+rescore`` (float32 re-ranking of
``rescore_multiplier x k`` candidates). Left out: parameters inside the string; pass
keyword arguments instead.
"""

from __future__ import annotations

from .indexes import INDEXES, CodeIndex, Index
from .rescore import RescoredIndex


def make_index(spec: str, *, rescore_multiplier: int = 4, rescore_with: str = "float32", **params) -> Index:
    """A fresh index from a spec; ``params`` go to the index class.

    Examples
    --------
    >>> make_index("hnsw", M=16)
    HNSWIndex(M=16, ef_construction=80, ef_search=64)
    >>> make_index("binary+rescore").name
    'binary+rescore'
    """
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"an index spec is a non-empty string, got {spec!r}")
    base, plus, tail = spec.partition("+")
    if plus and tail != "rescore":
        raise ValueError(f"{spec!r}: the only suffix is '+rescore'")
    if base in INDEXES:
        index = INDEXES[base](**params)
    else:
        from ..compress.registry import make_compressor  # noqa: PLC0415

        try:
            index = CodeIndex(make_compressor(base))
        except ValueError as exc:
            raise ValueError(f"unknown index {base!r}; valid: {', '.join(INDEXES)}, or a compressor spec "
                             f"({exc})") from None
        if params:
            raise TypeError(f"compressed-code indexes take no parameters, got {sorted(params)}")
        index.name = base
    if plus:
        index = RescoredIndex(index, rescore_multiplier=rescore_multiplier, rescore_with=rescore_with)
    return index
