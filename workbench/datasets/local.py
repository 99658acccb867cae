"""Local copies of data sets the workbench does not ship (the authors' LIMIT-small, your own folders).

A notebook or script asks for ``local_copy("limit-small")`` instead of building a path
from its working directory, so a copied notebook finds the same data wherever it runs.
The copy is looked up in ``WB_DATA_DIR`` when that is set, then in the project's
``data/`` folder (beside ``workbench/`` in a clone of the project; git-ignored apart
from its README and ``published/``).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PROJECT_DATA", "data_dirs", "local_copy", "missing_copy_message"]

#: the project's data folder (exists in a clone, not in an installed wheel)
PROJECT_DATA = Path(__file__).resolve().parents[2] / "data"


def data_dirs() -> list[Path]:
    """Where :func:`local_copy` looks, in order: ``WB_DATA_DIR`` (if set), then the project's ``data/``.

    Examples
    --------
    >>> data_dirs()[-1].name
    'data'
    """
    dirs = []
    if os.environ.get("WB_DATA_DIR"):
        dirs.append(Path(os.environ["WB_DATA_DIR"]).expanduser())
    return [*dirs, PROJECT_DATA]


def local_copy(name: str) -> Path | None:
    """The file or folder ``name`` in the first data folder that holds it; None when none does.

    Parameters
    ----------
    name : str
        A plain file or folder name such as ``"limit-small"`` (no path separators).

    Examples
    --------
    >>> local_copy("no-such-set") is None
    True
    >>> local_copy("../elsewhere")
    Traceback (most recent call last):
    ...
    ValueError: name must be a plain file or folder name such as 'limit-small', got '../elsewhere'
    """
    if not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\\" in name:
        raise ValueError(f"name must be a plain file or folder name such as 'limit-small', got {name!r}")
    for folder in data_dirs():
        if (folder / name).exists():
            return folder / name
    return None


def missing_copy_message(name: str, instead: str) -> str:
    """What to print when :func:`local_copy` finds no ``name``: where it looked and how to provide a copy.

    Parameters
    ----------
    name : str
        The plain file or folder name that was looked for.
    instead : str
        What the caller does without it, e.g. ``"generated data stand in for it"``.

    Examples
    --------
    >>> print(missing_copy_message("limit-small", "generated data stand in for it"))  # doctest: +ELLIPSIS
    no copy of 'limit-small' found (looked in ...data); generated data stand in for it. To use a copy, set the \
environment variable WB_DATA_DIR to a folder that holds limit-small/ (before Python starts, or with os.environ in \
the notebook before this cell), or put it at .../data/limit-small.
    """
    local_copy(name)  # validates the name
    looked = ", ".join(map(str, data_dirs()))
    return (f"no copy of {name!r} found (looked in {looked}); {instead}. To use a copy, set the environment "
            f"variable WB_DATA_DIR to a folder that holds {name}/ (before Python starts, or with os.environ in the "
            f"notebook before this cell), or put it at {PROJECT_DATA / name}.")
