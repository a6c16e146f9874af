"""Re-scoring uses what faculty decided: accepted alignments count in full, rejected ones not."""

from __future__ import annotations

import pytest

from align import score_alignment
from align.proposals import ReviewedAlignment


def _decide(proposal, *alignments: ReviewedAlignment):
    return proposal.model_copy(update={"alignments": list(alignments)})


def _alignment(outcome: str, row, status: str, source: str = "matcher") -> ReviewedAlignment:
    return ReviewedAlignment(
        outcome=outcome,
        framework=str(row["framework"]) if "framework" in row else "onet",
        id=str(row["id"]),
        code=str(row["id"]).split(":", 1)[-1],
        label=str(row["label"]),
        status=status,
        source=source,
    )


def test_rejected_match_leaves_the_score(proposal, frameworks, embedder) -> None:
    before = score_alignment(proposal, frameworks, embedder=embedder)
    m = before.matches[before.matches["credit"] > 0]
    top = m.sort_values("credit", ascending=False).iloc[0]
    after = score_alignment(
        _decide(proposal, _alignment(str(top["outcome_id"]), top, "rejected")),
        frameworks,
        embedder=embedder,
    )
    gone = after.matches[
        (after.matches["outcome_id"] == top["outcome_id"]) & (after.matches["id"] == top["id"])
    ]
    assert gone.empty
    assert after.overall <= before.overall
    assert after.unreviewed_overall == pytest.approx(before.overall)


def test_accepted_demanded_item_is_covered_in_full(proposal, frameworks, embedder) -> None:
    before = score_alignment(proposal, frameworks, embedder=embedder)
    demand = before.to_frame("demand")
    uncovered = demand[demand["coverage"] == 0].sort_values("weight", ascending=False)
    assert len(uncovered), "the test needs a demanded item no outcome covers"
    item = uncovered.iloc[0]
    first = proposal.outcomes[0].id
    row = {"framework": "onet", "id": item["id"], "label": item["label"]}
    after = score_alignment(
        _decide(proposal, _alignment(first, row, "accepted", source="search")),
        frameworks,
        embedder=embedder,
    )
    # The accepted item counts in full even though the outcome already covers another.
    cov = after.to_frame("demand").set_index("id")["coverage"]
    assert cov[item["id"]] == pytest.approx(after.outcomes.loc[0, "specificity"])
    assert after.component("demand_coverage") > before.component("demand_coverage")
    assert after.overall > before.overall + 0.5  # faculty see the effect
    assert after.unreviewed_overall == pytest.approx(before.overall)


def test_accepting_a_task_credits_its_work_activity(onet, embedder) -> None:
    from align import load_proposal

    p = load_proposal(
        {
            "title": "Welding basics",
            "issuing_unit": "Trades",
            "outcomes": [{"id": "LO1", "text": "Keep a tidy shop and sweep the floor daily."}],
            "target_occupations": ["51-4121.00"],
            "frameworks": ["onet"],
        }
    )
    before = score_alignment(p, [onet], embedder=embedder)
    task = onet.competencies[onet.competencies["label"].str.startswith("Weld components in")]
    row = {"framework": "onet", "id": task["id"].iloc[0], "label": task["label"].iloc[0]}
    after = score_alignment(
        _decide(p, _alignment("LO1", row, "accepted", source="search")), [onet], embedder=embedder
    )
    d = after.to_frame("demand").set_index("label")
    assert d.loc["Operate welding equipment.", "coverage"] > 0
    assert after.overall > before.overall


def test_decisions_on_the_whole_credential_do_not_change_the_score(
    proposal, frameworks, embedder
) -> None:
    before = score_alignment(proposal, frameworks, embedder=embedder)
    top = before.matches.iloc[0]
    credential = ReviewedAlignment(
        outcome=None, framework="onet", id=str(top["id"]), code="x", label="x", status="rejected"
    )
    after = score_alignment(_decide(proposal, credential), frameworks, embedder=embedder)
    assert after.overall == before.overall
