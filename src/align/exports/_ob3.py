"""Open Badges 3.0: an Achievement and an unsigned OpenBadgeCredential template.

The Achievement (``achievementType`` ``MicroCredential``) carries the criteria
narrative (outcomes, assessments, evidence), ``creditsAvailable``, tags and one
``alignment`` entry per aligned competency; an outcome assessed with a rubric
also gets a ``ResultDescription`` with that outcome's alignments. The
credential template is unsigned and has no recipient: the issuing platform
adds the recipient, issues and signs it.
"""

from __future__ import annotations

import uuid
from typing import Any

from align.exports._alignments import Alignments, framework_meta
from align.exports._common import (
    BADGE_NAMESPACE,
    BadgeOptions,
    achievement_id,
    criteria_narrative,
    framework_label,
    issuer_id,
    now_iso,
    require_urls,
    rubric_assessed,
    tags,
    target_description,
)
from align.proposals import ReviewedAlignment

__all__ = ["OB3_CONTEXT", "VC2_CONTEXT", "ob3_achievement", "ob3_alignment", "to_ob3"]

#: JSON-LD contexts of an Open Badges 3.0 credential (named, never fetched).
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def ob3_alignment(a: ReviewedAlignment) -> dict[str, Any]:
    """One OB 3.0 ``Alignment``: name, official URL, description, framework, code, type."""
    return {
        "type": ["Alignment"],
        "targetName": a.label,
        "targetUrl": str(a.url),
        "targetDescription": target_description(a),
        "targetFramework": framework_label(a),
        "targetCode": a.code,
        "targetType": framework_meta(a.framework).target_type,
    }


def _profile(proposal: Any, options: BadgeOptions) -> dict[str, Any]:
    prof: dict[str, Any] = {
        "id": issuer_id(proposal, options),
        "type": ["Profile"],
        "name": options.issuer_name or proposal.issuing_unit,
    }
    if options.issuer_url:
        prof["url"] = options.issuer_url
    return prof


def ob3_achievement(
    proposal: Any, found: Alignments, options: BadgeOptions | None = None
) -> dict[str, Any]:
    """The proposal as an Open Badges 3.0 ``Achievement``.

    Raises
    ------
    ExportError
        An alignment has no resolvable official URL (the message names it).
    """
    options = options or BadgeOptions()
    require_urls(found)
    ach_id = achievement_id(proposal, options)
    criteria: dict[str, Any] = {"narrative": criteria_narrative(proposal, found)}
    if options.criteria_url:
        criteria["id"] = options.criteria_url
    ach: dict[str, Any] = {
        "id": ach_id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": proposal.title,
        "description": proposal.description or proposal.title,
        "criteria": criteria,
        "creditsAvailable": float(proposal.credits),
        "creator": _profile(proposal, options),
        "humanCode": proposal.id,
        "inLanguage": options.language,
        "tag": tags(proposal, found),
        "alignment": [ob3_alignment(a) for a in found.distinct()],
    }
    if options.image_url:
        ach["image"] = {"id": options.image_url, "type": "Image"}
    results = []
    for o in proposal.outcomes:
        mine = found.for_outcome(o.id)
        if not rubric_assessed(o):
            continue
        rd: dict[str, Any] = {
            "id": f"{ach_id}#outcome-{o.id}",
            "type": ["ResultDescription"],
            "name": f"{o.id}: {o.text}",
            "resultType": "RubricScore",
        }
        if mine:
            rd["alignment"] = [ob3_alignment(a) for a in mine]
        results.append(rd)
    if results:
        ach["resultDescription"] = results
    return ach


def to_ob3(proposal: Any, found: Alignments, options: BadgeOptions | None = None) -> dict[str, Any]:
    """An unsigned Open Badges 3.0 ``OpenBadgeCredential`` template around the Achievement.

    ``validFrom`` is the export time, ``validUntil`` the proposal's expiry. The
    ``credentialSubject`` has no ``id``: the issuing platform adds the
    recipient and the proof.
    """
    options = options or BadgeOptions()
    ach = ob3_achievement(proposal, found, options)
    cred: dict[str, Any] = {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid5(BADGE_NAMESPACE, 'credential:' + proposal.id)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": _profile(proposal, options),
        "validFrom": now_iso(),
        "name": proposal.title,
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": ach},
    }
    if proposal.expiry:
        cred["validUntil"] = f"{proposal.expiry.isoformat()}T23:59:59Z"
    return cred
