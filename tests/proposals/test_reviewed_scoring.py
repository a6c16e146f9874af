"""Re-scoring uses what faculty decided: accepted alignments count in full, rejected ones not."""

from __future__ import annotations

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


def test_rejected_match_leaves_the_score(proposal, frameworks) -> None:
    before = score_alignment(proposal, frameworks, method="lexical")
    m = before.matches[before.matches["credit"] > 0]
    top = m.sort_values("credit", ascending=False).iloc[0]
    after = score_alignment(
        _decide(proposal, _alignment(str(top["outcome_id"]), top, "rejected")),
        frameworks,
        method="lexical",
    )
    gone = after.matches[
        (after.matches["outcome_id"] == top["outcome_id"]) & (after.matches["id"] == top["id"])
    ]
    assert gone.empty
    assert after.overall <= before.overall


def test_accepted_demanded_item_is_covered_in_full(proposal, frameworks) -> None:
    before = score_alignment(proposal, frameworks, method="lexical")
    demand = before.to_frame("demand")
    uncovered = demand.sort_values("weight", ascending=False)
    item = uncovered.iloc[-1]
    first = proposal.outcomes[0].id
    row = {"framework": "onet", "id": item["id"], "label": item["label"]}
    after = score_alignment(
        _decide(proposal, _alignment(first, row, "accepted", source="search")),
        frameworks,
        method="lexical",
    )
    assert after.component("demand_coverage") > before.component("demand_coverage")
    added = after.matches[
        (after.matches["outcome_id"] == first) & (after.matches["id"] == item["id"])
    ]
    assert list(added["reviewed"]) == ["accepted"]
    assert after.overall >= before.overall


def test_decisions_on_the_whole_credential_do_not_change_the_score(proposal, frameworks) -> None:
    before = score_alignment(proposal, frameworks, method="lexical")
    top = before.matches.iloc[0]
    credential = ReviewedAlignment(
        outcome=None, framework="onet", id=str(top["id"]), code="x", label="x", status="rejected"
    )
    after = score_alignment(_decide(proposal, credential), frameworks, method="lexical")
    assert after.overall == before.overall
