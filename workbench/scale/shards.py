"""The output folder of a sharded encode: a manifest, parquet shards of ids and vectors, resumption.

A run writes ``manifest.json`` first: the model (its identity hash), every encode
option, the shard size and the corpus's files with their row counts. Shard ``i`` holds
corpus rows ``i * shard_size`` up to the next multiple (never across an input file's
end, so one shard reads one file) in ``part-00000.parquet``, ``part-00001.parquet`` ...,
with columns ``id`` and ``vector`` (a fixed-size list of float32). A shard is written
under a temporary name and renamed, so a shard file that exists is complete; a rerun
skips shards whose file holds the expected rows and the manifest's hash, so a killed
run loses at most the shards in flight. A folder written with another model, other
options or another corpus is refused with the reason, never mixed.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .corpus import Source

MANIFEST = "manifest.json"
FORMAT = 1


@dataclass(frozen=True)
class Shard:
    """Rows ``start:stop`` of source number ``source`` of the corpus, written as shard ``index``."""

    index: int
    source: int
    start: int
    stop: int
    offset: int  # position of the source's first row in the corpus

    @property
    def name(self) -> str:
        return shard_name(self.index)

    def as_dict(self) -> dict[str, int]:
        return {"index": self.index, "source": self.source, "start": self.start, "stop": self.stop,
                "offset": self.offset}


def shard_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def plan(srcs: list[Source], shard_size: int) -> list[Shard]:
    """Shards of at most ``shard_size`` rows, none crossing a file's end, in corpus order.

    Examples
    --------
    >>> [(s.source, s.start, s.stop) for s in plan([Source("a", 5), Source("b", 2)], 3)]
    [(0, 0, 3), (0, 3, 5), (1, 0, 2)]
    """
    if isinstance(shard_size, bool) or not isinstance(shard_size, (int, np.integer)) or shard_size < 1:
        raise ValueError(f"shard_size must be a positive number of rows, got {shard_size!r}")
    out, offset = [], 0
    for k, src in enumerate(srcs):
        for start in range(0, src.rows, shard_size):
            out.append(Shard(len(out), k, start, min(start + shard_size, src.rows), offset))
        offset += src.rows
    return out


def manifest(*, model: str, identity: str, options: dict[str, Any], shard_size: int, srcs: list[Source],
             text_field: str, id_field: str, dim: int) -> dict[str, Any]:
    """What a folder's vectors depend on, with ``hash``: the digest every shard carries."""
    weights = hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()
    body = {"format": FORMAT, "model": model, "identity": weights,
            "options": options, "shard_size": int(shard_size), "text_field": text_field, "id_field": id_field,
            "dim": int(dim), "rows": sum(s.rows for s in srcs), "sources": [s.describe() for s in srcs]}
    blob = json.dumps(body, sort_keys=True, default=str)
    return {**body, "hash": hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()}


def prepare(out: str | Path, wanted: dict[str, Any], *, overwrite: bool = False) -> Path:
    """Create ``out`` with ``wanted`` as its manifest, or check that its manifest is ``wanted``.

    A folder that holds files but no manifest, or the manifest of another run, is
    refused (``overwrite=True`` deletes its shards and starts again).
    """
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} is a file; --out must be a folder for the shards (created when missing)")
    out.mkdir(parents=True, exist_ok=True)
    path = out / MANIFEST
    if path.exists() and not overwrite:
        try:
            have = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path} cannot be read ({exc}); pass overwrite=True (--overwrite) to start again") \
                from None
        if have.get("hash") != wanted["hash"]:
            diff = [k for k in wanted if k != "hash" and have.get(k) != wanted[k]]
            details = "; ".join(f"{k}: folder has {_short(have.get(k))}, this run {_short(wanted[k])}" for k in diff)
            raise ValueError(f"{out} holds shards of a different run ({details or 'format'}); they are never mixed: "
                             "choose another output folder or pass overwrite=True (--overwrite) to replace them")
    else:
        others = [p.name for p in out.iterdir() if not _ours(p.name)]
        if others and not overwrite:
            raise FileExistsError(f"{out} is not empty and holds files this command did not write "
                                  f"({', '.join(sorted(others)[:5])}); choose another output folder or pass "
                                  "overwrite=True (--overwrite)")
        for p in out.iterdir():
            if _ours(p.name) and p.is_file():
                p.unlink()
        tmp = out / f".{MANIFEST}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.write_text(json.dumps(wanted, indent=1, default=str))
        os.replace(tmp, path)
    return out


def _ours(name: str) -> bool:
    """Whether a file name is one a sharded encode writes (its manifest, shards and their temporaries)."""
    return name == MANIFEST or name.startswith((".part-", f".{MANIFEST}.tmp-")) \
        or (name.startswith("part-") and name.endswith(".parquet"))


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def is_done(out: Path, shard: Shard, digest: str) -> bool:
    """Whether shard ``shard`` is written: its file exists with the expected rows and the manifest's hash."""
    path = out / shard.name
    if not path.exists():
        return False
    import pyarrow.parquet as pq  # noqa: PLC0415

    try:
        meta = pq.read_metadata(path)
    except Exception:  # noqa: BLE001  (an unreadable file is redone)
        return False
    info = meta.metadata or {}
    return meta.num_rows == shard.stop - shard.start and info.get(b"workbench.manifest") == digest.encode()


def write_shard(out: Path, shard: Shard, ids: list, vectors: np.ndarray, digest: str) -> Path:
    """Write one shard's ids and vectors atomically (a temporary file renamed into place)."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    column = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), vectors.shape[1])
    table = pa.table({"id": pa.array(ids), "vector": column})
    table = table.replace_schema_metadata({"workbench.manifest": digest, "workbench.shard": str(shard.index)})
    path = out / shard.name
    tmp = out / f".{shard.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_vectors(out: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """The ids and vectors of a finished folder, in corpus order.

    Raises ValueError naming the missing shards when the run has not finished.

    Returns
    -------
    (ids, vectors): an array of ids and a float32 array of shape (rows, dim)
    """
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    out = Path(out).expanduser()
    if not (out / MANIFEST).exists():
        raise FileNotFoundError(f"{out} holds no {MANIFEST}: not the output of a sharded encode")
    info = json.loads((out / MANIFEST).read_text())
    shards = plan([Source(s["path"], s["rows"], s["bytes"]) for s in info["sources"]], info["shard_size"])
    missing = [s.index for s in shards if not is_done(out, s, info["hash"])]
    if missing:
        raise ValueError(f"{out}: {len(missing)} of {len(shards)} shards are not written yet (first: {missing[:5]}); "
                         "rerun the same command to finish them")
    tables = [pq.read_table(out / s.name) for s in shards]
    if not tables:
        return np.array([]), np.zeros((0, info["dim"]), np.float32)
    table = pa.concat_tables(tables)
    flat = table.column("vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
    return table.column("id").to_numpy(), flat.reshape(len(table), info["dim"]).astype(np.float32, copy=False)
