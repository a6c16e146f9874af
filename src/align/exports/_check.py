"""Pre-flight: everything the export would refuse, and every reason the platform would.

:func:`check_export` returns one :class:`ExportProblem` per failure of the
rules in :data:`RULES` that apply to a format:

- what the export itself refuses (:func:`align.exports._refuse.refusals`: the
  URL policy on alignments and options), so ``--check`` never passes what the
  export then refuses;
- what the target platform would reject (Credly's three skills, a hosted
  Open Badges 2.0 issuer, the Credential Engine registry's required fields, the
  official OB 3.0 JSON Schema when the standards folder is found);
- ``unreviewed``: alignments nobody reviewed, a *warning* (level
  ``"warning"``) for every platform, an error with ``require_reviewed``.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from align.exceptions import InvalidArgumentError
from align.exports._alignments import Alignments
from align.exports._common import UNREVIEWED_TAG, BadgeOptions
from align.exports._refuse import ExportProblem, refusals
from align.exports._text import target_name

__all__ = ["FORMATS", "RULES", "ExportProblem", "check_export", "find_standards_dir"]

#: Export formats and what they are.
FORMATS: dict[str, str] = {
    "ob3": "Open Badges 3.0 Achievement inside an unsigned OpenBadgeCredential template (JSON)",
    "ob2": "Open Badges 2.0 BadgeClass (JSON)",
    "credly": "Credly badge template (JSON)",
    "case": "CASE 1.1 package of the credential's outcomes and competencies (JSON)",
    "csv": "alignments table for spreadsheets (CSV)",
    "ctdl": "Credential Engine registry: CTDL JSON-LD publish requests (JSON)",
}
_ALL = tuple(FORMATS)
_BADGES = ("ob3", "ob2", "credly", "ctdl")

#: Pre-flight rules: rule id -> (formats it applies to, what it checks).
RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "alignment-url": (
        _ALL,
        "every alignment links to the competency's official page: an http(s) URL on its "
        "framework's site, no user@host, no characters a URL never holds",
    ),
    "unreviewed": (
        _ALL,
        "every alignment was reviewed by faculty (a warning; an error with --require-reviewed)",
    ),
    "criteria-url": (
        ("ob3", "ob2", "credly", "ctdl"),
        "a criteria URL, when given, is a public http(s) URL",
    ),
    "image-url": (
        ("ob3", "ob2", "ctdl"),
        "an image, when given, is a public http(s) URL or a base64 PNG/JPEG/GIF/WebP data: URI",
    ),
    "issuer-url": (("ob3", "ob2"), "an issuer URL, when given, is a public http(s) URL"),
    "base-url": (("ob3", "ob2", "ctdl"), "a base URL, when given, is a public http(s) URL"),
    "expired": (_BADGES, "the credential's expiry date is not in the past"),
    "language": (("ob3", "ctdl"), "the language is a BCP 47 code such as en or en-US"),
    "ob3-schema": (("ob3",), "the credential validates against the official OB 3.0 JSON Schema"),
    "ob2-hosted-issuer": (
        ("ob2",),
        "Open Badges 2.0 hosted verification: the issuer is an http(s) profile URL",
    ),
    "ob2-hosted-id": (
        ("ob2",),
        "Open Badges 2.0 hosted verification: the BadgeClass id is an http(s) URL (base URL)",
    ),
    "credly-skills": (("credly",), "at least 3 skills (aligned competencies)"),
    "credly-criteria": (("credly",), "a criteria URL (earn_this_badge_url)"),
    "credly-activities": (("credly",), "at least 1 earning activity (an outcome's assessment)"),
    "case-base-uri": (("case",), "the base URI, when given, is a public http(s) URL"),
    "ctdl-organization": (
        ("ctdl",),
        "the organization's CTID is given (--organization-ctid ce-...): the registry "
        "publishes for an organization and names it as owner",
    ),
    "ctdl-subject-webpage": (
        ("ctdl",),
        "a public page about the credential (--criteria-url, else --base-url): the registry "
        "requires a subject webpage",
    ),
    "ctdl-description": (
        ("ctdl",),
        "the proposal has a description: the registry requires one (the title is not one)",
    ),
    "ctdl-outcomes": (
        ("ctdl",),
        "the proposal has learning outcomes: they are published as its competency framework",
    ),
}
_BCP47 = re.compile(r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")


def find_standards_dir() -> Path | None:
    """The folder of official standards files (``ALIGN_STANDARDS_DIR``, else
    ``standards`` next to ``ALIGN_DATA_DIR``), or None."""
    env = os.environ.get("ALIGN_STANDARDS_DIR")
    if env:
        return Path(env) if Path(env).is_dir() else None
    data = os.environ.get("ALIGN_DATA_DIR")
    if data:
        cand = Path(data).expanduser().resolve().parent / "standards"
        if cand.is_dir():
            return cand
    return None


def _unreviewed(to: str, found: Alignments, required: bool) -> list[ExportProblem]:
    pending = found.pending()
    if not pending:
        return []
    distinct = list(dict.fromkeys(target_name(a) for a in pending))
    names = ", ".join(distinct[:5]) + (", ..." if len(distinct) > 5 else "")
    return [
        ExportProblem(
            "unreviewed",
            to,
            "alignments",
            f"{len(pending)} of {len(found.items)} alignment(s) were not reviewed by "
            f"faculty ({names}); the export marks them ('{UNREVIEWED_TAG}'). Accept or reject "
            "them on the dashboard's Matches page (or in the proposal's 'alignments:') before "
            "issuing the badge.",
            level="error" if required else "warning",
        )
    ]


def _common_rules(
    proposal: Any, to: str, options: BadgeOptions, today: datetime | None
) -> list[ExportProblem]:
    out = []
    if to in RULES["expired"][0] and proposal.expiry is not None:
        now = (today or datetime.now(UTC)).date()
        if proposal.expiry < now:
            out.append(
                ExportProblem(
                    "expired",
                    to,
                    "expiry",
                    f"the credential expired on {proposal.expiry.isoformat()}; a badge issued "
                    "now would be rejected as expired. Set a future 'expiry:' in the proposal.",
                )
            )
    if to in RULES["language"][0] and not _BCP47.match(options.language or ""):
        out.append(
            ExportProblem(
                "language",
                to,
                "language",
                f"{options.language!r} is not a BCP 47 language code; use e.g. 'en' or 'en-US'.",
            )
        )
    return out


def _ob2_rules(options: BadgeOptions) -> list[ExportProblem]:
    from align._urls import url_problem

    out = []
    if not options.issuer_url:  # a malformed one is reported by "issuer-url"
        out.append(
            ExportProblem(
                "ob2-hosted-issuer",
                "ob2",
                "issuer URL",
                "an Open Badges 2.0 BadgeClass names its issuer by the URL of the issuer's "
                "hosted profile; pass the issuer URL (--issuer-url https://...).",
            )
        )
    if not options.base_url or url_problem(options.base_url) is not None:
        out.append(
            ExportProblem(
                "ob2-hosted-id",
                "ob2",
                "base URL",
                "a hosted Open Badges 2.0 BadgeClass needs an http(s) id where it is "
                "published; pass the base URL the badge will be served from "
                "(--base-url https://badges.example.edu).",
            )
        )
    return out


def _credly_rules(proposal: Any, found: Alignments, options: BadgeOptions) -> list[ExportProblem]:
    out = []
    skills = {target_name(a) for a in found.items}
    if len(skills) < 3:
        out.append(
            ExportProblem(
                "credly-skills",
                "credly",
                "skills",
                f"Credly needs at least 3 skills; this badge has {len(skills)} aligned "
                "competenc(ies). Accept more alignments in the review.",
            )
        )
    if not options.criteria_url:
        out.append(
            ExportProblem(
                "credly-criteria",
                "credly",
                "criteria URL",
                "Credly needs a public page with the earning criteria; pass "
                "--criteria-url https://...",
            )
        )
    if not any(o.assessment for o in proposal.outcomes):
        out.append(
            ExportProblem(
                "credly-activities",
                "credly",
                "activities",
                "Credly needs at least one earning activity; give the outcomes an "
                "'assessment:' in the proposal.",
            )
        )
    return out


def _ctdl_rules(proposal: Any, options: BadgeOptions) -> list[ExportProblem]:
    out = []
    if not options.organization_ctid:  # a malformed one is a refusal (ctdl-organization)
        out.append(
            ExportProblem(
                "ctdl-organization",
                "ctdl",
                "organization CTID",
                "the registry publishes a credential for an organization it knows; pass your "
                "organization's CTID from the Credential Engine publisher dashboard "
                "(--organization-ctid ce-...).",
            )
        )
    if not (options.criteria_url or options.base_url):
        out.append(
            ExportProblem(
                "ctdl-subject-webpage",
                "ctdl",
                "subject webpage",
                "the registry requires a public web page about the credential, and fetches it; "
                "pass --criteria-url https://... (or --base-url, whose achievement page is "
                "used).",
            )
        )
    if not (proposal.description or "").strip():
        out.append(
            ExportProblem(
                "ctdl-description",
                "ctdl",
                "description",
                "the registry requires a description of the credential; add 'description:' "
                "(one or two sentences for learners) to the proposal.",
            )
        )
    if not proposal.outcomes:
        out.append(
            ExportProblem(
                "ctdl-outcomes",
                "ctdl",
                "outcomes",
                "the credential's learning outcomes are published as its competency "
                "framework; add 'outcomes:' to the proposal.",
            )
        )
    return out


def check_export(
    proposal: Any,
    to: str,
    found: Alignments,
    options: BadgeOptions | None = None,
    *,
    standards_dir: str | os.PathLike[str] | None = None,
    today: datetime | None = None,
    require_reviewed: bool = False,
) -> list[ExportProblem]:
    """Everything the ``to`` export would refuse and every reason the platform would reject it.

    Parameters
    ----------
    proposal : Proposal
        The proposal.
    to : {"ob3", "ob2", "credly", "case", "csv", "ctdl"}
        Target format.
    found : Alignments
        The alignments (:func:`gather_alignments`).
    options : BadgeOptions, optional
        Issuer, base, criteria and image URLs, language, registry organization.
    standards_dir : path, optional
        Folder with the official schemas (default :func:`find_standards_dir`);
        the OB 3.0 schema check runs only when it is found.
    today : datetime, optional
        The date expiry is compared with (default now).
    require_reviewed : bool
        Report unreviewed alignments as an error (default: a warning).

    Returns
    -------
    list of ExportProblem
        Errors (``level="error"``) and warnings; empty when there is nothing to say.
    """
    if to not in FORMATS:
        raise InvalidArgumentError(f"to={to!r}; expected one of {list(FORMATS)}.")
    options = options or BadgeOptions()
    refused = refusals(to, found, options)
    out = refused + _common_rules(proposal, to, options, today)
    if to == "ob3" and not refused:  # a refused export is never built, so never validated
        out += _schema_problems(proposal, found, options, standards_dir)
    elif to == "ob2":
        out += _ob2_rules(options)
    elif to == "credly":
        out += _credly_rules(proposal, found, options)
    elif to == "ctdl":
        out += _ctdl_rules(proposal, options)
    return out + _unreviewed(to, found, require_reviewed)


def _schema_problems(
    proposal: Any,
    found: Alignments,
    options: BadgeOptions,
    standards_dir: str | os.PathLike[str] | None,
) -> list[ExportProblem]:
    folder = Path(standards_dir) if standards_dir else find_standards_dir()
    schema_file = folder / "ob-v3p0" / "schema" / "achievementcredential.json" if folder else None
    if schema_file is None or not schema_file.is_file():
        return []
    try:
        import jsonschema
    except ImportError:  # jsonschema is a dev dependency; the other rules still run
        return []
    from align.exports._ob3 import to_ob3

    schema = json.loads(schema_file.read_text("utf-8"))
    validator = jsonschema.Draft201909Validator(schema)
    cred = to_ob3(proposal, found, options)
    return [
        ExportProblem(
            "ob3-schema",
            "ob3",
            "/".join(str(p) for p in e.absolute_path) or "(credential)",
            f"{e.message} (Open Badges 3.0 JSON Schema)",
        )
        for e in validator.iter_errors(cred)
    ]
