"""Where ``align`` reads data and keeps its caches."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["cache_dir", "data_dir"]


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the data folder: ``explicit``, else ``ALIGN_DATA_DIR``, else a user data dir.

    Under it, ``onet/``, ``esco/``, ``lightcast/``, ``nace/`` and ``cmc/`` hold
    framework releases (the layout ``align data fetch`` and ``align data import``
    write).
    """
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get("ALIGN_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("align", appauthor=False))


def cache_dir(sub: str = "") -> Path:
    """Return ``ALIGN_CACHE_DIR`` (default: a user cache dir), joined with ``sub``.

    The folder is created on first use, never at import.
    """
    env = os.environ.get("ALIGN_CACHE_DIR")
    base = Path(env).expanduser() if env else Path(platformdirs.user_cache_dir("align", False))
    path = base / sub if sub else base
    path.mkdir(parents=True, exist_ok=True)
    return path
