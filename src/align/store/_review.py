"""The flow's steps and the review record: sign-off, assignment, ratings, feedback, decision.

The committee rates and gives feedback; it never decides. Each step checks the
proposal's status (:mod:`align.store._flow`) and the acting person's roles
(:mod:`align.store._roles`), writes its record and a transition, and appends to
the audit log, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select, update

from align.exceptions import (
    InvalidArgumentError,
    NotAllowedError,
    UnknownNameError,
    WorkflowError,
)
from align.store._db import audit, now, today
from align.store._flow import DECISIONS, STEPS, check_step
from align.store._proposals import Proposals
from align.store._roles import User, chair_covers, require_role, same_department
from align.store._schema import tables

if TYPE_CHECKING:
    from align.committee._rubric import Rubric

__all__ = ["Decision", "Review"]

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


#: How a refusal names each step ("X cannot <doing>; only a chair can").
_DOING = {
    "submit": "submit proposals",
    "sign-off": "sign off proposals",
    "return": "return proposals to their authors",
    "start-review": "assign reviewers",
    "send-feedback": "send the committee's feedback",
    "decide": "decide on proposals",
}


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


class Review(Proposals):
    """Part of :class:`~align.store.Store`: the flow's steps and the review record."""

    # -- steps -----------------------------------------------------------------------------
    def _step(
        self, conn: Connection, row: Any, step: str, who: User, comment: str, target: str = ""
    ) -> str:
        s = check_step(step, str(row.status), str(row.id))
        require_role(who, s.roles, _DOING[step])
        if step == "submit" and not who.has("office") and row.author != who.name:
            raise NotAllowedError(
                f"not allowed: {who.name} cannot submit {row.id!r}; only its author "
                f"({row.author}) or the office can."
            )
        if s.roles == ("chair",) and not chair_covers(who, str(row.department)):
            raise NotAllowedError(
                f"not allowed: {who.name} chairs {who.department!r}, not {row.department!r}; "
                "the chair of that department (or a dean) signs it off."
            )
        new = target or s.target
        conn.execute(
            update(_T.proposals)
            .where(_T.proposals.c.id == row.id)
            .values(status=new, updated_at=now(), updated_by=who.name)
        )
        conn.execute(
            insert(_T.transitions).values(
                proposal_id=row.id,
                step=step,
                from_status=row.status,
                to_status=new,
                actor=who.name,
                at=now(),
                comment=comment.strip(),
            )
        )
        audit(conn, who.name, step, row.id, status=new, comment=comment.strip())
        return new

    def allowed_steps(self, proposal_id: str, *, actor: User | str) -> list[str]:
        """The steps (:data:`~align.store.STEPS` names) ``actor`` may take on the proposal now."""
        with self._db.read() as conn:
            who = self._actor(conn, actor)
            row = self._row(conn, proposal_id, who)
        out = []
        for name, s in STEPS.items():
            if str(row.status) not in s.sources or not any(who.has(r) for r in s.roles):
                continue
            if name == "submit" and not who.has("office") and row.author != who.name:
                continue
            if s.roles == ("chair",) and not chair_covers(who, str(row.department)):
                continue
            out.append(name)
        return out

    def _simple_step(self, proposal_id: str, step: str, actor: User | str, comment: str) -> str:
        with self._db.write(step) as conn:
            who = self._actor(conn, actor)
            row = self._row(conn, proposal_id, who)
            return self._step(conn, row, step, who, comment)

    def submit(self, proposal_id: str, *, actor: User | str, comment: str = "") -> str:
        """Submit a draft (or returned) proposal for sign-off; returns the new status."""
        return self._simple_step(proposal_id, "submit", actor, comment)

    def sign_off(self, proposal_id: str, *, actor: User | str, comment: str = "") -> str:
        """The department chair or dean signs the proposal off."""
        return self._simple_step(proposal_id, "sign-off", actor, comment)

    def return_to_author(self, proposal_id: str, *, actor: User | str, comment: str) -> str:
        """The chair or dean returns it to its author, saying what to change."""
        if not comment.strip():
            raise InvalidArgumentError(
                "comment is empty; tell the author what to change before it can be signed off."
            )
        return self._simple_step(proposal_id, "return", actor, comment)

    def history(self, proposal_id: str, *, actor: User | str) -> pd.DataFrame:
        """The proposal's steps: ``step``, ``from_status``, ``to_status``, ``actor``,
        ``at``, ``comment``."""
        cols = ["step", "from_status", "to_status", "actor", "at", "comment"]
        t = _T.transitions
        with self._db.read() as conn:
            self._row(conn, proposal_id, self._actor(conn, actor))
            rows = conn.execute(
                select(t).where(t.c.proposal_id == proposal_id).order_by(t.c.id)
            ).all()
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)

    # -- assignment -------------------------------------------------------------------------
    def _conflict_reasons(self, conn: Connection, row: Any) -> dict[str, str]:
        """Reviewer name -> why they may not review this proposal."""
        out: dict[str, str] = {str(row.author): "author of the proposal"}
        c = _T.conflicts
        for r in conn.execute(select(c)).all():
            if r.proposal_id == row.id:
                out.setdefault(str(r.reviewer), r.reason or "declared conflict for this proposal")
            elif r.department and same_department(str(r.department), str(row.department)):
                out.setdefault(
                    str(r.reviewer), r.reason or f"declared conflict with {r.department}"
                )
        return out

    def reviewer_candidates(
        self, proposal_id: str, discipline: str | None = None, *, actor: User | str
    ) -> pd.DataFrame:
        """Reviewers (of ``discipline``, when given) for a proposal: ``name``,
        ``disciplines``, ``department``, ``assigned``, ``conflict`` (why they may not
        review it; empty when they may). Office only."""
        cols = ["name", "disciplines", "department", "assigned", "conflict"]
        want = " ".join((discipline or "").strip().lower().split())
        with self._db.read() as conn:
            who = self._actor(conn, actor)
            require_role(who, ("office",), "assign reviewers")
            row = self._row(conn, proposal_id, who)
            reasons = self._conflict_reasons(conn, row)
            a = _T.assignments
            assigned = set(
                conn.execute(select(a.c.reviewer).where(a.c.proposal_id == proposal_id)).scalars()
            )
            people = [User.from_row(r) for r in conn.execute(select(_T.users)).all()]
        out = [
            {
                "name": u.name,
                "disciplines": ", ".join(u.disciplines),
                "department": u.department,
                "assigned": u.name in assigned,
                "conflict": reasons.get(u.name, ""),
            }
            for u in sorted(people, key=lambda u: u.name)
            if u.has("reviewer") and (not want or want in u.disciplines)
        ]
        return pd.DataFrame(out, columns=cols)

    def assign(
        self,
        proposal_id: str,
        discipline: str,
        *,
        actor: User | str,
        reviewers: list[str] | None = None,
    ) -> list[str]:
        """Assign the reviewers of ``discipline`` (all without a conflict, or the named
        ``reviewers``) to a signed-off proposal, which goes in review; returns everyone
        assigned to it. Office only.

        Raises
        ------
        UnknownNameError
            Nobody reviews that discipline.
        WorkflowError
            The proposal is not signed off or in review, or every reviewer of the
            discipline has a conflict.
        """
        want = " ".join(discipline.strip().lower().split())
        if not want:
            raise InvalidArgumentError("discipline is empty; name the proposal's discipline.")
        with self._db.write("assigning reviewers") as conn:
            who = self._actor(conn, actor)
            require_role(who, ("office",), "assign reviewers")
            row = self._row(conn, proposal_id, who)
            if row.status not in ("signed-off", "in-review"):
                check_step("start-review", str(row.status), proposal_id)
            people = [User.from_row(r) for r in conn.execute(select(_T.users)).all()]
            pool = {u.name for u in people if u.has("reviewer") and want in u.disciplines}
            if not pool:
                raise UnknownNameError(
                    f"no reviewer reviews the discipline {discipline!r}; add one with "
                    f"`align review add-reviewer NAME --discipline {want}`."
                )
            reasons = self._conflict_reasons(conn, row)
            chosen = sorted(pool) if reviewers is None else list(dict.fromkeys(reviewers))
            for name in chosen:
                if name not in pool:
                    raise UnknownNameError(
                        f"{name!r} does not review {want}; reviewers of {want}: "
                        f"{', '.join(sorted(pool))}."
                    )
            if reviewers is not None:
                blocked = {n: reasons[n] for n in chosen if n in reasons}
                if blocked:
                    raise NotAllowedError(
                        "not allowed: "
                        + "; ".join(f"{n} has a conflict ({r})" for n, r in blocked.items())
                        + "."
                    )
            free = [n for n in chosen if n not in reasons]
            if not free:
                raise WorkflowError(
                    f"every reviewer of {want} has a conflict with {proposal_id!r}: "
                    + "; ".join(f"{n} ({reasons[n]})" for n in chosen)
                    + ". Add another reviewer of that discipline."
                )
            a = _T.assignments
            have = set(
                conn.execute(select(a.c.reviewer).where(a.c.proposal_id == proposal_id)).scalars()
            )
            stamp = now()
            new = [n for n in free if n not in have]
            if new:
                conn.execute(
                    insert(a),
                    [
                        {
                            "proposal_id": proposal_id,
                            "reviewer": n,
                            "discipline": want,
                            "assigned_by": who.name,
                            "assigned_at": stamp,
                        }
                        for n in new
                    ],
                )
                audit(
                    conn,
                    who.name,
                    "reviewers-assigned",
                    proposal_id,
                    reviewers=new,
                    discipline=want,
                )
            if row.status == "signed-off":
                self._step(conn, row, "start-review", who, f"reviewers of {want} assigned")
            return sorted(have | set(new))

    def unassign(self, proposal_id: str, reviewer: str, *, actor: User | str) -> None:
        """Take a reviewer off a proposal (their submitted reviews are kept). Office only."""
        with self._db.write("unassigning a reviewer") as conn:
            who = self._actor(conn, actor)
            require_role(who, ("office",), "assign reviewers")
            self._row(conn, proposal_id, who)
            a = _T.assignments
            gone = conn.execute(
                delete(a).where(a.c.proposal_id == proposal_id, a.c.reviewer == reviewer)
            )
            if gone.rowcount:
                audit(conn, who.name, "reviewer-unassigned", proposal_id, reviewer=reviewer)

    def assignments(self, proposal_id: str, *, actor: User | str) -> pd.DataFrame:
        """Reviewers assigned to a proposal: ``reviewer``, ``discipline``, ``assigned_at``,
        ``assigned_by``, ``submitted`` (True once they recorded a review)."""
        cols = ["reviewer", "discipline", "assigned_at", "assigned_by", "submitted"]
        a, r = _T.assignments, _T.reviews
        with self._db.read() as conn:
            self._row(conn, proposal_id, self._actor(conn, actor))
            rows = conn.execute(
                select(a).where(a.c.proposal_id == proposal_id).order_by(a.c.reviewer)
            ).all()
            done = set(
                conn.execute(select(r.c.reviewer).where(r.c.proposal_id == proposal_id)).scalars()
            )
        out = [
            {**{c: getattr(x, c) for c in cols[:-1]}, "submitted": x.reviewer in done} for x in rows
        ]
        return pd.DataFrame(out, columns=cols).astype({"submitted": bool})

    def assigned_to(self, *, actor: User | str) -> pd.DataFrame:
        """The proposals assigned to ``actor`` for review (:meth:`proposals` columns plus
        ``submitted``)."""
        df = self.proposals(actor=actor)
        with self._db.read() as conn:
            who = self._actor(conn, actor)
            a, r = _T.assignments, _T.reviews
            mine = set(
                conn.execute(select(a.c.proposal_id).where(a.c.reviewer == who.name)).scalars()
            )
            done = set(
                conn.execute(select(r.c.proposal_id).where(r.c.reviewer == who.name)).scalars()
            )
        df = df[df["id"].isin(mine)].reset_index(drop=True)
        return df.assign(submitted=df["id"].isin(done).astype(bool))

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
        cols = ["author", "text", "created_at"]
        f = _T.feedback
        with self._db.read() as conn:
            self._row(conn, proposal_id, self._actor(conn, actor))
            rows = conn.execute(
                select(f).where(f.c.proposal_id == proposal_id).order_by(f.c.id)
            ).all()
        return pd.DataFrame([{c: getattr(x, c) for c in cols} for x in rows], columns=cols)

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
