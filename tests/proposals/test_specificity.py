"""Outcome specificity and the calibrated credit score (no model, no data)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from align._calibration import CREDIT_FLOOR, CREDIT_FULL, credit_scores, overlap_matrix
from align._wording import outcome_specificity


@pytest.mark.parametrize(
    "text",
    [
        "Understand the importance of cybersecurity.",
        "Know about different kinds of hackers.",
        "Appreciate the role of ethics online.",
        "Be aware of different kinds of suppliers.",
    ],
)
def test_vague_outcomes_score_low_and_say_why(text) -> None:
    s = outcome_specificity(text)
    assert s.score < 0.2
    assert s.reason and "observable" in s.hint


@pytest.mark.parametrize(
    "text",
    [
        "Configure a host firewall and verify its rules with a port scan.",
        "Write SQL queries that join and summarize records from a relational database.",
        "Students will be able to assign ICD-10-CM codes to outpatient records.",
    ],
)
def test_specific_outcomes_score_one(text) -> None:
    s = outcome_specificity(text)
    assert s.score == 1.0
    assert s.reason == "" and s.hint == ""


def test_recall_verbs_rank_between_vague_and_specific() -> None:
    vague = outcome_specificity("Understand phishing").score
    recall = outcome_specificity("Identify phishing emails").score
    apply = outcome_specificity("Analyze phishing emails").score
    assert vague < recall < apply


@given(st.text(max_size=120))
def test_specificity_in_unit_interval(text) -> None:
    assert 0.0 <= outcome_specificity(text).score <= 1.0


def test_overlap_counts_the_labels_content_words() -> None:
    ov = overlap_matrix(
        ["Write SQL queries that join tables", "Weld steel plate"],
        ["Structured query language SQL", "Welding"],
    )
    assert ov[0, 0] == pytest.approx(0.5)
    assert ov[1, 0] == 0.0


def test_credit_scores_stay_in_range_and_thresholds_ordered() -> None:
    x = credit_scores(np.array([0.0, 0.5, 0.99]), np.array([1.0, 0.0, 1.0]))
    assert ((x >= 0) & (x <= 1)).all()
    assert 0 < CREDIT_FLOOR < CREDIT_FULL < 1
