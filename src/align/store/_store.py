"""The store: one database for proposals (every save a version), the review record,
decisions and an append-only audit log."""

from __future__ import annotations

import os

from align.store._db import DEFAULT_TIMEOUT, Database
from align.store._imports import Imports

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
    timeout : float
        Seconds to wait for another writer's lock before giving up with a
        :class:`~align.exceptions.StoreError`.

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
    align.exceptions.WorkflowError: cannot decide proposal 'team-leadership': it is 'submitted' ...
    """

    def __init__(self, target: PathLike | None = None, *, timeout: float = DEFAULT_TIMEOUT):
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

    def close(self) -> None:
        """Close the database connections."""
        self._db.dispose()
