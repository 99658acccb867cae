"""Progress bars that are on for people and off for machines.

``show_progress=None`` everywhere in the package means: on in a notebook or an
interactive terminal, off under CI (``CI`` set), in smoke runs (``WB_SMOKE=1``) or when
output is redirected.
"""

from __future__ import annotations

import sys

from tqdm.auto import tqdm

from .env import env_flag


def in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (where widgets and live charts can show).

    Examples
    --------
    >>> in_notebook()    # a doctest runs in a plain interpreter
    False
    """
    try:
        from IPython import get_ipython  # noqa: PLC0415
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def resolve(show_progress: bool | None) -> bool:
    """Decide whether to show a progress bar.

    Examples
    --------
    >>> resolve(False)
    False
    """
    if show_progress is not None:
        return bool(show_progress)
    if env_flag("CI", any_value_is_on=True) or env_flag("WB_SMOKE"):
        return False
    return in_notebook() or sys.stderr.isatty()


def bar(total: int, desc: str, show_progress: bool | None) -> tqdm:
    """A tqdm bar over ``total`` items, disabled when ``resolve`` says so."""
    return tqdm(total=total, desc=desc, disable=not resolve(show_progress), leave=False)
