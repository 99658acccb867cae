"""Output targets: writers never destroy a user's files and never leave half-written ones.

A writer names what it owns. A target that does not exist, is empty, or holds only what
the writer itself writes is replaced; anything else is refused with a
``FileExistsError`` unless ``overwrite=True`` (``--overwrite`` on the command line),
which replaces the whole target. A folder is built under a temporary name beside the
target and renamed into place, and a file goes through
:func:`workbench.cache.atomic_write_bytes`, so a failure leaves the old target as it was
and no temporary behind.

Left out: merging into an existing folder (a target is replaced as a whole).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from .cache import atomic_write_bytes, current_umask


def _refuse(target: Path, why: str) -> None:
    raise FileExistsError(f"{target} {why}; choose another output or pass --overwrite (overwrite=True) "
                          "to replace it")


def check_folder_target(target: str | Path, *, owns: Callable[[Path], bool], overwrite: bool = False) -> Path:
    """``target`` as a Path when it may be (re)written: absent, empty, the writer's own (``owns``) or overwritten.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); _ = (d / "notes.txt").write_text("mine")
    >>> check_folder_target(d, owns=lambda p: False)
    Traceback (most recent call last):
    ...
    FileExistsError: ... is not empty and holds files this command did not write (notes.txt); ...
    """
    target = Path(target).expanduser()
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} is a file; the output must be a folder (it is created when missing)")
    if overwrite or not target.exists():
        return target
    entries = sorted(target.iterdir())
    if entries and not owns(target):
        names = ", ".join(p.name for p in entries[:5]) + (", ..." if len(entries) > 5 else "")
        _refuse(target, f"is not empty and holds files this command did not write ({names})")
    return target


def owns_only(names: Iterable[str]) -> Callable[[Path], bool]:
    """An ``owns`` test: the folder holds nothing but files called ``names``.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); _ = (d / "corpus.jsonl").write_text("")
    >>> owns_only(["corpus.jsonl", "queries.jsonl"])(d)
    True
    """
    allowed = set(names)
    return lambda folder: all(p.name in allowed and p.is_file() for p in folder.iterdir())


def write_folder(target: str | Path, fill: Callable[[Path], None], *, owns: Callable[[Path], bool],
                 overwrite: bool = False) -> Path:
    """Build a folder with ``fill(tmp)`` under a temporary name, then put it in place of ``target``.

    Parameters
    ----------
    target : str or Path
        The folder to write (see :func:`check_folder_target` for when it may be replaced).
    fill : callable
        Writes the content into the folder it is given.
    owns : callable
        Whether an existing folder is this writer's own output.
    overwrite : bool
        Replace a folder that is not the writer's own.

    Returns
    -------
    Path of the written folder

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "out"
    >>> _ = write_folder(out, lambda d: (d / "a.txt").write_text("1"), owns=owns_only(["a.txt"]))
    >>> _ = write_folder(out, lambda d: (d / "a.txt").write_text("2"), owns=owns_only(["a.txt"]))
    >>> (out / "a.txt").read_text()
    '2'
    """
    target = check_folder_target(target, owns=owns, overwrite=overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-new-"))
    old = None
    try:
        tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes the folder private; give it an ordinary folder's mode
        fill(tmp)
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-old-"))
            target.replace(old / target.name)
        tmp.replace(target)
    except BaseException:
        if old is not None and not target.exists():
            (old / target.name).replace(target)  # put the old folder back
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def write_file(target: str | Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to the file ``target`` atomically, refusing an existing file unless ``overwrite``.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "x.bin"
    >>> _ = write_file(f, b"1")
    >>> write_file(f, b"2")
    Traceback (most recent call last):
    ...
    FileExistsError: ... exists; choose another output or pass --overwrite (overwrite=True) to replace it
    """
    target = Path(target).expanduser()
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder; the output must be a file path")
    if target.exists() and not overwrite:
        _refuse(target, "exists")
    atomic_write_bytes(target, data)
    return target
