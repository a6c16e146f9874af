"""Copy a framework release the user downloaded into the data folder (``align data import``).

The file or folder is loaded first with the loader of the named framework, so a
broken download is refused with that loader's message before anything is
copied. The copy goes where ``load_framework(NAME)`` looks:

============  =====================================================
``onet``      ``<data_dir>/onet/db_<x_y>/`` (folder contents, or the zip inside)
``esco``      ``<data_dir>/esco/v<version>/``
``lightcast`` ``<data_dir>/lightcast/<file>`` (the loader reads files there)
``nace``      ``<data_dir>/nace/<version or name>/``
``cmc``       ``<data_dir>/cmc/<name>/`` (every model under cmc/ is loaded)
============  =====================================================
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from align._config import PathLike
from align._config import data_dir as _resolve_data_dir
from align._warnings import collect_warnings, warn
from align.exceptions import (
    AlignDataWarning,
    FrameworkNotFoundError,
    InvalidArgumentError,
    UnknownNameError,
)
from align.frameworks._model import Framework

__all__ = ["IMPORTABLE", "import_framework"]

#: Frameworks ``import_framework`` accepts, and where their copy goes.
IMPORTABLE: dict[str, str] = {
    "onet": "release folder db_<x_y>",
    "esco": "release folder v<version>",
    "lightcast": "the lightcast/ folder itself",
    "nace": "a folder named after the version or file",
    "cmc": "a folder named after the file",
}


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "imported"


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".csv.gz", ".zip", ".csv", ".xlsx", ".json", ".tsv", ".txt"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _release_folder(name: str, fw: Framework, source: Path) -> str | None:
    version = fw.info.version.strip()
    known = bool(version) and version.lower() not in {"unknown", "builtin", "built-in"}
    if name == "onet":
        if known and re.fullmatch(r"\d+\.\d+", version):
            return "db_" + version.replace(".", "_")
        return _safe(_stem(source))
    if name == "esco":
        return "v" + _safe(version) if known else _safe(_stem(source))
    if name == "lightcast":
        return None
    if name == "nace":
        return _safe(version) if known else _safe(_stem(source))
    return _safe(_stem(source))


def import_framework(
    name: str,
    path: PathLike,
    *,
    data_dir: PathLike | None = None,
    force: bool = False,
) -> Path:
    """Validate a downloaded release and copy it into the data folder.

    Parameters
    ----------
    name : str
        One of :data:`IMPORTABLE` (``onet``, ``esco``, ``lightcast``, ``nace``, ``cmc``).
    path : str or path
        The release file or folder as downloaded (a zip stays a zip).
    data_dir : str or path, optional
        Data folder (default ``ALIGN_DATA_DIR``, then a user data folder).
    force : bool
        Replace an earlier import of the same release.

    Returns
    -------
    Path
        Where the copy now is.

    Raises
    ------
    UnknownNameError
        ``name`` is not importable.
    FrameworkNotFoundError, FrameworkFormatError
        ``path`` is missing or not a release of that framework (the loader's message).
    InvalidArgumentError
        The release is already imported and ``force`` is False.

    Warns
    -----
    AlignDataWarning
        When, after the copy, ``load_framework(name)`` still picks another
        (newer) release.
    """
    from align.frameworks import _SOURCES, load_framework

    key = name.strip().lower()
    if key not in IMPORTABLE:
        raise UnknownNameError(
            f"cannot import {name!r}: expected one of {', '.join(IMPORTABLE)}. To load any "
            "other CSV/XLSX use align.frameworks.tabular, or a CASE file with load_framework(PATH)."
        )
    source = Path(path).expanduser()
    if not source.exists():
        raise FrameworkNotFoundError(
            f"{str(source)!r} does not exist; give the path of the {key} release file or folder "
            "you downloaded."
        )
    root = _resolve_data_dir(data_dir)
    fw = _SOURCES[key].load(source, root, True)  # raises the loader's own clear error
    folder = _release_folder(key, fw, source)
    base = root / key
    dest = base / folder if folder else base / source.name
    if source.resolve() == dest.resolve() or dest.resolve() in source.resolve().parents:
        return dest  # already in place
    if dest.exists() and not force:
        raise InvalidArgumentError(
            f"{str(dest)!r} already exists (an earlier import of {key} {fw.version}); pass "
            "force=True (--force on the command line) to replace it."
        )
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=base, prefix=".import-"))
    try:
        staged = tmp / "copy"
        if source.is_dir():
            shutil.copytree(source, staged)
        elif folder:
            staged.mkdir()
            shutil.copy2(source, staged / source.name)
        else:
            shutil.copy2(source, staged)
        if dest.exists():
            old = tmp / "old"
            os.replace(dest, old)
        os.replace(staged, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    try:
        with collect_warnings():  # the check's own warnings were shown by the first load
            by_name = load_framework(key, data_dir=root)
    except Exception as exc:  # the copy itself succeeded; say why it is not picked up
        warn(
            f"copied {key} to {str(dest)!r}, but load_framework({key!r}) now fails ({exc}); "
            f"check the other files under {str(base)!r}.",
            AlignDataWarning,
        )
        return dest
    if by_name.version != fw.version:
        warn(
            f"copied {key} {fw.version} to {str(dest)!r}, but load_framework({key!r}) loads "
            f"{by_name.version} from {by_name.info.source_path!r} (newer). Load yours with "
            f"load_framework({str(dest)!r}) or remove the other release.",
            AlignDataWarning,
        )
    return dest
