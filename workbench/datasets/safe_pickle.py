"""Read old data pickles without running code from them.

Unpickling calls whatever global a pickle names, so a hostile file can run any
command. :class:`RestrictedUnpickler` resolves only an explicit allow-list:

* plain builtin types (``dict``, ``list``, ``tuple``, ``set``, ``str``, ``int``, ...),
  and ``_codecs.encode`` limited to Latin-1, which old protocols use for bytes;
* the few globals an old scikit-learn ``Bunch`` with numpy arrays needs (the form
  of gensim's ``mini_newsgroup`` file), each mapped to a stand-in of ours that only
  builds data: a ``Bunch`` becomes a ``dict`` and an array is rebuilt from its raw
  bytes with :func:`numpy.frombuffer`, for plain numeric and byte-string dtypes only.

Every other global raises :class:`pickle.UnpicklingError`. Object arrays, custom
classes and anything from ``os``, ``subprocess`` and the like are refused. Writing
pickles is out of scope.
"""

from __future__ import annotations

import builtins
import io
import pickle
import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["RestrictedUnpickler", "load_restricted_pickle"]

_PLAIN = ("dict", "list", "tuple", "set", "frozenset", "str", "bytes", "bytearray",
          "int", "float", "complex", "bool")
_DTYPE_SPEC = re.compile(r"[biuf]\d{1,2}|[SU]\d{1,6}")


class _DType:
    """Stand-in for ``numpy.dtype(spec, align, copy)``; BUILD supplies byte order."""

    def __init__(self, spec: Any, *_: Any) -> None:
        if not isinstance(spec, str) or not _DTYPE_SPEC.fullmatch(spec):
            raise pickle.UnpicklingError(f"refusing numpy dtype {spec!r}")
        self.spec, self.order = spec, "|"

    def __setstate__(self, state: tuple) -> None:
        self.order = state[1] if state[1] in "<>|=" else "|"

    def resolve(self) -> np.dtype:
        dtype = np.dtype(self.spec)
        return dtype if self.order in "|=" else dtype.newbyteorder(self.order)


class _ArrayState:
    """Stand-in for ``numpy.core.multiarray._reconstruct``; BUILD supplies the data."""

    def __init__(self, *_: Any) -> None:
        self.array: np.ndarray | None = None

    def __setstate__(self, state: tuple) -> None:
        _, shape, dtype, fortran, raw = state
        if not isinstance(dtype, _DType) or not isinstance(raw, (bytes, str)):
            raise pickle.UnpicklingError("refusing an array that is not plain data")
        raw = raw.encode("latin1") if isinstance(raw, str) else raw
        flat = np.frombuffer(raw, dtype=dtype.resolve()).copy()
        self.array = flat.reshape(tuple(shape), order="F" if fortran else "C")


def _reconstructor(cls: Any, base: Any, state: Any = None) -> dict:
    """Stand-in for ``copyreg._reconstructor`` that only rebuilds dicts."""
    if cls is not dict or base is not dict:
        raise pickle.UnpicklingError("refusing to reconstruct anything but a dict")
    return dict(state or {})


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """Stand-in for ``_codecs.encode``, which protocol 0-2 use to spell bytes."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("refusing _codecs.encode outside bytes literals")
    return text.encode("latin1")


_PY2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}
_ALLOWED: dict[tuple[str, str], Any] = {
    **{("builtins", name): getattr(builtins, name) for name in _PLAIN},
    ("copyreg", "_reconstructor"): _reconstructor,
    ("_codecs", "encode"): _latin1_encode,
    ("sklearn.datasets.base", "Bunch"): dict,
    ("sklearn.utils", "Bunch"): dict,
    ("sklearn.utils._bunch", "Bunch"): dict,
    ("numpy", "ndarray"): _ArrayState,
    ("numpy", "dtype"): _DType,
    ("numpy.core.multiarray", "_reconstruct"): _ArrayState,
    ("numpy._core.multiarray", "_reconstruct"): _ArrayState,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the allow-listed globals of this module.

    Python 2 names (``__builtin__``, ``copy_reg``) are mapped to their Python 3
    names before the check, and 8-bit strings are decoded as Latin-1.

    Examples
    --------
    >>> import io, os, pickle
    >>> RestrictedUnpickler(io.BytesIO(pickle.dumps({"a": [1, 2.0]}))).load()
    {'a': [1, 2.0]}
    >>> class Evil:
    ...     def __reduce__(self):
    ...         return (os.system, ("echo hacked",))
    >>> RestrictedUnpickler(io.BytesIO(pickle.dumps(Evil()))).load()
    Traceback (most recent call last):
    ...
    _pickle.UnpicklingError: refusing to load the global posix.system
    """

    def __init__(self, file: io.BufferedIOBase) -> None:
        super().__init__(file, fix_imports=True, encoding="latin1")

    def find_class(self, module: str, name: str) -> Any:
        module = _PY2_MODULES.get(module, module)
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load the global {module}.{name}"
            ) from None


def _materialise(value: Any) -> Any:
    """Swap array stand-ins for real arrays, through dicts, lists and tuples."""
    if isinstance(value, _ArrayState):
        if value.array is None:
            raise pickle.UnpicklingError("an array in the pickle was never filled")
        return value.array
    if isinstance(value, dict):
        return {k: _materialise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_materialise(v) for v in value)
    return value


def load_restricted_pickle(path: str | Path) -> Any:
    """Load a pickle file (zlib-compressed or not) with :class:`RestrictedUnpickler`.

    Parameters
    ----------
    path : str or Path
        The pickle file.

    Returns
    -------
    object
        Plain Python containers and numpy arrays.

    Examples
    --------
    >>> import pickle, tempfile, pathlib, zlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "data.pkl"
    >>> _ = p.write_bytes(zlib.compress(pickle.dumps({"texts": ["a", "b"]}, protocol=0)))
    >>> load_restricted_pickle(p)
    {'texts': ['a', 'b']}
    """
    data = Path(path).read_bytes()
    if len(data) > 2 and data[0] == 0x78 and (data[0] * 256 + data[1]) % 31 == 0:
        data = zlib.decompress(data)  # a zlib stream header; no pickle starts this way
    return _materialise(RestrictedUnpickler(io.BytesIO(data)).load())
