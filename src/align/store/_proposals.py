"""Proposals in the store: every save a version, who may see and edit, diffs and restores."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import Connection, insert, select, update

from align.exceptions import (
    EditConflictError,
    InvalidArgumentError,
    NotAllowedError,
    ProposalError,
    UnknownNameError,
)
from align.proposals import Proposal, Stack, load_proposal, load_stack
from align.store._db import audit, now
from align.store._people import People
from align.store._roles import User, may_edit, may_see, require_role
from align.store._schema import tables

__all__ = ["PROPOSAL_COLUMNS", "ProposalRecord", "Proposals"]

_T = tables
#: Columns of :meth:`Proposals.proposals`.
PROPOSAL_COLUMNS = [
    "id",
    "title",
    "department",
    "author",
    "status",
    "version",
    "updated_at",
    "updated_by",
]
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


@dataclass(frozen=True)
class ProposalRecord:
    """A proposal as the store lists it (its text is in :meth:`Proposals.load_proposal`)."""

    id: str
    title: str
    department: str
    author: str
    status: str
    version: int
    created_at: str
    updated_at: str
    updated_by: str

    @classmethod
    def from_row(cls, row: Any) -> ProposalRecord:
        return cls(**{k: getattr(row, k) for k in cls.__dataclass_fields__})


def _text(proposal: Proposal) -> str:
    if not isinstance(proposal, Proposal):
        raise ProposalError(
            f"proposal must be a Proposal (from align.load_proposal), got "
            f"{type(proposal).__name__}."
        )
    return proposal.to_yaml()


def _parse(content: str, where: str) -> Proposal:
    data = yaml.safe_load(content)
    p = load_proposal(data)
    p._source = where
    return p


class Proposals(People):
    """Part of :class:`~align.store.Store`: proposals, their versions, stacks."""

    # -- reading ------------------------------------------------------------------------
    def _assigned(self, conn: Connection, pid: str, reviewer: str) -> bool:
        a = _T.assignments
        row = conn.execute(
            select(a.c.reviewer).where(a.c.proposal_id == pid, a.c.reviewer == reviewer)
        ).first()
        return row is not None

    def _row(self, conn: Connection, pid: str, who: User) -> Any:
        """The proposal row, or "not allowed" (the same answer whether it exists or not,
        so ids of other people's proposals cannot be probed)."""
        row = conn.execute(select(_T.proposals).where(_T.proposals.c.id == pid)).first()
        if row is not None and may_see(who, row, assigned=self._assigned(conn, pid, who.name)):
            return row
        if row is None and (who.has("office") or who.has("admin")):
            known = conn.execute(select(_T.proposals.c.id).order_by(_T.proposals.c.id)).scalars()
            ids = list(known)[:8]
            raise UnknownNameError(
                f"no proposal {pid!r} in the store"
                + (f" (it holds {', '.join(ids)}{', ...' if len(ids) == 8 else ''})" if ids else "")
                + "; add it from its file with `align store import FILE`."
            )
        if row is not None and who.has("chair") and row.status != "draft":
            # Chairs learn why: another department's chair (or a dean) signs it off.
            raise NotAllowedError(
                f"not allowed: {who.name} chairs {who.department!r}; proposal {pid!r} belongs "
                f"to {row.department!r}, whose chair (or a dean) signs it off."
            )
        raise NotAllowedError(
            f"not allowed: proposal {pid!r} does not exist or {who.name} may not see it."
        )

    def _listing(
        self, table: Any, proposal_id: str, actor: User | str, cols: list[str]
    ) -> pd.DataFrame:
        """``cols`` of ``table``'s rows for one proposal the actor may see, oldest first."""
        with self._db.read() as conn:
            self._row(conn, proposal_id, self._actor(conn, actor))
            rows = conn.execute(
                select(table).where(table.c.proposal_id == proposal_id).order_by(table.c.id)
            ).all()
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)

    def proposal(self, proposal_id: str, *, actor: User | str) -> ProposalRecord:
        """The proposal's record (status, version, author); "not allowed" if ``actor``
        may not see it."""
        with self._db.read() as conn:
            return ProposalRecord.from_row(self._row(conn, proposal_id, self._actor(conn, actor)))

    def can_edit(self, proposal_id: str, *, actor: User | str) -> bool:
        """Whether ``actor`` may save a new version of the proposal now."""
        with self._db.read() as conn:
            who = self._actor(conn, actor)
            return may_edit(who, self._row(conn, proposal_id, who))

    def load_proposal(
        self, proposal_id: str, *, actor: User | str, version: int | None = None
    ) -> Proposal:
        """The proposal (the latest version, or ``version``) as a :class:`Proposal`."""
        text, ver = self._content(proposal_id, actor, version)
        return _parse(text, f"{proposal_id} (version {ver})")

    def proposal_text(
        self, proposal_id: str, *, actor: User | str, version: int | None = None
    ) -> str:
        """The proposal's YAML text (the latest version, or ``version``)."""
        return self._content(proposal_id, actor, version)[0]

    def _content(self, pid: str, actor: User | str, version: int | None) -> tuple[str, int]:
        with self._db.read() as conn:
            row = self._row(conn, pid, self._actor(conn, actor))
            ver = int(row.version if version is None else version)
            v = _T.proposal_versions
            content = conn.execute(
                select(v.c.content).where(v.c.proposal_id == pid, v.c.version == ver)
            ).scalar()
        if content is None:
            raise InvalidArgumentError(
                f"proposal {pid!r} has no version {version}; it has versions 1 to {row.version}."
            )
        return str(content), ver

    def proposals(
        self, *, actor: User | str, search: str = "", status: str | None = None
    ) -> pd.DataFrame:
        """The proposals ``actor`` may see, newest change first (:data:`PROPOSAL_COLUMNS`);
        ``search`` matches id, title, department or author, ``status`` filters."""
        with self._db.read() as conn:
            who = self._actor(conn, actor)
            rows = conn.execute(
                select(_T.proposals).order_by(_T.proposals.c.updated_at.desc())
            ).all()
            a = _T.assignments
            mine = set(
                conn.execute(select(a.c.proposal_id).where(a.c.reviewer == who.name)).scalars()
            )
        needle = search.strip().casefold()
        out = []
        for r in rows:
            if not may_see(who, r, assigned=r.id in mine):
                continue
            if status and r.status != status:
                continue
            hay = " ".join([r.id, r.title, r.department, r.author]).casefold()
            if needle and needle not in hay:
                continue
            out.append({c: getattr(r, c) for c in PROPOSAL_COLUMNS})
        return pd.DataFrame(out, columns=PROPOSAL_COLUMNS)

    def versions(self, proposal_id: str, *, actor: User | str) -> pd.DataFrame:
        """Every saved version: ``version``, ``saved_by``, ``saved_at``, ``comment``."""
        cols = ["version", "saved_by", "saved_at", "comment"]
        v = _T.proposal_versions
        with self._db.read() as conn:
            self._row(conn, proposal_id, self._actor(conn, actor))
            rows = conn.execute(
                select(v).where(v.c.proposal_id == proposal_id).order_by(v.c.version.desc())
            ).all()
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)

    def diff(self, proposal_id: str, old: int, new: int, *, actor: User | str) -> str:
        """A unified diff of two versions' YAML ("" when they are the same).

        Examples
        --------
        >>> import tempfile, os
        >>> from align.store import Store
        >>> s = Store(os.path.join(tempfile.mkdtemp(), "s.sqlite"))
        >>> me = s.local_user()
        >>> p = load_proposal({"title": "Team Leadership", "issuing_unit": "Business",
        ...                    "outcomes": [{"id": "LO1", "text": "Lead a project meeting"}]})
        >>> rec = s.create_proposal(p, actor=me)
        >>> p.outcomes[0].text = "Lead a project meeting with an agenda"
        >>> rec = s.save_proposal(p, actor=me, expected_version=1)
        >>> [line for line in s.diff(p.id, 1, 2, actor=me).splitlines() if "text:" in line]
        ['-  text: Lead a project meeting', '+  text: Lead a project meeting with an agenda']
        """
        a = self.proposal_text(proposal_id, actor=actor, version=old)
        b = self.proposal_text(proposal_id, actor=actor, version=new)
        lines = difflib.unified_diff(
            a.splitlines(),
            b.splitlines(),
            fromfile=f"version {old}",
            tofile=f"version {new}",
            lineterm="",
        )
        return "\n".join(lines)

    # -- writing ------------------------------------------------------------------------
    def create_proposal(
        self,
        proposal: Proposal,
        *,
        actor: User | str,
        author: str | None = None,
        comment: str = "created",
    ) -> ProposalRecord:
        """Store a new proposal as a draft (version 1).

        Its id is the proposal's; when another proposal has it, ``-2``, ``-3`` ...
        is added (the record says which id was used). Authors create their own;
        the office may create one for an ``author``.
        """
        content = _text(proposal)
        with self._db.write("creating the proposal") as conn:
            who = self._actor(conn, actor)
            require_role(who, ("author", "office"), "create proposals")
            owner = author or who.name
            self._ensure_listed(conn, who)
            if owner != who.name:
                require_role(who, ("office",), "create a proposal for someone else")
                if not conn.execute(
                    select(_T.users.c.name).where(_T.users.c.name == owner)
                ).first():
                    raise UnknownNameError(f"no person called {owner!r} in the store.")
            pid = self._free_id(conn, proposal.id)
            if pid != proposal.id:
                proposal = proposal.model_copy(update={"id": pid})
                content = _text(proposal)
            stamp = now()
            conn.execute(
                insert(_T.proposals).values(
                    id=pid,
                    title=proposal.title,
                    department=proposal.issuing_unit,
                    author=owner,
                    status="draft",
                    version=1,
                    created_at=stamp,
                    updated_at=stamp,
                    updated_by=who.name,
                )
            )
            self._add_version(conn, pid, 1, content, who.name, stamp, comment)
            audit(conn, who.name, "proposal-created", pid, author=owner, title=proposal.title)
            row = conn.execute(select(_T.proposals).where(_T.proposals.c.id == pid)).one()
        return ProposalRecord.from_row(row)

    def _free_id(self, conn: Connection, wanted: str) -> str:
        base = wanted if _ID.match(wanted or "") else re.sub(r"[^a-z0-9._-]+", "-", wanted.lower())
        base = base.strip("-.")[:72] or "proposal"
        taken = set(
            conn.execute(
                select(_T.proposals.c.id).where(_T.proposals.c.id.like(f"{base}%"))
            ).scalars()
        )
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def _add_version(
        self, conn: Connection, pid: str, version: int, content: str, who: str, at: str, note: str
    ) -> None:
        conn.execute(
            insert(_T.proposal_versions).values(
                proposal_id=pid,
                version=version,
                content=content,
                saved_by=who,
                saved_at=at,
                comment=note,
            )
        )

    def save_proposal(
        self,
        proposal: Proposal,
        *,
        actor: User | str,
        expected_version: int,
        comment: str = "",
    ) -> ProposalRecord:
        """Save a new version of a stored proposal.

        Parameters
        ----------
        proposal : Proposal
            The proposal; its ``id`` names the stored one.
        actor : User or str
            Who saves: the author (draft, returned, approved with changes) or the office.
        expected_version : int
            The version the change was made on. If someone saved since,
            :class:`~align.exceptions.EditConflictError` is raised and nothing is
            overwritten.
        comment : str
            What changed (shown in the version list).

        Returns
        -------
        ProposalRecord
            The new version's record (unchanged when the text did not change).
        """
        content = _text(proposal)
        pid = proposal.id
        with self._db.write("saving the proposal") as conn:
            who = self._actor(conn, actor)
            row = self._row(conn, pid, who)
            if not may_edit(who, row):
                raise NotAllowedError(
                    f"not allowed: {who.name} cannot edit proposal {pid!r} ({row.status}); "
                    "only its author (while it is a draft or returned) and the office edit "
                    "proposals."
                )
            if int(row.version) != int(expected_version):
                raise self._conflict(row, expected_version)
            v = _T.proposal_versions
            current = conn.execute(
                select(v.c.content).where(v.c.proposal_id == pid, v.c.version == row.version)
            ).scalar()
            if current == content:
                return ProposalRecord.from_row(row)
            stamp = now()
            new = int(row.version) + 1
            done = conn.execute(
                update(_T.proposals)
                .where(_T.proposals.c.id == pid, _T.proposals.c.version == expected_version)
                .values(
                    version=new,
                    title=proposal.title,
                    department=proposal.issuing_unit,
                    updated_at=stamp,
                    updated_by=who.name,
                )
            )
            if done.rowcount != 1:  # a concurrent writer got there first
                raise self._conflict(row, expected_version)
            self._add_version(conn, pid, new, content, who.name, stamp, comment)
            audit(conn, who.name, "proposal-saved", pid, version=new, comment=comment)
            row = conn.execute(select(_T.proposals).where(_T.proposals.c.id == pid)).one()
        return ProposalRecord.from_row(row)

    @staticmethod
    def _conflict(row: Any, expected: int) -> EditConflictError:
        return EditConflictError(
            f"proposal {row.id!r} was saved by {row.updated_by} at {row.updated_at} (version "
            f"{row.version}) after you opened version {expected}; nothing was overwritten. "
            "Reload it and make your change again."
        )

    def restore(
        self, proposal_id: str, version: int, *, actor: User | str, expected_version: int
    ) -> ProposalRecord:
        """Save an earlier version's text as the newest version (nothing is deleted)."""
        old = self.load_proposal(proposal_id, actor=actor, version=version)
        return self.save_proposal(
            old,
            actor=actor,
            expected_version=expected_version,
            comment=f"restored version {version}",
        )

    # -- stacks ---------------------------------------------------------------------------
    def save_stack(
        self,
        title: str,
        members: list[str],
        *,
        actor: User | str,
        target: str = "",
        threshold_credits: float | None = None,
        description: str = "",
    ) -> str:
        """Store a stack of proposals (by id) that build toward ``target``; returns its id.

        Members must be proposals ``actor`` may see; the target is an O*NET occupation
        (``onet:29-1141.00``), ``nace``, ``cmc`` or a proposal id in the store.
        """
        stack = load_stack(
            {
                "title": title,
                "description": description,
                "target": target,
                "threshold_credits": threshold_credits,
                "members": [str(m) for m in members],
            }
        )
        with self._db.write("saving the stack") as conn:
            who = self._actor(conn, actor)
            for m in stack.members:
                self._row(conn, str(m), who)
            self._ensure_listed(conn, who)
            st = _T.stacks
            existing = conn.execute(select(st.c.owner).where(st.c.id == stack.id)).scalar()
            if existing is not None and existing != who.name and not who.has("office"):
                raise NotAllowedError(
                    f"not allowed: stack {stack.id!r} belongs to {existing}; give yours another "
                    "title."
                )
            text = yaml.safe_dump(stack.model_dump(mode="json", exclude_none=True), sort_keys=False)
            values = {"title": stack.title, "content": text, "updated_at": now()}
            if existing is None:
                conn.execute(insert(st).values(id=stack.id, owner=who.name, **values))
            else:
                conn.execute(update(st).where(st.c.id == stack.id).values(**values))
            audit(conn, who.name, "stack-saved", None, stack=stack.id, members=stack.members)
        return stack.id

    def stacks(self, *, actor: User | str) -> pd.DataFrame:
        """The stacks ``actor`` owns (the office: all): ``id``, ``title``, ``owner``,
        ``updated_at``."""
        cols = ["id", "title", "owner", "updated_at"]
        with self._db.read() as conn:
            who = self._actor(conn, actor)
            rows = conn.execute(select(_T.stacks).order_by(_T.stacks.c.title)).all()
        keep = [r for r in rows if r.owner == who.name or who.has("office")]
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in keep], columns=cols)

    def load_stack(self, stack_id: str, *, actor: User | str) -> Stack:
        """A stored stack with its members read from the store (as ``actor`` may see them)."""
        with self._db.read() as conn:
            who = self._actor(conn, actor)
            row = conn.execute(select(_T.stacks).where(_T.stacks.c.id == stack_id)).first()
        if row is None or (row.owner != who.name and not who.has("office")):
            raise NotAllowedError(
                f"not allowed: stack {stack_id!r} does not exist or {who.name} may not see it."
            )
        data = yaml.safe_load(row.content)
        data["members"] = [self.load_proposal(str(m), actor=who) for m in data.get("members") or []]
        return load_stack(data)
