"""Open Badges 2.0: a ``BadgeClass`` with its ``alignment`` list.

Alignments are ``AlignmentObject`` entries (``targetName``, ``targetUrl``,
``targetDescription``, ``targetFramework``, ``targetCode``). Open Badges 2.0 has
no per-outcome results, so every aligned competency is listed once on the
BadgeClass. Without an image URL the BadgeClass carries a generated SVG badge
(a data URI), since 2.0 requires an image.
"""

from __future__ import annotations

from typing import Any

from align._safeout import plain_text
from align.exports._alignments import Alignments
from align.exports._common import (
    BadgeOptions,
    achievement_id,
    badge_image,
    criteria_narrative,
    issuer_id,
    issuer_name,
    tags,
)
from align.exports._refuse import refuse
from align.exports._text import framework_label, target_description, target_name, target_url
from align.proposals import ReviewedAlignment

__all__ = ["OB2_CONTEXT", "ob2_alignment", "to_ob2"]

#: JSON-LD context of Open Badges 2.0 (named, never fetched).
OB2_CONTEXT = "https://w3id.org/openbadges/v2"


def ob2_alignment(a: ReviewedAlignment) -> dict[str, Any]:
    """One OB 2.0 ``AlignmentObject``."""
    return {
        "targetName": target_name(a),
        "targetUrl": target_url(a),
        "targetDescription": target_description(a),
        "targetFramework": framework_label(a),
        "targetCode": plain_text(a.code),
    }


def to_ob2(proposal: Any, found: Alignments, options: BadgeOptions | None = None) -> dict[str, Any]:
    """The proposal as an Open Badges 2.0 ``BadgeClass``.

    The issuer is its profile URL (``options.issuer_url``) when given, as
    hosted verification requires, else an embedded ``Profile``.

    Raises
    ------
    ExportError
        An alignment has no acceptable official URL (the message names it), or
        an option's URL breaks the URL policy.
    """
    options = options or BadgeOptions()
    refuse("ob2", found, options)
    criteria: dict[str, Any] = {"narrative": criteria_narrative(proposal, found)}
    if options.criteria_url:
        criteria["id"] = options.criteria_url
    issuer: Any = (
        options.issuer_url
        if options.issuer_url
        else {
            "id": issuer_id(proposal, options),
            "type": "Profile",
            "name": issuer_name(proposal, options),
        }
    )
    return {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": achievement_id(proposal, options),
        "name": plain_text(proposal.title),
        "description": plain_text(proposal.description or proposal.title),
        "image": options.image_url or badge_image(proposal.title),
        "criteria": criteria,
        "issuer": issuer,
        "tags": tags(proposal, found),
        "alignment": [ob2_alignment(a) for a in found.distinct()],
    }
