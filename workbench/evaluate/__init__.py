"""Evaluation in MTEB's conventions; one module per task type.

* :mod:`.sts` -- Spearman (main) and Pearson of cosine similarity with gold scores;
* :mod:`.retrieval` -- nDCG@10 (main), MAP@100, MRR@10, recall@k; exact or any index;
* :mod:`.classification` -- logistic-regression probe (main: accuracy) and kNN accuracy;
* :mod:`.clustering` -- k-means with the true k, V-measure (main) and ARI;
* :mod:`.pairs` -- average precision (main) of cosine scores for binary pair labels;
* :mod:`.analogies` -- word analogies with static vectors: 3CosAdd and 3CosMul accuracy;
* :mod:`.stats` -- bootstrap confidence intervals and paired tests between systems;
* :mod:`.suite` -- :func:`run_suite`, many configurations on many tasks, cached, one tidy
  table; :func:`suite_figure` charts it (plotly, the ``viz`` extra);
* :mod:`.interop` -- :class:`MTEBModel`, any configuration under the ``mteb`` package;
* :mod:`.benchmark` -- a configurations x tasks score matrix from shared forward passes;
* :mod:`.downsample` -- benchmark design: greedy task selection by inter-task correlation,
  ranking agreement, hard-negative corpora.

Every evaluator takes an encoder (with encode options such as pooling, layer, prompt,
precision) or precomputed vectors, and returns a dict of metric -> value with ``n`` and
the main score's 95% interval under ``<main>_ci``. ``TASKS`` maps a task name to its
evaluator and ``MAIN_METRIC`` to its main score (``tasks.py``); the CLI and the suite read both.
"""

from . import benchmark, downsample, stats
from .analogies import evaluate_analogies, solve_analogies
from .classification import evaluate_classification
from .clustering import evaluate_clustering
from .interop import MTEBModel
from .pairs import evaluate_pairs, pairs_from_retrieval
from .retrieval import evaluate_retrieval, ranking_metrics, retrieval_subset
from .stats import bootstrap_ci, paired_test
from .sts import evaluate_sts
from .suite import Task, run_suite, suite_figure
from .tasks import MAIN_METRIC, TASKS, get_task

__all__ = ["MAIN_METRIC", "MTEBModel", "TASKS", "Task", "bootstrap_ci", "evaluate_analogies", "evaluate_classification",
           "evaluate_clustering", "evaluate_pairs", "evaluate_retrieval", "evaluate_sts", "get_task", "paired_test",
           "pairs_from_retrieval", "ranking_metrics", "retrieval_subset", "run_suite", "solve_analogies", "stats",
           "benchmark", "downsample",
           "suite_figure"]
