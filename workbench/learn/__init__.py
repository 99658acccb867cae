"""Embeddings learned here, from raw text and from code.

* :mod:`.corpus` -- the packaged corpora as token streams, with token counts;
* :mod:`.static_text` -- skip-gram, CBOW, fastText and doc2vec (gensim), loaded into an Encoder;
* :mod:`.word_pairs` -- WordSim-353 / SimLex-999 scores with out-of-vocabulary words counted;
* :mod:`.hashing` -- bit codes: packing, Hamming search, random-hyperplane LSH, ITQ;
* :mod:`.binary_pv` -- Binary Paragraph Vectors (torch), real-binary variant, code inference;
* :mod:`.multisense` -- Disambiguated Skip-gram: several senses per word with a sense selector;
* :mod:`.code_tasks` -- CuBERT-style code-understanding tasks built from the standard library;
* :mod:`.code_models` -- the models compared on those tasks, with learning curves.

Submodules are imported on use (gensim and torch are heavy).
"""

from __future__ import annotations

import importlib

_SUBMODULES = ("corpus", "static_text", "word_pairs", "hashing", "binary_pv", "multisense", "code_tasks",
               "code_models")


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
