"""Alignment score: the math (property tests) and the report on hand-made frameworks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from align import AlignmentReport, InvalidArgumentError, ProposalError, score_alignment
from align.proposals import demand_from_onet, demand_from_postings
from align.proposals._score import (
    DEFAULT_WEIGHTS,
    _overall,
    balance_score,
    credit,
    demand_coverage,
    relevance_score,
)

unit = st.floats(0, 1, allow_nan=False)


def _matrix(n_out: int, n_items: int) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float64, (n_out, n_items), elements=unit)


@st.composite
def coverage_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n_items = draw(st.integers(1, 8))
    n_out = draw(st.integers(0, 6))
    scores = draw(_matrix(n_out, n_items))
    weights = draw(arrays(np.float64, (n_items,), elements=st.floats(0, 10)))
    return scores, weights


@settings(max_examples=200, deadline=None)
@given(coverage_case(), st.floats(0, 0.5), st.floats(0.51, 1))
def test_scores_within_bounds(case: tuple[np.ndarray, np.ndarray], lo: float, hi: float) -> None:
    scores, weights = case
    c = credit(scores, lo, hi)
    assert ((c >= 0) & (c <= 1)).all()
    assert 0.0 <= demand_coverage(c, weights) <= 1.0
    assert 0.0 <= relevance_score(c) <= 1.0


@settings(max_examples=200, deadline=None)
@given(coverage_case(), st.data())
def test_adding_an_outcome_never_lowers_demand_coverage(
    case: tuple[np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    scores, weights = case
    new_row = data.draw(_matrix(1, scores.shape[1]))
    before = demand_coverage(credit(scores), weights)
    after = demand_coverage(credit(np.vstack([scores, new_row])), weights)
    assert after >= before - 1e-12


@settings(max_examples=100, deadline=None)
@given(coverage_case())
def test_covering_a_gap_strictly_helps(case: tuple[np.ndarray, np.ndarray]) -> None:
    scores, weights = case
    c = credit(scores)
    best = c.max(axis=0) if len(c) else np.zeros(len(weights))
    # The largest weighted gap; a gap of negligible weight cannot move a float.
    room = weights * (1 - best)
    if room.max() <= 1e-9 * max(weights.sum(), 1e-300):
        return
    j = int(room.argmax())
    row = np.zeros((1, len(weights)))
    row[0, j] = 1.0
    assert demand_coverage(np.vstack([c, row]), weights) > demand_coverage(c, weights)


@given(st.integers(1, 8))
def test_no_outcomes_gives_zero(n_items: int) -> None:
    empty = np.zeros((0, n_items))
    assert demand_coverage(empty, np.ones(n_items)) == 0.0
    assert relevance_score(empty) == 0.0
    assert balance_score(0, 0) == 0.0
    assert _overall(dict.fromkeys(DEFAULT_WEIGHTS, 0.0), DEFAULT_WEIGHTS) == 0.0


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries({k: unit for k in DEFAULT_WEIGHTS}),
    st.fixed_dictionaries({k: st.floats(0.01, 5) for k in DEFAULT_WEIGHTS}),
    st.integers(0, 10),
    st.integers(0, 10),
)
def test_overall_and_balance_bounds(
    comps: dict[str, float], weights: dict[str, float], p: int, t: int
) -> None:
    assert 0.0 <= _overall(comps, weights) <= 100.0 + 1e-9
    assert 0.0 <= balance_score(p, t) <= 1.0


def test_credit_is_monotone_and_rejects_bad_thresholds() -> None:
    s = np.linspace(0, 1, 21)
    assert (np.diff(credit(s)) >= 0).all()
    with pytest.raises(InvalidArgumentError, match="floor"):
        credit(s, floor=0.7, full=0.6)


# -- the report on hand-made frameworks (lexical matching: no model) ------------
def test_report_components_and_explanations(proposal, frameworks) -> None:
    r = score_alignment(proposal, frameworks, method="lexical")
    assert isinstance(r, AlignmentReport)
    assert list(r.components["component"]) == list(DEFAULT_WEIGHTS)
    assert r.components["contribution"].sum() == pytest.approx(r.overall)
    assert 0 <= r.overall <= 100
    # Budget planning (0.9) and expense forecasting (0.6) are covered, the rest not.
    cov = r.demand.set_index("label")["coverage"]
    assert cov["Budget planning"] == 1.0 and cov["Expense forecasting"] == 1.0
    assert cov["Accounting principles"] == 0.0
    assert r.component("demand_coverage") == pytest.approx((0.9 + 0.6) / (0.9 + 0.75 + 0.6 + 1.0))
    assert r.component("relevance") == pytest.approx(2 / 3)
    prof = r.aligned_competencies("professional")
    assert list(prof["label"]) == ["Communication"]
    assert r.settings["professional_aligned"] == 1 and r.settings["technical_aligned"] == 2
    assert r.component("balance") == pytest.approx(balance_score(1, 2))
    assert r.matches["explanation"].str.startswith("matched").all()


def test_report_exports(proposal, frameworks, tmp_path: Path) -> None:
    r = score_alignment(proposal, frameworks, method="lexical")
    data = json.loads(r.to_json())
    assert data["overall"] == pytest.approx(r.overall, abs=0.01)
    assert {c["component"] for c in data["components"]} == set(DEFAULT_WEIGHTS)
    for table in ("components", "demand", "outcomes", "matches", "frameworks", "competencies"):
        assert isinstance(r.to_frame(table), pd.DataFrame)
    with pytest.raises(InvalidArgumentError, match="expected one of"):
        r.to_frame("nope")  # type: ignore[arg-type]
    html = r._repr_html_()
    assert "Budget Analysis Basics" in html and "demand coverage" in html.replace("_", " ")
    out = r.write_html(tmp_path / "r.html")
    assert out.read_text().startswith("<!doctype html>")


def test_removing_all_outcomes_gives_zero(proposal, frameworks) -> None:
    empty = proposal.model_copy(update={"outcomes": []})
    r = score_alignment(empty, frameworks, method="lexical")
    assert r.overall == 0.0
    assert (r.components["value"] == 0).all()


def test_adding_a_covering_outcome_raises_demand_coverage(proposal, frameworks) -> None:
    before = score_alignment(proposal, frameworks, method="lexical")
    more = proposal.model_copy(
        update={
            "outcomes": [
                *proposal.outcomes,
                proposal.outcomes[0].model_copy(
                    update={"id": "LO9", "text": "Explain accounting principles behind the budget."}
                ),
            ]
        }
    )
    after = score_alignment(more, frameworks, method="lexical")
    assert after.component("demand_coverage") > before.component("demand_coverage")


def test_postings_demand_gives_bootstrap_interval(proposal, frameworks) -> None:
    demand = pd.DataFrame(
        {
            "skill_id": ["a", "b", "c"],
            "skill_name": ["Budget planning", "Expense forecasting", "Payroll"],
            "skill_type": ["Specialized Skill", "Specialized Skill", "Common Skill"],
            "postings": [60, 30, 45],
            "share": [0.6, 0.3, 0.45],
        }
    )
    r = score_alignment(proposal, frameworks, demand, method="lexical", n_boot=200)
    assert r.settings["demand_source"] == "postings"
    assert r.component("demand_coverage") == pytest.approx(0.9 / 1.35)
    assert r.interval is not None
    lo, hi = r.interval
    assert 0 <= lo <= hi <= 100
    assert lo < r.overall < hi


def test_unknown_occupation_is_a_plain_error(proposal, frameworks) -> None:
    bad = proposal.model_copy(update={"target_occupations": ["99-9999.00"]})
    with pytest.raises(ProposalError) as err:
        score_alignment(bad, frameworks, method="lexical")
    assert "99-9999.00" in str(err.value) and "codes look like" in str(err.value)


def test_no_target_occupations_notes_it(proposal, frameworks) -> None:
    none = proposal.model_copy(update={"target_occupations": []})
    r = score_alignment(none, frameworks, method="lexical")
    assert r.component("demand_coverage") == 0.0
    assert any("no target occupations" in n for n in r.notes)


def test_bad_arguments(proposal, frameworks) -> None:
    with pytest.raises(InvalidArgumentError, match="load_proposal"):
        score_alignment("x.yaml", frameworks)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="method"):
        score_alignment(proposal, frameworks, method="magic")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="weights"):
        score_alignment(proposal, frameworks, method="lexical", weights={"balance": 1})


def test_demand_from_onet_weights(frameworks) -> None:
    d = demand_from_onet(frameworks[0], ["13-2011.00"])
    w = d.set_index("label")["weight"]
    assert w["Budget planning"] == 0.9
    assert w["Prepare financial reports"] == 0.75  # DWA of a core task
    assert w["Spreadsheet software"] == 0.5  # hot technology
    assert "Negotiate vendor contracts" not in w  # no task of the occupation leads to it


def test_demand_from_postings_checks_columns() -> None:
    with pytest.raises(InvalidArgumentError, match="skill_demand"):
        demand_from_postings(pd.DataFrame({"x": [1]}))


def test_per_competency_coverage(proposal, frameworks) -> None:
    r = score_alignment(proposal, frameworks, method="lexical")
    comp = r.to_frame("competencies").set_index("label")
    assert comp.loc["Budget planning", "outcomes"] == ["LO1"]
    assert comp.loc["Budget planning", "coverage"] == 1.0
    assert comp.loc["Communication", "class"] == "professional"
    assert (comp["coverage"] > 0).all() and (comp["coverage"] <= 1).all()
