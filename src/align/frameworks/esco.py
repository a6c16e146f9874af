"""Load the ESCO classification (1.x) from its official CSV download.

ESCO (European Skills, Competences, Qualifications and Occupations) is
published by the European Commission. Its CSV download comes as two zips: the
classification in one language (``skills_en.csv``, ``occupations_en.csv``,
``skillGroups_en.csv``, ...) and the language-independent relations
(``occupationSkillRelations.csv``, ``broaderRelationsSkillPillar.csv``,
``broaderRelationsOccPillar.csv``, ``skillSkillRelations.csv``).
:func:`load_esco` reads either the zips (without unpacking them) or a folder
of the extracted CSVs (``.csv`` or ``.csv.gz``), and adds the official
ESCO <-> O*NET-SOC crosswalk when it is found under ``<data_dir>/crosswalk/``.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from align._config import PathLike
from align._config import data_dir as _resolve_data_dir
from align._warnings import warn
from align.exceptions import AlignDataWarning, FrameworkFormatError, FrameworkNotFoundError
from align.frameworks._cache import cached_framework
from align.frameworks._model import Framework, FrameworkInfo
from align.frameworks._tables import (
    TableSource,
    decode,
    read_csv,
    relay_warnings,
    require_columns,
)
from align.frameworks.tabular import _depths

__all__ = ["CROSSWALK_COLUMNS", "SKILL_TYPES", "load_crosswalk", "load_esco"]

logger = logging.getLogger(__name__)


SOURCE_URL = "https://esco.ec.europa.eu/en/use-esco/download"
LICENCE = (
    "ESCO is published by the European Commission and may be reused free of charge under the "
    "Commission's reuse policy (Commission Decision 2011/833/EU), with attribution."
)
ATTRIBUTION = (
    "This product uses the ESCO classification of the European Commission "
    "(https://esco.ec.europa.eu)."
)
CROSSWALK_SOURCE = (
    "ESCO-O*NET crosswalk, ESCO Secretariat in collaboration with the U.S. Department of "
    "Labor/Employment and Training Administration"
)

#: ESCO ``skillType`` value -> competency kind. Blank types (6 DigComp concepts
#: in 1.1.1) are treated as skills.
SKILL_TYPES: dict[str, str] = {
    "skill/competence": "skill",
    "knowledge": "knowledge",
    "": "skill",
}
_WEIGHTS = {"essential": 1.0, "optional": 0.5}
#: Bump when the loader builds different tables from the same files (invalidates its cache).
BUILD_VERSION = "1"

#: Columns of :func:`load_crosswalk`, in order.
CROSSWALK_COLUMNS: dict[str, str] = {
    "esco_uri": "ESCO occupation (or ISCO group) concept URI",
    "esco_title": "its ESCO preferred label",
    "esco_kind": "'occupation' or 'isco_group'",
    "onet_code": "O*NET-SOC 2019 code (15-2051.00)",
    "onet_title": "O*NET-SOC title",
    "match_type": "exactMatch, closeMatch, broadMatch, narrowMatch or exactISCO, as published",
    "esco_description": "ESCO description",
    "onet_description": "O*NET description",
}
_CROSSWALK_HEADER = {
    "O*NET Id": "onet_code",
    "O*NET Title": "onet_title",
    "O*NET Description": "onet_description",
    "ESCO or ISCO URI": "esco_uri",
    "ESCO or ISCO Title": "esco_title",
    "ESCO or ISCO Description": "esco_description",
    "Type of Match": "match_type",
}
_CROSSWALK_FILE = "crosswalk_esco_onet.csv"


@dataclass(frozen=True)
class _Table:
    file: str  # the file name in ESCO 1.1
    pattern: str  # regex on the lower-cased file name without .csv/.csv.gz
    required: bool
    columns: tuple[str, ...]


_TABLES: dict[str, _Table] = {
    "skills": _Table("skills_en.csv", r"skills_en", True, ("conceptUri", "preferredLabel")),
    "occupations": _Table(
        "occupations_en.csv", r"occupations_en", True, ("conceptUri", "preferredLabel")
    ),
    "skill_groups": _Table(
        "skillGroups_en.csv", r"skillgroups_en", False, ("conceptUri", "preferredLabel")
    ),
    "occupation_skills": _Table(
        "occupationSkillRelations.csv",
        r"occupationskillrelations(_en)?",
        False,
        ("occupationUri", "relationType", "skillUri"),
    ),
    "skill_broader": _Table(
        "broaderRelationsSkillPillar.csv",
        r"broaderrelationsskillpillar(_en)?",
        False,
        ("conceptUri", "broaderUri"),
    ),
    "occupation_broader": _Table(
        "broaderRelationsOccPillar.csv",
        r"broaderrelationsoccpillar(_en)?",
        False,
        ("conceptUri", "broaderUri"),
    ),
    "skill_skill": _Table(
        "skillSkillRelations.csv",
        r"skillskillrelations(_en)?",
        False,
        ("originalSkillUri", "relationType", "relatedSkillUri"),
    ),
}
_FIX = (
    "Download the ESCO classification (CSV, English) and its relations zip from "
    f"{SOURCE_URL}, and point at the two zips or at the folder of extracted CSVs."
)


def _stem(name: str) -> str:
    base = name.rsplit("/", 1)[-1].lower()
    for ext in (".csv.gz", ".csv"):
        if base.endswith(ext):
            return base[: -len(ext)]
    return ""


def _table_of(name: str) -> str | None:
    stem = _stem(name)
    for table, spec in _TABLES.items():
        if re.fullmatch(spec.pattern, stem):
            return table
    return None


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split("."))


def _version_in(text: str) -> str | None:
    hit = re.search(r"(?<![A-Za-z0-9.])v(\d+(?:\.\d+)+)(?![\d.]*\d)", text)
    return hit.group(1) if hit else None


def _newest_release(root: Path) -> Path:
    """Return the newest ``v<version>`` folder under ``root`` (or ``root`` itself)."""
    if not root.is_dir():
        raise FrameworkNotFoundError(
            f"no ESCO release found: folder {str(root)!r} does not exist. {_FIX} Put them in "
            f"{str(root / 'v1.1.1')!r} (one sub-folder per release), or run "
            "`align data import esco PATH`."
        )
    releases = [(v, p) for p in root.iterdir() if p.is_dir() and (v := _version_in(" " + p.name))]
    if releases:
        return max(releases, key=lambda vp: _version_tuple(vp[0]))[1]
    return root


def _zip_tables(zpath: Path) -> dict[str, TableSource]:
    try:
        with zipfile.ZipFile(zpath) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise FrameworkFormatError(
            f"{str(zpath)!r} is not a readable zip file ({exc}); it looks truncated or "
            "damaged. Download it again."
        ) from exc
    found: dict[str, TableSource] = {}
    for n in sorted(names, key=lambda n: (n.count("/"), n)):
        table = _table_of(n)
        if table and table not in found:
            found[table] = TableSource(zpath, n)
    return found


def _discover(path: Path) -> tuple[dict[str, TableSource], str]:
    """Map each ESCO table to the file or zip member holding it; return it and the version."""
    if not path.exists():
        raise FrameworkNotFoundError(
            f"ESCO path {str(path)!r} does not exist; check the path. {_FIX}"
        )
    found: dict[str, TableSource] = {}
    if path.is_file():
        if path.suffix.lower() != ".zip":
            raise FrameworkFormatError(
                f"{str(path)!r} is a single file; ESCO is read from its release zips or from "
                f"the folder of its CSV files. {_FIX}"
            )
        zips = [path, *sorted(p for p in path.parent.glob("*.zip") if p != path)]
        found.update(_zip_tables(path))
        if not found:
            names = _zip_names(path)
            raise FrameworkFormatError(
                f"zip {str(path)!r} holds no ESCO CSV files (expected skills_en.csv, "
                f"occupations_en.csv or occupationSkillRelations.csv; found {names}). {_FIX}"
            )
        # The classification and relations come as two zips; take what is missing from
        # ESCO zips next to the one given.
        for z in zips[1:]:
            if "esco" in z.name.lower():
                for table, src in _zip_tables(z).items():
                    found.setdefault(table, src)
    else:
        files = sorted(
            (p for p in path.rglob("*") if p.is_file()),
            key=lambda p: (len(p.relative_to(path).parts), str(p)),
        )
        # Loose CSVs read faster than zip members, so they win when both are present.
        for p in files:
            loose = _table_of(p.name)
            if loose and loose not in found:
                found[loose] = TableSource(p)
        for p in files:
            if p.suffix.lower() == ".zip" and set(_TABLES) - set(found):
                for table, src in _zip_tables(p).items():
                    found.setdefault(table, src)
    missing_required = [t for t, spec in _TABLES.items() if spec.required and t not in found]
    if missing_required:
        files_needed = ", ".join(_TABLES[t].file for t in missing_required)
        raise FrameworkFormatError(
            f"{str(path)!r} has no {files_needed} (found "
            f"{sorted(s.member or s.path.name for s in found.values()) or 'no ESCO file'}). "
            f"{_FIX}"
        )
    # The version is in the zip name ("ESCO dataset - v1.1.1 - ...") or a folder
    # name ("v1.1.1/csv/"); look only near the file, not at far-up folders.
    src = found["skills"]
    near = [src.member or "", *reversed(src.path.parts[-4:])]
    version = next((v for part in near if (v := _version_in(" " + part))), "unknown")
    return found, version


def _zip_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    return names if len(names) <= 10 else [*names[:10], "..."]


def _split(value: str) -> list[str]:
    out: list[str] = []
    for part in value.split("\n"):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def _col(df: pd.DataFrame, column: str) -> pd.Series:
    """The column, or blanks when this release does not have it."""
    if column in df.columns:
        return df[column].astype(str)
    return pd.Series([""] * len(df), index=df.index, dtype=object)


def _alts(alts: pd.Series, labels: pd.Series) -> list[list[str]]:
    """Split newline-separated labels, dropping repeats of the preferred label."""
    return [
        [a for a in _split(str(v)) if a != lab]
        for v, lab in zip(alts.tolist(), labels.tolist(), strict=True)
    ]


def _isin(values: pd.Series, known: set[str]) -> pd.Series:
    # Series.isin converts every wanted value to an Arrow scalar (seconds for ESCO's
    # sizes with pandas' Arrow strings); a set lookup is instant.
    return pd.Series([v in known for v in values.tolist()], index=values.index, dtype=bool)


def _uri_tail(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def _read(found: dict[str, TableSource], table: str) -> pd.DataFrame | None:
    src = found.get(table)
    if src is None:
        return None
    what = f"the ESCO {table.replace('_', ' ')} file"
    df = read_csv(src, delimiter=",", allow_cp1252=False, what=what)
    require_columns(df, src.name, _TABLES[table].columns, what + " of ESCO 1.x", _FIX)
    return df


def _fix_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as Windows-1252 once ("aÂ\xa0 b" -> "a  b")."""
    if "Â" not in text and "Ã" not in text:
        return text
    try:
        return text.encode("cp1252").decode("utf-8").replace("\xa0", " ")
    except UnicodeError:
        return text


def _find_crosswalk(path: PathLike | None, data_dir: PathLike | None) -> Path | None:
    if path is not None:
        return Path(path).expanduser()
    candidate = _resolve_data_dir(data_dir) / "crosswalk" / _CROSSWALK_FILE
    return candidate if candidate.is_file() else None


def load_crosswalk(
    path: PathLike | None = None, *, data_dir: PathLike | None = None
) -> pd.DataFrame:
    """Read the official ESCO <-> O*NET-SOC 2019 occupation crosswalk.

    Parameters
    ----------
    path : str or path, optional
        The crosswalk CSV as published (a block of metadata lines, then a
        header row starting ``O*NET Id``). Default:
        ``<data_dir>/crosswalk/crosswalk_esco_onet.csv``.
    data_dir : str or path, optional
        Data folder; defaults to ``ALIGN_DATA_DIR``, then a user data folder.

    Returns
    -------
    DataFrame
        One row per published mapping, columns :data:`CROSSWALK_COLUMNS`:
        ``esco_uri``, ``esco_title``, ``esco_kind``, ``onet_code``,
        ``onet_title``, ``match_type`` (as published: ``exactMatch``,
        ``closeMatch``, ``broadMatch``, ``narrowMatch``, or ``exactISCO``
        for rows that map to an ISCO group), ``esco_description``,
        ``onet_description``. Text spoiled by a double encoding in the
        published file is repaired.

    Raises
    ------
    FrameworkNotFoundError
        No crosswalk file at ``path`` (or under the data folder).
    FrameworkFormatError
        The file has no ``O*NET Id`` ... ``Type of Match`` header row.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from align.frameworks.esco import load_crosswalk
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "cw.csv"
    >>> _ = f.write_text(
    ...     "Mapping project name,demo,,,,,\\n"
    ...     "O*NET Id,O*NET Title,O*NET Description,ESCO or ISCO URI,ESCO or ISCO Title,"
    ...     "ESCO or ISCO Description,Type of Match\\n"
    ...     "15-2051.00,Data Scientists,d,http://data.europa.eu/esco/occupation/x,"
    ...     "data scientist,d,exactMatch\\n", "utf-8")
    >>> load_crosswalk(f)[["esco_title", "onet_code", "match_type"]].to_dict("records")
    [{'esco_title': 'data scientist', 'onet_code': '15-2051.00', 'match_type': 'exactMatch'}]
    """
    file = _find_crosswalk(path, data_dir)
    if file is None or not file.is_file():
        where = file if file is not None else _resolve_data_dir(data_dir) / "crosswalk"
        raise FrameworkNotFoundError(
            f"no ESCO-O*NET crosswalk at {str(where)!r}; download the crosswalk CSV from the "
            "ESCO website (Use ESCO > Crosswalk with O*NET) and save it as "
            f"<data dir>/crosswalk/{_CROSSWALK_FILE}."
        )
    src = TableSource(file)
    raw = src.read_bytes()
    text = decode(raw, str(file), allow_cp1252=True).replace("\r\n", "\n")
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("O*NET Id,")), None)
    if start is None:
        raise FrameworkFormatError(
            f"{str(file)!r} is not the ESCO-O*NET crosswalk: no header row starting "
            f"'O*NET Id,' was found; expected the columns {list(_CROSSWALK_HEADER)}. Use the "
            "crosswalk CSV as published by ESCO."
        )
    try:
        df = pd.read_csv(io.StringIO("\n".join(lines[start:])), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise FrameworkFormatError(
            f"{str(file)!r} could not be read as the ESCO-O*NET crosswalk ({exc}); it looks "
            "truncated or edited. Download it again."
        ) from exc
    require_columns(
        df,
        str(file),
        _CROSSWALK_HEADER,
        "the ESCO-O*NET crosswalk columns",
        "Use the crosswalk CSV as published by ESCO.",
    )
    df = df.rename(columns=_CROSSWALK_HEADER)
    for c in ("esco_title", "esco_description", "onet_title", "onet_description"):
        df[c] = df[c].map(_fix_mojibake)
    df = df[df["esco_uri"].str.strip() != ""].copy()
    for c in ("esco_uri", "onet_code", "match_type"):
        df[c] = df[c].str.strip()
    df["esco_kind"] = np.where(df["esco_uri"].str.contains("/isco/"), "isco_group", "occupation")
    return df[list(CROSSWALK_COLUMNS)].reset_index(drop=True)


def load_esco(
    path: PathLike | None = None,
    *,
    data_dir: PathLike | None = None,
    use_cache: bool = True,
) -> Framework:
    """Load ESCO 1.x skills, skill groups, occupations and their relations.

    Parameters
    ----------
    path : str or path, optional
        A folder holding the ESCO CSVs (``.csv`` or ``.csv.gz``, searched
        recursively) and/or the official zips, or one of the zips (the other
        ESCO zips next to it are read too: the classification zip and the
        relations zip). Default: the newest ``v<version>`` folder under
        ``<data_dir>/esco/``.
    data_dir : str or path, optional
        Data folder; defaults to ``ALIGN_DATA_DIR``, then a user data folder.
        The crosswalk is read from ``<data_dir>/crosswalk/crosswalk_esco_onet.csv``
        when present.
    use_cache : bool
        Reuse the parsed copy cached on disk when the source files are unchanged.

    Returns
    -------
    Framework
        Competencies:

        * every skill of ``skills_en.csv``: ``kind`` ``skill`` for
          ``skill/competence`` (and the few with a blank ``skillType``),
          ``knowledge`` for ``knowledge``; ``label`` is ``preferredLabel`` as
          published; ``alt_labels`` are the ``altLabels`` (the preferred label
          and repeats removed); ``description`` is ``description`` (else
          ``definition``); ``code`` is the UUID at the end of the concept URI;
          ``url`` is the concept URI;
        * every skill group of ``skillGroups_en.csv`` as kind ``area``
          (``code`` the ESCO group code such as ``S1.2``, or the ISCED-F code);
        * ``parent_id`` is the first broader concept listed in
          ``broaderRelationsSkillPillar.csv``, ``level`` the depth under the
          four top concepts (1 = top).

        Extra competency columns: ``skill_type`` and ``reuse_level`` (as
        published, ``""`` for groups) and ``hidden_labels`` (a list; ESCO's
        search-only terms such as product names, kept out of ``alt_labels``
        because they are not names of the skill).

        Occupations: ``code`` the ESCO code (``2511.1``), ``title``,
        ``description``, ``group`` the ISCO unit group, ``alt_titles``,
        ``url`` the concept URI.

        Relations: ``requires`` occupation -> skill (``detail``
        ``essential``/``optional``, ``weight`` 1.0/0.5); ``broader`` skill or
        group -> broader skill or group, and occupation -> broader occupation
        (edges to ISCO groups are left out: ``group`` holds the ISCO code);
        ``related`` skill -> skill from ``skillSkillRelations.csv``
        (``detail`` essential/optional); ``crosswalk`` ESCO occupation ->
        ``onet:<O*NET-SOC code>`` from the official crosswalk, ``detail`` the
        published match type (``exactMatch``, ``closeMatch``, ``broadMatch``,
        ``narrowMatch``).

    Raises
    ------
    FrameworkNotFoundError
        No release under the data folder, or ``path`` does not exist.
    FrameworkFormatError
        A zip or folder without ESCO files, a damaged or truncated file, a file
        that is not UTF-8 or not comma-separated, or missing columns.
    """
    if path is None:
        release = _newest_release(_resolve_data_dir(data_dir) / "esco")
    else:
        release = Path(path).expanduser()
        if release.is_dir():  # a folder of releases (v1.1.1/, v1.2.0/): take the newest
            release = _newest_release(release)
    found, version = _discover(release)
    crosswalk = _find_crosswalk(None, data_dir)
    sources = sorted({s.path for s in found.values()} | ({crosswalk} if crosswalk else set()))

    def build() -> Framework:
        return _build(found, version, release, crosswalk)

    with relay_warnings():
        missing = [t for t in _TABLES if t not in found]
        if missing:
            warn(
                f"the ESCO release at {str(release)!r} lacks "
                f"{', '.join(_TABLES[t].file for t in missing)}; loaded what is there, so "
                "relations or the hierarchy are incomplete. Add the ESCO relations zip (or those "
                "CSV files) to load them.",
                AlignDataWarning,
            )
        return cached_framework(
            "esco", sources, build, use_cache=use_cache, build_version=BUILD_VERSION
        )


def _build(
    found: dict[str, TableSource], version: str, release: Path, crosswalk: Path | None
) -> Framework:
    tables: dict[str, pd.DataFrame | None] = {}
    for t in tqdm(list(_TABLES), desc=f"Reading ESCO {version}", unit="file", leave=False):
        tables[t] = _read(found, t)
    competencies = _competencies(tables)
    occupations = _occupations(_required(tables, "occupations"))
    relations = _relations(tables, competencies, occupations, crosswalk)
    info = FrameworkInfo(
        key="esco",
        name="ESCO (European Skills, Competences, Qualifications and Occupations)",
        publisher="European Commission",
        version=version,
        source_url=SOURCE_URL,
        licence=LICENCE,
        attribution=ATTRIBUTION
        + (f" Occupation crosswalk: {CROSSWALK_SOURCE}." if crosswalk else ""),
        source_path=str(release.resolve()),
    )
    return Framework(info, competencies, occupations, relations)


def _competencies(tables: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    s = _required(tables, "skills")
    skill_type = _col(s, "skillType").str.strip()
    unknown = sorted(set(skill_type) - set(SKILL_TYPES))
    if unknown:
        warn(
            f"ESCO skills file has skillType value(s) {unknown} this loader does not know; "
            "those skills were loaded as kind 'skill'.",
            AlignDataWarning,
        )
    blank = int((skill_type == "").sum())
    if blank:
        logger.info("%d ESCO skills have a blank skillType; loaded as kind 'skill'", blank)
    labels = s["preferredLabel"]
    desc = _col(s, "description").where(
        _col(s, "description").str.strip() != "", _col(s, "definition")
    )
    skills = pd.DataFrame(
        {
            "id": "esco:" + s["conceptUri"],
            "framework": "esco",
            "code": s["conceptUri"].map(_uri_tail),
            "label": labels,
            "description": desc.str.strip(),
            "kind": skill_type.map(SKILL_TYPES).fillna("skill"),
            "alt_labels": _alts(_col(s, "altLabels"), labels),
            "url": s["conceptUri"],
            "skill_type": skill_type,
            "reuse_level": _col(s, "reuseLevel").str.strip(),
            "hidden_labels": _col(s, "hiddenLabels").map(_split),
        }
    )
    g = tables["skill_groups"]
    if g is not None:
        codes = _col(g, "code").str.strip()
        groups = pd.DataFrame(
            {
                "id": "esco:" + g["conceptUri"],
                "framework": "esco",
                "code": codes.where(codes != "", g["conceptUri"].map(_uri_tail)),
                "label": g["preferredLabel"],
                "description": _col(g, "description").str.strip(),
                "kind": "area",
                "alt_labels": _alts(_col(g, "altLabels"), g["preferredLabel"]),
                "url": g["conceptUri"],
                "skill_type": "",
                "reuse_level": "",
                "hidden_labels": _col(g, "hiddenLabels").map(_split),
            }
        )
        comps = pd.concat([groups, skills], ignore_index=True)
    else:
        comps = skills
    dup = comps["id"].duplicated()
    if dup.any():
        logger.info("dropping %d repeated ESCO concept rows", int(dup.sum()))
        comps = comps[~dup].reset_index(drop=True)
    b = tables["skill_broader"]
    if b is not None:
        known = set(comps["id"].tolist())
        edges = pd.DataFrame({"c": "esco:" + b["conceptUri"], "p": "esco:" + b["broaderUri"]})
        edges = edges[
            _isin(edges["c"], known) & _isin(edges["p"], known) & (edges["c"] != edges["p"])
        ]
        first = edges.drop_duplicates("c").set_index("c")["p"]
        comps["parent_id"] = comps["id"].map(first).astype(object)
        comps["parent_id"] = comps["parent_id"].where(comps["parent_id"].notna(), None)
        comps["level"] = _depths(comps["id"], comps["parent_id"]).to_numpy()
    else:
        comps["parent_id"] = None
        comps["level"] = pd.NA
    return comps


def _required(tables: dict[str, pd.DataFrame | None], table: str) -> pd.DataFrame:
    df = tables[table]
    if df is None:  # _discover already refuses a release without it
        raise FrameworkFormatError(f"the ESCO {table} file is missing. {_FIX}")
    return df


def _occupations(o: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": "esco:" + o["conceptUri"],
            "framework": "esco",
            "code": _col(o, "code").str.strip(),
            "title": o["preferredLabel"],
            "description": _col(o, "description").str.strip(),
            "group": _col(o, "iscoGroup").str.strip(),
            "alt_titles": _alts(_col(o, "altLabels"), o["preferredLabel"]),
            "url": o["conceptUri"],
        }
    )


def _relations(
    tables: dict[str, pd.DataFrame | None],
    comps: pd.DataFrame,
    occs: pd.DataFrame,
    crosswalk: Path | None,
) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []
    r = tables["occupation_skills"]
    if r is not None:
        rtype = r["relationType"].str.strip()
        parts.append(
            pd.DataFrame(
                {
                    "source_id": "esco:" + r["occupationUri"],
                    "target_id": "esco:" + r["skillUri"],
                    "relation": "requires",
                    "detail": rtype,
                    "weight": rtype.map(_WEIGHTS).astype("float64"),
                }
            )
        )
    known = set(comps["id"].tolist()) | set(occs["id"].tolist())
    for t in ("skill_broader", "occupation_broader"):
        b = tables[t]
        if b is None:
            continue
        e = pd.DataFrame(
            {
                "source_id": "esco:" + b["conceptUri"],
                "target_id": "esco:" + b["broaderUri"],
                "relation": "broader",
                "detail": "",
            }
        )
        keep = _isin(e["source_id"], known) & _isin(e["target_id"], known)
        logger.debug(
            "%s: %d broader edges to concepts outside the tables left out", t, int((~keep).sum())
        )
        parts.append(e[keep])
    ss = tables["skill_skill"]
    if ss is not None:
        parts.append(
            pd.DataFrame(
                {
                    "source_id": "esco:" + ss["originalSkillUri"],
                    "target_id": "esco:" + ss["relatedSkillUri"],
                    "relation": "related",
                    "detail": ss["relationType"].str.strip(),
                }
            )
        )
    if crosswalk is not None:
        cw = load_crosswalk(crosswalk)
        cw = cw[cw["esco_kind"] == "occupation"]
        parts.append(
            pd.DataFrame(
                {
                    "source_id": "esco:" + cw["esco_uri"],
                    "target_id": "onet:" + cw["onet_code"],
                    "relation": "crosswalk",
                    "detail": cw["match_type"],
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["source_id", "target_id", "relation", "detail", "weight"])
    return pd.concat(parts, ignore_index=True)
