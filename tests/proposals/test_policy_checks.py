"""Policy checks: pass / warn / fail with plain messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from align import Proposal, ProposalError, check_policy, score_alignment
from align.proposals import VAGUE_VERBS, load_policy, outcome_verb

DATA = Path(__file__).resolve().parents[1] / "data" / "proposals"
EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"


def budget(
    type: str = "academic", credits: float = 2, outcomes: list[str] | None = None
) -> Proposal:
    texts = outcomes or [
        "Use budget planning methods to build a departmental budget.",
        "Present the budget to the team, showing communication with stakeholders.",
    ]
    return Proposal(
        title="Budget Analysis Basics",
        issuing_unit="Business School",
        type=type,
        credits=credits,
        target_occupations=["13-2011.00"],
        expiry="2030-01-01",
        outcomes=[
            {"id": f"LO{i + 1}", "text": t, "assessment": "rubric", "evidence": "file"}
            for i, t in enumerate(texts)
        ],
    )


def _status(report, check: str, subject: str = "proposal") -> str:
    hits = [r for r in report.results if r.check == check and r.subject == subject]
    assert hits, f"no {check} result for {subject}"
    return hits[0].status


def _message(report, check: str) -> str:
    return next(r.message for r in report.results if r.check == check)


@pytest.mark.parametrize(
    ("kind", "credits", "status"),
    [
        ("academic", 1, "pass"),
        ("academic", 11, "pass"),
        ("academic", 0, "fail"),
        ("academic", 12, "fail"),
        ("enhancement", 0, "pass"),
        ("enhancement", 3, "fail"),
        ("post-traditional", 0, "pass"),
    ],
)
def test_credit_rules(kind: str, credits: float, status: str) -> None:
    r = check_policy(budget(type=kind, credits=credits))
    assert _status(r, "credits") == status
    if status == "fail":
        assert not r.passed


def test_credit_message_is_plain() -> None:
    r = check_policy(budget(credits=14))
    msg = _message(r, "credits")
    assert "carries 1-11 credits, but this one has 14" in msg
    assert "12 or more credits is a certificate" in msg


def test_unknown_type_lists_allowed() -> None:
    r = check_policy(budget(type="bootcamp"))
    assert _status(r, "type") == "fail"
    assert "academic, enhancement, post-traditional" in _message(r, "type")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Analyze survey data to find trends.", "pass"),
        ("Students will be able to design a database.", "pass"),
        ("Learners will analyse costs.", "pass"),
        ("Understand the budget cycle.", "fail"),
        ("Appreciate the role of finance.", "fail"),
        ("Demonstrate an understanding of budgets.", "warn"),
        ("Grok the budget cycle.", "warn"),
    ],
)
def test_measurable_outcomes(text: str, status: str) -> None:
    r = check_policy(budget(outcomes=[text]))
    assert _status(r, "measurable", "LO1") == status


def test_vague_verbs_are_named() -> None:
    assert {"understand", "know", "appreciate"} <= VAGUE_VERBS
    r = check_policy(budget(outcomes=["Know the tax code."]))
    assert "starts with 'know'" in _message(r, "measurable")
    assert outcome_verb("Upon completion, students will evaluate plans")[0] == "evaluate"


def test_evidence_required_and_assessment_warns() -> None:
    p = budget()
    p.outcomes[0].evidence = ""
    p.outcomes[0].assessment = ""
    r = check_policy(p)
    assert _status(r, "evidence", "LO1") == "fail"
    assert "say what learners produce" in _message(r, "evidence")
    assert _status(r, "assessment", "LO1") == "warn"


def test_competency_checks_need_alignment(frameworks, embedder) -> None:
    p = budget()
    r = check_policy(p)
    assert _status(r, "professional") == "warn"
    assert "not checked" in _message(r, "professional")
    aligned = score_alignment(p, frameworks, embedder=embedder)
    r = check_policy(p, alignment=aligned)
    assert _status(r, "professional") == "pass" and _status(r, "technical") == "pass"
    no_prof = budget(outcomes=["Use budget planning methods to build a budget."])
    r = check_policy(no_prof, alignment=score_alignment(no_prof, frameworks, embedder=embedder))
    assert _status(r, "professional") == "fail"
    assert "NACE" in _message(r, "professional")


def test_custom_policy_file() -> None:
    pol = DATA / "policy_strict.yaml"
    r = check_policy(budget(type="workshop", credits=0), pol)
    assert _status(r, "type") == "pass"
    r = check_policy(budget(credits=5), pol)
    assert "carries 2-4 credits" in _message(r, "credits")
    r = check_policy(budget(outcomes=["Explore budgets."]), pol)
    assert _status(r, "measurable", "LO1") == "fail"
    p = budget()
    p.outcomes[0].assessment = ""
    assert _status(check_policy(p, pol), "assessment", "LO1") == "fail"
    assert not [x for x in check_policy(p, pol).results if x.check == "expiry"]


def test_bad_policy_files(tmp_path: Path) -> None:
    with pytest.raises(ProposalError, match="does not exist"):
        load_policy(tmp_path / "none.yaml")
    f = tmp_path / "p.yaml"
    f.write_text("types: {academic: {credit_bearing: maybe}}\nseverity: {credits: loud}\n")
    with pytest.raises(ProposalError, match=r"policy file .* has problems"):
        load_policy(f)


def test_examples_meet_the_policy_without_alignment() -> None:
    for name in (
        "data-analytics.yaml",
        "digital-composition.yaml",
        "interprofessional-practice.yaml",
    ):
        from align import load_proposal

        r = check_policy(load_proposal(EXAMPLES / name))
        fails = [x for x in r.results if x.status == "fail"]
        assert r.passed, (name, fails)


def test_report_exports() -> None:
    r = check_policy(budget(credits=20))
    data = json.loads(r.to_json())
    assert data["passed"] is False and data["counts"]["fail"] >= 1
    assert list(r.to_frame().columns) == ["check", "status", "subject", "message"]
    assert "does NOT meet" in r._repr_html_()


def test_rejects_non_proposal() -> None:
    with pytest.raises(ValueError, match="must be a Proposal"):
        check_policy({"title": "x"})  # type: ignore[arg-type]
    assert isinstance(budget(), Proposal)
