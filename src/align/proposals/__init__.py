"""Micro-credential proposals: the model, policy checks, demand, scoring, stacks, portfolio.

One concept per private module:

``_parts``      Outcome, Partner, Endorsement, ReviewedAlignment, field limits;
``_model``      Proposal, Stack;
                load_proposal / load_stack / save_proposal
``_policy``     policy checks (default policy in ``_policy_default.yaml``)
``_demand``     demand baskets: O*NET importance or postings demand
``_components`` the score's components: pure functions on credit matrices
``_settings``   ScoreSettings, how a proposal is scored
``_matches``    credit by meaning: each outcome's credit for each competency
``_score``      the alignment score pipeline (demand -> matching -> reviews -> components)
``_interval``   the bootstrap interval of a score from postings demand
``_report``     AlignmentReport: tables, band, explanations, next steps, rendering
``_stack``      stacking gaps
``_portfolio``  portfolio coverage
"""

from __future__ import annotations

from align._calibration import BANDS
from align._wording import (
    BLOOM_LEVELS,
    MEASURABLE_VERBS,
    VAGUE_VERBS,
    bloom_level,
    outcome_verb,
)
from align.proposals._components import DEFAULT_WEIGHTS
from align.proposals._demand import (
    BASKET_COLUMNS,
    DEMAND_QUOTAS,
    DemandBasket,
    demand_basket,
    demand_from_onet,
    demand_from_postings,
    foundational_items,
    postings_demand,
)
from align.proposals._matches import background_for, meaning_credits, outcome_matches
from align.proposals._model import (
    COLLABORATION_LEVELS,
    DEFAULT_TYPES,
    Endorsement,
    Outcome,
    Partner,
    Proposal,
    ReviewedAlignment,
    Stack,
    load_proposal,
    load_stack,
    save_proposal,
)
from align.proposals._policy import (
    CheckResult,
    Policy,
    PolicyReport,
    check_policy,
    default_policy_yaml,
    load_policy,
)
from align.proposals._portfolio import PortfolioReport, load_portfolio, portfolio_coverage
from align.proposals._report import AlignmentReport, ScoreBasis
from align.proposals._score import apply_reviews, score_alignment, score_components
from align.proposals._settings import ScoreSettings
from align.proposals._stack import GapReport, find_stacking_gaps, target_items

__all__ = [
    "BANDS",
    "BASKET_COLUMNS",
    "BLOOM_LEVELS",
    "COLLABORATION_LEVELS",
    "DEFAULT_TYPES",
    "DEFAULT_WEIGHTS",
    "DEMAND_QUOTAS",
    "MEASURABLE_VERBS",
    "VAGUE_VERBS",
    "AlignmentReport",
    "CheckResult",
    "DemandBasket",
    "Endorsement",
    "GapReport",
    "Outcome",
    "Partner",
    "Policy",
    "PolicyReport",
    "PortfolioReport",
    "Proposal",
    "ReviewedAlignment",
    "ScoreBasis",
    "ScoreSettings",
    "Stack",
    "apply_reviews",
    "background_for",
    "bloom_level",
    "check_policy",
    "default_policy_yaml",
    "demand_basket",
    "demand_from_onet",
    "demand_from_postings",
    "find_stacking_gaps",
    "foundational_items",
    "load_policy",
    "load_portfolio",
    "load_proposal",
    "load_stack",
    "meaning_credits",
    "outcome_matches",
    "outcome_verb",
    "portfolio_coverage",
    "postings_demand",
    "save_proposal",
    "score_alignment",
    "score_components",
    "target_items",
]
