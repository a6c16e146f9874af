"""The store's tables (SQLAlchemy Core); Alembic migrations in ``migrations/`` create them.

Times are UTC ISO 8601 text (``2026-12-04T10:15:00+00:00``) and dates ISO text, so
both backends store and sort them alike. People are referred to by their unique
``users.name``.

Tables
    ``align_meta``         key, value: the marker that align made this database
    ``users``              name, email, roles, department, disciplines, created_at,
                           last_opened (0002)
    ``proposals``          id, title, department, author, status, version, created_at,
                           updated_at, updated_by
    ``proposal_versions``  proposal_id, version, content (YAML), saved_by, saved_at, comment
                           (never changed once written)
    ``transitions``        id, proposal_id, step, from_status, to_status, actor, at, comment
    ``assignments``        proposal_id, reviewer, discipline, assigned_by, assigned_at
    ``conflicts``          id, reviewer, proposal_id or department, reason, declared_by,
                           declared_at
    ``reviews``            id, proposal_id, reviewer, proposal_version, submitted_at, comment,
                           n_ratings
    ``ratings``            review_id, criterion, rating, comment
    ``feedback``           id, proposal_id, author, text, created_at
    ``decisions``          id, proposal_id, decision, decided_on, decided_by, body, note,
                           recorded_at
    ``audit_log``          id, at, actor, action, proposal_id, detail (JSON); append-only
    ``stacks``             id, title, owner, content (YAML), updated_at
    ``imports``            digest, source, kind, imported_at, actor, summary
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["MARKER", "METADATA", "tables"]

#: ``align_meta`` row that marks a database align created.
MARKER = ("app", "align-store")

METADATA = MetaData()
_NAME = 200
_TIME = 40

align_meta = Table(
    "align_meta",
    METADATA,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
users = Table(
    "users",
    METADATA,
    Column("name", String(_NAME), primary_key=True),
    Column("email", String(320), unique=True, nullable=True),
    Column("roles", String(200), nullable=False, server_default=""),
    Column("department", String(_NAME), nullable=False, server_default=""),
    Column("disciplines", Text, nullable=False, server_default=""),
    Column("created_at", String(_TIME), nullable=False),
    Column("last_opened", String(80), nullable=True),
)
proposals = Table(
    "proposals",
    METADATA,
    Column("id", String(80), primary_key=True),
    Column("title", String(400), nullable=False),
    Column("department", String(_NAME), nullable=False, server_default=""),
    Column("author", String(_NAME), ForeignKey("users.name"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", String(_TIME), nullable=False),
    Column("updated_at", String(_TIME), nullable=False),
    Column("updated_by", String(_NAME), nullable=False),
)
proposal_versions = Table(
    "proposal_versions",
    METADATA,
    Column("proposal_id", String(80), ForeignKey("proposals.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("content", Text, nullable=False),
    Column("saved_by", String(_NAME), nullable=False),
    Column("saved_at", String(_TIME), nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
)
transitions = Table(
    "transitions",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("proposal_id", String(80), ForeignKey("proposals.id"), nullable=False, index=True),
    Column("step", String(32), nullable=False),
    Column("from_status", String(32), nullable=False),
    Column("to_status", String(32), nullable=False),
    Column("actor", String(_NAME), nullable=False),
    Column("at", String(_TIME), nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
)
assignments = Table(
    "assignments",
    METADATA,
    Column("proposal_id", String(80), ForeignKey("proposals.id"), primary_key=True),
    Column("reviewer", String(_NAME), ForeignKey("users.name"), primary_key=True),
    Column("discipline", String(_NAME), nullable=False, server_default=""),
    Column("assigned_by", String(_NAME), nullable=False),
    Column("assigned_at", String(_TIME), nullable=False),
)
conflicts = Table(
    "conflicts",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reviewer", String(_NAME), ForeignKey("users.name"), nullable=False),
    Column("proposal_id", String(80), ForeignKey("proposals.id"), nullable=True),
    Column("department", String(_NAME), nullable=True),
    Column("reason", Text, nullable=False, server_default=""),
    Column("declared_by", String(_NAME), nullable=False),
    Column("declared_at", String(_TIME), nullable=False),
)
reviews = Table(
    "reviews",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("proposal_id", String(80), ForeignKey("proposals.id"), nullable=False, index=True),
    Column("reviewer", String(_NAME), ForeignKey("users.name"), nullable=False),
    Column("proposal_version", Integer, nullable=False),
    Column("submitted_at", String(_TIME), nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
    Column("n_ratings", Integer, nullable=False),
)
ratings = Table(
    "ratings",
    METADATA,
    Column("review_id", Integer, ForeignKey("reviews.id"), primary_key=True),
    Column("criterion", String(80), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("rating", Integer, nullable=True),
    Column("comment", Text, nullable=False, server_default=""),
)
feedback = Table(
    "feedback",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("proposal_id", String(80), ForeignKey("proposals.id"), nullable=False, index=True),
    Column("author", String(_NAME), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", String(_TIME), nullable=False),
)
decisions = Table(
    "decisions",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("proposal_id", String(80), ForeignKey("proposals.id"), nullable=False, index=True),
    Column("decision", String(32), nullable=False),
    Column("decided_on", String(10), nullable=False),
    Column("decided_by", String(_NAME), nullable=False),
    Column("body", String(_NAME), nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    Column("recorded_at", String(_TIME), nullable=False),
)
audit_log = Table(
    "audit_log",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(_TIME), nullable=False),
    Column("actor", String(_NAME), nullable=False),
    Column("action", String(64), nullable=False),
    Column("proposal_id", String(80), nullable=True, index=True),
    Column("detail", Text, nullable=False, server_default="{}"),
)
stacks = Table(
    "stacks",
    METADATA,
    Column("id", String(80), primary_key=True),
    Column("title", String(400), nullable=False),
    Column("owner", String(_NAME), ForeignKey("users.name"), nullable=False),
    Column("content", Text, nullable=False),
    Column("updated_at", String(_TIME), nullable=False),
)
imports = Table(
    "imports",
    METADATA,
    Column("digest", String(64), primary_key=True),
    Column("source", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("imported_at", String(_TIME), nullable=False),
    Column("actor", String(_NAME), nullable=False),
    Column("summary", Text, nullable=False, server_default=""),
)


class _Tables:
    """Attribute access to every table (``tables.users``)."""

    align_meta = align_meta
    users = users
    proposals = proposals
    proposal_versions = proposal_versions
    transitions = transitions
    assignments = assignments
    conflicts = conflicts
    reviews = reviews
    ratings = ratings
    feedback = feedback
    decisions = decisions
    audit_log = audit_log
    stacks = stacks
    imports = imports


tables = _Tables()
