"""Embedding Workbench: a Jupyter-first research and teaching workbench for text embeddings.

>>> import workbench as wb
>>> enc = wb.load_encoder("minilm")          # embedded default, offline
>>> X = enc.encode(["a first sentence", "a second one"])
>>> X.shape
(2, 384)
"""

from . import cache, packages, pooling
from .encoder import Encoder
from .models import MODELS, load_encoder

__version__ = "0.1.0"
__all__ = ["Encoder", "MODELS", "load_encoder", "cache", "packages", "pooling", "datasets"]


def __getattr__(name: str):
    # the data registry is imported on first use: it pulls pandas and file scanning
    if name == "datasets":
        import importlib  # noqa: PLC0415

        return importlib.import_module(".datasets", __name__)
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
