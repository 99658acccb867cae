"""Training lab: fine-tune embedding models on a CPU and measure the effect.

One small module per idea: ``losses`` (InfoNCE, CoSENT, Matryoshka, distillation),
``mining`` (hard negatives), ``gradcache`` (large contrastive batches), ``data``
(training pairs with fixed splits), ``loop`` (the training loop), ``checkpoint``
(safetensors checkpoints), ``export`` (sentence-transformers folders), ``heads``
(trainable pooling heads), ``merge`` (model soups) and ``drift`` (query drift compensation).
"""

from .checkpoint import load_checkpoint, save_checkpoint
from .data import TRAINING_SETS, TrainPairs, batches, training_split
from .drift import MAPS, QueryDriftMap, drift_report
from .export import save_model
from .gradcache import grad_cache_backward
from .heads import (
    HEADS,
    LatentAttentionPooling,
    MultiLayerPooling,
    WeightedLayerPooling,
    cache_features,
    fit_head,
    make_head,
)
from .loop import TrainConfig, TrainResult, embed, train
from .losses import LOSSES, cosent, distill_kl, distill_mse, get_loss, info_nce, matryoshka, matryoshka_2d
from .merge import deviation_merge, merged_encoder, state_dict_of, uniform_soup
from .mining import mine, mine_hard_negatives, mix_negatives

__all__ = [
    "HEADS", "LOSSES", "MAPS", "TRAINING_SETS", "LatentAttentionPooling", "MultiLayerPooling", "QueryDriftMap",
    "TrainConfig", "TrainPairs", "TrainResult", "WeightedLayerPooling", "batches", "cache_features", "cosent",
    "deviation_merge", "distill_kl", "distill_mse", "drift_report", "embed", "fit_head", "get_loss",
    "grad_cache_backward", "info_nce", "load_checkpoint", "make_head", "matryoshka", "matryoshka_2d",
    "merged_encoder", "mine", "mine_hard_negatives", "mix_negatives", "save_checkpoint", "save_model",
    "state_dict_of", "train", "training_split", "uniform_soup",
]
