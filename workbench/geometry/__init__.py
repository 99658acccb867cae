"""Geometry of an embedding space: isotropy and shape diagnostics as pure functions of arrays.

Every metric takes an ``(n, d)`` array (rows are items) and returns a float or a small
dict of floats; ``METRICS`` maps names to them and ``report`` runs them all
(``registry.py``), sharing the expensive pieces (the covariance eigendecomposition, the
unit rows, one kNN graph; see ``core.py``). Cosine-based metrics live in ``cosine.py``,
spectrum metrics in ``spectrum.py`` and neighbourhood metrics in ``knn.py``; all are
re-exported here. What is covered
(each function's docstring gives its formula and its paper):

* average cosine of distinct pairs with a confidence interval (anisotropy; Ethayarajh
  2019 uses it per layer as the anisotropy baseline);
* IsoScore (Rudman et al. 2022) and partition-function isotropy over the eigenvectors of
  ``W^T W`` (Mu & Viswanath 2018);
* the explained-variance spectrum, effective rank (Roy & Vetterli 2007) and rogue
  dimensions (Timkey & van Schijndel 2021);
* intrinsic dimension (TwoNN, Facco et al. 2017; MLE, Levina & Bickel 2004) and hubness
  (skewness of k-occurrence, Radovanovic et al. 2010),
  from a faiss kNN graph on at most ``knn_sample`` rows (``knn.py``);
* alignment and uniformity (Wang & Isola 2020).

Token-level measures (self-similarity, intra-sentence similarity) live in
``tokens.py``; the per-layer table in ``layers.py`` (re-exported here as
``layerwise``). Left out: plots (``viz``) and anything that needs a model.
"""


from .core import GeometryWarning
from .cosine import alignment, average_cosine, rogue_dimensions, uniformity
from .knn import hubness, knn_graph, mle_dimension, twonn_dimension
from .layers import layerwise
from .registry import METRICS, check_metrics, report
from .spectrum import (
    effective_rank,
    explained_variance,
    isoscore,
    isoscore_from_variances,
    partition_isotropy,
    spectrum,
)

__all__ = ["METRICS", "GeometryWarning", "alignment", "average_cosine", "check_metrics", "effective_rank",
           "explained_variance", "hubness", "isoscore", "isoscore_from_variances", "knn_graph", "layerwise",
           "mle_dimension", "partition_isotropy", "report", "rogue_dimensions", "spectrum", "twonn_dimension",
           "uniformity"]
