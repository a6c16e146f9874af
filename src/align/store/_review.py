"""The flow's steps and the review committee: submit, sign-off, return, assignment by discipline.

Each step checks the proposal's status (:mod:`align.store._flow`) and the acting
person's roles (:mod:`align.store._roles`), writes its record and a transition, and
appends to the audit log, all in one transaction. Ratings, feedback and the decision
are in :mod:`align.store._record`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, insert, select, update

from align.exceptions import (
    InvalidArgumentError,
    NotAllowedError,
    UnknownNameError,
    WorkflowError,
)
from align.store._db import audit, now
from align.store._flow import STEPS, check_step
from align.store._proposals import Proposals
from align.store._roles import User, chair_covers, require_role, same_department
from align.store._schema import tables

__all__ = ["Review"]

_T = tables


#: How a refusal names each step ("X cannot <doing>; only a chair can").
_DOING = {
    "submit": "submit proposals",
    "sign-off": "sign off proposals",
    "return": "return proposals to their authors",
    "start-review": "assign reviewers",
    "send-feedback": "send the committee's feedback",
    "decide": "decide on proposals",
}


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
        return self._listing(_T.transitions, proposal_id, actor, cols)

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
