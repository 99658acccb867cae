"""Per-coordinate quantisers: ``ScalarQuantizer`` (8 or 4 bits) and ``BinaryQuantizer`` (1 bit, sign).

The scalar quantiser maps each coordinate to ``2**bits`` evenly spaced levels between a
low and a high value *learned per dimension from a calibration set* (the minimum and
maximum, or percentiles when ``clip`` > 0). Without calibration there are no ranges, so
the quantiser refuses to run rather than silently producing all-zero codes. 4-bit codes
are packed two to a byte. The binary quantiser keeps the sign of each coordinate
(optionally after subtracting the calibration mean), packed eight to a byte; two codes are
compared by Hamming distance. Left out: learned (non-uniform) levels and per-vector scales.
"""

from __future__ import annotations

import numpy as np

from .base import Compressor


class ScalarQuantizer(Compressor):
    """Uniform per-dimension quantisation to ``bits`` = 8 or 4 bits, calibrated ranges.

    Parameters
    ----------
    bits : {8, 4}
        Bits per coordinate (8: one byte each; 4: two coordinates per byte).
    clip : float, default 0.0
        Percent trimmed from each end of every dimension's calibration range (0 uses
        the min and max; values outside the range are clamped).

    Attributes
    ----------
    low_, step_ : (d,) float32
        Level ``c`` of dimension ``j`` decodes to ``low_[j] + c * step_[j]``.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(100, 6)).astype(np.float32)
    >>> sq = ScalarQuantizer(bits=8).fit(X)
    >>> codes = sq.transform(X)
    >>> codes.dtype, codes.shape, sq.bytes_per_vector
    (dtype('uint8'), (100, 6), 6)
    >>> bool((np.abs(sq.inverse_transform(codes) - X) <= sq.step_ / 2 + 1e-6).all())
    True
    """

    def __init__(self, bits: int = 8, *, clip: float = 0.0):
        self.bits = bits
        self.clip = clip

    def fit(self, X) -> "ScalarQuantizer":
        if self.bits not in (4, 8):
            raise ValueError(f"ScalarQuantizer supports bits=8 or bits=4, got {self.bits!r}")
        if not 0 <= self.clip < 50:
            raise ValueError(f"clip is a percentage in [0, 50), got {self.clip!r}")
        X = self._check_calibration(X)
        low = np.percentile(X, self.clip, axis=0) if self.clip else X.min(axis=0)
        high = np.percentile(X, 100 - self.clip, axis=0) if self.clip else X.max(axis=0)
        if np.all(high <= low):
            raise ValueError("the calibration vectors are all identical: no range to quantise over; "
                             "fit on a varied sample of the vectors you will compress")
        levels = 2 ** self.bits - 1
        step = (high - low) / levels
        self.low_ = low.astype(np.float32)
        self.step_ = np.where(step > 0, step, 1.0).astype(np.float32)  # a constant dimension decodes to low_
        self.d_ = X.shape[1]
        self.code_width_ = self.d_ if self.bits == 8 else (self.d_ + 1) // 2
        return self

    def transform(self, X) -> np.ndarray:
        self._check_fitted()
        X = self._check_input(X)
        levels = 2 ** self.bits - 1
        codes = np.clip(np.rint((X - self.low_) / self.step_), 0, levels).astype(np.uint8)
        if self.bits == 4:
            if self.d_ % 2:
                codes = np.hstack([codes, np.zeros((len(codes), 1), np.uint8)])
            codes = (codes[:, 0::2] << 4) | codes[:, 1::2]
        return codes

    def levels(self, codes) -> np.ndarray:
        """Unpacked integer levels ``(n, d)`` of ``codes``."""
        codes = self._check_codes(codes)
        if self.bits == 8:
            return codes
        out = np.empty((len(codes), 2 * codes.shape[1]), np.uint8)
        out[:, 0::2], out[:, 1::2] = codes >> 4, codes & 0x0F
        return out[:, :self.d_]

    def inverse_transform(self, codes) -> np.ndarray:
        return self.low_ + self.levels(codes).astype(np.float32) * self.step_

    @property
    def bytes_per_vector(self) -> int:
        self._check_fitted()
        return int(self.code_width_)


class BinaryQuantizer(Compressor):
    """One bit per coordinate: 1 where the value is above the threshold, packed into bytes.

    Parameters
    ----------
    center : bool, default False
        Threshold each dimension at its calibration mean instead of at zero.

    Notes
    -----
    ``score`` is symmetric: queries are binarised too and the similarity is
    ``d - 2 * hamming`` (the inner product of the +-1 sign vectors), the quantity a
    Hamming index ranks by. ``inverse_transform`` gives those +-1 vectors.

    Examples
    --------
    >>> X = np.array([[0.5, -1, 2, -3, 1, 1, 1, -1, 0.1]] * 10, dtype=np.float32)
    >>> bq = BinaryQuantizer().fit(X)
    >>> bq.transform(X[:1]).tolist(), bq.bytes_per_vector
    ([[174, 128]], 2)
    """

    def __init__(self, *, center: bool = False):
        self.center = center

    def fit(self, X) -> "BinaryQuantizer":
        X = self._check_calibration(X, minimum=1 if not self.center else 10)
        self.threshold_ = X.mean(axis=0) if self.center else np.zeros(X.shape[1], np.float32)
        self.d_ = X.shape[1]
        self.code_width_ = (self.d_ + 7) // 8
        return self

    def transform(self, X) -> np.ndarray:
        self._check_fitted()
        return np.packbits(self._check_input(X) > self.threshold_, axis=1)

    def inverse_transform(self, codes) -> np.ndarray:
        bits = np.unpackbits(self._check_codes(codes), axis=1, count=self.d_)
        return bits.astype(np.float32) * 2 - 1

    def hamming(self, A, B) -> np.ndarray:
        """Hamming distances ``(len(A), len(B))`` between two sets of codes (numpy reference)."""
        a = np.unpackbits(self._check_codes(A), axis=1, count=self.d_).astype(np.int32)
        b = np.unpackbits(self._check_codes(B), axis=1, count=self.d_).astype(np.int32)
        return (a @ (1 - b).T + (1 - a) @ b.T).astype(np.int32)

    def score(self, Q, codes, chunk: int = 8192) -> np.ndarray:
        q = self.transform(Q)
        return (self.d_ - 2 * self.hamming(q, codes)).astype(np.float32)

    @property
    def bytes_per_vector(self) -> int:
        self._check_fitted()
        return int(self.code_width_)
