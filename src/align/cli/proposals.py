"""``align score``, ``check``, ``gaps``, ``portfolio``: proposals and their reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.cli._app import (
    CsvRawOpt,
    DataDirOpt,
    ForceOpt,
    app,
    check_format,
    emit,
    output_file,
    print_report,
    write_csv,
    wrote,
)

FormatOpt = Annotated[str, typer.Option("--format", help="table (an explained report) or json.")]
MethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        help="How outcomes earn credit: hybrid (meaning and the tools an outcome names; "
        "the default) or semantic (meaning only). Scoring needs the model: lexical is "
        "refused (it is for `align match`).",
    ),
]


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
    force: ForceOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Score how well a proposal teaches what its target occupations demand (0-100, explained).

    Demand: O*NET importance ratings, or job postings with --postings-db.

    Every component of the score is shown; the formula is in docs/scoring.md.
    """
    from align.proposals import load_proposal, postings_demand, score_alignment

    check_format(fmt)
    if html_out is not None:
        output_file(html_out, inputs=[proposal, postings_db], force=force, option="--html")
    p = load_proposal(proposal)
    use_region = region or (p.region if postings_db is not None else None)
    demand = (
        None
        if postings_db is None
        else postings_demand(postings_db, p.target_occupations, use_region)
    )
    report = score_alignment(
        p,
        demand=demand,
        data_dir=data_dir,
        method=method,  # type: ignore[arg-type]
        region=use_region,
    )
    if html_out is not None:
        report.write_html(html_out)
        wrote(html_out)
    print_report(report, fmt)


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
    from align.proposals import check_policy, default_policy_yaml, load_policy, load_proposal

    if show_policy:
        emit(default_policy_yaml(), raw=True)
        return
    if proposal is None:
        raise typer.BadParameter(
            "give the proposal file to check, e.g. `align check data/examples/data-analytics.yaml`."
        )
    check_format(fmt)
    p = load_proposal(proposal)
    pol = load_policy(policy)
    alignment = None
    if align_:
        from align.proposals import score_alignment

        alignment = score_alignment(p, data_dir=data_dir)
    report = check_policy(p, pol, alignment)
    print_report(report, fmt)
    if alignment is None and fmt == "table":
        emit(
            "[dim]--no-align skipped the competency checks; run `align check` without it to "
            "check them.[/]",
            err=True,
            highlight=False,
        )
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
    from align._safeio import check_finite
    from align.proposals import find_stacking_gaps

    check_format(fmt)
    check_finite(threshold, "--threshold-credits", minimum=0)
    report = find_stacking_gaps(
        stack,
        target,
        data_dir=data_dir,
        method=method,  # type: ignore[arg-type]
        threshold_credits=threshold,
    )
    print_report(report, fmt)


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
    csv_raw: CsvRawOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Show which demanded skills the credentials in FOLDER cover, and which none covers."""
    from align.proposals import load_portfolio, portfolio_coverage, postings_demand

    check_format(fmt, ("table", "json", "csv"))
    creds = load_portfolio(folder)
    codes = sorted({c for p in creds for c in p.target_occupations})
    demand = None if postings_db is None else postings_demand(postings_db, codes, region)
    report = portfolio_coverage(creds, demand, data_dir=data_dir, method=method)  # type: ignore[arg-type]
    if fmt == "csv":
        write_csv(report.to_frame("long"), csv_raw)
    else:
        print_report(report, fmt)
