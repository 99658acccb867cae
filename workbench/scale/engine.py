"""Encode a corpus into a folder of shards, in this process or on a pool of Ray actors.

:func:`encode_dataset` plans the shards (:mod:`.shards`), skips those already written
and hands the rest to an engine:

* ``"local"`` -- one encoder in this process, shard after shard (the reference, and
  resumable like the other);
* ``"ray"`` -- Ray Data: the pending shards become a dataset of one block per shard,
  mapped by a pool of ``actors`` actors (``ActorPoolStrategy``), each holding one
  encoder and ``cpus_per_actor`` CPU threads, each reading its own shard's rows and
  writing its own parquet file. Without an address Ray starts on this machine; with
  ``address`` (or ``RAY_ADDRESS``) it joins an existing cluster, whose nodes must see
  the corpus and the output folder at the same paths (a shared file system).

Either way a shard's vectors are ``Encoder.encode`` of its texts with the run's options
(no vector cache: the shards are the resumable unit), so the folder equals one
single-process ``encode`` of the whole corpus up to the float rounding of a different
batch composition. A dead actor is restarted and its shard retried ``max_retries``
times; after that the run stops with the shards written so far kept, and rerunning the
same call finishes the rest.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from .. import progress
from ..encoder import Encoder, as_options
from ..packages import require
from . import shards as sh
from .corpus import Source, read_rows, sources

ENGINES = ("local", "ray")
#: rows per shard by default: a multiple of the encoder's cache chunk, so a shard batches as ``encode`` does
SHARD_SIZE = 4096


class ShardWorker:
    """Encodes shards and writes them: the body of one Ray actor (or of the local engine)."""

    def __init__(self, model: str | Encoder, options: Any, out: str, digest: str, srcs: list[dict],
                 texts: Sequence[str] | None, text_field: str, id_field: str, batch_size: int):
        from ..models import load_encoder  # noqa: PLC0415

        self.encoder = model if isinstance(model, Encoder) else load_encoder(model)
        self.options, self.out, self.digest = options, Path(out), digest
        self.srcs = [Source(**s) for s in srcs]
        self.texts, self.text_field, self.id_field, self.batch_size = texts, text_field, id_field, batch_size

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list]:
        done: dict[str, list] = {"index": [], "rows": [], "seconds": [], "pid": []}
        for i in range(len(batch["index"])):
            shard = sh.Shard(**{k: int(batch[k][i]) for k in ("index", "source", "start", "stop", "offset")})
            began = time.perf_counter()
            ids, texts = read_rows(self.srcs[shard.source], shard.start, shard.stop, text_field=self.text_field,
                                   id_field=self.id_field, texts=self.texts, offset=shard.offset)
            X = self.encoder.encode(texts, self.options, batch_size=self.batch_size, cache=False,
                                    show_progress=False)
            sh.write_shard(self.out, shard, ids, X, self.digest)
            for key, value in (("index", shard.index), ("rows", len(ids)), ("seconds", time.perf_counter() - began),
                               ("pid", os.getpid())):
                done[key].append(value)
        return done


def encode_dataset(data: str | Path | Sequence[str], out: str | Path, *, model: str | Encoder = "minilm",
                   options: Any = None, engine: str = "ray", actors: int = 2, cpus_per_actor: int = 1,
                   batch_size: int = 32, shard_size: int = SHARD_SIZE, text_field: str = "text",
                   id_field: str = "id", address: str | None = None, max_retries: int = 2, overwrite: bool = False,
                   show_progress: bool | None = None, **overrides: Any) -> dict[str, Any]:
    """Encode a corpus into parquet shards of ids and vectors, resuming a folder already begun.

    Parameters
    ----------
    data : str, Path or list of str
        A ``.jsonl`` or ``.parquet`` file, a folder of them (read in name order), or texts.
    out : str or Path
        The output folder: ``manifest.json`` and ``part-NNNNN.parquet`` (read them back
        with :func:`workbench.scale.read_vectors`).
    model : str or Encoder
        A model name, folder or Hugging Face id (each actor loads it), or a loaded
        encoder (shipped to the actors through Ray's object store).
    options : EncodeOptions, dict or pooling name, optional
        As for ``Encoder.encode``; ``**overrides`` set single fields.
    engine : {"ray", "local"}
    actors, cpus_per_actor : int
        The Ray actor pool: how many encoders run at once, and the CPUs (threads) of each.
    batch_size, shard_size : int
        Texts per forward pass; rows per output shard (the unit of resumption).
    text_field, id_field : str
        The records' text and id fields (rows without an id get their corpus position).
    address : str, optional
        A Ray cluster to join (default ``RAY_ADDRESS``; neither: start Ray here).
    max_retries : int
        Restarts of a dead actor and retries of its shard before the run stops.
    overwrite : bool
        Replace a folder that holds another run's shards (otherwise refused).

    Returns
    -------
    dict with ``out``, ``rows``, ``dim``, ``shards``, ``written``, ``skipped``,
    ``seconds`` and ``engine``

    Examples
    --------
    >>> import tempfile, workbench as wb
    >>> out = Path(tempfile.mkdtemp()) / "vectors"
    >>> texts = ["a dog runs", "a cat sleeps", "rain on the roof"]
    >>> encode_dataset(texts, out, engine="local", shard_size=2)["written"]
    2
    >>> ids, X = wb.scale.read_vectors(out)
    >>> ids.tolist(), X.shape
    ([0, 1, 2], (3, 384))
    >>> encode_dataset(texts, out, engine="local", shard_size=2)["skipped"]
    2
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    for name, value in (("actors", actors), ("cpus_per_actor", cpus_per_actor), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}")
    if engine == "ray":
        require("ray", extra="scale", needed_for="engine='ray'")
    began = time.perf_counter()
    srcs = sources(data)
    texts = None if isinstance(data, (str, Path)) else list(data)
    from ..models import load_encoder  # noqa: PLC0415

    encoder = model if isinstance(model, Encoder) else load_encoder(model)
    opts = encoder.resolve(as_options(options, **overrides))
    if opts.head is not None:
        raise ValueError("a sharded encode pools with a mode name; a trainable head runs with Encoder.encode")
    info = sh.manifest(model=encoder.name, identity=encoder.identity, options=opts.key_parts(),
                       shard_size=shard_size, srcs=srcs, text_field=text_field, id_field=id_field,
                       dim=encoder.encode(["width"], opts, cache=False, show_progress=False).shape[1])
    folder = sh.prepare(out, info, overwrite=overwrite)
    plan = sh.plan(srcs, shard_size)
    pending = [s for s in plan if not sh.is_done(folder, s, info["hash"])]
    args = dict(options=opts, out=str(folder), digest=info["hash"], srcs=[s.describe() for s in srcs], texts=texts,
                text_field=text_field, id_field=id_field, batch_size=int(batch_size))
    with progress.bar(sum(s.stop - s.start for s in pending), f"encoding shards with {encoder.name}",
                      show_progress) as bar:
        if pending and engine == "local":
            worker = ShardWorker(encoder, **args)
            for shard in pending:
                bar.update(sum(worker({k: [v] for k, v in shard.as_dict().items()})["rows"]))
        elif pending:
            _run_ray(pending, model, args, actors=int(actors), cpus=int(cpus_per_actor), address=address,
                     retries=max_retries, bar=bar, folder=folder, total=len(plan), digest=info["hash"], plan=plan)
    return {"out": str(folder), "rows": info["rows"], "dim": info["dim"], "shards": len(plan),
            "written": len(pending), "skipped": len(plan) - len(pending), "seconds": time.perf_counter() - began,
            "engine": engine}


def start_ray(address: str | None = None, num_cpus: int | None = None) -> Any:
    """Ray, initialised: joined to ``address`` (or ``RAY_ADDRESS``), or started on this machine.

    A Ray already initialised in this process is used as it is.
    """
    ray = require("ray", extra="scale", needed_for="engine='ray'")
    if not ray.is_initialized():
        address = address or os.environ.get("RAY_ADDRESS") or None
        local = {} if address else {"num_cpus": num_cpus, "include_dashboard": False}
        ray.init(address=address, log_to_driver=False, configure_logging=False, **local)
    return ray


@contextmanager
def _quiet_ray_data() -> Iterator[None]:
    """Ray Data's progress lines off for one run (they would interleave with ours)."""
    import ray.data  # noqa: PLC0415

    ctx = ray.data.DataContext.get_current()
    saved = ctx.enable_progress_bars, ctx.print_on_execution_start
    logger = logging.getLogger("ray.data")
    level = logger.level
    ctx.enable_progress_bars, ctx.print_on_execution_start = False, False
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        ctx.enable_progress_bars, ctx.print_on_execution_start = saved
        logger.setLevel(level)


def _run_ray(pending: list, model: str | Encoder, args: dict, *, actors: int, cpus: int, address: str | None,
             retries: int, bar, folder: Path, total: int, digest: str, plan: list) -> None:
    ray = start_ray(address, num_cpus=None if address else actors * cpus)
    passed = (("WB_CACHE_DIR", os.environ.get("WB_CACHE_DIR")), ("HF_HUB_OFFLINE", os.environ.get("HF_HUB_OFFLINE")))
    env = {name: value for name, value in passed if value is not None}
    items = [s.as_dict() for s in pending]
    with _quiet_ray_data():
        ds = ray.data.from_items(items, override_num_blocks=len(items))
        done = ds.map_batches(ShardWorker, batch_size=1, compute=ray.data.ActorPoolStrategy(size=actors),
                              fn_constructor_args=(model,), fn_constructor_kwargs=args, num_cpus=cpus,
                              max_restarts=retries, max_task_retries=retries,
                              runtime_env={"env_vars": env} if env else None)
        try:
            for row in done.iter_rows():
                bar.update(int(row["rows"]))
        except Exception as exc:
            written = sum(sh.is_done(folder, s, digest) for s in plan)
            cause = " ".join(str(exc).split())[:600]
            raise RuntimeError(f"the Ray run stopped after {retries} retries: {cause}; {written} of {total} shards "
                               f"are written in {folder} and kept: rerun the same command to finish the rest") \
                from exc
