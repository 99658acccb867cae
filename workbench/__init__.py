"""Embedding Workbench: a Jupyter-first research and teaching workbench for text embeddings.

>>> import workbench as wb
>>> enc = wb.load_encoder("minilm")          # embedded default, offline
>>> X = enc.encode(["a first sentence", "a second one"])
>>> X.shape
(2, 384)
"""

from . import cache, display, notices, packages, pooling
from .encoder import Encoder
from .models import MODELS, load_encoder
from .options import EncodeOptions

__version__ = "0.1.0"
notices.install()  # the package's warnings print as one line, without source lines
_LAZY = ("datasets", "evaluate", "geometry", "postprocess", "limits", "search", "bm25", "compress", "train",
         "experiments", "viz", "vectors", "course", "reproduce", "scale", "synthetic", "maps")
__all__ = ["Encoder", "EncodeOptions", "MODELS", "load_encoder", "cache", "display", "notices", "packages", "pooling",
           *_LAZY]

display.setup_notebook()  # in a Jupyter kernel: figures and panels that survive export (display.py)


def __getattr__(name: str):
    # heavier subpackages are imported on first use: ``wb.geometry.report(X)`` just works
    if name in _LAZY:
        import importlib  # noqa: PLC0415

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
