"""Ordering a stack and suggesting the next credential (for the curriculum committee).

:func:`order_credentials` puts credentials in a suggested order (lower job zone, more
foundational outcomes, lower Bloom levels first); :func:`suggest_next` groups the
target's demanded items no outcome covers into suggested next credentials with draft
outcomes. Both are suggestions, labelled as such in every report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from align._wording import BLOOM_LEVELS, bloom_level, outcome_verb
from align.frameworks import Framework
from align.proposals._model import Proposal

__all__ = ["order_credentials", "suggest_next"]

#: Kinds whose labels are verb phrases (a draft outcome builds on their verb and object).
_ACTION_KINDS = {"dwa", "task", "iwa", "outcome", "work_activity"}
_LEVEL_NAMES = {
    1: "remember",
    2: "understand",
    3: "apply",
    4: "analyze",
    5: "evaluate",
    6: "create",
}
#: What learners hand in at each Bloom level (the evidence an assessor checks).
_PRODUCTS = {
    1: "a checked list or labelled diagram",
    2: "a short written explanation",
    3: "the completed work product with a log of the steps",
    4: "an analysis report",
    5: "a reasoned recommendation",
    6: "an original plan or product",
}
_DRAFT = {
    "skill": "Apply {x} ({d}) to a realistic workplace case and hand in {p}",
    "knowledge": "Apply {x} ({d}) to solve a realistic problem and hand in {p}",
    "technology": "Use {x} to complete a realistic task and hand in {p}",
    "competency": "Practise {x} ({d}) in a team project and hand in {p}",
    "certification": "Complete the preparation for the {x} assessment and hand in {p}",
}
_ARTICLES = re.compile(r"\b(?:the|a|an)\s+", re.IGNORECASE)


def _job_zone(onet: Framework | None, codes: Sequence[str]) -> float:
    if onet is None or not codes:
        return float("nan")
    groups = onet.occupations.set_index("code")["group"]
    zones = [float(groups[c]) for c in codes if c in groups.index and str(groups[c]).isdigit()]
    return min(zones) if zones else float("nan")


def order_credentials(
    creds: list[Proposal], professional: np.ndarray | None, onet: Framework | None
) -> pd.DataFrame:
    rows = []
    for i, p in enumerate(creds):
        levels = [lv for lv in (bloom_level(o.text) for o in p.outcomes) if lv is not None]
        bloom = float(np.mean(levels)) if levels else float("nan")
        zone = _job_zone(onet, p.target_occupations)
        found = float(professional[i]) if professional is not None else float("nan")
        why = []
        if not math.isnan(zone):
            why.append(f"job zone {zone:g}")
        if not math.isnan(found):
            why.append(f"{found:.0%} of outcomes foundational (NACE/CMC tiers 1-3)")
        if not math.isnan(bloom):
            why.append(f"verbs at Bloom level {bloom:.1f}")
        rows.append(
            {
                "credential": p.id,
                "title": p.title,
                "credits": p.credits,
                "job_zone": zone,
                "foundational_share": found,
                "bloom_level": bloom,
                "reason": "; ".join(why) or "no ordering evidence",
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "credential",
            "title",
            "credits",
            "job_zone",
            "foundational_share",
            "bloom_level",
            "reason",
        ],
    )
    # Lower job zones, more foundational outcomes, lower Bloom levels come first.
    key = df.assign(
        _z=df["job_zone"].fillna(3),
        _f=-df["foundational_share"].fillna(0),
        _b=df["bloom_level"].fillna(3.5),
    )
    return (
        key.sort_values(["_z", "_f", "_b", "credits"], kind="stable")
        .drop(columns=["_z", "_f", "_b"])
        .reset_index(drop=True)
    )


def _draft(label: str, kind: str, description: str = "") -> str:
    """A draft outcome: an observable verb at a named Bloom level, the object, a
    realistic context and the product an assessor checks; never the bare label.

    Examples
    --------
    >>> d = _draft("Monitor the security of digital information.", "dwa")
    >>> d.startswith("Monitor, in a realistic workplace case, the security of digital")
    True
    >>> d.endswith("a log of the steps (Bloom level 3, apply).")
    True
    """
    text = label.strip().rstrip(".")
    if kind in _ACTION_KINDS:
        verb, rest = outcome_verb(text)
        level = next((lv for lv, vs in BLOOM_LEVELS.items() if verb in vs), 3)
        # The context goes between the verb and its object, so the draft reads as an
        # outcome of its own rather than the competency label with a lead-in.
        return (
            f"{verb[:1].upper() + verb[1:]}, in a realistic workplace case, {rest.strip()} "
            f"and hand in {_PRODUCTS[level]} (Bloom level {level}, {_LEVEL_NAMES[level]})."
        )
    level = 3
    d = _short(_ARTICLES.sub("", description.split(";")[0]).strip().rstrip("."), 10)
    d = d[:1].lower() + d[1:] if d else "its core methods"
    d = re.sub(r"^(?:knowledge of|using|the ability to)\s+", "", d, flags=re.IGNORECASE)
    body = _DRAFT.get(kind, _DRAFT["skill"]).format(x=text, d=d, p=_PRODUCTS[level])
    return f"{body} (Bloom level {level}, {_LEVEL_NAMES[level]})."


def _clusters(items: pd.DataFrame, method: str, embedder: Any, max_groups: int) -> list[list[int]]:
    n = len(items)
    if n <= 2 or method == "lexical":
        groups: dict[str, list[int]] = {}
        for i, k in enumerate(items["kind"]):
            groups.setdefault(str(k), []).append(i)
        return list(groups.values())
    from scipy.cluster.hierarchy import fcluster, linkage

    from align._embed import get_embedder

    emb = embedder if embedder is not None else get_embedder()
    vec = emb.encode(
        [
            f"{lb}. {d}".strip(". ")
            for lb, d in zip(items["label"], items["description"], strict=True)
        ]
    )
    # Average linkage on cosine distance: groups of items about the same activity.
    z = linkage(vec.astype(float), method="average", metric="cosine")
    labels = fcluster(z, t=min(max_groups, n), criterion="maxclust")
    out: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        out.setdefault(int(lab), []).append(i)
    return list(out.values())


def _short(label: str, n: int = 8) -> str:
    words = label.strip().rstrip(".").split()
    return " ".join(words[:n]) + (" ..." if len(words) > n else "")


def suggest_next(
    gaps: pd.DataFrame, method: str, embedder: Any, n_suggestions: int, covered: float
) -> list[dict[str, Any]]:
    # Only what no outcome covers at all (credit 0): a competency an outcome already
    # earns credit for is taught, if loosely, and is a rewording job, not a new badge.
    todo = gaps[(gaps["coverage"] <= 0) & (gaps["weight"] > 0)].head(16)
    todo = todo.reset_index(drop=True)
    if todo.empty or n_suggestions < 1:
        return []
    groups = _clusters(todo, method, embedder, max_groups=max(2, math.ceil(len(todo) / 4)))
    scored = sorted(groups, key=lambda g: -float(todo.loc[g, "gap"].sum()))
    out = []
    for g in scored[:n_suggestions]:
        sub = todo.loc[g].sort_values("gap", ascending=False)
        title = _short(str(sub["label"].iloc[0]))
        if len(sub) > 1:
            title += f" (+{len(sub) - 1} related)"
        head = sub.head(5)
        out.append(
            {
                "title": title,
                "outcomes": [
                    _draft(lb, k, d)
                    for lb, k, d in zip(
                        head["label"], head["kind"], head["description"].fillna(""), strict=True
                    )
                ],
                "covers": [str(x) for x in sub["label"]],
                "evidence": [
                    {
                        "competency": str(lb),
                        "kind": str(k),
                        "weight": float(w),
                        "demand": str(ev),
                        "nearest_outcome": str(no),
                        "nearest_score": float(ns),
                    }
                    for lb, k, w, ev, no, ns in zip(
                        sub["label"],
                        sub["kind"],
                        sub["weight"].astype(float),
                        sub["evidence"],
                        sub["nearest_outcome"],
                        sub["nearest_score"].astype(float),
                        strict=True,
                    )
                ],
                "weight": float(sub["gap"].sum()),
                "suggestion": True,
            }
        )
    return out
