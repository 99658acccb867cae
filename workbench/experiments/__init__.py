"""Experiments: which pooling, layer, prompt, attention mask or compression -- and is the difference real?

* :mod:`.grid` -- :func:`pool_grid`: token states once per (model, prompt, attention),
  every pooling mode of every layer from them;
* :mod:`.sweeps` -- :func:`sweep`: a tidy table of main scores with 95% intervals and
  paired tests against a baseline cell, over poolings, layers, prompts, attention masks
  and truncated widths (the layer x dimension view);
* :mod:`.prompts` -- :func:`instruction`, :func:`fewshot_prompt`, :func:`split_fewshot`:
  query / document instructions and in-context examples, as plain prompt strings;
* :mod:`.report` -- :func:`best_worst`, :func:`heatmap`, :func:`summarize`;
* :mod:`.pareto` -- :func:`pareto`, :func:`pareto_figure`, :func:`pareto_front`:
  compressors and two-stage search on one size-vs-quality table for a retrieval set.

Left out: trainable pooling heads (``workbench.train``) and multiple-comparison corrections.
"""

from .grid import pool_grid
from .pareto import DEFAULT_METHODS, check_pareto_method, pareto, pareto_figure, pareto_front
from .prompts import DATA_INSTRUCTIONS, TASK_INSTRUCTIONS, fewshot_prompt, instruction, split_fewshot
from .report import best_worst, heatmap, summarize
from .sweeps import SWEEP_TASKS, sweep

__all__ = ["DEFAULT_METHODS", "check_pareto_method", "pareto", "pareto_figure", "pareto_front",
           "DATA_INSTRUCTIONS", "SWEEP_TASKS", "TASK_INSTRUCTIONS", "best_worst", "fewshot_prompt", "heatmap",
           "instruction", "pool_grid", "split_fewshot", "summarize", "sweep"]
