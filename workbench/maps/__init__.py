"""Maps of embedding spaces as numbers: stable projections, what moved between two spaces, and
how a selection of points differs from the whole. Pure numerics: no plotting, no widgets,
so everything here runs without the ``viz`` extra (UMAP needs umap-learn).

* :mod:`.stable` -- :class:`StableMap`, a projection fitted once, saved, and used to place
  new points (``transform``); :func:`seed_instability`, how much a layout changes across seeds;
* :mod:`.aligned` -- Procrustes alignment and aligned maps of two or more spaces over the
  same items (PCA + Procrustes, or umap-learn's ``AlignedUMAP``);
* :mod:`.moved` -- aligned projections of two spaces, the per-point neighbourhood-change
  score and the ranked "most moved" table;
* :mod:`.steps` -- a sequence of spaces (training checkpoints, layers): aligned maps of every
  step and the change against the first or previous step; vectors from a fine-tuning run;
* :mod:`.subset` -- a selection against the whole (size, IsoScore, intrinsic dimension,
  hubness, label mix) and the selection's nearest neighbours in the full space.
"""

from .aligned import aligned_maps, procrustes
from .moved import aligned_projections, knn_ids, most_moved, neighbourhood_change
from .stable import StableMap, seed_instability
from .steps import StepMaps, step_changes, step_maps, training_spaces
from .subset import label_mix, selection_neighbours, selection_report

__all__ = ["StableMap", "StepMaps", "aligned_maps", "aligned_projections", "knn_ids", "label_mix", "most_moved",
           "neighbourhood_change", "procrustes", "seed_instability", "selection_neighbours", "selection_report",
           "step_changes", "step_maps", "training_spaces"]
