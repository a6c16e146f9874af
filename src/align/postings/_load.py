"""Read job-posting exports in chunks and normalise them to one shape.

Every reader yields pandas chunks of a bounded size (never a whole file), so a
million-row export is read with memory that does not grow with the file.
:func:`normalise_chunk` then maps source columns to the canonical fields
(:data:`FIELDS`) through a preset (:data:`PRESETS`) and an optional user
mapping, parses list columns whatever way they arrived, checks each row and
splits the chunk into postings, their skills, and rejected rows.
"""

from __future__ import annotations

import ast
import csv
import gzip
import io
import json
import logging
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from align._config import PathLike
from align._safeio import check_encoding, check_regular_file
from align._warnings import warn
from align.exceptions import (
    AlignDataWarning,
    InvalidArgumentError,
    PostingsFormatError,
    UnknownNameError,
)

__all__ = [
    "FIELDS",
    "FORMATS",
    "LIST_FIELDS",
    "POSTING_COLUMNS",
    "PRESETS",
    "SKILL_COLUMNS",
    "Chunk",
    "ColumnPlan",
    "detect_format",
    "extend_plan",
    "iter_chunks",
    "normalise_chunk",
    "parse_list_cell",
    "parse_mapping",
    "plan_columns",
]

logger = logging.getLogger(__name__)

Preset = Literal["lightcast", "glassdoor", "linkedin"]
FileFormat = Literal["csv", "parquet", "jsonl", "xlsx"]

#: Canonical posting fields a source column can be mapped to (``--map COL=FIELD``).
FIELDS: dict[str, str] = {
    "id": "posting id, unique within the source (Lightcast ``ID``) — required",
    "posted": "date first posted, ISO (``POSTED``)",
    "expired": "date expired, ISO (``EXPIRED``)",
    "title_raw": "title as posted (``TITLE_RAW``)",
    "title": "standardized title name (``TITLE_NAME``)",
    "body": "full posting text (``BODY``)",
    "company": "employer name (``COMPANY_NAME``)",
    "onet": "O*NET-SOC code such as 15-2051.00 (``ONET``)",
    "onet_name": "O*NET occupation title (``ONET_NAME``)",
    "soc_5": "SOC 2021 detailed code such as 15-2051 (``SOC_2021_5``)",
    "state": "state code, abbreviation or name (``STATE``)",
    "state_name": "state name (``STATE_NAME``)",
    "msa": "metropolitan statistical area code (``MSA``)",
    "msa_name": "MSA name (``MSA_NAME``)",
    "county": "county FIPS code (``COUNTY``)",
    "county_name": "county name (``COUNTY_NAME``)",
    "city": "city name (``CITY_NAME``)",
    "location": "free-text location such as 'Austin, TX' (state and city are parsed from it)",
    "sources": "where the posting came from (``SOURCES``)",
    "url": "posting URL (``URL``)",
    "salary_from": "lower salary bound (``SALARY_FROM``)",
    "salary_to": "upper salary bound (``SALARY_TO``)",
    "skills": "Lightcast skill ids, a list (``SKILLS``)",
    "skills_name": "skill names, a list aligned with ``skills`` (``SKILLS_NAME``)",
    "specialized_skills": "specialized skill ids (``SPECIALIZED_SKILLS``)",
    "specialized_skills_name": "specialized skill names",
    "common_skills": "common skill ids (``COMMON_SKILLS``)",
    "common_skills_name": "common skill names",
    "software_skills": "software skill ids (``SOFTWARE_SKILLS``)",
    "software_skills_name": "software skill names",
    "certifications": "certification ids (``CERTIFICATIONS``)",
    "certifications_name": "certification names",
}

#: List fields, in the order a skill's type is decided (most specific first),
#: with the skill type stored for each.
LIST_FIELDS: dict[str, str] = {
    "specialized_skills": "specialized",
    "software_skills": "software",
    "certifications": "certification",
    "common_skills": "common",
    "skills": "skill",
}

#: Columns of the ``postings`` table, in order.
POSTING_COLUMNS: tuple[str, ...] = (
    "posting_id",
    "posted",
    "expired",
    "title_raw",
    "title",
    "body",
    "company",
    "onet",
    "onet_name",
    "soc_5",
    "state",
    "state_name",
    "msa",
    "msa_name",
    "county",
    "county_name",
    "city",
    "location",
    "sources",
    "url",
    "salary_from",
    "salary_to",
)
#: Columns of the skills a chunk yields (``posting_skills`` adds ``source``...).
SKILL_COLUMNS: tuple[str, ...] = ("posting_id", "skill_id", "skill_name", "skill_type")

_TEXT_FIELDS = [
    f
    for f in POSTING_COLUMNS
    if f not in {"posting_id", "posted", "expired", "salary_from", "salary_to"}
]
#: Longest text kept in one cell; longer cells are cut (with a warning), so a
#: corrupt export with a runaway field cannot blow up the database.
MAX_BODY_CHARS = 200_000
MAX_CELL_CHARS = 5_000
MAX_LIST_ITEMS = 1_000


@dataclass(frozen=True)
class _PresetSpec:
    description: str
    candidates: Mapping[str, tuple[str, ...]]  # field -> source columns (lower case), in order
    id_prefix: str = ""
    constants: Mapping[str, str] = field(default_factory=dict)


def _lightcast_candidates() -> dict[str, tuple[str, ...]]:
    cands: dict[str, tuple[str, ...]] = {f: (f,) for f in FIELDS}
    cands.update(
        {
            "title": ("title_name", "title_clean"),
            "title_raw": ("title_raw", "title_clean"),
            "company": ("company_name", "company_raw"),
            "onet": ("onet", "onet_2019"),
            "onet_name": ("onet_name", "onet_2019_name"),
            "soc_5": ("soc_2021_5", "soc_5"),
            "city": ("city_name", "city"),
        }
    )
    return cands


#: Column-mapping presets: ``lightcast`` (an export as described in the
#: Lightcast schema notes, upper- or lower-case headers), ``glassdoor`` (the
#: Kaggle "Data Science Job Posting on Glassdoor" file) and ``linkedin`` (the
#: Kaggle "LinkedIn Job Postings 2023" ``job_postings.csv``).
PRESETS: dict[str, _PresetSpec] = {
    "lightcast": _PresetSpec(
        "Lightcast job-postings export (ID, POSTED, TITLE_RAW, BODY, ONET, SKILLS...)",
        _lightcast_candidates(),
    ),
    "glassdoor": _PresetSpec(
        "Glassdoor data-science postings (index, Job Title, Job Description, Location...)",
        {
            "id": ("index",),
            "title_raw": ("job title",),
            "body": ("job description",),
            "company": ("company name",),
            "location": ("location",),
        },
        id_prefix="glassdoor:",
        constants={"sources": "glassdoor"},
    ),
    "linkedin": _PresetSpec(
        "LinkedIn 2023 postings (job_id, title, location, ...); job functions from "
        "job_skills.csv(.gz) and skills.csv(.gz) beside the file",
        {
            "id": ("job_id",),
            "title_raw": ("title",),
            "company": ("company_name", "company_id"),
            "location": ("location",),
            "posted": ("original_listed_time", "listed_time"),
            "body": ("description",),
            "url": ("job_posting_url",),
        },
        id_prefix="linkedin:",
        constants={"sources": "linkedin"},
    ),
}

#: File formats the readers understand, by suffix.
FORMATS: dict[str, tuple[str, ...]] = {
    "csv": (".csv", ".csv.gz", ".tsv", ".txt"),
    "parquet": (".parquet", ".pq"),
    "jsonl": (".jsonl", ".jsonl.gz", ".ndjson"),
    "xlsx": (".xlsx", ".xlsm"),
}

_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico",
}  # fmt: skip
_STATE_BY_NAME = {v.lower(): k for k, v in _STATES.items()}
# Census FIPS state codes, as Lightcast exports them in STATE.
_FIPS = dict(zip(
    ["01", "02", "04", "05", "06", "08", "09", "10", "11", "12", "13", "15", "16", "17", "18",
     "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33",
     "34", "35", "36", "37", "38", "39", "40", "41", "42", "44", "45", "46", "47", "48", "49",
     "50", "51", "53", "54", "55", "56", "72"],
    ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
     "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
     "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
     "VT", "VA", "WA", "WV", "WI", "WY", "PR"],
    strict=True,
))  # fmt: skip


def state_abbr(value: Any) -> str | None:
    """Return the two-letter abbreviation of a state given as abbreviation, name or FIPS code.

    Examples
    --------
    >>> state_abbr("Texas"), state_abbr("tx"), state_abbr(48), state_abbr("Atlantis")
    ('TX', 'TX', 'TX', None)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    if text.upper() in _STATES:
        return text.upper()
    if text.isdigit():
        return _FIPS.get(text.zfill(2))
    return _STATE_BY_NAME.get(text.lower())


def _split_location(loc: str | None) -> tuple[str | None, str | None]:
    """'Austin, TX' -> ('Austin', 'TX'); 'Texas, United States' -> (None, 'TX')."""
    if not loc:
        return None, None
    parts = [p.strip() for p in str(loc).split(",") if p.strip()]
    if parts and parts[-1].lower() in {"united states", "usa", "us"}:
        parts = parts[:-1]
    if not parts:
        return None, None
    st = state_abbr(parts[-1])
    if st is None:
        return None, None
    city = parts[-2] if len(parts) >= 2 else None
    return city, st


# ---------------------------------------------------------------- list cells
_DELIMS = re.compile(r"\s*[;|\n]\s*")


def parse_list_cell(value: Any) -> list[str]:
    """Parse one list cell however the export wrote it.

    JSON array strings, Python-literal list strings (parsed with
    :func:`ast.literal_eval`, which never runs code), native lists or arrays,
    ``;``/``|``/newline-delimited strings, and blank or ``[]`` for none. An item
    may be a skill object with a ``name`` (``{"id": "KS1", "name": "SQL"}``).

    Raises
    ------
    ValueError
        When the cell starts like a list or a mapping but cannot be read as a
        list of names: unparseable, nested deeper than a list of skill objects,
        or a mapping (or an item) that has no ``name``.

    Examples
    --------
    >>> parse_list_cell('["Python", "SQL"]'), parse_list_cell("['Python', 'SQL']")
    (['Python', 'SQL'], ['Python', 'SQL'])
    >>> parse_list_cell("Python; SQL"), parse_list_cell(""), parse_list_cell("[]")
    (['Python', 'SQL'], [], [])
    >>> parse_list_cell('[{"id": "KS1", "name": "SQL"}]')
    ['SQL']
    >>> parse_list_cell("{'a': 1}")
    Traceback (most recent call last):
    ...
    ValueError: a mapping ("{'a': 1}") where a list of skill names was expected
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple, np.ndarray)):
        return _list_items(value)
    if isinstance(value, dict):
        return _list_items([value])
    if isinstance(value, float):
        if np.isnan(value):
            return []
        raise ValueError(f"a number ({value!r}) where a list was expected")
    text = str(value).strip()
    if not text:
        return []
    if text[0] in "[{":
        items = _literal(text)
        if isinstance(items, dict):
            if isinstance(items.get("name"), str):
                return _list_items([items])
            raise ValueError(f"a mapping ({text[:60]!r}) where a list of skill names was expected")
        if not isinstance(items, (list, tuple)):
            raise ValueError(f"not a list: {text[:60]!r}")
        return _list_items(items)
    return [p for p in _DELIMS.split(text) if p]


# A list cell is a list of names or of skill objects: anything nested deeper than
# this is not a skill list, and deep nesting would exhaust Python's parsers.
_MAX_CELL_NESTING = 8


def _nesting(text: str) -> int:
    """How deep the brackets of ``text`` nest, brackets inside quoted names not counted.

    A text whose last quote never closes is counted bracket by bracket, so an
    unterminated quote cannot hide deep nesting from the check.

    Examples
    --------
    >>> _nesting('[["a"], "[{"]'), _nesting("[['a]]]]"), _nesting("['")
    (2, 2, 1)
    """
    depth = running = 0
    quote, escaped = "", False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            running += 1
            depth = max(depth, running)
        elif ch in "]})":
            running -= 1
    if quote:  # every opening bracket may nest: an upper bound
        return sum(text.count(c) for c in "[{(")
    return depth


def _literal(text: str) -> Any:
    """A list or mapping written as JSON or as a Python literal (never code)."""
    if _nesting(text) > _MAX_CELL_NESTING:
        raise ValueError(
            f"nested more than {_MAX_CELL_NESTING} levels deep ({text[:30]!r}...); "
            "a skills cell is a list of names"
        )
    try:
        return json.loads(text)
    except ValueError:
        try:
            # literal_eval only builds literals; it cannot call or import anything.
            return ast.literal_eval(text)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
            raise ValueError(f"unparseable list {text[:60]!r}") from exc


def _list_items(items: Any) -> list[str]:
    """Names of a parsed list's items; a skill object gives its ``name``."""
    out = []
    for v in items:
        if v is None:
            continue
        if isinstance(v, dict):
            name = v.get("name")
            if not isinstance(name, str):
                raise ValueError(
                    f"an item {_short_repr(v)} has no 'name'; a skills list holds names "
                    'or skill objects such as {"id": "KS1", "name": "SQL"}'
                )
            v = name
        elif isinstance(v, (list, tuple, set, np.ndarray)):
            raise ValueError(f"an item {_short_repr(v)} is itself a list; expected names")
        text = _cell_str(v)
        if text:
            out.append(text)
    return out


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _cell_str(value: Any) -> str:
    """Text of one value; objects and lists (JSON Lines) stay JSON, never Python reprs."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return value["name"].strip()  # skill objects such as {"id": ..., "name": "SQL"}
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value).strip()


def _dedupe_columns(names: list[str], path: Path) -> list[str]:
    """Rename repeated column names (``ID``, ``ID`` -> ``ID``, ``ID_2``), with a warning.

    Names are compared case-insensitively, as presets match them.
    """
    seen: dict[str, int] = {}
    out: list[str] = []
    renamed: list[str] = []
    for name in names:
        base = str(name)
        key = base.strip().lower()
        if key in seen:
            seen[key] += 1
            new = f"{base}_{seen[key]}"
            while new.strip().lower() in seen:
                seen[key] += 1
                new = f"{base}_{seen[key]}"
            seen[new.strip().lower()] = 1
            renamed.append(f"{base!r} -> {new!r}")
            out.append(new)
        else:
            seen[key] = 1
            out.append(base)
    if renamed:
        warn(
            f"file {str(path)!r}: the header repeats column name(s); the first of each is read "
            f"and the others were renamed ({', '.join(renamed[:5])}). Rename the columns in the "
            "export, or map the one you want with --map COL=FIELD.",
            AlignDataWarning,
        )
    return out


# ---------------------------------------------------------------- formats
def detect_format(path: Path) -> FileFormat:
    """Return the format of ``path`` from its suffix.

    Examples
    --------
    >>> detect_format(Path("export.CSV.gz")), detect_format(Path("x.parquet"))
    ('csv', 'parquet')
    """
    name = path.name.lower()
    for fmt, suffixes in FORMATS.items():
        if any(name.endswith(s) for s in suffixes):
            return fmt  # type: ignore[return-value]
    raise PostingsFormatError(
        f"file {str(path)!r}: cannot tell its format from the name. Expected one of "
        f"{', '.join(s for ss in FORMATS.values() for s in ss)}; rename the file or export it "
        "as CSV, XLSX, Parquet or JSON Lines."
    )


@dataclass
class RawChunk:
    """A chunk as read: source columns as strings/objects, plus parser rejects."""

    frame: pd.DataFrame
    first_row: int  # 1-based data row number of the chunk's first row
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)


def _text_codec(encoding: str) -> str:
    """The codec to read ``encoding`` with: UTF-8 files may start with a byte-order mark.

    Excel's "CSV UTF-8" writes one; read as plain UTF-8 it would become part of the
    first column's name (``\ufeffID``), and the id column would not be found.

    Examples
    --------
    >>> _text_codec("UTF-8"), _text_codec("utf8"), _text_codec("cp1252")
    ('utf-8-sig', 'utf-8-sig', 'cp1252')
    """
    return "utf-8-sig" if encoding.lower().replace("-", "").replace("_", "") == "utf8" else encoding


def _open_text(path: Path, encoding: str) -> io.TextIOBase:
    codec = _text_codec(encoding)
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=codec, newline="")
    return open(path, encoding=codec, newline="")


def _encoding_error(path: Path, encoding: str, detail: str) -> PostingsFormatError:
    return PostingsFormatError(
        f"file {str(path)!r} is not valid {encoding} text ({detail}). Re-save it as UTF-8 "
        "(Excel: Save As > 'CSV UTF-8'), or pass its encoding, e.g. --encoding cp1252 "
        "(encoding='cp1252' in Python)."
    )


_GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


def _damaged(path: Path, exc: BaseException) -> PostingsFormatError:
    return PostingsFormatError(
        f"file {str(path)!r} could not be read as "
        + ("a gzip file" if path.name.lower().endswith(".gz") else "a text file")
        + f" ({exc}); it looks truncated, damaged or mislabelled. Export or download it again"
        + (
            ", or remove '.gz' from the name if it is not compressed."
            if ".gz" in path.name
            else "."
        )
    )


def _count_quotes(path: Path) -> int:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    n = 0
    with opener(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            n += block.count(b'"')
    return n


def _find_unbalanced_quote(path: Path, encoding: str, delimiter: str) -> int | None:
    """Line of the first quote that breaks strict CSV quoting, or None.

    Only run when the file has an odd number of quote characters: an opening quote
    that is never closed makes the parser read the following lines as one text field.
    """
    old = csv.field_size_limit()
    csv.field_size_limit(1 << 30)
    try:
        with _open_text(path, encoding) as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=True)
            row_end = 0
            try:
                for _ in reader:
                    row_end = reader.line_num
            except csv.Error:
                return row_end + 1
    finally:
        csv.field_size_limit(old)
    return None


def _iter_csv(path: Path, chunk_rows: int, encoding: str) -> Iterator[RawChunk]:
    import pyarrow.csv as pacsv

    delimiter = "\t" if path.name.lower().endswith(".tsv") else ","
    try:
        with _open_text(path, encoding) as fh:
            header = next(csv.reader(fh, delimiter=delimiter), None)
        quotes = _count_quotes(path)
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, encoding, str(exc)) from None
    except (*_GZIP_ERRORS, csv.Error) as exc:
        raise _damaged(path, exc) from None
    if not header:
        raise PostingsFormatError(f"file {str(path)!r} is empty: expected a header row.")
    if quotes % 2:
        try:
            line = _find_unbalanced_quote(path, encoding, delimiter)
        except UnicodeDecodeError as exc:
            raise _encoding_error(path, encoding, str(exc)) from None
        if line is not None:
            raise PostingsFormatError(
                f"file {str(path)!r}: a quote near line {line} opens a text field that is not "
                "closed properly, so the lines after it would be read as part of that field "
                "and lost; nothing was loaded. Check that quotes inside quoted text are "
                'doubled ("") and that every quoted field ends with a quote, then re-export.'
            )
    names = _dedupe_columns(header, path)
    rejected: list[tuple[str, str]] = []
    lost = [0]  # physical lines swallowed into rejected rows, beyond the row itself

    def on_bad_row(row: Any) -> str:
        # Rows with the wrong number of fields are skipped and reported, not fatal.
        text = row.text or ""
        extra = text.count("\n")
        lost[0] += extra
        what = (
            f"{row.actual_columns} fields, expected {row.expected_columns}"
            if not extra
            else f"an unbalanced quote joined {extra + 1} lines into one row of "
            f"{row.actual_columns} fields (expected {row.expected_columns}); none was loaded"
        )
        rejected.append(
            (f"line {row.number}" if row.number else "a line", f"{what}: {text[:80]!r}")
        )
        return "skip"

    read_opts = pacsv.ReadOptions(
        # A block must hold the longest row; 64 MB covers any sane posting body.
        block_size=64 << 20,
        encoding=encoding if encoding.lower().replace("-", "") != "utf8" else "utf8",
        column_names=names,
        skip_rows=1,
    )
    parse_opts = pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_bad_row
    )
    conv_opts = pacsv.ConvertOptions(
        column_types={h: pa.string() for h in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    row = 1
    try:
        reader = pacsv.open_csv(
            path, read_options=read_opts, parse_options=parse_opts, convert_options=conv_opts
        )
        for batch in reader:
            df = batch.to_pandas(types_mapper=None)
            for start in range(0, len(df), chunk_rows):
                part = df.iloc[start : start + chunk_rows].reset_index(drop=True)
                yield RawChunk(part, row, _expand(rejected, lost) if start == 0 else [])
                row += len(part)
        if rejected:
            yield RawChunk(pd.DataFrame(columns=names), row, _expand(rejected, lost))
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "UTF8" in msg or "utf-8" in msg.lower() or "utf8" in msg.lower():
            raise _encoding_error(path, encoding, "invalid UTF-8 bytes") from None
        if "straddling" in msg or "block" in msg.lower():
            raise PostingsFormatError(
                f"file {str(path)!r}: a row near data row {row} is larger than 64 MB or has "
                "an unbalanced quote that swallows the rest of the file. Check that quotes "
                'in text fields are doubled ("") and re-export.'
            ) from None
        if "gzip" in msg.lower() or "compress" in msg.lower():
            raise _damaged(path, exc) from None
        raise PostingsFormatError(f"file {str(path)!r}: cannot parse as CSV: {msg}") from None
    except (OSError, *_GZIP_ERRORS) as exc:
        raise _damaged(path, exc) from None


def _expand(rejected: list[tuple[str, str]], lost: list[int]) -> list[tuple[str, str]]:
    """Take the rejected rows so far; lines swallowed by a bad quote count as rows too."""
    out = rejected[:]
    out += [("(same row)", "joined into the row above by an unbalanced quote")] * lost[0]
    rejected.clear()
    lost[0] = 0
    return out


def _check_parquet_schema(path: Path, schema: pa.Schema) -> None:
    bad = []
    for fld in schema:
        t = fld.type
        name = fld.name.lower()
        if name in ("id",) and not (
            pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_integer(t)
        ):
            bad.append(f"{fld.name} is {t} (expected string or integer)")
        elif name in {f for base in LIST_FIELDS for f in (base, base + "_name")}:
            ok = (
                pa.types.is_string(t)
                or pa.types.is_large_string(t)
                or pa.types.is_null(t)
                or (
                    (pa.types.is_list(t) or pa.types.is_large_list(t))
                    and (
                        pa.types.is_string(t.value_type)
                        or pa.types.is_large_string(t.value_type)
                        or pa.types.is_null(t.value_type)
                    )
                )
            )
            if not ok:
                bad.append(f"{fld.name} is {t} (expected a list of strings or a string)")
        elif name in ("posted", "expired") and not (
            pa.types.is_string(t)
            or pa.types.is_large_string(t)
            or pa.types.is_date(t)
            or pa.types.is_timestamp(t)
            or pa.types.is_null(t)
            or pa.types.is_integer(t)  # Unix time, as LinkedIn exports it
            or pa.types.is_floating(t)
        ):
            bad.append(f"{fld.name} is {t} (expected a date, an ISO date string or Unix time)")
    if bad:
        raise PostingsFormatError(
            f"Parquet file {str(path)!r} has the wrong schema: {'; '.join(bad)}. Re-export "
            "it with those columns as text or lists of text, or map other columns with mapping= "
            "(--map on the command line)."
        )


def _iter_parquet(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise PostingsFormatError(
            f"file {str(path)!r} is not a readable Parquet file ({exc}). Check the file is "
            "complete, or export CSV instead."
        ) from None
    _check_parquet_schema(path, pf.schema_arrow)
    row = 1
    names = _dedupe_columns(list(pf.schema_arrow.names), path)
    for batch in pf.iter_batches(batch_size=chunk_rows):
        df = batch.to_pandas()
        df.columns = names
        yield RawChunk(df, row)
        row += len(df)


def _records_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    # object dtype keeps each value as JSON gave it: ids 123 and 123.0 stay distinct, and
    # an int column with a gap does not turn into floats.
    return pd.DataFrame(records, dtype=object) if records else pd.DataFrame()


def _iter_jsonl(path: Path, chunk_rows: int, encoding: str) -> Iterator[RawChunk]:
    row = 1
    try:
        with _open_text(path, encoding) as fh:
            records: list[dict[str, Any]] = []
            rejected: list[tuple[str, str]] = []
            start = 1
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    rejected.append((f"line {lineno}", f"not valid JSON ({exc.msg})"))
                    continue
                except RecursionError:
                    rejected.append((f"line {lineno}", "lists or objects nested too deeply"))
                    continue
                if not isinstance(rec, dict):
                    rejected.append((f"line {lineno}", "not a JSON object"))
                    continue
                records.append(rec)
                if len(records) >= chunk_rows:
                    yield RawChunk(_records_frame(records), start, rejected)
                    start += len(records)
                    records, rejected = [], []
            if records or rejected:
                yield RawChunk(_records_frame(records), start, rejected)
            row = start
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, encoding, str(exc)) from None
    except (OSError, *_GZIP_ERRORS) as exc:
        raise _damaged(path, exc) from None
    logger.debug("read %s rows of %s", row, path)


def _iter_xlsx(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    import zipfile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise PostingsFormatError(
            f"file {str(path)!r} is not a readable .xlsx workbook ({exc}). Open and re-save it "
            "in Excel, or export CSV."
        ) from None
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise PostingsFormatError(f"file {str(path)!r}: the first sheet is empty.")
        names = [str(h) if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
        names = _dedupe_columns(names, path)
        buf: list[tuple[Any, ...]] = []
        start = 1
        for values in rows:
            if all(v is None for v in values):
                continue
            buf.append(values[: len(names)])
            if len(buf) >= chunk_rows:
                yield RawChunk(pd.DataFrame.from_records(buf, columns=names), start)
                start += len(buf)
                buf = []
        if buf:
            yield RawChunk(pd.DataFrame.from_records(buf, columns=names), start)
    finally:
        wb.close()


def iter_chunks(
    path: PathLike,
    *,
    chunk_rows: int = 50_000,
    encoding: str = "utf-8",
    file_format: FileFormat | None = None,
) -> Iterator[RawChunk]:
    """Yield the file's rows in chunks of at most ``chunk_rows``, as read.

    Parameters
    ----------
    path : str or PathLike
        CSV (optionally gzipped), XLSX, Parquet or JSON Lines file.
    chunk_rows : int
        Rows per chunk; memory use is bounded by this, not by the file.
    encoding : str
        Text encoding of CSV/JSONL files.
    file_format : {"csv", "parquet", "jsonl", "xlsx"}, optional
        Override the format guessed from the suffix.
    """
    p = check_regular_file(path, "postings file", error=PostingsFormatError)
    if chunk_rows < 1:
        raise InvalidArgumentError(f"chunk_rows must be at least 1, got {chunk_rows}.")
    check_encoding(encoding, "encoding")
    fmt = file_format or detect_format(p)
    if fmt not in FORMATS:
        raise UnknownNameError(f"file_format {fmt!r} is not one of {sorted(FORMATS)}.")
    if fmt == "csv":
        return _iter_csv(p, chunk_rows, encoding)
    if fmt == "parquet":
        return _iter_parquet(p, chunk_rows)
    if fmt == "jsonl":
        return _iter_jsonl(p, chunk_rows, encoding)
    return _iter_xlsx(p, chunk_rows)


# ---------------------------------------------------------------- mapping
@dataclass(frozen=True)
class ColumnPlan:
    """Which source column feeds each canonical field."""

    sources: dict[str, str]  # field -> source column as named in the file
    preset: str
    id_prefix: str
    constants: dict[str, str]


def parse_mapping(mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Check a ``{source column: field}`` mapping; return ``{field: source column}``."""
    out: dict[str, str] = {}
    for col, fld in (mapping or {}).items():
        fld_l = fld.strip().lower()
        if fld_l not in FIELDS:
            raise UnknownNameError(
                f"mapping {col}={fld}: {fld!r} is not a posting field. Known fields: "
                f"{', '.join(FIELDS)}."
            )
        out[fld_l] = col.strip()
    return out


def extend_plan(
    plan: ColumnPlan,
    columns: list[str],
    *,
    preset: Preset = "lightcast",
    mapping: Mapping[str, str] | None = None,
) -> ColumnPlan:
    """Add fields whose columns first appear in a later chunk (JSON Lines keys can vary).

    Fields already planned keep their column.
    """
    seen = set(plan.sources.values())
    new = [c for c in columns if c not in seen]
    if not new:
        return plan
    try:
        wider = plan_columns([*plan.sources.values(), *new], preset=preset, mapping=mapping)
    except PostingsFormatError:
        return plan
    return ColumnPlan(
        {**wider.sources, **plan.sources}, plan.preset, plan.id_prefix, plan.constants
    )


def plan_columns(
    columns: list[str],
    *,
    preset: Preset = "lightcast",
    mapping: Mapping[str, str] | None = None,
    file: str = "the file",
) -> ColumnPlan:
    """Decide which source column feeds which field, or explain what is missing.

    Parameters
    ----------
    columns : list of str
        Column names as found in the file.
    preset : {"lightcast", "glassdoor", "linkedin"}
        Preset of source column names (matched case-insensitively).
    mapping : dict, optional
        ``{source column: field}``; overrides the preset.
    file : str
        File name used in error messages.

    Examples
    --------
    >>> plan = plan_columns(["ID", "TITLE_RAW", "SKILLS_NAME"])
    >>> plan.sources
    {'id': 'ID', 'title_raw': 'TITLE_RAW', 'skills_name': 'SKILLS_NAME'}
    """
    if preset not in PRESETS:
        raise UnknownNameError(f"preset {preset!r} is not one of {', '.join(PRESETS)}.")
    spec = PRESETS[preset]
    by_lower = {str(c).strip().lower(): str(c) for c in columns}
    user = parse_mapping(mapping)
    sources: dict[str, str] = {}
    for fld in FIELDS:
        if fld in user:
            col = user[fld]
            if col not in columns and col.lower() not in by_lower:
                raise PostingsFormatError(
                    f"{file}: mapping {col}={fld} names column {col!r}, which is not in the "
                    f"file. Columns found: {', '.join(map(str, columns))}."
                )
            sources[fld] = col if col in columns else by_lower[col.lower()]
            continue
        for cand in spec.candidates.get(fld, ()):
            if cand in by_lower and by_lower[cand] not in user.values():
                sources[fld] = by_lower[cand]
                break
    content = {
        "title_raw",
        "title",
        "body",
        "onet",
        "skills",
        "skills_name",
        "specialized_skills",
        "specialized_skills_name",
    }
    missing = []
    if "id" not in sources:
        missing.append("an id column (ID)")
    if not content & set(sources):
        missing.append("at least one of TITLE_RAW, TITLE_NAME, BODY, ONET, SKILLS, SKILLS_NAME")
    if missing:
        found = ", ".join(map(str, columns[:40])) + (" ..." if len(columns) > 40 else "")
        raise PostingsFormatError(
            f"{file} is missing required columns: {' and '.join(missing)}. Columns found: "
            f"{found or '(none)'}. Read with preset {preset!r}; for another source use "
            f"--preset {'|'.join(PRESETS)} or map columns yourself, e.g. --map job_id=id "
            "--map 'Job Title=title_raw' (mapping={'job_id': 'id'} in Python)."
        )
    return ColumnPlan(sources, preset, spec.id_prefix, dict(spec.constants))


# ---------------------------------------------------------------- normalise
@dataclass
class Chunk:
    """One normalised chunk: postings, their skills, and the rows rejected."""

    postings: pd.DataFrame  # POSTING_COLUMNS
    skills: pd.DataFrame  # SKILL_COLUMNS
    rejected: list[tuple[str, str]]
    rows_read: int
    truncated: int


def _isnull(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v))


def _text(series: pd.Series, limit: int) -> tuple[pd.Series, int]:
    out: list[str | None] = []
    cut = 0
    for v in series.tolist():
        if isinstance(v, str):
            text = v.strip()
        elif isinstance(v, (dict, list, tuple, np.ndarray)):
            text = _cell_str(v.tolist() if isinstance(v, np.ndarray) else v)
        elif _isnull(v):
            out.append(None)
            continue
        else:
            text = str(v).strip()
        if len(text) > limit:
            text, cut = text[:limit], cut + 1
        out.append(text or None)
    return pd.Series(out, index=series.index, dtype=object), cut


# Unix times that are dates of job postings (1990-2100), in seconds or milliseconds.
_EPOCH_S = (631_152_000, 4_102_444_800)
_EPOCH_MS = (_EPOCH_S[0] * 1000, _EPOCH_S[1] * 1000)


def _epoch_date(v: Any) -> str | None:
    """ISO date of a Unix time in seconds or milliseconds (LinkedIn's ``listed_time``)."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    if not np.isfinite(x):
        return None
    if _EPOCH_MS[0] <= x < _EPOCH_MS[1]:
        x /= 1000.0
    elif not _EPOCH_S[0] <= x < _EPOCH_S[1]:
        return None
    return datetime.fromtimestamp(x, UTC).date().isoformat()


def _dates(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return (dates, bad mask): ISO strings, dates, timestamps or Unix times (seconds or
    milliseconds, as LinkedIn exports them); blank is not bad.

    Examples
    --------
    >>> d, bad = _dates(pd.Series(["2024-05-01", 1713397508000.0, "1699090000", "", "May 1"]))
    >>> [str(x)[:10] for x in d], bad.tolist()
    (['2024-05-01', '2024-04-17', '2023-11-04', 'NaT', 'NaT'], [False, False, False, False, True])
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        out = (
            pd.to_datetime(series).dt.tz_localize(None)
            if getattr(series.dt, "tz", None)
            else pd.to_datetime(series)
        )
        return out.astype("datetime64[us]"), pd.Series(False, index=series.index)

    def iso(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if hasattr(v, "isoformat"):  # date/datetime from Excel or JSON
            return v.isoformat()[:10]
        text = str(v).strip()
        if not text:
            return None
        if text[:1].isdigit() and "-" not in text:
            return _epoch_date(text) or text[:10]
        return text[:10]

    raw = series.astype(object).map(iso)
    parsed = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    bad = raw.notna() & parsed.isna()
    return parsed.astype("datetime64[us]"), bad


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(
        series.astype(object).map(
            lambda v: (
                None if v is None else str(v).replace(",", "").replace("$", "").strip() or None
            )
        ),
        errors="coerce",
    )


def normalise_chunk(raw: RawChunk, plan: ColumnPlan) -> Chunk:
    """Map a raw chunk to canonical postings and skills; reject malformed rows.

    A row is rejected when its id is blank, a date is not ISO, a list cell
    cannot be parsed, or skill ids and names do not line up.
    """
    df = raw.frame
    n = len(df)
    src = plan.sources
    absent = [c for c in dict.fromkeys(src.values()) if c not in df.columns]
    if absent:
        # JSON Lines rows need not all carry the same keys: a key missing from a whole
        # chunk is a blank column, not an error.
        df = df.assign(**{c: None for c in absent})
    rejected = list(raw.rejected)
    reasons: list[str | None] = [None] * n
    out = pd.DataFrame(index=df.index)
    truncated = 0

    ids, _ = _text(df[src["id"]], MAX_CELL_CHARS)
    clean = ids.tolist()
    if pd.api.types.is_float_dtype(df[src["id"]]):
        # Integer ids in a numeric column with gaps come back as floats (123.0). Only
        # then is ".0" dropped: a text id "123.0" is its own id, not a copy of "123".
        clean = [v[:-2] if v and v.endswith(".0") and v[:-2].isdigit() else v for v in clean]
    out["posting_id"] = pd.Series(
        [None if v is None else plan.id_prefix + v for v in clean], index=df.index, dtype=object
    )
    for i in np.flatnonzero(out["posting_id"].isna().to_numpy()).tolist():
        reasons[i] = "blank id"
    for fld in ("posted", "expired"):
        if fld in src:
            out[fld], bad = _dates(df[src[fld]])
            for i in np.flatnonzero(bad.to_numpy()).tolist():
                reasons[i] = reasons[i] or (
                    f"{src[fld]} {str(df[src[fld]].iloc[i])[:30]!r} is not an ISO date "
                    "(YYYY-MM-DD) or a Unix time"
                )
        else:
            out[fld] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
    for fld in _TEXT_FIELDS:
        if fld in src:
            out[fld], cut = _text(df[src[fld]], MAX_BODY_CHARS if fld == "body" else MAX_CELL_CHARS)
            truncated += cut
        else:
            out[fld] = plan.constants.get(fld)
    if "company" in src:
        # Glassdoor appends the rating on a second line ("Acme\n3.9").
        out["company"] = _pmap(out["company"], lambda v: v.split("\n")[0].strip())

    for fld in ("salary_from", "salary_to"):
        out[fld] = _numbers(df[src[fld]]) if fld in src else np.nan

    # Derived fields: SOC from O*NET, state abbreviation, city/state from free text.
    out["onet"] = _pmap(out["onet"], _clean_onet)
    out["soc_5"] = _coalesce(out["soc_5"], _pmap(out["onet"], lambda v: v[:7]))
    st = _coalesce(_pmap(out["state"], state_abbr), _pmap(out["state_name"], state_abbr))
    if "location" in src:
        parsed = _pmap(out["location"], _split_location)
        st = _coalesce(st, _pmap(parsed, lambda t: t[1]))
        out["city"] = _coalesce(out["city"], _pmap(parsed, lambda t: t[0]))
    out["state"] = st
    out["state_name"] = _coalesce(out["state_name"], _pmap(st, _STATES.get))

    skills = _skills(df, src, out["posting_id"], reasons)

    bad_idx = [i for i, r in enumerate(reasons) if r]
    for i in bad_idx:
        where = f"row {raw.first_row + i}"
        pid = out["posting_id"].iloc[i]
        rejected.append((where + (f" (id {pid})" if pid else ""), str(reasons[i])))
    keep = np.array([r is None for r in reasons], dtype=bool)
    out["_row"] = np.arange(n, dtype=np.int64)
    postings = out.loc[keep, [*POSTING_COLUMNS, "_row"]].reset_index(drop=True)
    if len(skills) and bad_idx:
        bad_ids = set(out["posting_id"].iloc[bad_idx].dropna())
        skills = skills[~skills["posting_id"].isin(bad_ids)]
    return Chunk(postings, skills.reset_index(drop=True), rejected, n, truncated)


def _pmap(series: pd.Series, fn: Any) -> pd.Series:
    """Map non-null values with ``fn``; nulls (None/NaN) stay None."""
    return pd.Series(
        [None if _isnull(v) else fn(v) for v in series.tolist()], index=series.index, dtype=object
    )


def _coalesce(first: pd.Series, second: pd.Series) -> pd.Series:
    return pd.Series(
        [b if _isnull(a) else a for a, b in zip(first.tolist(), second.tolist(), strict=True)],
        index=first.index,
        dtype=object,
    )


def _clean_onet(v: Any) -> str | None:
    if v is None:
        return None
    text = str(v).strip()
    if re.fullmatch(r"\d{2}-\d{4}", text):
        return text + ".00"
    return text if re.fullmatch(r"\d{2}-\d{4}\.\d{2}", text) else None


def _fast_list(value: Any) -> list[str]:
    """:func:`parse_list_cell` with shortcuts for the two common cases (JSON, native)."""
    if type(value) is str and value.startswith('["'):
        try:
            items = json.loads(value)
        except (ValueError, RecursionError):
            return parse_list_cell(value)
        if type(items) is list and all(type(x) is str for x in items):
            return [t for t in (x.strip() for x in items) if t]
        return parse_list_cell(items)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return parse_list_cell(value)


def _skills(
    df: pd.DataFrame, src: dict[str, str], ids: pd.Series, reasons: list[str | None]
) -> pd.DataFrame:
    pids = ids.tolist()
    n = len(pids)
    pid_col: list[Any] = []
    sid_col: list[str] = []
    name_col: list[Any] = []
    type_col: list[str] = []
    row_col: list[int] = []
    # LIST_FIELDS runs from the most specific type, so a skill listed under both
    # SPECIALIZED_SKILLS and SKILLS keeps "specialized".
    seen: dict[int, set[str]] = {}
    for base, stype in LIST_FIELDS.items():
        id_src, name_src = src.get(base), src.get(base + "_name")
        if id_src is None and name_src is None:
            continue
        id_vals = df[id_src].tolist() if id_src else [None] * n
        name_vals = df[name_src].tolist() if name_src else [None] * n
        for i in range(n):
            if reasons[i]:
                continue
            try:
                sids = _fast_list(id_vals[i])
                names = _fast_list(name_vals[i])
            except ValueError as exc:
                reasons[i] = f"{id_src if id_src else name_src}: {exc}"
                continue
            if sids and names and len(sids) != len(names):
                reasons[i] = (
                    f"{id_src} has {len(sids)} ids but {name_src} has {len(names)} "
                    "names; they must line up position by position"
                )
                continue
            k = len(sids) or len(names)
            if not k:
                continue
            if k > MAX_LIST_ITEMS:
                sids, names, k = sids[:MAX_LIST_ITEMS], names[:MAX_LIST_ITEMS], MAX_LIST_ITEMS
            if sids:
                keys = [x if ":" in x else "lightcast:" + x for x in sids]
                labels = names if names else sids
            else:
                keys = [_skill_key(None, x) for x in names]
                labels = names
            done = seen.setdefault(i, set())
            for key, label in zip(keys, labels, strict=True):
                if key in done:
                    continue
                done.add(key)
                pid_col.append(pids[i])
                sid_col.append(key)
                name_col.append(label)
                type_col.append(stype)
                row_col.append(i)
    return pd.DataFrame(
        {
            "posting_id": pid_col,
            "skill_id": sid_col,
            "skill_name": name_col,
            "skill_type": type_col,
            "_row": np.asarray(row_col, dtype=np.int64),
        },
        columns=[*SKILL_COLUMNS, "_row"],
    )


def _skill_key(sid: str | None, name: str | None) -> str:
    """Namespaced skill id: ``lightcast:KS...``; a name-only skill becomes ``name:<lower name>``."""
    if sid:
        return sid if ":" in sid else f"lightcast:{sid}"
    return "name:" + re.sub(r"\s+", " ", str(name).strip().lower())
