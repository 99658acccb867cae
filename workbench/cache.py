"""Content-addressed on-disk cache for arrays (embedding vectors above all).

An entry is named by a key: the hash of everything that changes its content (see
``make_key``). Each file holds a magic tag, a BLAKE2b digest of the payload and the
payload itself (``.npy`` bytes), so a truncated or corrupted file is detected on read,
reported with a warning, removed and recomputed by the caller. Files are written to a
temporary name in the same folder and renamed into place, so a reader never sees a
half-written entry and an interrupted run loses at most the entry being written.
``weights_hash`` gives the part of a model's identity (and so of every key) that comes
from its weight files, memoised here too.

Left out: eviction and size limits (``clear`` empties the cache), locking (two
processes writing the same key write the same bytes; the last rename wins).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Iterable

import numpy as np

_MAGIC = b"WBC1"
_DIGEST = 32


def cache_dir() -> Path:
    """The cache folder: ``$WB_CACHE_DIR`` or ``~/.cache/workbench``.

    Examples
    --------
    >>> isinstance(cache_dir(), Path)
    True
    """
    return Path(os.environ.get("WB_CACHE_DIR") or Path.home() / ".cache" / "workbench")


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST).digest()


def hash_texts(texts: Iterable[str]) -> str:
    """Order-sensitive hash of a sequence of strings (length-prefixed, so no two lists collide).

    Examples
    --------
    >>> hash_texts(["a", "bc"]) != hash_texts(["ab", "c"])
    True
    """
    h = hashlib.blake2b(digest_size=_DIGEST)
    for t in texts:
        b = t.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def make_key(**parts: Any) -> str:
    """Key of a cache entry: a hash of the JSON form of ``parts`` (sorted keys).

    Examples
    --------
    >>> make_key(model="m", layer=-1) == make_key(layer=-1, model="m")
    True
    """
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(blob.encode(), digest_size=_DIGEST).hexdigest()


def entry_path(key: str, namespace: str = "vectors", root: Path | None = None) -> Path:
    """Where the entry for ``key`` lives (two-character fan-out folders)."""
    return (root or cache_dir()) / namespace / key[:2] / f"{key}.wbc"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def put(key: str, array: np.ndarray, *, namespace: str = "vectors", root: Path | None = None) -> Path:
    """Store ``array`` under ``key`` atomically; returns the file path.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = put("ab12", np.ones((2, 3), np.float32), root=root)
    >>> get("ab12", root=root).shape
    (2, 3)
    """
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    payload = buf.getvalue()
    path = entry_path(key, namespace, root)
    atomic_write_bytes(path, _MAGIC + _digest(payload) + payload)
    return path


def get(key: str, *, namespace: str = "vectors", root: Path | None = None) -> np.ndarray | None:
    """The array stored under ``key``, or None when absent or damaged.

    A damaged entry (wrong tag, digest mismatch, unreadable payload) is removed and
    reported with a ``RuntimeWarning`` so the caller recomputes it.
    """
    path = entry_path(key, namespace, root)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    head = len(_MAGIC) + _DIGEST
    problem = None
    if len(data) < head or not data.startswith(_MAGIC):
        problem = "bad header"
    elif _digest(data[head:]) != data[len(_MAGIC):head]:
        problem = "checksum mismatch (truncated or corrupted)"
    else:
        try:
            return np.load(io.BytesIO(data[head:]), allow_pickle=False)
        except ValueError as exc:  # unreadable npy payload
            problem = f"unreadable payload ({exc})"
    warnings.warn(f"workbench cache entry {path} is damaged: {problem}; recomputing it", RuntimeWarning, stacklevel=2)
    path.unlink(missing_ok=True)
    return None


def clear(namespace: str | None = None, *, root: Path | None = None) -> int:
    """Delete cached entries (one namespace or all); returns how many files went."""
    base = (root or cache_dir()) / namespace if namespace else (root or cache_dir())
    n = 0
    for p in base.rglob("*.wbc") if base.exists() else ():
        p.unlink(missing_ok=True)
        n += 1
    return n


def weights_hash(folder: Path, patterns: tuple[str, ...] = ("*.safetensors", "*.bin", "*.gguf", "*.npy")) -> str:
    """BLAKE2b of a folder's weight files, memoised on disk by (path, size, mtime).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); _ = (d / "w.safetensors").write_bytes(b"x")
    >>> len(weights_hash(d))
    16
    """
    files = sorted({p for pat in patterns for p in Path(folder).glob(pat) if p.is_file()})
    stamp = [(str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    memo = entry_path(make_key(weights=stamp), "weights-hash").with_suffix(".txt")
    if memo.exists():
        return memo.read_text().strip()
    h = hashlib.blake2b(digest_size=8)
    for p in files:
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
    digest = h.hexdigest()
    atomic_write_bytes(memo, digest.encode())
    return digest
