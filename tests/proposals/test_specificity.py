"""Outcome specificity (no model, no data)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from align._calibration import CREDIT_FLOOR, CREDIT_FULL, SPECIFICITY_MIN
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


@pytest.mark.parametrize(
    "text",
    [
        "Develop an awareness of web security and performance considerations.",
        "Demonstrate an understanding of welding safety.",
        "Gain an appreciation for patient-centered care.",
        "Recognize the role of testing and quality assurance in software projects.",
        "Develop skills in patient care.",
        "Become familiar with international quality standards such as ISO 9001.",
    ],
)
def test_states_behind_action_verbs_are_vague(text) -> None:
    s = outcome_specificity(text)
    assert s.score < SPECIFICITY_MIN
    assert "inner state" in s.reason or "no performance" in s.reason or "attitude" in s.reason


@pytest.mark.parametrize(
    "text",
    [
        "Demonstrate proficiency in GTAW of 1/8-inch aluminum butt joints per AWS D1.2.",
        "Identify an unknown bacterium from a mixed culture by Gram staining and an API 20E "
        "strip, reporting genus and species.",
        "Record raw data in a bound notebook to ALCOA+ expectations so entries pass review.",
    ],
)
def test_conditioned_performances_are_specific(text) -> None:
    assert outcome_specificity(text).score == 1.0


def test_a_state_followed_by_a_task_is_partly_specific() -> None:
    s = outcome_specificity(
        "Demonstrate knowledge of NEC Article 220 by calculating the service load of a house."
    )
    assert SPECIFICITY_MIN <= s.score < 1.0


def test_credit_thresholds_ordered() -> None:
    assert CREDIT_FLOOR < CREDIT_FULL
