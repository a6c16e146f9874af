"""``align evidence`` and ``align review ...``: the committee packet and each step of a review.

The command line acts for the office (the audit log names it "command line (<login>)");
a step that belongs to a person names them: ``--by`` the chair who signs off or the
approver who decides, ``--reviewer`` who rates, ``--as`` the author who submits.
"""

from __future__ import annotations

import os
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
    safe,
    wrote,
)

review_app = typer.Typer(
    help="The review: submit, sign off, assign reviewers by discipline, rate, send feedback, "
    "decide.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The store: a database file or a postgresql:// URL (default: ALIGN_DATABASE_URL, "
        "else align.sqlite in the per-user align data folder).",
    ),
]
RubricOpt = Annotated[
    Path | None,
    typer.Option("--rubric", help="Rubric YAML (default: the built-in micro-credential rubric)."),
]
ProposalArg = Annotated[
    str, typer.Argument(help="The proposal's id in the store, or its file (.yaml/.json).")
]
_SUFFIXES = {".yaml", ".yml", ".json"}


def operator() -> Any:
    """The command line acting for the office."""
    from align.committee._reviews import _operator

    return _operator()


def open_store(db: str | None) -> Any:
    """The store (use it in a ``with`` block so its connections close)."""
    from align.store import Store

    return Store(db)


def proposal_id(store: Any, value: str, *, add_as: Any = None) -> str:
    """The id a PROPOSAL argument names, checked against the store.

    A file gives its proposal's id (with ``add_as``, the file is stored first: a new
    proposal or a new version); something that looks like a file but is not there is
    an error, never an id; an id must be in the store.
    """
    from align.exceptions import InvalidArgumentError
    from align.proposals import load_proposal

    path = Path(value).expanduser()
    if path.is_file():
        if add_as is not None:
            return str(store.import_proposal_file(path, actor=add_as).id)
        pid = load_proposal(path).id
    elif path.suffix.lower() in _SUFFIXES or "/" in value or os.sep in value:
        raise InvalidArgumentError(
            f"proposal file {value!r} does not exist; check the path, or give the proposal's "
            "id (`align store proposals` lists them)."
        )
    else:
        pid = value.strip()
    store.proposal(pid, actor=add_as or operator())  # unknown ids are refused here
    return pid


def _review_store(store: Any, rubric: Path | None = None) -> Any:
    from align.committee import ReviewStore

    return ReviewStore(store, rubric=rubric, actor=operator())


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
    with --pdf, the same page as PDF. The review record (ratings, comments, feedback,
    decision) comes from the store when it has the proposal.
    """
    from align.committee import committee_packet
    from align.proposals import load_proposal

    db_file = Path(db) if db and "://" not in db else None
    inputs = [proposal, rubric, db_file]
    output_file(out, inputs=inputs, force=force)
    if pdf is not None:
        output_file(pdf, inputs=[*inputs, out], force=force, option="--pdf")
    p = load_proposal(proposal)
    db_store = open_store(db) if db is not None or _default_store_exists() else None
    try:
        packet = committee_packet(
            p,
            rubric=rubric,
            store=None if db_store is None else _review_store(db_store, rubric),
            demand_period=demand_period,
            method=method,
            data_dir=data_dir,
        )
    finally:
        if db_store is not None:
            db_store.close()
    packet.write_html(out)
    wrote(out)
    emit(f"wrote {safe(out)}", highlight=False)
    if pdf is not None:
        packet.write_pdf(pdf)
        wrote(pdf)
        emit(f"wrote {safe(pdf)}", highlight=False)


def _default_store_exists() -> bool:
    from sqlalchemy.engine import make_url

    from align.store import default_database_url

    url = make_url(default_database_url())
    return url.get_backend_name() != "sqlite" or Path(str(url.database)).is_file()


# == people ==============================================================================
@review_app.command("add-reviewer")
def add_reviewer_cmd(
    name: Annotated[str, typer.Argument(help="Reviewer's name.")],
    discipline: Annotated[
        list[str], typer.Option("--discipline", help="A discipline they review (repeatable).")
    ],
    department: Annotated[
        str, typer.Option("--department", help="Their own department (for conflicts).")
    ] = "",
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Review only these disciplines (drop the others)."),
    ] = False,
    db: DbOpt = None,
) -> None:
    """Add a reviewer and the disciplines they review (a change is never silent)."""
    with open_store(db) as store:
        u = store.add_reviewer(
            name, discipline, actor=operator(), department=department, replace=replace
        )
        emit(f"reviewer {safe(repr(u.name))}: {safe(', '.join(u.disciplines))}", highlight=False)


@review_app.command("conflict")
def conflict_cmd(
    reviewer: Annotated[str, typer.Argument(help="The reviewer in conflict.")],
    proposal: Annotated[
        str | None,
        typer.Option("--proposal", help="One proposal (id or file) they may not review."),
    ] = None,
    department: Annotated[
        str | None,
        typer.Option("--department", help="A department none of whose proposals they review."),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (shown to the office).")] = "",
    db: DbOpt = None,
) -> None:
    """Declare a conflict of interest: assignment leaves the reviewer out."""
    with open_store(db) as store:
        pid = proposal_id(store, proposal) if proposal else None
        store.declare_conflict(
            reviewer, actor=operator(), proposal_id=pid, department=department, reason=reason
        )
        emit(f"conflict recorded: {safe(reviewer)} ↔ {safe(pid or department)}", highlight=False)


# == steps =================================================================================
@review_app.command("submit")
def submit_cmd(
    proposal: ProposalArg,
    as_: Annotated[
        str | None,
        typer.Option("--as", help="The author submitting (default: the office, for them)."),
    ] = None,
    comment: Annotated[str, typer.Option("--comment", help="A note for the chair.")] = "",
    db: DbOpt = None,
) -> None:
    """Submit a proposal for sign-off (a file is stored first: new, or a new version)."""
    with open_store(db) as store:
        who = as_ or operator()
        pid = proposal_id(store, proposal, add_as=who)
        status = store.submit(pid, actor=who, comment=comment)
        emit(f"{safe(pid)}: {safe(status)}", highlight=False)


@review_app.command("sign-off")
def sign_off_cmd(
    proposal: ProposalArg,
    by: Annotated[str, typer.Option("--by", help="The department chair or dean.")],
    comment: Annotated[str, typer.Option("--comment", help="A note.")] = "",
    db: DbOpt = None,
) -> None:
    """The department chair or dean signs a submitted proposal off."""
    with open_store(db) as store:
        pid = proposal_id(store, proposal)
        emit(
            f"{safe(pid)}: {safe(store.sign_off(pid, actor=by, comment=comment))}", highlight=False
        )


@review_app.command("return")
def return_cmd(
    proposal: ProposalArg,
    by: Annotated[str, typer.Option("--by", help="The department chair or dean.")],
    comment: Annotated[str, typer.Option("--comment", help="What the author should change.")],
    db: DbOpt = None,
) -> None:
    """The chair or dean returns a submitted proposal to its author."""
    with open_store(db) as store:
        pid = proposal_id(store, proposal)
        status = store.return_to_author(pid, actor=by, comment=comment)
        emit(f"{safe(pid)}: {safe(status)}", highlight=False)


@review_app.command("assign")
def assign_cmd(
    proposal: ProposalArg,
    discipline: Annotated[str, typer.Option("--discipline", help="The proposal's discipline.")],
    reviewer: Annotated[
        list[str] | None,
        typer.Option("--reviewer", help="Only these reviewers of the discipline (repeatable)."),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Assign the reviewers of a discipline (conflicts left out); the proposal goes in review."""
    with open_store(db) as store:
        pid = proposal_id(store, proposal)
        names = store.assign(pid, discipline, actor=operator(), reviewers=reviewer or None)
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
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who is rating (assigned to it).")],
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
    """Record one assigned reviewer's ratings and comments (all in one transaction)."""
    ratings = _pairs(rating, "--rating")
    comments = _pairs(comment or [], "--comment")
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
    for crit in set(comments) - set(ratings):
        values[crit] = (None, comments[crit])
    with open_store(db) as store:
        pid = proposal_id(store, proposal)
        rid = _review_store(store, rubric).record_review(pid, reviewer, values, comment=overall)
        emit(
            f"{safe(pid)}: review {safe(rid)} by {safe(reviewer)} recorded "
            f"({len(values)} criteria)",
            highlight=False,
        )


@review_app.command("feedback")
def feedback_cmd(
    proposal: ProposalArg,
    text: Annotated[str, typer.Argument(help="The committee's feedback.")],
    db: DbOpt = None,
) -> None:
    """Send the committee's feedback (the committee advises; an approver decides next)."""
    with open_store(db) as store:
        pid = proposal_id(store, proposal)
        status = store.send_feedback(pid, text, actor=operator())
        emit(f"{safe(pid)}: feedback sent ({safe(status)})", highlight=False)


@review_app.command("decide")
def decide_cmd(
    proposal: ProposalArg,
    decision: Annotated[str, typer.Argument(help="approved, approved-with-changes or declined.")],
    on: Annotated[str, typer.Option("--on", help="Date of the decision, e.g. 2026-12-04.")],
    by: Annotated[str, typer.Option("--by", help="The approver who decided.")],
    body: Annotated[str, typer.Option("--body", help="The approving body.")] = "approving body",
    note: Annotated[str, typer.Option("--note", help="A note on the decision.")] = "",
    db: DbOpt = None,
) -> None:
    """Record an approver's decision and its date (not in the future)."""
    with open_store(db) as store:
        pid = proposal_id(store, proposal)
        d = store.decide(pid, decision, on, actor=by, body=body, note=note)
        emit(
            safe(f"{pid}: {d.decision} by the {d.body} on {d.decided_on} (recorded by {by})"),
            highlight=False,
        )


# == reading =================================================================================
@review_app.command("summary")
def summary_cmd(
    proposal: ProposalArg,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    rubric: RubricOpt = None,
    db: DbOpt = None,
) -> None:
    """What the office sees: ratings per criterion, comments, feedback, who has not rated,
    status and decision."""
    from align.store import next_steps

    with open_store(db) as store:
        pid = proposal_id(store, proposal)
        rs = _review_store(store, rubric)
        df = rs.summary(pid)
        if fmt == "table":
            df = df.assign(comments=df["comments"].map(lambda c: "; ".join(c)))
        print_frame(
            df, fmt, title=f"Reviews of {pid}", narrow=["criterion", "reviews", "mean_rating"]
        )
        if fmt != "table":
            return
        for r in rs.overall_comments(pid).itertuples(index=False):
            emit(f"overall, {safe(r.reviewer)}: {safe(r.comment)}", highlight=False)
        for f in rs.feedback(pid).itertuples(index=False):
            emit(f"feedback ({safe(str(f.created_at)[:10])}): {safe(f.text)}", highlight=False)
        a = rs.assignments(pid)
        waiting = rs.pending(pid)
        if len(a):
            emit(
                "not rated yet: " + (safe(", ".join(waiting)) if waiting else "nobody"),
                highlight=False,
            )
        status = store.proposal(pid, actor=operator()).status
        emit(f"status: {safe(status)}; next: {safe(next_steps(status))}", highlight=False)
        d = rs.decision(pid)
        emit(
            "decision: not recorded yet"
            if d is None
            else safe(
                f"decision of the {d.body}: {d.decision} on {d.decided_on}"
                + (f" (by {d.decided_by})" if d.decided_by else "")
            ),
            highlight=False,
        )


@review_app.command("status")
def status_cmd(
    proposal: ProposalArg,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    db: DbOpt = None,
) -> None:
    """A proposal's status, what happens next and every step so far (who, when, comment)."""
    from align.store import next_steps

    with open_store(db) as store:
        pid = proposal_id(store, proposal)
        rec = store.proposal(pid, actor=operator())
        print_frame(store.history(pid, actor=operator()), fmt, title=f"Steps of {pid}")
        if fmt == "table":
            emit(
                f"{safe(pid)} (version {rec.version}, by {safe(rec.author)}): {safe(rec.status)}; "
                f"next: {safe(next_steps(rec.status))}",
                highlight=False,
            )
