"""The first schema: people, proposals with versions, the flow, the review record, the audit log.

Revision 0001 (no parent). Written by hand; later revisions change what this one made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

NAME = 200
TIME = 40

#: Tables whose rows are never changed or removed once written.
APPEND_ONLY = ("audit_log", "proposal_versions")


def _append_only(table: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for what in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{what.lower()} BEFORE {what} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )


def upgrade() -> None:
    meta = op.create_table(
        "align_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String(NAME), primary_key=True),
        sa.Column("email", sa.String(320), unique=True, nullable=True),
        sa.Column("roles", sa.String(200), nullable=False, server_default=""),
        sa.Column("department", sa.String(NAME), nullable=False, server_default=""),
        sa.Column("disciplines", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.String(TIME), nullable=False),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("department", sa.String(NAME), nullable=False, server_default=""),
        sa.Column("author", sa.String(NAME), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(TIME), nullable=False),
        sa.Column("updated_at", sa.String(TIME), nullable=False),
        sa.Column("updated_by", sa.String(NAME), nullable=False),
    )
    op.create_table(
        "proposal_versions",
        sa.Column("proposal_id", sa.String(80), sa.ForeignKey("proposals.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("saved_by", sa.String(NAME), nullable=False),
        sa.Column("saved_at", sa.String(TIME), nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "transitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", sa.String(80), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(32), nullable=False),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(NAME), nullable=False),
        sa.Column("at", sa.String(TIME), nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_transitions_proposal_id", "transitions", ["proposal_id"])
    op.create_table(
        "assignments",
        sa.Column("proposal_id", sa.String(80), sa.ForeignKey("proposals.id"), primary_key=True),
        sa.Column("reviewer", sa.String(NAME), sa.ForeignKey("users.name"), primary_key=True),
        sa.Column("discipline", sa.String(NAME), nullable=False, server_default=""),
        sa.Column("assigned_by", sa.String(NAME), nullable=False),
        sa.Column("assigned_at", sa.String(TIME), nullable=False),
    )
    op.create_table(
        "conflicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reviewer", sa.String(NAME), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("proposal_id", sa.String(80), sa.ForeignKey("proposals.id"), nullable=True),
        sa.Column("department", sa.String(NAME), nullable=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("declared_by", sa.String(NAME), nullable=False),
        sa.Column("declared_at", sa.String(TIME), nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", sa.String(80), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("reviewer", sa.String(NAME), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("proposal_version", sa.Integer, nullable=False),
        sa.Column("submitted_at", sa.String(TIME), nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("n_ratings", sa.Integer, nullable=False),
    )
    op.create_index("ix_reviews_proposal_id", "reviews", ["proposal_id"])
    op.create_table(
        "ratings",
        sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id"), primary_key=True),
        sa.Column("criterion", sa.String(80), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("rating", sa.Integer, nullable=True),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", sa.String(80), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("author", sa.String(NAME), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(TIME), nullable=False),
    )
    op.create_index("ix_feedback_proposal_id", "feedback", ["proposal_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", sa.String(80), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("decided_on", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(NAME), nullable=False),
        sa.Column("body", sa.String(NAME), nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_at", sa.String(TIME), nullable=False),
    )
    op.create_index("ix_decisions_proposal_id", "decisions", ["proposal_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(TIME), nullable=False),
        sa.Column("actor", sa.String(NAME), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("proposal_id", sa.String(80), nullable=True),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_audit_log_proposal_id", "audit_log", ["proposal_id"])
    op.create_table(
        "stacks",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("owner", sa.String(NAME), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(TIME), nullable=False),
    )
    op.create_table(
        "imports",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("imported_at", sa.String(TIME), nullable=False),
        sa.Column("actor", sa.String(NAME), nullable=False),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
    )
    for table in APPEND_ONLY:
        _append_only(table)
    # The marker goes in with the tables (one transaction): a database that has it was
    # made by align, completely.
    op.bulk_insert(meta, [{"key": "app", "value": "align-store"}])


def downgrade() -> None:
    raise NotImplementedError("the first schema is not undone; delete the database instead.")
