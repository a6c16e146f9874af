"""``align cache``: inspect, clear, warm, export and import align's caches."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from align.cli._app import (
    DataDirOpt,
    ForceOpt,
    app,
    emit,
    output_file,
    print_frame,
    print_json,
    safe,
    wrote,
)
from align.exceptions import InvalidArgumentError

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
    from align._framework_vectors import warm_cache

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
            "is missing). Default: every vector cached for the current model (importers "
            "cannot check such a file and need --trust).",
        ),
    ] = None,
    kind: _KindOpt = None,
    force: ForceOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Write cached vectors to one checksummed file to share with other machines."""
    from align._framework_vectors import export_vectors

    output_file(file, force=force, option="FILE")
    res = export_vectors(file, frameworks or None, kinds=_kinds(kind), data_dir=data_dir)
    wrote(res.path)
    names = ", ".join(m["framework"] for m in res.frameworks if m["framework"] != "*")
    emit(
        f"wrote {res.vectors:,} vectors{f' ({safe(names)})' if names else ''} of "
        f"{safe(res.model_id)} to {safe(res.path)} ({res.path.stat().st_size / 1e6:,.1f} MB). "
        f"Load it elsewhere with `align cache import {safe(res.path.name)}`.",
        highlight=False,
    )
    emit(
        f"file SHA-256: {res.sha256} (`align cache import` shows it too: tell the receivers, "
        "so they can see the file is the one you sent).",
        highlight=False,
    )
    if not names:
        emit(
            "This file holds every cached vector, of texts it does not name, so an importer "
            "cannot check them against its own model and needs --trust; export with "
            "--framework NAME for a file every importer can check.",
            highlight=False,
        )


def _verify_option(value: str) -> int | str:
    text = value.strip().lower()
    if text == "all":
        return "all"
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise InvalidArgumentError(
            f"--verify {value!r}: give how many vectors per framework to check (1 or more, "
            "default 256) or 'all'."
        )
    return n


@cache_app.command("import")
def cache_import_cmd(
    file: Annotated[Path, typer.Argument(help="A file written by `align cache export`.")],
    frameworks: Annotated[
        list[str] | None,
        typer.Option(
            "--framework",
            "-f",
            help="A framework file to check the vectors against, for frameworks align cannot "
            "find by name (repeatable). Named frameworks are read from the data folder.",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Give texts already cached the file's vectors. Default: keep the cached ones.",
        ),
    ] = False,
    verify: Annotated[
        str,
        typer.Option(
            "--verify",
            help="How many vectors per framework to compute again here and compare with the "
            "file (picked at random), or 'all' (as slow as building the index).",
        ),
    ] = "256",
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Also import vectors of unnamed texts (a whole-cache export), which cannot "
            "be checked. Only for files from someone you trust.",
        ),
    ] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Load a vector file from `align cache export` into this machine's cache, checked.

    Only vectors of texts of frameworks this machine has are taken; a random sample of
    them is computed again here and must agree with the file; vectors already cached are
    kept unless --replace. `align cache undo-import` takes an import back.
    """
    from align._framework_vectors import import_vectors

    res = import_vectors(
        file,
        frameworks=frameworks or None,
        data_dir=data_dir,
        replace=replace,
        verify=_verify_option(verify),  # type: ignore[arg-type]
        trust_unverified=trust,
    )
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
    for line in _import_details(res):
        emit(line, highlight=False)


def _import_details(res: Any) -> list[str]:
    lines = []
    if res.checked:
        lines.append(
            f"checked: {res.checked:,} of them, picked at random, were computed again here and "
            "agree with the file."
        )
    if res.unverified:
        lines.append(f"not checked (--trust): {res.unverified:,} vectors of unnamed texts.")
    if res.skipped:
        lines.append(
            f"skipped: {res.skipped:,} vectors of texts this machine does not have (another "
            "release or other kinds)."
        )
    if res.kept:
        differ = f", {res.differ:,} of them different from the file's" if res.differ else ""
        lines.append(
            f"kept: {res.kept:,} vectors already cached here{differ}"
            + ("; --replace takes the file's." if res.differ else ".")
        )
    if res.replaced:
        lines.append(f"replaced: {res.replaced:,} cached vectors (--replace).")
    lines.append(
        f"file SHA-256: {res.sha256}. Undo with `align cache undo-import {res.import_id}`."
    )
    return lines


@cache_app.command("imports")
def cache_imports_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the vector files imported into this cache (newest last), with their SHA-256."""
    from align._vector_import import list_vector_imports

    df = list_vector_imports()
    if as_json:
        print_frame(df, "json")
        return
    if df.empty:
        emit("no vector file was imported into this cache.", highlight=False)
        return
    shown = df.assign(
        sha256=df["sha256"].str[:12],
        state=df["undone_at"].map(lambda v: f"undone {v}" if v else "in place"),
    )
    cols = ["import_id", "imported_at", "frameworks", "added", "replaced", "state", "sha256"]
    print_frame(shown[cols], "table", title="Imported vector files")


@cache_app.command("undo-import")
def cache_undo_import_cmd(
    import_id: Annotated[
        int | None,
        typer.Argument(help="The import's number (`align cache imports`). Default: the latest."),
    ] = None,
) -> None:
    """Take an import back: remove the vectors it added and restore those it replaced."""
    from align._vector_import import undo_import

    done = undo_import(import_id)
    emit(
        f"undid import {done['import_id']}: removed {done['removed']:,} vectors and restored "
        f"{done['restored']:,}; they are computed again when needed.",
        highlight=False,
    )
