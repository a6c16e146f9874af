"""How sure a score from postings demand is: a bootstrap over the postings.

With postings demand, the demand basket is the ``top_demand`` skills by share of the
matching postings, weighted by share. Both depend on which postings happened to be
drawn: from 41 postings a skill named in 3 of them may or may not make the basket.
:func:`postings_interval` redraws the postings ``n_boot`` times and recomputes the
parts of the score that depend on them:

1. every candidate skill's posting count is redrawn as ``Binomial(N, share)`` for the
   ``N`` matching postings (the demand table holds counts, not which posting names
   which skill, so skills are drawn independently);
2. the basket is chosen again from the redrawn shares (the ``top_demand`` largest,
   among :data:`CANDIDATES` times as many candidates);
3. relevance, demand coverage and the technical half of balance are recomputed on it;
   framework alignment and professional competencies do not depend on postings.

The interval is the 2.5th and 97.5th percentile of the redrawn overall scores. Its
coverage (how often it holds the score the whole population of postings would give)
is checked by simulation in ``benchmarks/bootstrap_coverage.py``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from align.proposals._components import (
    balance_score,
    demand_coverage,
    item_coverage,
    overall,
    relevance_score,
)

__all__ = ["CANDIDATES", "postings_interval"]

#: Candidate skills for the redrawn baskets, as a multiple of the basket size.
CANDIDATES = 3


def postings_interval(
    credits: np.ndarray,
    shares: np.ndarray,
    n_postings: int,
    components: Mapping[str, float],
    weights: Mapping[str, float],
    *,
    top_demand: int,
    professional: float,
    balance_target: int = 2,
    n_boot: int = 500,
    seed: int = 0,
) -> tuple[float, float] | None:
    """95 % percentile interval of the overall score over redrawn postings.

    Parameters
    ----------
    credits : ndarray
        ``(outcomes, candidate skills)`` credits, candidates ordered by share.
    shares : ndarray
        Each candidate's share of the ``n_postings`` matching postings.
    n_postings : int
        Matching postings behind the shares.
    components : mapping
        The score's components (framework alignment is kept as it is).
    weights : mapping
        Component weights.
    top_demand : int
        Basket size.
    professional : float
        Credit-weighted count of professional competencies (for balance).
    balance_target, n_boot, seed
        As in :class:`align.ScoreSettings`.

    Returns
    -------
    tuple of float, or None
        ``None`` without postings counts or replicates.

    Examples
    --------
    >>> c = np.array([[1.0, 0.0, 0.5]])
    >>> comps = {"relevance": 1, "demand_coverage": 1, "framework_alignment": 1, "balance": 0}
    >>> w = {"relevance": 0.45, "demand_coverage": 0.3, "framework_alignment": 0.1,
    ...      "balance": 0.15}
    >>> lo, hi = postings_interval(c, np.array([0.4, 0.3, 0.1]), 20, comps, w,
    ...                            top_demand=2, professional=0, n_boot=200)
    >>> 0 <= lo <= hi <= 100
    True
    """
    scores = replicates(
        credits,
        shares,
        n_postings,
        components,
        weights,
        top_demand=top_demand,
        professional=professional,
        balance_target=balance_target,
        n_boot=n_boot,
        seed=seed,
    )
    if scores is None:
        return None
    lo, hi = np.percentile(scores, [2.5, 97.5])
    return float(lo), float(hi)


def replicates(
    credits: np.ndarray,
    shares: np.ndarray,
    n_postings: int,
    components: Mapping[str, float],
    weights: Mapping[str, float],
    *,
    top_demand: int,
    professional: float,
    balance_target: int = 2,
    n_boot: int = 500,
    seed: int = 0,
) -> np.ndarray | None:
    """The overall score of each redrawn set of postings (:func:`postings_interval`)."""
    shares = np.clip(np.asarray(shares, dtype=float), 0, 1)
    c = np.asarray(credits, dtype=float)
    if n_boot <= 0 or n_postings < 1 or not len(shares) or not (shares > 0).any():
        return None
    rng = np.random.default_rng(seed)
    draws = rng.binomial(n_postings, shares, size=(n_boot, len(shares))) / n_postings
    k = min(top_demand, len(shares))
    scores = np.empty(n_boot)
    for b in range(n_boot):
        # The basket again: the k largest redrawn shares (ties in the original order).
        pick = np.argsort(-draws[b], kind="stable")[:k]
        pick = pick[draws[b, pick] > 0]
        w = draws[b, pick]
        sub = c[:, pick]
        tech = float(item_coverage(sub, w)[0].sum()) if sub.size else 0.0
        scores[b] = overall(
            {
                **components,
                "relevance": relevance_score(sub),
                "demand_coverage": demand_coverage(sub, w) if len(w) else 0.0,
                "balance": balance_score(professional, tech, balance_target),
            },
            weights,
        )
    return scores
