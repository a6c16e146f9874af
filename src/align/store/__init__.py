"""The approval store: proposals and every step of their journey from draft to decision.

- :class:`Store` keeps proposals (every save a version, with diffs and restore),
  the flow (:data:`STATUSES`, :data:`STEPS`), reviewer assignment with conflicts of
  interest, ratings, the committee's feedback, the approver's decision and an
  append-only audit log, in SQLite (embedded default) or PostgreSQL
  (``ALIGN_DATABASE_URL``); Alembic migrates the schema.
- :data:`ROLES` and :class:`User`: author, chair (or dean), office, reviewer,
  approver, admin; the store checks them on every step.
- Existing proposal files and review databases of an earlier align import into it
  (:meth:`Store.import_path`).
"""

from __future__ import annotations

from align.store._db import default_database_url
from align.store._flow import DECISIONS, FINAL, STATUSES, STEPS, Step, next_steps
from align.store._imports import ImportSummary
from align.store._people import LOCAL_USER
from align.store._proposals import PROPOSAL_COLUMNS, ProposalRecord
from align.store._record import Decision
from align.store._roles import ROLES, User
from align.store._store import Store

__all__ = [
    "DECISIONS",
    "FINAL",
    "LOCAL_USER",
    "PROPOSAL_COLUMNS",
    "ROLES",
    "STATUSES",
    "STEPS",
    "Decision",
    "ImportSummary",
    "ProposalRecord",
    "Step",
    "Store",
    "User",
    "default_database_url",
    "next_steps",
]
