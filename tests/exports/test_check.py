"""Pre-flight checks: one broken example per rule, and a clean export passes."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest

from align.exceptions import AlignDataWarning, InvalidArgumentError
from align.exports._alignments import gather_alignments
from align.exports._check import FORMATS, RULES, check_export
from align.exports._common import BadgeOptions
from align.proposals import load_proposal

from .conftest import EXAMPLES

GOOD = BadgeOptions(
    issuer_url="https://badges.example.edu/issuers/scps",
    base_url="https://badges.example.edu",
    criteria_url="https://badges.example.edu/criteria/data-analytics",
    image_url="https://badges.example.edu/img/data-analytics.png",
    organization_ctid="ce-9d30f846-dfa4-4b1c-90fa-9d01238a86ac",
)
CASE_ITEM = {
    "outcome": "LO5",
    "framework": "case",
    "framework_version": "2024",
    "id": "case:74f5bb7d",
    "code": "74f5bb7d",
    "label": "Cite textual evidence",
    "url": "https://caseregistry.imsglobal.org/uri/74f5bb7d-d7cc-11e8-824f-0242ac160002",
}
TODAY = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def proposal() -> Any:
    return load_proposal(EXAMPLES / "data-analytics.yaml")


def _rules(problems: list[Any]) -> set[str]:
    return {p.rule for p in problems}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_clean_export_has_no_problems(
    proposal: Any, reviewed: list[dict[str, Any]], fmt: str, standards: Any
) -> None:
    found = gather_alignments(proposal, alignments=reviewed)
    assert check_export(proposal, fmt, found, GOOD, standards_dir=standards, today=TODAY) == []


def _broken(rule: str, proposal: Any, reviewed: list[dict[str, Any]]) -> tuple[Any, Any, Any]:
    """(proposal, alignments, options) broken for exactly this rule."""
    p, al, opt = proposal, list(reviewed), GOOD
    if rule == "alignment-url":
        al[3] = {**CASE_ITEM, "url": "caseregistry.imsglobal.org/no-scheme"}
    elif rule == "unreviewed":
        al[3] = {**al[3], "status": "unreviewed"}
    elif rule == "base-url":
        opt = BadgeOptions(**{**GOOD.__dict__, "base_url": "javascript:alert(1)//"})
    elif rule == "ctdl-organization":
        opt = BadgeOptions(**{**GOOD.__dict__, "organization_ctid": ""})
    elif rule == "ctdl-subject-webpage":
        opt = BadgeOptions(**{**GOOD.__dict__, "criteria_url": "", "base_url": ""})
    elif rule == "ctdl-description":
        p = proposal.model_copy(update={"description": ""})
    elif rule == "ctdl-outcomes":
        p = proposal.model_copy(update={"outcomes": []})
        al = [a for a in al if a["outcome"] is None]
    elif rule == "criteria-url":
        opt = BadgeOptions(**{**GOOD.__dict__, "criteria_url": "criteria.html"})
    elif rule == "image-url":
        opt = BadgeOptions(**{**GOOD.__dict__, "image_url": "badge.png"})
    elif rule == "issuer-url":
        opt = BadgeOptions(**{**GOOD.__dict__, "issuer_url": "scps.example.edu"})
    elif rule == "expired":
        p = proposal.model_copy(update={"expiry": dt.date(2025, 1, 31)})
    elif rule == "language":
        opt = BadgeOptions(**{**GOOD.__dict__, "language": "English"})
    elif rule == "ob2-hosted-issuer":
        opt = BadgeOptions(**{**GOOD.__dict__, "issuer_url": ""})
    elif rule == "ob2-hosted-id":
        opt = BadgeOptions(**{**GOOD.__dict__, "base_url": ""})
    elif rule == "credly-skills":
        al = [a for a in al if a["id"] in {"nace:communication", "nace:teamwork"}]
    elif rule == "credly-criteria":
        opt = BadgeOptions(**{**GOOD.__dict__, "criteria_url": ""})
    elif rule == "credly-activities":
        p = proposal.model_copy(
            update={
                "outcomes": [o.model_copy(update={"assessment": ""}) for o in proposal.outcomes]
            }
        )
    elif rule == "case-base-uri":
        opt = BadgeOptions(**{**GOOD.__dict__, "base_url": "badges/example"})
    return p, al, opt


@pytest.mark.parametrize(
    "rule, fmt",
    [(rule, fmt) for rule, (fmts, _) in RULES.items() if rule != "ob3-schema" for fmt in fmts],
)
def test_each_rule_catches_its_broken_example(
    proposal: Any, reviewed: list[dict[str, Any]], rule: str, fmt: str, standards: Any
) -> None:
    p, al, opt = _broken(rule, proposal, reviewed)
    with pytest.warns(AlignDataWarning) if rule == "unreviewed" else contextlib.nullcontext():
        found = gather_alignments(p, alignments=al)
    problems = check_export(
        p,
        fmt,
        found,
        opt,
        standards_dir=standards,
        today=TODAY,
        require_reviewed=rule == "unreviewed",
    )
    assert rule in _rules(problems), problems
    hit = next(x for x in problems if x.rule == rule)
    assert hit.format == fmt and hit.message and hit.level == "error"
    # only this rule (and, for a bad language tag or base URL, the rules that say the same) fires
    assert _rules(problems) - {rule, "ob3-schema", "ob2-hosted-id"} == set()


def test_alignment_url_problem_names_the_competency(
    proposal: Any, reviewed: list[dict[str, Any]]
) -> None:
    p, al, opt = _broken("alignment-url", proposal, reviewed)
    (prob,) = check_export(p, "ob3", gather_alignments(p, alignments=al), opt, today=TODAY)
    assert prob.subject == "Cite textual evidence (case:74f5bb7d)"
    assert "outcome LO5" in prob.message and "caseregistry.imsglobal.org/no-scheme" in prob.message


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_unreviewed_alignments_warn_everywhere_and_fail_when_required(
    proposal: Any, reviewed: list[dict[str, Any]], fmt: str
) -> None:
    al = [{**a, "status": "unreviewed"} if a["id"] == "nace:teamwork" else a for a in reviewed]
    with pytest.warns(AlignDataWarning, match="1 unreviewed alignment"):
        found = gather_alignments(proposal, alignments=al)
    (warn,) = [p for p in check_export(proposal, fmt, found, GOOD, today=TODAY)
               if p.rule == "unreviewed"]  # fmt: skip
    assert warn.level == "warning" and "1 of 7" in warn.message and "Teamwork" in warn.message
    strict = check_export(proposal, fmt, found, GOOD, today=TODAY, require_reviewed=True)
    assert [p.level for p in strict if p.rule == "unreviewed"] == ["error"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("criteria_url", "file:///etc/passwd"),
        ("image_url", "javascript:alert(1)"),
        ("issuer_url", "https://badges.example.edu@evil.example.com/"),
        ("base_url", "javascript:alert(document.cookie)//"),
        ("image_url", "data:image/svg+xml;base64,PHN2Zz4="),
    ],
)
def test_check_reports_everything_the_export_refuses(
    proposal: Any, reviewed: list[dict[str, Any]], field: str, value: str
) -> None:
    """One rule set for both: every format that writes the option refuses it, and its
    --check reports it; formats that do not write it ignore it."""
    from align.exceptions import ExportError
    from align.exports import export_badge
    from align.exports._refuse import OPTION_FORMATS

    opt = BadgeOptions(**{**GOOD.__dict__, field: value})
    found = gather_alignments(proposal, alignments=reviewed)
    for fmt in FORMATS:
        refused = [p for p in check_export(proposal, fmt, found, opt, today=TODAY)
                   if p.rule in {"criteria-url", "image-url", "issuer-url", "base-url",
                                 "case-base-uri"}]  # fmt: skip
        if fmt in OPTION_FORMATS[field]:
            assert refused, fmt
            with pytest.raises(ExportError, match="was not written"):
                export_badge(proposal, fmt, alignments=found, options=opt)
        else:
            assert not refused, fmt


def test_ob3_schema_rule_reports_schema_errors(
    proposal: Any, reviewed: list[dict[str, Any]], standards: Any, monkeypatch: Any
) -> None:
    from align.exports import _ob3

    real = _ob3.to_ob3

    def broken(*args: Any, **kw: Any) -> dict[str, Any]:
        cred = real(*args, **kw)
        del cred["credentialSubject"]["achievement"]["criteria"]
        cred["credentialSubject"]["achievement"]["alignment"][0]["type"] = ["Link"]
        return cred

    monkeypatch.setattr(_ob3, "to_ob3", broken)
    found = gather_alignments(proposal, alignments=reviewed)
    problems = check_export(proposal, "ob3", found, GOOD, standards_dir=standards, today=TODAY)
    assert _rules(problems) == {"ob3-schema"}
    assert any("criteria" in p.message for p in problems)
    assert any("alignment/0/type" in p.subject for p in problems)


def test_unknown_format(proposal: Any, reviewed: list[dict[str, Any]]) -> None:
    with pytest.raises(InvalidArgumentError, match="ob3"):
        check_export(proposal, "pdf", gather_alignments(proposal, alignments=reviewed))
