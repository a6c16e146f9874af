"""Badge exports: OB 3.0, OB 2.0, Credly, CASE and CSV, validated against the official files."""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from align.exceptions import AlignDataWarning, ExportError, InvalidArgumentError
from align.exports import (
    ALIGNMENT_COLUMNS,
    UNREVIEWED_TAG,
    BadgeOptions,
    gather_alignments,
    import_badge_alignments,
    to_case_package,
    to_credly,
    to_csv,
    to_ctdl,
    to_ob2,
    to_ob3,
)
from align.proposals import load_proposal

from .conftest import EXAMPLES, PROPOSAL_FILES

OPTIONS = BadgeOptions(
    issuer_url="https://badges.example.edu/issuers/scps",
    base_url="https://badges.example.edu",
    criteria_url="https://badges.example.edu/criteria/data-analytics",
)
EXT_TYPE = re.compile(r"(ext:)[a-z|A-Z|0-9|.|-|_]+")  # the OB 3.0 schema's own pattern


@pytest.fixture(scope="module")
def proposal() -> Any:
    return load_proposal(EXAMPLES / "data-analytics.yaml")


@pytest.fixture(scope="module")
def found(proposal: Any, reviewed: list[dict[str, Any]]) -> Any:
    return gather_alignments(proposal, alignments=reviewed)


def test_reviewed_alignments_drop_rejected_ones(found: Any) -> None:
    assert not found.unreviewed
    assert "nace:leadership" not in {a.id for a in found.items}
    # onet:2.A.2.a is aligned to LO3 and to the whole credential: listed once on a badge
    assert [a.id for a in found.distinct()].count("onet:2.A.2.a") == 1
    assert found.versions["onet"] == "29.3"


# -- Open Badges 3.0 -----------------------------------------------------------
def test_ob3_validates_against_the_official_schema(
    proposal: Any, found: Any, ob3_validator: Any
) -> None:
    for options in (BadgeOptions(), OPTIONS):
        cred = to_ob3(proposal, alignments=found, options=options)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in ob3_validator.iter_errors(cred)]
        assert errors == []
    ach = cred["credentialSubject"]["achievement"]
    assert ach["achievementType"] == "MicroCredential"
    assert ach["creditsAvailable"] == 0.0
    assert ach["criteria"]["id"] == OPTIONS.criteria_url
    assert (
        "LO1" in ach["criteria"]["narrative"] and "Timed practical" in ach["criteria"]["narrative"]
    )
    assert cred["validUntil"].startswith("2029-08-31")
    assert len(ach["alignment"]) == len(found.distinct()) == 6


def test_ob3_alignment_fields_and_target_types(proposal: Any, found: Any) -> None:
    ach = to_ob3(proposal, alignments=found)["credentialSubject"]["achievement"]
    by_code = {a["targetCode"]: a for a in ach["alignment"]}
    crit = by_code["2.A.2.a"]
    assert crit["type"] == ["Alignment"]
    assert crit["targetName"] == "Critical Thinking"
    assert crit["targetUrl"].startswith("https://www.onetonline.org/")
    assert crit["targetFramework"] == "O*NET 29.3"
    assert crit["targetDescription"].startswith("Using logic and reasoning")
    assert crit["targetType"] == "ext:ONetElement"
    assert by_code["communication"]["targetType"] == "ext:NACECompetency"
    assert by_code["1.1"]["targetType"] == "ext:CMCCompetency"
    assert all(EXT_TYPE.search(a["targetType"]) for a in ach["alignment"])


def test_ob3_case_items_are_cfitems(proposal: Any, ob3_validator: Any) -> None:
    case_item = {
        "outcome": None,
        "framework": "case",
        "framework_version": "2024",
        "id": "case:74f5bb7d",
        "code": "74f5bb7d",
        "label": "Cite textual evidence",
        "url": "https://caseregistry.imsglobal.org/uri/74f5bb7d-d7cc-11e8-824f-0242ac160002",
    }
    cred = to_ob3(proposal, alignments=gather_alignments(proposal, alignments=[case_item]))
    assert cred["credentialSubject"]["achievement"]["alignment"][0]["targetType"] == "CFItem"
    assert list(ob3_validator.iter_errors(cred)) == []


def test_ob3_rubric_outcomes_carry_their_alignments(proposal: Any, found: Any) -> None:
    ach = to_ob3(proposal, alignments=found)["credentialSubject"]["achievement"]
    results = {r["id"].rsplit("#outcome-", 1)[1]: r for r in ach["resultDescription"]}
    # LO2-LO5 are rubric-scored; LO1 (auto-graded) and LO6 (partner feedback) are not
    assert sorted(results) == ["LO2", "LO3", "LO4", "LO5"]
    assert [a["targetName"] for a in results["LO5"]["alignment"]] == [
        "Active Listening",
        "Speaking",
        "Communication",
    ]
    assert "alignment" not in results["LO2"]  # rubric-scored but nothing aligned
    assert all(r["resultType"] == "RubricScore" for r in results.values())


def test_ob3_expands_as_json_ld_offline(proposal: Any, found: Any, offline_loader: Any) -> None:
    from pyld import jsonld

    cred = to_ob3(proposal, alignments=found, options=OPTIONS)
    # safe mode fails on any term the contexts do not define: nothing is silently dropped
    expanded = jsonld.expand(cred, {"documentLoader": offline_loader, "safeMode": True})
    text = json.dumps(expanded)
    assert "https://schema.org/targetUrl" in text
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetType" in text
    assert set(offline_loader.requested) <= {
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/openbadges/v2",
    }


@pytest.mark.parametrize("path", PROPOSAL_FILES, ids=lambda p: p.stem)
def test_every_example_exports_valid_ob3(
    path: Path, ob3_validator: Any, case_validator: Any, nace: Any
) -> None:
    p = load_proposal(path)
    comp = nace.competencies.set_index("id").loc["nace:communication"]
    al = [
        {
            "outcome": o.id,
            "framework": "nace",
            "framework_version": nace.info.version,
            "id": "nace:communication",
            "label": comp["label"],
            "url": comp["url"],
        }
        for o in p.outcomes
    ]
    found = gather_alignments(p, alignments=al)
    assert list(ob3_validator.iter_errors(to_ob3(p, alignments=found))) == []
    assert list(case_validator.iter_errors(to_case_package(p, alignments=found))) == []


# -- Open Badges 2.0 -----------------------------------------------------------
def test_ob2_badgeclass(proposal: Any, found: Any, offline_loader: Any) -> None:
    from pyld import jsonld

    bc = to_ob2(proposal, alignments=found, options=OPTIONS)
    assert bc["type"] == "BadgeClass"
    for key in ("id", "name", "description", "image", "criteria", "issuer"):
        assert bc[key], key  # required BadgeClass properties (OB 2.0 spec)
    assert bc["issuer"] == OPTIONS.issuer_url
    assert bc["id"] == "https://badges.example.edu/achievements/data-analytics-pt"
    assert {a["targetCode"] for a in bc["alignment"]} >= {"2.A.2.a", "communication", "1.1"}
    for a in bc["alignment"]:
        assert set(a) == {
            "targetName",
            "targetUrl",
            "targetDescription",
            "targetFramework",
            "targetCode",
        }
    expanded = jsonld.expand(bc, {"documentLoader": offline_loader, "safeMode": True})
    text = json.dumps(expanded)
    assert (
        "http://schema.org/targetUrl" in text and "http://schema.org/educationalFramework" in text
    )
    # without an image URL, 2.0 (which requires one) gets a generated SVG badge
    assert to_ob2(proposal, alignments=found)["image"].startswith("data:image/svg+xml;base64,")


# -- Credly ------------------------------------------------------------------------
def test_credly_template(proposal: Any, found: Any) -> None:
    t = to_credly(proposal, alignments=found, options=OPTIONS)
    assert len(t["skills"]) >= 3
    assert t["earn_this_badge_url"] == OPTIONS.criteria_url
    assert len(t["badge_template_activities"]) >= 1
    assert all(a["activity_type"] == "Assessment" for a in t["badge_template_activities"])
    for a in t["alignments"]:
        assert a["name"] and a["url"].startswith("https://") and a["description"]
    assert t["state"] == "draft"
    json.dumps(t)


# -- CASE ------------------------------------------------------------------------
def test_case_package_validates_and_items_carry_official_urls(
    proposal: Any, found: Any, case_validator: Any, tmp_path: Path
) -> None:
    from align.frameworks.case import load_case

    pkg = to_case_package(proposal, alignments=found)
    assert list(case_validator.iter_errors(pkg)) == []
    comps = [i for i in pkg["CFItems"] if i["extensions"]["align"].get("framework")]
    assert len(comps) == len(found.distinct())
    for item in comps:
        url = item["extensions"]["align"]["url"]
        assert url.startswith("https://") and url.split("#")[0] in item["notes"]
    onet_item = next(i for i in comps if i["humanCodingScheme"] == "2.A.2.a")
    assert onet_item["uri"] == "https://www.onetonline.org/find/descriptor/result/2.A.2.a"
    nace_item = next(i for i in comps if i["humanCodingScheme"] == "communication")
    # NACE has one page for all eight: the page with the competency's code as fragment
    assert nace_item["uri"].endswith("career-readiness-defined/#communication")
    outcomes = [i for i in pkg["CFItems"] if "outcome" in i["extensions"]["align"]]
    assert [i["humanCodingScheme"] for i in outcomes] == [o.id for o in proposal.outcomes]
    # urn:uuid only for the credential's own items (outcomes, groups)
    assert all(i["uri"].startswith("urn:uuid:") for i in outcomes)
    assert not any(i["uri"].startswith("urn:uuid:") for i in comps)
    uris = [i["uri"] for i in pkg["CFItems"]]
    assert len(uris) == len(set(uris))
    for assoc in pkg["CFAssociations"]:
        assert assoc["originNodeURI"]["uri"] in uris
    related = {
        (a["originNodeURI"]["title"][:20], a["destinationNodeURI"]["title"])
        for a in pkg["CFAssociations"]
        if a["associationType"] == "isRelatedTo"
    }
    assert ("Present data-driven ", "Communication") in related
    f = tmp_path / "pkg.json"
    f.write_text(json.dumps(pkg))
    back = load_case(f)
    areas = set(back.competencies.loc[back.competencies.kind == "area", "code"])
    assert areas == {*found.frameworks(), "outcomes"}


# -- CSV ---------------------------------------------------------------------------
def test_csv_of_alignments(found: Any) -> None:
    df = pd.read_csv(io.StringIO(to_csv(proposal, alignments=found)), keep_default_na=False)
    assert list(df.columns) == list(ALIGNMENT_COLUMNS)
    assert len(df) == len(found.items) == 7
    assert set(df["reviewed"]) == {True}
    assert df.loc[df["competency_id"] == "onet:2.A.2.a", "outcome"].tolist() == ["LO3", ""]


# -- never an alignment without an official URL ---------------------------------
CASE_ITEM = {
    "outcome": "LO5",
    "framework": "case",
    "framework_version": "2024",
    "id": "case:74f5bb7d",
    "code": "74f5bb7d",
    "label": "Cite textual evidence",
}
BAD_URLS = [
    None,
    "",
    "not a url",
    "javascript:alert(1)",
    "ftp://x.org/a",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    'https://case.example.org/x"><script>alert(1)</script>',
    "https://case.example.org@evil.example.com/x",
]


@pytest.mark.parametrize("bad_url", BAD_URLS)
@pytest.mark.parametrize("export", [to_ob3, to_ob2, to_credly, to_case_package, to_ctdl])
def test_alignment_without_url_is_refused_naming_the_competency(
    proposal: Any, reviewed: list[dict[str, Any]], export: Any, bad_url: Any
) -> None:
    """A framework align has no page rule for (a CASE package) links its recorded page,
    which must pass the URL policy."""
    al = [*reviewed[:3], {**CASE_ITEM, "url": bad_url}]
    with pytest.raises(ExportError, match=r"'Cite textual evidence' \(case:74f5bb7d, CASE"):
        export(proposal, alignments=gather_alignments(proposal, alignments=al))


@pytest.mark.parametrize("bad_url", BAD_URLS)
def test_known_frameworks_link_their_official_page_whatever_was_recorded(
    proposal: Any, reviewed: list[dict[str, Any]], bad_url: Any
) -> None:
    al = [*reviewed[:3], {**reviewed[3], "url": bad_url}]
    ach = to_ob3(proposal, alignments=gather_alignments(proposal, alignments=al))
    urls = {
        a["targetName"]: a["targetUrl"]
        for a in ach["credentialSubject"]["achievement"]["alignment"]
    }
    assert urls["Communication"] == (
        "https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/"
    )


# -- unreviewed fallback -----------------------------------------------------------
def test_unreviewed_fallback_takes_top_matches_above_the_credit_threshold(
    proposal: Any, scored_report: Any, ob3_validator: Any
) -> None:
    with pytest.warns(AlignDataWarning, match="no reviewed alignments"):
        found = gather_alignments(proposal, report=scored_report)
    assert found.unreviewed and found.items
    m = scored_report.matches
    for a in found.items:
        got = m[(m["outcome_id"] == a.outcome) & (m["id"] == a.id)]
        assert a.score is not None and (got["credit"] > 0).all()
        assert a.status == "unreviewed" and a.source == "matcher" and a.reviewed_by is None
        same = m[(m["outcome_id"] == a.outcome) & (m["framework"] == a.framework)]
        assert a.score == pytest.approx(same["score"].max(), abs=1e-4)  # the top match
    cred = to_ob3(proposal, alignments=found)
    ach = cred["credentialSubject"]["achievement"]
    assert UNREVIEWED_TAG in ach["tag"]
    assert "not yet been reviewed" in ach["criteria"]["narrative"]
    assert list(ob3_validator.iter_errors(cred)) == []
    df = pd.read_csv(io.StringIO(to_csv(proposal, alignments=found)))
    # status and reviewed agree on every row
    assert set(df["reviewed"]) == {False} and set(df["status"]) == {"unreviewed"}


def test_all_rejected_exports_no_alignments(proposal: Any, reviewed: list[dict[str, Any]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = gather_alignments(
            proposal, alignments=[{**a, "status": "rejected"} for a in reviewed]
        )
    assert found.items == [] and not found.unreviewed


# -- round trip ----------------------------------------------------------------------
def _key(a: Any) -> tuple[Any, ...]:
    return (a.framework, a.framework_version, a.id, a.code, a.label, a.url)


def test_round_trip_ob3(proposal: Any, found: Any, tmp_path: Path) -> None:
    f = tmp_path / "badge.json"
    f.write_text(json.dumps(to_ob3(proposal, alignments=found, options=OPTIONS)))
    back = import_badge_alignments(f)
    assert {_key(a) for a in back} == {_key(a) for a in found.items}
    assert all(a.status == "accepted" and a.source == "import" for a in back)
    # every outcome keeps its links (rubric-scored ones and the others, through the criteria)
    assert {(a.outcome, a.id) for a in back} == {(a.outcome, a.id) for a in found.items}
    descr = {a.id: a.description for a in back}
    assert descr["onet:2.A.2.a"].startswith("Using logic")
    # the bare Achievement imports the same way
    ach = to_ob3(proposal, alignments=found)["credentialSubject"]["achievement"]
    assert {_key(a) for a in import_badge_alignments(ach)} == {_key(a) for a in back}


def test_round_trip_ob2(proposal: Any, found: Any) -> None:
    bc = to_ob2(proposal, alignments=found, options=OPTIONS)
    back = import_badge_alignments(bc)
    assert {_key(a) for a in back} == {_key(a) for a in found.items}
    # OB 2.0 has no per-outcome results: the outcome links come back from the criteria text
    assert {(a.outcome, a.id) for a in back} == {(a.outcome, a.id) for a in found.items}
    assertion = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "badge": bc}
    assert [_key(a) for a in import_badge_alignments(assertion)] == [_key(a) for a in back]


def test_import_of_a_badge_align_did_not_write(standards: Path) -> None:
    ex = json.loads((standards / "ob-v3p0/examples/achievementAlignmentCase.json").read_text())
    (a,) = import_badge_alignments(ex)
    assert a.framework == "case"  # targetType CFItem
    assert a.code == "74f5bb7d-d7cc-11e8-824f-0242ac160002"
    assert a.url.startswith("https://caseregistry.imsglobal.org/")


@pytest.mark.parametrize(
    "bad, match",
    [
        ([1, 2], "JSON list"),
        ({"type": "Profile"}, "Profile"),
        ({"type": ["OpenBadgeCredential"], "credentialSubject": {}}, "achievement"),
        ({"type": "Assertion", "badge": "https://x.org/b"}, "not embedded"),
    ],
)
def test_import_refuses_what_is_not_a_badge(bad: Any, match: str, tmp_path: Path) -> None:
    f = tmp_path / "x.json"
    f.write_text(json.dumps(bad))
    with pytest.raises(InvalidArgumentError, match=match):
        import_badge_alignments(f)
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        import_badge_alignments(tmp_path / "missing.json")
