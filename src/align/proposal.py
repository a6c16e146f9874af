"""Alias of :mod:`align.proposals` for the proposal and stack models (kept for old imports).

``align.proposal.load_stack`` and friends are the same objects as
``align.proposals.load_stack``; new code imports from :mod:`align.proposals`
or :mod:`align`. The names are those of the model module, listed once there.
"""

from __future__ import annotations

from align.proposals._model import *  # noqa: F403 - the alias is the model's public API
from align.proposals._model import __all__ as __all__
