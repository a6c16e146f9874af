"""The review record, as the committee and the office use it: a view of the store.

Reviewers assigned by discipline rate each criterion of the rubric; the office sends
the committee's feedback (the committee advises, it does not decide); an approver
records the decision and its date. Everything lives in the store
(:class:`align.store.Store`: SQLite by default, PostgreSQL with
``ALIGN_DATABASE_URL``), where each step checks who acts and the proposal's status.

``ReviewStore`` acts for the office (by default the command line's operator,
:meth:`align.store.User.operator`) and names the person whenever a step is theirs:
the reviewer who rates, the approver who decides.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd

from align.committee._rubric import Rubric, load_rubric
from align.exceptions import InvalidArgumentError, NotAllowedError, UnknownNameError
from align.proposals import Proposal
from align.store import DECISIONS, Decision, Store, User, default_database_url

__all__ = ["DECISIONS", "Decision", "ReviewStore", "default_reviews_path"]

PathLike = str | os.PathLike[str]


def default_reviews_path() -> str:
    """Where the review record lives: the store's database (see
    :func:`align.store.default_database_url`)."""
    return default_database_url()


def _operator() -> User:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without /etc/passwd entry)
        who = ""
    return User.operator(who)


def _pid(proposal: Proposal | str) -> str:
    if isinstance(proposal, Proposal):
        return proposal.id
    pid = str(proposal).strip()
    if not pid:
        raise InvalidArgumentError("proposal id is empty; give the proposal's id or file.")
    return pid


class ReviewStore:
    """The committee's review record, kept in the store.

    Parameters
    ----------
    target : str, path, Store or None
        The store's database (a file, a ``sqlite:///`` or ``postgresql://`` URL),
        an open :class:`~align.store.Store`, or None for the default.
    rubric : Rubric or path, optional
        The rubric ratings are checked against (default rubric when omitted).
    actor : User or str, optional
        Who acts for the office (default: the command line's operator).
    timeout : float, optional
        Seconds to wait for another writer's lock (default ``ALIGN_DB_TIMEOUT``, else 30).

    Examples
    --------
    >>> import tempfile, os
    >>> from align import load_proposal
    >>> from align.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "align.sqlite"))
    >>> me = store.local_user()                       # single-user mode: every role
    >>> p = load_proposal({"title": "Care Teams", "issuing_unit": "Nursing",
    ...                    "outcomes": [{"id": "LO1", "text": "Plan care with a team"}]})
    >>> _ = store.create_proposal(p, actor=me)
    >>> _ = store.submit(p.id, actor=me), store.sign_off(p.id, actor=me)
    >>> reviews = ReviewStore(store, actor=me)
    >>> _ = reviews.add_reviewer("Dr. Lee", ["nursing"])
    >>> reviews.assign(p.id, "nursing")
    ['Dr. Lee']
    >>> reviews.record_review(p.id, "Dr. Lee", {"outcomes": (3, "clear")})
    1
    >>> row = reviews.summary(p.id).iloc[0]
    >>> row["criterion"], int(row["reviews"]), float(row["mean_rating"])
    ('outcomes', 1, 3.0)
    >>> reviews.record_review(p.id, "Dr. Nobody", {"outcomes": 1})
    Traceback (most recent call last):
    ...
    align.exceptions.NotAllowedError: not allowed: 'Dr. Nobody' is not a person the store knows...
    """

    def __init__(
        self,
        target: Store | PathLike | None = None,
        *,
        rubric: Rubric | PathLike | None = None,
        actor: User | str | None = None,
        timeout: float | None = None,
    ):
        self.store = target if isinstance(target, Store) else Store(target, timeout=timeout)
        self.rubric = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
        self.actor: User | str = actor if actor is not None else _operator()

    def __repr__(self) -> str:
        return f"ReviewStore({self.store.label})"

    # -- reviewers -----------------------------------------------------------
    def add_reviewer(
        self, name: str, disciplines: Iterable[str] | str, *, replace: bool = False
    ) -> User:
        """Make ``name`` a reviewer of ``disciplines``; naming others than they review is
        refused unless ``replace`` (never a silent change)."""
        return self.store.add_reviewer(name, disciplines, actor=self.actor, replace=replace)

    def reviewers(self) -> pd.DataFrame:
        """All reviewers: ``name``, ``disciplines``, ``department``."""
        return self.store.users("reviewer")[["name", "disciplines", "department"]]

    def assign(
        self, proposal: Proposal | str, discipline: str, *, reviewers: list[str] | None = None
    ) -> list[str]:
        """Assign the reviewers of ``discipline`` (without a conflict) to a signed-off
        proposal; returns everyone assigned to it."""
        return self.store.assign(_pid(proposal), discipline, actor=self.actor, reviewers=reviewers)

    def assignments(self, proposal_id: str) -> pd.DataFrame:
        """``reviewer``, ``discipline``, ``assigned_at``, ``assigned_by``, ``submitted``."""
        return self.store.assignments(_pid(proposal_id), actor=self.actor)

    def pending(self, proposal_id: str) -> list[str]:
        """Assigned reviewers who have not rated yet."""
        a = self.assignments(proposal_id)
        return [str(r) for r in a.loc[~a["submitted"], "reviewer"]]

    # -- reviews -------------------------------------------------------------
    def record_review(
        self,
        proposal_id: str,
        reviewer: str,
        ratings: Mapping[str, tuple[int | None, str] | int | None],
        *,
        comment: str = "",
    ) -> int:
        """Record ``reviewer``'s ratings and comments, all criteria in one transaction.

        The reviewer must be a person in the store, assigned to the proposal, and
        the proposal in review. ``ratings`` maps a criterion id to ``(rating,
        comment)`` or just the rating; a later review supersedes the earlier one in
        :meth:`summary` (all are kept). Returns the review's id.
        """
        if not str(reviewer).strip():
            raise InvalidArgumentError("reviewer name is empty; give the reviewer's name.")
        return self.store.record_review(
            _pid(proposal_id),
            ratings,
            actor=str(reviewer).strip(),
            comment=comment,
            rubric=self.rubric,
        )

    def reviews(self, proposal_id: str, *, latest: bool = True) -> pd.DataFrame:
        """Ratings: ``review_id``, ``reviewer``, ``submitted_at``, ``proposal_version``,
        ``criterion``, ``rating``, ``comment``, ``review_comment``."""
        return self.store.reviews(_pid(proposal_id), actor=self.actor, latest=latest)

    def summary(self, proposal_id: str) -> pd.DataFrame:
        """Per criterion: ``criterion``, ``name``, ``reviews``, ``mean_rating``,
        ``min_rating``, ``max_rating``, ``comments``."""
        return self.store.review_summary(_pid(proposal_id), actor=self.actor, rubric=self.rubric)

    def overall_comments(self, proposal_id: str) -> pd.DataFrame:
        """Each reviewer's overall comment on their latest review: ``reviewer``,
        ``submitted_at``, ``comment``."""
        r = self.reviews(proposal_id)
        r = r.drop_duplicates("review_id")
        r = r[r["review_comment"].astype(str).str.strip() != ""]
        out = r[["reviewer", "submitted_at", "review_comment"]]
        return out.rename(columns={"review_comment": "comment"}).reset_index(drop=True)

    # -- feedback and decision -----------------------------------------------
    def add_feedback(self, proposal_id: str, text: str) -> str:
        """Send the committee's feedback (the committee advises; it does not decide);
        returns the proposal's new status."""
        return self.store.send_feedback(_pid(proposal_id), text, actor=self.actor)

    def feedback(self, proposal_id: str) -> pd.DataFrame:
        """The committee's feedback: ``author``, ``text``, ``created_at``."""
        return self.store.feedback(_pid(proposal_id), actor=self.actor)

    def record_decision(
        self,
        proposal_id: str,
        decision: str,
        decided_on: date | str,
        *,
        by: str,
        body: str = "approving body",
        note: str = "",
    ) -> Decision:
        """Record the decision of the approver ``by`` (a person with the approver role)
        and its date, which may not be in the future."""
        if not str(by).strip():
            raise InvalidArgumentError("by is empty; name the approver who decided.")
        return self.store.decide(
            _pid(proposal_id), decision, decided_on, actor=str(by).strip(), body=body, note=note
        )

    def decision(self, proposal_id: str) -> Decision | None:
        """The latest recorded decision, or None."""
        return self.store.decision(_pid(proposal_id), actor=self.actor)

    def record(self, proposal_id: str) -> dict[str, Any] | None:
        """Everything the committee packet shows, or None when the proposal is not in the
        store (or the actor may not see it)."""
        try:
            return {
                "assignments": self.assignments(proposal_id),
                "summary": self.summary(proposal_id),
                "reviews": self.reviews(proposal_id),
                "feedback": self.feedback(proposal_id),
                "decision": self.decision(proposal_id),
            }
        except (UnknownNameError, NotAllowedError):
            return None
