"""The review record: ratings per criterion, the committee's feedback, the approver's decision,
and the audit log.

The committee rates and gives feedback; it never decides: only an approver does, once
the feedback is sent, dated today or earlier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import func, insert, select

from align.exceptions import InvalidArgumentError, NotAllowedError, WorkflowError
from align.store._db import audit, now, today
from align.store._flow import DECISIONS, check_step
from align.store._review import Review
from align.store._roles import User, require_role
from align.store._schema import tables

if TYPE_CHECKING:
    from align.committee._rubric import Rubric

__all__ = ["REVIEW_COLUMNS", "SUMMARY_COLUMNS", "Decision", "Record"]

_T = tables
SUMMARY_COLUMNS = [
    "criterion",
    "name",
    "reviews",
    "mean_rating",
    "min_rating",
    "max_rating",
    "comments",
]
REVIEW_COLUMNS = [
    "review_id",
    "reviewer",
    "submitted_at",
    "proposal_version",
    "criterion",
    "rating",
    "comment",
    "review_comment",
]


@dataclass(frozen=True)
class Decision:
    """The approver's decision on a proposal."""

    proposal_id: str
    body: str
    decision: str
    decided_on: str
    note: str
    recorded_at: str
    decided_by: str = ""


def _rubric(rubric: Rubric | None) -> Rubric:
    from align.committee._rubric import load_rubric

    return rubric if rubric is not None else load_rubric()


def _day(value: date | str, what: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidArgumentError(
            f"{what}={value!r} is not a date; write it like 2026-12-01."
        ) from None


class Record(Review):
    """Part of :class:`~align.store.Store`: ratings, feedback, decisions, the audit log."""

    # -- ratings ------------------------------------------------------------------------------
    def record_review(
        self,
        proposal_id: str,
        ratings: Mapping[str, tuple[int | None, str] | int | None],
        *,
        actor: User | str,
        comment: str = "",
        rubric: Rubric | None = None,
    ) -> int:
        """Record one reviewer's ratings and comments, all criteria in one transaction.

        Only a reviewer assigned to the proposal rates it, while it is in review.
        ``ratings`` maps a criterion id to ``(rating, comment)`` or just the rating
        (a value of the rubric's scale, or None: not rated). A later review by the
        same reviewer supersedes the earlier one in :meth:`review_summary`; all are
        kept. Returns the review's id.
        """
        rub = _rubric(rubric)
        if not ratings:
            raise InvalidArgumentError(
                "ratings is empty; give at least one criterion's rating, e.g. "
                "{'outcomes': (3, 'clear and measurable')}."
            )
        rows = []
        for pos, (crit, value) in enumerate(ratings.items()):
            rub.criterion(crit)
            rating, note = value if isinstance(value, tuple) else (value, "")
            if rating is not None and (isinstance(rating, bool) or int(rating) not in rub.scale):
                raise InvalidArgumentError(
                    f"rating {rating!r} for criterion {crit!r} is not on the scale; use one of "
                    + ", ".join(f"{v} ({lb})" for v, lb in rub.scale.items())
                    + "."
                )
            rows.append(
                {
                    "criterion": crit,
                    "position": pos,
                    "rating": None if rating is None else int(rating),
                    "comment": str(note or "").strip(),
                }
            )
        with self._db.write("recording the review") as conn:
            who = self._actor(conn, actor)
            # The same answer whether the proposal exists or not (ids cannot be probed).
            if not self._assigned(conn, proposal_id, who.name):
                raise NotAllowedError(
                    f"not allowed: {who.name} is not assigned to review {proposal_id!r}; the "
                    "office assigns reviewers (`align review assign`)."
                )
            row = self._row(conn, proposal_id, who)
            require_role(who, ("reviewer",), "rate proposals")
            if row.status != "in-review":
                raise WorkflowError(
                    f"cannot rate proposal {proposal_id!r}: it is '{row.status}'; ratings are "
                    "recorded while it is in review."
                )
            done = conn.execute(
                insert(_T.reviews).values(
                    proposal_id=proposal_id,
                    reviewer=who.name,
                    proposal_version=row.version,
                    submitted_at=now(),
                    comment=comment.strip(),
                    n_ratings=len(rows),
                )
            )
            review_id = int(done.inserted_primary_key[0])  # type: ignore[index]
            conn.execute(insert(_T.ratings), [{"review_id": review_id, **r} for r in rows])
            audit(
                conn, who.name, "review-recorded", proposal_id, review=review_id, criteria=len(rows)
            )
        return review_id

    def _may_read_reviews(self, who: User, row: Any) -> bool:
        return who.has("office") or who.has("approver") or who.has("admin")

    def reviews(self, proposal_id: str, *, actor: User | str, latest: bool = True) -> pd.DataFrame:
        """Ratings of a proposal (:data:`REVIEW_COLUMNS`): each reviewer's latest review
        unless ``latest=False``. The office, approvers and admins read every review;
        a reviewer reads their own."""
        r, g = _T.reviews, _T.ratings
        with self._db.read() as conn:
            who = self._actor(conn, actor)
            row = self._row(conn, proposal_id, who)
            q = (
                select(
                    r.c.id.label("review_id"),
                    r.c.reviewer,
                    r.c.submitted_at,
                    r.c.proposal_version,
                    g.c.criterion,
                    g.c.rating,
                    g.c.comment,
                    r.c.comment.label("review_comment"),
                )
                .join(g, g.c.review_id == r.c.id)
                .where(r.c.proposal_id == proposal_id)
            )
            if not self._may_read_reviews(who, row):
                q = q.where(r.c.reviewer == who.name)
            if latest:
                last = (
                    select(func.max(r.c.id))
                    .where(r.c.proposal_id == proposal_id)
                    .group_by(r.c.reviewer)
                    .scalar_subquery()
                )
                q = q.where(r.c.id.in_(last))
            rows = conn.execute(q.order_by(r.c.reviewer, r.c.id, g.c.position)).all()
        return pd.DataFrame([x._asdict() for x in rows], columns=REVIEW_COLUMNS)

    def review_summary(
        self, proposal_id: str, *, actor: User | str, rubric: Rubric | None = None
    ) -> pd.DataFrame:
        """Per criterion: ``criterion``, ``name``, ``reviews``, ``mean_rating``,
        ``min_rating``, ``max_rating``, ``comments`` (list of "reviewer: comment")."""
        rub = _rubric(rubric)
        r = self.reviews(proposal_id, actor=actor)
        out = []
        for c in rub.criteria:
            mine = r[r["criterion"] == c.id]
            rated = mine["rating"].dropna().astype(float)
            out.append(
                {
                    "criterion": c.id,
                    "name": c.name,
                    "reviews": len(mine),
                    "mean_rating": float(rated.mean()) if len(rated) else None,
                    "min_rating": float(rated.min()) if len(rated) else None,
                    "max_rating": float(rated.max()) if len(rated) else None,
                    "comments": [
                        f"{x.reviewer}: {x.comment!s}"
                        for x in mine.itertuples(index=False)
                        if x.comment
                    ],
                }
            )
        return pd.DataFrame(out, columns=SUMMARY_COLUMNS)

    # -- feedback and decision -----------------------------------------------------------------
    def send_feedback(self, proposal_id: str, text: str, *, actor: User | str) -> str:
        """Send the committee's feedback (the committee advises; it does not decide); the
        proposal then waits for an approver. Office only; returns the new status."""
        if not text.strip():
            raise InvalidArgumentError("feedback text is empty; write the committee's feedback.")
        with self._db.write("sending feedback") as conn:
            who = self._actor(conn, actor)
            row = self._row(conn, proposal_id, who)
            check_step("send-feedback", str(row.status), proposal_id)
            require_role(who, ("office",), "send the committee's feedback")
            n = conn.execute(
                select(func.count())
                .select_from(_T.reviews)
                .where(_T.reviews.c.proposal_id == proposal_id)
            ).scalar()
            if not n:
                raise WorkflowError(
                    f"no reviewer has rated {proposal_id!r} yet; feedback goes out after at least "
                    "one review."
                )
            conn.execute(
                insert(_T.feedback).values(
                    proposal_id=proposal_id, author=who.name, text=text.strip(), created_at=now()
                )
            )
            return self._step(conn, row, "send-feedback", who, "feedback sent")

    def feedback(self, proposal_id: str, *, actor: User | str) -> pd.DataFrame:
        """The committee's feedback: ``author``, ``text``, ``created_at``."""
        return self._listing(_T.feedback, proposal_id, actor, ["author", "text", "created_at"])

    def decide(
        self,
        proposal_id: str,
        decision: str,
        decided_on: date | str,
        *,
        actor: User | str,
        body: str = "approving body",
        note: str = "",
    ) -> Decision:
        """Record an approver's decision (:data:`DECISIONS`) and its date (not in the future).

        Only approvers decide, and only once the committee's feedback is sent.
        """
        if decision not in DECISIONS:
            raise InvalidArgumentError(
                f"decision={decision!r}; expected one of {', '.join(DECISIONS)}."
            )
        day = _day(decided_on, "decided_on")
        if day > today():
            raise WorkflowError(
                f"decided_on={day.isoformat()} is in the future; record a decision on or after "
                "the day it is taken."
            )
        with self._db.write("recording the decision") as conn:
            who = self._actor(conn, actor)
            row = self._row(conn, proposal_id, who)
            require_role(who, ("approver",), "decide on proposals")
            check_step("decide", str(row.status), proposal_id)
            rec = Decision(
                proposal_id,
                body.strip() or "approving body",
                decision,
                day.isoformat(),
                note.strip(),
                now(),
                who.name,
            )
            conn.execute(
                insert(_T.decisions).values(
                    proposal_id=proposal_id,
                    decision=decision,
                    decided_on=rec.decided_on,
                    decided_by=who.name,
                    body=rec.body,
                    note=rec.note,
                    recorded_at=rec.recorded_at,
                )
            )
            self._step(conn, row, "decide", who, note or decision, target=decision)
        return rec

    def decision(self, proposal_id: str, *, actor: User | str) -> Decision | None:
        """The latest recorded decision, or None."""
        d = _T.decisions
        with self._db.read() as conn:
            self._row(conn, proposal_id, self._actor(conn, actor))
            row = conn.execute(
                select(d).where(d.c.proposal_id == proposal_id).order_by(d.c.id.desc()).limit(1)
            ).first()
        if row is None:
            return None
        return Decision(
            row.proposal_id,
            row.body,
            row.decision,
            row.decided_on,
            row.note,
            row.recorded_at,
            row.decided_by,
        )

    # -- audit log ---------------------------------------------------------------------------
    def audit_log(
        self, *, actor: User | str, proposal_id: str | None = None, limit: int = 1000
    ) -> pd.DataFrame:
        """The audit log, newest first: ``id``, ``at``, ``actor``, ``action``,
        ``proposal_id``, ``detail`` (JSON). The office and admins read it."""
        cols = ["id", "at", "actor", "action", "proposal_id", "detail"]
        a = _T.audit_log
        with self._db.read() as conn:
            who = self._actor(conn, actor)
            require_role(who, ("office", "admin"), "read the audit log")
            q = select(a)
            if proposal_id:
                q = q.where(a.c.proposal_id == proposal_id)
            rows = conn.execute(q.order_by(a.c.id.desc()).limit(int(limit))).all()
        return pd.DataFrame([{c: getattr(x, c) for c in cols} for x in rows], columns=cols)
