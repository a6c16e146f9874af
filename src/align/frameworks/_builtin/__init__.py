"""Built-in framework content written by the align developers, and the small readers it shares.

The YAML files next to this module hold align's own wording of the NACE
career-readiness competencies and the CMC Building Blocks model. Competency
names are facts; every description and behaviour statement is our paraphrase,
not the publisher's text. They are read on first use, never at import.

The CSV reader here is shared by the NACE and CMC import paths: both accept
the spreadsheets offices actually have (comma, semicolon or tab separated;
UTF-8, UTF-16 or Windows-1252) and turn every problem into an error that
names the file, what was found and what was expected.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from align.exceptions import AlignDataWarning, FrameworkFormatError

__all__ = ["normalise_columns", "read_builtin", "read_table", "slug"]

_DELIMITERS = ",;\t|"
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


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


def normalise_columns(columns: Any) -> list[str]:
    """Column names compared loosely: ``"Key Behaviors "`` -> ``key_behaviors``."""
    return [re.sub(r"[^a-z0-9]+", "_", str(c).strip().lower()).strip("_") for c in columns]


def _decode(raw: bytes, path: Path, what: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise FrameworkFormatError(
                f"{what} file '{path}' is not readable text (byte {exc.start} is neither UTF-8 "
                "nor Windows-1252). Save it as 'CSV UTF-8' from your spreadsheet program."
            ) from None
        warnings.warn(
            f"{what} file '{path}' is not UTF-8; read it as Windows-1252 (what Excel writes "
            "on Windows). Check accented characters, or save it as 'CSV UTF-8' to be sure.",
            AlignDataWarning,
            stacklevel=4,
        )
    if "\x00" in text:
        raise FrameworkFormatError(
            f"{what} file '{path}' contains NUL bytes: it is a binary file (an .xlsx renamed "
            "to .csv?) or UTF-16 text without a byte-order mark. Save it as 'CSV UTF-8'."
        )
    return text


def read_table(path: Path, *, what: str, expected: str) -> pd.DataFrame:
    """Read a small CSV (or .xlsx) file into strings, with plain-language errors.

    Parameters
    ----------
    path : Path
        The file.
    what : str
        What the file should be, for messages (``"NACE competencies"``).
    expected : str
        The columns we expect, for messages.

    Returns
    -------
    DataFrame
        All cells as stripped strings ("" for blanks); column names normalised
        with :func:`normalise_columns`.
    """
    if not path.is_file():
        raise FrameworkFormatError(f"{what} file '{path}' does not exist or is not a file.")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            df = pd.read_excel(path, dtype=str, engine="calamine")
        except Exception as exc:  # openpyxl raises many unrelated types for damaged files
            raise FrameworkFormatError(
                f"{what} file '{path}' could not be read as an Excel workbook ({exc}); "
                "open it in Excel and save it again, or export it as CSV."
            ) from None
    else:
        text = _decode(path.read_bytes(), path, what)
        if not text.strip():
            raise FrameworkFormatError(
                f"{what} file '{path}' is empty; expected a header row with {expected} and "
                "one row per entry."
            )
        first = text.lstrip().splitlines()[0]
        try:
            delimiter = csv.Sniffer().sniff(first, delimiters=_DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
        try:
            df = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
            )
        except (pd.errors.ParserError, csv.Error) as exc:
            raise FrameworkFormatError(
                f"{what} file '{path}' is not a well-formed "
                f"{_DELIMITER_NAMES.get(delimiter, repr(delimiter))}-separated file ({exc}). "
                "A quote may be left open or a row has extra cells; fix the row or export the "
                "sheet again as CSV."
            ) from None
    df.columns = normalise_columns(df.columns)
    df = df.fillna("").astype(str).apply(lambda s: s.str.strip())
    df = df.loc[:, [c for c in df.columns if not c.startswith("unnamed")]]
    return df[(df != "").any(axis=1)].reset_index(drop=True)
