"""The approval flow and the roles, enforced by the library on both backends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from align.exceptions import (
    EditConflictError,
    InvalidArgumentError,
    NotAllowedError,
    UnknownNameError,
    WorkflowError,
)
from align.store import Store, User
from tests.store.conftest import Cast, proposal, to_review

TODAY = date.today().isoformat()


def test_every_role_takes_its_step_from_draft_to_decision(cast: Cast) -> None:
    s = cast.store
    rec = s.create_proposal(proposal(), actor=cast.author)
    assert (rec.status, rec.version, rec.author) == ("draft", 1, "Prof. Author")
    assert s.submit(rec.id, actor=cast.author, comment="ready") == "submitted"
    assert s.sign_off(rec.id, actor=cast.chair, comment="fits our plan") == "signed-off"
    assert s.assign(rec.id, "business", actor=cast.office) == ["Rev Lin", "Rev Okafor"]
    assert s.proposal(rec.id, actor=cast.office).status == "in-review"
    s.record_review(
        rec.id,
        {"outcomes": (3, "clear"), "labor_market": (1, "no date")},
        actor=cast.reviewer,
        comment="solid overall",
    )
    a = s.assignments(rec.id, actor=cast.office).set_index("reviewer")["submitted"]
    assert a.to_dict() == {"Rev Lin": False, "Rev Okafor": True}  # who has not rated yet
    assert s.send_feedback(rec.id, "Name the postings source.", actor=cast.office) == (
        "feedback-sent"
    )
    d = s.decide(rec.id, "approved-with-changes", TODAY, actor=cast.approver, note="add source")
    assert (d.decision, d.decided_by, d.decided_on) == (
        "approved-with-changes",
        "Assoc Dean",
        TODAY,
    )
    assert s.decision(rec.id, actor=cast.author) == d
    h = s.history(rec.id, actor=cast.author)
    assert list(h["to_status"]) == [
        "submitted",
        "signed-off",
        "in-review",
        "feedback-sent",
        "approved-with-changes",
    ]
    assert list(h["actor"]) == [
        "Prof. Author",
        "Chair Biz",
        "Olga Office",
        "Olga Office",
        "Assoc Dean",
    ]
    assert h.loc[0, "comment"] == "ready" and h["at"].str.match(r"^\d{4}-\d\d-\d\dT").all()
    # the author sees the feedback and the decision, not the individual ratings
    assert s.feedback(rec.id, actor=cast.author)["text"].tolist() == ["Name the postings source."]
    assert s.reviews(rec.id, actor=cast.author).empty
    assert len(s.reviews(rec.id, actor=cast.approver)) == 2
    log = s.audit_log(actor=cast.office, proposal_id=rec.id)
    assert {"proposal-created", "submit", "sign-off", "review-recorded", "decide"} <= set(
        log["action"]
    )


def test_a_returned_proposal_is_edited_and_submitted_again(cast: Cast) -> None:
    s = cast.store
    p = proposal()
    rec = s.create_proposal(p, actor=cast.author)
    s.submit(rec.id, actor=cast.author)
    with pytest.raises(InvalidArgumentError, match="what to change"):
        s.return_to_author(rec.id, actor=cast.chair, comment=" ")
    s.return_to_author(rec.id, actor=cast.chair, comment="add an assessment")
    p.outcomes[0].assessment = "observed meeting"
    assert s.save_proposal(p, actor=cast.author, expected_version=1).version == 2
    assert s.submit(rec.id, actor=cast.author) == "submitted"


@pytest.mark.parametrize(
    ("step", "status_after", "message"),
    [
        ("sign_off", "draft", "cannot sign off 'team-leadership': it is a draft"),
        ("decide", "draft", "cannot decide on 'team-leadership': it is a draft"),
        ("feedback", "draft", "cannot send feedback on"),
        ("assign", "draft", "cannot assign reviewers to"),
        ("submit", "submitted", "cannot submit 'team-leadership': it is 'submitted'"),
        ("decide", "in-review", "it is 'in-review'"),
    ],
)
def test_illegal_steps_are_refused_with_the_next_step(
    cast: Cast, step: str, status_after: str, message: str
) -> None:
    s = cast.store
    rec = s.create_proposal(proposal(), actor=cast.author)
    if status_after != "draft":
        s.submit(rec.id, actor=cast.author)
    if status_after == "in-review":
        s.sign_off(rec.id, actor=cast.chair)
        s.assign(rec.id, "business", actor=cast.office)
    everyone = s.local_user()  # every role: sees the draft, so the status is what refuses
    actions = {
        "sign_off": lambda: s.sign_off(rec.id, actor=everyone),
        "decide": lambda: s.decide(rec.id, "approved", TODAY, actor=everyone),
        "feedback": lambda: s.send_feedback(rec.id, "x", actor=everyone),
        "assign": lambda: s.assign(rec.id, "business", actor=everyone),
        "submit": lambda: s.submit(rec.id, actor=everyone),
    }
    with pytest.raises(WorkflowError, match=message) as info:
        actions[step]()
    assert "Next:" in str(info.value)
    assert s.proposal(rec.id, actor=cast.office).status == status_after  # nothing moved


def test_decisions_dated_in_the_future_or_not_dates_are_refused(cast: Cast) -> None:
    s = cast.store
    pid = to_review(cast)
    s.record_review(pid, {"outcomes": 2}, actor=cast.reviewer)
    s.send_feedback(pid, "fine", actor=cast.office)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    with pytest.raises(WorkflowError, match="in the future"):
        s.decide(pid, "approved", tomorrow, actor=cast.approver)
    with pytest.raises(InvalidArgumentError, match="2026-12-01"):
        s.decide(pid, "approved", "next Tuesday", actor=cast.approver)
    with pytest.raises(InvalidArgumentError, match="approved, approved-with-changes, declined"):
        s.decide(pid, "maybe", TODAY, actor=cast.approver)
    assert s.decision(pid, actor=cast.approver) is None
    s.decide(pid, "declined", TODAY, actor=cast.approver)
    with pytest.raises(WorkflowError, match="it is 'declined'"):
        s.decide(pid, "approved", TODAY, actor=cast.approver)


# == roles ===================================================================================
def test_only_approvers_decide_and_the_committee_cannot(cast: Cast) -> None:
    s = cast.store
    pid = to_review(cast)
    s.record_review(pid, {"outcomes": 2}, actor=cast.reviewer)
    s.send_feedback(pid, "fine", actor=cast.office)
    for who in (cast.office, cast.reviewer, cast.chair, cast.author, cast.admin):
        with pytest.raises(NotAllowedError, match="only an approver can"):
            s.decide(pid, "approved", TODAY, actor=who)
    assert s.proposal(pid, actor=cast.office).status == "feedback-sent"


def test_reviewers_rate_only_what_they_are_assigned(cast: Cast) -> None:
    s = cast.store
    pid = to_review(cast)
    outsider = s.add_user(
        "Rev Nurse", actor=cast.admin, roles=["reviewer"], disciplines=["nursing"]
    )
    for who in (outsider, cast.approver):
        with pytest.raises(NotAllowedError, match="not allowed"):
            s.record_review(pid, {"outcomes": 3}, actor=who)
    with pytest.raises(NotAllowedError, match="not a person the store knows"):
        s.record_review(pid, {"outcomes": 3}, actor="Somebody Never Added")
    assert s.reviews(pid, actor=cast.office).empty  # nothing counted
    s.record_review(pid, {"outcomes": 3}, actor=cast.reviewer)
    assert (
        s.review_summary(pid, actor=cast.office).set_index("criterion").loc["outcomes", "reviews"]
        == 1
    )


def test_chairs_sign_off_only_their_department(cast: Cast) -> None:
    s = cast.store
    rec = s.create_proposal(proposal(), actor=cast.author)
    s.submit(rec.id, actor=cast.author)
    with pytest.raises(NotAllowedError, match=r"chairs 'Nursing'; proposal .* belongs to 'Bus"):
        s.sign_off(rec.id, actor=cast.other_chair)
    for who in (cast.author, cast.office):
        with pytest.raises(NotAllowedError, match="only a chair can"):
            s.sign_off(rec.id, actor=who)
    with pytest.raises(NotAllowedError, match="may not see it"):
        s.sign_off(rec.id, actor=cast.reviewer)
    assert s.sign_off(rec.id, actor=cast.dean) == "signed-off"  # a dean signs any department


def test_only_the_author_and_the_office_edit(cast: Cast) -> None:
    s = cast.store
    p = proposal()
    rec = s.create_proposal(p, actor=cast.author)
    p.description = "changed"
    for who in (cast.other_author, cast.chair, cast.reviewer, cast.approver):
        with pytest.raises(NotAllowedError, match="not allowed"):
            s.save_proposal(p, actor=who, expected_version=rec.version)
    rec = s.save_proposal(p, actor=cast.office, expected_version=1)
    s.submit(rec.id, actor=cast.author)
    p.description = "changed after submitting"
    with pytest.raises(NotAllowedError, match="while it is a draft or returned"):
        s.save_proposal(p, actor=cast.author, expected_version=rec.version)


def test_who_sees_what(cast: Cast) -> None:
    s = cast.store
    mine = s.create_proposal(proposal(), actor=cast.author).id
    theirs = s.create_proposal(proposal("Wound Care", "Nursing"), actor=cast.other_author).id
    assert s.proposals(actor=cast.author)["id"].tolist() == [mine]
    assert set(s.proposals(actor=cast.office)["id"]) == {mine, theirs}
    for who in (cast.other_author, cast.chair, cast.reviewer, cast.approver):
        with pytest.raises(NotAllowedError, match=f"proposal '{mine}' does not exist or"):
            s.load_proposal(mine, actor=who)  # a draft: only its author and the office
    # an unknown id answers exactly like a hidden one (ids cannot be probed) ...
    with pytest.raises(NotAllowedError, match="'nope' does not exist or"):
        s.proposal("nope", actor=cast.author)
    # ... except to the office, who sees everything anyway
    with pytest.raises(UnknownNameError, match="no proposal 'nope'"):
        s.proposal("nope", actor=cast.office)
    s.submit(mine, actor=cast.author)
    assert s.proposals(actor=cast.chair)["id"].tolist() == [mine]  # their department, submitted
    assert s.proposals(actor=cast.other_chair).empty
    assert s.proposals(actor=cast.reviewer).empty
    s.sign_off(mine, actor=cast.chair)
    s.assign(mine, "business", actor=cast.office)
    assert s.proposals(actor=cast.reviewer)["id"].tolist() == [mine]
    assert s.assigned_to(actor=cast.reviewer)["submitted"].tolist() == [False]
    with pytest.raises(NotAllowedError, match="cannot read the audit log"):
        s.audit_log(actor=cast.author)


def test_assignment_by_discipline_leaves_out_conflicts(cast: Cast) -> None:
    s = cast.store
    rec = s.create_proposal(proposal(), actor=cast.author)
    s.submit(rec.id, actor=cast.author)
    s.sign_off(rec.id, actor=cast.chair)
    # the office declares that reviewers from the author's own department are in conflict
    s.declare_conflict("Rev Lin", actor=cast.office, department="business", reason="same dept")
    cands = s.reviewer_candidates(rec.id, "business", actor=cast.office).set_index("name")
    assert cands.loc["Rev Lin", "conflict"] == "same dept"
    assert cands.loc["Rev Okafor", "conflict"] == ""
    assert s.assign(rec.id, "business", actor=cast.office) == ["Rev Okafor"]
    with pytest.raises(NotAllowedError, match="Rev Lin has a conflict"):
        s.assign(rec.id, "business", actor=cast.office, reviewers=["Rev Lin"])
    s.declare_conflict("Rev Okafor", actor=cast.office, proposal_id=rec.id, reason="co-author")
    other = s.create_proposal(proposal("Team Finance"), actor=cast.author).id
    s.submit(other, actor=cast.author)
    s.sign_off(other, actor=cast.chair)
    assert s.assign(other, "business", actor=cast.office) == ["Rev Okafor"]  # only that one
    with pytest.raises(UnknownNameError, match="add-reviewer NAME --discipline astronomy"):
        s.assign(other, "astronomy", actor=cast.office)
    for who in (cast.author, cast.chair, cast.reviewer):
        with pytest.raises(NotAllowedError):
            s.assign(other, "business", actor=who)
        with pytest.raises(NotAllowedError):
            s.declare_conflict("Rev Lin", actor=who, department="business")


def test_every_reviewer_in_conflict_is_a_clear_refusal(cast: Cast) -> None:
    s = cast.store
    rec = s.create_proposal(proposal(), actor=cast.author)
    s.submit(rec.id, actor=cast.author)
    s.sign_off(rec.id, actor=cast.chair)
    for name in ("Rev Lin", "Rev Okafor"):
        s.declare_conflict(name, actor=cast.office, proposal_id=rec.id, reason="advised it")
    with pytest.raises(WorkflowError, match="every reviewer of business has a conflict"):
        s.assign(rec.id, "business", actor=cast.office)
    assert s.proposal(rec.id, actor=cast.office).status == "signed-off"


def test_an_author_is_never_assigned_their_own_proposal(cast: Cast) -> None:
    s = cast.store
    s.set_user("Rev Okafor", actor=cast.admin, roles=["reviewer", "author"])
    rec = s.create_proposal(proposal(), actor=cast.reviewer)
    s.submit(rec.id, actor=cast.reviewer)
    s.sign_off(rec.id, actor=cast.chair)
    assert s.assign(rec.id, "business", actor=cast.office) == ["Rev Lin"]


# == people =====================================================================================
def test_adding_a_reviewer_again_never_silently_changes_disciplines(cast: Cast) -> None:
    s = cast.store
    s.add_reviewer("Dr. Ruiz", ["Business"], actor=cast.office)
    assert s.add_reviewer("Dr. Ruiz", ["business"], actor=cast.office).disciplines == ("business",)
    with pytest.raises(InvalidArgumentError, match="already reviews business"):
        s.add_reviewer("Dr. Ruiz", ["nursing"], actor=cast.office)
    assert s.add_reviewer("Dr. Ruiz", ["business", "nursing"], actor=cast.office).disciplines == (
        "business",
        "nursing",
    )
    assert s.add_reviewer("Dr. Ruiz", "law", actor=cast.office, replace=True).disciplines == (
        "law",
    )
    for bad in ("", "   "):
        with pytest.raises(InvalidArgumentError, match="empty"):
            s.add_reviewer(bad, ["law"], actor=cast.office)
    with pytest.raises(NotAllowedError, match="only an admin can"):
        s.add_user("Someone", actor=cast.office, roles=["approver"])
    with pytest.raises(NotAllowedError):
        s.add_reviewer("Dr. New", ["law"], actor=cast.author)


def test_sign_in_recognises_people_by_email_and_welcomes_new_authors(cast: Cast) -> None:
    s = cast.store
    assert s.sign_in("AUTHOR@uni.edu", "Whatever").name == "Prof. Author"
    new = s.sign_in("new.person@uni.edu", "Prof. Author")  # the name is taken: kept apart
    assert new.name == "Prof. Author (new.person@uni.edu)" and new.roles == {"author"}
    assert s.sign_in("new.person@uni.edu", "x") == new
    with pytest.raises(InvalidArgumentError, match="'email' claim"):
        s.sign_in("", "No Mail")


def test_role_names_are_checked() -> None:
    from align.store._roles import parse_roles

    with pytest.raises(InvalidArgumentError, match="author, chair, office"):
        parse_roles(["boss"])


# == versions ======================================================================================
def test_every_save_is_a_version_with_diff_and_restore(cast: Cast) -> None:
    s = cast.store
    p = proposal()
    s.create_proposal(p, actor=cast.author)
    p.outcomes[0].text = "Chair a project meeting and write its minutes"
    assert s.save_proposal(p, actor=cast.author, expected_version=1, comment="minutes").version == 2
    assert s.save_proposal(p, actor=cast.author, expected_version=2).version == 2  # unchanged
    v = s.versions(p.id, actor=cast.author)
    assert v["version"].tolist() == [2, 1] and v.loc[0, "comment"] == "minutes"
    diff = s.diff(p.id, 1, 2, actor=cast.author)
    assert "-  text: Lead a project meeting with an agenda" in diff
    assert "+  text: Chair a project meeting and write its minutes" in diff
    back = s.restore(p.id, 1, actor=cast.author, expected_version=2)
    assert back.version == 3
    assert s.load_proposal(p.id, actor=cast.author).outcomes[0].text.startswith("Lead")
    assert s.versions(p.id, actor=cast.author).loc[0, "comment"] == "restored version 1"
    with pytest.raises(InvalidArgumentError, match="versions 1 to 3"):
        s.load_proposal(p.id, actor=cast.author, version=9)


def test_concurrent_edits_are_detected_not_overwritten(cast: Cast) -> None:
    s = cast.store
    p = proposal()
    s.create_proposal(p, actor=cast.author)
    mine, theirs = proposal(), proposal()
    mine.description, theirs.description = "mine", "theirs"
    s.save_proposal(theirs, actor=cast.office, expected_version=1)
    with pytest.raises(EditConflictError, match="saved by Olga Office") as info:
        s.save_proposal(mine, actor=cast.author, expected_version=1)
    assert "nothing was overwritten" in str(info.value)
    assert s.load_proposal(p.id, actor=cast.author).description == "theirs"


def test_concurrent_saves_from_threads_keep_exactly_one(cast: Cast) -> None:
    import threading

    s = cast.store
    p = proposal()
    s.create_proposal(p, actor=cast.author)
    results: list[str] = []

    def save(n: int) -> None:
        q = proposal()
        q.description = f"writer {n}"
        try:
            s.save_proposal(q, actor=cast.author, expected_version=1)
            results.append("saved")
        except EditConflictError:
            results.append("conflict")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 5 + ["saved"]
    assert s.proposal(p.id, actor=cast.author).version == 2


def test_a_taken_id_gets_a_suffix(cast: Cast) -> None:
    s = cast.store
    a = s.create_proposal(proposal(), actor=cast.author)
    b = s.create_proposal(proposal(), actor=cast.other_author)
    assert (a.id, b.id) == ("team-leadership", "team-leadership-2")
    assert s.load_proposal(b.id, actor=cast.other_author).id == "team-leadership-2"
    with pytest.raises(NotAllowedError):  # the other author cannot overwrite the first
        s.save_proposal(proposal(), actor=cast.other_author, expected_version=1)


def test_the_audit_log_is_append_only_in_the_database(store: Store, cast: Cast) -> None:
    from sqlalchemy import text

    store.create_proposal(proposal(), actor=cast.author)
    assert len(store.audit_log(actor=cast.admin)) > 5
    for sql in (
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "DELETE FROM proposal_versions",
    ):
        with pytest.raises(Exception, match="append-only"), store._db.engine.begin() as conn:
            conn.execute(text(sql))
    assert (store.audit_log(actor=cast.admin)["actor"] != "x").all()


def test_operator_accounts_are_not_people(store: Store) -> None:
    op = User.operator("jdoe")
    store.add_user("Pat", actor=op, roles=["author"])
    log = store.audit_log(actor=op)
    assert log.loc[0, "actor"] == "command line (jdoe)"
    with pytest.raises(NotAllowedError, match="not a person"):
        store.add_user("Sam", actor=User("command line (jdoe)", roles=frozenset({"admin"})))


def test_the_steps_each_person_may_take_now(cast: Cast) -> None:
    s = cast.store
    pid = s.create_proposal(proposal(), actor=cast.author).id
    assert s.allowed_steps(pid, actor=cast.author) == ["submit"]
    assert s.can_edit(pid, actor=cast.author) and s.can_edit(pid, actor=cast.office)
    s.submit(pid, actor=cast.author)
    assert s.allowed_steps(pid, actor=cast.author) == []
    assert not s.can_edit(pid, actor=cast.author)
    assert s.allowed_steps(pid, actor=cast.chair) == ["sign-off", "return"]
    assert s.allowed_steps(pid, actor=cast.dean) == ["sign-off", "return"]
    s.sign_off(pid, actor=cast.dean)
    assert s.allowed_steps(pid, actor=cast.office) == ["start-review"]
    info = s.info()
    assert info["proposals"] == {"signed-off": 1} and info["schema"] == "0002"
