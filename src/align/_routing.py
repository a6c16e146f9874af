"""Which model embeds which competencies: align's adapted model where it helped on dev.

align ships two embeddings of one size: the general all-MiniLM-L6-v2 and
``align-minilm``, the same network adapted to this field (:mod:`align._adapted`).
Each was measured per framework and kind on dev data only
(``benchmarks/model_compare.py``; figures in ``docs/model-card.md``). A matcher
built with the default model embeds the kinds listed in :data:`ADAPTED` with the
adapted model and everything else with the base model; a query is then embedded
by both, and each competency is compared with the query's vector of its own
model.

``ALIGN_MODEL`` (or an explicit ``model=`` / ``embedder=``) turns this off:
``ALIGN_MODEL=all-MiniLM-L6-v2`` gives the base model everywhere,
``ALIGN_MODEL=align-minilm`` the adapted model everywhere, and any other name or
folder that model everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["ADAPTED", "adapted_mask", "uses_adapted"]

#: (id namespace, kind) embedded with the adapted model by default; "occupation" is a
#: job-title match against a framework's occupations. Chosen on dev halves only.
ADAPTED: frozenset[tuple[str, str]] = frozenset(
    {
        ("onet", "dwa"),
        ("onet", "iwa"),
        ("onet", "work_activity"),
    }
)


def uses_adapted(item_id: str, kind: str) -> bool:
    """Whether a competency (or occupation) is embedded with the adapted model by default.

    Examples
    --------
    >>> uses_adapted("onet:4.A.1.a.1.I01.D01", "dwa")
    True
    >>> uses_adapted("nace:communication", "competency")
    False
    """
    return (str(item_id).split(":", 1)[0], str(kind)) in ADAPTED


def adapted_mask(ids: Sequence[Any], kinds: Sequence[Any], routes: str = "default") -> np.ndarray:
    """Boolean array: which of these items the adapted model embeds under ``routes``.

    ``routes`` is an embedder's :attr:`~align._embed.Embedder.routes`: ``"all"``,
    ``"none"``, or ``"default"`` (:data:`ADAPTED`).
    """
    if routes != "default":
        return np.full(len(ids), routes == "all", dtype=bool)
    return np.array([uses_adapted(i, k) for i, k in zip(ids, kinds, strict=True)], dtype=bool)
