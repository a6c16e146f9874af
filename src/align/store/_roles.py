"""People and what their roles allow: who sees, edits, signs off, reviews and decides.

The rules live here, in the library, so the command line, the dashboard and a
notebook all refuse the same things with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from align.exceptions import InvalidArgumentError, NotAllowedError

__all__ = ["ROLES", "User", "may_edit", "may_see", "parse_roles", "require_role"]

#: Every role, with what it allows.
ROLES: dict[str, str] = {
    "author": "writes proposals, edits and submits their own",
    "chair": "department chair or dean: signs off or returns submitted proposals of their "
    "department (no department: every department)",
    "office": "assigns reviewers by discipline, declares conflicts, sends the committee's "
    "feedback; sees and edits every proposal",
    "reviewer": "rates the proposals assigned to them against the rubric",
    "approver": "associate dean: approves, approves with changes or declines",
    "admin": "manages people and their roles; reads the audit log",
}


def parse_roles(roles: Iterable[str] | str) -> frozenset[str]:
    """Role names checked against :data:`ROLES` ("dean" is read as "chair").

    Examples
    --------
    >>> sorted(parse_roles("author, Dean"))
    ['author', 'chair']
    """
    items = roles.split(",") if isinstance(roles, str) else list(roles)
    out = set()
    for r in items:
        name = str(r).strip().lower()
        if not name:
            continue
        name = "chair" if name == "dean" else name
        if name not in ROLES:
            raise InvalidArgumentError(f"role {r!r} is not one of {', '.join(ROLES)}.")
        out.add(name)
    return frozenset(out)


def _words(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.strip().lower() for s in items if s and s.strip()))


@dataclass(frozen=True)
class User:
    """A person known to the store.

    Attributes
    ----------
    name : str
        Unique; what the audit log and the review record show.
    email : str or None
        How single sign-on recognises them.
    roles : frozenset of str
        Names from :data:`ROLES`.
    department : str
        Their department (a chair signs off its proposals; reviewers from it can be
        declared in conflict).
    disciplines : tuple of str
        What they review (reviewers; lower case).
    system : bool
        An operator account that is not a person in the store (the command line acting
        for the office, see :meth:`operator`).
    """

    name: str
    email: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    department: str = ""
    disciplines: tuple[str, ...] = ()
    system: bool = False

    @classmethod
    def operator(cls, who: str = "") -> User:
        """The command line acting for the office (office and admin roles).

        Whoever can run align on the store's database can change it anyway; naming
        the operator keeps the audit log honest. Steps that belong to a person
        (submitting, signing off, rating, deciding) still name that person.

        Examples
        --------
        >>> User.operator("jdoe").name
        'command line (jdoe)'
        """
        label = f"command line ({who})" if who else "command line"
        return cls(label, roles=frozenset({"office", "admin"}), system=True)

    def has(self, role: str) -> bool:
        """True when the user holds ``role``."""
        return role in self.roles

    @classmethod
    def from_row(cls, row: Any) -> User:
        """Build a user from a ``users`` table row."""
        return cls(
            name=str(row.name),
            email=row.email or None,
            roles=parse_roles(row.roles or ""),
            department=str(row.department or ""),
            disciplines=_words(str(row.disciplines or "").split(",")),
        )


def require_role(user: User, roles: Iterable[str], doing: str) -> None:
    """Raise :class:`NotAllowedError` unless ``user`` holds one of ``roles``."""
    want = tuple(roles)
    if any(user.has(r) for r in want):
        return
    names = " or ".join(("a " if r[0] not in "aeiou" else "an ") + r for r in want)
    raise NotAllowedError(
        f"not allowed: {user.name} cannot {doing}; only {names} can. Ask an admin for the "
        "role if you should have it."
    )


def same_department(a: str, b: str) -> bool:
    """Departments compare without case or surrounding space."""
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def chair_covers(user: User, department: str) -> bool:
    """A chair signs off for their department; a chair with none (a dean) for all."""
    return user.has("chair") and (
        not user.department or same_department(user.department, department)
    )


def may_see(user: User, row: Any, *, assigned: bool) -> bool:
    """May ``user`` see the proposal ``row`` (a ``proposals`` row)?

    Authors see their own; the office and admins see all; chairs see their
    department's once submitted; approvers see everything past sign-off;
    reviewers see what they are assigned.
    """
    if user.has("office") or user.has("admin") or row.author == user.name:
        return True
    if assigned:
        return True
    status = str(row.status)
    if user.has("approver") and status not in {"draft", "submitted", "returned"}:
        return True
    return chair_covers(user, str(row.department or "")) and status != "draft"


def may_edit(user: User, row: Any) -> bool:
    """Only the author (while it is a draft, returned, or approved with changes) and the
    office (until a final decision other than "approved with changes") edit a proposal."""
    status = str(row.status)
    if user.has("office"):
        return status not in {"approved", "declined"}
    return row.author == user.name and status in {"draft", "returned", "approved-with-changes"}
