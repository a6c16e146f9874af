"""On-disk cache of parsed frameworks, keyed by the hashes of their source files.

Parsing O*NET's Excel files takes tens of seconds; a cached load reads three
Parquet files. The key covers the content of every source file, the cache
schema version and the build version of the loader that made the entry, so a
changed file, or a changed loader, is parsed again and a stale entry is never
used; bumping one loader's build version leaves the other loaders' entries
valid. Entries are written to a temporary folder and renamed into place, so a
crash or a second process never leaves a half-written entry behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from align._config import cache_dir
from align._warnings import warn
from align.exceptions import AlignDataWarning
from align.frameworks._model import Framework, FrameworkInfo

__all__ = ["cached_framework", "clear_framework_cache", "framework_cache_info", "hash_files"]

logger = logging.getLogger(__name__)

#: Bump when the Framework tables change shape, so every old entry is ignored.
#: (A change in one loader's output bumps that loader's ``build_version`` instead.)
_SCHEMA = "3"
_TABLES = ("competencies", "occupations", "relations")


def hash_files(paths: Iterable[Path]) -> str:
    """Return a sha256 hex digest over the names and contents of ``paths``."""
    h = hashlib.sha256()
    for p in sorted(Path(p) for p in paths):
        h.update(p.name.encode())
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _entry(key: str, digest: str) -> Path:
    return cache_dir("frameworks") / f"{key}-{digest[:24]}"


def _is_list_column(col: pd.Series) -> bool:
    if col.dtype != object:
        return False
    first = next((v for v in col if v is not None), None)
    return isinstance(first, np.ndarray | list)


def _read(entry: Path) -> Framework:
    info = FrameworkInfo(**json.loads((entry / "info.json").read_text("utf-8")))
    tables = {t: pd.read_parquet(entry / f"{t}.parquet") for t in _TABLES}
    # Parquet hands list columns back as arrays; loaders' extra list columns (ESCO
    # hidden_labels) come back as lists of str like the model's own.
    for df in tables.values():
        for c in df.columns:
            if c in {"alt_labels", "alt_titles"} or _is_list_column(df[c]):
                df[c] = df[c].map(lambda v: [] if v is None else [str(x) for x in v])
    return Framework(info, tables["competencies"], tables["occupations"], tables["relations"])


def _write(entry: Path, fw: Framework) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".tmp-"))
    try:
        (tmp / "info.json").write_text(json.dumps(fw.info.to_dict()), "utf-8")
        for t in _TABLES:
            getattr(fw, t).to_parquet(tmp / f"{t}.parquet", index=False)
        # If another process wrote the same entry first, theirs is as good as ours.
        with contextlib.suppress(OSError):
            os.replace(tmp, entry)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cached_framework(
    key: str,
    sources: Iterable[Path],
    build: Callable[[], Framework],
    *,
    use_cache: bool = True,
    build_version: str = "1",
) -> Framework:
    """Return the framework built by ``build()``, from the cache when the sources are unchanged.

    Parameters
    ----------
    key : str
        Framework key, used in the entry's folder name.
    sources : iterable of Path
        Every file the build reads; their contents make the cache key.
    build : callable
        Parses the sources; called only on a cache miss.
    use_cache : bool
        ``False`` parses afresh and does not touch the cache.
    build_version : str
        The loader's own build version (its module's ``BUILD_VERSION``). A
        loader bumps it when it builds different tables from the same files,
        which invalidates its cached copies and no other loader's.
    """
    if not use_cache:
        return build()
    digest = hash_files(list(sources))
    digest = hashlib.sha256(f"{_SCHEMA}:{key}:{build_version}:{digest}".encode()).hexdigest()
    entry = _entry(key, digest)
    if entry.is_dir():
        try:
            return _read(entry)
        except Exception as exc:  # any unreadable entry (truncated parquet, bad json) is rebuilt
            warn(
                f"the cached copy of {key!r} in {entry} could not be read ({exc}); "
                "parsing the source files again and replacing it.",
                AlignDataWarning,
            )
            shutil.rmtree(entry, ignore_errors=True)
    fw = build()
    try:
        _write(entry, fw)
    except OSError as exc:
        logger.warning("could not write framework cache %s: %s", entry, exc)
    return fw


def clear_framework_cache() -> int:
    """Delete every cached framework; return how many entries were removed."""
    root = cache_dir("frameworks")
    n = 0
    for entry in root.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
            n += 1
    return n


def framework_cache_info() -> dict[str, Any]:
    """Where parsed frameworks are cached: ``path``, ``entries``, ``size_bytes``."""
    root = cache_dir("frameworks")
    entries = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return {
        "path": str(root),
        "entries": len(entries),
        "size_bytes": sum(f.stat().st_size for p in entries for f in p.rglob("*") if f.is_file()),
    }
