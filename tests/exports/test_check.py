"""Pre-flight checks: one broken example per rule, and a clean export passes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from align.exceptions import InvalidArgumentError
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
)
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
        al[3] = {**al[3], "url": "www.naceweb.org/no-scheme"}
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
    problems = check_export(
        p, fmt, gather_alignments(p, alignments=al), opt, standards_dir=standards, today=TODAY
    )
    assert rule in _rules(problems), problems
    hit = next(x for x in problems if x.rule == rule)
    assert hit.format == fmt and hit.message
    # only this rule (and, for a bad language tag, the schema that says the same) fires
    assert _rules(problems) - {rule, "ob3-schema"} == set()


def test_alignment_url_problem_names_the_competency(
    proposal: Any, reviewed: list[dict[str, Any]]
) -> None:
    p, al, opt = _broken("alignment-url", proposal, reviewed)
    (prob,) = check_export(p, "ob3", gather_alignments(p, alignments=al), opt, today=TODAY)
    assert prob.subject == "Communication (nace:communication)"
    assert "outcome LO5" in prob.message and "www.naceweb.org/no-scheme" in prob.message


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
