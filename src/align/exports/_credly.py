"""Credly badge template (the JSON body of Credly's "create badge template" call).

Fields: ``name``, ``description``, ``skills`` (skill names: the aligned
competencies' labels), ``alignments`` (``name``, ``url``, ``description``,
``framework``, ``code``), ``earn_this_badge_url`` (the criteria URL),
``badge_template_activities`` (one ``Assessment`` activity per outcome with an
assessment, ``title`` and ``url``), ``type_category``, ``reporting_tags`` and
``state`` (``draft``). The image is uploaded separately in Credly.
"""

from __future__ import annotations

from typing import Any

from align._safeout import plain_text
from align.exports._alignments import Alignments
from align.exports._common import BadgeOptions, issuer_name, tags
from align.exports._refuse import refuse
from align.exports._text import framework_label, target_description, target_name, target_url

__all__ = ["to_credly"]

_TYPE_CATEGORY = {
    "academic": "Learning",
    "enhancement": "Learning",
    "post-traditional": "Learning",
}


def to_credly(
    proposal: Any, found: Alignments, options: BadgeOptions | None = None
) -> dict[str, Any]:
    """The proposal as a Credly badge-template JSON (state ``draft``).

    Raises
    ------
    ExportError
        An alignment has no acceptable official URL (the message names it).
    """
    options = options or BadgeOptions()
    refuse("credly", found, options)
    skills = list(dict.fromkeys(target_name(a) for a in found.distinct()))
    activities = [
        {
            "activity_type": "Assessment",
            "title": plain_text(
                f"{o.id}: {o.assessment}" + (f" ({o.evidence})" if o.evidence else "")
            ),
            "url": options.criteria_url or None,
        }
        for o in proposal.outcomes
        if o.assessment
    ]
    description = plain_text(proposal.description or proposal.title)
    return {
        "name": plain_text(proposal.title),
        "description": description,
        "state": "draft",
        "public": False,
        "type_category": _TYPE_CATEGORY.get(proposal.type, "Learning"),
        "earn_this_badge_url": options.criteria_url or None,
        "skills": skills,
        "alignments": [
            {
                "name": target_name(a),
                "url": target_url(a),
                "description": target_description(a),
                "framework": framework_label(a),
                "code": plain_text(a.code),
            }
            for a in found.distinct()
        ],
        "badge_template_activities": activities,
        "reporting_tags": tags(proposal, found),
        "issuer": {"name": issuer_name(proposal, options)},
    }
