"""Figures and interactive panels for embedding spaces. Needs the ``viz`` extra.

* :mod:`.projection` -- PCA / t-SNE / UMAP coordinates, seeded and cached;
* :mod:`.figures` -- scatter plots of projections; :mod:`.charts` -- curves, heatmaps,
  spectra, neighbour tables, critical-n, Pareto and training charts;
* :mod:`.colour` -- per-point colours (k-occurrence, local dimension, norm) and diagnostics;
* :mod:`.pipeline` -- data set -> points -> vectors -> post-processing;
* :mod:`.explorer` (:class:`Explorer`), :mod:`.neighbours` (:class:`Neighbours`),
  :mod:`.compare` (:class:`Compare`) -- ipywidgets panels on plotly ``FigureWidget``;
* :mod:`.moved` (:class:`WhatMoved`) -- two aligned maps linked to the ranked "most moved"
  table; :mod:`.steps` (:class:`StepViewer`, :func:`~.steps.steps_figure`) -- a slider over
  aligned maps of training checkpoints;
* :mod:`.export` -- standalone interactive HTML pages, and PNG / SVG / PDF files (``write_image``);
* :mod:`.notebook_html` -- executed notebooks as offline HTML pages (``make figures``).

Importing this package makes the package's plotly template (:mod:`workbench.theme`) plotly's
default, so ``plotly.express`` charts drawn beside the package's figures look the same.

The panels are imported on first use (``workbench.viz.Explorer``), so plotting alone does
not need ipywidgets.
"""

from __future__ import annotations

import importlib

from .. import theme

try:
    theme.template(default=True)
except ImportError:  # plotly is the viz extra; the figure functions name it when called
    pass

_LAZY = {"Explorer": "explorer", "Neighbours": "neighbours", "Compare": "compare", "WhatMoved": "moved",
         "StepViewer": "steps", "steps_figure": "steps",
         "projection": "figures", "scatter": "figures", "project": "projection", "write_html": "export",
         "write_image": "export"}

__all__ = list(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
