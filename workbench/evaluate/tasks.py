"""The task registry: each task name's evaluator and the key of its main score.

``TASKS`` maps a task name to its evaluator ``(model, dataset, **options) -> dict`` and
``MAIN_METRIC`` to the key of its main score; the CLI and the suite read both.
"""

from __future__ import annotations

from typing import Callable

from .classification import evaluate_classification
from .clustering import evaluate_clustering
from .pairs import evaluate_pairs
from .retrieval import evaluate_retrieval
from .sts import evaluate_sts

#: task name -> evaluator(model, dataset, **options) -> dict
TASKS: dict[str, Callable] = {
    "sts": evaluate_sts,
    "retrieval": evaluate_retrieval,
    "classification": evaluate_classification,
    "clustering": evaluate_clustering,
    "pairs": evaluate_pairs,
}

#: task name -> the key of its main score
MAIN_METRIC: dict[str, str] = {"sts": "spearman", "retrieval": "ndcg@10", "classification": "accuracy",
                               "clustering": "v_measure", "pairs": "ap"}


def get_task(name: str) -> Callable:
    """The evaluator registered as ``name``.

    Examples
    --------
    >>> get_task("sts").__name__
    'evaluate_sts'
    """
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; valid: {', '.join(TASKS)}")
    return TASKS[name]
