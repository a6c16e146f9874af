"""Load any competency list kept as a CSV or Excel sheet, given a column mapping.

Offices keep competency models in spreadsheets with their own column names.
:func:`load_tabular` maps those columns onto the :class:`~align.Framework`
model. Files are read by :mod:`align.frameworks._tables`, so encodings,
delimiters and bad files are handled as in every other loader.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from align._config import PathLike
from align._warnings import warn
from align.exceptions import (
    AlignDataWarning,
    FrameworkFormatError,
    FrameworkNotFoundError,
    InvalidArgumentError,
)
from align.frameworks._model import KINDS, Framework, FrameworkInfo
from align.frameworks._tables import (
    DELIMITERS,
    EXCEL_SUFFIXES,
    TableSource,
    read_csv,
    read_excel,
    relay_warnings,
)

__all__ = ["MAPPING_FIELDS", "load_tabular"]

logger = logging.getLogger(__name__)


#: Fields a column mapping may name, and what each one holds.
MAPPING_FIELDS: dict[str, str] = {
    "id": "the competency's own code or id (also accepted as 'code')",
    "code": "same as 'id'",
    "label": "the competency name (required)",
    "description": "its definition or description",
    "kind": f"its kind, one of {sorted(KINDS)}",
    "parent": "the id/code (or label) of its broader competency",
    "level": "its tier or depth (1 = top)",
    "alt_labels": "alternative names, separated by list_sep or new lines",
    "url": "a resolvable URL of the competency",
}


def _read_any(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """Read a CSV/TSV/XLSX file into a table of strings."""
    if not path.exists():
        raise FrameworkNotFoundError(
            f"file {str(path)!r} does not exist; check the path (relative paths start from "
            f"{os.getcwd()!r})."
        )
    if path.is_dir():
        raise FrameworkFormatError(
            f"{str(path)!r} is a folder; load_tabular needs one .csv or .xlsx file."
        )
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_excel(path, sheet, what="a table of competencies")
    if sheet is not None:
        raise InvalidArgumentError(
            f"sheet={sheet!r} was given but {str(path)!r} is not an Excel workbook; drop "
            "sheet= for CSV files."
        )
    return read_csv(
        TableSource(path), delimiter=None, allow_cp1252=True, what="a table of competencies"
    )


def _split_list(value: str, sep: str) -> list[str]:
    parts = re.split("\n|" + re.escape(sep), value) if sep else value.split("\n")
    out: list[str] = []
    for p in parts:
        p = p.strip()
        if p and p not in out:
            out.append(p)
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def load_tabular(
    path: PathLike,
    mapping: Mapping[str, str],
    *,
    key: str,
    name: str,
    version: str = "",
    publisher: str = "",
    licence: str = "",
    attribution: str = "",
    source_url: str = "",
    default_kind: str = "competency",
    sheet: str | int | None = None,
    list_sep: str = ";",
) -> Framework:
    """Load a competency list from any CSV or Excel file, given a column mapping.

    Parameters
    ----------
    path : str or path
        A ``.csv``/``.tsv``/``.txt`` file (comma, semicolon, tab or pipe
        separated; UTF-8, UTF-8 with BOM, UTF-16 with BOM, or Windows-1252
        with a warning) or an Excel workbook (``.xlsx``, ``.xlsm``, ``.xls``,
        ``.ods``).
    mapping : mapping of str to str
        Our field name -> the file's column name. Fields: see
        :data:`MAPPING_FIELDS` (``label`` is required; ``id`` or ``code``,
        ``description``, ``kind``, ``parent``, ``level``, ``alt_labels``,
        ``url`` are optional). Column names match exactly, then ignoring case
        and surrounding spaces.
    key : str
        Short framework key used in ids (``<key>:<id>``); letters, digits,
        ``-`` and ``_``.
    name : str
        Human-readable framework name.
    version, publisher, licence, attribution, source_url : str
        Provenance shown wherever the framework is shown.
    default_kind : str
        Kind of rows with no (or an unknown) kind, one of
        :data:`~align.frameworks.KINDS`.
    sheet : str or int, optional
        Excel sheet name or 0-based number (default: the first sheet).
    list_sep : str
        Separator between alternative labels in one cell (new lines always
        separate).

    Returns
    -------
    Framework
        Competencies only. Without an id column, codes are made from the
        labels (``teamwork``, ``teamwork-2``). ``level`` is taken from the
        file, else computed from the parent chain (1 = top).

    Raises
    ------
    FrameworkNotFoundError
        The file does not exist.
    FrameworkFormatError
        The file is empty, truncated, binary or not decodable, or a mapped
        column is missing (the message lists the columns found).
    InvalidArgumentError
        The mapping, key or default kind is not valid.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from align.frameworks.tabular import load_tabular
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "model.csv"
    >>> _ = f.write_text("Code;Name;Group\\nC1;Teamwork;\\nC2;Listening;C1\\n", "utf-8")
    >>> fw = load_tabular(f, {"id": "Code", "label": "Name", "parent": "Group"},
    ...                   key="demo", name="Demo model")
    >>> print(fw.competencies[["id", "label", "parent_id", "level"]].to_string(index=False))
         id     label parent_id  level
    demo:C1  Teamwork      None      1
    demo:C2 Listening   demo:C1      2
    """
    with relay_warnings():
        return _load_tabular(
            Path(path).expanduser(),
            mapping,
            FrameworkInfo(
                key=key,
                name=name,
                publisher=publisher,
                version=version,
                source_url=source_url,
                licence=licence,
                attribution=attribution,
                source_path=str(Path(path).expanduser().resolve()),
            ),
            default_kind,
            sheet,
            list_sep,
        )


def _load_tabular(
    file: Path,
    mapping: Mapping[str, str],
    info: FrameworkInfo,
    default_kind: str,
    sheet: str | int | None,
    list_sep: str,
) -> Framework:
    key = info.key
    _check_arguments(mapping, key, default_kind)
    df = _read_any(file, sheet)
    columns = _resolve_mapping(df, mapping, file)
    if df.empty:
        raise FrameworkFormatError(
            f"{str(file)!r} has a header row but no data rows; expected one row per competency."
        )

    def col(field: str) -> pd.Series:
        c = columns.get(field)
        return df[c].astype(str).str.strip() if c else pd.Series([""] * len(df), index=df.index)

    labels = col("label")
    blank = labels == ""
    if blank.any():
        warn(
            f"{str(file)!r}: {int(blank.sum())} row(s) have an empty label "
            f"(column {columns['label']!r}) and were skipped.",
            AlignDataWarning,
        )
    keep = ~blank
    if not keep.any():
        raise FrameworkFormatError(
            f"{str(file)!r}: every row has an empty label in column {columns['label']!r}; "
            "check that the mapping points at the column holding the competency names."
        )
    data = pd.DataFrame(
        {f: col(f)[keep] for f in ("description", "kind", "parent", "level", "alt_labels", "url")}
    )
    data["label"] = labels[keep]
    data["code"] = _codes(col("id")[keep] if "id" in columns else None, data["label"], file)
    data["id"] = key + ":" + data["code"]
    data["kind"] = _kinds(data["kind"], default_kind, file, columns.get("kind"))
    data["parent_id"] = _parents(data, key, file, columns.get("parent"))
    data["level"] = _levels(data, file, columns.get("level"))
    data["alt_labels"] = data["alt_labels"].map(lambda v: _split_list(v, list_sep))
    data["framework"] = key
    return Framework(info, data.drop(columns=["parent"]))


def _check_arguments(mapping: Mapping[str, str], key: str, default_kind: str) -> None:
    unknown = sorted(set(mapping) - set(MAPPING_FIELDS))
    if unknown:
        raise InvalidArgumentError(
            f"mapping has unknown field(s) {unknown}; map some of {sorted(MAPPING_FIELDS)} "
            "to your file's column names, e.g. {'label': 'Competency', 'id': 'Code'}."
        )
    if "label" not in mapping:
        raise InvalidArgumentError(
            f"mapping={dict(mapping)!r} has no 'label'; say which column holds the competency "
            "names, e.g. {'label': 'Competency'}."
        )
    if "id" in mapping and "code" in mapping and mapping["id"] != mapping["code"]:
        raise InvalidArgumentError(
            "mapping names both 'id' and 'code' with different columns; give only one of them."
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]+", key or ""):
        raise InvalidArgumentError(
            f"key={key!r} is not a valid framework key; use letters, digits, '-' or '_' "
            "(it prefixes every id, e.g. 'mymodel:C1')."
        )
    if default_kind not in KINDS:
        raise InvalidArgumentError(
            f"default_kind={default_kind!r} is not a competency kind; use one of {sorted(KINDS)}."
        )


def _resolve_mapping(df: pd.DataFrame, mapping: Mapping[str, str], file: Path) -> dict[str, str]:
    """Return field -> actual column, matching exactly, then case- and space-insensitively."""
    by_fold = {str(c).strip().casefold(): c for c in df.columns}
    out: dict[str, str] = {}
    missing: list[str] = []
    for field, column in mapping.items():
        target = "id" if field == "code" else field
        if column in df.columns:
            out[target] = column
        elif str(column).strip().casefold() in by_fold:
            out[target] = by_fold[str(column).strip().casefold()]
        else:
            missing.append(f"{field}={column!r}")
    if missing:
        found = [str(c) for c in df.columns]
        hint = ""
        if len(found) == 1:
            for d, word in DELIMITERS.items():
                if d in found[0]:
                    hint = (
                        f" The only column found contains a {word}: the file may use another "
                        "separator or a broken quote; save it again as CSV UTF-8."
                    )
                    break
        raise FrameworkFormatError(
            f"{str(file)!r} has no column for {', '.join(missing)}; the columns found are "
            f"{found}. Fix the mapping to use those names.{hint}"
        )
    return out


def _codes(ids: pd.Series | None, labels: pd.Series, file: Path) -> pd.Series:
    if ids is None:
        codes = labels.map(_slug)
    else:
        codes = ids.copy()
        empty = codes == ""
        if empty.any():
            warn(
                f"{str(file)!r}: {int(empty.sum())} row(s) have an empty id; codes were made "
                "from their labels.",
                AlignDataWarning,
            )
            codes[empty] = labels[empty].map(_slug)
    seen: dict[str, int] = {}
    out = []
    dups = 0
    for c in codes:
        n = seen.get(c, 0) + 1
        seen[c] = n
        if n > 1:
            dups += 1
        out.append(c if n == 1 else f"{c}-{n}")
    if dups and ids is not None:
        warn(
            f"{str(file)!r}: {dups} row(s) repeat an id already used; they were given the "
            "suffixes -2, -3, ... so every competency stays distinct.",
            AlignDataWarning,
        )
    return pd.Series(out, index=labels.index)


def _kinds(values: pd.Series, default: str, file: Path, column: str | None) -> pd.Series:
    norm = values.str.lower().str.strip().str.replace(r"[\s/-]+", "_", regex=True)
    norm = norm.replace({"knowledge_area": "knowledge", "behavior": "behaviour"})
    unknown = sorted(set(norm[(norm != "") & ~norm.isin(list(KINDS))]))
    if unknown:
        warn(
            f"{str(file)!r}: column {column!r} has kind(s) {unknown[:10]} that are not "
            f"competency kinds ({sorted(KINDS)}); those rows were given kind {default!r}.",
            AlignDataWarning,
        )
    return norm.where(norm.isin(list(KINDS)), default)


def _parents(data: pd.DataFrame, key: str, file: Path, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series([None] * len(data), index=data.index, dtype=object)
    by_code = dict(zip(data["code"], data["id"], strict=True))
    by_label: dict[str, str] = {}
    for lab, i in zip(data["label"].str.casefold(), data["id"], strict=True):
        by_label.setdefault(lab, i)
    out: list[str | None] = []
    unknown: list[str] = []
    for own, parent in zip(data["id"], data["parent"], strict=True):
        hit = by_code.get(parent) or by_label.get(parent.casefold()) if parent else None
        if parent and (hit is None or hit == own):
            unknown.append(parent)
            hit = None
        out.append(hit)
    if unknown:
        warn(
            f"{str(file)!r}: {len(unknown)} parent value(s) in column {column!r} match no id "
            f"or label in the file (e.g. {unknown[0]!r}); those rows were kept as top-level.",
            AlignDataWarning,
        )
    return pd.Series(out, index=data.index, dtype=object)


def _levels(data: pd.DataFrame, file: Path, column: str | None) -> pd.Series:
    if column is not None:
        nums = pd.to_numeric(data["level"].replace("", None), errors="coerce")
        bad = (data["level"] != "") & nums.isna()
        if bad.any():
            warn(
                f"{str(file)!r}: {int(bad.sum())} value(s) in column {column!r} are not numbers "
                f"(e.g. {data['level'][bad].iloc[0]!r}); their level was left empty.",
                AlignDataWarning,
            )
        return nums
    return _depths(data["id"], data["parent_id"])


def _depths(ids: Sequence[str] | pd.Series, parents: Sequence[str | None] | pd.Series) -> pd.Series:
    """Depth of each node in its parent chain (1 = top).

    A parent missing from ``ids`` counts as no parent. A cycle (bad data) is cut
    at one of its nodes, which gets depth 1, so the walk always ends.
    """
    parent_of = dict(zip(ids, parents, strict=True))
    depth: dict[str, int] = {}
    for node in parent_of:
        chain: list[str] = []
        seen: set[str] = set()
        cur: str | None = node
        while cur is not None and cur not in depth and cur not in seen:
            seen.add(cur)
            chain.append(cur)
            nxt = parent_of.get(cur)
            cur = nxt if nxt in parent_of else None
        base = depth.get(cur, 0) if cur is not None else 0
        for i, n in enumerate(reversed(chain), start=1):
            depth[n] = base + i
    index = ids.index if isinstance(ids, pd.Series) else None
    return pd.Series([depth[i] for i in ids], index=index, dtype="int64")
