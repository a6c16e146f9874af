"""The store: one database for proposals (every save a version), the review record,
decisions and an append-only audit log."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import func, select, text

from align.store._db import Database
from align.store._imports import Imports
from align.store._schema import tables

__all__ = ["Store"]

PathLike = str | os.PathLike[str]


class Store(Imports):
    """Proposals, their journey from draft to decision, and who did what.

    A SQLite file is the default (``align.sqlite`` in the per-user align data
    folder); ``ALIGN_DATABASE_URL`` or ``target`` names another file or a
    PostgreSQL server (``postgresql://user:password@host/dbname``). Only databases
    align created are opened (see :class:`~align.exceptions.StoreError`); their
    schema is migrated with Alembic when align is upgraded.

    Every method that acts takes ``actor``, the person acting (a
    :class:`~align.store.User` or their name); the library checks their roles and
    the proposal's status, so every screen refuses the same things.

    Parameters
    ----------
    target : str, path or None
        A database file, a ``sqlite:///`` or ``postgresql://`` URL, or None for
        :func:`~align.store.default_database_url`.
    timeout : float, optional
        Seconds to wait for another writer's lock before giving up with a
        :class:`~align.exceptions.StoreError` (default ``ALIGN_DB_TIMEOUT``, else 30).

    Examples
    --------
    >>> import tempfile, os
    >>> from align import load_proposal
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "align.sqlite"))
    >>> office = store.local_user()           # single-user mode: every role
    >>> p = load_proposal({"title": "Team Leadership", "issuing_unit": "Business",
    ...                    "outcomes": [{"id": "LO1", "text": "Lead a project meeting"}]})
    >>> store.create_proposal(p, actor=office).status
    'draft'
    >>> store.submit(p.id, actor=office)
    'submitted'
    >>> store.decide(p.id, "approved", "2026-01-05", actor=office)
    Traceback (most recent call last):
    ...
    align.exceptions.WorkflowError: cannot decide on 'team-leadership': it is 'submitted' ...
    """

    def __init__(self, target: PathLike | None = None, *, timeout: float | None = None):
        self._db = Database(target, timeout=timeout)

    def __repr__(self) -> str:
        return f"Store({self._db.label})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def label(self) -> str:
        """How messages name the database: its file, or its URL without the password."""
        return self._db.label

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._db.backend

    @property
    def read_only(self) -> bool:
        """True when the database file can be read but not written."""
        return self._db.read_only

    def info(self) -> dict[str, Any]:
        """Which database, its schema revision, and how many proposals (per status), people,
        reviews and audit entries it holds."""
        t = tables
        with self._db.read() as conn:
            schema = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            statuses: dict[Any, Any] = dict(
                conn.execute(
                    select(t.proposals.c.status, func.count()).group_by(t.proposals.c.status)
                ).all()
            )
            counts = {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
                for name, table in (
                    ("people", t.users),
                    ("reviews", t.reviews),
                    ("audit entries", t.audit_log),
                )
            }
        return {
            "database": self.label,
            "backend": self.backend,
            "schema": str(schema),
            "read_only": self.read_only,
            "proposals": {str(k): int(v) for k, v in statuses.items()},
            **counts,
        }

    def close(self) -> None:
        """Close the database connections."""
        self._db.dispose()
