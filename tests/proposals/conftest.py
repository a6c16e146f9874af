"""Small hand-made frameworks and proposals for the proposal tests (no model, no real data)."""

from __future__ import annotations

import pandas as pd
import pytest

from align import Framework, FrameworkInfo, Proposal


def _info(key: str) -> FrameworkInfo:
    return FrameworkInfo(
        key=key,
        name=f"Test {key}",
        publisher="align tests",
        version="t1",
        source_url="",
        licence="CC0",
        attribution="hand-made test data",
    )


def mini_onet() -> Framework:
    """An O*NET-shaped framework with one occupation (labels written for the tests)."""
    comps = pd.DataFrame(
        {
            "id": ["onet:s1", "onet:s2", "onet:k1", "onet:d1", "onet:t1", "onet:x1", "onet:d2"],
            "framework": "onet",
            "code": ["s1", "s2", "k1", "d1", "t1", "x1", "d2"],
            "label": [
                "Budget planning",
                "Expense forecasting",
                "Accounting principles",
                "Prepare financial reports",
                "Prepare monthly financial reports for managers",
                "Spreadsheet software",
                "Negotiate vendor contracts",
            ],
            "kind": ["skill", "skill", "knowledge", "dwa", "task", "technology", "dwa"],
        }
    )
    occ = pd.DataFrame(
        {
            "id": ["onet:13-2011.00"],
            "framework": "onet",
            "code": ["13-2011.00"],
            "title": ["Budget Analysts (test)"],
            "group": ["3"],
        }
    )
    rel = pd.DataFrame(
        {
            "source_id": ["onet:13-2011.00"] * 5 + ["onet:t1"],
            "target_id": ["onet:s1", "onet:s2", "onet:k1", "onet:t1", "onet:x1", "onet:d1"],
            "relation": ["requires"] * 5 + ["related"],
            "detail": ["", "", "", "core", "hot", "task-dwa"],
            "weight": [0.9, 0.6, 0.5, None, None, None],
            "importance": [4.6, 3.4, 3.0, None, None, None],
        }
    )
    return Framework(_info("onet"), comps, occ, rel)


def mini_nace() -> Framework:
    """A NACE-shaped framework: two competencies and one sample behaviour."""
    comps = pd.DataFrame(
        {
            "id": ["nace:teamwork", "nace:communication", "nace:teamwork:b1"],
            "framework": "nace",
            "code": ["teamwork", "communication", "b1"],
            "label": ["Teamwork", "Communication", "Works with a team toward shared goals"],
            "kind": ["competency", "competency", "behaviour"],
            "parent_id": [None, None, "nace:teamwork"],
        }
    )
    return Framework(_info("nace"), comps)


@pytest.fixture
def frameworks() -> list[Framework]:
    return [mini_onet(), mini_nace()]


def budget_proposal(outcomes: list[str] | None = None) -> Proposal:
    texts = (
        outcomes
        if outcomes is not None
        else [
            "Use budget planning methods to build a departmental budget.",
            "Apply expense forecasting to next quarter's costs.",
            "Present the budget to the team, showing communication with stakeholders.",
        ]
    )
    return Proposal(
        title="Budget Analysis Basics",
        issuing_unit="Business School",
        type="academic",
        credits=2,
        outcomes=[
            {"id": f"LO{i + 1}", "text": t, "assessment": "rubric", "evidence": "file"}
            for i, t in enumerate(texts)
        ],
        target_occupations=["13-2011.00"],
        frameworks=["onet", "nace"],
    )


@pytest.fixture
def proposal() -> Proposal:
    return budget_proposal()
