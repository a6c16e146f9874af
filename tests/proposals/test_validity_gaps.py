"""Stacking gaps faculty can act on (issue 10), on real O*NET 29.3 with the real model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from align import find_stacking_gaps
from align._match import normalise

pytestmark = [pytest.mark.realdata, pytest.mark.slow]
EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"


@pytest.fixture(scope="module")
def report(onet, embedder):
    return find_stacking_gaps(
        EXAMPLES / "data-analytics-stack.yaml", "onet:15-2051.00", onet=onet, embedder=embedder
    )


def test_suggestions_never_cover_what_an_outcome_already_covers(report) -> None:
    assert report.suggestions
    coverage = report.gaps.set_index("label")["coverage"]
    for s in report.suggestions:
        for label in s["covers"]:
            assert coverage[label] == 0.0, label


def test_suggestions_show_demand_evidence_and_nearest_outcome(report) -> None:
    for s in report.suggestions:
        assert len(s["evidence"]) == len(s["covers"])
        for e in s["evidence"]:
            assert "weight" in e["demand"] and ":" in e["nearest_outcome"]
            assert np.isfinite(e["nearest_score"])  # the nearest outcome's standout (SD)
    assert {"nearest_outcome", "nearest_score", "evidence"} <= set(report.gaps.columns)


def test_drafts_name_a_level_and_never_copy_the_label(report) -> None:
    drafted = 0
    for s in report.suggestions:
        for e, draft in zip(s["evidence"], s["outcomes"], strict=False):
            label = e["competency"]
            assert "Bloom level" in draft
            assert normalise(draft) != normalise(label)
            assert not draft.lower().startswith("learners will be able to")
            if e["kind"] in {"dwa", "task"}:
                # An activity is rewritten around its verb; a tool or skill is named.
                assert normalise(label) not in normalise(draft), (label, draft)
                drafted += 1
    assert drafted
