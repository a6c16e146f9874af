"""ReviewStore, the committee's view of the store: the record, who may rate and decide."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from align import load_proposal
from align.committee import ReviewStore
from align.exceptions import InvalidArgumentError, NotAllowedError, WorkflowError
from align.store import Store

TODAY = dt.date.today()


@pytest.fixture
def reviews(store_url: str) -> ReviewStore:
    """A store with the IPCP proposal signed off, three reviewers and an approver."""
    db = Store(store_url, timeout=5)
    me = db.local_user()
    p = load_proposal(
        {
            "id": "ipcp",
            "title": "Interprofessional Practice",
            "issuing_unit": "Nursing",
            "outcomes": [{"id": "LO1", "text": "Plan care with a team of professions"}],
        }
    )
    db.create_proposal(p, actor=me)
    db.submit("ipcp", actor=me)
    db.sign_off("ipcp", actor=me)
    db.add_user("Dean Park", actor=me, roles=["approver"])
    rs = ReviewStore(db)  # acts as the command line's operator (the office)
    rs.add_reviewer("Dr. Okafor", ["nursing", "public health"])
    rs.add_reviewer("Prof. Lin", "Nursing")
    rs.add_reviewer("Dr. Ruiz", ["business"])
    yield rs
    db.close()


def test_reviewers_are_assigned_by_discipline(reviews: ReviewStore) -> None:
    assert reviews.assign("ipcp", "nursing") == ["Dr. Okafor", "Prof. Lin"]
    assert reviews.assign("ipcp", "nursing") == ["Dr. Okafor", "Prof. Lin"]  # idempotent
    assert reviews.pending("ipcp") == ["Dr. Okafor", "Prof. Lin"]
    assert {"Dr. Okafor", "Prof. Lin", "Dr. Ruiz"} <= set(reviews.reviewers()["name"])


def test_the_record_from_ratings_to_decision(reviews: ReviewStore) -> None:
    reviews.assign("ipcp", "nursing")
    reviews.record_review(
        "ipcp",
        "Dr. Okafor",
        {"outcomes": (3, "clear"), "labor_market": (1, "no date")},
        comment="good start",
    )
    reviews.record_review("ipcp", "Prof. Lin", {"outcomes": 2, "labor_market": (None, "")})
    reviews.record_review(
        "ipcp",
        "Dr. Okafor",
        {"outcomes": (2, "on reflection"), "labor_market": 1},
        comment="on reflection, fine",
    )
    s = reviews.summary("ipcp").set_index("criterion")
    assert s.loc["outcomes", "reviews"] == 2 and s.loc["outcomes", "mean_rating"] == 2.0
    assert s.loc["outcomes", "comments"] == ["Dr. Okafor: on reflection"]
    assert s.loc["labor_market", "mean_rating"] == 1.0  # "not rated" is left out
    assert len(reviews.reviews("ipcp", latest=False)) == 6
    assert reviews.overall_comments("ipcp")["comment"].tolist() == ["on reflection, fine"]
    assert reviews.pending("ipcp") == []
    assert reviews.add_feedback("ipcp", "Name the postings source and its date.") == (
        "feedback-sent"
    )
    assert reviews.decision("ipcp") is None
    d = reviews.record_decision(
        "ipcp", "approved-with-changes", TODAY, by="Dean Park", body="Faculty Senate"
    )
    assert reviews.decision("ipcp") == d
    assert (d.decision, d.body, d.decided_by) == (
        "approved-with-changes",
        "Faculty Senate",
        "Dean Park",
    )


def test_refusals_say_what_to_do(reviews: ReviewStore) -> None:
    with pytest.raises(InvalidArgumentError, match="empty"):
        reviews.add_reviewer("  ", ["nursing"])
    with pytest.raises(InvalidArgumentError, match="already reviews business"):
        reviews.add_reviewer("Dr. Ruiz", ["law"])  # never a silent change of discipline
    reviews.assign("ipcp", "nursing")
    with pytest.raises(NotAllowedError, match=r"Dr\. Ruiz is not assigned to review 'ipcp'"):
        reviews.record_review("ipcp", "Dr. Ruiz", {"outcomes": 3})
    with pytest.raises(NotAllowedError, match="'Nobody' is not a person the store knows"):
        reviews.record_review("ipcp", "Nobody", {"outcomes": 3})
    with pytest.raises(InvalidArgumentError, match="reviewer name is empty"):
        reviews.record_review("ipcp", " ", {"outcomes": 3})
    with pytest.raises(InvalidArgumentError, match="not in the rubric"):
        reviews.record_review("ipcp", "Prof. Lin", {"vibes": 3})
    with pytest.raises(InvalidArgumentError, match=r"3 \(Strong\)"):
        reviews.record_review("ipcp", "Prof. Lin", {"outcomes": 7})
    with pytest.raises(WorkflowError, match="no reviewer has rated"):
        reviews.add_feedback("ipcp", "too early")
    reviews.record_review("ipcp", "Prof. Lin", {"outcomes": 3})
    with pytest.raises(WorkflowError, match="it is 'in-review'"):
        reviews.record_decision("ipcp", "approved", TODAY, by="Dean Park")
    reviews.add_feedback("ipcp", "fine")
    with pytest.raises(NotAllowedError, match="only an approver can"):
        reviews.record_decision("ipcp", "approved", TODAY, by="Prof. Lin")
    with pytest.raises(WorkflowError, match="in the future"):
        reviews.record_decision("ipcp", "approved", TODAY + dt.timedelta(days=3), by="Dean Park")
    with pytest.raises(NotAllowedError, match="not a person"):
        reviews.record_decision("ipcp", "approved", TODAY, by="The Committee")
    assert reviews.decision("ipcp") is None


def test_unknown_proposals_are_refused(reviews: ReviewStore) -> None:
    from align.exceptions import UnknownNameError

    with pytest.raises(UnknownNameError, match=r"no proposal 'ipcq' in the store .*ipcp"):
        reviews.assign("ipcq", "nursing")
    with pytest.raises(UnknownNameError):
        reviews.summary("ipcq")
    assert reviews.record("ipcq") is None  # the packet shows no record instead


def test_a_path_is_the_default_store(tmp_path: Path) -> None:
    rs = ReviewStore(tmp_path / "reviews.sqlite")
    assert rs.store.backend == "sqlite" and "command line" in str(rs.actor)
