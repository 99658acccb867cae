"""Evaluation in MTEB's conventions; one module per task type.

So far: semantic textual similarity (:mod:`.sts`).
"""

from .sts import evaluate_sts

__all__ = ["evaluate_sts"]
