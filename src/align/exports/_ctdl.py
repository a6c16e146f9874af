"""The Credential Engine registry: a credential and its outcomes as CTDL JSON-LD.

US institutions publish credentials to the Credential Engine registry in CTDL
(Credential Transparency Description Language) and CTDL-ASN. :func:`to_ctdl`
returns the two request bodies of the registry's publish API (the "Registry
Assistant"), in the order they must be sent:

``competencyframework/publishGraph``
    ``{CTID, PublishForOrganizationIdentifier, DefaultLanguage,
    CompetencyFrameworkGraph}``: the credential's learning outcomes as a
    ``ceasn:CompetencyFramework`` whose top children are one
    ``ceasn:Competency`` per outcome (``ceasn:competencyText``,
    ``ceasn:codedNotation`` = the outcome id).
``credential/publishGraph``
    ``{PublishForOrganizationIdentifier, DefaultLanguage, GraphInput}``: the
    credential, a ``ceterms:MicroCredential``, which ``ceterms:requires`` one
    ``ceterms:ConditionProfile`` per outcome (and one for the credential as a
    whole). Each profile's ``ceterms:targetCompetency`` holds
    ``ceterms:CredentialAlignmentObject`` entries: the outcome's own competency
    in the framework above, then every official competency it is aligned to
    (``ceterms:targetNode`` = the official page, ``targetNodeName``,
    ``targetNodeDescription``, ``framework``, ``frameworkName``,
    ``codedNotation``; ``alignmentDate`` when the review date is known).

Identifiers are CTIDs (``ce-<UUID>``) derived from the proposal id, so
publishing again updates the same records. Resource URIs are
``<registry>/resources/<CTID>`` for the chosen environment (``sandbox`` by
default; ``production`` when ready). Every property written is a CTDL or
CTDL-ASN term defined for its class (:data:`CTDL_TERMS`, checked in tests).
"""

from __future__ import annotations

import uuid
from typing import Any

from align._safeout import plain_text
from align._urls import url_problem
from align.exceptions import InvalidArgumentError
from align.exports._alignments import Alignments, framework_meta
from align.exports._common import (
    REGISTRIES,
    UNREVIEWED_TAG,
    BadgeOptions,
    achievement_id,
    review_sentence,
    tags,
)
from align.exports._refuse import refuse
from align.exports._text import framework_label, target_description, target_name, target_url
from align.proposals import ReviewedAlignment

__all__ = [
    "ASSISTANT_URLS",
    "CTDLASN_CONTEXT",
    "CTDL_CONTEXT",
    "CTDL_TERMS",
    "PENDING_SUFFIX",
    "PUBLISH_ENDPOINTS",
    "ctid",
    "to_ctdl",
]

#: JSON-LD contexts of CTDL and CTDL-ASN (named, never fetched).
CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
CTDLASN_CONTEXT = "https://credreg.net/ctdlasn/schema/context/json"
#: The Registry Assistant's publish API of each environment.
ASSISTANT_URLS: dict[str, str] = {
    "sandbox": "https://sandbox.credentialengine.org/assistant",
    "production": "https://credentialengine.org/assistant",
}
#: The two publish requests, in the order they are sent (framework first: the credential
#: points at its competencies).
PUBLISH_ENDPOINTS = ("competencyframework/publishGraph", "credential/publishGraph")
#: Namespace of the UUIDv5 part of the CTIDs align makes.
CTID_NAMESPACE = uuid.UUID("0b7d3f4e-52c4-5f0a-8d4e-0a1c7f6e2b9d")

_MICRO = "ceterms:MicroCredential"
_CP = "ceterms:ConditionProfile"
_CAO = "ceterms:CredentialAlignmentObject"
_FW = "ceasn:CompetencyFramework"
_COMP = "ceasn:Competency"

#: Every CTDL / CTDL-ASN term this export writes, with the classes it is written on.
#: Each (term, class) pair is in the term's domain in the CTDL and CTDL-ASN vocabularies
#: (credreg.net/ctdl/terms, credreg.net/ctdlasn/terms), checked when the export was written.
CTDL_TERMS: dict[str, tuple[str, ...]] = {
    "ceterms:ctid": (_MICRO, _FW, _COMP),
    "ceterms:name": (_MICRO, _CP),
    "ceterms:description": (_MICRO, _CP),
    "ceterms:subjectWebpage": (_MICRO,),
    "ceterms:inLanguage": (_MICRO,),
    "ceterms:ownedBy": (_MICRO,),
    "ceterms:offeredBy": (_MICRO,),
    "ceterms:credentialStatusType": (_MICRO,),
    "ceterms:expirationDate": (_MICRO,),
    "ceterms:image": (_MICRO,),
    "ceterms:keyword": (_MICRO,),
    "ceterms:requires": (_MICRO,),
    "ceterms:assertedBy": (_CP,),
    "ceterms:condition": (_CP,),
    "ceterms:submissionOfDescription": (_CP,),
    "ceterms:targetCompetency": (_CP,),
    "ceterms:framework": (_CAO,),
    "ceterms:frameworkName": (_CAO,),
    "ceterms:targetNode": (_CAO,),
    "ceterms:targetNodeName": (_CAO,),
    "ceterms:targetNodeDescription": (_CAO,),
    "ceterms:codedNotation": (_CAO,),
    "ceterms:alignmentDate": (_CAO,),
    "ceasn:name": (_FW,),
    "ceasn:description": (_FW,),
    "ceasn:inLanguage": (_FW, _COMP),
    "ceasn:publisher": (_FW,),
    "ceasn:creator": (_FW,),
    "ceasn:publisherName": (_FW,),
    "ceasn:hasTopChild": (_FW,),
    "ceasn:competencyText": (_COMP,),
    "ceasn:codedNotation": (_COMP,),
    "ceasn:comment": (_COMP,),
    "ceasn:isPartOf": (_COMP,),
    "ceasn:isTopChildOf": (_COMP,),
}


def ctid(*parts: str) -> str:
    """A stable CTID (``ce-<UUID>``) for one of the credential's records.

    Examples
    --------
    >>> ctid("credential", "data-analytics")[:3], len(ctid("x"))
    ('ce-', 39)
    """
    return "ce-" + str(uuid.uuid5(CTID_NAMESPACE, "\x1f".join(parts)))


def _lang(options: BadgeOptions, value: Any) -> dict[str, Any]:
    return {options.language: value}


def _official_cao(a: ReviewedAlignment, options: BadgeOptions) -> dict[str, Any]:
    cao: dict[str, Any] = {"@type": _CAO}
    page = framework_meta(a.framework).url
    if page:
        cao["ceterms:framework"] = page
    cao["ceterms:frameworkName"] = _lang(options, framework_label(a))
    cao["ceterms:targetNode"] = target_url(a)
    cao["ceterms:targetNodeName"] = _lang(options, target_name(a))
    cao["ceterms:targetNodeDescription"] = _lang(options, target_description(a))
    if a.code:
        cao["ceterms:codedNotation"] = plain_text(a.code)
    if a.reviewed_at is not None and a.status == "accepted":
        cao["ceterms:alignmentDate"] = a.reviewed_at.date().isoformat()
    return cao


class _Records:
    """The CTIDs and resource URIs of one credential's records."""

    def __init__(self, proposal: Any, options: BadgeOptions) -> None:
        if options.registry not in REGISTRIES:
            raise InvalidArgumentError(
                f"registry={options.registry!r} is not a Credential Engine registry "
                f"environment; use one of {', '.join(REGISTRIES)} (--registry)."
            )
        self.base = REGISTRIES[options.registry]
        self.credential = ctid("credential", proposal.id)
        self.framework = ctid("outcomes", proposal.id)
        self.outcomes = {o.id: ctid("outcome", proposal.id, o.id) for o in proposal.outcomes}
        org = options.organization_ctid
        self.org = [self.uri(org)] if org else []

    def uri(self, record: str) -> str:
        return f"{self.base}/resources/{record}"

    def graph(self, record: str) -> str:
        return f"{self.base}/graph/{record}"


def _framework_graph(proposal: Any, rec: _Records, options: BadgeOptions) -> list[Any]:
    title = plain_text(proposal.title)
    framework: dict[str, Any] = {
        "@id": rec.uri(rec.framework),
        "@type": _FW,
        "ceterms:ctid": rec.framework,
        "ceasn:name": _lang(options, f"{title}: learning outcomes"),
        "ceasn:description": _lang(
            options,
            f"The learning outcomes of the micro-credential {title}, issued by "
            f"{plain_text(proposal.issuing_unit)}.",
        ),
        "ceasn:inLanguage": [options.language],
        "ceasn:publisherName": _lang(options, plain_text(proposal.issuing_unit)),
        "ceasn:hasTopChild": [rec.uri(rec.outcomes[o.id]) for o in proposal.outcomes],
    }
    if rec.org:
        framework["ceasn:publisher"] = rec.org
        framework["ceasn:creator"] = rec.org
    competencies = []
    for o in proposal.outcomes:
        comp: dict[str, Any] = {
            "@id": rec.uri(rec.outcomes[o.id]),
            "@type": _COMP,
            "ceterms:ctid": rec.outcomes[o.id],
            "ceasn:competencyText": _lang(options, plain_text(o.text)),
            "ceasn:codedNotation": plain_text(o.id),
            "ceasn:isPartOf": rec.uri(rec.framework),
            "ceasn:isTopChildOf": rec.uri(rec.framework),
            "ceasn:inLanguage": [options.language],
        }
        how = _how(o)
        if how:
            comp["ceasn:comment"] = _lang(options, how)
        competencies.append(comp)
    return [framework, *competencies]


def _how(o: Any) -> list[str]:
    return [
        plain_text(t)
        for t in (
            f"Assessed by {o.assessment}" if o.assessment else "",
            f"Evidence: {o.evidence}" if o.evidence else "",
        )
        if t
    ]


#: Ends the name of a requirement profile whose alignments nobody has reviewed yet.
PENDING_SUFFIX = " (alignments not yet reviewed)"
#: Name of the requirement profile of the credential as a whole.
WHOLE_PROFILE = "Competencies of the credential as a whole"
_PENDING_TEXT = (
    " These competency alignments were suggested by a matcher or read from an unreviewed "
    "badge, and have not yet been reviewed by faculty."
)


def _profile(
    name: str,
    description: str,
    caos: list[dict[str, Any]],
    rec: _Records,
    options: BadgeOptions,
    outcome: Any = None,
) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "@type": _CP,
        "ceterms:name": _lang(options, name),
        "ceterms:description": _lang(options, description),
    }
    if outcome is not None and outcome.assessment:
        profile["ceterms:condition"] = _lang(
            options, [plain_text(f"Assessed by {outcome.assessment}")]
        )
    if outcome is not None and outcome.evidence:
        profile["ceterms:submissionOfDescription"] = _lang(options, plain_text(outcome.evidence))
    profile["ceterms:targetCompetency"] = caos
    if rec.org:
        profile["ceterms:assertedBy"] = rec.org
    return profile


def _requirements(
    proposal: Any, found: Alignments, rec: _Records, options: BadgeOptions
) -> list[dict[str, Any]]:
    """One profile per outcome (its own competency and the reviewed alignments), one more
    per outcome for alignments nobody reviewed, and the same for the credential as a whole."""
    fw_name = plain_text(f"{proposal.title}: learning outcomes")
    profiles = []
    for o in proposal.outcomes:
        own = {
            "@type": _CAO,
            "ceterms:framework": rec.uri(rec.framework),
            "ceterms:frameworkName": _lang(options, fw_name),
            "ceterms:targetNode": rec.uri(rec.outcomes[o.id]),
            "ceterms:targetNodeName": _lang(options, plain_text(o.text)),
            "ceterms:codedNotation": plain_text(o.id),
        }
        mine = Alignments(found.for_outcome(o.id), found.unreviewed).distinct()
        done = [_official_cao(a, options) for a in mine if a.status != "unreviewed"]
        pending = [_official_cao(a, options) for a in mine if a.status == "unreviewed"]
        name = plain_text(f"Learning outcome {o.id}")
        profiles.append(_profile(name, plain_text(o.text), [own, *done], rec, options, o))
        if pending:
            profiles.append(
                _profile(
                    name + PENDING_SUFFIX,
                    plain_text(o.text) + _PENDING_TEXT,
                    [own, *pending],
                    rec,
                    options,
                    o,
                )
            )
    whole = Alignments(found.for_outcome(None), found.unreviewed).distinct()
    text = "Competencies the credential as a whole is aligned to."
    done = [_official_cao(a, options) for a in whole if a.status != "unreviewed"]
    pending = [_official_cao(a, options) for a in whole if a.status == "unreviewed"]
    if done:
        profiles.append(_profile(WHOLE_PROFILE, text, done, rec, options))
    if pending:
        profiles.append(
            _profile(WHOLE_PROFILE + PENDING_SUFFIX, text + _PENDING_TEXT, pending, rec, options)
        )
    return profiles


def _credential(
    proposal: Any, found: Alignments, rec: _Records, options: BadgeOptions
) -> dict[str, Any]:
    cred: dict[str, Any] = {
        "@id": rec.uri(rec.credential),
        "@type": _MICRO,
        "ceterms:ctid": rec.credential,
        "ceterms:name": _lang(options, plain_text(proposal.title)),
        "ceterms:description": _lang(options, plain_text(proposal.description or proposal.title)),
    }
    page = options.criteria_url or (achievement_id(proposal, options) if options.base_url else "")
    if page:
        cred["ceterms:subjectWebpage"] = page
    cred["ceterms:inLanguage"] = [options.language]
    if rec.org:
        cred["ceterms:ownedBy"] = rec.org
        cred["ceterms:offeredBy"] = rec.org
    cred["ceterms:credentialStatusType"] = {
        "@type": _CAO,
        "ceterms:framework": "https://credreg.net/ctdl/terms/CredentialStatus",
        "ceterms:frameworkName": _lang(options, "Credential Status"),
        "ceterms:targetNode": "credentialStat:Active",
        "ceterms:targetNodeName": _lang(options, "Active"),
    }
    if proposal.expiry is not None:
        cred["ceterms:expirationDate"] = proposal.expiry.isoformat()
    if options.image_url and url_problem(options.image_url) is None:
        cred["ceterms:image"] = options.image_url
    cred["ceterms:keyword"] = _lang(options, tags(proposal, found))
    cred["ceterms:requires"] = _requirements(proposal, found, rec, options)
    return cred


def to_ctdl(
    proposal: Any, found: Alignments, options: BadgeOptions | None = None
) -> dict[str, Any]:
    """The credential and its outcomes as the registry's two publish request bodies.

    Returns
    -------
    dict
        ``{"competencyframework/publishGraph": {...}, "credential/publishGraph":
        {...}}``: POST each body to ``<assistant URL>/<key>`` in that order,
        with the header ``Authorization: ApiToken <your API key>``
        (:data:`ASSISTANT_URLS`).

    Raises
    ------
    ExportError
        An alignment has no acceptable official URL, or an option breaks the
        URL policy (the message names it).
    InvalidArgumentError
        ``options.registry`` is not ``sandbox`` or ``production``.
    """
    options = options or BadgeOptions()
    refuse("ctdl", found, options)
    rec = _Records(proposal, options)
    publisher: dict[str, Any] = {}
    if options.organization_ctid:
        publisher["PublishForOrganizationIdentifier"] = options.organization_ctid
    publisher["DefaultLanguage"] = options.language
    framework_request = {
        "CTID": rec.framework,
        **publisher,
        "CompetencyFrameworkGraph": {
            "@context": CTDLASN_CONTEXT,
            "@id": rec.graph(rec.framework),
            "@graph": _framework_graph(proposal, rec, options),
        },
    }
    credential_request = {
        **publisher,
        "GraphInput": {
            "@context": CTDL_CONTEXT,
            "@id": rec.graph(rec.credential),
            "@graph": [_credential(proposal, found, rec, options)],
        },
    }
    note = review_sentence(found)
    out: dict[str, Any] = {
        PUBLISH_ENDPOINTS[0]: framework_request,
        PUBLISH_ENDPOINTS[1]: credential_request,
    }
    if note:
        # Outside the request bodies: what an administrator should know before publishing.
        out["alignments_unreviewed"] = f"{note} (tag '{UNREVIEWED_TAG}')"
    return out
