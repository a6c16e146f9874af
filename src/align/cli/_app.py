"""The typer app, its consoles and the one output helper every command prints through.

Commands live in one module per command group (``frameworks``, ``data``,
``match``, ``cache``, ``postings``, ``proposals``); each parses its options,
calls one library function and prints the result with :func:`emit` (or the
helpers built on it). :func:`emit` is the single choke point for text shown to
users, so escaping or colour rules are decided in one place: text that came
from users or files is wrapped in :func:`safe` (rich markup escaped, control
characters shown as ``\\x1b``); :func:`emit` also shows any control character
visibly; tables built by :func:`print_frame` escape every cell; CSV output is
neutralised against spreadsheet formulas unless ``--csv-raw``; JSON is strict.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from align._safeout import (
    check_output,
    csv_text,
    dumps_json,
    record_output,
    terminal_text,
    visible_controls,
)
from align.exceptions import AlignDataWarning, AlignError

__all__ = [
    "CsvRawOpt",
    "DataDirOpt",
    "ForceOpt",
    "app",
    "check_format",
    "console",
    "emit",
    "err_console",
    "main",
    "output_file",
    "print_frame",
    "print_json",
    "print_report",
    "safe",
    "write_csv",
    "wrote",
]

app = typer.Typer(
    name="align",
    help="Check whether a micro-credential teaches what the labor market asks for.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True)

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder holding framework releases (default: ALIGN_DATA_DIR, then a user folder).",
    ),
]
CsvRawOpt = Annotated[
    bool,
    typer.Option(
        "--csv-raw",
        help="With --format csv: write cells exactly as they are. By default a cell starting "
        "with =, +, -, @ (a spreadsheet formula) is prefixed with ' so spreadsheets show it "
        "as text.",
    ),
]

ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Write the output file even over a file align did not write, or over this "
        "command's own input (without it, both are refused).",
    ),
]

#: User or file text, made safe to put in a rich markup string or table cell.
safe = terminal_text


def output_file(
    path: Path, *, inputs: Sequence[Path | None] = (), force: bool = False, option: str = "--out"
) -> Path:
    """Check, before any work, that the command may write ``path`` (see
    :func:`align._safeout.check_output`); returns it."""
    return check_output(path, inputs=inputs, force=force, option=option)


def wrote(path: Path) -> None:
    """Remember that this command wrote ``path``, so rerunning it may replace the file."""
    record_output(path)


def emit(obj: Any, *, err: bool = False, raw: bool = False, highlight: bool | None = None) -> None:
    """Print one thing for the user: the only way CLI commands write output.

    Parameters
    ----------
    obj : str or rich renderable
        Text (rich markup allowed unless ``raw``) or a rich table/renderable.
    err : bool
        Write to standard error (messages) instead of standard output (results).
    raw : bool
        Write ``obj`` (a str) as it is, with no markup or wrapping: JSON, CSV, JSONL.
    highlight : bool, optional
        Rich's automatic highlighting of numbers and paths (default: the console's).
    """
    if raw:
        (sys.stderr if err else sys.stdout).write(str(obj))
        return
    if isinstance(obj, str):
        # Control characters are never part of our own markup: show them, never send them.
        obj = visible_controls(obj)
    (err_console if err else console).print(
        obj, highlight=highlight, soft_wrap=err and isinstance(obj, (str, Text))
    )


def print_json(obj: Any) -> None:
    """Print plain data as indented, strict JSON."""
    emit(dumps_json(obj, indent=2, default=str) + "\n", raw=True)


def write_csv(df: Any, raw: bool = False) -> None:
    """Write a DataFrame as CSV; formula-like text cells are neutralised unless ``raw``."""
    emit(csv_text(df, raw=raw), raw=True)


def check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    """Reject a ``--format`` value the command does not offer."""
    if fmt not in allowed:
        raise typer.BadParameter(f"--format {fmt!r}: use one of {', '.join(allowed)}.")


#: Below this terminal width a table keeps only its ``narrow`` columns (see :func:`print_frame`).
WIDE_TABLE = 110


def print_frame(
    df: Any,
    fmt: str,
    title: str | None = None,
    *,
    csv_raw: bool = False,
    narrow: Sequence[str] | None = None,
) -> None:
    """Print a DataFrame as a table, CSV (neutralised unless ``csv_raw``) or strict JSON.

    In a terminal narrower than :data:`WIDE_TABLE` columns the table shows only the
    ``narrow`` columns, when given, so names are not cut to a few letters; CSV and JSON
    always carry every column. A missing number shows as "–".
    """
    check_format(fmt, ("csv", "json", "table"))
    if fmt == "csv":
        write_csv(df, csv_raw)
        return
    if fmt == "json":
        records = json.loads(df.to_json(orient="records", force_ascii=False, default_handler=str))
        emit(dumps_json(records, indent=2) + "\n", raw=True)
        return
    if narrow is not None and console.width < WIDE_TABLE:
        df = df[list(narrow)]
    table = Table(*[safe(c) for c in df.columns], title=None if title is None else safe(title))
    for row in df.itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    emit(table)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.3f}"
    return safe(value)


def print_report(report: Any, fmt: str) -> None:
    """Print a report (:class:`align.reports.Report`) as JSON, or as its rich rendering."""
    if fmt == "json":
        emit(report.to_json() + "\n", raw=True)
        return
    for part in report.to_rich():
        emit(part)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Print align's data warnings as one plain line; others as Python prints them."""
    if issubclass(category, AlignDataWarning):
        emit(Text.assemble(("warning:", "yellow"), " ", visible_controls(str(message))), err=True)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


_default_showwarning = warnings.showwarning


def main() -> None:
    """Entry point: run the app, turning align errors into one plain message."""
    # Set here, when the command runs, never at import: notebooks keep Python's display.
    warnings.showwarning = _show_warning
    # transformers draws a "Loading weights" bar for a model read from disk; our own bars
    # report the work users wait for. Set before the model library is first imported.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        app()
    except AlignError as exc:
        emit(Text.assemble(("error:", "bold red"), " ", visible_controls(str(exc))), err=True)
        raise SystemExit(2) from None
    except OSError as exc:
        # A file the command was told to read or write: a read-only folder, a full disk.
        where = f" {exc.filename!r}" if exc.filename else ""
        emit(
            Text.assemble(
                ("error:", "bold red"),
                " ",
                visible_controls(
                    f"cannot read or write{where}: {exc.strerror or exc}. Check the path, that "
                    "the folder exists and is writable, and that the disk is not full."
                ),
            ),
            err=True,
        )
        raise SystemExit(2) from None
