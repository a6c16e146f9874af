"""What the report says to faculty: why an outcome earned what it did, and what would help.

Every hint is drawn from the proposal's own target: the nearest demanded work activity
in the occupation's own wording (its task statement), never a fixed example. Next
steps are computed, not guessed: the components are recomputed with one outcome at
full credit, one uncovered demanded item covered, or balance met, and the gain in
points is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from align._calibration import BANDS
from align._wording import REWRITE_HINT
from align.proposals._components import (
    balance_score,
    demand_coverage,
    overall,
    relevance_score,
)
from align.proposals._model import Proposal
from align.proposals._settings import ScoreSettings

if TYPE_CHECKING:
    from align.proposals._report import Scored

__all__ = ["example_wording", "next_steps", "rewrite_hint"]


def _points(gain: float) -> str:
    n = round(gain)
    return f"+{n} point" if n == 1 else f"+{n} points"


def example_wording(surfaces: Any, label: str) -> str:
    """The occupation's own wording of a demanded item (its first task statement)."""
    if isinstance(surfaces, list | tuple | np.ndarray) and len(surfaces):
        return str(surfaces[0])
    return str(label)


def rewrite_hint(
    i: int,
    sc: Scored,
    table: pd.DataFrame,
    settings: ScoreSettings,
    field_name: str,
) -> tuple[str, str]:
    """The rewrite hint of outcome ``i`` and the closest demanded items, in its own field."""
    if not len(table):
        return "", ""
    z = sc.meaning.standout[i]
    near = np.argsort(-z)[:3]
    closest = "; ".join(f"{table['label'].iloc[j]} ({z[j]:.1f} SD)" for j in near)
    j = int(near[0])
    example = example_wording(table["surfaces"].iloc[j], table["label"].iloc[j])
    got = float(sc.credits[i].max())
    spec = float(sc.specificity[i])
    where = f" for {field_name}" if field_name else ""
    if spec < 1:
        return (
            f"{REWRITE_HINT} In this field the nearest demanded work reads: '{example}'; write "
            "what learners do in that work, with the tool, standard or setting, and what "
            "an assessor checks.",
            closest,
        )
    if got <= 0:
        return (
            f"No demanded activity{where} stands out for this outcome: the closest, "
            f"'{table['label'].iloc[j]}', is {z[j]:.1f} SD above a typical work activity "
            f"(credit starts at {settings.floor:.2f}). If it should count, reword it toward "
            f"that work, e.g. '{example}'; otherwise it may belong to another credential.",
            closest,
        )
    if got < 1:
        return (
            f"Partly credited ({got:.0%}): '{table['label'].iloc[j]}' stands out at "
            f"{z[j]:.1f} SD; full credit from {settings.full:.2f}. Saying what learners do "
            f"in that work's terms, e.g. '{example}', would earn full credit.",
            closest,
        )
    return "", closest


def next_steps(
    proposal: Proposal,
    sc: Scored,
    table: pd.DataFrame,
    settings: ScoreSettings,
    score: float,
) -> list[str]:
    """What would move the score into the next band, each with the points it would add.

    Gains are computed, not guessed: the components are recomputed with one outcome
    at full credit, one uncovered demanded item covered, or balance met.
    """
    nxt = next((low for name, low in reversed(BANDS) if low > score), None)
    comps, w = sc.components, dict(settings.weights)
    weights = table["weight"].to_numpy(float) if len(table) else np.zeros(0)
    cred = sc.credits
    n = len(proposal.outcomes)
    acc = sc.accepted if sc.accepted is not None else np.zeros(cred.shape, dtype=bool)

    def gain(c2: np.ndarray, a2: np.ndarray) -> float:
        """Points the score would gain with these credits (the rest unchanged)."""
        rescored = {
            **comps,
            "relevance": relevance_score(c2),
            "demand_coverage": demand_coverage(c2, weights, a2),
        }
        return overall(rescored, w) - score

    steps: list[tuple[float, str]] = []
    prof = sc.matches[(sc.matches["class"] == "professional") & (sc.matches["credit"] >= 0.5)]
    professional = set(prof["query_index"].astype(int))
    if n and len(table):
        for i, o in enumerate(proposal.outcomes):
            # An outcome that teaches a professional competency is doing its job.
            if cred[i].max() >= 1 or i in professional:
                continue
            j = int(sc.meaning.standout[i].argmax())
            c2 = cred.copy()
            c2[i, j] = 1.0
            g = gain(c2, acc)
            how = "make it specific and teach" if sc.specificity[i] < 1 else "teach"
            steps.append(
                (g, f"Rewrite {o.id} to {how} '{table['label'].iloc[j]}' outright: {_points(g)}.")
            )
        covered = cred.max(axis=0)
        for j in np.argsort(-weights)[:8]:
            if covered[j] > 0:
                continue
            c2 = np.vstack([cred, np.zeros(len(weights))])
            c2[-1, j] = 1.0
            g = gain(c2, np.vstack([acc, np.zeros(len(weights), dtype=bool)]))
            example = example_wording(table["surfaces"].iloc[j], "")
            steps.append(
                (
                    g,
                    f"Add an outcome for '{table['label'].iloc[j]}' (a heavily demanded item no "
                    f"outcome covers, e.g. '{example}'): {_points(g)}.",
                )
            )
    if comps["balance"] < 1:
        g = overall({**comps, "balance": balance_score(2, 2, settings.balance_target)}, w) - score
        steps.append(
            (
                g,
                "Teach a professional competency as well (communicating results to a "
                "non-specialist audience, working in a team, leading, ...: NACE career "
                f"readiness) in a specific, assessed outcome: up to {_points(g)}.",
            )
        )
    steps = [s for s in steps if s[0] >= 0.5]
    steps.sort(key=lambda s: -s[0])
    lead = []
    if nxt is not None:
        name = next(nm for nm, low in BANDS if low == nxt)
        lead = [f"{nxt - score:.0f} more points reach '{name}' ({nxt:.0f})."]
    return lead + [s[1] for s in steps[:4]] if steps else lead
