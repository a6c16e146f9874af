"""``align postings``: ingest exports, skill demand, skill extraction, title coding."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from align.cli._app import (
    CsvRawOpt,
    DataDirOpt,
    ForceOpt,
    app,
    emit,
    output_file,
    print_frame,
    safe,
    wrote,
)

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
ExtractMethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        help="hybrid, semantic or lexical (named skills + the matcher), or literal (named "
        "skills only: no model, seconds for thousands of postings).",
    ),
]
LimitOpt = Annotated[int | None, typer.Option("--limit", help="At most this many postings.")]


def _postings_db(db: Path | None, data_dir: Path | None = None) -> Path:
    from align.postings import default_db_path

    return db if db is not None else default_db_path(data_dir)


def _print_job(result: Any, title: str) -> None:
    """Print the batch-log entry of an extraction or coding run (``result.attrs["batch"]``)."""
    import pandas as pd

    batch = result.attrs.get("batch", {})
    row = pd.DataFrame([{k: batch.get(k) for k in ("rows_read", "rows_loaded", "note")}])
    print_frame(row, "table", title=title)


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
    print_frame(show, "table", title=f"Loaded into {path}")


OccupationsOpt = Annotated[
    list[str] | None,
    typer.Option("--occupation", help="O*NET-SOC code or prefix (15-2051, 15-); repeatable."),
]
RegionsOpt = Annotated[
    list[str] | None,
    typer.Option("--region", help="State (TX, Texas), MSA or county; repeatable."),
]


# The occupations table in a narrow terminal: codes, postings and how sure the coding is.
_OCCUPATIONS_NARROW = (
    "rank", "onet_code", "onet_title", "source", "postings", "low_confidence", "example_titles",
)  # fmt: skip
# The demand table in a narrow terminal: what is asked for and how much (--format csv has all).
_DEMAND_NARROW = ("rank", "skill_name", "postings", "share", "trend", "generic")


@postings_app.command("demand")
def postings_demand(
    occupation: OccupationsOpt = None,
    region: RegionsOpt = None,
    period: Annotated[str | None, typer.Option("--period", help="2024, 2024Q2 or 2024-05.")] = None,
    top: Annotated[int, typer.Option("--top", help="Number of skills.")] = 20,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    csv_raw: CsvRawOpt = False,
    source: Annotated[
        str, typer.Option("--source", help="auto, export or extracted skills.")
    ] = "auto",
    mentions: Annotated[
        str,
        typer.Option(
            "--mentions",
            help="Extracted skills to count: 'asked' (the posting asks for them) or 'all' "
            "(every skill named, company descriptions and team names included).",
        ),
    ] = "asked",
    generic: Annotated[
        str,
        typer.Option(
            "--generic",
            help="Generic skills (asked about as often by every occupation in the database): "
            "'show' (flagged in the generic column), 'hide' (left out, their number said) or "
            "'down-weight' (ranked by share x specificity).",
        ),
    ] = "show",
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
        mentions=mentions,  # type: ignore[arg-type]  # checked by skill_demand
        generic=generic,
    )
    title = (
        f"Skill demand: {df.attrs.get('postings', 0):,} postings with skills "
        f"({df.attrs.get('postings_matching', 0):,} matching); "
        + ("skills the postings ask for" if mentions == "asked" else "every skill named")
    )
    if generic == "hide":
        title += f"; {df.attrs.get('generic_hidden', 0):,} generic skills hidden"
    elif generic == "down-weight":
        title += "; ranked by share x specificity (generic skills down-weighted)"
    narrow = (*_DEMAND_NARROW, "weighted_share") if generic == "down-weight" else _DEMAND_NARROW
    print_frame(df, fmt, title=title, csv_raw=csv_raw, narrow=narrow)


@postings_app.command("extract-skills")
def postings_extract_skills(
    taxonomy: Annotated[
        str, typer.Option("--taxonomy", help="lightcast, esco or onet.")
    ] = "lightcast",
    method: ExtractMethodOpt = "hybrid",
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
    top1 = report[report["rank"] == 1]
    if len(top1) and "confidence" in top1:
        from align.postings import LOW_CONFIDENCE

        unsure = int((top1["confidence"].lt(LOW_CONFIDENCE) | top1["tied"].astype(bool)).sum())
        emit(
            f"{unsure:,} of {len(top1):,} postings have a coding more likely wrong than right "
            f"or tied; review them with `align postings occupations --review review.csv`.",
            err=True,
        )


@postings_app.command("occupations")
def postings_occupations(
    occupation: OccupationsOpt = None,
    region: RegionsOpt = None,
    top: Annotated[int | None, typer.Option("--top", help="Number of codes.")] = 20,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    review: Annotated[
        Path | None,
        typer.Option(
            "--review",
            help="Write the uncertain title codings to this CSV (one row per title, with the "
            "coder's best codes) for you to fill in reviewed_code, then --import-review it.",
        ),
    ] = None,
    review_below: Annotated[
        float,
        typer.Option(
            "--review-below",
            help="With --review: list titles whose coding confidence is below this (and ties).",
        ),
    ] = 0.5,
    review_all: Annotated[
        bool, typer.Option("--review-all", help="With --review: list every title-coded title.")
    ] = False,
    import_review: Annotated[
        Path | None,
        typer.Option(
            "--import-review",
            help="Store the reviewed codes of a sheet written by --review (reviewed_code: an "
            "O*NET-SOC code, keep, none or clear); demand then uses them.",
        ),
    ] = None,
    force: ForceOpt = False,
    db: PostingsDbOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Postings per O*NET-SOC code, with example titles and the title coding's confidence.

    With --review FILE, write the codings worth a human look to a CSV instead; with
    --import-review FILE, store the codes you reviewed in it.
    """
    from align.postings import coded_occupations

    path = _postings_db(db, data_dir)
    if review is not None and import_review is not None:
        raise typer.BadParameter(
            "--review writes a sheet and --import-review reads one back: use one at a time."
        )
    if review is not None:
        from align.postings import write_review_sheet

        # A sheet the analyst edited is not written over without --force.
        review = output_file(review, inputs=[path], force=force, option="--review")
        sheet = write_review_sheet(
            path, review, below=review_below, occupation=occupation, region=region,
            all_titles=review_all,
        )  # fmt: skip
        wrote(review)
        emit(
            f"wrote {len(sheet):,} titles ({int(sheet['postings'].sum()):,} postings) to "
            f"{safe(review)}; fill in reviewed_code (an O*NET-SOC code, keep, none or clear), "
            f"save as CSV UTF-8 and run `align postings occupations --import-review "
            f"{safe(review)}`.",
            err=True,
        )
        return
    if import_review is not None:
        from align.postings import import_review as store_review

        done = store_review(path, import_review, data_dir=data_dir)
        print_frame(done, fmt, title=f"Reviewed codes stored in {path}")
        return
    df = coded_occupations(path, occupation=occupation, region=region, top=top)
    print_frame(
        df, fmt, title="Postings by occupation (check the example titles of each code)",
        narrow=_OCCUPATIONS_NARROW,
    )  # fmt: skip


@postings_app.command("synth")
def postings_synth(
    rows: Annotated[int, typer.Option("--rows", help="Number of synthetic postings.")] = 1000,
    out: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet, jsonl or xlsx.")] = "csv",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    with_body: Annotated[
        bool, typer.Option("--with-body", help="Add a template BODY naming the skills.")
    ] = False,
    force: ForceOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Write SYNTHETIC Lightcast-shaped postings (labelled as such) for tests and benchmarks."""
    from align.postings import write_synthetic_postings

    path = out if out is not None else Path(f"synthetic_postings.{fmt}")
    output_file(path, force=force)
    written = write_synthetic_postings(
        path,
        rows,
        file_format=fmt,  # type: ignore[arg-type]  # checked by write_synthetic_postings
        seed=seed,
        data_dir=data_dir,
        with_body=with_body,
    )
    wrote(written)
    emit(f"wrote {rows:,} synthetic postings to {safe(written)}", err=True)


@postings_app.command("batches")
def postings_batches(
    db: PostingsDbOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    csv_raw: CsvRawOpt = False,
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
    print_frame(df[cols] if fmt == "table" else df, fmt, title="Batches", csv_raw=csv_raw)
