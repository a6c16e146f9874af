"""``align cache``: inspect or clear align's caches."""

from __future__ import annotations

from typing import Annotated

import typer

from align.cli._app import app, emit, print_json, safe

cache_app = typer.Typer(help="Inspect or clear align's caches.", no_args_is_help=True)
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
