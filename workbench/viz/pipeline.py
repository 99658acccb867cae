"""From a data set and a configuration to the points of a picture: texts, labels, vectors.

A *view* is one configuration: data set, model, pooling, layer, post-processing,
projection. The steps are plain functions that the widgets, the ``workbench project``
command and the benchmark share:

* :func:`load_points` -- the texts of a data set (a packaged name or a container), with
  labels and attributes, thinned to at most ``max_points`` evenly spaced rows;
* :func:`embed_points` -- raw pooled vectors (not normalised), encoded in slices of the
  encoder's cache chunk so that a progress callback advances and the cache is shared
  with ordinary ``encode`` calls;
* :func:`postprocess` -- a ``+``-joined chain of ``workbench.postprocess.POSTPROCESSORS``
  names (or ``"none"``), fitted on the points themselves.

Left out: projecting and colouring (``projection.py``, ``colour.py``) and widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from ..encoder import CHUNK_SIZE
from ..options import EncodeOptions

POSTPROCESS_CHOICES = ("normalize", "none", "center+normalize", "whitening+normalize", "all_but_the_top+normalize")
#: packaged sets offered by the Explorer's data menu (those of them that are installed)
DEFAULT_DATASETS = ("mini-newsgroups", "pang-lee-polarity", "political-speeches", "rotten-tomatoes",
                    "clothing-reviews", "guardian-headlines", "lee-background", "python-docstrings",
                    "rotten-tomatoes-synopsis")


@dataclass
class Points:
    """The items of a picture.

    Parameters
    ----------
    name : str
        Data set name.
    texts : list of str
    labels : (n,) array or None
    attributes : DataFrame or None
        One row per text.
    rows : (n,) int array
        Positions of these items in the full data set.
    """

    name: str
    texts: list[str]
    labels: np.ndarray | None
    attributes: pd.DataFrame | None
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)


def _from_dataset(data: Any) -> tuple[str, list[str], Any, Any]:
    kind = type(data).__name__
    if kind == "TextDataset":
        return data.name, list(data.texts), data.labels, data.attributes
    if kind == "RetrievalDataset":
        docs, queries = data.documents, data.query_texts
        return data.name, docs + queries, np.array(["document"] * len(docs) + ["query"] * len(queries)), None
    if kind == "PairDataset":
        texts = list(dict.fromkeys(list(data.text1) + list(data.text2)))
        return data.name, texts, None, None
    raise ValueError(f"cannot draw a {kind}; use a text, retrieval or pair data set")


def load_points(data: Any, max_points: int | None = 2000) -> Points:
    """Texts, labels and attributes of a data set, at most ``max_points`` evenly spaced rows.

    Retrieval sets give their documents then their queries (label ``document`` / ``query``);
    pair sets their distinct texts.

    Examples
    --------
    >>> pts = load_points("mini-newsgroups", max_points=50)
    >>> len(pts), sorted(set(pts.labels.tolist())), pts.rows[:3].tolist()
    (50, ['alt.atheism', 'sci.space'], [0, 4, 8])
    """
    from .. import datasets  # noqa: PLC0415

    if isinstance(data, str):
        data = datasets.load(data)
    name, texts, labels, attributes = _from_dataset(data)
    if max_points is not None and max_points < 1:
        raise ValueError(f"max_points must be a positive int (or None for all), got {max_points}")
    n = len(texts)
    rows = np.arange(n)
    if max_points is not None and n > max_points:
        rows = np.unique(np.linspace(0, n - 1, max_points).round().astype(int))
    labels = None if labels is None else np.asarray(labels)[rows]
    attributes = None if attributes is None else attributes.iloc[rows].reset_index(drop=True)
    return Points(name, [texts[i] for i in rows], labels, attributes, rows)


def embed_points(encoder, texts: Sequence[str], options: EncodeOptions | dict | None = None, *,
                 on_progress: Callable[[int, int], None] | None = None, **overrides) -> np.ndarray:
    """Raw pooled vectors of ``texts`` (``normalize=False``), in cache-chunk slices.

    ``options`` and ``overrides`` are encode options (pooling, layer, prompt, ...); the
    vectors stay unnormalised, since the point pipeline post-processes them itself.
    ``on_progress(done, total)`` is called after each slice.

    Examples
    --------
    >>> import workbench as wb
    >>> embed_points(wb.load_encoder("glove-50d"), ["a cat", "a dog"]).shape
    (2, 50)
    """
    opts = EncodeOptions.from_any(options, **overrides).replace(normalize=False)
    texts = list(texts)
    parts = []
    for start in range(0, len(texts), CHUNK_SIZE):
        parts.append(encoder.encode(texts[start:start + CHUNK_SIZE], opts, show_progress=False))
        if on_progress is not None:
            on_progress(min(start + CHUNK_SIZE, len(texts)), len(texts))
    if not parts:
        raise ValueError("no texts to embed")
    return np.concatenate(parts)


def parse_postprocess(spec: str) -> list[str]:
    """Names of a ``+``-joined post-processing chain; ``"none"`` is the empty chain.

    Examples
    --------
    >>> parse_postprocess("center+normalize"), parse_postprocess("none")
    (['center', 'normalize'], [])
    """
    from ..postprocess import POSTPROCESSORS  # noqa: PLC0415

    if not isinstance(spec, str) or not spec:
        raise ValueError(f"post-processing must be a string such as {POSTPROCESS_CHOICES[2]!r}, got {spec!r}")
    if spec == "none":
        return []
    names = spec.split("+")
    unknown = [n for n in names if n not in POSTPROCESSORS]
    if unknown:
        raise ValueError(f"unknown post-processor {unknown[0]!r}; valid: none, {', '.join(POSTPROCESSORS)} "
                         "(joined with '+')")
    return names


def postprocess(X: np.ndarray, spec: str = "normalize") -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """Fit the chain ``spec`` on ``X``; returns the transformed ``X`` and the fitted transform
    (to apply to new rows, e.g. a query). Whitening keeps at most ``n - 1`` directions.

    Examples
    --------
    >>> Y, f = postprocess(np.array([[3.0, 4.0], [1.0, 0.0]]), "normalize")
    >>> Y.astype(float).round(3).tolist(), f(np.array([[0.0, 2.0]])).tolist()
    ([[0.6, 0.8], [1.0, 0.0]], [[0.0, 1.0]])
    """
    from ..postprocess import make_postprocessor  # noqa: PLC0415

    steps = []
    Y = np.asarray(X)
    for name in parse_postprocess(spec):
        params = {"n_components": min(Y.shape[1], len(Y) - 1)} if name == "whitening" else {}
        step = make_postprocessor(name, **params).fit(Y)
        Y = step.transform(Y)
        steps.append(step)

    def transform(Z: np.ndarray) -> np.ndarray:
        for step in steps:
            Z = step.transform(Z)
        return np.asarray(Z, dtype=np.float32)

    return np.asarray(Y, dtype=np.float32), transform
