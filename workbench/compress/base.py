"""What every compressor shares: the fitted-state check and the input checks.

A compressor maps float vectors ``(n, d)`` to compact codes and, where the mapping can be
undone approximately, back. The contract follows scikit-learn: parameters in
``__init__``, ``fit(X)`` learns from a calibration set and returns ``self``, learned
attributes end in ``_``, ``transform`` gives codes and ``inverse_transform`` gives float
vectors again. ``bytes_per_vector`` is the exact size of one code. ``score(Q, codes)``
ranks compressed vectors against float queries (asymmetric: the queries stay exact).
Left out here: the concrete methods (see ``projections``, ``scalar``, ``product``).
"""

from __future__ import annotations

import numpy as np

from ..vectors import check_vectors

#: a calibration set smaller than this cannot give trustworthy per-dimension statistics
MIN_CALIBRATION = 10


class Compressor:
    """Base class: fitted-state checks, ``fit_transform`` and the default asymmetric score."""

    #: whether inverse_transform is available
    invertible = True

    def _check_fitted(self) -> None:
        if getattr(self, "d_", None) is None:
            raise ValueError(f"this {type(self).__name__} is not fitted yet: call fit(X) on calibration vectors first")

    def _check_input(self, X, name: str = "X") -> np.ndarray:
        """``X`` as float32 vectors (possibly none) of the width this compressor was fitted on, if fitted."""
        d = getattr(self, "d_", None)
        return check_vectors(X, name, min_rows=0, dim=d, dtype=np.float32,
                             purpose=f"this {type(self).__name__}, fitted on {d}-d vectors" if d else "")

    def _check_calibration(self, X, minimum: int = MIN_CALIBRATION) -> np.ndarray:
        X = check_vectors(X, "calibration vectors", min_rows=0, dtype=np.float32)
        if len(X) < minimum:
            raise ValueError(f"{type(self).__name__} needs at least {minimum} calibration vectors to fit, "
                             f"got {len(X)}; pass a representative sample of the vectors you will compress")
        return X

    def fit(self, X) -> "Compressor":  # pragma: no cover - overridden
        raise NotImplementedError

    def transform(self, X) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def inverse_transform(self, codes) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def fit_transform(self, X) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    @property
    def bytes_per_vector(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def _check_codes(self, codes) -> np.ndarray:
        self._check_fitted()
        codes = np.asarray(codes)
        width = self.code_width_
        if codes.ndim != 2 or codes.shape[1] != width:
            raise ValueError(f"codes must be an (n, {width}) array from this {type(self).__name__}'s transform, "
                             f"got shape {codes.shape}")
        return codes

    def score(self, Q, codes, chunk: int = 8192) -> np.ndarray:
        """Similarity of float queries to compressed vectors, ``Q @ inverse_transform(codes).T``.

        Parameters
        ----------
        Q : (m, d) float array (full-width queries)
        codes : output of ``transform``
        chunk : int
            Codes decoded at a time (bounds the memory of the decoded copy).

        Returns
        -------
        (m, n) float32 array
        """
        Q = self._check_input(Q, "queries")
        self._check_fitted()
        codes = self._check_codes(codes)
        out = np.empty((len(Q), len(codes)), dtype=np.float32)
        for start in range(0, len(codes), chunk):
            out[:, start:start + chunk] = Q @ self.inverse_transform(codes[start:start + chunk]).T
        return out

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def get_params(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}
