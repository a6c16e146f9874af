"""``align export`` and ``align import-badge``: badge metadata out, reviewed alignments back in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from align._safeio import write_text_atomic
from align.cli._app import DataDirOpt, app, emit, safe

MethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        help="Matching method for unreviewed suggestions: hybrid, semantic or lexical (no model).",
    ),
]


@app.command("export")
def export_cmd(
    proposal: Annotated[Path, typer.Argument(help="Proposal file (.yaml or .json).")],
    to: Annotated[str, typer.Option("--to", help="Format: ob3, ob2, credly, case or csv.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file (default: standard output).")
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Do not export: list every reason the target platform would reject the import "
            "(exit 1 if any).",
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
    method: MethodOpt = "hybrid",
    data_dir: DataDirOpt = None,
) -> None:
    """Export a credential's competency alignments as badge metadata.

    Formats: ob3 (Open Badges 3.0 Achievement in an unsigned credential template), ob2 (Open
    Badges 2.0 BadgeClass), credly (badge template), case (CASE 1.1 package of its
    competencies), csv (for spreadsheets). The alignments are the proposal's reviewed ones,
    else the matcher's best, marked unreviewed (a warning says so).
    """
    from align.exports import FORMATS, BadgeOptions, check_export, export_badge
    from align.proposals import load_proposal

    if to not in FORMATS:
        raise typer.BadParameter(f"--to {to!r}: use one of {', '.join(FORMATS)}.")
    p = load_proposal(proposal)
    options = BadgeOptions(
        issuer_url=issuer_url,
        base_url=base_url,
        criteria_url=criteria_url,
        image_url=image_url,
        language=language,
    )
    score: dict[str, Any] = {"method": method, "data_dir": data_dir}
    if check:
        problems = check_export(p, to, options=options, **score)
        if not problems:
            emit(f"{to}: no problems found; the import should be accepted.\n", raw=True)
            return
        lines = [f"{to}: {len(problems)} reason(s) the import would be rejected:"]
        lines += [f"  - {prob}" for prob in problems]
        emit("\n".join(lines) + "\n", raw=True)  # raw: rule ids in [brackets] are not markup
        raise typer.Exit(1)
    text = export_badge(p, to, options=options, **score)
    if out is None:
        emit(text, raw=True)
    else:
        written = write_text_atomic(out, text, "badge")
        emit(f"wrote {safe(written)}", err=True, highlight=False)


@app.command("import-badge")
def import_badge_cmd(
    badge: Annotated[Path, typer.Argument(help="Open Badges 3.0 or 2.0 JSON file.")],
    into: Annotated[
        Path, typer.Option("--into", help="Proposal file whose reviewed alignments get them.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the updated proposal here (default: --into itself)."),
    ] = None,
) -> None:
    """Read a badge's alignments back into a proposal's reviewed alignments (round trip)."""
    from align.exports import add_alignments, import_badge_alignments
    from align.proposals import load_proposal, save_proposal

    p = load_proposal(into)
    found = import_badge_alignments(badge)
    updated = add_alignments(p, found)
    added = len(updated.alignments) - len(p.alignments)
    target = save_proposal(updated, out or into)
    emit(
        f"{len(found)} alignment(s) in the badge; {added} added to {safe(target)} "
        f"({len(found) - added} already there).",
        highlight=False,
    )
