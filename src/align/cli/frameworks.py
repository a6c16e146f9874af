"""``align frameworks``: list, show and export competency frameworks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from align.cli._app import DataDirOpt, ForceOpt, app, emit, output_file, print_json, safe, wrote

frameworks_app = typer.Typer(help="List and inspect competency frameworks.", no_args_is_help=True)
app.add_typer(frameworks_app, name="frameworks")


@frameworks_app.command("list")
def frameworks_list(data_dir: DataDirOpt = None) -> None:
    """List the frameworks align knows by name, and whether their files are present."""
    from align.frameworks import available_frameworks

    table = Table("name", "available", "description", "searched in")
    for row in available_frameworks(data_dir).itertuples():
        table.add_row(
            safe(row.name),
            "yes" if row.available else "no",
            safe(row.description),
            safe(row.folder),
        )
    emit(table)


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
        print_json(summary)
        return
    info = Table(show_header=False, title=safe(f"{fw.info.name} {fw.info.version}"))
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
            key, f"{summary[key]:,}" if isinstance(summary[key], int) else safe(summary[key])
        )
    emit(info)
    kinds = Table("kind", "competencies", title="Competencies per kind")
    for kind, n in summary["kinds"].items():
        kinds.add_row(safe(kind), f"{n:,}")
    emit(kinds)


@frameworks_app.command("export")
def frameworks_export(
    name: Annotated[str, typer.Argument(help="Framework name or path of a release.")],
    out: Annotated[Path, typer.Argument(help="File to write (a CASE 1.1 CFPackage .json).")],
    data_dir: DataDirOpt = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Export only competencies of this kind (repeatable)."),
    ] = None,
    base_uri: Annotated[
        str | None,
        typer.Option("--base-uri", help="Base URI of the CASE server that will host the package."),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Export a framework as a CASE 1.1 package that CASE tools and badge platforms read."""
    from align._urls import url_problem
    from align.exports import write_case
    from align.frameworks import load_framework

    source = Path(name) if Path(name).expanduser().exists() else None
    output_file(out, inputs=[source], force=force, option="OUT")
    if base_uri and url_problem(base_uri) is not None:
        raise typer.BadParameter(
            f"--base-uri {base_uri!r}: {url_problem(base_uri)}; give the https:// address of "
            "the CASE server."
        )
    fw = load_framework(name, data_dir=data_dir)
    if kind:
        fw = fw.subset(kind)
    path = write_case(fw, out, base_uri=base_uri)
    wrote(path)
    emit(
        f"wrote {len(fw):,} competencies of {safe(fw.info.name)} {safe(fw.version)} to {safe(path)}"
    )
