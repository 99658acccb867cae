"""Stepping through a sequence of spaces over the same items: training checkpoints, layers, models.

:func:`step_maps` takes the spaces in order (a list of ``(n, d)`` arrays) and returns a
:class:`StepMaps`: aligned maps of every step (:func:`~workbench.maps.aligned.aligned_maps`,
PCA + Procrustes or aligned UMAP), and per step and item the neighbourhood change
(:func:`~workbench.maps.moved.neighbourhood_change`, computed in the full spaces) against
the first step or against the step before. :func:`training_spaces` makes such a sequence from
a fine-tuning run: it trains in sessions of ``every`` steps with the training loop's
``until`` / ``resume``, each session ending in a safetensors checkpoint that the next one
resumes from, and encodes the same texts before the first step and after every session.
Drawing is :mod:`workbench.viz.steps`'s business (a slider over the steps, and a static
figure with animation frames for exports).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .aligned import aligned_maps, check_spaces, disparity
from .moved import neighbourhood_change

AGAINST = ("first", "previous")


@dataclass
class StepMaps:
    """Aligned maps of a sequence of spaces and how far each item's neighbourhood moved."""

    steps: list  # a name per step (a training step, a layer, a model)
    coords: list[np.ndarray]  # per step, (n, dims) aligned coordinates
    change: np.ndarray  # (n_steps, n): neighbourhood change of each item against `against` (0 at step 0)
    against: str  # "first" or "previous"
    k: int
    method: str
    disparity: list[float] = field(default_factory=list)  # per step, map distance from the step before (0 first)

    def summary(self) -> pd.DataFrame:
        """One row per step: mean and 90th percentile of the change, share of items that kept
        none of their neighbours, and the map disparity from the step before."""
        return pd.DataFrame({"step": self.steps, "mean change": self.change.mean(1),
                             "p90 change": np.percentile(self.change, 90, axis=1),
                             "kept none": (self.change == 1).mean(1), "disparity": self.disparity})

    def __len__(self) -> int:
        return len(self.steps)


def step_changes(spaces: Sequence[Any], k: int = 10, *, against: str = "first", metric: str = "cosine") -> np.ndarray:
    """``(n_steps, n)`` neighbourhood change of every item at every step against the first step
    or the previous one (row 0 is all zeros).

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(30, 4))
    >>> step_changes([X, X, 2 * X], k=5).max()
    np.float64(0.0)
    """
    if against not in AGAINST:
        raise ValueError(f"against must be one of {', '.join(AGAINST)}, got {against!r}")
    spaces = check_spaces(spaces, min_rows=k + 1)
    out = np.zeros((len(spaces), len(spaces[0])))
    for t in range(1, len(spaces)):
        ref = spaces[0] if against == "first" else spaces[t - 1]
        out[t] = neighbourhood_change(ref, spaces[t], k, metric=metric)
    return out


def step_maps(spaces: Sequence[Any], *, steps: Sequence | None = None, method: str = "pca", dims: int = 2,
              k: int = 10, against: str = "first", seed: int = 0, metric: str = "cosine",
              n_epochs: int | None = None, scale: bool = False) -> StepMaps:
    """Aligned maps of every space and the neighbourhood change at every step.

    ``steps`` names the spaces (default ``0, 1, ...``); ``method``, ``dims``, ``seed``,
    ``n_epochs``, ``scale`` go to :func:`~workbench.maps.aligned.aligned_maps`; ``k``, ``against`` and
    ``metric`` to :func:`step_changes`.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(40, 6))
    >>> Q = np.linalg.qr(np.random.default_rng(1).normal(size=(6, 6)))[0]
    >>> sm = step_maps([X, X @ Q, X @ Q @ Q], k=5)
    >>> len(sm), round(max(sm.disparity), 12), float(sm.change.max())
    (3, 0.0, 0.0)
    """
    spaces = check_spaces(spaces, min_rows=max(k + 1, dims + 2))
    steps = list(range(len(spaces))) if steps is None else list(steps)
    if len(steps) != len(spaces):
        raise ValueError(f"steps names {len(steps)} step(s) but {len(spaces)} spaces were given; give one per space")
    change = step_changes(spaces, k, against=against, metric=metric)
    coords = aligned_maps(spaces, method=method, dims=dims, seed=seed, n_epochs=n_epochs, scale=scale)
    gaps = [0.0] + [disparity(a, b) for a, b in zip(coords[:-1], coords[1:])]
    return StepMaps(steps, coords, change, against, k, method, gaps)


def training_spaces(encoder: Any, pairs: Any, texts: Sequence[str], *, every: int, steps: int,
                    out_dir: str | Path | None = None, options: Any = None,
                    **train_options: Any) -> tuple[list[int], list[np.ndarray]]:
    """Vectors of ``texts`` before fine-tuning and after every ``every`` steps of a run of ``steps``.

    The run is :func:`workbench.train.train` in sessions (``until=every, 2*every, ...``,
    ``resume=True``): each session ends with a checkpoint in ``out_dir/checkpoint`` and the
    next continues from it, so the schedule is that of one run of ``steps`` steps.
    ``out_dir`` defaults to a temporary folder. ``train_options`` go to ``train``
    (``batch_size``, ``lr``, ``max_length``, ``seed`` ...); ``options`` to ``encode``.
    Returns the step numbers (``0, every, ...``, ``steps``) and one ``(n, d)`` array per step.
    """
    from ..train import train  # noqa: PLC0415

    for name, value in (("every", every), ("steps", steps)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if every > steps:
        raise ValueError(f"every={every} is more than steps={steps}: there would be no step to show")
    for name in ("until", "resume", "checkpoint_every", "out_dir"):
        if name in train_options:
            raise ValueError(f"training_spaces sets {name} itself; leave it out")
    texts = list(texts)
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="wb-steps-"))
    train_options.setdefault("show_progress", False)
    train_options.setdefault("plot", False)
    train_options.setdefault("restore_best", False)
    marks = list(range(every, steps, every)) + [steps]
    vectors = [np.asarray(encoder.encode(texts, options))]
    for until in marks:
        result = train(encoder, pairs, steps=steps, until=until, out_dir=out, resume=True, **train_options)
        if result.steps != until:
            raise ValueError(f"the training session meant to end at step {until} ended at step {result.steps} "
                             f"({result.stopped}); lower steps or raise the time budget")
        vectors.append(np.asarray(result.encoder.encode(texts, options)))
    return [0, *marks], vectors
