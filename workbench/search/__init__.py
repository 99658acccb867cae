"""Nearest-neighbour search over embedding vectors: exact, approximate, compressed, two-stage, filtered.

* :func:`exact_search` -- the faiss flat scan every other method is measured against;
* ``INDEXES`` and :func:`make_index` -- flat, IVF-Flat, HNSW, IVF-PQ, binary Hamming and
  any ``workbench.compress`` compressor behind one ``fit`` / ``search`` interface;
* :func:`rescore`, :class:`RescoredIndex`, :class:`BiGranularStore` -- candidates from
  compact codes re-ranked against float (or int8) vectors, in memory or memory-mapped;
* :func:`filtered_search`, :func:`attribute_mask`, :func:`filter_study` -- pre-filtering,
  post-filtering with oversampling, and exact filtered search;
* :func:`index_lab`, :func:`scaling_sweep` -- recall, QPS, memory and build time tables.

Lexical search (BM25) lives in ``workbench.bm25``.
"""

from .exact import exact_search
from .filtered import STRATEGIES, attribute_mask, filter_study, filtered_recall, filtered_search
from .indexes import (
    INDEXES,
    BinaryIndex,
    CodeIndex,
    FlatIndex,
    HNSWIndex,
    Index,
    IVFFlatIndex,
    IVFPQIndex,
    top_k,
)
from .lab import LAB_INDEXES, SWEEP_INDEXES, SWEEP_SIZES, index_lab, knn_recall, perturbed_corpus, scaling_sweep
from .registry import make_index
from .rescore import RescoredIndex, rescore, write_memmap
from .store import BiGranularStore

__all__ = ["exact_search", "INDEXES", "make_index", "Index", "FlatIndex", "IVFFlatIndex", "HNSWIndex",
           "IVFPQIndex", "BinaryIndex", "CodeIndex", "top_k", "rescore", "RescoredIndex", "BiGranularStore",
           "write_memmap", "STRATEGIES", "attribute_mask", "filtered_search", "filtered_recall", "filter_study",
           "index_lab", "LAB_INDEXES", "SWEEP_INDEXES", "SWEEP_SIZES", "knn_recall", "perturbed_corpus",
           "scaling_sweep"]
