"""Demand: what the target occupations (or the postings of a region) ask for.

A *demand basket* is a table of demanded competencies with a weight each
(columns :data:`BASKET_COLUMNS`). It comes from O*NET importance ratings of
the target occupations (:func:`demand_from_onet`) or from job postings
(:func:`demand_from_postings` over :func:`align.postings.skill_demand`;
:func:`postings_demand` looks that table up for a proposal). Scoring,
stacking gaps and the portfolio view all read demand through this module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from align._calibration import FOUNDATIONAL_IMPORTANCE, FOUNDATIONAL_SHARE
from align._config import PathLike
from align.exceptions import InvalidArgumentError, ProposalError, UnknownNameError
from align.frameworks import Framework
from align.proposals._model import Proposal

__all__ = [
    "BASKET_COLUMNS",
    "DEMAND_QUOTAS",
    "DemandBasket",
    "demand_basket",
    "demand_from_onet",
    "demand_from_postings",
    "foundational_items",
    "postings_demand",
]

#: O*NET kinds in the demand basket and how many of each enter it by default: every
#: detailed work activity the occupation's tasks lead to (up to 60), and the 10 most
#: distinctive hot technologies. Skills and knowledge enter only when asked for
#: (``quotas={"skill": 10, ...}``), and never the foundational ones (:func:`foundational_items`).
DEMAND_QUOTAS: dict[str, int] = {"dwa": 60, "technology": 10}
#: Weights of task statements that carry no importance rating (see docs/scoring.md).
TASK_WEIGHTS: dict[str, float] = {"core": 0.75, "supplemental": 0.4, "": 0.75}
HOT_TECH_WEIGHT = 0.5
_DEMAND_TYPE_KIND = {
    "software": "technology",
    "software skill": "technology",
    "certification": "certification",
    "knowledge": "knowledge",
}


def _profile(fw: Framework, code: str) -> pd.DataFrame:
    try:
        return fw.occupation_profile(code)
    except UnknownNameError as exc:
        raise UnknownNameError(f"target occupation {code!r}: {exc}") from None


#: Columns of a demand basket (the ``demand`` table of an AlignmentReport adds
#: ``coverage``, ``best_score`` and ``best_outcome``).
BASKET_COLUMNS: tuple[str, ...] = (
    "id",
    "label",
    "description",
    "kind",
    "weight",
    "source",
    "occupations",
    "postings",
    "share",
    "importance_weight",
    "distinctiveness",
    "surfaces",
)


_STATS_CACHE: dict[tuple[str, str, int, int], _OnetStats] = {}


@dataclass(frozen=True)
class _OnetStats:
    """Per-release statistics behind demand weights (computed once per O*NET release)."""

    n_occupations: int
    #: (occupation id, competency id) -> percentile of the occupation's importance among
    #: all occupations rated for that skill/knowledge item (0-1).
    percentile: dict[tuple[str, str], float]
    #: competency id -> distinctiveness 1 - log(n)/log(N) of a DWA or technology used
    #: by n of the N occupations.
    rarity: dict[str, float]
    #: occupation id -> its tasks' (task id, DWA id) links.
    task_dwa: pd.DataFrame
    requires: pd.DataFrame
    #: skills and knowledge every job needs (:func:`foundational_items`).
    foundational: frozenset[str]


def _onet_stats(onet: Framework) -> _OnetStats:
    key = (onet.key, onet.version, len(onet.relations), id(onet.relations))
    hit = _STATS_CACHE.get(key)
    if hit is not None:
        return hit
    rel = onet.relations
    kinds = onet.competencies.set_index("id")["kind"]
    req = rel[rel["relation"] == "requires"].copy()
    req["kind"] = req["target_id"].map(kinds)
    n_occ = max(1, len(onet.occupations))
    rated = req[req["kind"].isin(["skill", "knowledge"]) & req["importance"].notna()].copy()
    rated["pct"] = rated.groupby("target_id")["importance"].rank(pct=True)
    percentile = dict(
        zip(zip(rated["source_id"], rated["target_id"], strict=True), rated["pct"], strict=True)
    )
    dwa_ids = set(kinds.index[kinds == "dwa"])
    task_dwa = rel[(rel["relation"] == "related") & rel["target_id"].isin(dwa_ids)][
        ["source_id", "target_id"]
    ]
    occ_task = req[req["kind"] == "task"][["source_id", "target_id"]].rename(
        columns={"source_id": "occupation", "target_id": "task"}
    )
    occ_dwa = occ_task.merge(task_dwa, left_on="task", right_on="source_id")
    counts = pd.concat(
        [
            occ_dwa.groupby("target_id")["occupation"].nunique(),
            req[req["kind"] == "technology"].groupby("target_id")["source_id"].nunique(),
        ]
    )
    logn = math.log(n_occ) if n_occ > 1 else 1.0
    rarity = {
        str(k): float(min(1.0, max(0.05, 1.0 - math.log(max(1, int(v))) / logn)))
        for k, v in counts.items()
    }
    rated_occ = rated.groupby("target_id")["source_id"].nunique()
    important = (
        rated[rated["importance"] >= FOUNDATIONAL_IMPORTANCE]
        .groupby("target_id")["source_id"]
        .nunique()
    )
    share = (important / rated_occ).fillna(0.0)
    foundational = frozenset(str(i) for i in share.index[share >= FOUNDATIONAL_SHARE])
    stats = _OnetStats(n_occ, percentile, rarity, task_dwa, req, foundational)
    _STATS_CACHE.clear()
    _STATS_CACHE[key] = stats
    return stats


def foundational_items(onet: Framework) -> frozenset[str]:
    """Ids of the O*NET skills and knowledge areas every job needs.

    An element is *foundational* when at least :data:`~align._calibration.FOUNDATIONAL_SHARE`
    of the occupations O*NET rates for it rate its importance
    :data:`~align._calibration.FOUNDATIONAL_IMPORTANCE` or higher (English Language,
    Reading Comprehension, Speaking, Active Listening, Critical Thinking, ... in O*NET
    29.3). A micro-credential is not judged on them: they are never demanded, never
    listed as gaps, and never count toward balance.
    """
    return _onet_stats(onet).foundational


def _activities(prof: pd.DataFrame, stats: _OnetStats, labels: pd.Series) -> pd.DataFrame:
    """An occupation's detailed work activities, weighted by its tasks that lead to them."""
    tasks = prof[prof["kind"] == "task"]
    if tasks.empty:
        return pd.DataFrame(columns=["id", "kind", "weight", "tie", "distinct", "surfaces"])
    tw = tasks.assign(
        weight=tasks["weight"].where(
            tasks["weight"].notna(), tasks["detail"].str.lower().map(TASK_WEIGHTS).fillna(0.5)
        )
    )
    link = stats.task_dwa.merge(
        tw[["id", "weight", "label"]], left_on="source_id", right_on="id"
    ).sort_values("weight", ascending=False, kind="stable")
    act = (
        link.groupby("target_id", sort=False)
        .agg(
            weight=("weight", "max"),
            tie=("source_id", "nunique"),
            surfaces=("label", lambda t: list(dict.fromkeys(t))),
        )
        .reset_index()
        .rename(columns={"target_id": "id"})
    )
    # An activity many of the occupation's tasks lead to is central to it: 0.7 for one
    # task, up to 1 from four.
    act["weight"] = act["weight"] * (0.7 + 0.1 * np.minimum(act["tie"] - 1, 3))
    act["tie"] = act["tie"] / 1e3
    act["kind"] = "dwa"
    # Half of an activity's weight is how distinctive it is: "Operate welding equipment"
    # (welders and a few trades) outweighs "Maintain safety" (hundreds of occupations),
    # and neither drops out the way a full rarity weight made welding drop out.
    act["distinct"] = 0.5 + 0.5 * act["id"].map(stats.rarity).fillna(1.0).astype(float)
    act = act[act["id"].isin(labels.index)]
    return act[["id", "kind", "weight", "tie", "distinct", "surfaces"]]


def demand_from_onet(
    onet: Framework,
    occupations: Sequence[str],
    quotas: Mapping[str, int] | None = None,
    *,
    distinctive: bool = True,
) -> pd.DataFrame:
    """What the target occupations do and use, from O*NET.

    * **Work activities**: the detailed work activities (DWAs) the occupation's task
      statements lead to, each carrying those task statements as the wording it is
      matched through (``surfaces``): the occupation's own phrasing of the activity
      ("Weld components in flat, vertical, or overhead positions" for *Operate
      welding equipment*). Weight: the DWA's strongest task, by importance rating
      ``(IM - 1) / 4`` where O*NET publishes one, else by task type (core 0.75,
      supplemental 0.4, none published 0.75); times its centrality, 0.7 when one
      of the occupation's tasks leads to it up to 1 from four tasks; times
      ``0.5 + 0.5 x rarity`` (rarity ``1 - log(n) / log(N)`` for an activity the
      tasks of n of the N occupations lead to), so the occupation's defining
      activities (welders: *Operate welding equipment*) come before the ones every
      job has (*Maintain safety*) without pushing those out.
    * **Hot technologies**: ``0.5 x (1 - log(n) / log(N))`` for a technology that n of
      the N occupations list (at least 0.05; ``distinctive=False`` leaves the rarity
      out): Excel weighs little, Splunk a lot.
    * Skills and knowledge only when ``quotas`` asks for them, weighted by
      ``(importance - 1) / 4`` times the percentile of the occupation's importance
      among all occupations rated for the item, and never the foundational ones
      (:func:`foundational_items`).

    An item takes the strongest weight any target occupation gives it; the top
    items of each kind enter the basket (``quotas``, default :data:`DEMAND_QUOTAS`).

    Returns
    -------
    DataFrame
        Columns :data:`BASKET_COLUMNS`: ``id``, ``label``, ``description``, ``kind``,
        ``weight``, ``source`` ("onet"), ``occupations`` (codes demanding it),
        ``postings``, ``share`` (NaN here), ``importance_weight`` (before
        distinctiveness), ``distinctiveness`` and ``surfaces`` (task statements of
        a work activity, else empty); heaviest first.
    """
    quotas = dict(DEMAND_QUOTAS if quotas is None else quotas)
    stats = _onet_stats(onet)
    comps = onet.competencies.set_index("id")
    rows: list[pd.DataFrame] = []
    for code in occupations:
        prof = _profile(onet, code)
        occ_id = f"{onet.key}:{code}"
        parts = [_activities(prof, stats, comps["label"])]
        rated = prof[prof["kind"].isin(["skill", "knowledge"])][["id", "kind", "weight"]]
        rated = rated.dropna(subset=["weight"])
        rated = rated[~rated["id"].isin(stats.foundational)]
        parts.append(
            rated.assign(
                distinct=[stats.percentile.get((occ_id, i), 0.5) for i in rated["id"]],
                tie=0.0,
                surfaces=pd.Series(
                    [[] for _ in range(len(rated))], index=rated.index, dtype=object
                ),
            )
        )
        tech = prof[(prof["kind"] == "technology") & (prof["detail"].str.lower() == "hot")]
        parts.append(
            tech[["id", "kind"]].assign(
                weight=HOT_TECH_WEIGHT,
                tie=0.0,
                distinct=tech["id"].map(stats.rarity).astype(float).fillna(1.0),
                surfaces=pd.Series([[] for _ in range(len(tech))], index=tech.index, dtype=object),
            )
        )
        occ = pd.concat([p for p in parts if len(p)], ignore_index=True).assign(occupation=code)
        occ["importance_weight"] = occ["weight"]
        if not distinctive:
            occ["distinct"] = 1.0
        occ["weight"] = occ["weight"] * occ["distinct"]
        rows.append(occ)
    if not rows:
        return pd.DataFrame(columns=list(BASKET_COLUMNS))
    allw = pd.concat(rows, ignore_index=True).sort_values("weight", ascending=False)
    agg = allw.groupby(["id", "kind"], as_index=False, sort=False).agg(
        weight=("weight", "first"),
        importance_weight=("importance_weight", "first"),
        distinctiveness=("distinct", "first"),
        tie=("tie", lambda t: len(t) + t.sum()),
        occupations=("occupation", lambda s: sorted(set(s))),
        surfaces=("surfaces", lambda s: list(dict.fromkeys(x for xs in s for x in xs))),
    )
    picked = []
    # Equal weights are ordered by how many target occupations share the item, then
    # how many of their tasks lead to the activity, so the basket holds the central items.
    for kind, n in quotas.items():
        if n > 0:
            picked.append(
                agg[agg["kind"] == kind]
                .sort_values(["weight", "tie", "id"], ascending=[False, False, True])
                .head(n)
            )
    out = pd.concat(picked, ignore_index=True) if picked else agg.iloc[:0]
    out["label"] = out["id"].map(comps["label"])
    out["description"] = out["id"].map(comps["description"]).fillna("")
    out["source"] = "onet"
    out["postings"] = np.nan
    out["share"] = np.nan
    return (
        out[list(BASKET_COLUMNS)]
        .sort_values("weight", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def demand_from_postings(demand: pd.DataFrame, top: int = 30) -> pd.DataFrame:
    """Turn a :func:`align.postings.skill_demand` table into a demand basket.

    The weight of a skill is its ``share`` of matching postings; the ``top``
    skills by share are kept.

    Examples
    --------
    >>> d = pd.DataFrame({"skill_id": ["a", "b"], "skill_name": ["SQL", "Python"],
    ...                   "skill_type": ["Specialized Skill", "Software Skill"],
    ...                   "postings": [40, 10], "share": [0.4, 0.1]})
    >>> demand_from_postings(d)[["id", "label", "kind", "weight"]].values.tolist()
    [['postings:a', 'SQL', 'skill', 0.4], ['postings:b', 'Python', 'technology', 0.1]]
    """
    need = {"skill_name", "share"}
    if not need <= set(demand.columns):
        raise InvalidArgumentError(
            f"demand table has columns {list(demand.columns)}; expected at least "
            f"{sorted(need)} (the output of align.postings.skill_demand)."
        )
    d = demand.sort_values("share", ascending=False).head(top).reset_index(drop=True)
    ids = d["skill_id"].astype(str) if "skill_id" in d else d["skill_name"].astype(str)
    types = d["skill_type"].fillna("").astype(str).str.lower() if "skill_type" in d else ""
    return pd.DataFrame(
        {
            "id": "postings:" + ids,
            "label": d["skill_name"].astype(str),
            "description": "",
            "kind": pd.Series(types, index=d.index).map(_DEMAND_TYPE_KIND).fillna("skill"),
            "weight": d["share"].astype(float).clip(0, 1),
            "source": "postings",
            "occupations": [[] for _ in range(len(d))],
            "postings": d["postings"].astype(float) if "postings" in d else np.nan,
            "share": d["share"].astype(float),
            "importance_weight": d["share"].astype(float).clip(0, 1),
            "distinctiveness": np.nan,
            "surfaces": [[] for _ in range(len(d))],
        }
    )


def postings_demand(
    db: PathLike,
    occupations: Sequence[str] | Proposal | None = None,
    region: str | None = None,
) -> pd.DataFrame:
    """Look up what postings ask for, for a proposal's target occupations and region.

    Parameters
    ----------
    db : path
        The postings database (:func:`align.ingest_postings` writes it).
    occupations : Proposal or sequence of str, optional
        O*NET-SOC codes (or prefixes), or a proposal whose
        ``target_occupations`` (and, when ``region`` is None, ``region``) are used.
    region : str, optional
        State, MSA or county.

    Returns
    -------
    DataFrame
        The :func:`align.postings.skill_demand` table, every skill kept
        (``top=None``); pass it as ``demand=`` to :func:`align.score_alignment`
        or :func:`align.portfolio_coverage`.

    Raises
    ------
    ProposalError
        The database does not exist, or no postings match the occupations and region.
    """
    from pathlib import Path

    from align.postings import skill_demand

    if isinstance(occupations, Proposal):
        region = region if region is not None else occupations.region
        occupations = occupations.target_occupations
    codes = list(occupations or [])
    path = Path(db)
    if not path.exists():
        raise ProposalError(
            f"postings database {str(path)!r} does not exist; load postings first with "
            "align.ingest_postings (`align postings ingest FILE --db DB`), or score without "
            "postings demand to use O*NET importance ratings instead."
        )
    demand = skill_demand(path, occupation=codes or None, region=region, top=None)
    if demand.empty:
        where = f" in {region}" if region else ""
        raise ProposalError(
            f"no postings in {str(path)!r} match the target occupations {codes}{where}; "
            "check the region, or score without postings demand to use O*NET importance "
            "ratings."
        )
    return demand


def proposal_name(proposal: Proposal) -> str:
    """How messages name a proposal: its file, else its title."""
    return f"proposal {proposal.source!r}" if proposal.source else f"proposal {proposal.title!r}"


@dataclass(frozen=True)
class DemandBasket:
    """The demand step of scoring: what is demanded, where it came from, caveats.

    Attributes
    ----------
    table : DataFrame
        Columns :data:`BASKET_COLUMNS`, heaviest first.
    source : {"onet", "postings", "none"}
        Where the demand came from.
    notes : tuple of str
        Caveats to show with a score (no ratings for an occupation, an empty basket).
    """

    table: pd.DataFrame
    source: Literal["onet", "postings", "none"]
    notes: tuple[str, ...] = ()


def demand_basket(
    proposal: Proposal,
    onet: Framework | None = None,
    demand: pd.DataFrame | None = None,
    *,
    top_demand: int = 30,
    quotas: Mapping[str, int] | None = None,
    distinctive: bool = True,
) -> DemandBasket:
    """What a proposal's targets demand: postings demand when given, else O*NET ratings.

    Parameters
    ----------
    proposal : Proposal
        Its ``target_occupations`` select the O*NET demand.
    onet : Framework, optional
        A loaded O*NET; without it (and without ``demand``) the basket is empty.
    demand : DataFrame, optional
        A :func:`align.postings.skill_demand` table (see :func:`postings_demand`);
        its ``top_demand`` skills by share become the basket.
    top_demand : int
        Postings skills kept.
    quotas : mapping, optional
        O*NET items per kind (default :data:`DEMAND_QUOTAS`).
    distinctive : bool
        Weight O*NET items by how distinctive they are for the targets
        (:func:`demand_from_onet`).

    Returns
    -------
    DemandBasket

    Raises
    ------
    ProposalError
        A target occupation is not in O*NET.
    """
    codes = proposal.target_occupations
    notes: list[str] = []
    source: Literal["onet", "postings", "none"]
    try:
        if demand is not None:
            table = demand_from_postings(demand, top=top_demand)
            source = "postings"
        elif onet is not None and codes:
            table = demand_from_onet(onet, codes, quotas, distinctive=distinctive)
            source = "onet"
            acts = table[table["kind"] == "dwa"]
            with_acts = {c for occ in acts["occupations"] for c in occ}
            for code in codes:
                if code not in with_acts:
                    notes.append(
                        f"O*NET {onet.version} links no task statement of {code} to a work "
                        "activity; its demand comes from its hot technologies only."
                    )
        else:
            table = pd.DataFrame(columns=list(BASKET_COLUMNS))
            source = "none"
            notes.append(
                "no demand: the proposal names no target occupations and no postings "
                "were given, so demand coverage and relevance are 0."
            )
    except UnknownNameError as exc:
        raise ProposalError(f"{proposal_name(proposal)}: {exc}") from None
    if table.empty and source != "none":
        notes.append(
            "the demand basket is empty (no rated skills, activities or postings "
            "skills for the targets), so demand coverage and relevance are 0."
        )
    return DemandBasket(table, source, tuple(notes))
