"""Open Badges 2.0: a ``BadgeClass`` with its ``alignment`` list.

Alignments are ``AlignmentObject`` entries (``targetName``, ``targetUrl``,
``targetDescription``, ``targetFramework``, ``targetCode``). Open Badges 2.0 has
no per-outcome results, so every aligned competency is listed once on the
BadgeClass. Without an image URL the BadgeClass carries a generated SVG badge
(a data URI), since 2.0 requires an image.
"""

from __future__ import annotations

from typing import Any

from align.exports._alignments import Alignments
from align.exports._common import (
    BadgeOptions,
    achievement_id,
    badge_image,
    criteria_narrative,
    framework_label,
    issuer_id,
    require_urls,
    tags,
    target_description,
)
from align.proposals import ReviewedAlignment

__all__ = ["OB2_CONTEXT", "ob2_alignment", "to_ob2"]

#: JSON-LD context of Open Badges 2.0 (named, never fetched).
OB2_CONTEXT = "https://w3id.org/openbadges/v2"


def ob2_alignment(a: ReviewedAlignment) -> dict[str, Any]:
    """One OB 2.0 ``AlignmentObject``."""
    return {
        "targetName": a.label,
        "targetUrl": str(a.url),
        "targetDescription": target_description(a),
        "targetFramework": framework_label(a),
        "targetCode": a.code,
    }


def to_ob2(proposal: Any, found: Alignments, options: BadgeOptions | None = None) -> dict[str, Any]:
    """The proposal as an Open Badges 2.0 ``BadgeClass``.

    The issuer is its profile URL (``options.issuer_url``) when given, as
    hosted verification requires, else an embedded ``Profile``.

    Raises
    ------
    ExportError
        An alignment has no resolvable official URL (the message names it).
    """
    options = options or BadgeOptions()
    require_urls(found)
    criteria: dict[str, Any] = {"narrative": criteria_narrative(proposal, found)}
    if options.criteria_url:
        criteria["id"] = options.criteria_url
    issuer: Any = (
        options.issuer_url
        if options.issuer_url
        else {
            "id": issuer_id(proposal, options),
            "type": "Profile",
            "name": options.issuer_name or proposal.issuing_unit,
        }
    )
    return {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": achievement_id(proposal, options),
        "name": proposal.title,
        "description": proposal.description or proposal.title,
        "image": options.image_url or badge_image(proposal.title),
        "criteria": criteria,
        "issuer": issuer,
        "tags": tags(proposal, found),
        "alignment": [ob2_alignment(a) for a in found.distinct()],
    }
