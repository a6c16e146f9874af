"""Library calls for the approval pages: each step of a proposal's journey, as the person.

Every call passes the signed-in person to the store (:class:`align.store.Store`),
which checks their roles and the proposal's status: the pages show only what a
person may do, and the library refuses the rest with the same words everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

import align
from align.committee import Rubric, RubricEvidence, load_rubric
from align.store import DECISIONS, ROLES, STATUSES, Decision, ProposalRecord, next_steps
from app_pages import _session, _state

__all__ = ["DECISIONS", "ROLES", "STATUSES", "next_steps"]


def _s() -> align.store.Store:
    return _session.store()


def _me() -> align.store.User:
    return _session.person()


# == proposals ==========================================================================
def proposals(search: str = "", status: str | None = None) -> pd.DataFrame:
    return _s().proposals(actor=_me(), search=search, status=status or None)


def record(pid: str) -> ProposalRecord:
    return _s().proposal(pid, actor=_me())


def proposal(pid: str, version: int | None = None) -> align.Proposal:
    return _s().load_proposal(pid, actor=_me(), version=version)


def history(pid: str) -> pd.DataFrame:
    return _s().history(pid, actor=_me())


def versions(pid: str) -> pd.DataFrame:
    return _s().versions(pid, actor=_me())


def diff(pid: str, old: int, new: int) -> str:
    return _s().diff(pid, old, new, actor=_me())


def restore(pid: str, version: int, expected: int) -> ProposalRecord:
    rec = _s().restore(pid, version, actor=_me(), expected_version=expected)
    w = st.session_state.get("working")
    if w is not None and w.key == pid:
        _session.open_by_id(pid)
    return rec


def allowed(pid: str) -> list[str]:
    return _s().allowed_steps(pid, actor=_me())


def submit(pid: str, comment: str = "") -> str:
    status = _s().submit(pid, actor=_me(), comment=comment)
    _refresh(pid)
    return status


def sign_off(pid: str, comment: str = "") -> str:
    return _s().sign_off(pid, actor=_me(), comment=comment)


def return_to_author(pid: str, comment: str) -> str:
    return _s().return_to_author(pid, actor=_me(), comment=comment)


def _refresh(pid: str) -> None:
    w = st.session_state.get("working")
    if w is not None and w.key == pid:
        _session.open_by_id(pid)


# == reviewers ===========================================================================
def disciplines() -> list[str]:
    """Every discipline some reviewer reviews."""
    people = _s().users("reviewer")
    found = {d.strip() for v in people["disciplines"] for d in str(v).split(",") if d.strip()}
    return sorted(found)


def candidates(pid: str, discipline: str) -> pd.DataFrame:
    return _s().reviewer_candidates(pid, discipline, actor=_me())


def assign(pid: str, discipline: str, reviewers: list[str]) -> list[str]:
    return _s().assign(pid, discipline, actor=_me(), reviewers=reviewers)


def unassign(pid: str, reviewer: str) -> None:
    _s().unassign(pid, reviewer, actor=_me())


def declare_conflict(
    reviewer: str, *, pid: str | None = None, department: str | None = None, reason: str = ""
) -> None:
    _s().declare_conflict(
        reviewer, actor=_me(), proposal_id=pid, department=department, reason=reason
    )


def conflicts() -> pd.DataFrame:
    return _s().conflicts()


def add_reviewer(name: str, disciplines: list[str], department: str = "") -> Any:
    return _s().add_reviewer(name, disciplines, actor=_me(), department=department)


def assignments(pid: str) -> pd.DataFrame:
    return _s().assignments(pid, actor=_me())


def summary(pid: str) -> pd.DataFrame:
    return _s().review_summary(pid, actor=_me())


def reviews(pid: str) -> pd.DataFrame:
    return _s().reviews(pid, actor=_me())


def feedback(pid: str) -> pd.DataFrame:
    return _s().feedback(pid, actor=_me())


def draft_feedback(pid: str) -> str:
    """A first draft of the committee's feedback: each criterion's mean rating and the
    reviewers' comments, then their overall comments (the office edits it before sending)."""
    rub = load_rubric()
    lines = []
    for s in summary(pid).itertuples(index=False):
        if not s.reviews:
            continue
        mean = (
            "not rated"
            if s.mean_rating is None or pd.isna(s.mean_rating)
            else (f"{rub.label(round(float(s.mean_rating)))} ({s.mean_rating:.1f})")
        )
        lines.append(f"- {s.name}: {mean}")
        lines += [f"    {c}" for c in s.comments]
    overall = reviews(pid).drop_duplicates("review_id")
    for r in overall.itertuples(index=False):
        if str(r.review_comment).strip():
            lines.append(f"Overall, {r.reviewer}: {r.review_comment}")
    return "\n".join(lines)


def send_feedback(pid: str, text: str) -> str:
    return _s().send_feedback(pid, text, actor=_me())


# == reviewing ============================================================================
def assigned_to_me() -> pd.DataFrame:
    return _s().assigned_to(actor=_me())


def rubric() -> Rubric:
    return load_rubric()


@st.cache_resource(max_entries=64, show_spinner=False)
def _evidence(digest: str, _proposal: align.Proposal, _report: Any) -> RubricEvidence:
    with align.collect_warnings():
        return align.rubric_evidence(_proposal, _report)


def evidence(pid: str) -> tuple[RubricEvidence, Any]:
    """What align found for each criterion, with a suggested rating (and the report)."""
    w = _session.open_proposal(pid)
    report = _state.score(w)
    return _evidence(w.digest, w.full(), report), report


def my_latest_review(pid: str) -> pd.DataFrame:
    """The person's latest ratings of the proposal (to start the form from)."""
    r = reviews(pid)
    return r[r["reviewer"] == _me().name]


def record_review(pid: str, ratings: dict[str, tuple[int | None, str]], comment: str) -> int:
    return _s().record_review(pid, ratings, actor=_me(), comment=comment)


# == deciding ============================================================================
def decide(pid: str, decision: str, day: dt.date, body: str, note: str) -> Decision:
    return _s().decide(pid, decision, day, actor=_me(), body=body, note=note)


def decision(pid: str) -> Decision | None:
    return _s().decision(pid, actor=_me())


# == the office ===========================================================================
def audit_log(pid: str | None = None, limit: int = 1000) -> pd.DataFrame:
    return _s().audit_log(actor=_me(), proposal_id=pid or None, limit=limit)


def people() -> pd.DataFrame:
    return _s().users()


def add_person(
    name: str, email: str, roles: list[str], department: str, disciplines: list[str]
) -> Any:
    return _s().add_user(
        name,
        actor=_me(),
        email=email or None,
        roles=roles,
        department=department,
        disciplines=disciplines,
    )


def set_person(
    name: str, *, roles: list[str], email: str, department: str, disciplines: list[str]
) -> Any:
    return _s().set_user(
        name,
        actor=_me(),
        roles=roles,
        email=email,
        department=department,
        disciplines=disciplines,
    )
