"""Alias of :mod:`align.proposals` for the proposal and stack models (kept for old imports).

``align.proposal.load_stack`` and friends are the same objects as
``align.proposals.load_stack``; new code imports from :mod:`align.proposals`
or :mod:`align`.
"""

from __future__ import annotations

from align.proposals._model import (
    COLLABORATION_LEVELS,
    DEFAULT_TYPES,
    Endorsement,
    Outcome,
    Partner,
    Proposal,
    ReviewedAlignment,
    Stack,
    load_proposal,
    load_stack,
    save_proposal,
)

__all__ = [
    "COLLABORATION_LEVELS",
    "DEFAULT_TYPES",
    "Endorsement",
    "Outcome",
    "Partner",
    "Proposal",
    "ReviewedAlignment",
    "Stack",
    "load_proposal",
    "load_stack",
    "save_proposal",
]
