"""Rubric loading and the evidence gathered per criterion."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from align.committee import (
    DEFAULT_RUBRIC_PATH,
    EVIDENCE,
    load_rubric,
    rubric_evidence,
)
from align.exceptions import InvalidArgumentError

TODAY = dt.date(2026, 11, 29)


def test_default_rubric_has_the_office_criteria() -> None:
    r = load_rubric()
    assert [c.id for c in r.criteria] == [
        "outcomes",
        "assessment",
        "labor_market",
        "framework_alignment",
        "balance",
        "partners",
        "stackability",
        "currency",
    ]
    assert r.scale == {3: "Strong", 2: "Adequate", 1: "Weak", 0: "Missing"}
    assert all(c.evidence in EVIDENCE for c in r.criteria)
    assert DEFAULT_RUBRIC_PATH.is_file()


def test_evidence_for_every_criterion(reports: dict[str, Any]) -> None:
    p, report = reports["data-analytics"]
    ev = rubric_evidence(p, report, today=TODAY)
    df = ev.to_frame()
    assert list(df["criterion"]) == [c.id for c in ev.rubric.criteria]
    assert df["suggested"].isin([0, 1, 2, 3]).all()
    assert (df["reason"] != "").all() and (df["evidence"] != "").all()
    by = {e.criterion.id: e for e in ev.items}
    labor = " ".join(by["labor_market"].evidence)
    assert "Data source: O*NET 29.3 task statements, work activities" in labor
    assert "computed 2026-11-29" in labor
    assert by["partners"].suggested == 3  # mid-level partner + an endorsement
    assert by["currency"].suggested == 3  # expires 2029-08-31, within 5 years
    data = json.loads(ev.to_json())
    assert [c["id"] for c in data["criteria"]] == list(df["criterion"])
    assert "<table>" in ev._repr_html_()


def test_suggestions_follow_the_proposal(reports: dict[str, Any]) -> None:
    p, report = reports["data-analytics"]
    bare = p.model_copy(
        update={
            "partners": [],
            "endorsements": [],
            "stacks_into": [],
            "expiry": dt.date(2020, 1, 1),
        }
    )
    by = {e.criterion.id: e for e in rubric_evidence(bare, report, today=TODAY).items}
    assert by["partners"].suggested == 0 and "none" in by["partners"].reason
    assert by["stackability"].suggested == 0
    assert by["currency"].suggested == 0 and by["currency"].reason == "already expired"
    no_report = {e.criterion.id: e for e in rubric_evidence(p, None, today=TODAY).items}
    assert no_report["labor_market"].suggested == 0


def test_postings_without_a_date_are_capped(reports: dict[str, Any]) -> None:
    p, report = reports["data-analytics"]
    import copy
    from dataclasses import replace

    r = copy.copy(report)
    r.basis = replace(report.basis, demand_source="postings", postings=120, region="NY")
    undated = next(
        e for e in rubric_evidence(p, r, today=TODAY).items if e.criterion.id == "labor_market"
    )
    dated = next(
        e
        for e in rubric_evidence(p, r, today=TODAY, demand_period="2026Q3").items
        if e.criterion.id == "labor_market"
    )
    assert "period not given" in undated.evidence[0]
    assert "period 2026Q3" in dated.evidence[0]


def test_custom_rubric(tmp_path: Path, reports: dict[str, Any]) -> None:
    f = tmp_path / "r.yaml"
    f.write_text(
        "name: Short\nscale:\n  - {value: 1, label: Yes}\n  - {value: 0, label: No}\n"
        "criteria:\n  - {id: outcomes, name: Outcomes, evidence: outcomes}\n"
        "  - {id: fit, name: Mission fit}\n"
    )
    r = load_rubric(f)
    p, report = reports["data-analytics"]
    ev = rubric_evidence(p, report, rubric=r)
    assert ev.items[0].suggested in {0, 1}
    assert ev.items[1].suggested is None  # reviewers judge it alone


@pytest.mark.parametrize(
    "text, match",
    [
        ("name: x\nscale: []\ncriteria: []\n", "scale"),
        ("scale:\n  - {value: high}\ncriteria: []\n", "whole-number"),
        ("scale:\n  - {value: 1}\ncriteria:\n  - {name: A}\n", "needs an 'id'"),
        ("scale:\n  - {value: 1}\ncriteria:\n  - {id: a, name: A, evidence: vibes}\n", "vibes"),
        (
            "scale:\n  - {value: 1}\ncriteria:\n  - {id: a, name: A}\n  - {id: a, name: B}\n",
            "share",
        ),
    ],
)
def test_bad_rubric_files_say_what_is_wrong(tmp_path: Path, text: str, match: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(InvalidArgumentError, match=match):
        load_rubric(f)
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        load_rubric(tmp_path / "missing.yaml")
