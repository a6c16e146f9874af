"""Where a warning points: the user's line, not align's internals.

``warnings.warn(..., stacklevel=N)`` with a hand-counted ``N`` points at the
wrong frame as soon as a call path gains or loses a layer (a notebook showed
``align/frameworks/__init__.py:54`` instead of the cell that loaded O*NET).
:func:`user_stacklevel` counts the frames instead.
"""

from __future__ import annotations

import inspect
from pathlib import Path

__all__ = ["user_stacklevel"]

_PACKAGE = str(Path(__file__).resolve().parent)


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first frame outside align.

    Call it as the argument of :func:`warnings.warn` from inside align.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("x", UserWarning, stacklevel=user_stacklevel())
    >>> caught[0].filename.endswith("_warnings.py")
    False
    """
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    level = 1
    while caller is not None and str(Path(caller.f_code.co_filename).resolve()).startswith(
        _PACKAGE
    ):
        caller = caller.f_back
        level += 1
    return level
