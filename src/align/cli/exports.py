"""``align export`` and ``align import-badge``: badge metadata out, reviewed alignments back in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from align._safeout import visible_controls, write_text_atomic
from align.cli._app import DataDirOpt, ForceOpt, app, emit, output_file, safe, wrote

MethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        help="Matching method for unreviewed suggestions: hybrid, semantic or lexical (no model).",
    ),
]


def _check_lines(to: str, problems: list[Any]) -> tuple[str, bool]:
    """The --check report, and whether it fails."""
    errors = [p for p in problems if p.level == "error"]
    warns = [p for p in problems if p.level != "error"]
    if errors:
        lines = [f"{to}: {len(errors)} reason(s) the import would be rejected:"]
        lines += [f"  - {p}" for p in errors]
    else:
        lines = [f"{to}: no problems found; the import should be accepted."]
    if warns:
        lines += [f"{to}: {len(warns)} warning(s):"] + [f"  - warning {p}" for p in warns]
    return "\n".join(lines) + "\n", bool(errors)


@app.command("export")
def export_cmd(
    proposal: Annotated[Path, typer.Argument(help="Proposal file (.yaml or .json).")],
    to: Annotated[str, typer.Option("--to", help="Format: ob3, ob2, credly, case, csv or ctdl.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file (default: standard output).")
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Do not export: list everything the export would refuse and every reason the "
            "target platform would reject the import (exit 1 if any).",
        ),
    ] = False,
    require_reviewed: Annotated[
        bool,
        typer.Option(
            "--require-reviewed",
            help="With --check: fail (exit 1) when an alignment was not reviewed by faculty "
            "(otherwise a warning).",
        ),
    ] = False,
    issuer_url: Annotated[str, typer.Option("--issuer-url", help="The issuer's profile URL.")] = "",
    base_url: Annotated[
        str,
        typer.Option("--base-url", help="Where the badge will be published (ids become URLs)."),
    ] = "",
    criteria_url: Annotated[
        str, typer.Option("--criteria-url", help="Public page with the earning criteria.")
    ] = "",
    image_url: Annotated[str, typer.Option("--image-url", help="Badge image URL.")] = "",
    language: Annotated[str, typer.Option("--language", help="Language of the texts.")] = "en",
    organization_ctid: Annotated[
        str,
        typer.Option(
            "--organization-ctid",
            help="ctdl: your organization's CTID in the Credential Engine registry (ce-...).",
        ),
    ] = "",
    registry: Annotated[
        str,
        typer.Option("--registry", help="ctdl: registry environment, sandbox or production."),
    ] = "sandbox",
    method: MethodOpt = "hybrid",
    force: ForceOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Export a credential's competency alignments as badge metadata.

    Formats: ob3 (Open Badges 3.0), ob2 (Open Badges 2.0), credly
    (badge template), case (CASE 1.1), csv (spreadsheets), ctdl
    (Credential Engine registry).

    The alignments are the proposal's accepted and unreviewed ones,
    else the matcher's best; unreviewed ones are marked in every format.
    """
    from align.exports import FORMATS, REGISTRIES, BadgeOptions, check_export, export_badge
    from align.proposals import load_proposal

    if to not in FORMATS:
        raise typer.BadParameter(f"--to {to!r}: use one of {', '.join(FORMATS)}.")
    if registry not in REGISTRIES:
        raise typer.BadParameter(f"--registry {registry!r}: use one of {', '.join(REGISTRIES)}.")
    if out is not None and not check:
        output_file(out, inputs=[proposal], force=force)
    p = load_proposal(proposal)
    options = BadgeOptions(
        issuer_url=issuer_url,
        base_url=base_url,
        criteria_url=criteria_url,
        image_url=image_url,
        language=language,
        organization_ctid=organization_ctid,
        registry=registry,
    )
    score: dict[str, Any] = {"method": method, "data_dir": data_dir}
    if check:
        problems = check_export(p, to, options=options, require_reviewed=require_reviewed, **score)
        text, failed = _check_lines(to, problems)
        # raw: rule ids in [brackets] are not markup; controls from labels shown, never sent
        emit(visible_controls(text), raw=True)
        if failed:
            raise typer.Exit(1)
        return
    text = export_badge(p, to, options=options, **score)
    if out is None:
        emit(text, raw=True)
    else:
        written = write_text_atomic(out, text, "badge")
        wrote(written)
        emit(f"wrote {safe(written)}", err=True, highlight=False)


@app.command("import-badge")
def import_badge_cmd(
    badge: Annotated[
        Path,
        typer.Argument(
            help="The badge: Open Badges 3.0 or 2.0 JSON, a Credly template, align's CASE or "
            "CTDL export, or align's alignments CSV."
        ),
    ],
    into: Annotated[Path, typer.Option("--into", help="Proposal file whose alignments get them.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the updated proposal here (default: --into itself)."),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Read a badge's alignments back into a proposal (round trip).

    Review state, competency ids and outcome links are kept: alignments
    the badge marks unreviewed go to the proposal's unreviewed_alignments,
    never to its accepted ones. Importing the same badge twice changes
    nothing.
    """
    from align.exports import add_alignments, import_badge_alignments
    from align.proposals import load_proposal, save_proposal

    if out is not None:
        output_file(out, inputs=[badge, into], force=force)
    elif Path(badge).expanduser().resolve() == Path(into).expanduser().resolve() and not force:
        output_file(into, inputs=[badge], option="--into")
    p = load_proposal(into)
    found = import_badge_alignments(badge)
    updated = add_alignments(p, found)
    reviewed = len(updated.alignments) - len(p.alignments)
    pending = len(updated.unreviewed_alignments) - len(p.unreviewed_alignments)
    target = save_proposal(updated, out or into)
    wrote(target)
    unreviewed = sum(a.status == "unreviewed" for a in found)
    emit(
        f"{len(found)} alignment(s) in the badge ({unreviewed} unreviewed); {reviewed} added "
        f"to the reviewed alignments and {pending} to the unreviewed ones of {safe(target)} "
        f"({len(found) - reviewed - max(pending, 0)} already there).",
        highlight=False,
    )
