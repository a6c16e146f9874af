"""Competency Model Clearinghouse (CMC): Building Blocks model built in, industry models imported.

The CMC (U.S. Department of Labor, Employment and Training Administration, on
CareerOneStop) arranges competencies in tiers. Its generic *Building Blocks*
model fills the three foundational tiers (1 Personal Effectiveness, 2 Academic,
3 Workplace); the industry tiers (4 Industry-Wide Technical, 5 Industry-Sector
Technical) are filled only by each industry model. ``align`` ships tiers 1-5
with the CMC's names and numbering and descriptions in our own words; tiers 4
and 5 are kept as empty tier nodes rather than invented content.

The CMC publishes its industry models as web pages and documents, not data
files, so an industry model is imported from

- a CSV or .xlsx table with columns ``tier``, ``area``, ``competency``,
  ``key_behaviours`` (optional ``description``, ``code``, ``url``), one row
  per competency or per key behaviour; or
- a CASE 1.1 package (.json), read with :func:`align.frameworks.case.load_case`.

Every node carries its tier as ``level``. Ids: ``cmc:tier1`` (tier, kind
``area``), ``cmc:tier1.integrity`` (competency), and for imported models
``cmc:tier4.<area>`` (area) and ``cmc:tier4.<area>.<competency>``, with key
behaviours as ``<competency id>.b<n>`` (kind ``behaviour``).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from align._config import PathLike
from align._config import data_dir as _resolve_data_dir
from align._warnings import warn
from align.exceptions import AlignDataWarning, FrameworkFormatError
from align.frameworks._builtin import builtin_info, competency_row, given_files, read_builtin, slug
from align.frameworks._model import Framework, FrameworkInfo
from align.frameworks._tables import read_table, relay_warnings
from align.frameworks.case import load_case

__all__ = ["CMC_URL", "TIERS", "load_cmc"]

logger = logging.getLogger(__name__)

#: The CMC's Building Blocks model page on CareerOneStop.
CMC_URL = (
    "https://www.careeronestop.org/CompetencyModel/competency-models/building-blocks-model.aspx"
)

#: The CMC's tier names (tiers 6-9 appear only in older and occupation-level models).
TIERS: dict[int, str] = {
    1: "Personal Effectiveness Competencies",
    2: "Academic Competencies",
    3: "Workplace Competencies",
    4: "Industry-Wide Technical Competencies",
    5: "Industry-Sector Technical Competencies",
    6: "Occupation-Specific Knowledge Competencies",
    7: "Occupation-Specific Technical Competencies",
    8: "Occupation-Specific Requirements",
    9: "Management Competencies",
}

_TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx"}
_COLUMNS: dict[str, tuple[str, ...]] = {
    "tier": ("tier", "tier_number", "cmc_tier"),
    "area": ("area", "competency_area", "block", "competency_block"),
    "competency": ("competency", "competency_name", "name", "label"),
    "behaviours": (
        "key_behaviours",
        "key_behaviors",
        "key_behaviour",
        "key_behavior",
        "behaviours",
        "behaviors",
        "critical_work_functions",
    ),
    "description": ("description", "definition"),
    "code": ("code",),
    "url": ("url",),
}
_EXPECTED = (
    "columns 'tier' (1-9 or a tier name), 'area', 'competency' and 'key_behaviours' "
    "(several behaviours in one cell separated by ';' or line breaks); optional "
    "'description', 'code', 'url'"
)
# Bullets and CMC-style numbering ("3.1.2") in front of a key behaviour.
_BULLET = re.compile(r"^\s*(?:[-*•·]+|\d+(?:\.\d+)*[.)]?)\s+")


def load_cmc(path: PathLike | None = None, *, data_dir: PathLike | None = None) -> Framework:
    """Load the CMC Building Blocks model, or an imported industry competency model.

    Parameters
    ----------
    path : str or path, optional
        An industry model as a CSV/.xlsx table or a CASE package (.json), or a
        folder of such files. When omitted, the files under ``<data_dir>/cmc/``
        are loaded if there are any, else the built-in Building Blocks model.
    data_dir : str or path, optional
        Data folder searched when ``path`` is omitted. Defaults to
        ``ALIGN_DATA_DIR``, then a user data folder.

    Returns
    -------
    Framework
        Key ``cmc``. Tiers are kind ``area`` nodes; competencies (kind
        ``competency``) have their tier, or their area, as ``parent_id``; every
        node's ``level`` is its tier.

    Raises
    ------
    FrameworkNotFoundError
        ``path`` does not exist, or is a folder with no table or .json in it.
    FrameworkFormatError
        A file is empty, unreadable or lacks the expected columns.

    Examples
    --------
    >>> from align.frameworks.cmc import load_cmc
    >>> cmc = load_cmc(data_dir="/nonexistent")  # nothing imported: the built-in model
    >>> row = cmc.competency("cmc:tier1.integrity")
    >>> row["label"], row["code"], int(row["level"]), row["parent_id"]
    ('Integrity', '1.2', 1, 'cmc:tier1')
    >>> cmc.competencies.groupby("level")["kind"].value_counts().to_dict()[(3, "competency")]
    11
    """
    # Warnings from the readers below are re-issued at the caller's line.
    with relay_warnings():
        return _load_cmc(path, data_dir)


def _load_cmc(path: PathLike | None, data_dir: PathLike | None) -> Framework:
    if path is None:
        folder = _resolve_data_dir(data_dir) / "cmc"
        files = _model_files(folder)
        if not files:
            return _builtin()
        logger.info("loading CMC industry model(s) from %s", folder)
        return _from_files(files, folder)
    files = given_files(
        path,
        _model_files,
        what="CMC",
        holds=".csv, .xlsx or CASE .json file",
        expected=f"a table with {_EXPECTED}, or a CASE package",
        loader="load_cmc",
    )
    return _from_files(files, Path(path).expanduser())


def _model_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and (p.suffix.lower() in _TABLE_SUFFIXES or p.suffix.lower() == ".json")
        # skip hidden files and half-finished imports (.import-*/)
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


# -- built-in -----------------------------------------------------------------
def _builtin() -> Framework:
    data = read_builtin("cmc_building_blocks.yaml")
    rows: list[dict[str, Any]] = []
    for tier in data["tiers"]:
        t = int(tier["tier"])
        rows.append(_row(f"tier{t}", str(t), tier["label"], tier["description"], "area", None, t))
        for comp in tier["competencies"]:
            rows.append(
                _row(
                    f"tier{t}.{slug(comp['label'])}",
                    comp["code"],
                    comp["label"],
                    comp["description"],
                    "competency",
                    f"cmc:tier{t}",
                    t,
                )
            )
    return Framework(builtin_info("cmc", data["framework"]), pd.DataFrame(rows))


def _row(
    local_id: str,
    code: str,
    label: str,
    description: str,
    kind: str,
    parent: str | None,
    tier: int,
    url: str = CMC_URL,
) -> dict[str, Any]:
    return competency_row(
        "cmc", local_id, code, label, description, kind, parent, tier, url or CMC_URL
    )


# -- import -------------------------------------------------------------------
def _from_files(files: list[Path], source: Path) -> Framework:
    tables = [f for f in files if f.suffix.lower() != ".json"]
    packages = [f for f in files if f.suffix.lower() == ".json"]
    parts: list[Framework] = []
    if tables:
        parts.append(_from_tables(tables, source))
    parts.extend(_from_case(p) for p in packages)
    if len(parts) == 1:
        return parts[0]
    comps = pd.concat([p.competencies for p in parts], ignore_index=True)
    dupes = comps["id"].duplicated()
    if dupes.any():
        warn(
            f"the CMC models in '{source}' share {int(dupes.sum())} competency ids (the same "
            "tier, area and name); kept the first of each.",
            AlignDataWarning,
        )
    first = parts[0].info
    info = FrameworkInfo(
        key="cmc",
        name="CMC industry competency models: " + ", ".join(f.stem for f in files),
        publisher=first.publisher,
        version="imported",
        source_url=first.source_url,
        licence=first.licence,
        attribution=first.attribution,
        source_path=str(source),
    )
    relations = pd.concat([p.relations for p in parts], ignore_index=True)
    return Framework(info, comps[~dupes], relations=relations.drop_duplicates())


def _from_case(path: Path) -> Framework:
    fw = load_case(path, key="cmc")
    comps = fw.competencies.copy()
    # CMC numbers blocks by tier ("4.2", "4.2.1"), so the code's first number is the tier.
    tier = pd.to_numeric(comps["code"].str.extract(r"^\s*(\d)(?:\.\d+)*\s*$")[0], errors="coerce")
    comps["level"] = tier.astype("Int64").fillna(comps["level"])
    return Framework(fw.info, comps, fw.occupations, fw.relations)


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    col = next((c for c in _COLUMNS[name] if c in df.columns), None)
    return df[col] if col else pd.Series("", index=df.index, dtype=object)


def _parse_tier(value: str, path: Path, line: int) -> int:
    m = re.match(r"^\s*(?:tier\s*)?(\d+)", value, flags=re.IGNORECASE)
    if m and 1 <= int(m.group(1)) <= 9:
        return int(m.group(1))
    key = slug(value).removesuffix("_competencies")
    names = {slug(name).removesuffix("_competencies"): t for t, name in TIERS.items()}
    # Older CMC pages call tier 5 "Industry-Specific Technical Competencies".
    names["industry_specific_technical"] = 5
    if key in names:
        return names[key]
    raise FrameworkFormatError(
        f"CMC file '{path}' line {line}: tier {value!r} is not a CMC tier; expected a number "
        f"1-9 ('4' or 'Tier 4') or a tier name such as {TIERS[4]!r}."
    )


def _split_behaviours(cell: str) -> list[str]:
    parts = re.split(r"\s*(?:;|\n|\r|\|)\s*", cell)
    return [_BULLET.sub("", p).strip() for p in parts if _BULLET.sub("", p).strip()]


def _from_tables(files: list[Path], source: Path) -> Framework:
    frames = []
    for f in files:
        df = read_table(f, what=f"a CMC model table with {_EXPECTED}")
        missing = [n for n in ("tier", "competency") if not set(_COLUMNS[n]) & set(df.columns)]
        if missing:
            raise FrameworkFormatError(
                f"CMC model file '{f}' has columns {list(df.columns) or '(none)'} but no "
                f"{' or '.join(repr(m) for m in missing)} column; expected {_EXPECTED}. Rename "
                "the header cells, or check that the file is comma, semicolon or tab separated."
            )
        frames.append(
            pd.DataFrame(
                {name: _column(df, name) for name in _COLUMNS}
                | {"file": str(f), "line": df.index + 2}
            )
        )
    table = pd.concat(frames, ignore_index=True)
    blank = table["competency"] == ""
    if blank.any():
        warn(
            f"{int(blank.sum())} row(s) of the CMC model in '{source}' have no competency "
            f"name (first at line {int(table.loc[blank, 'line'].iloc[0])}); they were skipped.",
            AlignDataWarning,
        )
        table = table[~blank]
    if table.empty:
        raise FrameworkFormatError(
            f"the CMC model in '{source}' has no rows with a competency; expected {_EXPECTED}."
        )

    nodes: dict[str, dict[str, Any]] = {}  # insertion-ordered: tiers, areas, competencies
    behaviours: dict[str, list[str]] = {}
    records: list[dict[Any, Any]] = table.to_dict("records")
    for rec in records:
        t = _parse_tier(rec["tier"], Path(rec["file"]), rec["line"])
        tier_id = f"tier{t}"
        nodes.setdefault(tier_id, _row(tier_id, str(t), TIERS[t], "", "area", None, t))
        parent = f"cmc:{tier_id}"
        base = tier_id
        if rec["area"]:
            area_id = f"{tier_id}.{slug(rec['area'])}"
            nodes.setdefault(area_id, _row(area_id, area_id, rec["area"], "", "area", parent, t))
            parent, base = f"cmc:{area_id}", area_id
        comp_id = f"{base}.{slug(rec['competency'])}"
        node = nodes.setdefault(
            comp_id,
            _row(
                comp_id,
                rec["code"] or comp_id,
                rec["competency"],
                rec["description"],
                "competency",
                parent,
                t,
                rec["url"],
            ),
        )
        if not node["description"] and rec["description"]:
            node["description"] = rec["description"]
        seen = behaviours.setdefault(comp_id, [])
        seen.extend(b for b in _split_behaviours(rec["behaviours"]) if b not in seen)

    rows = []
    for local_id, node in nodes.items():
        rows.append(node)
        for i, text in enumerate(behaviours.get(local_id, []), start=1):
            rows.append(
                _row(
                    f"{local_id}.b{i}",
                    f"{node['code']}.b{i}",
                    text,
                    "",
                    "behaviour",
                    str(node["id"]),
                    int(node["level"]),
                    str(node["url"]),
                )
            )
    info = FrameworkInfo(
        key="cmc",
        name="CMC industry competency model: " + ", ".join(f.stem for f in files),
        publisher=(
            "U.S. Department of Labor, Employment and Training Administration (Competency "
            "Model Clearinghouse), as imported"
        ),
        version="imported",
        source_url=CMC_URL,
        licence=(
            "CMC models are U.S. government works; check the model's own notes for content "
            "contributed by industry partners."
        ),
        attribution=(
            "Competency Model Clearinghouse, U.S. Department of Labor, Employment and "
            f"Training Administration (CareerOneStop); model imported from {source.name}."
        ),
        source_path=str(source),
    )
    return Framework(info, pd.DataFrame(rows))
