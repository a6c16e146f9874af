"""NACE career-readiness competencies: built in (our wording) or imported from NACE's file.

NACE (the National Association of Colleges and Employers) defines eight
career-readiness competencies (2021 revision), each with sample behaviours.
NACE's text is copyrighted and not openly licensed, so ``align`` ships only the
competency names (facts) with descriptions and behaviour statements written by
the align developers. Offices that hold NACE's own file can load it instead:

- ``load_nace()`` loads the files under ``<data dir>/nace/`` when there are any,
  else the built-in paraphrase;
- ``load_nace(path)`` loads a folder, or one file, shaped like NACE's tables: a
  competencies table (``competency``, ``definition``) and a sample-behaviours
  table (``competency``, ``sample_behavior``, optional ``behavior_index``), as
  CSV (comma, semicolon or tab separated) or .xlsx.

Ids are ``nace:<competency>`` (``nace:communication``) for competencies (kind
``competency``, level 1) and ``nace:<competency>.b<n>`` for behaviours (kind
``behaviour``, level 2, ``parent_id`` the competency), whichever the source, so
results computed on the built-in and on the imported text line up.
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

__all__ = ["NACE_URL", "load_nace"]

logger = logging.getLogger(__name__)

#: NACE's official career-readiness page (every competency links here).
NACE_URL = "https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/"

_TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx"}
# Accepted spellings of each column, after normalise_columns().
_NAME_COLUMNS = ("competency", "competency_name", "name", "label", "title")
_ID_COLUMNS = ("competency_id", "id", "code")
_DEFINITION_COLUMNS = ("definition", "description", "competency_definition")
_BEHAVIOUR_COLUMNS = (
    "sample_behavior",
    "sample_behaviour",
    "sample_behaviors",
    "sample_behaviours",
    "behavior",
    "behaviour",
)
_INDEX_COLUMNS = ("behavior_index", "behaviour_index", "index", "number")
_EXPECTED = (
    "a competencies table with columns 'competency' and 'definition', and/or a sample-"
    "behaviours table with columns 'competency' and 'sample_behavior' (optional "
    "'competency_id', 'behavior_index')"
)


def load_nace(path: PathLike | None = None, *, data_dir: PathLike | None = None) -> Framework:
    """Load the NACE career-readiness competencies.

    Parameters
    ----------
    path : str or path, optional
        A folder holding NACE's tables, or one table file (.csv or .xlsx). When
        omitted, the files under ``<data_dir>/nace/`` are loaded if there are
        any, else the built-in version in align's own words.
    data_dir : str or path, optional
        Data folder searched when ``path`` is omitted. Defaults to
        ``ALIGN_DATA_DIR``, then a user data folder.

    Returns
    -------
    Framework
        Key ``nace``: 8 competencies (kind ``competency``, level 1) and their
        behaviours (kind ``behaviour``, level 2, ``parent_id`` the competency).

    Raises
    ------
    FrameworkNotFoundError
        ``path`` does not exist, or is a folder with no table in it.
    FrameworkFormatError
        A table is empty, unreadable or lacks the expected columns.

    Examples
    --------
    >>> from align.frameworks.nace import load_nace
    >>> nace = load_nace(data_dir="/nonexistent")  # no imported file: the built-in
    >>> nace.competency("nace:communication")["label"]
    'Communication'
    >>> nace.counts().to_dict()
    {'behaviour': 43, 'competency': 8}
    """
    # Warnings from the readers below are re-issued at the caller's line.
    with relay_warnings():
        return _load_nace(path, data_dir)


def _load_nace(path: PathLike | None, data_dir: PathLike | None) -> Framework:
    if path is None:
        folder = _resolve_data_dir(data_dir) / "nace"
        files = _release_files(folder)
        if not files:
            return _builtin()
        logger.info("loading NACE from the imported files in %s", files[0].parent)
        return _from_files(files, files[0].parent)
    files = given_files(
        path,
        _release_files,
        what="NACE",
        holds=".csv or .xlsx table",
        expected=_EXPECTED,
        loader="load_nace",
    )
    return _from_files(files, Path(path).expanduser())


def _release_files(folder: Path) -> list[Path]:
    """Tables directly in ``folder``, else in its newest (last by name) sub-folder."""
    if not folder.is_dir():
        return []

    def tables(d: Path) -> list[Path]:
        return sorted(
            p
            for p in d.iterdir()
            if p.is_file() and p.suffix.lower() in _TABLE_SUFFIXES and not p.name.startswith(".")
        )

    found = tables(folder)
    if found:
        return found
    for sub in sorted((d for d in folder.iterdir() if d.is_dir()), reverse=True):
        found = tables(sub)
        if found:
            return found
    return []


# -- built-in -----------------------------------------------------------------
def _builtin() -> Framework:
    data = read_builtin("nace.yaml")
    rows: list[dict[str, object]] = []
    for comp in data["competencies"]:
        code = slug(comp["label"])
        rows.append(_competency_row(code, comp["label"], comp["description"]))
        for i, text in enumerate(comp["behaviours"], start=1):
            rows.append(_behaviour_row(code, i, text))
    return Framework(builtin_info("nace", data["framework"]), pd.DataFrame(rows))


def _competency_row(code: str, label: str, description: str) -> dict[str, object]:
    return competency_row("nace", code, code, label, description, "competency", None, 1, NACE_URL)


def _behaviour_row(parent: str, index: int, text: str) -> dict[str, object]:
    code = f"{parent}.b{index}"
    return competency_row("nace", code, code, text, "", "behaviour", f"nace:{parent}", 2, NACE_URL)


# -- import -------------------------------------------------------------------
def _pick(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    return next((c for c in candidates if c in columns), None)


def _from_files(files: list[Path], source: Path) -> Framework:
    comp_tables: list[pd.DataFrame] = []
    beh_tables: list[pd.DataFrame] = []
    for f in files:
        df = read_table(f, what=f"a NACE file: {_EXPECTED}")
        cols = list(df.columns)
        name_col = _pick(cols, _NAME_COLUMNS)
        id_col = _pick(cols, _ID_COLUMNS)
        beh_col = _pick(cols, _BEHAVIOUR_COLUMNS)
        def_col = _pick(cols, _DEFINITION_COLUMNS)
        if beh_col and (name_col or id_col):
            idx_col = _pick(cols, _INDEX_COLUMNS)
            beh_tables.append(
                pd.DataFrame(
                    {
                        "name": df[name_col] if name_col else "",
                        "source_id": df[id_col] if id_col else "",
                        "behaviour": df[beh_col],
                        "index": df[idx_col] if idx_col else "",
                        "file": str(f),
                    }
                )
            )
        elif name_col and def_col:
            comp_tables.append(
                pd.DataFrame(
                    {
                        "name": df[name_col],
                        "source_id": df[id_col] if id_col else "",
                        "definition": df[def_col],
                        "file": str(f),
                    }
                )
            )
        else:
            raise FrameworkFormatError(
                f"NACE file '{f}' has columns {cols or '(none)'}; expected {_EXPECTED}. "
                "Rename the header cells, or check that the file is comma, semicolon or tab "
                "separated."
            )
    if comp_tables:
        comps = pd.concat(comp_tables, ignore_index=True)
    else:
        warn(
            f"the NACE files in '{source}' hold sample behaviours but no competency "
            "definitions; the competencies were created from the names in the behaviours "
            "table, with empty descriptions.",
            AlignDataWarning,
        )
        named = pd.concat(beh_tables, ignore_index=True)
        comps = named.drop_duplicates("name")[["name", "source_id", "file"]].assign(definition="")
    rows, by_source_id, by_name = _competency_rows(comps, source)
    if beh_tables:
        rows.extend(
            _behaviour_rows(pd.concat(beh_tables, ignore_index=True), by_source_id, by_name)
        )
    # The release year is in the file or folder name (NACE's 2021 files; nace/2021/ after import).
    labels = [n for f in files for n in (f.parent.name, f.name)]
    years = sorted({m for n in labels for m in re.findall(r"(?<!\d)(20\d\d)(?!\d)", n)})
    info = FrameworkInfo(
        key="nace",
        name="NACE Career Readiness Competencies",
        publisher="National Association of Colleges and Employers (NACE)",
        version=years[-1] if years else "imported",
        source_url=NACE_URL,
        licence=(
            "© National Association of Colleges and Employers; not openly licensed. Free "
            "for use by schools and employers with attribution; ask NACE before "
            "redistributing the text."
        ),
        attribution=(
            "NACE Career Readiness Competencies, © National Association of Colleges and "
            f"Employers, {NACE_URL}. Text from the imported file(s)."
        ),
        source_path=str(source),
    )
    return Framework(info, pd.DataFrame(rows))


def _competency_rows(
    comps: pd.DataFrame, source: Path
) -> tuple[list[dict[str, object]], dict[str, str], dict[str, str]]:
    rows: list[dict[str, object]] = []
    by_source_id: dict[str, str] = {}
    by_name: dict[str, str] = {}
    records: list[dict[Any, Any]] = comps.to_dict("records")
    for rec in records:
        code = slug(rec["name"])
        if not code:
            warn(
                f"NACE file '{rec['file']}' has a competency row with no name; it was skipped.",
                AlignDataWarning,
            )
            continue
        if code in by_name.values():
            warn(
                f"NACE file '{rec['file']}' lists competency {rec['name']!r} more than once; "
                "kept the first definition.",
                AlignDataWarning,
            )
            continue
        by_name[code] = code
        if rec["source_id"]:
            by_source_id[rec["source_id"]] = code
        rows.append(_competency_row(code, rec["name"], rec["definition"]))
    if not rows:
        raise FrameworkFormatError(
            f"the NACE competencies table in '{source}' has no rows with a "
            f"competency name; expected {_EXPECTED}."
        )
    return rows, by_source_id, by_name


def _behaviour_rows(
    behs: pd.DataFrame, by_source_id: dict[str, str], by_name: dict[str, str]
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    unknown: set[str] = set()
    behs = behs[behs["behaviour"] != ""].copy()
    behs["parent"] = [
        by_name.get(slug(n)) or by_source_id.get(s)
        for n, s in zip(behs["name"], behs["source_id"], strict=True)
    ]
    for parent, group in behs.groupby("parent", sort=False, dropna=False):
        if not isinstance(parent, str):
            unknown.update((n or s) for n, s in zip(group["name"], group["source_id"], strict=True))
            continue
        order = pd.to_numeric(group["index"], errors="coerce")
        if order.notna().all() and order.is_unique:
            group = group.assign(order=order).sort_values("order")
        for i, text in enumerate(group["behaviour"], start=1):
            rows.append(_behaviour_row(parent, i, text))
    if unknown:
        warn(
            f"NACE sample behaviours name competencies missing from the competencies table "
            f"({sorted(unknown)}); those behaviours were skipped. Check the spelling of the "
            "competency names in both tables.",
            AlignDataWarning,
        )
    return rows
