"""Vector compression: truncation, PCA, scalar (int8 / int4), binary and product quantisation.

Every compressor follows scikit-learn's contract -- ``fit`` on calibration vectors,
``transform`` to codes, ``inverse_transform`` back to approximate float vectors -- and
reports the exact ``bytes_per_vector`` of its codes. ``COMPRESSORS`` and :func:`make`
build them from short specs (``"int8"``, ``"pq32"``, ``"pca128>int8"``); :func:`pareto`
puts them on one size-vs-quality table for a model and a retrieval set, and
:func:`pareto_figure` charts it. Searching codes (Hamming, asymmetric scores, rescoring,
indexes) is ``workbench.search``'s job.
"""

from .base import MIN_CALIBRATION, Compressor
from .pareto import DEFAULT_METHODS, check_method, pareto, pareto_figure, pareto_front
from .product import OPQ, ProductQuantizer
from .projections import PCA, Truncate
from .registry import COMPRESSORS, SPEC_HELP, Chain, make
from .scalar import BinaryQuantizer, ScalarQuantizer

__all__ = ["Compressor", "MIN_CALIBRATION", "Truncate", "PCA", "ScalarQuantizer", "BinaryQuantizer",
           "ProductQuantizer", "OPQ", "Chain", "COMPRESSORS", "SPEC_HELP", "make", "pareto", "pareto_figure",
           "pareto_front", "DEFAULT_METHODS", "check_method"]
