"""Built-in framework content written by the align developers, and what its loaders share.

The YAML files next to this module hold align's own wording of the NACE
career-readiness competencies and the CMC Building Blocks model. Competency
names are facts; every description and behaviour statement is our paraphrase,
not the publisher's text. They are read on first use, never at import.

The NACE and CMC loaders both fall back on this content when no official file
was imported, and build their rows and metadata the same way; the helpers for
that live here too.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from align.exceptions import FrameworkFormatError, FrameworkNotFoundError
from align.frameworks._model import FrameworkInfo

__all__ = ["builtin_info", "competency_row", "given_files", "read_builtin", "slug"]


@cache
def read_builtin(name: str) -> dict[str, Any]:
    """Return the parsed YAML file ``name`` shipped in this package.

    Examples
    --------
    >>> read_builtin("nace.yaml")["framework"]["publisher"]
    'National Association of Colleges and Employers (NACE)'
    """
    text = resources.files(__name__).joinpath(name).read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):  # only a broken install can get here
        raise FrameworkFormatError(
            f"the built-in file {name!r} is damaged; reinstall align "
            "(pip install --force-reinstall align)."
        )
    return data


def slug(text: str) -> str:
    """Return a lower-case identifier fragment (``"A & B-C"`` -> ``a_and_b_c``).

    Examples
    --------
    >>> slug("Checking, Examining, and Recording")
    'checking_examining_and_recording'
    >>> slug("  Équité & Inclusion ")
    'equite_and_inclusion'
    """
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = text.replace("&", " and ").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def builtin_info(key: str, meta: dict[str, Any]) -> FrameworkInfo:
    """Metadata of a built-in framework from the ``framework`` block of its YAML file."""
    return FrameworkInfo(
        key=key,
        name=meta["name"],
        publisher=meta["publisher"],
        version=str(meta["version"]),
        source_url=meta["source_url"],
        licence=meta["licence"],
        attribution=meta["attribution"],
    )


def competency_row(
    key: str,
    local_id: str,
    code: str,
    label: str,
    description: str,
    kind: str,
    parent_id: str | None,
    level: int,
    url: str,
) -> dict[str, Any]:
    """One row of a competencies table, with the id namespaced as ``<key>:<local_id>``.

    Examples
    --------
    >>> competency_row("nace", "teamwork", "teamwork", "Teamwork", "", "competency", None, 1, "")
    ... # doctest: +ELLIPSIS
    {'id': 'nace:teamwork', 'framework': 'nace', 'code': 'teamwork', 'label': 'Teamwork', ...}
    """
    return {
        "id": f"{key}:{local_id}",
        "framework": key,
        "code": code,
        "label": label,
        "description": description,
        "kind": kind,
        "parent_id": parent_id,
        "level": level,
        "url": url,
    }


def given_files(
    path: str | os.PathLike[str],
    find: Callable[[Path], list[Path]],
    *,
    what: str,
    holds: str,
    expected: str,
    loader: str,
) -> list[Path]:
    """The files to import from a user's ``path``: the file itself, or those ``find`` finds.

    Parameters
    ----------
    path : str or path
        The file or folder the user gave.
    find : callable
        Lists the importable files of a folder.
    what : str
        The framework as messages name it (``NACE``).
    holds : str
        The files accepted (``.csv or .xlsx table``).
    expected : str
        What those files hold, for messages.
    loader : str
        The loader's name, for the hint to use the built-in version.
    """
    source = Path(path).expanduser()
    if not source.exists():
        raise FrameworkNotFoundError(
            f"{what} path '{source}' does not exist; give a {holds} (or a folder of them), or "
            f"call {loader}() with no path for the built-in version."
        )
    if not source.is_dir():
        return [source]
    files = find(source)
    if not files:
        raise FrameworkNotFoundError(
            f"{what} folder '{source}' holds no {holds}; expected {expected}."
        )
    return files
