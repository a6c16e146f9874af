"""Configuration shared by every module: data and cache folders, shared types.

``PathLike`` and ``Method`` are defined here once; every module imports them
from here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import platformdirs

__all__ = ["METHODS", "Method", "PathLike", "cache_dir", "data_dir"]

#: A file or folder: a string or an ``os.PathLike``.
PathLike = str | os.PathLike[str]

#: A matching method (see :data:`METHODS`).
Method = Literal["hybrid", "semantic", "lexical"]
#: Matching methods and what they score with.
METHODS: dict[str, str] = {
    "hybrid": "fused semantic (embedding) and lexical (string) evidence: the default",
    "semantic": "cosine similarity of embeddings only (with label_templates=() and "
    "alt_labels=False: the plain sentence-transformers baseline)",
    "lexical": "rapidfuzz string evidence only; needs no model",
}


def data_dir(explicit: PathLike | None = None) -> Path:
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
