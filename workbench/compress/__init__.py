"""Vector compression: truncation, PCA, scalar (int8 / int4), binary and product quantisation.

Every compressor follows scikit-learn's contract -- ``fit`` on calibration vectors,
``transform`` to codes, ``inverse_transform`` back to approximate float vectors -- and
reports the exact ``bytes_per_vector`` of its codes. ``COMPRESSORS`` and :func:`make_compressor`
build them from short specs (``"int8"``, ``"pq32"``, ``"pca128>int8"``). Searching codes
(Hamming, asymmetric scores, rescoring, indexes) is ``workbench.search``'s job, and so is
the size-vs-quality study of compressors on a retrieval set is an experiment
(``workbench.experiments.pareto``).
"""

import importlib
import warnings

from .base import MIN_CALIBRATION, Compressor
from .product import OPQ, ProductQuantizer
from .projections import PCA, Truncate
from .registry import COMPRESSORS, SPEC_HELP, Chain, make, make_compressor
from .scalar import BinaryQuantizer, ScalarQuantizer

__all__ = ["Compressor", "MIN_CALIBRATION", "Truncate", "PCA", "ScalarQuantizer", "BinaryQuantizer",
           "ProductQuantizer", "OPQ", "Chain", "COMPRESSORS", "SPEC_HELP", "make_compressor", "make"]
_MOVED = {"pareto": "pareto", "pareto_figure": "pareto_figure", "pareto_front": "pareto_front",
          "DEFAULT_METHODS": "DEFAULT_METHODS", "check_method": "check_pareto_method"}


def __getattr__(name: str):
    # the compression study moved to experiments (it builds indexes and evaluates); the old names work for one release
    if name in _MOVED:
        new = _MOVED[name]
        warnings.warn(f"workbench.compress.{name} is now workbench.experiments.{new}", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module("workbench.experiments.pareto"), new)
    raise AttributeError(f"module 'workbench.compress' has no attribute {name!r}")
