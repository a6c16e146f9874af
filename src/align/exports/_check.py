"""Pre-flight: every reason a target platform would reject the export.

:func:`check_export` runs the rules of :data:`RULES` that apply to a format
and returns one :class:`ExportProblem` per failure; an empty list means the
export should import cleanly. Open Badges 3.0 output is also validated against
the official JSON Schema when the standards folder is available.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from align.exceptions import InvalidArgumentError
from align.exports._alignments import Alignments, is_resolvable_url
from align.exports._common import BadgeOptions, framework_label

__all__ = ["FORMATS", "RULES", "ExportProblem", "check_export", "find_standards_dir"]

Format = Literal["ob3", "ob2", "credly", "case", "csv"]
#: Export formats and what they are.
FORMATS: dict[str, str] = {
    "ob3": "Open Badges 3.0 Achievement inside an unsigned OpenBadgeCredential template (JSON)",
    "ob2": "Open Badges 2.0 BadgeClass (JSON)",
    "credly": "Credly badge template (JSON)",
    "case": "CASE 1.1 package of the credential's competencies (JSON)",
    "csv": "alignments table for spreadsheets (CSV)",
}

#: Pre-flight rules: rule id -> (formats it applies to, what it checks).
RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "alignment-url": (
        ("ob3", "ob2", "credly", "case", "csv"),
        "every alignment links to the competency's official page (an http(s) URL)",
    ),
    "criteria-url": (
        ("ob3", "ob2", "credly"),
        "a criteria URL, when given, is an http(s) URL",
    ),
    "image-url": (("ob3", "ob2"), "an image, when given, is an http(s) URL or a data: URI"),
    "issuer-url": (("ob3", "ob2"), "an issuer URL, when given, is an http(s) URL"),
    "expired": (("ob3", "ob2", "credly"), "the credential's expiry date is not in the past"),
    "language": (("ob3",), "the language is a BCP 47 code such as en or en-US"),
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
    "case-base-uri": (("case",), "the base URI, when given, is an http(s) URL"),
}
_BCP47 = re.compile(r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")


@dataclass(frozen=True)
class ExportProblem:
    """One reason an import would be rejected.

    Attributes
    ----------
    rule : str
        Rule id (a key of :data:`RULES`).
    format : str
        Target format.
    subject : str
        What is wrong: a competency, a field or an option.
    message : str
        What is wrong and how to fix it.
    """

    rule: str
    format: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.subject}: {self.message}"


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


def _url_option(
    value: str, rule: str, fmt: str, option: str, extra: str = ""
) -> list[ExportProblem]:
    if value and not is_resolvable_url(value):
        return [
            ExportProblem(
                rule,
                fmt,
                option,
                f"{value!r} is not an http(s) URL{extra}; give the full address, e.g. "
                "https://badges.example.edu/...",
            )
        ]
    return []


def check_export(
    proposal: Any,
    to: str,
    found: Alignments,
    options: BadgeOptions | None = None,
    *,
    standards_dir: str | os.PathLike[str] | None = None,
    today: datetime | None = None,
) -> list[ExportProblem]:
    """Every reason the ``to`` platform would reject this export.

    Parameters
    ----------
    proposal : Proposal
        The proposal.
    to : {"ob3", "ob2", "credly", "case", "csv"}
        Target format.
    found : Alignments
        The alignments (:func:`gather_alignments`).
    options : BadgeOptions, optional
        Issuer, base, criteria and image URLs, language.
    standards_dir : path, optional
        Folder with the official schemas (default :func:`find_standards_dir`);
        the OB 3.0 schema check runs only when it is found.
    today : datetime, optional
        The date expiry is compared with (default now).

    Returns
    -------
    list of ExportProblem
        Empty when nothing would be rejected.
    """
    if to not in FORMATS:
        raise InvalidArgumentError(f"to={to!r}; expected one of {list(FORMATS)}.")
    options = options or BadgeOptions()
    out: list[ExportProblem] = []
    for a in found.items:
        if not is_resolvable_url(a.url):
            out.append(
                ExportProblem(
                    "alignment-url",
                    to,
                    f"{a.label} ({a.id})",
                    f"no official URL ({'found ' + repr(a.url) if a.url else 'url is empty'}) "
                    f"for this {framework_label(a)} competency"
                    + (f" aligned to outcome {a.outcome}" if a.outcome else "")
                    + "; add its official page as 'url:' in the proposal's alignments or "
                    "reject the alignment.",
                )
            )
    if to in RULES["criteria-url"][0]:
        out += _url_option(options.criteria_url, "criteria-url", to, "criteria URL")
    if to in RULES["issuer-url"][0]:
        out += _url_option(options.issuer_url, "issuer-url", to, "issuer URL")
    image = options.image_url
    if to in RULES["image-url"][0] and image and not image.startswith("data:image/"):
        out += _url_option(image, "image-url", to, "image", " or data: URI")
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
    if to == "ob3":
        if not _BCP47.match(options.language or ""):
            out.append(
                ExportProblem(
                    "language",
                    to,
                    "language",
                    f"{options.language!r} is not a BCP 47 language code; use e.g. 'en' or "
                    "'en-US'.",
                )
            )
        out += _schema_problems(proposal, found, options, standards_dir, out)
    if to == "ob2":
        if not options.issuer_url:  # a malformed one is reported by "issuer-url"
            out.append(
                ExportProblem(
                    "ob2-hosted-issuer",
                    to,
                    "issuer URL",
                    "an Open Badges 2.0 BadgeClass names its issuer by the URL of the issuer's "
                    "hosted profile; pass the issuer URL (--issuer-url https://...).",
                )
            )
        if not is_resolvable_url(options.base_url):
            out.append(
                ExportProblem(
                    "ob2-hosted-id",
                    to,
                    "base URL",
                    "a hosted Open Badges 2.0 BadgeClass needs an http(s) id where it is "
                    "published; pass the base URL the badge will be served from "
                    "(--base-url https://badges.example.edu).",
                )
            )
    if to == "credly":
        skills = {a.label for a in found.items}
        if len(skills) < 3:
            out.append(
                ExportProblem(
                    "credly-skills",
                    to,
                    "skills",
                    f"Credly needs at least 3 skills; this badge has {len(skills)} aligned "
                    "competenc(ies). Accept more alignments in the review.",
                )
            )
        if not options.criteria_url:
            out.append(
                ExportProblem(
                    "credly-criteria",
                    to,
                    "criteria URL",
                    "Credly needs a public page with the earning criteria; pass "
                    "--criteria-url https://...",
                )
            )
        if not any(o.assessment for o in proposal.outcomes):
            out.append(
                ExportProblem(
                    "credly-activities",
                    to,
                    "activities",
                    "Credly needs at least one earning activity; give the outcomes an "
                    "'assessment:' in the proposal.",
                )
            )
    if to == "case":
        out += _url_option(options.base_url, "case-base-uri", to, "base URI")
    return out


def _schema_problems(
    proposal: Any,
    found: Alignments,
    options: BadgeOptions,
    standards_dir: str | os.PathLike[str] | None,
    so_far: list[ExportProblem],
) -> list[ExportProblem]:
    folder = Path(standards_dir) if standards_dir else find_standards_dir()
    schema_file = folder / "ob-v3p0" / "schema" / "achievementcredential.json" if folder else None
    if (
        schema_file is None
        or not schema_file.is_file()
        or any(p.rule == "alignment-url" for p in so_far)
    ):
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
