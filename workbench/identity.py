"""Model identity: a hash of every file in a model folder that changes its vectors.

The identity enters every cache key, so two folders share cached vectors only when
they hold the same bytes in every file that shapes a vector: the weights, the model
configuration (``config.json``: layers, activation, positions ...), the tokenizer
(vocabulary, merges, ``tokenizer.json``, ``tokenizer_config.json`` with its
lower-casing and length settings, special tokens) and the sentence-transformers module
configurations (``modules.json``, ``sentence_bert_config.json``,
``config_sentence_transformers.json`` and each module folder such as ``1_Pooling`` or
``2_Dense``). Documentation (``README.md``) and hidden files do not count.

Hashing a 90 MB checkpoint takes a fraction of a second; the digest is memoised in the
process and on disk (``weights-hash`` in the cache folder) by each file's path, size,
modification and change times, so an edit of any file is a new identity. When the
cache folder cannot be written the memo stays in memory.

Left out: hub models are identified by their revision (see ``models.load_transformer``),
not by hashing their files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable

from .cache import atomic_write_bytes, entry_path, make_key

#: file names (globs) in a model folder, or in one of its module folders, that change the vectors
IDENTITY_PATTERNS: tuple[str, ...] = (
    "*.safetensors", "*.bin", "*.pt", "*.gguf", "*.npy", "*.parquet", "*.onnx",  # weights and vocabularies
    "*.json",  # model, tokenizer and sentence-transformers configurations
    "*.txt", "*.model", "*.tiktoken", "*.vocab",  # vocabularies, merges, sentencepiece models
)
_MEMO: dict[str, str] = {}  # stamp key -> digest, for this process


def model_files(folder: Path, patterns: Iterable[str] = IDENTITY_PATTERNS) -> list[Path]:
    """The files of ``folder`` (and of its sentence-transformers module folders) that enter the identity.

    Module folders are those ``modules.json`` names, and any numbered folder (``1_Pooling``,
    ``2_Dense``) beside it.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); (d / "1_Pooling").mkdir()
    >>> for name in ("config.json", "vocab.txt", "README.md", "1_Pooling/config.json"):
    ...     _ = (d / name).write_text("{}")
    >>> [p.relative_to(d).as_posix() for p in model_files(d)]
    ['1_Pooling/config.json', 'config.json', 'vocab.txt']
    """
    folder = Path(folder)
    folders = {folder} | {p for p in folder.glob("[0-9]*_*") if p.is_dir()}
    modules = folder / "modules.json"
    try:
        listed = json.loads(modules.read_text()) if modules.is_file() else []
    except (OSError, ValueError):
        listed = []  # the file itself still enters the hash, so a broken one is a distinct identity
    for entry in listed if isinstance(listed, list) else []:
        sub = entry.get("path") if isinstance(entry, dict) else None
        if isinstance(sub, str) and sub and (folder / sub).is_dir():
            folders.add(folder / sub)
    pats = tuple(patterns)
    return sorted({p for d in folders for pat in pats for p in d.glob(pat)
                   if p.is_file() and not p.name.startswith(".")})


def files_hash(files: Iterable[Path], root: Path) -> str:
    """BLAKE2b (16 hex digits) of the files' names (relative to ``root``) and contents, memoised.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); _ = (d / "a.json").write_text("{}")
    >>> h = files_hash([d / "a.json"], d)
    >>> _ = (d / "a.json").write_text('{"x": 1}')
    >>> len(h), files_hash([d / "a.json"], d) != h
    (16, True)
    """
    root = Path(root)
    files = sorted(Path(p) for p in files)
    stamp = []
    for p in files:
        st = p.stat()
        stamp.append((str(p.resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    key = make_key(identity_files=stamp, version=2)
    if key in _MEMO:
        return _MEMO[key]
    memo = entry_path(key, "weights-hash").with_suffix(".txt")
    try:
        cached = memo.read_text().strip()
    except (OSError, UnicodeDecodeError):
        cached = ""
    if len(cached) == 16 and all(c in "0123456789abcdef" for c in cached):
        _MEMO[key] = cached
        return cached
    h = hashlib.blake2b(digest_size=8)
    for p in files:
        name = p.relative_to(root).as_posix().encode() if p.is_relative_to(root) else p.name.encode()
        h.update(len(name).to_bytes(8, "little") + name)
        h.update(p.stat().st_size.to_bytes(8, "little"))
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
    digest = h.hexdigest()
    _MEMO[key] = digest
    try:
        atomic_write_bytes(memo, digest.encode())
    except OSError:
        pass  # a read-only or full cache folder: the memo lives in this process only
    return digest


def folder_identity(folder: Path, patterns: Iterable[str] = IDENTITY_PATTERNS) -> str:
    """Hash of everything in a model folder that changes its vectors (see the module docstring).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); _ = (d / "tokenizer_config.json").write_text('{"do_lower_case": true}')
    >>> before = folder_identity(d)
    >>> _ = (d / "tokenizer_config.json").write_text('{"do_lower_case": false}')
    >>> folder_identity(d) != before
    True
    """
    return files_hash(model_files(folder, patterns), folder)
