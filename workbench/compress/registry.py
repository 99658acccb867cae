"""Compressors by name, and chains of them.

``COMPRESSORS`` maps a method name to its class; :func:`make_compressor` turns a short spec into a
fresh, unfitted compressor: ``"int8"``, ``"int4"``, ``"binary"``, ``"truncate128"``,
``"pca128"``, ``"pq32"`` (32 sub-quantisers), ``"opq32"``, and chains joined by ``>``
such as ``"pca128>int8"``. :class:`Chain` applies float-to-float steps (truncation, PCA)
and then one final step. Left out: user-registered methods beyond editing the dict.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from ..vectors import check_vectors
from .base import Compressor
from .product import OPQ, ProductQuantizer
from .projections import PCA, Truncate
from .scalar import BinaryQuantizer, ScalarQuantizer


class Chain(Compressor):
    """Several compressors in sequence: float-to-float steps first, any compressor last.

    Parameters
    ----------
    steps : list of Compressor
        All but the last must be ``Truncate`` or ``PCA`` (their output is float vectors).

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(200, 16)).astype(np.float32)
    >>> c = Chain([PCA(8), ScalarQuantizer(bits=8)]).fit(X)
    >>> c.transform(X).shape, c.bytes_per_vector, c.inverse_transform(c.transform(X)).shape
    ((200, 8), 8, (200, 16))
    """

    def __init__(self, steps: list):
        self.steps = steps

    def fit(self, X) -> "Chain":
        if not self.steps or not all(isinstance(s, Compressor) for s in self.steps):
            raise ValueError("Chain needs a non-empty list of compressors")
        bad = [type(s).__name__ for s in self.steps[:-1] if not isinstance(s, (Truncate, PCA))]
        if bad:
            raise ValueError(f"only Truncate and PCA can come before the last step of a Chain (their output is "
                             f"float vectors); got {bad}")
        X = check_vectors(X, "calibration vectors", min_rows=0, dtype=np.float32)
        self.d_ = X.shape[1]
        for step in self.steps:
            X = step.fit(X).transform(X)
        self.code_width_ = self.steps[-1].code_width_
        return self

    def _front(self, X) -> np.ndarray:
        for step in self.steps[:-1]:
            X = step.transform(X)
        return X

    def transform(self, X) -> np.ndarray:
        self._check_fitted()
        return self.steps[-1].transform(self._front(self._check_input(X)))

    def inverse_transform(self, codes) -> np.ndarray:
        Y = self.steps[-1].inverse_transform(self._check_codes(codes))
        for step in reversed(self.steps[:-1]):
            Y = step.inverse_transform(Y)
        return Y

    def score(self, Q, codes, chunk: int = 8192) -> np.ndarray:
        if isinstance(self.steps[-1], BinaryQuantizer):  # Hamming in the projected space
            self._check_fitted()
            return self.steps[-1].score(self._front(self._check_input(Q, "queries")), codes)
        return super().score(Q, codes, chunk)

    @property
    def bytes_per_vector(self) -> int:
        return self.steps[-1].bytes_per_vector

    def __repr__(self) -> str:
        return " > ".join(repr(s) for s in self.steps)


#: method name -> compressor class; the number in a spec is its size parameter
COMPRESSORS: dict[str, type] = {
    "truncate": Truncate, "pca": PCA, "int": ScalarQuantizer, "binary": BinaryQuantizer,
    "pq": ProductQuantizer, "opq": OPQ,
}
_NEEDS_NUMBER = {"truncate": "truncate128", "pca": "pca128", "int": "int8 or int4", "pq": "pq32", "opq": "opq32"}
SPEC_HELP = "int8, int4, binary, truncateN, pcaN, pqM, opqM, or a chain such as pca128>int8"


def make_compressor(spec: str) -> Compressor:
    """A fresh compressor from a spec such as ``"int8"``, ``"pq32"`` or ``"pca128>int8"``.

    Examples
    --------
    >>> make_compressor("int4"), make_compressor("pca64>binary")
    (ScalarQuantizer(bits=4, clip=0.0), PCA(n_components=64) > BinaryQuantizer(center=False))
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"a compressor spec is a non-empty string ({SPEC_HELP}), got {spec!r}")
    parts = [p.strip() for p in spec.split(">")]
    if len(parts) > 1:
        return Chain([make_compressor(p) for p in parts])
    match = re.fullmatch(r"([a-z]+?)(\d*)", parts[0].lower())
    name, number = (match.group(1), match.group(2)) if match else (parts[0], "")
    if name not in COMPRESSORS:
        raise ValueError(f"unknown compressor {parts[0]!r}; valid: {SPEC_HELP}")
    if name == "binary":
        if number:
            raise ValueError(f"binary takes no number, got {parts[0]!r}")
        return BinaryQuantizer()
    if not number:
        raise ValueError(f"{name!r} needs a size, e.g. {_NEEDS_NUMBER[name]}")
    value = int(number)
    if name == "int":
        if value not in (4, 8):
            raise ValueError(f"scalar quantisation supports int8 and int4, got {parts[0]!r}")
        return ScalarQuantizer(bits=value)
    return COMPRESSORS[name](value)


def make(spec: str) -> Compressor:
    """Deprecated spelling of :func:`make_compressor` (kept for one release)."""
    warnings.warn("workbench.compress.make is deprecated; use workbench.compress.make_compressor",
                  DeprecationWarning, stacklevel=2)
    return make_compressor(spec)
