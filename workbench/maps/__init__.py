"""Maps of embedding spaces as numbers: stable projections, what moved between two spaces, and
how a selection of points differs from the whole. Pure numerics: no plotting, no widgets,
so everything here runs without the ``viz`` extra (UMAP needs umap-learn).

* :mod:`.stable` -- :class:`StableMap`, a projection fitted once, saved, and used to place
  new points (``transform``); :func:`seed_instability`, how much a layout changes across seeds;
* :mod:`.moved` -- Procrustes alignment, aligned PCA projections of two spaces over the same
  items, the per-point neighbourhood-change score and the ranked "most moved" table;
* :mod:`.subset` -- a selection against the whole (size, IsoScore, intrinsic dimension,
  hubness, label mix) and the selection's nearest neighbours in the full space.
"""

from .moved import aligned_projections, knn_ids, most_moved, neighbourhood_change, procrustes
from .stable import StableMap, seed_instability
from .subset import label_mix, selection_neighbours, selection_report

__all__ = ["StableMap", "aligned_projections", "knn_ids", "label_mix", "most_moved", "neighbourhood_change",
           "procrustes", "seed_instability", "selection_neighbours", "selection_report"]
