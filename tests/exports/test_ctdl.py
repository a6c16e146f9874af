"""CTDL export for the Credential Engine registry: structure, terms, identifiers, pre-flight.

The CTDL and CTDL-ASN vocabularies are not in ``../shared/standards`` (no
snapshot of the context was available), so the terms are checked against
``CTDL_TERMS``: the (term, class) pairs the export writes, each verified against
the published vocabularies when the export was written. The request shapes are
those of the Registry Assistant's publish API (``publishGraph`` bodies).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from align.exports import (
    CTDL_TERMS,
    PUBLISH_ENDPOINTS,
    BadgeOptions,
    check_export,
    export_badge,
    gather_alignments,
    to_ctdl,
)
from align.proposals import load_proposal

from .conftest import EXAMPLES

ORG = "ce-9d30f846-dfa4-4b1c-90fa-9d01238a86ac"
OPTIONS = BadgeOptions(
    criteria_url="https://badges.example.edu/criteria/data-analytics",
    organization_ctid=ORG,
    image_url="https://badges.example.edu/img/da.png",
)
CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def proposal() -> Any:
    return load_proposal(EXAMPLES / "data-analytics.yaml")


@pytest.fixture(scope="module")
def requests(proposal: Any, reviewed: list[dict[str, Any]]) -> dict[str, Any]:
    return to_ctdl(proposal, alignments=reviewed, options=OPTIONS)


def _nodes(obj: Any) -> list[dict[str, Any]]:
    """Every JSON object with an @type, nested ones included."""
    out = []
    if isinstance(obj, dict):
        if "@type" in obj:
            out.append(obj)
        for v in obj.values():
            out += _nodes(v)
    elif isinstance(obj, list):
        for v in obj:
            out += _nodes(v)
    return out


def test_two_publish_requests_in_order(requests: dict[str, Any]) -> None:
    assert list(requests)[:2] == list(PUBLISH_ENDPOINTS)
    fw_req, cred_req = (requests[k] for k in PUBLISH_ENDPOINTS)
    assert (
        fw_req["PublishForOrganizationIdentifier"]
        == ORG
        == cred_req["PublishForOrganizationIdentifier"]
    )
    assert fw_req["CompetencyFrameworkGraph"]["@context"] == (
        "https://credreg.net/ctdlasn/schema/context/json"
    )
    assert cred_req["GraphInput"]["@context"] == "https://credreg.net/ctdl/schema/context/json"
    assert CTID.match(fw_req["CTID"])
    assert fw_req["CompetencyFrameworkGraph"]["@graph"][0]["ceterms:ctid"] == fw_req["CTID"]
    json.dumps(requests)


def test_every_term_is_defined_for_its_class(requests: dict[str, Any]) -> None:
    for node in _nodes(requests):
        cls = node["@type"]
        for key in node:
            if key.startswith(("ceterms:", "ceasn:")):
                assert cls in CTDL_TERMS.get(key, ()), (key, cls)


def test_outcomes_are_a_competency_framework(proposal: Any, requests: dict[str, Any]) -> None:
    graph = requests[PUBLISH_ENDPOINTS[0]]["CompetencyFrameworkGraph"]["@graph"]
    framework, *competencies = graph
    assert framework["@type"] == "ceasn:CompetencyFramework"
    assert [c["ceasn:codedNotation"] for c in competencies] == [o.id for o in proposal.outcomes]
    assert framework["ceasn:hasTopChild"] == [c["@id"] for c in competencies]
    for c in competencies:
        assert c["@type"] == "ceasn:Competency" and CTID.match(c["ceterms:ctid"])
        assert c["@id"].endswith(c["ceterms:ctid"])
        assert c["ceasn:isPartOf"] == framework["@id"] == c["ceasn:isTopChildOf"]
    assert framework["ceasn:publisher"] == [
        f"https://sandbox.credentialengineregistry.org/resources/{ORG}"
    ]


def test_credential_requires_its_competencies(
    proposal: Any, requests: dict[str, Any], reviewed: list[dict[str, Any]]
) -> None:
    (cred,) = requests[PUBLISH_ENDPOINTS[1]]["GraphInput"]["@graph"]
    assert cred["@type"] == "ceterms:MicroCredential" and CTID.match(cred["ceterms:ctid"])
    assert cred["ceterms:subjectWebpage"] == OPTIONS.criteria_url
    assert cred["ceterms:ownedBy"] == cred["ceterms:offeredBy"]
    assert cred["ceterms:credentialStatusType"]["ceterms:targetNode"] == "credentialStat:Active"
    assert cred["ceterms:expirationDate"] == "2029-08-31"
    profiles = {
        p["ceterms:name"]["en"]: p["ceterms:targetCompetency"] for p in cred["ceterms:requires"]
    }
    lo5 = profiles["Learning outcome LO5"]
    own, *official = lo5
    # the outcome's own competency in the framework published first
    fw_id = requests[PUBLISH_ENDPOINTS[0]]["CompetencyFrameworkGraph"]["@graph"][0]["@id"]
    assert own["ceterms:framework"] == fw_id and own["ceterms:codedNotation"] == "LO5"
    assert [c["ceterms:codedNotation"] for c in official] == ["2.A.1.b", "2.A.1.d", "communication"]
    listening = official[0]
    assert listening["ceterms:targetNode"] == (
        "https://www.onetonline.org/find/descriptor/result/2.A.1.b"
    )
    assert listening["ceterms:targetNodeName"] == {"en": "Active Listening"}
    assert listening["ceterms:frameworkName"] == {"en": "O*NET 29.3"}
    assert listening["ceterms:framework"] == "https://www.onetcenter.org/database.html"
    assert listening["ceterms:alignmentDate"] == "2026-11-20"  # the review date
    assert listening["ceterms:targetNodeDescription"]["en"].endswith("From O*NET 29.3.")
    whole = profiles["Competencies of the credential as a whole"]
    assert [c["ceterms:codedNotation"] for c in whole] == ["2.A.2.a"]


def test_ids_are_stable_and_environment_specific(proposal: Any, reviewed: Any) -> None:
    a = to_ctdl(proposal, alignments=reviewed, options=OPTIONS)
    b = to_ctdl(proposal, alignments=reviewed, options=OPTIONS)
    assert a == b  # publishing again updates the same records
    prod = to_ctdl(
        proposal, alignments=reviewed, options=BadgeOptions(**{**OPTIONS.__dict__,
                                                               "registry": "production"})
    )  # fmt: skip
    cred = prod[PUBLISH_ENDPOINTS[1]]["GraphInput"]["@graph"][0]
    assert cred["@id"].startswith("https://credentialengineregistry.org/resources/ce-")
    assert (
        cred["ceterms:ctid"] == a[PUBLISH_ENDPOINTS[1]]["GraphInput"]["@graph"][0]["ceterms:ctid"]
    )


def test_unreviewed_alignments_are_said_in_the_registry_text(
    proposal: Any, reviewed: list[dict[str, Any]]
) -> None:
    from align.exceptions import AlignDataWarning

    al = [{**a, "status": "unreviewed"} if a["id"] == "nace:teamwork" else a for a in reviewed]
    with pytest.warns(AlignDataWarning):
        found = gather_alignments(proposal, alignments=al)
    out = to_ctdl(proposal, alignments=found, options=OPTIONS)
    cred = out[PUBLISH_ENDPOINTS[1]]["GraphInput"]["@graph"][0]
    assert "alignments-unreviewed" in cred["ceterms:keyword"]["en"]
    names = {p["ceterms:name"]["en"]: p for p in cred["ceterms:requires"]}
    # reviewed and unreviewed alignments of LO6 sit in profiles of their own
    reviewed_lo6 = names["Learning outcome LO6"]["ceterms:targetCompetency"]
    pending_lo6 = names["Learning outcome LO6 (alignments not yet reviewed)"]
    assert [c["ceterms:codedNotation"] for c in reviewed_lo6] == ["LO6", "1.1"]
    assert [c["ceterms:codedNotation"] for c in pending_lo6["ceterms:targetCompetency"]] == [
        "LO6",
        "teamwork",
    ]
    assert "not yet been reviewed by faculty" in pending_lo6["ceterms:description"]["en"]
    assert "not yet been reviewed" in out["alignments_unreviewed"]


def test_check_rules_of_its_own(proposal: Any, reviewed: list[dict[str, Any]]) -> None:
    found = gather_alignments(proposal, alignments=reviewed)
    bare = check_export(proposal, "ctdl", alignments=found, options=BadgeOptions())
    assert {p.rule for p in bare} == {"ctdl-organization", "ctdl-subject-webpage"}
    bad = check_export(
        proposal, "ctdl", alignments=found, options=BadgeOptions(organization_ctid="my-org")
    )
    assert "ctdl-organization" in {p.rule for p in bad}
    assert check_export(proposal, "ctdl", alignments=found, options=OPTIONS) == []
    text = export_badge(proposal, "ctdl", alignments=found, options=OPTIONS)
    assert json.loads(text)[PUBLISH_ENDPOINTS[0]]["CTID"].startswith("ce-")
