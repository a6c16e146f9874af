"""``align evidence`` and ``align review ...``: the committee packet and the review record."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.cli._app import (
    DataDirOpt,
    ForceOpt,
    app,
    emit,
    output_file,
    print_frame,
    safe,
    wrote,
)

review_app = typer.Typer(
    help="The review record: reviewers by discipline, ratings, feedback, the decision.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Review database (default: ALIGN_REVIEWS_DB, else align-reviews.sqlite here).",
    ),
]
RubricOpt = Annotated[
    Path | None,
    typer.Option("--rubric", help="Rubric YAML (default: the built-in micro-credential rubric)."),
]
ProposalArg = Annotated[
    str, typer.Argument(help="Proposal file (.yaml/.json), or the proposal's id.")
]


def _proposal_id(value: str) -> str:
    path = Path(value)
    if path.is_file():
        from align.proposals import load_proposal

        return load_proposal(path).id
    return value


def _store(db: Path | None, rubric: Path | None = None):  # type: ignore[no-untyped-def]
    from align.committee import ReviewStore

    return ReviewStore(db, rubric=rubric)


@app.command("evidence")
def evidence_cmd(
    proposal: Annotated[Path, typer.Argument(help="Proposal file (.yaml or .json).")],
    out: Annotated[Path, typer.Option("--out", help="Write the packet here (.html).")],
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Also print it to PDF (headless Chromium).")
    ] = None,
    rubric: RubricOpt = None,
    db: DbOpt = None,
    demand_period: Annotated[
        str | None,
        typer.Option("--demand-period", help="Period of the postings data, e.g. 2026Q3."),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="How outcomes earn credit: hybrid (meaning and named tools; the default) "
            "or semantic (meaning only); lexical is refused (scoring needs the model).",
        ),
    ] = "hybrid",
    force: ForceOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Build the committee packet: rubric evidence, score, alignments, review record.

    One self-contained HTML file (charts inline, nothing loaded from the network) and,
    with --pdf, the same page as PDF.
    """
    from align.committee import committee_packet
    from align.proposals import load_proposal

    inputs = [proposal, rubric, db]
    output_file(out, inputs=inputs, force=force)
    if pdf is not None:
        output_file(pdf, inputs=[*inputs, out], force=force, option="--pdf")
    p = load_proposal(proposal)
    store = None
    if db is not None or _default_db_exists():
        store = _store(db, rubric)
    packet = committee_packet(
        p,
        rubric=rubric,
        store=store,
        demand_period=demand_period,
        method=method,
        data_dir=data_dir,
    )
    packet.write_html(out)
    wrote(out)
    emit(f"wrote {safe(out)}", highlight=False)
    if pdf is not None:
        packet.write_pdf(pdf)
        wrote(pdf)
        emit(f"wrote {safe(pdf)}", highlight=False)


def _default_db_exists() -> bool:
    from align.committee import default_reviews_path

    return default_reviews_path().is_file()


@review_app.command("add-reviewer")
def add_reviewer_cmd(
    name: Annotated[str, typer.Argument(help="Reviewer's name.")],
    discipline: Annotated[
        list[str], typer.Option("--discipline", help="A discipline they review (repeatable).")
    ],
    db: DbOpt = None,
) -> None:
    """Add a reviewer and the disciplines they review."""
    _store(db).add_reviewer(name, discipline)
    emit(f"reviewer {safe(repr(name))}: {safe(', '.join(discipline))}", highlight=False)


@review_app.command("assign")
def assign_cmd(
    proposal: ProposalArg,
    discipline: Annotated[str, typer.Option("--discipline", help="The proposal's discipline.")],
    db: DbOpt = None,
) -> None:
    """Assign every reviewer of a discipline to a proposal."""
    pid = _proposal_id(proposal)
    names = _store(db).assign(pid, discipline)
    emit(f"{safe(pid)}: assigned {safe(', '.join(names))}", highlight=False)


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for v in values:
        key, sep, val = v.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{what} {v!r}: write it as CRITERION=VALUE, e.g. outcomes=3.")
        out[key.strip()] = val.strip()
    return out


@review_app.command("rate")
def rate_cmd(
    proposal: ProposalArg,
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who is rating.")],
    rating: Annotated[
        list[str], typer.Option("--rating", help="CRITERION=RATING, e.g. outcomes=3 (repeatable).")
    ],
    comment: Annotated[
        list[str] | None,
        typer.Option("--comment", help="CRITERION=TEXT (repeatable)."),
    ] = None,
    overall: Annotated[str, typer.Option("--overall", help="An overall comment.")] = "",
    rubric: RubricOpt = None,
    db: DbOpt = None,
) -> None:
    """Record one reviewer's ratings and comments (all in one transaction)."""
    ratings = _pairs(rating, "--rating")
    comments = _pairs(comment or [], "--comment")
    unknown = set(comments) - set(ratings)
    values: dict[str, tuple[int | None, str]] = {}
    for crit, val in ratings.items():
        if val.lower() in {"", "-", "none", "n/a"}:
            num = None
        else:
            try:
                num = int(val)
            except ValueError:
                raise typer.BadParameter(
                    f"--rating {crit}={val!r}: the rating is a number on the rubric's scale."
                ) from None
        values[crit] = (num, comments.get(crit, ""))
    for crit in unknown:
        values[crit] = (None, comments[crit])
    pid = _proposal_id(proposal)
    rid = _store(db, rubric).record_review(pid, reviewer, values, comment=overall)
    emit(
        f"{safe(pid)}: review {safe(rid)} by {safe(reviewer)} recorded ({len(values)} criteria)",
        highlight=False,
    )


@review_app.command("summary")
def summary_cmd(
    proposal: ProposalArg,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    rubric: RubricOpt = None,
    db: DbOpt = None,
) -> None:
    """What the office sees: per criterion, reviews, mean rating and comments."""
    pid = _proposal_id(proposal)
    store = _store(db, rubric)
    df = store.summary(pid)
    if fmt == "table":
        df = df.assign(comments=df["comments"].map(lambda c: "; ".join(c)))
    print_frame(df, fmt, title=f"Reviews of {pid}")
    if fmt == "table":
        d = store.decision(pid)
        emit(
            "decision: not recorded yet"
            if d is None
            else safe(f"decision of the {d.body}: {d.decision} on {d.decided_on}"),
            highlight=False,
        )


@review_app.command("feedback")
def feedback_cmd(
    proposal: ProposalArg,
    text: Annotated[str, typer.Argument(help="The committee's feedback.")],
    author: Annotated[str, typer.Option("--author", help="Who gives it.")] = "committee",
    db: DbOpt = None,
) -> None:
    """Record the committee's feedback (the committee advises; it does not decide)."""
    pid = _proposal_id(proposal)
    _store(db).add_feedback(pid, text, author=author)
    emit(f"{safe(pid)}: feedback recorded", highlight=False)


@review_app.command("decide")
def decide_cmd(
    proposal: ProposalArg,
    decision: Annotated[
        str,
        typer.Argument(help="approved, approved-with-changes, revise-and-resubmit or declined."),
    ],
    on: Annotated[str, typer.Option("--on", help="Date of the decision, e.g. 2026-12-04.")],
    body: Annotated[str, typer.Option("--body", help="The approving body.")] = "approving body",
    note: Annotated[str, typer.Option("--note", help="A note on the decision.")] = "",
    db: DbOpt = None,
) -> None:
    """Record the approving body's decision and its date."""
    pid = _proposal_id(proposal)
    d = _store(db).record_decision(pid, decision, on, body=body, note=note)
    emit(safe(f"{pid}: {d.decision} by the {d.body} on {d.decided_on}"), highlight=False)
