"""Demand: what the target occupations (or the postings of a region) ask for.

A *demand basket* is a table of demanded competencies with a weight each
(columns :data:`BASKET_COLUMNS`). It comes from O*NET importance ratings of
the target occupations (:func:`demand_from_onet`) or from job postings
(:func:`demand_from_postings` over :func:`align.postings.skill_demand`;
:func:`postings_demand` looks that table up for a proposal). Scoring,
stacking gaps and the portfolio view all read demand through this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

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
    "postings_demand",
]

#: O*NET kinds used as demand, and how many of each enter the basket by default.
DEMAND_QUOTAS: dict[str, int] = {"skill": 10, "knowledge": 5, "dwa": 10, "technology": 5}
#: Weights for O*NET items that carry no importance rating (see docs/scoring.md).
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
)


def demand_from_onet(
    onet: Framework, occupations: Sequence[str], quotas: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """The target occupations' demanded competencies from O*NET ratings.

    Skills and knowledge weigh ``(importance - 1) / 4`` (O*NET IM, 1-5).
    Tasks carry no importance in every release, so DWAs (reached through the
    occupation's tasks) weigh by their best task: core 0.75, supplemental
    0.4, unrated (no task type published) 0.75; hot technologies weigh 0.5.
    An item takes the strongest weight any target occupation gives it, and the
    top items of each kind
    enter the basket (``quotas``, default :data:`DEMAND_QUOTAS`).

    Returns
    -------
    DataFrame
        Columns ``id``, ``label``, ``description``, ``kind``, ``weight``,
        ``source`` ("onet"), ``occupations`` (codes requiring it),
        ``postings`` and ``share`` (NaN here); heaviest first.
    """
    quotas = dict(DEMAND_QUOTAS if quotas is None else quotas)
    rel = onet.relations
    dwa_ids = set(onet.competencies.loc[onet.competencies["kind"] == "dwa", "id"])
    task_dwa = rel[(rel["relation"] == "related") & rel["target_id"].isin(dwa_ids)]
    comps = onet.competencies.set_index("id")
    req = rel[rel["relation"] == "requires"]
    # How many occupations in the targets' SOC major groups (15-, 29-, ...) use each
    # technology: ranks Python and SQL above office suites for data occupations.
    groups = tuple(f"{onet.key}:{c[:3]}" for c in occupations)
    popularity = req.loc[req["source_id"].str.startswith(groups), "target_id"].value_counts()
    rows: list[pd.DataFrame] = []
    for code in occupations:
        prof = _profile(onet, code)
        parts = []
        rated = prof[prof["kind"].isin(["skill", "knowledge"])][["id", "kind", "weight"]]
        parts.append(rated.dropna(subset=["weight"]))
        tasks = prof[prof["kind"] == "task"]
        if len(tasks):
            tw = tasks.assign(
                weight=tasks["weight"].where(
                    tasks["weight"].notna(),
                    tasks["detail"].str.lower().map(TASK_WEIGHTS).fillna(0.5),
                )
            )
            link = task_dwa[["source_id", "target_id"]].merge(
                tw[["id", "weight"]], left_on="source_id", right_on="id"
            )
            dwa = (
                link.groupby("target_id")
                .agg(weight=("weight", "max"), tie=("source_id", "nunique"))
                .reset_index()
            )
            dwa["tie"] = dwa["tie"] / 1e3
            dwa = dwa.rename(columns={"target_id": "id"}).assign(kind="dwa")
            parts.append(dwa[["id", "kind", "weight", "tie"]])
        tech = prof[(prof["kind"] == "technology") & (prof["detail"].str.lower() == "hot")]
        parts.append(
            tech[["id", "kind"]].assign(
                weight=HOT_TECH_WEIGHT, tie=tech["id"].map(popularity).fillna(0) / 1e6
            )
        )
        occ = pd.concat(parts, ignore_index=True).assign(occupation=code)
        occ["tie"] = occ["tie"].fillna(0) if "tie" in occ else 0
        rows.append(
            occ.groupby(["id", "kind", "occupation"], as_index=False).agg(
                weight=("weight", "max"), tie=("tie", "max")
            )
        )
    if not rows:
        return pd.DataFrame(columns=list(BASKET_COLUMNS))
    allw = pd.concat(rows, ignore_index=True)
    agg = allw.groupby(["id", "kind"], as_index=False).agg(
        weight=("weight", "max"),
        tie=("tie", lambda t: len(t) + t.sum()),
        occupations=("occupation", lambda s: sorted(set(s))),
    )
    picked = []
    # Equal weights (all core tasks' DWAs, all hot technologies) are ordered by how
    # many target occupations share the item, then how many of their tasks lead to
    # the DWA or how many occupations of the same SOC major groups use the technology,
    # so the basket holds the central items, not the first ids.
    for kind, n in quotas.items():
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
            table = demand_from_onet(onet, codes, quotas)
            source = "onet"
            for code in codes:
                kinds = set(_profile(onet, code)["kind"])
                if not {"skill", "knowledge"} & kinds:
                    notes.append(
                        f"O*NET {onet.version} has no skill or knowledge importance ratings "
                        f"for {code}; its demand comes from its tasks' work activities and "
                        "hot technologies only."
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
