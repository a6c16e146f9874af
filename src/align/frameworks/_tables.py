"""Reading the files users download or export: one place for encodings, delimiters and errors.

Every loader reads its text tables and JSON files through this module, so a
file that is empty, binary, truncated, in another encoding or separated by
another delimiter gives the same kind of message whichever framework it
belongs to: the file, what was found, what was expected and the fix, never a
raw pandas traceback.

Encodings: UTF-8 with or without BOM always; UTF-16 with BOM unless the
publisher distributes UTF-8 only (``allow_utf16=False``); Windows-1252, with a
warning, for spreadsheets offices export (``allow_cp1252=True``).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from align._safeio import check_regular_file, parse_json
from align._warnings import collect_warnings, warn
from align.exceptions import (
    AlignDataWarning,
    FrameworkFormatError,
    FrameworkNotFoundError,
    InvalidArgumentError,
)

__all__ = [
    "DELIMITERS",
    "EXCEL_SUFFIXES",
    "TableSource",
    "decode",
    "normalise_columns",
    "read_csv",
    "read_excel",
    "read_json",
    "read_table",
    "relay_warnings",
    "require_columns",
    "sniff_delimiter",
]

#: Delimiters a text table may use, and how messages name them.
DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_BOMS_UTF16 = (b"\xff\xfe", b"\xfe\xff")


@contextmanager
def relay_warnings() -> Iterator[None]:
    """Re-issue align's warnings raised inside the block as if from the caller of the loader.

    Warnings come from deep helpers (and through the cache); users should see the
    line of their own code that loaded the file, or get them back from an outer
    :func:`align._warnings.collect_warnings` (nothing process-wide is touched).
    """
    with collect_warnings() as caught:
        yield
    for w in caught:
        warn(str(w), type(w))


@dataclass(frozen=True)
class TableSource:
    """A file on disk (plain or .gz) or a member of a zip archive."""

    path: Path
    member: str | None = None

    @property
    def name(self) -> str:
        """How messages name it: the file, or ``archive.zip:member``."""
        return f"{self.path}:{self.member}" if self.member else str(self.path)

    def read_bytes(self) -> bytes:
        """Return the raw (decompressed) bytes, or raise an :class:`AlignError`."""
        try:
            if self.member is not None:
                with zipfile.ZipFile(self.path) as zf:
                    return zf.read(self.member)
            # A FIFO or device would block or never end: refuse it before opening.
            if self.path.exists():
                check_regular_file(self.path, "file", error=FrameworkFormatError)
            raw = self.path.read_bytes()
            if self.path.name.lower().endswith(".gz"):
                return gzip.decompress(raw)
            return raw
        except FileNotFoundError as exc:
            raise FrameworkNotFoundError(
                f"file {self.name!r} does not exist; check the path, or download the release again."
            ) from exc
        except IsADirectoryError as exc:
            raise FrameworkFormatError(
                f"{self.name!r} is a folder, but a file was expected here; point at the file."
            ) from exc
        except (zipfile.BadZipFile, gzip.BadGzipFile, EOFError, zlib.error, OSError) as exc:
            raise FrameworkFormatError(
                f"{self.name!r} could not be read as a complete compressed file ({exc}); it "
                "looks truncated or damaged. Download it again."
            ) from exc
        except KeyError as exc:  # the zip's listing names a member it cannot give back
            raise FrameworkFormatError(
                f"{self.name!r} could not be read from its zip ({exc}); the zip looks damaged. "
                "Download it again."
            ) from exc


def decode(raw: bytes, name: str, *, allow_utf16: bool = True, allow_cp1252: bool = False) -> str:
    """Decode ``raw`` as UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252.

    Parameters
    ----------
    raw : bytes
        The file's content.
    name : str
        The file, for messages.
    allow_utf16 : bool
        Accept UTF-16 with a byte-order mark; ``False`` for files the publisher
        distributes as UTF-8 only.
    allow_cp1252 : bool
        Fall back to Windows-1252, with an :class:`AlignDataWarning`, when the
        bytes are not UTF-8 (what Excel writes on Windows).

    Examples
    --------
    >>> decode("Équipe".encode("utf-8-sig"), "x.csv")
    'Équipe'
    """
    if raw[:2] in _BOMS_UTF16:
        if allow_utf16:
            return raw.decode("utf-16")
        raise FrameworkFormatError(
            f"{name!r} is UTF-16 text (as Excel's 'Unicode Text' export writes it); the "
            "publisher distributes it as UTF-8. Use the original file from the release, not "
            "a re-saved copy."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not allow_cp1252:
            raise FrameworkFormatError(
                f"{name!r} is not UTF-8 text (byte {raw[exc.start]:#04x} at position "
                f"{exc.start}); the publisher distributes it as UTF-8, so it was probably "
                "re-saved in another encoding. Use the file as downloaded, or save it as "
                "UTF-8."
            ) from exc
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc2:
            raise FrameworkFormatError(
                f"{name!r} is neither UTF-8 nor Windows-1252 text (byte "
                f"{raw[exc2.start]:#04x} at position {exc2.start}); save it as CSV UTF-8 "
                "and try again."
            ) from exc2
        warn(
            f"{name!r} is not UTF-8; it was read as Windows-1252 (cp1252, what Excel writes "
            "on Windows). Check that accented characters look right, or save the file as "
            "CSV UTF-8 to silence this warning.",
            AlignDataWarning,
        )
        return text


def _count_outside_quotes(line: str, char: str) -> int:
    # Delimiters inside quoted fields ("Smith, J.") must not count.
    return sum(1 for i, part in enumerate(line.split('"')) if i % 2 == 0 for c in part if c == char)


def _delimiter_counts(header: str) -> dict[str, int]:
    return {d: _count_outside_quotes(header, d) for d in DELIMITERS}


def sniff_delimiter(header: str) -> str:
    """The delimiter that splits the header line into the most fields (comma when none does).

    Examples
    --------
    >>> sniff_delimiter('Code;Name;"Notes, free text"')
    ';'
    """
    counts = _delimiter_counts(header)
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_binary(raw: bytes, name: str) -> None:
    if raw[:2] == b"PK":
        raise FrameworkFormatError(
            f"{name!r} is a zip or Excel (.xlsx) file, binary data rather than CSV text; give "
            "it a .xlsx/.zip name, or export the sheet as CSV."
        )
    head = raw[:4096]
    if b"\x00" in head and head[:2] not in _BOMS_UTF16:
        raise FrameworkFormatError(
            f"{name!r} holds binary data (NUL bytes), not CSV text: it may be an .xlsx "
            "renamed to .csv, or UTF-16 text without a byte-order mark. Export it as CSV "
            "(UTF-8) and try again."
        )


def read_csv(
    source: TableSource,
    *,
    delimiter: str | None = ",",
    allow_utf16: bool = True,
    allow_cp1252: bool = False,
    quoting: bool = True,
    skipinitialspace: bool = False,
    what: str = "a CSV file",
) -> pd.DataFrame:
    """Read a delimited text table into a DataFrame of strings ("" for blanks).

    Parameters
    ----------
    source : TableSource
        The file or zip member.
    delimiter : str or None
        The delimiter the format prescribes (a file that uses another one is
        refused), or ``None`` to detect it from the header line.
    allow_utf16, allow_cp1252 : bool
        Encodings accepted besides UTF-8; see :func:`decode`.
    quoting : bool
        Whether ``"`` quotes fields; ``False`` for formats whose text holds
        literal quotes (O*NET's tab-delimited files).
    skipinitialspace : bool
        Ignore spaces after a delimiter (hand-made spreadsheets).
    what : str
        What the file should be, for messages ("the ESCO skills file").

    Raises
    ------
    FrameworkNotFoundError
        The file does not exist.
    FrameworkFormatError
        The file is empty, binary, not decodable, separated by another
        delimiter than ``delimiter``, malformed or truncated.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = f.write_text("code;name\\nA1;Teamwork\\n", "utf-8")
    >>> read_csv(TableSource(f), delimiter=None).to_dict("records")
    [{'code': 'A1', 'name': 'Teamwork'}]
    """
    raw = source.read_bytes()
    name = source.name
    if not raw.strip():
        raise FrameworkFormatError(
            f"{name!r} is empty: no header row, no data. Expected {what}. Download or export "
            "it again."
        )
    _check_binary(raw, name)
    text = decode(raw, name, allow_utf16=allow_utf16, allow_cp1252=allow_cp1252)
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise FrameworkFormatError(
            f"{name!r} is empty: no header row, no data. Expected {what}. Download or export "
            "it again."
        )
    header = text.split("\n", 1)[0]
    counts = _delimiter_counts(header)
    found = sniff_delimiter(header)
    sep = delimiter or found
    if delimiter is not None and not counts[delimiter] and counts[found]:
        raise FrameworkFormatError(
            f"{name!r} is {DELIMITERS[found]}-separated ({found!r}), but it should be "
            f"{what}, which is {DELIMITERS[delimiter]}-delimited ({delimiter!r}). It was "
            "probably re-saved by a spreadsheet program with other regional settings; use the "
            "file as downloaded."
        )
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=skipinitialspace,
            quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE,
        )
    except pd.errors.EmptyDataError as exc:
        raise FrameworkFormatError(
            f"{name!r} has no header row. Expected {what}. Download or export it again."
        ) from exc
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        hint = (
            "it ends inside a quoted field, so it looks truncated"
            if "EOF" in reason
            else f"the CSV parser stopped: {reason}"
        )
        raise FrameworkFormatError(
            f"{name!r} is not a well-formed {DELIMITERS[sep]}-separated file ({hint}); expected "
            f"{what}. Download or export the file again (if it was edited, check for a stray "
            "quote character or a row with extra cells)."
        ) from exc
    df.columns = [str(c).strip() for c in df.columns]
    _check_truncated(text, df, sep, name, what, quoting)
    return df


def _check_truncated(
    text: str, df: pd.DataFrame, sep: str, name: str, what: str, quoting: bool
) -> None:
    """Raise when the last row is cut short (no final newline and too few fields)."""
    if text.endswith("\n") or df.empty or len(df.columns) < 2:
        return
    last = text.rsplit("\n", 1)[-1]
    if quoting and '"' in last:
        return  # a quoted field may hold the missing delimiters; pandas checked the quotes
    fields = (_count_outside_quotes(last, sep) if quoting else last.count(sep)) + 1
    if fields < len(df.columns):
        raise FrameworkFormatError(
            f"{name!r} looks truncated: its last row has {fields} of {len(df.columns)} columns "
            f"and the file does not end with a line break; expected {what}. Download or export "
            "it again."
        )


def read_excel(path: Path, sheet: str | int | None = None, *, what: str) -> pd.DataFrame:
    """Read one sheet of a workbook into a DataFrame of strings ("" for blanks).

    Parameters
    ----------
    path : Path
        The workbook (.xlsx, .xlsm, .xls, .ods).
    sheet : str or int, optional
        Sheet name or 0-based number; default the first sheet.
    what : str
        What the sheet should hold, for messages.
    """
    try:
        book = pd.read_excel(path, sheet_name=None, dtype=str, engine="calamine", header=0)
    except FileNotFoundError as exc:
        raise FrameworkNotFoundError(f"file {str(path)!r} does not exist; check the path.") from exc
    except Exception as exc:  # calamine raises its own types for damaged workbooks
        raise FrameworkFormatError(
            f"{str(path)!r} could not be read as an Excel workbook ({type(exc).__name__}: "
            f"{exc}); open it in Excel and save it again as .xlsx, or export the sheet as CSV."
        ) from exc
    if not book:
        raise FrameworkFormatError(f"workbook {str(path)!r} has no sheets; expected one sheet.")
    names = list(book)
    if sheet is None:
        chosen = names[0]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise InvalidArgumentError(
                f"sheet={sheet} is out of range: workbook {str(path)!r} has {len(names)} "
                f"sheet(s) {names}; give a sheet name or a number from 0."
            )
        chosen = names[sheet]
    elif sheet in book:
        chosen = sheet
    else:
        raise InvalidArgumentError(
            f"sheet={sheet!r} is not in workbook {str(path)!r}; its sheets are {names}."
        )
    df = book[chosen]
    if df.empty and len(df.columns) == 0:
        raise FrameworkFormatError(
            f"sheet {chosen!r} of {str(path)!r} is empty: no header row, no data. Expected {what}."
        )
    df.columns = [str(c).strip() for c in df.columns]
    return df.fillna("").astype(str)


def normalise_columns(columns: Iterable[Any]) -> list[str]:
    """Column names compared loosely: ``"Key Behaviors "`` -> ``key_behaviors``.

    Examples
    --------
    >>> normalise_columns(["Key Behaviors ", "Competency-ID"])
    ['key_behaviors', 'competency_id']
    """
    return [re.sub(r"[^a-z0-9]+", "_", str(c).strip().lower()).strip("_") for c in columns]


def read_table(path: Path, *, what: str) -> pd.DataFrame:
    """Read a small hand-made CSV or Excel table: any delimiter, stripped cells, loose names.

    Parameters
    ----------
    path : Path
        A .csv/.tsv/.txt file (comma, semicolon, tab or pipe separated; UTF-8,
        UTF-16 or Windows-1252 with a warning) or an Excel workbook.
    what : str
        What the file should be, for messages.

    Returns
    -------
    DataFrame
        All cells as stripped strings ("" for blanks); column names normalised
        with :func:`normalise_columns`; unnamed columns and blank rows dropped.
    """
    if path.suffix.lower() in EXCEL_SUFFIXES:
        df = read_excel(path, what=what)
    else:
        df = read_csv(
            TableSource(path),
            delimiter=None,
            allow_cp1252=True,
            skipinitialspace=True,
            what=what,
        )
    df.columns = normalise_columns(df.columns)
    df = df.apply(lambda s: s.str.strip())
    df = df.loc[:, [c for c in df.columns if not c.startswith("unnamed")]]
    return df[(df != "").any(axis=1)].reset_index(drop=True)


def require_columns(
    df: pd.DataFrame, name: str, required: Iterable[str], what: str, fix: str
) -> None:
    """Raise when ``df`` lacks one of the ``required`` columns, listing those it has."""
    missing = [c for c in required if c not in df.columns]
    if missing:
        found = list(df.columns)
        shown = found if len(found) <= 20 else [*found[:20], "..."]
        raise FrameworkFormatError(
            f"{name!r} has no column(s) {missing}; found {shown}. Expected {what}. {fix}"
        )


def read_json(source: TableSource, *, what: str) -> Any:
    """Parse a UTF-8 JSON file, with messages that tell a truncated file from a broken one.

    Parameters
    ----------
    source : TableSource
        The file.
    what : str
        What the file should be, with how to get it, for messages.
    """
    raw = source.read_bytes()
    name = source.name
    expected = f"Expected {what}" + ("" if what.endswith(".") else ".")
    if not raw.strip():
        raise FrameworkFormatError(f"{name!r} is empty. {expected}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FrameworkFormatError(
            f"{name!r} is not UTF-8 text (JSON must be UTF-8); it may be a zip or another "
            f"binary file, or was converted when saved. {expected}"
        ) from None

    def syntax_error(exc: json.JSONDecodeError) -> FrameworkFormatError:
        hint = (
            "the file ends before the JSON is complete: it was probably truncated while "
            "downloading or copying; get it again"
            if exc.pos >= len(text.rstrip()) - 1
            else "fix the JSON there or export the file again"
        )
        return FrameworkFormatError(
            f"{name!r} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            f"{hint}. {expected}"
        )

    # Strict: no repeated keys, no NaN/Infinity, bounded nesting (see align._safeio).
    return parse_json(text, name, error=FrameworkFormatError, syntax_error=syntax_error)
