"""``align data``: download or import framework releases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from align.cli._app import DataDirOpt, app, emit, safe

data_app = typer.Typer(help="Download or import framework releases.", no_args_is_help=True)
app.add_typer(data_app, name="data")

# (section owned by the framework loaders)
_FETCHABLE = {"onet": "O*NET database release zip from onetcenter.org"}


@data_app.command("fetch")
def data_fetch(
    name: Annotated[str, typer.Argument(help="Framework to download: onet.")],
    release: Annotated[
        str | None,
        typer.Option("--release", help="Release number, e.g. 29.3 (default: latest known)."),
    ] = None,
    data_dir: DataDirOpt = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Folder URL holding db_<x_y>_text.zip (default: ALIGN_ONET_BASE_URL, then "
            "onetcenter.org).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the release if it is already there.")
    ] = False,
) -> None:
    """Download an official framework release, check it and unpack it into the data folder."""
    from align._fetch import fetch_onet, onet_release_folder
    from align.exceptions import UnknownNameError

    if name.lower() not in _FETCHABLE:
        raise UnknownNameError(
            f"cannot fetch {name!r}: only {', '.join(_FETCHABLE)} can be downloaded. Download "
            "other frameworks from their publisher and run `align data import NAME PATH`."
        )
    present = onet_release_folder(release, data_dir=data_dir).exists() and not force
    path = fetch_onet(release, data_dir=data_dir, base_url=base_url, force=force)
    record = path / "align-download.json"
    if not present and record.is_file():
        info = json.loads(record.read_text("utf-8"))
        emit(
            f"O*NET {safe(info['release'])} is in {safe(path)}\n  from {safe(info['url'])}\n"
            f"  sha256 {safe(info['sha256'])}",
            highlight=False,
        )
    else:
        emit(
            f"O*NET is already in {safe(path)}; use --force to download it again.", highlight=False
        )


@data_app.command("import")
def data_import(
    name: Annotated[str, typer.Argument(help="onet, esco, lightcast, nace or cmc.")],
    path: Annotated[Path, typer.Argument(help="The release file or folder you downloaded.")],
    data_dir: DataDirOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an earlier import of the same release.")
    ] = False,
) -> None:
    """Check a downloaded framework release and copy it into the data folder."""
    from align.frameworks._importing import import_framework

    dest = import_framework(name, path, data_dir=data_dir, force=force)
    emit(
        f"{safe(name)} imported to {safe(dest)}; load it with `align frameworks show "
        f"{safe(name)}`.",
        highlight=False,
    )
