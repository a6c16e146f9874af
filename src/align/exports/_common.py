"""What the badge exporters share: options, identifiers, tags and the criteria text."""

from __future__ import annotations

import base64
import html
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from align._safeout import markdown_text, plain_text
from align._urls import quote_segment
from align.exports._alignments import Alignments, framework_meta
from align.exports._text import framework_label, target_name, target_url
from align.proposals import ReviewedAlignment

__all__ = [
    "BADGE_NAMESPACE",
    "REGISTRIES",
    "UNREVIEWED_MARK",
    "UNREVIEWED_TAG",
    "BadgeOptions",
    "achievement_id",
    "badge_image",
    "competency_ref",
    "criteria_narrative",
    "review_sentence",
    "rubric_assessed",
    "tags",
]

#: Namespace of the UUIDv5 identifiers of exported badges (stable across exports).
BADGE_NAMESPACE = uuid.UUID("6d0f1a52-3c77-5a0e-9a55-2f1f6f0c2b11")
#: Tag every export carries when any of its alignments is not reviewed.
UNREVIEWED_TAG = "alignments-unreviewed"
#: Written after a competency in the criteria narrative when nobody reviewed that alignment.
UNREVIEWED_MARK = "(not yet reviewed)"
#: Credential Engine registry environments: resource base URL.
REGISTRIES: dict[str, str] = {
    "sandbox": "https://sandbox.credentialengineregistry.org",
    "production": "https://credentialengineregistry.org",
}
_RUBRIC = re.compile(r"\brubric", re.IGNORECASE)


@dataclass(frozen=True)
class BadgeOptions:
    """Where the badge will live; everything is optional.

    Attributes
    ----------
    issuer_url : str
        The issuer's profile URL (Open Badges 2.0 hosted verification needs it).
    issuer_name : str
        Default: the proposal's issuing unit.
    base_url : str
        Base of the badge's own URLs (``<base>/achievements/<id>``); without it
        ids are ``urn:uuid:`` derived from the proposal id.
    criteria_url : str
        Public page with the earning criteria (Credly needs one; the Credential
        Engine registry uses it as the credential's web page).
    image_url : str
        Badge image; without it Open Badges 2.0 gets a generated SVG data URI.
    language : str
        BCP 47 language of the texts (``en``).
    organization_ctid : str
        The issuing organization's CTID in the Credential Engine registry
        (``ce-...``, from the publisher dashboard); CTDL exports need it.
    registry : {"sandbox", "production"}
        Credential Engine registry environment the CTDL export is for.
    """

    issuer_url: str = ""
    issuer_name: str = ""
    base_url: str = ""
    criteria_url: str = ""
    image_url: str = ""
    language: str = "en"
    organization_ctid: str = ""
    registry: str = "sandbox"


def achievement_id(proposal: Any, options: BadgeOptions) -> str:
    """The achievement's id: ``<base_url>/achievements/<proposal id>`` (the id
    percent-encoded) or a stable urn:uuid.

    Examples
    --------
    >>> from types import SimpleNamespace as P
    >>> achievement_id(P(id="data/x?y"), BadgeOptions(base_url="https://b.example.edu/"))
    'https://b.example.edu/achievements/data%2Fx%3Fy'
    """
    if options.base_url:
        return f"{options.base_url.rstrip('/')}/achievements/{quote_segment(proposal.id)}"
    return f"urn:uuid:{uuid.uuid5(BADGE_NAMESPACE, 'achievement:' + proposal.id)}"


def issuer_id(proposal: Any, options: BadgeOptions) -> str:
    if options.issuer_url:
        return options.issuer_url
    name = options.issuer_name or proposal.issuing_unit
    return f"urn:uuid:{uuid.uuid5(BADGE_NAMESPACE, 'issuer:' + name)}"


def issuer_name(proposal: Any, options: BadgeOptions) -> str:
    return plain_text(options.issuer_name or proposal.issuing_unit)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rubric_assessed(outcome: Any) -> bool:
    """True when the outcome's assessment mentions a rubric."""
    return bool(_RUBRIC.search(outcome.assessment or ""))


def competency_ref(a: ReviewedAlignment) -> str:
    """A competency in the criteria narrative: ``[name](<page>) (framework code)``,
    escaped so that it shows as written, with :data:`UNREVIEWED_MARK` when nobody
    reviewed it.

    Examples
    --------
    >>> a = ReviewedAlignment(framework="nace", framework_version="2021",
    ...     id="nace:communication", code="communication", label="Communication")
    >>> competency_ref(a)
    '[Communication](<https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/>) (NACE Career Readiness Competencies 2021, communication)'
    """  # noqa: E501
    ref = (
        f"[{markdown_text(target_name(a))}](<{target_url(a)}>) "
        f"({markdown_text(framework_label(a))}, {markdown_text(a.code)})"
    )
    return f"{ref} {UNREVIEWED_MARK}" if a.status == "unreviewed" else ref


def review_sentence(found: Alignments) -> str:
    """How many alignments nobody reviewed, in one sentence ('' when all were reviewed)."""
    pending = found.pending()
    if not pending:
        return ""
    total = len(found.items)
    if len(pending) == total:
        return (
            "The competency alignments were suggested by a matcher and have not yet been "
            "reviewed by faculty."
        )
    return (
        f"{len(pending)} of the {total} competency alignments have not yet been reviewed by "
        f"faculty (marked {UNREVIEWED_MARK})."
    )


def criteria_narrative(proposal: Any, found: Alignments) -> str:
    """Markdown earning criteria: each outcome with its assessment, evidence and the
    competencies it is aligned to. Every text from the proposal or a framework is
    escaped (:func:`align._safeout.markdown_text`), so Markdown and HTML in it show
    as text."""
    lines = ["Learners who earn this credential have shown that they can:", ""]
    for o in proposal.outcomes:
        line = f"- **{markdown_text(o.id)}**: {markdown_text(o.text)}"
        extra = [
            f"assessed by {markdown_text(o.assessment.rstrip('.'))}" if o.assessment else "",
            f"evidence: {markdown_text(o.evidence.rstrip('.'))}" if o.evidence else "",
        ]
        extra = [e for e in extra if e]
        if extra:
            line += f" ({'; '.join(extra)})"
        lines.append(line)
        mine = _distinct(found.for_outcome(o.id))
        if mine:
            lines.append("  - Competencies: " + "; ".join(competency_ref(a) for a in mine))
    whole = _distinct(found.for_outcome(None))
    if whole:
        lines += ["", "Competencies of the credential as a whole: "]
        lines[-1] += "; ".join(competency_ref(a) for a in whole)
    sentence = review_sentence(found)
    if sentence:
        lines += ["", sentence]
    return "\n".join(lines)


def _distinct(items: list[ReviewedAlignment]) -> list[ReviewedAlignment]:
    seen: set[str] = set()
    out = []
    for a in items:
        if a.id not in seen:
            seen.add(a.id)
            out.append(a)
    return out


def tags(proposal: Any, found: Alignments) -> list[str]:
    out = ["micro-credential", proposal.type]
    out += [framework_meta(k).name for k in found.frameworks()]
    if found.unreviewed and found.items:
        out.append(UNREVIEWED_TAG)
    return list(dict.fromkeys(plain_text(t) for t in out if t))


def badge_image(title: str) -> str:
    """A plain generated SVG badge (data URI) for platforms that require an image."""
    words = plain_text(title).split()
    lines, cur = [], ""
    for w in words:
        if len(cur) + len(w) > 16 and cur:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    text = "".join(
        f"<text x='100' y='{95 + 18 * (i - len(lines[:4]) / 2):.0f}' font-size='15' "
        f"text-anchor='middle' fill='#fff' font-family='sans-serif'>{html.escape(t)}</text>"
        for i, t in enumerate(lines[:4])
    )
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='200' height='200'>"
        "<circle cx='100' cy='100' r='95' fill='#1f4e79'/>"
        f"{text}</svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
