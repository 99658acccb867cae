"""The Explorer's stages before drawing: data, vectors, post-processing, projection.

:class:`StagesMixin` is mixed into :class:`~workbench.viz.explorer.Explorer`. Each stage is
one method that reads the controls and the previous stage's result and stores its own
(``points``, ``vectors``, ``transform``, ``coords``); ``Explorer.refresh`` runs them from the
stage a change touches on. Given vectors (``Explorer.from_vectors``) replace the data and
vectors stages, with an optional seeded sample of their rows.
"""

from __future__ import annotations

import numpy as np

from ..vectors import check_vectors
from . import colour as colouring
from .pipeline import Points, embed_points, load_points, postprocess
from .projection import project


class StagesMixin:
    """Data -> vectors -> post-processing -> projection, for the Explorer."""
    def _progress(self, fraction: float, text: str) -> None:
        self.progress.layout.visibility = "visible"
        self.progress.value = fraction
        self.status.value = text

    def _load_data(self) -> None:
        if self._given is not None:
            self.points = self._given_points()
        else:
            self.points = load_points(self._datasets[self.controls["data"].value], self.max_points)
        if len(self.points) < 2:
            raise ValueError(f"the data set has {len(self.points)} point(s); a picture needs at least 2")
        options = colouring.colour_options(self.points)
        self._quiet = True
        try:
            current = self.controls["colour_by"].value
            self.controls["colour_by"].options = options
            self.controls["colour_by"].value = current if current in options else options[0]
        finally:
            self._quiet = False
        self.selected, self._highlight, self._by_trace, self.match = [], None, {}, None

    def _given_points(self) -> Points:
        g = self._given
        X = np.asarray(g["X"]) if not isinstance(g["X"], np.ndarray) else g["X"]
        dims = int(self.controls["dims"].value)
        X = check_vectors(X, min_rows=dims + 1, min_dim=dims, dtype=np.float32, purpose=f"a {dims}-d projection")
        n = len(X)
        for name in ("labels", "texts", "attributes"):
            if g[name] is not None and len(g[name]) != n:
                raise ValueError(f"{name} has {len(g[name])} entries but X has {n} rows; give one per row")
        keep = self._sample_rows(n)
        texts = [str(g["texts"][i]) for i in keep] if g["texts"] is not None else [f"row {i}" for i in keep]
        attrs = None
        if g["attributes"] is not None:
            import pandas as pd  # noqa: PLC0415

            attrs = pd.DataFrame(g["attributes"]).reset_index(drop=True)
            attrs = attrs if len(keep) == n else attrs.iloc[keep].reset_index(drop=True)
        labels = None if g["labels"] is None else np.asarray(g["labels"])[keep]
        return Points("vectors", texts, labels, attrs, keep)

    def _sample_rows(self, n: int) -> np.ndarray:
        if self.sample_size is None or self.sample_size >= n:
            return np.arange(n)
        if self.sample_size < 3:
            raise ValueError(f"sample must be at least 3 points, got {self.sample_size}")
        return np.sort(np.random.default_rng(self.seed).choice(n, int(self.sample_size), replace=False))

    def _embed(self) -> None:
        if self._given is not None:
            dims = int(self.controls["dims"].value)
            raw = check_vectors(self._given["X"], min_rows=dims + 1, min_dim=dims, dtype=np.float32,
                                purpose=f"a {dims}-d projection")
            if len(self.points.rows) != len(raw):
                raw = raw[self.points.rows]
        else:
            enc = self.encoder()
            self._sync_model_options(enc)
            c = self.controls

            def progress(done, total):
                self._progress(0.2 + 0.2 * done / total, f"encoding {done:,}/{total:,} texts with {enc.name}...")

            raw = embed_points(enc, self.points.texts, self.options, pooling=c["pooling"].value,
                               layer=c["layer"].value, on_progress=progress)
        self.vectors = colouring.Vectors(raw, raw)

    def _sync_model_options(self, enc) -> None:
        self._quiet = True
        try:
            layer = self.controls["layer"]
            options = [("last", -1)] + [(f"{i}{' (embeddings)' if i == 0 else ''}", i) for i in range(enc.n_layers + 1)]
            value = layer.value if -1 <= layer.value <= enc.n_layers else -1
            layer.options, layer.value = options, value
            if not self._explicit_pooling and self.counts["vectors"] == 0:
                self.controls["pooling"].value = enc.pooling.split("+")[0]
        finally:
            self._quiet = False

    def _post(self) -> None:
        raw = self.vectors.raw
        X, self.transform = postprocess(raw, self.controls["postprocess"].value)
        self.vectors = colouring.Vectors(X, raw)
        self._colours = {}

    def _project(self) -> None:
        self.coords = project(self.vectors.X, self.controls["method"].value, int(self.controls["dims"].value),
                              seed=self.seed)
