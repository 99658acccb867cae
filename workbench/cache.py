"""Content-addressed on-disk cache for arrays (embedding vectors above all).

An entry is named by a key: the hash of everything that changes its content (see
``make_key``). Each file holds a magic tag, a BLAKE2b digest of the payload and the
payload itself (``.npy`` bytes), so a truncated or corrupted file is detected on read,
reported with a warning, removed and recomputed by the caller. Files are written to a
temporary name in the same folder and renamed into place, so a reader never sees a
half-written entry and an interrupted run loses at most the entry being written.

A hit is checked against what the caller asked for (``shape``, ``dtype``): an entry
that holds anything else is reported and recomputed, never returned. The cache
degrades instead of failing: an entry that cannot be read (a folder in its place,
``WB_CACHE_DIR`` naming a file, no permission) is a miss with a warning, and a write
that fails (read-only folder, full disk) is reported with a warning (once per folder
and cause in a process) and returns None, so the caller keeps its result and can stop
writing.

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
_REPORTED: set = set()  # (cache folder, cause) already reported as unusable in this process


def cache_dir() -> Path:
    """The cache folder: ``$WB_CACHE_DIR`` or ``~/.cache/workbench``.

    Examples
    --------
    >>> isinstance(cache_dir(), Path)
    True
    """
    value = os.environ.get("WB_CACHE_DIR", "").strip()
    return Path(value).expanduser() if value else Path.home() / ".cache" / "workbench"


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


def current_umask() -> int:
    """The process's file-creation mask (read by setting it and putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes the file private; give it an ordinary file's mode
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def put(key: str, array: np.ndarray, *, namespace: str = "vectors", root: Path | None = None) -> Path | None:
    """Store ``array`` under ``key`` atomically; returns the file path, or None when it cannot be written.

    A failed write (read-only folder, full disk, a folder or file in the way) leaves no
    partial file and is reported with a ``RuntimeWarning`` naming the cause, once per
    cache folder and cause in a process.

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
    try:
        atomic_write_bytes(path, _MAGIC + _digest(payload) + payload)
    except OSError as exc:
        base = root or cache_dir()
        if (str(base), exc.errno) not in _REPORTED:  # once per folder and cause: a sweep would repeat it
            _REPORTED.add((str(base), exc.errno))
            warnings.warn(f"workbench cache: cannot write {path} ({_reason(exc)}); results are returned but not "
                          f"cached (set WB_CACHE_DIR to a writable folder, or pass cache=False)", RuntimeWarning,
                          stacklevel=2)
        return None
    return path


def _reason(exc: OSError) -> str:
    return f"{type(exc).__name__}: {exc.strerror}" if exc.strerror else f"{type(exc).__name__}: {exc}"


def get(key: str, *, namespace: str = "vectors", root: Path | None = None, shape: tuple[int | None, ...] | None = None,
        dtype: Any = None) -> np.ndarray | None:
    """The array stored under ``key``, or None when absent, damaged or not what was asked.

    A damaged entry (wrong tag, digest mismatch, unreadable payload) and one whose array
    differs from the expected ``shape`` (a None in it matches any length) or ``dtype``
    are removed and reported with a ``RuntimeWarning`` so the caller recomputes them; an
    entry that cannot be read at all (a folder in its place, no permission) is reported
    and missed.

    Examples
    --------
    >>> import tempfile, warnings, numpy as np
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = put("cd34", np.ones((5, 3), np.float32), root=root)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     get("cd34", root=root, shape=(20, 3), dtype=np.float32) is None, len(caught)
    (True, 1)
    """
    path = entry_path(key, namespace, root)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        base = root or cache_dir()
        if base.exists() and not base.is_dir():
            if str(base) not in _REPORTED:  # once per process: every entry of this cache fails alike
                _REPORTED.add(str(base))
                warnings.warn(f"the workbench cache folder {base} is a file, not a folder: vectors are computed "
                              f"but not cached (point WB_CACHE_DIR at a folder; it is created when missing)",
                              RuntimeWarning, stacklevel=2)
            return None
        what = "is a folder, not a cache entry" if path.is_dir() else f"cannot be read ({_reason(exc)})"
        warnings.warn(f"workbench cache entry {path} {what}; recomputing it", RuntimeWarning, stacklevel=2)
        return None
    head = len(_MAGIC) + _DIGEST
    problem = None
    if len(data) < head or not data.startswith(_MAGIC):
        problem = "bad header"
    elif _digest(data[head:]) != data[len(_MAGIC):head]:
        problem = "checksum mismatch (truncated or corrupted)"
    else:
        try:
            array = np.load(io.BytesIO(data[head:]), allow_pickle=False)
        except ValueError as exc:  # unreadable npy payload
            problem = f"unreadable payload ({exc})"
        else:
            mismatch = _mismatch(array, shape, dtype)
            if mismatch is None:
                return array
            problem = f"does not match what was asked: it {mismatch}"
    if not problem.startswith("does not"):
        problem = f"is damaged: {problem}"
    warnings.warn(f"workbench cache entry {path} {problem}; recomputing it", RuntimeWarning, stacklevel=2)
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache: the entry stays, and is checked (and missed) again next time
    return None


def _mismatch(array: Any, shape: tuple[int | None, ...] | None, dtype: Any) -> str | None:
    """Why ``array`` is not what was asked for, or None."""
    if not isinstance(array, np.ndarray):
        return f"holds a {type(array).__name__}, not an array"
    if shape is not None and (array.ndim != len(shape)
                              or any(want is not None and got != want for got, want in zip(array.shape, shape))):
        expected = tuple("any" if w is None else w for w in shape)
        return f"holds an array of shape {array.shape}, expected {expected}".replace("'any'", "any")
    if dtype is not None and array.dtype != np.dtype(dtype):
        return f"holds {array.dtype} values, expected {np.dtype(dtype)}"
    return None


def clear(namespace: str | None = None, *, root: Path | None = None) -> int:
    """Delete cached entries (one namespace or all); returns how many files went."""
    base = (root or cache_dir()) / namespace if namespace else (root or cache_dir())
    n = 0
    for p in base.rglob("*.wbc") if base.exists() else ():
        p.unlink(missing_ok=True)
        n += 1
    return n
