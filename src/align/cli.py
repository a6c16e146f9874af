"""The ``align`` command line: parses arguments, calls the library, prints.

No logic lives here beyond formatting; every command is a thin wrapper over
the public API so that notebooks and the CLI agree.
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


def _check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    if fmt not in allowed:
        raise typer.BadParameter(f"--format {fmt!r}: use one of {', '.join(allowed)}.")


# == frameworks ===============================================================
@frameworks_app.command("list")
def frameworks_list(data_dir: DataDirOpt = None) -> None:
    """List the frameworks align knows by name, and whether their files are present."""
    from align.frameworks import available_frameworks

    table = Table("name", "available", "description", "searched in")
    for row in available_frameworks(data_dir).itertuples():
        table.add_row(
            str(row.name), "yes" if row.available else "no", str(row.description), str(row.folder)
        )
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
) -> None:
    """Export a framework as a CASE 1.1 package that CASE tools and badge platforms read."""
    from align.frameworks import load_framework
    from align.frameworks.case import write_case

    fw = load_framework(name, data_dir=data_dir)
    if kind:
        fw = fw.subset(kind)
    path = write_case(fw, out, base_uri=base_uri)
    console.print(f"wrote {len(fw):,} competencies of {fw.info.name} {fw.version} to {path}")


# == data (fetch / import) ====================================================
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
        console.print(
            f"O*NET {info['release']} is in {path}\n  from {info['url']}\n"
            f"  sha256 {info['sha256']}",
            highlight=False,
        )
    else:
        console.print(
            f"O*NET is already in {path}; use --force to download it again.", highlight=False
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
    console.print(
        f"{name} imported to {dest}; load it with `align frameworks show {name}`.", highlight=False
    )


# == match / cache ============================================================
# (section owned by the matcher)
# name -> (framework to load, target). Which kinds are matched by default is the
# Matcher's rule (align._match.SKIPPED_KINDS: no grouping nodes anywhere, no O*NET tasks
# or technology examples unless --kind asks for them).
_MATCH_TARGETS: dict[str, tuple[str, str]] = {
    "onet": ("onet", "competencies"),
    "onet-occupations": ("onet", "occupations"),
    "esco": ("esco", "competencies"),
    "esco-occupations": ("esco", "occupations"),
    "lightcast": ("lightcast", "competencies"),
    "nace": ("nace", "competencies"),
    "cmc": ("cmc", "competencies"),
}
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
cache_app = typer.Typer(help="Inspect or clear align's caches.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


def _match_texts(texts: list[str] | None, input_file: str | None) -> list[str]:
    out = list(texts or [])
    if input_file is not None:
        from align.exceptions import InvalidArgumentError

        if input_file == "-":
            out += sys.stdin.read().splitlines()
        else:
            path = Path(input_file).expanduser()
            if not path.is_file():
                raise InvalidArgumentError(
                    f"--input {input_file!r} is not a file; give a text file with one outcome "
                    "or sentence per line, or '-' to read standard input."
                )
            try:
                out += path.read_text("utf-8-sig").splitlines()
            except UnicodeDecodeError as exc:
                raise InvalidArgumentError(
                    f"--input {input_file!r} is not UTF-8 text ({exc}); save it as UTF-8."
                ) from exc
    return out


def _run_match(
    texts: list[str],
    names: list[str],
    data_dir: Path | None,
    top_k: int,
    method: str,
    min_score: float,
    kinds: list[str] | None,
) -> Any:
    import warnings

    import pandas as pd

    from align._match import MATCH_COLUMNS, METHODS, Matcher
    from align.exceptions import InvalidArgumentError, UnknownNameError
    from align.frameworks import load_framework

    if method not in METHODS:
        raise InvalidArgumentError(
            f"--method {method!r} is not a method; use one of {', '.join(METHODS)}."
        )
    frames = []
    for name in names:
        spec = _MATCH_TARGETS.get(name.lower())
        if spec is None and not Path(name).expanduser().exists():
            raise UnknownNameError(
                f"--framework {name!r} is not a framework name or an existing file. Available: "
                f"{', '.join(_MATCH_TARGETS)}, or the path of a framework file or release folder."
            )
        source, target = spec if spec else (name, "competencies")
        fw = load_framework(source, data_dir=data_dir)
        use_kinds: list[str] | str | None = kinds or None
        if use_kinds and "all" in use_kinds:
            use_kinds = "all"
        elif target == "competencies" and use_kinds:
            # With several frameworks, each keeps the asked kinds it has.
            present = set(fw.competencies["kind"])
            use_kinds = [k for k in use_kinds if k in present] or use_kinds
        matcher = Matcher(
            fw,
            method,  # type: ignore[arg-type]  # checked against METHODS above
            target=target,  # type: ignore[arg-type]
            kinds=use_kinds if target == "competencies" else None,
        )
        with warnings.catch_warnings():
            # Blank lines are part of the contract (they get empty matches), not a problem.
            warnings.filterwarnings("ignore", message=r".*blank text", category=Warning)
            frames.append(matcher.fit().match(texts, top_k=top_k, min_score=min_score))
    res = pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)
    if len(names) > 1 and not res.empty:
        res = res.sort_values(["query_index", "score"], ascending=[True, False], kind="stable")
        res = res.groupby("query_index", sort=True).head(top_k).copy()
        res["rank"] = res.groupby("query_index").cumcount() + 1
        res = res.reset_index(drop=True)
    return res[list(MATCH_COLUMNS)]


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
) -> None:
    """Match texts to the competencies (or occupations) of frameworks.

    The score (0-1) fuses embedding similarity and string evidence; the table
    shows which label or alt label matched and both component scores. The first
    run on a framework embeds its labels (a progress bar shows it); later runs
    reuse the cache (`align cache info`).
    """
    from align.exceptions import InvalidArgumentError

    if fmt not in _MATCH_FORMATS:
        raise InvalidArgumentError(
            f"--format {fmt!r} is not a format; use one of {', '.join(_MATCH_FORMATS)}."
        )
    if not framework:
        raise InvalidArgumentError(
            "no --framework given; name at least one of "
            f"{', '.join(_MATCH_TARGETS)} (or a framework file)."
        )
    queries = _match_texts(texts, input_file)
    if not queries:
        raise InvalidArgumentError(
            "no texts to match: give them as arguments or with --input FILE (or '-')."
        )
    res = _run_match(queries, framework, data_dir, top_k, method, min_score, kind)
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
            sys.stdout.write(
                json.dumps({"query": q, "matches": matches}, ensure_ascii=False) + "\n"
            )
    elif fmt == "csv":
        res.to_csv(sys.stdout, index=False)
    else:
        for i, q in enumerate(queries):
            g = res[res["query_index"] == i]
            table = Table(
                "#",
                "competency",
                "kind",
                "framework",
                "score",
                "semantic",
                "lexical",
                "matched on",
                title=q if q.strip() else "(blank)",
                title_justify="left",
            )
            for row in g.itertuples(index=False):
                sem = (
                    "-"
                    if row.semantic_score != row.semantic_score
                    else (f"{row.semantic_score:.2f}")
                )
                table.add_row(
                    str(row.rank),
                    f"{row.label} [dim]({row.code})[/]",
                    row.kind,
                    row.framework,
                    f"{row.score:.2f}",
                    sem,
                    f"{row.lexical_score:.2f}",
                    row.matched_surface,
                )
            console.print(table)


@cache_app.command("info")
def cache_info_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show where cached embeddings and parsed frameworks live and how much they hold."""
    from align._config import cache_dir
    from align._embed import cache_info

    info = cache_info()
    fw_root = cache_dir("frameworks")
    entries = [p for p in fw_root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    info["frameworks"] = {
        "path": str(fw_root),
        "entries": len(entries),
        "size_bytes": sum(f.stat().st_size for p in entries for f in p.rglob("*") if f.is_file()),
    }
    if as_json:
        _print_json(info)
        return
    console.print(
        f"embeddings: {info['path']}  ({info['vectors']:,} vectors, "
        f"{info['size_bytes'] / 1e6:,.1f} MB)",
        highlight=False,
    )
    for model, n in info["models"].items():
        console.print(f"  {model}: {n:,} vectors", highlight=False)
    fws = info["frameworks"]
    console.print(
        f"parsed frameworks: {fws['path']}  ({fws['entries']} entries, "
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
    console.print(
        f"removed {vectors:,} cached vectors and {frameworks} parsed framework(s).", highlight=False
    )


# == postings =================================================================
# (section owned by postings)
postings_app = typer.Typer(
    help="Job postings: ingest exports, skill demand, skill extraction, title coding.",
    no_args_is_help=True,
)
app.add_typer(postings_app, name="postings")

PostingsDbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Postings database file (default: ALIGN_POSTINGS_DB, else postings.duckdb in "
        "your align user data folder).",
    ),
]
PostingsMethodOpt = Annotated[str, typer.Option("--method", help="hybrid, semantic or lexical.")]
LimitOpt = Annotated[int | None, typer.Option("--limit", help="At most this many postings.")]


def _postings_db(db: Path | None, data_dir: Path | None = None) -> Path:
    from align.postings import default_db_path

    return db if db is not None else default_db_path(data_dir)


def _print_frame(df: Any, fmt: str, title: str | None = None) -> None:
    _check_format(fmt, ("csv", "json", "table"))
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
        return
    if fmt == "json":
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, indent=2) + "\n")
        return
    table = Table(*[str(c) for c in df.columns], title=title)
    for row in df.itertuples(index=False):
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)


def _print_job(report: Any, title: str) -> None:
    """Print the batch-report row of an extraction or coding run."""
    _print_frame(report[["rows_read", "rows_loaded", "note"]], "table", title=title)


@postings_app.command("ingest")
def postings_ingest(
    files: Annotated[list[Path], typer.Argument(help="Export files: CSV, XLSX, Parquet, JSONL.")],
    db: PostingsDbOpt = None,
    preset: Annotated[
        str, typer.Option("--preset", help="Column names to expect: lightcast|glassdoor|linkedin.")
    ] = "lightcast",
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="COL=FIELD: read source column COL as field FIELD "
            "(repeatable), e.g. --map job_id=id.",
        ),
    ] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of CSV/JSONL.")
    ] = "utf-8",
    data_dir: DataDirOpt = None,
) -> None:
    """Load job-posting exports into the postings database (re-loading adds no duplicates)."""
    from align.postings import ingest_postings

    pairs: dict[str, str] = {}
    for item in mapping or []:
        col, sep, field = item.rpartition("=")
        if not sep or not col or not field:
            raise typer.BadParameter(f"--map {item!r}: write COL=FIELD, e.g. --map job_id=id.")
        pairs[col] = field
    path = _postings_db(db, data_dir)
    report = ingest_postings(
        files,
        path,
        preset=preset,  # type: ignore[arg-type]  # checked by ingest_postings
        mapping=pairs,
        encoding=encoding,
    )
    show = report[["file", "rows_read", "rows_loaded", "rows_duplicate", "rows_rejected", "note"]]
    show = show.assign(note=[n if str(n).startswith("already") else "" for n in show["note"]])
    _print_frame(show, "table", title=f"Loaded into {path}")


@postings_app.command("demand")
def postings_demand(
    occupation: Annotated[
        list[str] | None,
        typer.Option("--occupation", help="O*NET-SOC code or prefix (15-2051, 15-); repeatable."),
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option("--region", help="State (TX, Texas), MSA or county; repeatable."),
    ] = None,
    period: Annotated[str | None, typer.Option("--period", help="2024, 2024Q2 or 2024-05.")] = None,
    top: Annotated[int, typer.Option("--top", help="Number of skills.")] = 20,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    source: Annotated[
        str, typer.Option("--source", help="auto, export or extracted skills.")
    ] = "auto",
    db: PostingsDbOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Rank the skills postings ask for, by occupation, region and period."""
    from align.postings import skill_demand

    df = skill_demand(
        _postings_db(db, data_dir),
        occupation=occupation,
        region=region,
        period=period,
        top=top,
        source=source,  # type: ignore[arg-type]  # checked by skill_demand
    )
    title = (
        f"Skill demand: {df.attrs.get('postings', 0):,} postings with skills "
        f"({df.attrs.get('postings_matching', 0):,} matching)"
    )
    _print_frame(df, fmt, title=title)


@postings_app.command("extract-skills")
def postings_extract_skills(
    taxonomy: Annotated[
        str, typer.Option("--taxonomy", help="lightcast, esco or onet.")
    ] = "lightcast",
    method: PostingsMethodOpt = "hybrid",
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Minimum score (default: chosen on dev).")
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="LocalCluster workers (dask).")] = 2,
    limit: LimitOpt = None,
    redo: Annotated[
        bool, typer.Option("--redo", help="Also postings that already have extracted skills.")
    ] = False,
    db: PostingsDbOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Find skills in the text of postings that have no skill lists, and store them."""
    from align.postings import extract_skills

    report = extract_skills(
        _postings_db(db, data_dir),
        taxonomy=taxonomy,  # type: ignore[arg-type]  # checked by extract_skills
        method=method,  # type: ignore[arg-type]
        threshold=threshold,
        engine=engine,  # type: ignore[arg-type]
        scheduler=scheduler,
        n_workers=workers,
        limit=limit,
        redo=redo,
        data_dir=data_dir,
    )
    _print_job(report, "Skill extraction (rows_read = postings, rows_loaded = skills stored)")


@postings_app.command("code-titles")
def postings_code_titles(
    top_k: Annotated[int, typer.Option("--top-k", help="Codes kept per posting.")] = 3,
    method: PostingsMethodOpt = "hybrid",
    limit: LimitOpt = None,
    redo: Annotated[bool, typer.Option("--redo", help="Recode postings coded before.")] = False,
    db: PostingsDbOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Give postings without an O*NET code the best O*NET-SOC codes for their titles."""
    from align.postings import code_titles

    report = code_titles(
        _postings_db(db, data_dir),
        top_k=top_k,
        method=method,  # type: ignore[arg-type]
        limit=limit,
        redo=redo,
        data_dir=data_dir,
    )
    _print_job(report, "Title coding (rows_read = postings, rows_loaded = codes stored)")


@postings_app.command("synth")
def postings_synth(
    rows: Annotated[int, typer.Option("--rows", help="Number of synthetic postings.")] = 1000,
    out: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet, jsonl or xlsx.")] = "csv",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    with_body: Annotated[
        bool, typer.Option("--with-body", help="Add a template BODY naming the skills.")
    ] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Write SYNTHETIC Lightcast-shaped postings (labelled as such) for tests and benchmarks."""
    from align.postings import write_synthetic_postings

    path = out if out is not None else Path(f"synthetic_postings.{fmt}")
    written = write_synthetic_postings(
        path,
        rows,
        file_format=fmt,  # type: ignore[arg-type]  # checked by write_synthetic_postings
        seed=seed,
        data_dir=data_dir,
        with_body=with_body,
    )
    err_console.print(f"wrote {rows:,} synthetic postings to {written}")


@postings_app.command("batches")
def postings_batches(
    db: PostingsDbOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    data_dir: DataDirOpt = None,
) -> None:
    """Show the load log: files, checksums, rows read/loaded/rejected."""
    from align.postings import PostingsStore

    with PostingsStore(_postings_db(db, data_dir), read_only=True) as store:
        df = store.batches()
    cols = [
        "batch_id",
        "kind",
        "file",
        "rows_read",
        "rows_loaded",
        "rows_duplicate",
        "rows_rejected",
        "loaded_at",
    ]
    _print_frame(df[cols] if fmt == "table" else df, fmt, title="Batches")


# == proposals: score / check / gaps / portfolio ==============================
# (section owned by proposals)
FormatOpt = Annotated[str, typer.Option("--format", help="table (an explained report) or json.")]
MethodOpt = Annotated[
    str, typer.Option("--method", help="Matching method: hybrid, semantic or lexical (no model).")
]


def _postings_demand(
    postings_db: Path | None, codes: list[str], region: str | None, data_dir: Path | None
) -> Any:
    if postings_db is None:
        return None
    from align.exceptions import ProposalError
    from align.postings import skill_demand

    if not postings_db.exists():
        raise ProposalError(
            f"postings database {str(postings_db)!r} does not exist; load postings first with "
            "`align postings ingest FILE --db DB`, or leave out --postings-db to use O*NET "
            "importance ratings instead."
        )
    demand = skill_demand(postings_db, occupation=codes or None, region=region, top=None)
    if demand.empty:
        where = f" in {region}" if region else ""
        raise ProposalError(
            f"no postings in {str(postings_db)!r} match the target occupations {codes}{where}; "
            "check --region, or leave out --postings-db to use O*NET importance ratings."
        )
    return demand


def _print_report(report: Any, fmt: str, render: Any) -> None:
    """Print a proposal report as JSON, or as the rich parts ``render`` makes of it."""
    if fmt == "json":
        sys.stdout.write(report.to_json() + "\n")
        return
    for part in render(report):
        console.print(part)


@app.command("score")
def score_cmd(
    proposal: Annotated[Path, typer.Argument(help="Proposal file (.yaml or .json).")],
    postings_db: Annotated[
        Path | None,
        typer.Option(
            "--postings-db",
            help="Postings database (from `align postings ingest`): "
            "demand comes from postings instead of O*NET importance ratings.",
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            help="State, MSA or county of the postings (default: the proposal's region).",
        ),
    ] = None,
    fmt: FormatOpt = "table",
    method: MethodOpt = "hybrid",
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as an HTML page.")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Score how well a proposal teaches what its target occupations demand (0-100, explained).

    Demand: O*NET importance ratings, or job postings with --postings-db.

    Every component of the score is shown; the formula is in docs/scoring.md.
    """
    from align._report import alignment_rich
    from align._score import score_alignment
    from align.proposal import load_proposal

    _check_format(fmt)
    p = load_proposal(proposal)
    use_region = region or (p.region if postings_db is not None else None)
    demand = _postings_demand(postings_db, p.target_occupations, use_region, data_dir)
    report = score_alignment(
        p,
        demand=demand,
        data_dir=data_dir,
        method=method,  # type: ignore[arg-type]
        region=use_region,
    )
    if html_out is not None:
        report.write_html(html_out)
    _print_report(report, fmt, alignment_rich)


@app.command("check")
def check_cmd(
    proposal: Annotated[Path | None, typer.Argument(help="Proposal file (.yaml or .json).")] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="Policy YAML (default: the built-in one, "
            "modelled on a state system's micro-credential rules).",
        ),
    ] = None,
    align_: Annotated[
        bool,
        typer.Option(
            "--align/--no-align",
            help="Score the alignment to check the "
            "professional/technical competency rules (needs O*NET and the "
            "model); --no-align skips those two checks.",
        ),
    ] = True,
    show_policy: Annotated[
        bool,
        typer.Option(
            "--show-policy",
            help="Print the built-in policy YAML (a starting "
            "point for your own --policy file) and exit.",
        ),
    ] = False,
    fmt: FormatOpt = "table",
    data_dir: DataDirOpt = None,
) -> None:
    """Check a proposal against the micro-credential policy: pass, warn or fail per rule.

    Exit code 0 when no check fails (warnings allowed), 1 when any check fails.

    Exit code 2 when the proposal or policy file cannot be read.
    """
    from align._policy import check_policy, default_policy_yaml, load_policy
    from align._report import policy_rich
    from align.proposal import load_proposal

    if show_policy:
        sys.stdout.write(default_policy_yaml())
        return
    if proposal is None:
        raise typer.BadParameter(
            "give the proposal file to check, e.g. `align check data/examples/data-analytics.yaml`."
        )
    _check_format(fmt)
    p = load_proposal(proposal)
    pol = load_policy(policy)
    alignment = None
    if align_:
        from align._score import score_alignment

        alignment = score_alignment(p, data_dir=data_dir)
    report = check_policy(p, pol, alignment)
    _print_report(report, fmt, policy_rich)
    if not report.passed:
        raise typer.Exit(1)


@app.command("gaps")
def gaps_cmd(
    stack: Annotated[
        Path, typer.Argument(help="Stack file (.yaml or .json) listing the credentials.")
    ],
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="What the stack builds toward: onet:<O*NET-SOC code>, a "
            "framework (cmc, nace), or a larger badge's proposal file (default: the "
            "stack file's target).",
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold-credits",
            help="Credits needed for the certificate or degree (default: the stack file's).",
        ),
    ] = None,
    fmt: FormatOpt = "table",
    method: MethodOpt = "hybrid",
    data_dir: DataDirOpt = None,
) -> None:
    """Explain a stack: coverage matrix, gaps, redundancy, order, credits, next credential."""
    from align._report import gaps_rich
    from align._stack import find_stacking_gaps

    _check_format(fmt)
    report = find_stacking_gaps(
        stack,
        target,
        data_dir=data_dir,
        method=method,  # type: ignore[arg-type]
        threshold_credits=threshold,
    )
    _print_report(report, fmt, gaps_rich)


@app.command("portfolio")
def portfolio_cmd(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Folder of proposal files (searched recursively; stack files are skipped)."
        ),
    ],
    postings_db: Annotated[
        Path | None,
        typer.Option(
            "--postings-db",
            help="Postings database: demand from postings instead of O*NET importance ratings.",
        ),
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="State, MSA or county.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, json or csv (the matrix, for a heatmap).")
    ] = "table",
    method: MethodOpt = "hybrid",
    data_dir: DataDirOpt = None,
) -> None:
    """Show which demanded skills the credentials in FOLDER cover, and which none covers."""
    from align._portfolio import load_portfolio, portfolio_coverage
    from align._report import portfolio_rich

    _check_format(fmt, ("table", "json", "csv"))
    creds = load_portfolio(folder)
    codes = sorted({c for p in creds for c in p.target_occupations})
    demand = _postings_demand(postings_db, codes, region, data_dir)
    report = portfolio_coverage(creds, demand, data_dir=data_dir, method=method)  # type: ignore[arg-type]
    if fmt == "csv":
        sys.stdout.write(report.to_frame("long").to_csv(index=False))
    else:
        _print_report(report, fmt, portfolio_rich)


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
        err_console.print(f"[yellow]warning:[/] {message}", highlight=False)
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
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise SystemExit(2) from None
