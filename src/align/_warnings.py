"""align's warnings: where they point, and who receives them.

``warnings.warn(..., stacklevel=N)`` with a hand-counted ``N`` points at the
wrong frame as soon as a call path gains or loses a layer (a notebook showed
``align/frameworks/__init__.py:54`` instead of the cell that loaded O*NET).
:func:`user_stacklevel` counts the frames instead.

Every warning align raises goes through :func:`warn`. Inside
:func:`collect_warnings` they are returned to the caller instead of shown; the
collector lives in a context variable, so a multi-user server (the dashboard runs
each session in its own thread) gets each call's warnings back without
``warnings.catch_warnings``, which changes process-wide state and lets one
session catch another's warnings.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from align.exceptions import AlignDataWarning

__all__ = ["collect_warnings", "user_stacklevel", "warn"]

_SINK: ContextVar[list[Warning] | None] = ContextVar("align_warnings", default=None)

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


def warn(message: str, category: type[Warning] = AlignDataWarning) -> None:
    """Issue one of align's warnings: into the open :func:`collect_warnings` list of this
    thread (or task), else as a Python warning pointing at the user's line."""
    sink = _SINK.get()
    if sink is not None:
        sink.append(category(message))
        return
    warnings.warn(message, category, stacklevel=user_stacklevel())


@contextmanager
def collect_warnings() -> Iterator[list[Warning]]:
    """Return align's warnings raised inside the block instead of showing them.

    Only this thread's (or asyncio task's) warnings are collected; nothing
    process-wide changes, so concurrent callers never see each other's warnings.

    Examples
    --------
    >>> with collect_warnings() as caught:
    ...     warn("3 blank outcomes were left out.")
    >>> [str(w) for w in caught]
    ['3 blank outcomes were left out.']
    """
    sink: list[Warning] = []
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)
