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
from align._calibration import BANDS, band, credit
from align.proposals import ScoreSettings, demand_from_onet, demand_from_postings
from align.proposals._components import (
    DEFAULT_WEIGHTS,
    balance_score,
    demand_coverage,
    item_coverage,
    overall,
    relevance_score,
)

unit = st.floats(0, 1, allow_nan=False)


def _matrix(n_out: int, n_items: int) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float64, (n_out, n_items), elements=unit)


@st.composite
def coverage_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n_items = draw(st.integers(1, 8))
    n_out = draw(st.integers(0, 6))
    credits = draw(_matrix(n_out, n_items))
    weights = draw(arrays(np.float64, (n_items,), elements=st.floats(0, 10)))
    return credits, weights


@settings(max_examples=200, deadline=None)
@given(coverage_case(), st.floats(-2, 3), st.floats(3.01, 8))
def test_scores_within_bounds(case: tuple[np.ndarray, np.ndarray], lo: float, hi: float) -> None:
    credits, weights = case
    c = credit(credits * 10 - 2, lo, hi)
    assert ((c >= 0) & (c <= 1)).all()
    assert 0.0 <= demand_coverage(c, weights) <= 1.0
    assert 0.0 <= relevance_score(c) <= 1.0


@settings(max_examples=200, deadline=None)
@given(coverage_case(), st.data())
def test_raising_a_credit_never_lowers_demand_coverage(
    case: tuple[np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    credits, weights = case
    if not credits.size:
        return
    i = data.draw(st.integers(0, credits.shape[0] - 1))
    j = data.draw(st.integers(0, credits.shape[1] - 1))
    higher = credits.copy()
    higher[i, j] = data.draw(st.floats(float(credits[i, j]), 1.0))
    assert demand_coverage(higher, weights) >= demand_coverage(credits, weights) - 1e-9


@settings(max_examples=100, deadline=None)
@given(coverage_case())
def test_each_outcome_covers_one_item_and_each_item_one_outcome(
    case: tuple[np.ndarray, np.ndarray],
) -> None:
    credits, weights = case
    cov, who = item_coverage(credits, weights)
    paired = who[who >= 0]
    assert len(set(paired.tolist())) == len(paired)  # no outcome covers two items
    assert len(paired) <= credits.shape[0]
    for j, i in enumerate(who):
        assert cov[j] == (credits[i, j] if i >= 0 else 0.0)


def test_one_outcome_near_many_activities_covers_one() -> None:
    # One outcome at full credit for three activities; a credential of one outcome.
    credits = np.array([[1.0, 1.0, 1.0]])
    assert demand_coverage(credits, np.ones(3)) == 1.0
    cov, _ = item_coverage(credits, np.ones(3))
    assert cov.sum() == 1.0
    # Two outcomes about the same one activity cover it once.
    same = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert demand_coverage(same, np.ones(2)) == 0.5


@given(st.integers(1, 8))
def test_no_outcomes_gives_zero(n_items: int) -> None:
    empty = np.zeros((0, n_items))
    assert demand_coverage(empty, np.ones(n_items)) == 0.0
    assert relevance_score(empty) == 0.0
    assert balance_score(0, 0) == 0.0
    assert overall(dict.fromkeys(DEFAULT_WEIGHTS, 0.0), DEFAULT_WEIGHTS) == 0.0


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
    assert 0.0 <= overall(comps, weights) <= 100.0 + 1e-9
    assert 0.0 <= balance_score(p, t) <= 1.0


def test_credit_is_monotone_and_rejects_bad_thresholds() -> None:
    z = np.linspace(-1, 6, 29)
    assert (np.diff(credit(z)) >= 0).all()
    assert credit(0.0) == 0.0 and credit(10.0) == 1.0
    with pytest.raises(InvalidArgumentError, match="floor"):
        credit(z, floor=4.0, full=3.0)


@given(st.floats(0, 100))
def test_every_score_has_one_band(score: float) -> None:
    name = band(score)
    assert name in {n for n, _ in BANDS}
    assert score >= dict(BANDS)[name]


# -- the report on hand-made frameworks (the real model) ---------------------------
def test_report_components_and_explanations(proposal, frameworks, embedder) -> None:
    r = score_alignment(proposal, frameworks, embedder=embedder)
    assert isinstance(r, AlignmentReport)
    assert list(r.components["component"]) == list(DEFAULT_WEIGHTS)
    assert r.components["contribution"].sum() == pytest.approx(r.overall)
    assert 0 <= r.overall <= 100 and r.band == band(r.overall)
    # The basket is what the occupation does (its work activity, matched through its
    # task statement) and uses (its hot technology); skills and knowledge are not in it.
    d = r.demand.set_index("label")
    assert set(d["kind"]) == {"dwa", "technology"}
    assert d.loc["Prepare financial reports", "example"].startswith("Prepare monthly")
    assert r.basis.demand_source == "onet" and r.basis.target_occupations == ["13-2011.00"]
    assert r.matches["explanation"].str.len().gt(0).all()
    # Each outcome says what it earned and how to rewrite it when it earns little.
    assert (r.outcomes["best_demand_score"].between(0, 1)).all()
    weak = r.outcomes[r.outcomes["best_demand_score"] < 1]
    assert (weak["rewrite_hint"].str.len() > 0).all()


def test_report_exports(proposal, frameworks, embedder, tmp_path: Path) -> None:
    r = score_alignment(proposal, frameworks, embedder=embedder)
    data = json.loads(r.to_json())
    assert data["overall"] == pytest.approx(r.overall, abs=0.01)
    assert data["band"] == r.band and data["settings"]["method"] == "hybrid"
    assert {c["component"] for c in data["components"]} == set(DEFAULT_WEIGHTS)
    for table in ("components", "demand", "outcomes", "matches", "frameworks", "competencies"):
        assert isinstance(r.to_frame(table), pd.DataFrame)
    with pytest.raises(InvalidArgumentError, match="expected one of"):
        r.to_frame("nope")  # type: ignore[arg-type]
    html = r._repr_html_()
    assert "Budget Analysis Basics" in html and r.band in html
    out = r.write_html(tmp_path / "r.html")
    assert out.read_text().startswith("<!doctype html>")


def test_removing_all_outcomes_gives_zero(proposal, frameworks, embedder) -> None:
    empty = proposal.model_copy(update={"outcomes": []})
    r = score_alignment(empty, frameworks, embedder=embedder)
    assert r.overall == 0.0 and r.band == "not aligned"
    assert (r.components["value"] == 0).all()


def test_a_vague_rewrite_scores_lower(proposal, frameworks, embedder) -> None:
    vague = proposal.model_copy(
        update={
            "outcomes": [
                o.model_copy(update={"text": f"Understand the importance of {w}."})
                for o, w in zip(proposal.outcomes, ["budgets", "costs", "teams"], strict=True)
            ]
        }
    )
    strong = score_alignment(proposal, frameworks, embedder=embedder)
    weak = score_alignment(vague, frameworks, embedder=embedder)
    assert weak.overall < strong.overall
    assert (weak.outcomes["specificity"] < 0.5).all()
    # A vague outcome earns no professional credit and no balance.
    assert weak.component("balance") == 0.0


def test_postings_demand_gives_bootstrap_interval(proposal, frameworks, embedder) -> None:
    demand = pd.DataFrame(
        {
            "skill_id": ["a", "b", "c"],
            "skill_name": ["Budget planning", "Expense forecasting", "Payroll"],
            "skill_type": ["Specialized Skill", "Specialized Skill", "Common Skill"],
            "postings": [60, 30, 45],
            "share": [0.6, 0.3, 0.45],
        }
    )
    r = score_alignment(proposal, frameworks, demand, embedder=embedder, n_boot=200)
    assert r.basis.demand_source == "postings" and r.basis.postings == 100
    assert r.interval is not None
    lo, hi = r.interval
    assert 0 <= lo <= r.overall <= hi <= 100


def test_unknown_occupation_is_a_plain_error(proposal, frameworks) -> None:
    bad = proposal.model_copy(update={"target_occupations": ["99-9999.00"]})
    with pytest.raises(ProposalError) as err:
        score_alignment(bad, frameworks)
    assert "99-9999.00" in str(err.value) and "codes look like" in str(err.value)


def test_no_target_occupations_notes_it(proposal, frameworks, embedder) -> None:
    none = proposal.model_copy(update={"target_occupations": []})
    r = score_alignment(none, frameworks, embedder=embedder)
    assert r.component("demand_coverage") == 0.0
    assert any("no target occupations" in n for n in r.notes)


def test_bad_arguments(proposal, frameworks) -> None:
    with pytest.raises(InvalidArgumentError, match="load_proposal"):
        score_alignment("x.yaml", frameworks)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="method"):
        score_alignment(proposal, frameworks, method="magic")
    with pytest.raises(InvalidArgumentError, match="weights"):
        score_alignment(proposal, frameworks, weights={"balance": 1})
    with pytest.raises(InvalidArgumentError, match=r"unknown score setting.*flor"):
        score_alignment(proposal, frameworks, flor=2.0)
    with pytest.raises(InvalidArgumentError, match="settings is a dict"):
        score_alignment(proposal, frameworks, settings={"method": "hybrid"})  # type: ignore[arg-type]


def test_lexical_scoring_is_refused_with_the_reason(proposal, frameworks) -> None:
    with pytest.raises(InvalidArgumentError, match="takes the embedding model"):
        score_alignment(proposal, frameworks, method="lexical")


def test_settings_object_and_options_agree(proposal, frameworks, embedder) -> None:
    s = ScoreSettings(balance_target=3)
    a = score_alignment(proposal, frameworks, settings=s, embedder=embedder)
    b = score_alignment(proposal, frameworks, embedder=embedder, balance_target=3)
    assert a.overall == b.overall and a.settings == b.settings


def test_demand_from_onet_weights(frameworks) -> None:
    d = demand_from_onet(frameworks[0], ["13-2011.00"])
    w = d.set_index("label")["weight"]
    # The DWA of one core task (0.75), central to one task only (x 0.7), unique to the
    # occupation (distinctiveness 1).
    assert w["Prepare financial reports"] == pytest.approx(0.75 * 0.7)
    assert w["Spreadsheet software"] == 0.5  # hot technology
    assert "Negotiate vendor contracts" not in w  # no task of the occupation leads to it
    assert "Budget planning" not in w  # skills only when asked for
    surfaces = d.set_index("label")["surfaces"]
    assert surfaces["Prepare financial reports"] == [
        "Prepare monthly financial reports for managers"
    ]


def test_foundational_skills_are_never_demanded(frameworks) -> None:
    from align.proposals import foundational_items

    fw = frameworks[0]
    # With one occupation, every rated skill is rated important by all occupations.
    assert {"onet:s1", "onet:s2", "onet:k1"} <= foundational_items(fw)
    d = demand_from_onet(fw, ["13-2011.00"], {"dwa": 5, "skill": 5, "knowledge": 5})
    assert not set(d["kind"]) & {"skill", "knowledge"}


def test_demand_from_postings_checks_columns() -> None:
    with pytest.raises(InvalidArgumentError, match="skill_demand"):
        demand_from_postings(pd.DataFrame({"x": [1]}))


def test_per_competency_coverage(proposal, frameworks, embedder) -> None:
    r = score_alignment(proposal, frameworks, embedder=embedder)
    comp = r.to_frame("competencies")
    assert (comp["coverage"] > 0).all() and (comp["coverage"] <= 1).all()
    assert set(comp["class"]) <= {"professional", "technical"}
    for outs in comp["outcomes"]:
        assert set(outs) <= {o.id for o in proposal.outcomes}
