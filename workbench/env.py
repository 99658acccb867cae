"""The environment variables the package reads, and the one way an on/off switch is parsed.

A switch is on for ``1``, ``true``, ``yes`` or ``on`` and off for ``0``, ``false``,
``no``, ``off`` or an empty value (any case, outer spaces ignored); anything else is an
error that names the variable and the accepted values, so ``WB_ALLOW_DOWNLOAD=0`` can
never mean "on". ``CI`` is set by continuous-integration services, some of which write
their own name into it (``CI=woodpecker``), so there any value but an off word counts
as on.

Left out: configuration files; every setting is an argument first and a variable second.
"""

from __future__ import annotations

import os

ON = ("1", "true", "yes", "on")
OFF = ("0", "false", "no", "off", "")

#: every variable the package reads -> what it does
VARIABLES: dict[str, str] = {
    "WB_CACHE_DIR": "folder of the vector cache and converted models (default ~/.cache/workbench)",
    "WB_DATA_DIR": "a folder of local data copies (e.g. limit-small) searched before the project's data/",
    "WB_ALLOW_DOWNLOAD": "switch: let loaders reach the Hugging Face hub (default off)",
    "WB_SMOKE": "switch: small sizes for notebooks and quiet progress bars, as the tests run them (default off)",
    "WB_COURSE_STRICT": "switch: a course check that does not pass raises instead of only printing its hint, so "
                        "a lesson with a wrong solution fails its test run (default off; the test suite turns it on "
                        "for the lessons)",
    "CI": "set by CI services: progress bars off (any value but an off word)",
    "RAY_ADDRESS": "Ray's own variable: the cluster that engine=\"ray\" joins when no address is given "
                   "(default: a Ray started on this machine)",
    "HF_HUB_OFFLINE": "Hugging Face's own switch, passed on to Ray workers so that they stay as offline as the caller",
    "BROWSER_PATH": "kaleido's own variable: the Chrome/Chromium binary that writes static figures (PNG, SVG, PDF) "
                    "(default: the first chromium or chrome on the PATH; never a download)",
}


def env_flag(name: str, default: bool = False, *, any_value_is_on: bool = False) -> bool:
    """An on/off switch from the environment variable ``name``; ``default`` when it is unset or empty.

    Parameters
    ----------
    name : str
        The variable.
    default : bool
        The value when it is unset or empty.
    any_value_is_on : bool
        Read a value that is neither an on nor an off word as on (for ``CI``) instead of
        raising.

    Raises
    ------
    ValueError
        For a value that is neither an on word (1, true, yes, on) nor an off word
        (0, false, no, off), naming the variable.

    Examples
    --------
    >>> os.environ["WB_EXAMPLE_SWITCH"] = "No"
    >>> env_flag("WB_EXAMPLE_SWITCH", default=True)
    False
    >>> os.environ["WB_EXAMPLE_SWITCH"] = "maybe"
    >>> env_flag("WB_EXAMPLE_SWITCH")
    Traceback (most recent call last):
    ...
    ValueError: environment variable WB_EXAMPLE_SWITCH='maybe' is not a switch value: use 1, true, yes or on \
to turn it on, 0, false, no or off (or unset it) to turn it off
    >>> del os.environ["WB_EXAMPLE_SWITCH"]
    """
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return bool(default)
    value = raw.strip().lower()
    if value in ON:
        return True
    if value in OFF:
        return False
    if any_value_is_on:
        return True
    raise ValueError(f"environment variable {name}={raw!r} is not a switch value: use {', '.join(ON[:-1])} or "
                     f"{ON[-1]} to turn it on, {', '.join(OFF[:-2])} or {OFF[-2]} (or unset it) to turn it off")


#: what a smoke run prints at the top of a notebook
SMOKE_BANNER = ("SMOKE RUN (WB_SMOKE=1): tiny subsets, few steps and few resamples, so the code is checked end to "
                "end in seconds. The numbers below are NOT meaningful at this size and may differ from the "
                "full-size findings the text quotes; unset WB_SMOKE to run at full size.")


def smoke_banner(smoke: bool | None = None) -> None:
    """Print :data:`SMOKE_BANNER` when this is a smoke run, and nothing otherwise.

    A notebook calls it at the end of its parameters cell, so a reader of a smoke run
    sees at the top that its numbers only show that the code runs.

    Parameters
    ----------
    smoke : bool, optional
        The notebook's own ``SMOKE`` flag; None reads the ``WB_SMOKE`` switch.

    Examples
    --------
    >>> smoke_banner(False)
    >>> smoke_banner(True)  # doctest: +ELLIPSIS
    SMOKE RUN (WB_SMOKE=1): ... NOT meaningful at this size ...
    """
    if smoke is None:
        smoke = env_flag("WB_SMOKE")
    if not isinstance(smoke, bool):
        raise TypeError(f"smoke must be True, False or None (read WB_SMOKE), got {smoke!r}")
    if smoke:
        print(SMOKE_BANNER)
