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

from align._safeout import plain_text
from align._urls import quote_segment
from align.exports._alignments import Alignments, framework_meta
from align.exports._common import (
    BADGE_NAMESPACE,
    BadgeOptions,
    achievement_id,
    criteria_narrative,
    issuer_id,
    issuer_name,
    now_iso,
    rubric_assessed,
    tags,
)
from align.exports._refuse import refuse
from align.exports._text import framework_label, target_description, target_name, target_url
from align.proposals import ReviewedAlignment

__all__ = ["OB3_CONTEXT", "VC2_CONTEXT", "ob3_achievement", "ob3_alignment", "to_ob3"]

#: JSON-LD contexts of an Open Badges 3.0 credential (named, never fetched).
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def ob3_alignment(a: ReviewedAlignment) -> dict[str, Any]:
    """One OB 3.0 ``Alignment``: name, official page, one-sentence description, framework
    and version, code, type."""
    return {
        "type": ["Alignment"],
        "targetName": target_name(a),
        "targetUrl": target_url(a),
        "targetDescription": target_description(a),
        "targetFramework": framework_label(a),
        "targetCode": plain_text(a.code),
        "targetType": framework_meta(a.framework).target_type,
    }


def _profile(proposal: Any, options: BadgeOptions) -> dict[str, Any]:
    prof: dict[str, Any] = {
        "id": issuer_id(proposal, options),
        "type": ["Profile"],
        "name": issuer_name(proposal, options),
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
        An alignment has no acceptable official URL (the message names it), or
        an option's URL breaks the URL policy.
    """
    options = options or BadgeOptions()
    refuse("ob3", found, options)
    ach_id = achievement_id(proposal, options)
    criteria: dict[str, Any] = {"narrative": criteria_narrative(proposal, found)}
    if options.criteria_url:
        criteria["id"] = options.criteria_url
    ach: dict[str, Any] = {
        "id": ach_id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": plain_text(proposal.title),
        "description": plain_text(proposal.description or proposal.title),
        "criteria": criteria,
        "creditsAvailable": float(proposal.credits),
        "creator": _profile(proposal, options),
        "humanCode": plain_text(proposal.id),
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
            "id": f"{ach_id}#outcome-{quote_segment(o.id)}",
            "type": ["ResultDescription"],
            "name": plain_text(f"{o.id}: {o.text}"),
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
        "name": plain_text(proposal.title),
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": ach},
    }
    if proposal.expiry:
        cred["validUntil"] = f"{proposal.expiry.isoformat()}T23:59:59Z"
    return cred
