"""What the badge exporters share: options, identifiers, criteria text, URL rule."""

from __future__ import annotations

import base64
import html
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from align.exceptions import ExportError
from align.exports._alignments import Alignments, framework_meta, is_resolvable_url
from align.proposals import ReviewedAlignment

__all__ = [
    "BADGE_NAMESPACE",
    "UNREVIEWED_TAG",
    "BadgeOptions",
    "achievement_id",
    "badge_image",
    "criteria_narrative",
    "framework_label",
    "require_urls",
    "rubric_assessed",
    "tags",
    "target_description",
]

#: Namespace of the UUIDv5 identifiers of exported badges (stable across exports).
BADGE_NAMESPACE = uuid.UUID("6d0f1a52-3c77-5a0e-9a55-2f1f6f0c2b11")
#: Tag every export carries when its alignments are the matcher's, not reviewed.
UNREVIEWED_TAG = "alignments-unreviewed"
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
        Public page with the earning criteria (Credly needs one).
    image_url : str
        Badge image; without it Open Badges 2.0 gets a generated SVG data URI.
    language : str
        BCP 47 language of the texts (``en``).
    """

    issuer_url: str = ""
    issuer_name: str = ""
    base_url: str = ""
    criteria_url: str = ""
    image_url: str = ""
    language: str = "en"


def achievement_id(proposal: Any, options: BadgeOptions) -> str:
    """The achievement's id: ``<base_url>/achievements/<proposal id>`` or a stable urn:uuid."""
    if options.base_url:
        return f"{options.base_url.rstrip('/')}/achievements/{proposal.id}"
    return f"urn:uuid:{uuid.uuid5(BADGE_NAMESPACE, 'achievement:' + proposal.id)}"


def issuer_id(proposal: Any, options: BadgeOptions) -> str:
    if options.issuer_url:
        return options.issuer_url
    name = options.issuer_name or proposal.issuing_unit
    return f"urn:uuid:{uuid.uuid5(BADGE_NAMESPACE, 'issuer:' + name)}"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rubric_assessed(outcome: Any) -> bool:
    """True when the outcome's assessment mentions a rubric."""
    return bool(_RUBRIC.search(outcome.assessment or ""))


def criteria_narrative(proposal: Any, found: Alignments) -> str:
    """Markdown earning criteria: each outcome with its assessment and evidence."""
    lines = ["Learners who earn this credential have shown that they can:", ""]
    for o in proposal.outcomes:
        line = f"- **{o.id}**: {o.text}"
        extra = [
            f"assessed by {o.assessment.rstrip('.')}" if o.assessment else "",
            f"evidence: {o.evidence.rstrip('.')}" if o.evidence else "",
        ]
        extra = [e for e in extra if e]
        if extra:
            line += f" ({'; '.join(extra)})"
        lines.append(line)
    if found.unreviewed and found.items:
        lines += [
            "",
            "The competency alignments were suggested by a matcher and have not yet been "
            "reviewed by faculty.",
        ]
    return "\n".join(lines)


def framework_label(a: ReviewedAlignment) -> str:
    """``targetFramework``: the framework's name and version (``O*NET 29.3``)."""
    name = framework_meta(a.framework).name
    return f"{name} {a.framework_version or ''}".strip()


def target_description(a: ReviewedAlignment) -> str:
    """A short description: the competency's own, else what it is in which framework."""
    if a.description:
        return a.description
    return f"{a.label}: {a.code} in {framework_label(a)}"


def tags(proposal: Any, found: Alignments) -> list[str]:
    out = ["micro-credential", proposal.type]
    out += [framework_meta(k).name for k in found.frameworks()]
    if found.unreviewed and found.items:
        out.append(UNREVIEWED_TAG)
    return list(dict.fromkeys(t for t in out if t))


def require_urls(found: Alignments) -> None:
    """Refuse alignments without a resolvable official URL, naming each competency."""
    bad = [a for a in found.items if not is_resolvable_url(a.url)]
    if bad:
        names = "; ".join(
            f"{a.label!r} ({a.id}, {framework_label(a)}"
            + (f", outcome {a.outcome}" if a.outcome else "")
            + (f", url {a.url!r}" if a.url else ", no url")
            + ")"
            for a in bad
        )
        raise ExportError(
            f"{len(bad)} alignment(s) have no resolvable official URL (targetUrl): {names}. "
            "A badge alignment must link to the competency's official page: add its "
            "'url:' (https://...) in the proposal's alignments, or reject the alignment."
        )


def badge_image(title: str) -> str:
    """A plain generated SVG badge (data URI) for platforms that require an image."""
    words = title.split()
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
