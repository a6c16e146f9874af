"""Load the O*NET database (28.0 and newer) from a release folder or the release zip.

The loader reads the files as the National Center for O*NET Development
distributes them: ``db_29_3_text.zip`` (tab-delimited .txt), the Excel zip, or
an unpacked folder where each file may be .txt or .xlsx, in the folder itself or
in sub-folders (``text/``, ``excel/``). Files of release 29.x carry a ``Title``
column after ``O*NET-SOC Code`` that 28.x files lack; columns are found by name,
so both layouts load.

What becomes of each file
-------------------------
``Occupation Data``, ``Job Zones``, ``Alternate Titles``, ``Sample of Reported Titles``
    occupations (``group`` = job zone; ``alt_titles`` = alternate, short and
    reported titles).
``Content Model Reference``
    skills (basic and cross-functional), knowledge, abilities, generalized work
    activities and work styles with their descriptions; the categories above
    them become ``area`` nodes, so ``parent_id`` follows the content model.
``IWA Reference``, ``DWA Reference``
    IWAs and DWAs, with DWA -> IWA -> GWA as ``parent_id``.
``Task Statements``, ``Task Ratings``, ``Tasks to DWAs``
    tasks (``code`` = Task ID), ``requires`` occupation -> task (``detail`` core
    or supplemental, importance from Task Ratings when present) and ``related``
    task -> DWA.
``Technology Skills``
    one ``technology`` competency per distinct example (``hot_technology``
    column), under its UNSPSC commodity (an ``area`` node).
``Skills``, ``Knowledge``, ``Abilities``, ``Work Activities``, ``Work Styles``
    ``requires`` occupation -> element, importance (IM) and level (LV) in one
    row, ``weight = (IM - 1) / 4``.

URLs point at O*NET OnLine, by the rules of :mod:`align.frameworks._targets`
(one table for the loaders and the badge exports): ``/link/summary/<code>`` for
occupations, ``/link/details/<code>`` of its occupation for a task (O*NET OnLine
has no page per task), ``/find/descriptor/result/<id>`` for content-model
elements, IWAs and DWAs (``/browse/`` for categories), and the technology
search (``/search/tech/example?e=<example>``) for technology skills.

Ratings O*NET flags never make a weight: a
value with ``Recommend Suppress = Y`` is treated as missing (O*NET judges its
precision too low to use), a pair with ``Not Relevant = Y`` (the element does
not apply to the occupation) is dropped, and so is a pair left with neither
importance nor level. Tasks without a ``Task Type`` get an empty ``detail``;
task weights come from Task Ratings (importance) and are ``NaN`` without it.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from align._config import PathLike
from align._config import data_dir as _resolve_data_dir
from align._warnings import warn
from align.exceptions import AlignDataWarning, FrameworkFormatError, FrameworkNotFoundError
from align.frameworks._cache import cached_framework
from align.frameworks._model import Framework, FrameworkInfo
from align.frameworks._tables import TableSource, read_csv
from align.frameworks._targets import onet_url

__all__ = ["ONET_FILES", "find_onet_release", "load_onet", "onet_version"]

logger = logging.getLogger(__name__)

SOURCE_URL = "https://www.onetcenter.org/database.html"
FIX = (
    "point data_dir= (--data-dir on the command line) at the unzipped release, or run "
    "`align data fetch onet`"
)

#: The release files the loader reads, with the columns it needs from each.
#: Columns are looked up by name, so the 29.x ``Title`` column may be there or not.
ONET_FILES: dict[str, tuple[str, ...]] = {
    "Occupation Data": ("O*NET-SOC Code", "Title", "Description"),
    "Content Model Reference": ("Element ID", "Element Name", "Description"),
    "Job Zones": ("O*NET-SOC Code", "Job Zone"),
    "Alternate Titles": ("O*NET-SOC Code", "Alternate Title"),
    "Sample of Reported Titles": ("O*NET-SOC Code", "Reported Job Title"),
    "Task Statements": ("O*NET-SOC Code", "Task ID", "Task", "Task Type"),
    "Task Ratings": ("O*NET-SOC Code", "Task ID", "Scale ID", "Data Value"),
    "Tasks to DWAs": ("O*NET-SOC Code", "Task ID", "DWA ID"),
    "IWA Reference": ("Element ID", "IWA ID", "IWA Title"),
    "DWA Reference": ("IWA ID", "DWA ID", "DWA Title"),
    "Technology Skills": (
        "O*NET-SOC Code",
        "Example",
        "Commodity Code",
        "Commodity Title",
        "Hot Technology",
    ),
    "Skills": ("O*NET-SOC Code", "Element ID", "Element Name", "Scale ID", "Data Value"),
    "Knowledge": ("O*NET-SOC Code", "Element ID", "Element Name", "Scale ID", "Data Value"),
    "Abilities": ("O*NET-SOC Code", "Element ID", "Element Name", "Scale ID", "Data Value"),
    "Work Activities": ("O*NET-SOC Code", "Element ID", "Element Name", "Scale ID", "Data Value"),
    "Work Styles": ("O*NET-SOC Code", "Element ID", "Element Name", "Scale ID", "Data Value"),
}
#: Columns read when present (older or trimmed files may lack them).
_OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "Alternate Titles": ("Short Title",),
    "Task Ratings": ("Recommend Suppress",),
    "Skills": ("Recommend Suppress", "Not Relevant"),
    "Knowledge": ("Recommend Suppress", "Not Relevant"),
    "Abilities": ("Recommend Suppress", "Not Relevant"),
    "Work Activities": ("Recommend Suppress", "Not Relevant"),
    "Work Styles": ("Recommend Suppress", "Not Relevant"),
}
_RATING_FILES = ("Skills", "Knowledge", "Abilities", "Work Activities", "Work Styles")
_README = "Read Me"
#: Bump when _build's output changes for the same files (invalidates its cached copies).
BUILD_VERSION = "2"  # 2: per-IWA/DWA pages, tasks link their occupation's details
_REQUIRED = "Occupation Data"

#: Content-model subtrees whose leaves are competencies: kind -> (root ids, root names).
#: Roots are found by name first so a renumbered content model still loads.
_KIND_ROOTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "skill": (("2.A", "2.B"), ("Basic Skills", "Cross-Functional Skills")),
    "knowledge": (("2.C",), ("Knowledge",)),
    "ability": (("1.A",), ("Abilities",)),
    "work_activity": (("4.A",), ("Generalized Work Activities",)),
    "work_style": (("1.C",), ("Work Styles",)),
}
_RATING_KIND = {
    "Skills": "skill",
    "Knowledge": "knowledge",
    "Abilities": "ability",
    "Work Activities": "work_activity",
    "Work Styles": "work_style",
}

# SQL editions (db_29_3_mysql.zip, ...) hold no .txt/.xlsx and are not releases we read.
_RELEASE_RE = re.compile(r"^db_(\d+)_(\d+)(?:_(?:text|excel))?(\.zip)?$", re.IGNORECASE)
_README_RE = re.compile(r"O\*NET\s+(\d+\.\d+)\s+Database", re.IGNORECASE)


# -- locating a release ---------------------------------------------------------------
@dataclass
class _Release:
    """Where each O*NET file of one release lives (a folder or a zip)."""

    root: Path
    zip_path: Path | None = None
    members: dict[str, str | Path] = field(default_factory=dict)  # name -> path or zip member

    @property
    def sources(self) -> list[Path]:
        if self.zip_path is not None:
            return [self.zip_path]
        return [Path(p) for p in self.members.values()]

    def source(self, name: str) -> TableSource:
        """The file (or zip member) holding the O*NET file ``name``."""
        member = self.members[name]
        if self.zip_path is not None:
            return TableSource(self.zip_path, str(member))
        return TableSource(Path(member))


def _file_key(filename: str) -> tuple[str, str] | None:
    """Return (O*NET file name, suffix) for a release file name, else None."""
    base = filename.rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot or suffix.lower() not in {"txt", "xlsx"}:
        return None
    for name in (*ONET_FILES, _README):
        if stem.lower() == name.lower():
            return name, suffix.lower()
    return None


def _pick(candidates: dict[str, list[tuple[str, str]]], where: str) -> dict[str, str]:
    """Choose one file per name: .txt before .xlsx; two copies of the same kind is an error."""
    chosen: dict[str, str] = {}
    for name, found in candidates.items():
        for suffix in ("txt", "xlsx"):
            same = sorted(m for m, s in found if s == suffix)
            if len(same) > 1:
                raise FrameworkFormatError(
                    f"{where} holds {len(same)} copies of the O*NET file '{name}.{suffix}' "
                    f"({', '.join(repr(s) for s in same[:3])}); expected one release. "
                    "Keep one release per folder (e.g. <data dir>/onet/db_29_3/)."
                )
            if same:
                chosen[name] = same[0]
                break
    return chosen


def _scan_folder(folder: Path) -> _Release:
    candidates: dict[str, list[tuple[str, str]]] = {}
    zips = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix.lower() == ".zip":
            zips.append(p)
        key = _file_key(p.name)
        if key:
            candidates.setdefault(key[0], []).append((str(p), key[1]))
    if _REQUIRED not in candidates and len(zips) == 1:
        # `align data import onet db_29_3_text.zip` keeps the zip inside the release folder.
        return _scan_zip(zips[0])
    members = _pick(candidates, f"O*NET folder '{folder}'")
    return _Release(root=folder, members={k: Path(v) for k, v in members.items()})


def _scan_zip(path: Path) -> _Release:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise FrameworkFormatError(
            f"'{path}' is not a readable zip file ({exc}); expected the O*NET release zip "
            "(db_29_3_text.zip). Download it again with `align data fetch onet`."
        ) from exc
    candidates: dict[str, list[tuple[str, str]]] = {}
    for n in names:
        if n.rsplit("/", 1)[-1].startswith(("._", "~$")):
            continue  # macOS resource forks and Excel lock files
        key = _file_key(n)
        if key:
            candidates.setdefault(key[0], []).append((n, key[1]))
    members = _pick(candidates, f"zip '{path}'")
    if _REQUIRED not in members:
        shown = ", ".join(names[:5]) or "nothing"
        raise FrameworkFormatError(
            f"zip '{path}' has no 'Occupation Data' file (.txt or .xlsx) - it holds {shown}"
            f"{', ...' if len(names) > 5 else ''}. Expected the O*NET release zip "
            "(db_29_3_text.zip or db_29_3_excel.zip); download it again with "
            "`align data fetch onet`."
        )
    return _Release(root=path, zip_path=path, members=dict(members))


def _release_version(path: Path) -> tuple[int, int] | None:
    m = _RELEASE_RE.match(path.name)
    return (int(m.group(1)), int(m.group(2))) if m else None


def find_onet_release(data_dir: PathLike | None = None) -> Path:
    """Return the newest O*NET release folder or zip under ``<data_dir>/onet/``.

    Release folders and zips are named as O*NET names them (``db_29_3``,
    ``db_28_0_text``, ``db_29_3_text.zip``); versions compare numerically, and a
    folder wins over a zip of the same version.

    Raises
    ------
    FrameworkNotFoundError
        When there is no release there.
    """
    root = _resolve_data_dir(data_dir) / "onet"
    found: list[tuple[tuple[int, int], int, Path]] = []
    if root.is_dir():
        for p in root.iterdir():
            version = _release_version(p)
            if version is None or p.name.startswith("."):
                continue
            if p.is_dir() or (p.is_file() and p.suffix.lower() == ".zip"):
                found.append((version, int(p.is_dir()), p))
        if not found and any(_file_key(p.name) == (_REQUIRED, "txt") for p in root.rglob("*")):
            return root  # files unpacked straight into onet/
    if not found:
        raise FrameworkNotFoundError(
            f"no O*NET release found in '{root}' (expected a folder like 'db_29_3' or a zip "
            f"like 'db_29_3_text.zip'); {FIX}."
        )
    return max(found, key=lambda t: (t[0], t[1]))[2]


def _locate(path: Path) -> _Release:
    if not path.exists():
        raise FrameworkNotFoundError(f"O*NET release '{path}' does not exist; {FIX}.")
    release = _scan_folder(path) if path.is_dir() else _scan_zip(path)
    if _REQUIRED not in release.members:
        raise FrameworkNotFoundError(
            f"O*NET folder '{path}' has no 'Occupation Data' file (.txt or .xlsx); {FIX}."
        )
    return release


# -- reading one file -----------------------------------------------------------------
def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def _as_text(col: pd.Series) -> pd.Series:
    """Cells as strings: Excel hands back numbers (Task ID 8823.0) where .txt has text."""
    if col.dtype == object:
        if all(type(v) is str for v in col):
            return col
        return col.map(_cell_text).astype(object)
    if pd.api.types.is_string_dtype(col.dtype):
        return col.fillna("")
    if pd.api.types.is_float_dtype(col.dtype):
        return col.map(_cell_text).astype(object)
    return col.astype(object).where(col.notna(), "").map(str)


def _fail(label: str, found: str, columns: tuple[str, ...], fix: str = "") -> FrameworkFormatError:
    fix = fix or "download the release again with `align data fetch onet`"
    return FrameworkFormatError(
        f"O*NET file '{label}' {found}; expected a table with the columns "
        f"{list(columns)} (O*NET 28.0 or newer). Fix: {fix}."
    )


def _read_xlsx(raw: bytes, label: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if not raw:
        raise _fail(label, "is empty", columns)
    try:
        rows = _excel_rows(raw)
    except Exception as exc:  # calamine/openpyxl raise many types for a damaged workbook
        raise _fail(
            label,
            f"could not be read as an Excel workbook ({type(exc).__name__}: {exc})",
            columns,
            "download the release again, or use the .txt version of this file",
        ) from exc
    if not rows:
        raise _fail(label, "is empty (its first sheet has no rows)", columns)
    header = [str(c).strip() for c in rows[0]]
    width = len(header)
    body = [list(r[:width]) + [""] * (width - len(r)) for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=object)


def _excel_rows(raw: bytes) -> list[list[object]]:
    """The first sheet as a list of rows (python-calamine, else openpyxl)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # calamine is a dependency; openpyxl reads the same files slower
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    # Calling pandas.read_excel would convert every cell in Python: 3x slower on O*NET files.
    return [list(r) for r in workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)]


def _read(release: _Release, name: str) -> pd.DataFrame:
    """Read one release file as strings with the columns ``ONET_FILES[name]`` (+ optional)."""
    columns = ONET_FILES[name]
    source = release.source(name)
    label = source.name
    if label.lower().endswith(".xlsx"):
        df = _read_xlsx(source.read_bytes(), label, columns)
    else:
        # O*NET publishes UTF-8, tab-delimited text whose statements hold literal quotes.
        df = read_csv(
            source,
            delimiter="\t",
            allow_utf16=False,
            quoting=False,
            what="an O*NET release file",
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise _fail(
            label,
            f"has the columns {list(df.columns)[:8]} and lacks {missing}",
            columns,
            "check that this is the O*NET file of that name (28.0 or newer), or download "
            "the release again",
        )
    if df.empty:
        raise _fail(label, "has a header but no data rows (truncated?)", columns)
    wanted = [*columns, *(c for c in _OPTIONAL_COLUMNS.get(name, ()) if c in df.columns)]
    out = pd.DataFrame({c: _as_text(df[c]).str.strip() for c in wanted})
    for c in _OPTIONAL_COLUMNS.get(name, ()):
        if c not in out:
            out[c] = ""
    return out


def onet_version(path: PathLike) -> str:
    """Return the release version ("29.3") of an O*NET folder or zip, or "unknown".

    The ``Read Me`` file names it; else the folder or zip name (``db_29_3``).

    Examples
    --------
    >>> from pathlib import Path
    >>> import align
    >>> onet_version(Path(align.__file__).parents[2] / "tests/data/onet/db_28_0")
    '28.0'
    """
    release = _locate(Path(path))
    return _version(release)


def _version_from_name(name: str) -> str:
    m = _RELEASE_RE.match(name)
    return f"{int(m.group(1))}.{int(m.group(2))}" if m else "unknown"


def _version(release: _Release) -> str:
    if _README in release.members:
        head = release.source(_README).read_bytes()[:500].decode("utf-8", errors="replace")
        m = _README_RE.search(head)
        if m:
            return m.group(1)
    for p in (release.root, *release.root.parents[:1]):
        v = _version_from_name(p.name)
        if v != "unknown":
            return v
    return "unknown"


# -- building the framework -----------------------------------------------------------
def _depth(element_id: str) -> int:
    return element_id.count(".") + 1


def _parent(element_id: str) -> str | None:
    return element_id.rsplit(".", 1)[0] if "." in element_id else None


def _occupation_url(code: str) -> str:
    return onet_url(code)


def _element_kinds(cmr: pd.DataFrame, rated: dict[str, str]) -> dict[str, str]:
    """Map each competency element id to its kind (leaves of the kind roots)."""
    names = dict(zip(cmr["Element ID"], cmr["Element Name"], strict=False))
    ids = set(names)
    has_child = {p for p in (_parent(i) for i in ids) if p}
    kinds: dict[str, str] = {}
    for kind, (root_ids, root_names) in _KIND_ROOTS.items():
        roots = {i for i, n in names.items() if n in root_names and _depth(i) == 2}
        roots |= {r for r in root_ids if r in ids}
        for i in ids:
            if i not in has_child and any(i.startswith(r + ".") for r in roots):
                kinds[i] = kind
    # Elements rated in a ratings file but sitting elsewhere in the model keep that kind.
    for i, kind in rated.items():
        kinds.setdefault(i, kind)
    return kinds


def _slug(text: str) -> str:
    s = text.lower().replace("c++", "cpp").replace("c#", "csharp").replace("f#", "fsharp")
    s = s.replace("+", "plus").replace("#", "sharp").replace("&", "and").replace("@", "at")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "item"


def _tech_ids(examples: list[str]) -> dict[str, str]:
    """A readable, stable id per distinct technology example (hash suffix on collision)."""
    import hashlib

    slugs: dict[str, list[str]] = {}
    for e in examples:
        slugs.setdefault(_slug(e), []).append(e)
    out = {}
    for slug, group in slugs.items():
        for e in group:
            if len(group) == 1:
                out[e] = f"onet:tech:{slug}"
            else:
                out[e] = f"onet:tech:{slug}-{hashlib.sha1(e.encode()).hexdigest()[:6]}"
    return out


def _ratings(frames: dict[str, pd.DataFrame], occ_ids: set[str]) -> pd.DataFrame:
    parts = []
    for name in _RATING_FILES:
        df = frames.get(name)
        if df is None:
            continue
        df = df[df["Scale ID"].isin(["IM", "LV"])].copy()
        df["value"] = pd.to_numeric(df["Data Value"], errors="coerce")
        df.loc[df["Recommend Suppress"].str.upper() == "Y", "value"] = np.nan
        df["not_relevant"] = df["Not Relevant"].str.upper() == "Y"
        parts.append(df)
    if not parts:
        return pd.DataFrame(columns=["source_id", "target_id", "importance", "level"])
    df = pd.concat(parts, ignore_index=True)
    key = ["O*NET-SOC Code", "Element ID"]
    irrelevant = df.loc[df["not_relevant"], key].drop_duplicates()
    wide = df.pivot_table(index=key, columns="Scale ID", values="value", aggfunc="first")
    wide = wide.reindex(columns=["IM", "LV"]).reset_index()
    if len(irrelevant):
        marker = irrelevant.assign(_drop=True)
        wide = wide.merge(marker, on=key, how="left")
        wide = wide[wide["_drop"].isna()].drop(columns="_drop")
    # pivot_table drops all-NaN pairs, so every row left has an importance or a level.
    out = pd.DataFrame(
        {
            "source_id": "onet:" + wide["O*NET-SOC Code"],
            "target_id": "onet:" + wide["Element ID"],
            "importance": wide["IM"].astype("float64"),
            "level": wide["LV"].astype("float64"),
        }
    )
    return out[out["source_id"].isin(occ_ids)]


def _build(release: _Release, version: str) -> Framework:
    """Read a release's files and build the Framework, one part at a time."""
    frames = _read_frames(release, version)
    occupations = _occupations(frames)
    occ_ids = set(occupations["id"])
    elements, gwa_ids = _elements(frames)
    parts = [elements, *_activities(frames, gwa_ids)]
    task_parts, task_relations = _tasks(frames, occ_ids)
    tech_parts, tech_relations = _technology(frames, occ_ids)
    competencies = _competencies([*parts, *task_parts, *tech_parts])
    relations = [
        _rating_relations(frames, occ_ids, competencies),
        *task_relations,
        *tech_relations,
        _hierarchy(competencies),
    ]
    rel = pd.concat([r for r in relations if len(r)], ignore_index=True)
    info = FrameworkInfo(
        key="onet",
        name="O*NET Database",
        publisher="National Center for O*NET Development (USDOL/ETA)",
        version=version,
        source_url=SOURCE_URL,
        licence="CC BY 4.0",
        attribution=_attribution(version),
        source_path=str(release.root),
        **_download_record(release.root),
    )
    return Framework(info, competencies, occupations, rel)


def _read_frames(release: _Release, version: str) -> dict[str, pd.DataFrame]:
    """Every O*NET file the release has, read as text columns."""
    from tqdm.auto import tqdm

    frames: dict[str, pd.DataFrame] = {}
    names = [n for n in ONET_FILES if n in release.members]
    for name in tqdm(names, desc=f"Reading O*NET {version}", unit="file", leave=False):
        frames[name] = _read(release, name)
    return frames


def _occupations(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Occupations with job zone and alternate/reported titles (OCCUPATION_COLUMNS)."""
    od = frames["Occupation Data"].drop_duplicates("O*NET-SOC Code")
    codes = od["O*NET-SOC Code"]
    zones: dict[str, str] = {}
    if "Job Zones" in frames:
        jz = frames["Job Zones"]
        zones = dict(zip(jz["O*NET-SOC Code"], jz["Job Zone"], strict=False))
    alts: dict[str, list[str]] = {c: [] for c in codes}
    for name, cols in (
        ("Alternate Titles", ("Alternate Title", "Short Title")),
        ("Sample of Reported Titles", ("Reported Job Title",)),
    ):
        if name in frames:
            df = frames[name]
            for col in cols:
                for code, title in zip(df["O*NET-SOC Code"], df[col], strict=False):
                    if title and code in alts:
                        alts[code].append(title)
    titles = dict(zip(codes, od["Title"], strict=False))
    alt_titles = []
    for code in codes:
        seen = {titles[code].lower()}
        keep = []
        for t in alts[code]:
            if t.lower() not in seen:
                seen.add(t.lower())
                keep.append(t)
        alt_titles.append(keep)
    occupations = pd.DataFrame(
        {
            "id": "onet:" + codes,
            "framework": "onet",
            "code": codes,
            "title": od["Title"],
            "description": od["Description"],
            "group": [zones.get(c, "") for c in codes],
            "alt_titles": alt_titles,
            "url": [_occupation_url(c) for c in codes],
        }
    )
    return occupations


def _elements(frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, set[str]]:
    """Content-model elements (skills, knowledge, abilities, work activities, ...) with
    their headings; and the ids of the generalized work activities."""
    rated: dict[str, str] = {}
    rated_names: dict[str, str] = {}
    for name in _RATING_FILES:
        if name in frames:
            df = frames[name].drop_duplicates("Element ID")
            for i, n in zip(df["Element ID"], df["Element Name"], strict=False):
                rated.setdefault(i, _RATING_KIND[name])
                rated_names.setdefault(i, n)
    if "Content Model Reference" in frames:
        cmr = frames["Content Model Reference"].drop_duplicates("Element ID")
    else:
        cmr = pd.DataFrame(
            {
                "Element ID": list(rated_names),
                "Element Name": list(rated_names.values()),
                "Description": "",
            }
        )
    kinds = _element_kinds(cmr, rated)
    cm_names = dict(zip(cmr["Element ID"], cmr["Element Name"], strict=False))
    cm_desc = dict(zip(cmr["Element ID"], cmr["Description"], strict=False))
    for i, n in rated_names.items():
        cm_names.setdefault(i, n)
    gwa_ids: set[str] = {i for i, k in kinds.items() if k == "work_activity"}
    wanted: set[str] = set(kinds)
    for i in list(kinds):
        p = _parent(i)
        while p:
            wanted.add(p)
            p = _parent(p)
    element_rows = []
    for i in sorted(wanted, key=lambda s: [int(x) if x.isdigit() else x for x in s.split(".")]):
        leaf = i in kinds
        parent = _parent(i)
        element_rows.append(
            {
                "id": f"onet:{i}",
                "code": i,
                "label": cm_names.get(i, i),
                "description": cm_desc.get(i, ""),
                "kind": kinds.get(i, "area"),
                "parent_id": f"onet:{parent}" if parent and parent in wanted else None,
                "level": _depth(i),
                "url": onet_url(i, leaf=leaf),
            }
        )
    return pd.DataFrame(element_rows), gwa_ids


def _activities(frames: dict[str, pd.DataFrame], gwa_ids: set[str]) -> list[pd.DataFrame]:
    """Intermediate and detailed work activities (IWAs, DWAs) under their GWAs."""
    parts: list[pd.DataFrame] = []
    iwa_gwa: dict[str, str] = {}
    if "IWA Reference" in frames:
        iwa = frames["IWA Reference"].drop_duplicates("IWA ID")
        iwa_gwa = dict(zip(iwa["IWA ID"], iwa["Element ID"], strict=False))
        parts.append(
            pd.DataFrame(
                {
                    "id": "onet:" + iwa["IWA ID"],
                    "code": iwa["IWA ID"],
                    "label": iwa["IWA Title"],
                    "kind": "iwa",
                    "parent_id": [f"onet:{g}" if g in gwa_ids else None for g in iwa["Element ID"]],
                    "level": [_depth(g) + 1 for g in iwa["Element ID"]],
                    "url": [onet_url(i) for i in iwa["IWA ID"]],
                }
            )
        )
    if "DWA Reference" in frames:
        dwa = frames["DWA Reference"].drop_duplicates("DWA ID")
        gwas = [iwa_gwa.get(i, _parent(i) or "") for i in dwa["IWA ID"]]
        parts.append(
            pd.DataFrame(
                {
                    "id": "onet:" + dwa["DWA ID"],
                    "code": dwa["DWA ID"],
                    "label": dwa["DWA Title"],
                    "kind": "dwa",
                    "parent_id": [f"onet:{i}" if i in iwa_gwa else None for i in dwa["IWA ID"]],
                    "level": [_depth(g) + 2 for g in gwas],
                    "url": [onet_url(i) for i in dwa["DWA ID"]],
                }
            )
        )
    return parts


def _tasks(
    frames: dict[str, pd.DataFrame], occ_ids: set[str]
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Task statements (competency rows) and their relations: occupation -> task
    (with importance) and task -> DWA."""
    parts: list[pd.DataFrame] = []
    relations: list[pd.DataFrame] = []
    if "Task Statements" in frames:
        ts = frames["Task Statements"]
        ts = ts[("onet:" + ts["O*NET-SOC Code"]).isin(occ_ids)].drop_duplicates("Task ID")
        parts.append(
            pd.DataFrame(
                {
                    "id": "onet:task:" + ts["Task ID"],
                    "code": ts["Task ID"],
                    "label": ts["Task"],
                    "kind": "task",
                    "url": [onet_url("task:", occupation=c) for c in ts["O*NET-SOC Code"]],
                }
            )
        )
        task_rel = pd.DataFrame(
            {
                "source_id": "onet:" + ts["O*NET-SOC Code"],
                "target_id": "onet:task:" + ts["Task ID"],
                "relation": "requires",
                "detail": ts["Task Type"].str.lower(),
            }
        )
        if "Task Ratings" in frames:
            tr = frames["Task Ratings"]
            tr = tr[(tr["Scale ID"] == "IM") & (tr["Recommend Suppress"].str.upper() != "Y")]
            im = dict(
                zip(tr["Task ID"], pd.to_numeric(tr["Data Value"], errors="coerce"), strict=False)
            )
            task_rel["importance"] = [im.get(t, np.nan) for t in ts["Task ID"]]
        else:
            task_rel["importance"] = np.nan
        task_rel["weight"] = ((task_rel["importance"] - 1) / 4).clip(0, 1)
        relations.append(task_rel)
        if "Tasks to DWAs" in frames:
            t2d = frames["Tasks to DWAs"]
            known = set(ts["Task ID"])
            dwa_ids = set(frames["DWA Reference"]["DWA ID"]) if "DWA Reference" in frames else set()
            t2d = t2d[t2d["Task ID"].isin(known) & t2d["DWA ID"].isin(dwa_ids)]
            t2d = t2d.drop_duplicates(["Task ID", "DWA ID"])
            relations.append(
                pd.DataFrame(
                    {
                        "source_id": "onet:task:" + t2d["Task ID"],
                        "target_id": "onet:" + t2d["DWA ID"],
                        "relation": "related",
                        "detail": "task-dwa",
                    }
                )
            )
    return parts, relations


def _technology(
    frames: dict[str, pd.DataFrame], occ_ids: set[str]
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Technology examples under their UNSPSC commodities, and occupation -> technology
    relations (detail "hot" for hot technologies)."""
    parts: list[pd.DataFrame] = []
    relations: list[pd.DataFrame] = []
    if "Technology Skills" in frames:
        tech = frames["Technology Skills"]
        tech = tech[tech["Example"] != ""]
        commodities = tech.drop_duplicates("Commodity Code")
        # An example filed under several commodities goes under its most frequent one.
        home = (
            tech.groupby(["Example", "Commodity Code"])
            .size()
            .rename("n")
            .reset_index()
            .sort_values(["Example", "n", "Commodity Code"], ascending=[True, False, True])
            .drop_duplicates("Example")
        )
        ids = _tech_ids(home["Example"].tolist())
        hot = (tech["Hot Technology"].str.upper() == "Y").groupby(tech["Example"]).any()
        parts.append(
            pd.DataFrame(
                {
                    "id": "onet:unspsc:" + commodities["Commodity Code"],
                    "code": commodities["Commodity Code"],
                    "label": commodities["Commodity Title"],
                    "kind": "area",
                    "level": 1,
                    "url": [onet_url("unspsc:", label=t) for t in commodities["Commodity Title"]],
                }
            )
        )
        parts.append(
            pd.DataFrame(
                {
                    "id": [ids[e] for e in home["Example"]],
                    "code": home["Example"],
                    "label": home["Example"],
                    "kind": "technology",
                    "parent_id": "onet:unspsc:" + home["Commodity Code"],
                    "level": 2,
                    "url": [onet_url("tech:", label=e) for e in home["Example"]],
                    "hot_technology": [bool(hot[e]) for e in home["Example"]],
                }
            )
        )
        in_occ = tech[("onet:" + tech["O*NET-SOC Code"]).isin(occ_ids)]
        occ_tech = (
            in_occ.assign(hot=in_occ["Hot Technology"].str.upper() == "Y")
            .groupby(["O*NET-SOC Code", "Example"], as_index=False)
            .agg({"hot": "any"})
        )
        relations.append(
            pd.DataFrame(
                {
                    "source_id": "onet:" + occ_tech["O*NET-SOC Code"],
                    "target_id": [ids[e] for e in occ_tech["Example"]],
                    "relation": "requires",
                    "detail": np.where(occ_tech["hot"], "hot", ""),
                }
            )
        )
    return parts, relations


def _competencies(parts: list[pd.DataFrame]) -> pd.DataFrame:
    competencies = pd.concat(parts, ignore_index=True)
    competencies["framework"] = "onet"
    if "hot_technology" not in competencies:
        competencies["hot_technology"] = pd.NA
    competencies["hot_technology"] = competencies["hot_technology"].astype("boolean")
    return competencies


def _rating_relations(
    frames: dict[str, pd.DataFrame], occ_ids: set[str], competencies: pd.DataFrame
) -> pd.DataFrame:
    """Occupation -> element ``requires`` relations with importance, level and weight."""
    rated_rel = _ratings(frames, occ_ids)
    rated_rel = rated_rel[rated_rel["target_id"].isin(set(competencies["id"]))]
    return rated_rel.assign(
        relation="requires",
        detail="",
        weight=((rated_rel["importance"] - 1) / 4).clip(0, 1),
    )


def _hierarchy(competencies: pd.DataFrame) -> pd.DataFrame:
    """``broader`` edges from every competency to its parent."""
    has_parent = competencies[competencies["parent_id"].notna()]
    return pd.DataFrame(
        {
            "source_id": has_parent["id"],
            "target_id": has_parent["parent_id"],
            "relation": "broader",
            "detail": "",
        }
    )


def _download_record(root: Path) -> dict[str, str]:
    """``retrieved_at`` from the record `align data fetch` writes next to the files."""
    record = root / "align-download.json"
    if not root.is_dir() or not record.is_file():
        return {}
    try:
        when = json.loads(record.read_text("utf-8")).get("retrieved_at")
    except (OSError, ValueError):
        return {}
    return {"retrieved_at": str(when)} if when else {}


def _attribution(version: str) -> str:
    return (
        f"Includes information from the O*NET {version} Database of the U.S. Department of "
        "Labor, Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 "
        "licence; align has modified and reorganised it, and USDOL/ETA has not approved, "
        "endorsed or tested these changes. O*NET® is a trademark of USDOL/ETA."
    )


# Releases whose missing files were reported in this process: a partial release is said
# once, not on every load (a notebook loads O*NET many times through the API).
_PARTIAL_REPORTED: set[tuple[str, tuple[str, ...]]] = set()
_PARTIAL_LOCK = threading.Lock()


def _forget_partial_warnings() -> None:
    """Report partial releases again (tests that assert the warning)."""
    with _PARTIAL_LOCK:
        _PARTIAL_REPORTED.clear()


def _warn_missing(release: _Release, version: str) -> None:
    missing = [n for n in ONET_FILES if n not in release.members]
    key = (str(release.root), tuple(missing))
    with _PARTIAL_LOCK:
        first = key not in _PARTIAL_REPORTED
        _PARTIAL_REPORTED.add(key)
    if missing and first:
        warn(
            f"O*NET {version} release '{release.root}' lacks {len(missing)} file(s): "
            f"{', '.join(missing)}. Loaded what is present; the competencies and ratings "
            "from the missing files are absent. Get the full release with "
            "`align data fetch onet`. (Shown once per run.)",
            AlignDataWarning,
        )


def load_onet(
    path: PathLike | None = None,
    *,
    data_dir: str | Path | None = None,
    use_cache: bool = True,
) -> Framework:
    """Load an O*NET release (28.0 or newer) as a :class:`~align.Framework`.

    Parameters
    ----------
    path : str or Path, optional
        A release folder (files as .txt or .xlsx, possibly in sub-folders) or
        the release zip. ``None`` takes the newest release under
        ``<data_dir>/onet/``.
    data_dir : str or Path, optional
        Where releases are searched when ``path`` is None (default
        ``ALIGN_DATA_DIR``, then a user data folder).
    use_cache : bool
        Reuse the parsed copy cached on disk when the files are unchanged.

    Returns
    -------
    Framework
        Competencies of kinds skill, knowledge, ability, work_activity,
        work_style, iwa, dwa, task, technology and area; occupations; relations
        (see the module docstring).

    Raises
    ------
    FrameworkNotFoundError
        No release, or a release without ``Occupation Data``.
    FrameworkFormatError
        A file that is not what O*NET publishes (delimiter, encoding, columns,
        truncated, damaged workbook or zip).

    Warns
    -----
    AlignDataWarning
        When release files are missing; what is present is loaded. Said once
        per process and release, however often the release is loaded.

    Examples
    --------
    >>> from pathlib import Path
    >>> import align
    >>> fixture = Path(align.__file__).parents[2] / "tests/data/onet/db_29_1"
    >>> fw = load_onet(fixture, use_cache=False)
    >>> fw.version, len(fw.occupations)
    ('29.1', 3)
    """
    if path is None:
        path = find_onet_release(data_dir)
    release = _locate(Path(path).expanduser())
    version = _version(release)
    _warn_missing(release, version)
    logger.info("loading O*NET %s from %s", version, release.root)
    return cached_framework(
        "onet",
        release.sources,
        lambda: _build(release, version),
        use_cache=use_cache,
        build_version=BUILD_VERSION,
    )
