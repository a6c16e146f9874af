"""``align match``: match texts to the competencies (or occupations) of frameworks."""

from __future__ import annotations

import sys
import textwrap
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from align._safeio import (
    check_regular_file,
    check_text,
    decode_text,
    dumps_json,
    read_stdin_text,
)
from align.cli._app import (
    WIDE_TABLE,
    CsvRawOpt,
    DataDirOpt,
    app,
    console,
    emit,
    safe,
    write_csv,
)

_MATCH_FORMATS = ("table", "csv", "jsonl")
_JSONL_KEYS = (
    "framework",
    "id",
    "code",
    "label",
    "score",
    "semantic_score",
    "lexical_score",
    "url",
)


def _match_texts(texts: list[str] | None, input_file: str | None) -> list[str]:
    from align.exceptions import InvalidArgumentError

    out = [check_text(t, f"text {i + 1}") for i, t in enumerate(texts or [])]
    if input_file is not None:
        if input_file == "-":
            lines = read_stdin_text(sys.stdin, "standard input").splitlines()
            where = "standard input"
        else:
            if not Path(input_file).expanduser().exists():
                raise InvalidArgumentError(
                    f"--input {input_file!r} is not a file; give a text file with one outcome "
                    "or sentence per line, or '-' to read standard input."
                )
            # Regular files only: a FIFO or device could block or never end.
            path = check_regular_file(Path(input_file), "--input file", error=InvalidArgumentError)
            raw = path.read_bytes()
            lines = decode_text(raw, str(path), error=InvalidArgumentError).splitlines()
            where = f"--input {input_file!r}"
        out += [check_text(t, f"{where} line {i + 1}") for i, t in enumerate(lines)]
    return out


def _jsonl_value(value: Any) -> Any:
    if isinstance(value, float) and value != value:  # NaN: not valid JSON
        return None
    return value


@app.command("match")
def match_cmd(
    texts: Annotated[
        list[str] | None,
        typer.Argument(help="Texts to match (outcomes, posting sentences, job titles)."),
    ] = None,
    input_file: Annotated[
        str | None,
        typer.Option(
            "--input", help="Text file with one text per line, or '-' for standard input."
        ),
    ] = None,
    framework: Annotated[
        list[str] | None,
        typer.Option(
            "--framework",
            help="onet (skills, knowledge, abilities, work activities, work styles, DWAs, IWAs; "
            "tasks and technology only with --kind task / --kind technology), onet-occupations, "
            "esco (skills and knowledge), esco-occupations, lightcast, nace, cmc, or a path of a "
            "framework file. Repeat to match against several.",
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="Matches per text.")] = 5,
    method: Annotated[
        str, typer.Option("--method", help="hybrid (default), semantic or lexical.")
    ] = "hybrid",
    min_score: Annotated[
        float,
        typer.Option(
            "--min-score", min=0.0, max=1.0, help="Drop matches scoring below this (0-1)."
        ),
    ] = 0.0,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="Only competencies of this kind (skill, knowledge, dwa, task, ...); "
            "repeatable; 'all' for every kind. Replaces the default kinds (all but grouping "
            "nodes, and for onet also not tasks and technology).",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option("--format", help="table (default), csv, or jsonl (one line per input text)."),
    ] = "table",
    csv_raw: CsvRawOpt = False,
) -> None:
    """Match texts to the competencies (or occupations) of frameworks.

    The score (0-1) fuses embedding similarity and string evidence; the table
    shows which label or alt label matched and both component scores. The first
    run on a framework embeds its labels (a progress bar shows it); later runs
    reuse the cache (`align cache info`).
    """
    from align._config import METHODS
    from align._match import MATCH_TARGETS, match
    from align.exceptions import InvalidArgumentError

    if fmt not in _MATCH_FORMATS:
        raise InvalidArgumentError(
            f"--format {fmt!r} is not a format; use one of {', '.join(_MATCH_FORMATS)}."
        )
    if not framework:
        raise InvalidArgumentError(
            "no --framework given; name at least one of "
            f"{', '.join(MATCH_TARGETS)} (or a framework file)."
        )
    queries = _match_texts(texts, input_file)
    if not queries:
        raise InvalidArgumentError(
            "no texts to match: give them as arguments or with --input FILE (or '-')."
        )
    if method not in METHODS:
        raise InvalidArgumentError(
            f"--method {method!r} is not a method; use one of {', '.join(METHODS)}."
        )
    with warnings.catch_warnings():
        # Blank lines are part of the contract (they get empty matches), not a problem.
        warnings.filterwarnings("ignore", message=r".*blank text", category=Warning)
        res = match(
            queries,
            framework,
            top_k,
            min_score,
            method=method,  # type: ignore[arg-type]  # checked against METHODS above
            kinds=kind or None,
            data_dir=data_dir,
        )
    if fmt == "jsonl":
        grouped = {i: g for i, g in res.groupby("query_index")}
        for i, q in enumerate(queries):
            g = grouped.get(i)
            matches = (
                []
                if g is None
                else [
                    {k: _jsonl_value(v) for k, v in zip(_JSONL_KEYS, row, strict=True)}
                    for row in g[list(_JSONL_KEYS)].itertuples(index=False, name=None)
                ]
            )
            emit(dumps_json({"query": q, "matches": matches}) + "\n", raw=True)
    elif fmt == "csv":
        write_csv(res, csv_raw)
    else:
        for i, q in enumerate(queries):
            g = res[res["query_index"] == i]
            table = Table(title=safe(q) if q.strip() else "(blank)", title_justify="left")
            # The names and what matched get the width; numbers never wrap. Below 110
            # columns the semantic/lexical split and the framework column are left out
            # (the framework key is shown with the code): the --format csv has everything.
            wide = console.width >= WIDE_TABLE
            table.add_column("#", no_wrap=True)
            table.add_column("competency", ratio=3)
            table.add_column("kind", no_wrap=True, max_width=10)
            if wide:
                table.add_column("framework", no_wrap=True)
            table.add_column("score", no_wrap=True, justify="right")
            if wide:
                table.add_column("semantic", no_wrap=True, justify="right")
                table.add_column("lexical", no_wrap=True, justify="right")
            table.add_column("matched on", ratio=3)
            rows: list[Any] = list(g.itertuples(index=False))
            for row in rows:
                sem = (
                    "-"
                    if row.semantic_score != row.semantic_score
                    else (f"{row.semantic_score:.2f}")
                )
                code = safe(row.code) if wide else f"{safe(row.framework)}:{safe(row.code)}"
                cells = [str(row.rank), f"{safe(row.label)} [dim]({code})[/]", safe(row.kind)]
                if wide:
                    cells.append(safe(row.framework))
                cells.append(f"{row.score:.2f}")
                if wide:
                    cells += [sem, f"{row.lexical_score:.2f}"]
                cells.append(safe(textwrap.shorten(str(row.matched_surface), 90, placeholder=" …")))
                table.add_row(*cells)
            emit(table)
