"""``align cache``: inspect, clear, warm, export and import align's caches."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.cli._app import DataDirOpt, app, emit, print_json, safe

cache_app = typer.Typer(
    help="Inspect, clear, build (warm) or share (export/import) align's caches.",
    no_args_is_help=True,
)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
def cache_info_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show where cached embeddings and parsed frameworks live and how much they hold."""
    from align._embed import cache_info
    from align.frameworks._cache import framework_cache_info

    info = cache_info()
    info["frameworks"] = framework_cache_info()
    if as_json:
        print_json(info)
        return
    emit(
        f"embeddings: {safe(info['path'])}  ({info['vectors']:,} vectors, "
        f"{info['size_bytes'] / 1e6:,.1f} MB)",
        highlight=False,
    )
    for model, n in info["models"].items():
        emit(f"  {safe(model)}: {n:,} vectors", highlight=False)
    fws = info["frameworks"]
    emit(
        f"parsed frameworks: {safe(fws['path'])}  ({fws['entries']} entries, "
        f"{fws['size_bytes'] / 1e6:,.1f} MB)",
        highlight=False,
    )


@cache_app.command("clear")
def cache_clear_cmd() -> None:
    """Delete cached embeddings and parsed frameworks (they are rebuilt when needed)."""
    from align._embed import clear_cache
    from align.frameworks._cache import clear_framework_cache

    vectors = clear_cache()
    frameworks = clear_framework_cache()
    emit(
        f"removed {vectors:,} cached vectors and {frameworks} parsed framework(s).", highlight=False
    )


_FrameworksArg = Annotated[
    list[str],
    typer.Argument(
        help="Frameworks as `align match --framework` names them (onet, esco, lightcast, "
        "esco-occupations, ...) or paths of framework files.",
        show_default=False,
    ),
]


_KindOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        help="Only competencies of this kind, as `align match --kind` (repeatable; 'all' for "
        "every kind). Default: the kinds `align match` uses. `align postings extract-skills "
        "--taxonomy onet` also matches technology: warm it with --kind skill --kind knowledge "
        "--kind technology.",
    ),
]


def _kinds(kind: list[str] | None) -> list[str] | str | None:
    if not kind:
        return None
    return "all" if "all" in kind else kind


@cache_app.command("warm")
def cache_warm_cmd(
    frameworks: _FrameworksArg,
    kind: _KindOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Embed everything `align match --framework NAME` needs, once, before the first match.

    Shows texts/s and the time left; vectors are saved as they are computed, so a stopped run
    resumes. The backend is ALIGN_BACKEND (default: onnx).
    """
    from align._vector_files import warm_cache

    for name in frameworks:
        res = warm_cache(name, kinds=_kinds(kind), data_dir=data_dir, show_progress=True)
        emit(
            f"{safe(name)}: {res.texts:,} texts ready ({res.computed:,} embedded now, "
            f"{res.seconds / 60:,.1f} min) for {safe(res.model_id)}.",
            highlight=False,
        )


@cache_app.command("export")
def cache_export_cmd(
    file: Annotated[Path, typer.Argument(help="The file to write, e.g. esco.alignvec.")],
    frameworks: Annotated[
        list[str] | None,
        typer.Option(
            "--framework",
            "-f",
            help="Export the vectors this framework's matches need (repeatable; embeds what "
            "is missing). Default: every vector cached for the current model.",
        ),
    ] = None,
    kind: _KindOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Write cached vectors to one checksummed file to share with other machines."""
    from align._vector_files import export_vectors

    res = export_vectors(file, frameworks or None, kinds=_kinds(kind), data_dir=data_dir)
    names = ", ".join(m["framework"] for m in res.frameworks if m["framework"] != "*")
    emit(
        f"wrote {res.vectors:,} vectors{f' ({safe(names)})' if names else ''} of "
        f"{safe(res.model_id)} to {safe(res.path)} ({res.path.stat().st_size / 1e6:,.1f} MB). "
        f"Load it elsewhere with `align cache import {safe(res.path.name)}`.",
        highlight=False,
    )


@cache_app.command("import")
def cache_import_cmd(
    file: Annotated[Path, typer.Argument(help="A file written by `align cache export`.")],
) -> None:
    """Load a vector file from `align cache export` into this machine's cache."""
    from align._vector_files import import_vectors

    res = import_vectors(file)
    names = ", ".join(
        f"{m['framework']} {m.get('version', '')}".strip()
        for m in res.frameworks
        if m["framework"] != "*"
    )
    emit(
        f"imported {res.vectors:,} vectors{f' ({safe(names)})' if names else ''} for "
        f"{safe(res.model_id)}; "
        "matches against them start without embedding.",
        highlight=False,
    )
