"""People in the store: adding them, their roles, sign-in, reviewers' conflicts of interest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from align.exceptions import InvalidArgumentError, NotAllowedError, UnknownNameError
from align.store._db import Database, audit, now
from align.store._roles import ROLES, User, parse_roles, require_role
from align.store._schema import tables

__all__ = ["LOCAL_USER", "People"]

#: The one person of the dashboard's single-user local mode (every role).
LOCAL_USER = "Local user"
_T = tables


def _clean_name(name: Any, what: str = "name") -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise InvalidArgumentError(f"{what} is empty; give the person's name.")
    if len(text) > 200:
        raise InvalidArgumentError(f"{what} is {len(text)} characters long; at most 200.")
    return text


def _disciplines(values: Iterable[str] | str) -> list[str]:
    items = [values] if isinstance(values, str) else list(values)
    out = []
    for v in items:
        for part in str(v).split(","):
            if part.strip():
                out.append(" ".join(part.strip().lower().split()))
    return list(dict.fromkeys(out))


class People:
    """Part of :class:`~align.store.Store`: people, roles, sign-in and conflicts."""

    _db: Database

    # -- who is acting --------------------------------------------------------------
    def _actor(self, conn: Connection, actor: User | str) -> User:
        """The acting person as the store knows them now (roles re-read on every call)."""
        name = actor.name if isinstance(actor, User) else str(actor)
        row = conn.execute(select(_T.users).where(_T.users.c.name == name)).first()
        if row is not None:
            return User.from_row(row)
        if isinstance(actor, User) and actor.system:
            return actor
        raise NotAllowedError(
            f"not allowed: {name!r} is not a person the store knows; an admin adds people "
            "(`align store add-user`, or the People page)."
        )

    def _ensure_listed(self, conn: Connection, who: User) -> None:
        """An operator account that becomes an author or owner gets a row (no email: nobody
        can sign in as it), so its proposals and stacks have an owner the store knows."""
        if (
            who.system
            and not conn.execute(select(_T.users.c.name).where(_T.users.c.name == who.name)).first()
        ):
            conn.execute(
                insert(_T.users).values(
                    name=who.name, roles=",".join(sorted(who.roles)), created_at=now()
                )
            )

    def user(self, name: str) -> User:
        """The person called ``name``."""
        with self._db.read() as conn:
            row = conn.execute(select(_T.users).where(_T.users.c.name == name)).first()
        if row is None:
            raise UnknownNameError(
                f"no person called {name!r} in the store; add them with "
                f"`align store add-user {name!r} --role ...`."
            )
        return User.from_row(row)

    def users(self, role: str | None = None) -> pd.DataFrame:
        """Everyone: ``name``, ``email``, ``roles``, ``department``, ``disciplines``,
        ``created_at`` (only those holding ``role`` when given)."""
        with self._db.read() as conn:
            rows = conn.execute(select(_T.users).order_by(_T.users.c.name)).all()
        df = pd.DataFrame(
            [r._asdict() for r in rows],
            columns=["name", "email", "roles", "department", "disciplines", "created_at"],
        )
        if role is not None:
            parse_roles([role])
            df = df[df["roles"].map(lambda r: role in parse_roles(r or ""))]
        return df.reset_index(drop=True)

    # -- adding and changing people --------------------------------------------------
    def add_user(
        self,
        name: str,
        *,
        actor: User | str,
        email: str | None = None,
        roles: Iterable[str] | str = ("author",),
        department: str = "",
        disciplines: Iterable[str] | str = (),
    ) -> User:
        """Add a person (admins and the office add people; only admins give roles other
        than author and reviewer)."""
        name = _clean_name(name)
        wanted = parse_roles(roles)
        mail = (email or "").strip().lower() or None
        with self._db.write("adding a person") as conn:
            who = self._actor(conn, actor)
            require_role(who, ("admin", "office"), "add people")
            if not who.has("admin") and wanted - {"author", "reviewer"}:
                raise NotAllowedError(
                    f"not allowed: {who.name} cannot give the roles "
                    f"{sorted(wanted - {'author', 'reviewer'})}; only an admin can."
                )
            if conn.execute(select(_T.users.c.name).where(_T.users.c.name == name)).first():
                raise InvalidArgumentError(
                    f"a person called {name!r} is already in the store; change their roles "
                    "with `align store set-user` (or the People page)."
                )
            self._check_email_free(conn, mail, name)
            conn.execute(
                insert(_T.users).values(
                    name=name,
                    email=mail,
                    roles=",".join(sorted(wanted)),
                    department=" ".join(department.split()),
                    disciplines=",".join(_disciplines(disciplines)),
                    created_at=now(),
                )
            )
            audit(conn, who.name, "person-added", None, person=name, roles=sorted(wanted))
        return self.user(name)

    def _check_email_free(self, conn: Connection, mail: str | None, name: str) -> None:
        if mail is None:
            return
        other = conn.execute(select(_T.users.c.name).where(_T.users.c.email == mail)).scalar()
        if other is not None and other != name:
            raise InvalidArgumentError(f"email {mail!r} already belongs to {other!r}.")

    def set_user(
        self,
        name: str,
        *,
        actor: User | str,
        roles: Iterable[str] | str | None = None,
        email: str | None = None,
        department: str | None = None,
        disciplines: Iterable[str] | str | None = None,
    ) -> User:
        """Change a person's roles, email, department or disciplines (admins only; the
        office may change a reviewer's disciplines and department)."""
        with self._db.write("changing a person") as conn:
            who = self._actor(conn, actor)
            if roles is not None or email is not None:
                require_role(who, ("admin",), "change roles or sign-in emails")
            else:
                require_role(who, ("admin", "office"), "change people")
            row = conn.execute(select(_T.users).where(_T.users.c.name == name)).first()
            if row is None:
                raise UnknownNameError(f"no person called {name!r} in the store.")
            values: dict[str, Any] = {}
            if roles is not None:
                values["roles"] = ",".join(sorted(parse_roles(roles)))
            if email is not None:
                mail = email.strip().lower() or None
                self._check_email_free(conn, mail, name)
                values["email"] = mail
            if department is not None:
                values["department"] = " ".join(department.split())
            if disciplines is not None:
                values["disciplines"] = ",".join(_disciplines(disciplines))
            if values:
                conn.execute(update(_T.users).where(_T.users.c.name == name).values(**values))
                audit(conn, who.name, "person-changed", None, person=name, **values)
        return self.user(name)

    def add_reviewer(
        self,
        name: str,
        disciplines: Iterable[str] | str,
        *,
        actor: User | str,
        department: str = "",
        replace: bool = False,
    ) -> User:
        """Make ``name`` a reviewer of ``disciplines`` (adding the person if new).

        Naming disciplines the reviewer already has changes nothing; other
        disciplines are added, or replace the old ones with ``replace=True``, and
        the message never hides a change.
        """
        name = _clean_name(name, "reviewer name")
        wanted = _disciplines(disciplines)
        if not wanted:
            raise InvalidArgumentError(
                f"no discipline given for reviewer {name!r}; name at least one "
                "(--discipline nursing)."
            )
        with self._db.read() as conn:
            row = conn.execute(select(_T.users).where(_T.users.c.name == name)).first()
        if row is None:
            return self.add_user(
                name,
                actor=actor,
                roles=("reviewer",),
                department=department,
                disciplines=wanted,
            )
        current = User.from_row(row)
        if set(wanted) <= set(current.disciplines) and current.has("reviewer") and not replace:
            return current
        if current.disciplines and not replace and not set(current.disciplines) <= set(wanted):
            raise InvalidArgumentError(
                f"reviewer {name!r} already reviews {', '.join(current.disciplines)}; to add "
                f"{', '.join(d for d in wanted if d not in current.disciplines)} too, name "
                "them all, or pass replace=True (--replace) to review only the new ones."
            )
        roles = set(current.roles) | {"reviewer"}
        with self._db.write("making a reviewer") as conn:
            who = self._actor(conn, actor)
            require_role(who, ("admin", "office"), "add reviewers")
            values: dict[str, Any] = {
                "roles": ",".join(sorted(roles)),
                "disciplines": ",".join(
                    wanted if replace else list(dict.fromkeys([*current.disciplines, *wanted]))
                ),
            }
            if department:
                values["department"] = " ".join(department.split())
            conn.execute(update(_T.users).where(_T.users.c.name == name).values(**values))
            audit(conn, who.name, "reviewer-set", None, person=name, **values)
        return self.user(name)

    # -- signing in --------------------------------------------------------------------
    def sign_in(self, email: str, name: str = "") -> User:
        """The person with this sign-in email; someone new joins as an author.

        Parameters
        ----------
        email : str
            The verified email from the identity provider.
        name : str
            Their display name (used when they are new).
        """
        mail = (email or "").strip().lower()
        if "@" not in mail:
            raise InvalidArgumentError(
                f"the identity provider gave no email ({email!r}); align recognises people by "
                "their email. Ask the SSO administrator to release the 'email' claim."
            )
        with self._db.read("signing in") as conn:
            row = conn.execute(select(_T.users).where(_T.users.c.email == mail)).first()
        if row is not None:  # the usual case: no write at all
            return User.from_row(row)
        with self._db.write("signing in") as conn:
            row = conn.execute(select(_T.users).where(_T.users.c.email == mail)).first()
            if row is not None:
                return User.from_row(row)
            base = _clean_name(name or mail.split("@")[0])
            chosen, n = base, 1
            while conn.execute(select(_T.users.c.name).where(_T.users.c.name == chosen)).first():
                n += 1
                chosen = f"{base} ({mail})" if n == 2 else f"{base} ({mail}, {n})"
            conn.execute(
                insert(_T.users).values(
                    name=chosen, email=mail, roles="author", created_at=now(), department=""
                )
            )
            audit(conn, chosen, "first-sign-in", None, email=mail)
        return self.user(chosen)

    def local_user(self) -> User:
        """The single-user local mode's person, holding every role (created once)."""
        with self._db.read() as conn:
            row = conn.execute(select(_T.users).where(_T.users.c.name == LOCAL_USER)).first()
        if row is not None:
            return User.from_row(row)
        with self._db.write("creating the local user") as conn:
            if not conn.execute(
                select(_T.users.c.name).where(_T.users.c.name == LOCAL_USER)
            ).first():
                conn.execute(
                    insert(_T.users).values(
                        name=LOCAL_USER, roles=",".join(sorted(ROLES)), created_at=now()
                    )
                )
                audit(conn, LOCAL_USER, "person-added", None, person=LOCAL_USER, local=True)
        return self.user(LOCAL_USER)

    # -- where each person left off -------------------------------------------------------
    def last_opened(self, *, actor: User | str) -> str | None:
        """The id of the proposal ``actor`` last opened in the dashboard (None if none)."""
        name = actor.name if isinstance(actor, User) else str(actor)
        with self._db.read() as conn:
            return conn.execute(
                select(_T.users.c.last_opened).where(_T.users.c.name == name)
            ).scalar()

    def set_last_opened(self, proposal_id: str | None, *, actor: User | str) -> None:
        """Remember the proposal ``actor`` has open (not audited: it changes nothing shared)."""
        name = actor.name if isinstance(actor, User) else str(actor)
        if self.last_opened(actor=name) == proposal_id:
            return
        with self._db.write("remembering the open proposal") as conn:
            conn.execute(
                update(_T.users).where(_T.users.c.name == name).values(last_opened=proposal_id)
            )

    # -- conflicts of interest --------------------------------------------------------
    def declare_conflict(
        self,
        reviewer: str,
        *,
        actor: User | str,
        proposal_id: str | None = None,
        department: str | None = None,
        reason: str = "",
    ) -> None:
        """Declare that ``reviewer`` may not review one proposal, or any proposal of a
        department (e.g. their own). Office only."""
        if (proposal_id is None) == (department is None or not department.strip()):
            raise InvalidArgumentError(
                "give either proposal_id (one proposal) or department (every proposal of it)."
            )
        with self._db.write("declaring a conflict") as conn:
            who = self._actor(conn, actor)
            require_role(who, ("office",), "declare conflicts of interest")
            if not conn.execute(select(_T.users.c.name).where(_T.users.c.name == reviewer)).first():
                raise UnknownNameError(f"no person called {reviewer!r} in the store.")
            if (
                proposal_id is not None
                and not conn.execute(
                    select(_T.proposals.c.id).where(_T.proposals.c.id == proposal_id)
                ).first()
            ):
                raise UnknownNameError(f"no proposal {proposal_id!r} in the store.")
            dept = " ".join(department.split()) if department else None
            conn.execute(
                insert(_T.conflicts).values(
                    reviewer=reviewer,
                    proposal_id=proposal_id,
                    department=dept,
                    reason=reason.strip(),
                    declared_by=who.name,
                    declared_at=now(),
                )
            )
            audit(
                conn,
                who.name,
                "conflict-declared",
                proposal_id,
                reviewer=reviewer,
                department=dept,
                reason=reason.strip(),
            )

    def conflicts(self) -> pd.DataFrame:
        """Declared conflicts: ``reviewer``, ``proposal_id``, ``department``, ``reason``,
        ``declared_by``, ``declared_at``."""
        cols = ["reviewer", "proposal_id", "department", "reason", "declared_by", "declared_at"]
        with self._db.read() as conn:
            rows = conn.execute(select(_T.conflicts).order_by(_T.conflicts.c.id)).all()
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)
