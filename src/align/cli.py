"""The ``align`` command line: parses arguments, calls the library, prints.

No logic lives here beyond formatting; every command is a thin wrapper over
the public API so that notebooks and the CLI agree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from align.exceptions import AlignError

app = typer.Typer(
    name="align",
    help="Check whether a micro-credential teaches what the labor market asks for.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
frameworks_app = typer.Typer(help="List and inspect competency frameworks.", no_args_is_help=True)
data_app = typer.Typer(help="Download or import framework releases.", no_args_is_help=True)
app.add_typer(frameworks_app, name="frameworks")
app.add_typer(data_app, name="data")

console = Console()
err_console = Console(stderr=True)

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder holding framework releases (default: ALIGN_DATA_DIR, then a user folder).",
    ),
]


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


# == frameworks ===============================================================
@frameworks_app.command("list")
def frameworks_list(data_dir: DataDirOpt = None) -> None:
    """List the frameworks align knows by name, and whether their files are present."""
    from align.frameworks import available_frameworks

    table = Table("name", "available", "description", "searched in")
    for row in available_frameworks(data_dir).itertuples():
        table.add_row(row.name, "yes" if row.available else "no", row.description, row.folder)
    console.print(table)


@frameworks_app.command("show")
def frameworks_show(
    name: Annotated[str, typer.Argument(help="Framework name or path of a release.")],
    data_dir: DataDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show a framework's release, counts per kind, licence and attribution."""
    from align.frameworks import load_framework

    fw = load_framework(name, data_dir=data_dir)
    summary = fw.summary()
    if as_json:
        _print_json(summary)
        return
    info = Table(show_header=False, title=f"{fw.info.name} {fw.info.version}")
    for key in (
        "key",
        "publisher",
        "version",
        "source_url",
        "licence",
        "attribution",
        "retrieved_at",
        "source_path",
        "competencies",
        "occupations",
        "relations",
    ):
        info.add_row(
            key, f"{summary[key]:,}" if isinstance(summary[key], int) else str(summary[key])
        )
    console.print(info)
    kinds = Table("kind", "competencies", title="Competencies per kind")
    for kind, n in summary["kinds"].items():
        kinds.add_row(kind, f"{n:,}")
    console.print(kinds)


# == data (fetch / import) ====================================================
# (section owned by the framework loaders)


# == match / cache ============================================================
# (section owned by the matcher)


# == postings =================================================================
# (section owned by postings)


# == proposals: score / check / gaps / portfolio ==============================
# (section owned by proposals)


def main() -> None:
    """Entry point: run the app, turning align errors into one plain message."""
    try:
        app()
    except AlignError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise SystemExit(2) from None
