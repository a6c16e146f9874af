"""The typer app, its consoles and the one output helper every command prints through.

Commands live in one module per command group (``frameworks``, ``data``,
``match``, ``cache``, ``postings``, ``proposals``); each parses its options,
calls one library function and prints the result with :func:`emit` (or the
helpers built on it). :func:`emit` is the single choke point for text shown to
users, so escaping or colour rules are decided in one place.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from align.exceptions import AlignDataWarning, AlignError

__all__ = [
    "DataDirOpt",
    "app",
    "check_format",
    "console",
    "emit",
    "err_console",
    "main",
    "print_frame",
    "print_json",
    "print_report",
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
    (err_console if err else console).print(obj, highlight=highlight)


def print_json(obj: Any) -> None:
    """Print plain data as indented JSON."""
    emit(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n", raw=True)


def check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    """Reject a ``--format`` value the command does not offer."""
    if fmt not in allowed:
        raise typer.BadParameter(f"--format {fmt!r}: use one of {', '.join(allowed)}.")


def print_frame(df: Any, fmt: str, title: str | None = None) -> None:
    """Print a DataFrame as a table, CSV or JSON records."""
    check_format(fmt, ("csv", "json", "table"))
    if fmt == "csv":
        emit(df.to_csv(index=False), raw=True)
        return
    if fmt == "json":
        emit(df.to_json(orient="records", force_ascii=False, indent=2) + "\n", raw=True)
        return
    table = Table(*[str(c) for c in df.columns], title=title)
    for row in df.itertuples(index=False):
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    emit(table)


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
        emit(f"[yellow]warning:[/] {message}", err=True, highlight=False)
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
        emit(f"[bold red]error:[/] {exc}", err=True, highlight=False)
        raise SystemExit(2) from None
