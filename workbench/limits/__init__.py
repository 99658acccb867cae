"""Dimension limits of single-vector retrieval (Weller et al. 2025, "LIMIT").

- :mod:`.qrels`: binary relevance patterns (dense, random, cycle, block) and the qrel
  matrix of a retrieval data set;
- :mod:`.free_embedding`: the free-embedding optimisation for one pattern and dimension;
- :mod:`.critical`: the critical-n search and the curve over dimensions;
- :mod:`.curve`: the paper's measured critical n, its cubic fit and the extrapolation;
- :mod:`.bounds`: brackets on the dimension a pattern needs (rank, Forster, free embedding);
- :mod:`.generate`: LIMIT-style "Who likes X?" data sets from the project's word lists.

:mod:`.real` scores real encoders and BM25 on such data through
:func:`workbench.evaluate.evaluate_retrieval`, importing them only when called.
"""

from .bounds import (
    bracket_dimension,
    forster_bound,
    forster_lower_bound,
    free_embedding_dimension,
    rank_upper_bound,
    sign_matrix,
)
from .critical import (
    STRATEGIES,
    CriticalN,
    compare_strategies,
    critical_n,
    critical_n_curve,
    expected_critical_n,
    parse_dims,
)
from .curve import EXTRAPOLATE_DIMS, PAPER_CRITICAL_N, PAPER_CUBIC, cubic, extrapolate, fit_cubic, paper_critical_n
from .free_embedding import (
    FREE_EMBEDDING_LOSSES,
    FreeEmbeddingResult,
    free_embedding,
    free_embedding_seeds,
    topk_accuracy,
)
from .generate import generate_limit, word_list, write_dataset
from .qrels import PATTERNS, block, cycle, dense, make_qrels, qrel_matrix, random, validate_qrels
from .real import recall_table

__all__ = [
    "EXTRAPOLATE_DIMS", "FREE_EMBEDDING_LOSSES", "PAPER_CRITICAL_N", "PAPER_CUBIC", "PATTERNS", "STRATEGIES",
    "CriticalN",
    "FreeEmbeddingResult", "block", "bracket_dimension", "compare_strategies", "critical_n", "critical_n_curve",
    "cubic", "cycle", "dense", "expected_critical_n", "extrapolate",
    "fit_cubic", "forster_bound", "forster_lower_bound", "free_embedding", "free_embedding_dimension",
    "free_embedding_seeds", "generate_limit", "make_qrels", "paper_critical_n", "parse_dims", "qrel_matrix", "random",
    "rank_upper_bound", "recall_table", "sign_matrix", "topk_accuracy",
    "validate_qrels", "word_list", "write_dataset",
]
