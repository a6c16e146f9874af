"""Stacking gaps and portfolio coverage on hand-made stacks (the real model, no real data)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from align import (
    AlignDataWarning,
    InvalidArgumentError,
    Proposal,
    ProposalError,
    find_stacking_gaps,
    portfolio_coverage,
)
from align.proposal import load_stack
from align.proposals import load_portfolio, target_items

DATA = Path(__file__).resolve().parents[1] / "data" / "proposals"


def _badge(pid: str, texts: list[str], credits: float = 1) -> Proposal:
    return Proposal(
        id=pid,
        title=f"Badge {pid}",
        issuing_unit="Unit",
        credits=credits,
        outcomes=[{"id": f"{pid}{i}", "text": t} for i, t in enumerate(texts)],
    )


TARGET = pd.DataFrame(
    {
        "id": ["c:budget", "c:forecast", "c:negotiate", "c:audit"],
        "label": [
            "budget planning",
            "expense forecasting",
            "contract negotiation",
            "internal audit",
        ],
        "kind": ["skill", "skill", "skill", "skill"],
        "weight": [1.0, 0.8, 0.6, 0.4],
    }
)


def _stack() -> list[Proposal]:
    return [
        _badge("b1", ["Identify the steps of budget planning."], credits=1),
        _badge("b2", ["Design a budget planning process with expense forecasting."], credits=2),
    ]


def test_coverage_matrix_gaps_and_redundancy(embedder) -> None:
    r = find_stacking_gaps(
        _stack(), TARGET, embedder=embedder, professional=None, threshold_credits=6
    )
    assert r.coverage.shape == (4, 2)
    assert list(r.coverage.columns) == ["b1", "b2"]
    cov = r.coverage
    # b2 designs a budget planning process with expense forecasting: both covered in full.
    assert cov.loc["c:budget", "b2"] == 1.0 and cov.loc["c:forecast", "b2"] == 1.0
    # b1 only asks learners to identify (Bloom level 1): specificity 0.6 caps its credit.
    assert 0 < cov.loc["c:budget", "b1"] <= 0.6
    assert (cov.loc[["c:negotiate", "c:audit"]] == 0).all().all()
    assert list(r.redundancy["id"]) == ["c:budget"]
    assert r.redundancy["credentials"].iloc[0] == ["b1", "b2"]
    # Largest gap first: negotiation (0.6 uncovered), then audit (0.4).
    assert list(r.gaps["id"][:2]) == ["c:negotiate", "c:audit"]
    assert r.gaps["gap"].is_monotonic_decreasing
    assert r.covered_share == pytest.approx(1.8 / 2.8)
    assert r.credits == 3 and r.threshold == 6


def test_order_and_suggestions(embedder) -> None:
    r = find_stacking_gaps(_stack(), TARGET, embedder=embedder, professional=None)
    # b1 "identify" (Bloom 1) before b2 "design" (Bloom 6).
    assert list(r.order["credential"]) == ["b1", "b2"]
    assert "Bloom level 1.0" in r.order["reason"].iloc[0]
    assert r.suggestions and all(s["suggestion"] is True for s in r.suggestions)
    covered = {c for s in r.suggestions for c in s["covers"]}
    assert covered == {"contract negotiation", "internal audit"}
    assert any("contract negotiation" in o for s in r.suggestions for o in s["outcomes"])


def test_adding_a_credential_never_lowers_coverage(embedder) -> None:
    before = find_stacking_gaps(_stack()[:1], TARGET, embedder=embedder, professional=None)
    after = find_stacking_gaps(_stack(), TARGET, embedder=embedder, professional=None)
    assert after.covered_share >= before.covered_share


def test_stack_file_with_larger_badge_target(embedder) -> None:
    stack = load_stack(DATA / "stack.yaml")
    r = find_stacking_gaps(stack, embedder=embedder, professional=None)
    assert r.target == "outcomes of 'Financial Planning'"
    gap = r.gaps.set_index("label")["coverage"]
    assert gap["Build a monthly budget in a spreadsheet with formulas."] == 1.0
    assert gap["Negotiate a vendor contract."] == 0.0
    assert r.threshold == 3 and r.credits == 2


def test_exports(tmp_path: Path, embedder) -> None:
    r = find_stacking_gaps(_stack(), TARGET, embedder=embedder, professional=None)
    data = json.loads(r.to_json())
    assert len(data["coverage"]) == 4 and data["settings"]["method"] == "hybrid"
    for table in ("coverage", "gaps", "redundancy", "order", "suggestions"):
        assert isinstance(r.to_frame(table), pd.DataFrame)
    assert "Stacking gaps" in r._repr_html_()
    assert r.write_html(tmp_path / "g.html").exists()


def test_target_resolution_errors() -> None:
    with pytest.raises(InvalidArgumentError, match="no target"):
        find_stacking_gaps(_stack(), None)
    with pytest.raises(InvalidArgumentError, match="'id' and 'label'"):
        target_items(pd.DataFrame({"x": [1]}))
    with pytest.raises(InvalidArgumentError, match="expected a Stack"):
        find_stacking_gaps(42, TARGET)  # type: ignore[arg-type]


def test_portfolio_heatmap_data(embedder) -> None:
    demand = pd.DataFrame(
        {
            "skill_id": ["a", "b", "c"],
            "skill_name": ["budget planning", "expense forecasting", "payroll"],
            "postings": [50, 20, 30],
            "share": [0.5, 0.2, 0.3],
        }
    )
    r = portfolio_coverage(_stack(), demand, embedder=embedder)
    assert r.matrix.shape == (3, 2)
    skills = r.skills.set_index("label")
    assert skills.loc["payroll", "best_coverage"] == 0.0
    assert skills.loc["expense forecasting", "covered_by"] == ["b2"]
    assert r.covered_share == pytest.approx(0.7)
    long = r.to_frame("long")
    assert list(long.columns) == ["skill", "credential", "credit"] and len(long) == 6
    assert json.loads(r.to_json())["covered_share"] == pytest.approx(0.7)


def test_portfolio_folder_skips_stack_files(tmp_path: Path) -> None:
    for name in ("valid.yaml", "stack.yaml", "bad_fields.yaml"):
        (tmp_path / name).write_text((DATA / name).read_text())
    with pytest.warns(AlignDataWarning, match=r"(?s)skipped bad_fields.yaml: .*credits"):
        creds = load_portfolio(tmp_path)
    assert [c.title for c in creds] == ["Spreadsheet Budgeting"]
    with pytest.raises(ProposalError, match="holds no proposal files"):
        load_portfolio(_empty(tmp_path))


def _empty(tmp_path: Path) -> Path:
    d = tmp_path / "empty"
    d.mkdir()
    return d
