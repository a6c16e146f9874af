"""The components of the alignment score: pure functions on credit matrices.

Every function here takes arrays and returns numbers in [0, 1]; no model, no data.
The pipeline (:mod:`align.proposals._score`) builds the credit matrices and the
report (:mod:`align.proposals._report`) shows them.

Relevance ``R``
    Mean over outcomes of their best credit against a demanded item.
Demand coverage ``D``
    How much of the demand a credential *of this size* covers: each outcome is paired
    with one demanded item (the pairing that covers the most demand, :func:`item_coverage`),
    and the weighted credit of the pairs ``sum w_j c_j`` is divided by the ``n``
    largest weights, ``n`` the number of outcomes. A credential whose five outcomes
    fully teach five of the occupation's heaviest activities scores 1; one that
    teaches peripheral activities, teaches one activity five times, or teaches
    loosely, less.
Framework alignment ``F``
    Mean over outcomes of their best credit against the chosen frameworks.
Balance ``B``
    ``sqrt(min(1, P / k) * min(1, T / k))``: ``P`` professional competencies (NACE,
    CMC tiers 1-3) and ``T`` demanded items covered, each counted with its credit.
Overall
    ``100 * (0.45 R + 0.30 D + 0.10 F + 0.15 B)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from align.exceptions import InvalidArgumentError

__all__ = [
    "COMPONENT_HELP",
    "DEFAULT_WEIGHTS",
    "balance_score",
    "best_framework_credit",
    "check_weights",
    "competency_class",
    "demand_coverage",
    "item_coverage",
    "overall",
    "relevance_score",
]

#: Components of the overall score and their default weights.
DEFAULT_WEIGHTS: dict[str, float] = {
    "relevance": 0.45,
    "demand_coverage": 0.30,
    "framework_alignment": 0.10,
    "balance": 0.15,
}
COMPONENT_HELP: dict[str, str] = {
    "relevance": "how much of what the outcomes teach the target occupations do or use "
    "(mean best credit per outcome)",
    "demand_coverage": "how much of the occupations' central work a credential with this "
    "many outcomes covers (the heaviest demanded items, partial credit allowed)",
    "framework_alignment": "how clearly each outcome maps to a competency of the chosen "
    "frameworks (mean best credit per outcome)",
    "balance": "professional (NACE, CMC tiers 1-3) and demanded technical competencies both "
    "taught (counted by credit)",
}
_PROFESSIONAL_FRAMEWORKS = {"nace"}
_TIERED_FRAMEWORKS = {"cmc"}


def relevance_score(credits: np.ndarray) -> float:
    """Mean over outcomes (rows) of their best credit against a demanded item (columns).

    Examples
    --------
    >>> relevance_score(np.array([[0.0, 0.2], [0.0, 1.0]]))
    0.6
    """
    c = np.asarray(credits, dtype=float)
    if c.ndim != 2 or c.shape[0] == 0 or c.shape[1] == 0:
        return 0.0
    return float(np.clip(c.max(axis=1), 0, 1).mean())


def item_coverage(
    credits: np.ndarray, weights: np.ndarray, accepted: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Which outcome covers which demanded item: one item per outcome, most demand covered.

    Each outcome counts for one demanded item, and each item for one outcome; the
    pairing maximises the demand covered, ``sum w_j * credits[i, j]`` (an assignment,
    solved exactly). So one outcome near many related activities covers one of them,
    and two outcomes about the same activity cover it once. A pair a reviewer accepted
    (``accepted[i, j]``) covers its item whatever the pairing: the reviewer says the
    outcome teaches it.

    Returns
    -------
    tuple of (ndarray, ndarray)
        Per item, its credit in the pairing (0 when no outcome is paired with it) and
        the index of the paired outcome (-1 for none).

    Examples
    --------
    >>> cov, who = item_coverage(np.array([[1.0, 0.9], [1.0, 0.0]]), np.array([1.0, 1.0]))
    >>> cov.tolist(), who.tolist()
    ([1.0, 0.9], [1, 0])
    """
    from scipy.optimize import linear_sum_assignment

    c = np.clip(np.asarray(credits, dtype=float), 0, 1)
    w = np.clip(np.asarray(weights, dtype=float), 0, None)
    cov = np.zeros(c.shape[1] if c.ndim == 2 else 0)
    who = np.full(len(cov), -1, dtype=np.int64)
    if c.ndim != 2 or not c.size:
        return cov, who
    rows, cols = linear_sum_assignment(-(c * w[None, :] + 1e-9 * c))
    for i, j in zip(rows, cols, strict=True):
        if c[i, j] > 0:
            cov[j], who[j] = c[i, j], i
    if accepted is not None and np.asarray(accepted).any():
        ok = np.asarray(accepted, dtype=bool) & (c > 0)
        best = np.where(ok, c, 0.0)
        take = best.max(axis=0) > cov
        cov[take] = best.max(axis=0)[take]
        who[take] = best.argmax(axis=0)[take]
    return cov, who


def demand_coverage(
    credits: np.ndarray, weights: np.ndarray, accepted: np.ndarray | None = None
) -> float:
    """Coverage of the demand by a credential of this size (module docstring).

    ``credits`` is outcomes x demanded items: the demand the outcomes cover, one item
    each, and every pair a reviewer ``accepted`` (:func:`item_coverage`), over the
    ``n`` largest weights (at most 1).

    Examples
    --------
    >>> demand_coverage(np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.0]]), np.array([3.0, 1.0, 2.0]))
    0.7
    """
    w = np.clip(np.asarray(weights, dtype=float), 0, None)
    c = np.asarray(credits, dtype=float).reshape(-1, len(w))
    n = min(c.shape[0], len(w))
    if n == 0:
        return 0.0
    top_w = np.sort(w)[::-1][:n].sum()
    if top_w <= 0:
        return 0.0
    got = float((w * item_coverage(c, w, accepted)[0]).sum())
    return float(np.clip(got / top_w, 0.0, 1.0))


def balance_score(n_professional: float, n_technical: float, target: int = 2) -> float:
    """Balance of professional and technical competencies aligned, in [0, 1].

    ``sqrt(min(1, P / target) * min(1, T / target))``: 1 when both reach the target,
    0 when either is absent; ``P`` and ``T`` are credit-weighted counts.

    Examples
    --------
    >>> balance_score(2, 5), balance_score(1, 2), balance_score(3, 0)
    (1.0, 0.7071067811865476, 0.0)
    """
    if target < 1:
        raise InvalidArgumentError(f"balance target={target}; expected a whole number >= 1.")
    p = min(1.0, max(0, n_professional) / target)
    t = min(1.0, max(0, n_technical) / target)
    return math.sqrt(p * t)


def check_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Component weights, checked: non-negative, for exactly the four components."""
    wts = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if (
        set(wts) != set(DEFAULT_WEIGHTS)
        or any(not isinstance(v, int | float) or v < 0 for v in wts.values())
        or sum(wts.values()) <= 0
    ):
        raise InvalidArgumentError(
            f"weights={wts}; expected non-negative weights for exactly {list(DEFAULT_WEIGHTS)}."
        )
    return {k: float(wts[k]) for k in DEFAULT_WEIGHTS}


def overall(components: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """``100 * sum(w_k * c_k) / sum(w_k)``.

    Examples
    --------
    >>> overall({"relevance": 1, "demand_coverage": 0.5, "framework_alignment": 1,
    ...          "balance": 0}, DEFAULT_WEIGHTS)
    70.0
    """
    total = sum(weights.values())
    return round(100.0 * sum(weights[k] * components[k] for k in weights) / total, 10)


def competency_class(framework: str, kind: str, level: Any = None) -> str:
    """``professional`` or ``technical``: how balance and the policy checks count a competency.

    NACE competencies and CMC tiers 1-3 are professional; everything else
    (O*NET, ESCO, Lightcast, CMC tiers 4-5, postings skills) is technical.

    Examples
    --------
    >>> competency_class("nace", "competency"), competency_class("cmc", "competency", 4)
    ('professional', 'technical')
    """
    if framework in _PROFESSIONAL_FRAMEWORKS:
        return "professional"
    if framework in _TIERED_FRAMEWORKS:
        try:
            tier = int(level)
        except (TypeError, ValueError):
            tier = 1
        return "professional" if tier <= 3 else "technical"
    return "technical"


def best_framework_credit(matches: pd.DataFrame, n_outcomes: int) -> np.ndarray:
    """Each outcome's best credit over the framework matches (0 without any)."""
    best = np.zeros(n_outcomes)
    if len(matches):
        got = matches.groupby("query_index")["credit"].max()
        idx = got.index.to_numpy(dtype=np.int64)
        keep = (idx >= 0) & (idx < n_outcomes)
        best[idx[keep]] = got.to_numpy(dtype=float)[keep]
    return best
