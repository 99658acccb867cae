"""Corpora beyond one machine: sharded, resumable encoding on a pool of Ray actors.

>>> import workbench as wb                                              # doctest: +SKIP
>>> wb.scale.encode_dataset("corpus.jsonl", "vectors/", model="minilm", actors=2)  # doctest: +SKIP
>>> ids, X = wb.scale.read_vectors("vectors/")                         # doctest: +SKIP

* :mod:`.corpus` -- a JSON-lines or parquet file, a folder of them, or texts: row counts
  for the driver, row slices for the workers;
* :mod:`.shards` -- the output folder: a manifest of what the vectors depend on, parquet
  shards of ids and vectors written atomically, resumption and refusal of foreign shards;
* :mod:`.engine` -- :func:`encode_dataset` on the ``"local"`` engine (this process) or
  ``"ray"`` (Ray Data's actor pool, on this machine or a cluster).
"""

from .corpus import read_rows, sources
from .engine import ENGINES, SHARD_SIZE, encode_dataset, start_ray
from .shards import plan, read_vectors

__all__ = ["ENGINES", "SHARD_SIZE", "encode_dataset", "plan", "read_rows", "read_vectors", "sources", "start_ray"]
