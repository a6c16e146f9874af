"""The scoring steps (demand -> matching -> reviews -> components) called one by one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from align import ProposalError, score_alignment
from align.proposals import (
    BASKET_COLUMNS,
    DemandBasket,
    background_for,
    demand_basket,
    meaning_credits,
    outcome_matches,
    score_components,
)
from align.proposals._matches import MATCHES_LEAD
from align.proposals._score import _restrict


def test_demand_step_alone(proposal, frameworks) -> None:
    onet = frameworks[0]
    basket = demand_basket(proposal, onet)
    assert isinstance(basket, DemandBasket)
    assert basket.source == "onet"
    assert list(basket.table.columns) == list(BASKET_COLUMNS)
    assert basket.table["weight"].is_monotonic_decreasing
    none = demand_basket(proposal)  # no O*NET, no postings
    assert none.source == "none" and none.table.empty and none.notes


def test_demand_step_from_postings(proposal) -> None:
    postings = pd.DataFrame(
        {"skill_name": ["Budgeting", "Excel"], "share": [0.5, 0.2], "postings": [50, 20]}
    )
    basket = demand_basket(proposal, demand=postings, top_demand=1)
    assert basket.source == "postings"
    assert list(basket.table["label"]) == ["Budgeting"]


def test_demand_step_names_the_proposal_for_an_unknown_occupation(proposal, frameworks) -> None:
    bad = proposal.model_copy(update={"target_occupations": ["99-9999.00"]})
    with pytest.raises(ProposalError, match="Budget Analysis Basics"):
        demand_basket(bad, frameworks[0])


def test_matching_and_components_steps_rebuild_the_score(proposal, frameworks, embedder) -> None:
    report = score_alignment(proposal, frameworks, embedder=embedder)
    aligned = [_restrict(f, proposal.target_occupations) for f in frameworks]
    basket = demand_basket(proposal, frameworks[0])
    bg = background_for(frameworks[0], embedder)
    credits, meaning = meaning_credits(
        proposal.outcome_texts, basket.table, embedder=embedder, background=bg
    )
    assert credits.shape == (len(proposal.outcomes), len(basket.table))
    assert meaning.standout.shape == credits.shape
    matches = outcome_matches(proposal, aligned, embedder=embedder, background=bg)
    assert list(matches.columns[: len(MATCHES_LEAD)]) == list(MATCHES_LEAD)
    assert set(matches["outcome_id"]) <= {o.id for o in proposal.outcomes}
    comps = score_components(
        credits, basket.table["weight"].to_numpy(float), matches, len(proposal.outcomes)
    )
    for name, value in comps.items():
        assert 0.0 <= value <= 1.0
        assert value == pytest.approx(report.component(name))


def test_components_step_on_hand_made_numbers() -> None:
    matches = pd.DataFrame(
        {
            "query_index": [0, 1],
            "id": ["nace:teamwork", "onet:x"],
            "credit": [1.0, 0.5],
            "class": ["professional", "technical"],
        }
    )
    comps = score_components(
        np.array([[0.6, 0.0], [0.0, 0.0]]), np.array([3.0, 1.0]), matches, 2, balance_target=1
    )
    assert comps == {
        "relevance": pytest.approx(0.3),
        # Two outcomes, the two heaviest weights 3 + 1: 0.6 x 3 covered.
        "demand_coverage": pytest.approx(0.45),
        "framework_alignment": pytest.approx(0.75),
        # Balance counts each demanded item with its credit: T = 0.6 of a target of 1.
        "balance": pytest.approx(0.6**0.5),
    }
