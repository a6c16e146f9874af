"""Competency frameworks: one model, one loader per source, one entry point.

``load_framework("onet")`` finds the newest O*NET release under the data
folder; ``load_framework(path)`` recognises an O*NET or ESCO release folder or
zip, a CASE package, a Lightcast skills file.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from align._config import PathLike
from align._config import data_dir as _resolve_data_dir
from align._safeio import check_regular_file
from align.exceptions import FrameworkFormatError, FrameworkNotFoundError, UnknownNameError
from align.frameworks._model import (
    COMPETENCY_COLUMNS,
    KINDS,
    OCCUPATION_COLUMNS,
    RELATION_COLUMNS,
    Framework,
    FrameworkInfo,
)
from align.frameworks._tables import sniff_delimiter
from align.frameworks._targets import TARGET_RULES, Target, TargetRule, official_target

__all__ = [
    "COMPETENCY_COLUMNS",
    "KINDS",
    "OCCUPATION_COLUMNS",
    "RELATION_COLUMNS",
    "TARGET_RULES",
    "Framework",
    "FrameworkInfo",
    "Target",
    "TargetRule",
    "available_frameworks",
    "load_framework",
    "official_target",
]


@dataclass(frozen=True)
class _Source:
    description: str
    folder: str  # sub-folder of the data dir searched for releases
    builtin: bool  # usable with no files at all
    load: Callable[..., Framework]


def _load_onet(path: Path | None, data_dir: Path, use_cache: bool) -> Framework:
    from align.frameworks.onet import load_onet

    return load_onet(path, data_dir=data_dir, use_cache=use_cache)


def _load_esco(path: Path | None, data_dir: Path, use_cache: bool) -> Framework:
    from align.frameworks.esco import load_esco

    return load_esco(path, data_dir=data_dir, use_cache=use_cache)


def _load_lightcast(path: Path | None, data_dir: Path, use_cache: bool) -> Framework:
    from align.frameworks.lightcast import load_lightcast

    return load_lightcast(path, data_dir=data_dir, use_cache=use_cache)


def _load_nace(path: Path | None, data_dir: Path, use_cache: bool) -> Framework:
    from align.frameworks.nace import load_nace

    return load_nace(path, data_dir=data_dir)


def _load_cmc(path: Path | None, data_dir: Path, use_cache: bool) -> Framework:
    from align.frameworks.cmc import load_cmc

    return load_cmc(path, data_dir=data_dir)


def _load_case(path: Path | None, data_dir: Path, use_cache: bool) -> Framework:
    from align.frameworks.case import load_case

    if path is None:
        raise FrameworkNotFoundError(
            "a CASE framework needs a file: pass the path of a CFPackage JSON file."
        )
    return load_case(path)


_SOURCES: dict[str, _Source] = {
    "onet": _Source(
        "O*NET database release (occupations, skills, tasks, DWAs, ...)", "onet", False, _load_onet
    ),
    "esco": _Source(
        "ESCO classification (skills, occupations, relations)", "esco", False, _load_esco
    ),
    "lightcast": _Source("Lightcast Open Skills list", "lightcast", False, _load_lightcast),
    "nace": _Source(
        "NACE career-readiness competencies (built in, or an imported file)",
        "nace",
        True,
        _load_nace,
    ),
    "cmc": _Source(
        "Competency Model Clearinghouse Building Blocks model (built in, or an "
        "imported industry model)",
        "cmc",
        True,
        _load_cmc,
    ),
}


def available_frameworks(data_dir: PathLike | None = None) -> pd.DataFrame:
    """List the frameworks ``load_framework`` knows by name.

    Returns
    -------
    DataFrame
        Columns ``name``, ``description``, ``folder`` (where releases are
        searched), ``available`` (bool: built in, or files found under the data
        folder).
    """
    root = _resolve_data_dir(data_dir)
    rows = []
    for name, src in _SOURCES.items():
        folder = root / src.folder
        found = folder.is_dir() and any(folder.iterdir())
        rows.append(
            {
                "name": name,
                "description": src.description,
                "folder": str(folder),
                "available": bool(src.builtin or found),
            }
        )
    return pd.DataFrame(rows)


def _header(path: Path) -> set[str]:
    """Return the lower-cased column names on the first line of a text table ("" if unreadable)."""
    if path.suffix.lower() not in {".csv", ".tsv", ".txt"}:
        return set()
    try:
        with open(path, "rb") as fh:
            first = fh.readline(4096).decode("utf-8-sig", errors="replace")
    except OSError:
        return set()
    # The same delimiter the loader will pick, so routing and reading agree.
    sep = sniff_delimiter(first.rstrip("\r\n"))
    return {c.strip().strip('"').lower().replace(" ", "_") for c in first.split(sep)}


def _table_kind(columns: set[str]) -> str | None:
    """Recognise NACE and CMC tables by their columns (what their loaders require)."""
    if "tier" in columns and ("competency" in columns or "area" in columns):
        return "cmc"
    if columns & {"sample_behavior", "sample_behaviour"} or {"competency", "definition"} <= columns:
        return "nace"
    return None


def _sniff(path: Path) -> str:
    """Guess which loader reads ``path``."""
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
        names = {p.name.lower() for p in files}
        if any(n.startswith("occupation data.") for n in names):
            return "onet"
        if any(n.startswith("skills_en.csv") for n in names) or any(
            n.startswith("esco") and n.endswith(".zip") for n in names
        ):
            return "esco"
        for f in files:
            table = _table_kind(_header(f))
            if table:
                return table
        raise FrameworkFormatError(
            f"folder {str(path)!r} is not a framework release we recognise: it has no "
            "'Occupation Data' file (O*NET) and no 'skills_en.csv' (ESCO). Point at the "
            "unzipped release folder, or load a CSV with align.frameworks.tabular.load_tabular."
        )
    suffix = "".join(path.suffixes[-2:]).lower() if path.name.endswith(".gz") else path.suffix
    suffix = suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                members = [n.lower().rsplit("/", 1)[-1] for n in zf.namelist()]
        except zipfile.BadZipFile as exc:
            raise FrameworkFormatError(
                f"{str(path)!r} is not a readable zip file ({exc}); download it again."
            ) from exc
        if any(n.startswith("occupation data.") for n in members):
            return "onet"
        if any(n.startswith("skills_en") for n in members):
            return "esco"
        raise FrameworkFormatError(
            f"zip {str(path)!r} holds neither an O*NET release ('Occupation Data.txt') nor an "
            "ESCO CSV release ('skills_en.csv'); check that you downloaded the right file."
        )
    if suffix == ".json":
        # The first 20 kB tell a CASE package from a skills list; a Skills API response
        # can be tens of MB, read in full once by its loader.
        with open(path, "rb") as fh:
            head = fh.read(20000).decode("utf-8", errors="replace")
        return "case" if "CFDocument" in head or "CFItems" in head else "lightcast"
    if suffix in {".csv", ".tsv", ".txt", ".xlsx", ".csv.gz"}:
        return _table_kind(_header(path)) or "lightcast"
    raise FrameworkFormatError(
        f"{str(path)!r} has an extension ({suffix or 'none'}) no loader reads; expected a "
        "release folder, a .zip, a CASE .json, or a .csv/.xlsx skills list."
    )


def load_framework(
    name_or_path: PathLike, data_dir: PathLike | None = None, *, use_cache: bool = True
) -> Framework:
    """Load a competency framework by name or from a file or folder.

    Parameters
    ----------
    name_or_path : str or path
        A name from :func:`available_frameworks` (``onet``, ``esco``,
        ``lightcast``, ``nace``, ``cmc``) or the path of a release folder, a
        release zip, a CASE package (.json), a Lightcast skills file, a NACE
        table or a CMC industry model (.csv). Any other spreadsheet loads with
        :func:`align.frameworks.tabular.load_tabular` and a column mapping.
    data_dir : str or path, optional
        Where named frameworks are searched (``<data_dir>/onet/...``). Defaults
        to ``ALIGN_DATA_DIR``, then a user data folder.
    use_cache : bool
        Reuse the parsed copy cached on disk when the source files are unchanged.

    Returns
    -------
    Framework

    Examples
    --------
    >>> from align import load_framework
    >>> nace = load_framework("nace")
    >>> nace.info.key, int((nace.competencies["kind"] == "competency").sum())
    ('nace', 8)
    """
    root = _resolve_data_dir(data_dir)
    name = str(name_or_path)
    if name.lower() in _SOURCES:
        return _SOURCES[name.lower()].load(None, root, use_cache)
    path = Path(name).expanduser()
    if not path.exists():
        raise UnknownNameError(
            f"{name!r} is neither a framework name nor an existing file or folder. "
            f"Known names: {', '.join(_SOURCES)}; or give the path of a release folder, "
            "zip, CASE .json or skills .csv."
        )
    if not path.is_dir():
        # A FIFO or device would block the format sniffing below: refuse it unopened.
        check_regular_file(path, "framework file", error=FrameworkFormatError)
    kind = _sniff(path)
    if kind == "case":
        return _load_case(path, root, use_cache)
    return _SOURCES[kind].load(path, root, use_cache)
