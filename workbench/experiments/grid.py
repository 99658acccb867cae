"""Token states once, every pooling of every layer: the engine under a pooling sweep.

:func:`pool_grid` asks the encoder for several poolings of every layer at once
(:meth:`workbench.encoder.Encoder.encode_poolings`): the model runs once per batch with
all hidden states kept and each pooling mode reads each layer before the states are
dropped, so a sweep of P modes x L layers costs about one forward pass instead of
P x L. Each mode's result is the array ``Encoder.encode_layers`` returns and is cached
under the same key. Left out: keeping raw token states on disk (too large for decoders
with many layers) and trainable pooling heads.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..options import EncodeOptions
from ..pooling import POOLING_MODES


def pool_grid(encoder, texts: Sequence[str], poolings: Sequence[str] = POOLING_MODES,
              options: EncodeOptions | dict | None = None, *, batch_size: int = 32, cache: bool = True,
              show_progress: bool | None = None, **overrides: Any) -> dict[str, np.ndarray]:
    """Every pooling mode of every layer from one forward pass per batch.

    Equal to ``{p: encoder.encode_layers(texts, pooling=p, ...) for p in poolings}``
    (and cached under the same keys), but the model runs once per text instead of once
    per mode. ``options`` and ``overrides`` are encode options (``prompt``,
    ``attention``, ``normalize``, ``precision``, ``max_length``, ``add_eos``). Returns a
    dict pooling -> float32 array of shape ``(n_layers + 1, n, d)``.

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")  # a sweep's view of Encoder.encode_poolings
    >>> grid = pool_grid(enc, ["a cat sat"], ["max", "cls"], cache=False)
    >>> bool(np.allclose(grid["max"], enc.encode_layers(["a cat sat"], pooling="max", cache=False)))
    True
    """
    return encoder.encode_poolings(texts, poolings, options, batch_size=batch_size, cache=cache,
                                   show_progress=show_progress, **overrides)
