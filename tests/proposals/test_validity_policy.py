"""Policy fixes of issue 10: past expiry fails, type case, bare SOC codes (no model, no data)."""

from __future__ import annotations

import datetime as dt

import pytest

from align import Proposal, check_policy
from align.proposals import Policy, load_policy


def _proposal(**kw) -> Proposal:
    base = {
        "title": "Care Teams",
        "issuing_unit": "Nursing",
        "type": "academic",
        "credits": 3,
        "outcomes": [
            {"id": "LO1", "text": "Analyze a care plan", "evidence": "plan", "assessment": "rubric"}
        ],
        "target_occupations": ["29-1141.00"],
        "expiry": dt.date.today() + dt.timedelta(days=365),
    }
    return Proposal(**{**base, **kw})


def _status(report, check: str) -> set[str]:
    return {r.status for r in report.results if r.check == check}


def test_expiry_in_the_past_fails() -> None:
    r = check_policy(_proposal(expiry=dt.date(2020, 1, 31)))
    assert "fail" in _status(r, "expired")
    assert not r.passed
    msg = next(x.message for x in r.results if x.check == "expired")
    assert "2020-01-31" in msg and "new expiry" in msg


def test_expiry_in_the_future_passes() -> None:
    assert _status(check_policy(_proposal()), "expired") == {"pass"}


@pytest.mark.parametrize("kind", ["academic", "Academic", "ACADEMIC", " Academic "])
def test_type_is_case_insensitive(kind) -> None:
    assert _status(check_policy(_proposal(type=kind)), "type") == {"pass"}


def test_policy_type_keys_are_case_insensitive_too() -> None:
    data = load_policy().model_dump()
    data["types"] = {"Academic": {"credit_bearing": True}, "Post Traditional": {}}
    pol = Policy.model_validate(data)
    assert sorted(pol.types) == ["academic", "post-traditional"]
    assert _status(check_policy(_proposal(type="academic"), pol), "type") == {"pass"}
    assert _status(check_policy(_proposal(type="post-traditional", credits=0), pol), "type") == {
        "pass"
    }


def test_unknown_type_is_rejected_clearly() -> None:
    r = check_policy(_proposal(type="Badge"))
    msg = next(x.message for x in r.results if x.check == "type")
    assert "fail" in _status(r, "type") and "use one of" in msg


def test_bare_soc_code_resolves_to_base_occupation_with_a_note() -> None:
    p = _proposal(target_occupations=["15-1212"])
    assert p.target_occupations == ["15-1212.00"]
    assert p.notes and "15-1212.00" in p.notes[0]
    r = check_policy(p)
    notes = [x for x in r.results if x.check == "target_occupations" and x.status == "warn"]
    assert notes and "base occupation" in notes[0].message
    assert not _proposal().notes
