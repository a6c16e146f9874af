"""The alignment report: the score, its band, the evidence, and what would move it.

:func:`build_report` turns what the pipeline computed (:class:`Scored`) into an
:class:`AlignmentReport`: tables analysts export, the explanation faculty read
(per outcome: what it earned and why, a rewrite hint from its own field) and the
next steps that would move the score into the next band. Rendering (Jupyter, HTML
files, the terminal) is here too, built from the generic pieces of
:mod:`align.reports._render`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from align._calibration import band
from align._wording import outcome_specificity
from align.exceptions import InvalidArgumentError, UnknownNameError
from align.proposals._components import (
    COMPONENT_HELP,
    DEFAULT_WEIGHTS,
    best_framework_credit,
    item_coverage,
    overall,
)
from align.proposals._demand import DemandBasket
from align.proposals._explain import example_wording, next_steps, rewrite_hint
from align.proposals._model import Proposal
from align.proposals._report_view import alignment_html, alignment_rich
from align.proposals._settings import ScoreSettings
from align.reports._base import ReportMixin

if TYPE_CHECKING:
    from align._meaning import Meaning
    from align.frameworks import Framework

__all__ = ["TABLES", "AlignmentReport", "ScoreBasis", "Scored", "build_report"]

Table = Literal["components", "demand", "outcomes", "matches", "frameworks", "competencies"]
#: Tables an AlignmentReport exports with ``to_frame``.
TABLES: dict[str, str] = {
    "components": "one row per score component: value, weight, contribution, meaning",
    "demand": "one row per demanded item: weight, coverage, best outcome, example wording",
    "outcomes": "one row per outcome: what it earned, why, and how to rewrite it",
    "matches": "one row per outcome x aligned competency, with the explanation",
    "frameworks": "one row per chosen framework: competencies matched, share of outcomes",
    "competencies": "one row per aligned competency: best score, coverage, outcomes",
}


@dataclass(frozen=True)
class Scored:
    """What the scoring pipeline computed, handed to :func:`build_report`."""

    credits: np.ndarray
    meaning: Meaning
    specificity: np.ndarray
    matches: pd.DataFrame
    components: dict[str, float]
    unreviewed: dict[str, float]
    accepted: np.ndarray | None = None


@dataclass(frozen=True)
class ScoreBasis:
    """What a score rests on (shown with it, exported with it).

    Attributes
    ----------
    demand_source : {"onet", "postings", "none"}
        Where the demand came from.
    postings : int
        Matching postings behind a postings demand (0 otherwise).
    region : str or None
        Region of the postings demand.
    target_occupations : list of str
        O*NET-SOC codes.
    occupation_titles : dict
        Code -> title.
    frameworks : dict
        Framework key -> version, for every framework scored.
    model : str or None
        Embedding model (``None``: the default).
    background : str
        What standouts are read against.
    professional_aligned, technical_aligned : int
        Distinct professional competencies and demanded items with credit.
    professional_weighted, technical_weighted : float
        The same counted by credit (what balance uses).
    """

    demand_source: str
    postings: int
    region: str | None
    target_occupations: list[str]
    occupation_titles: dict[str, str]
    frameworks: dict[str, str]
    model: str | None
    background: str
    professional_aligned: int
    technical_aligned: int
    professional_weighted: float
    technical_weighted: float

    def to_dict(self) -> dict[str, Any]:
        """The basis as plain data."""
        return dict(self.__dict__)


@dataclass
class AlignmentReport(ReportMixin):
    """The workforce alignment of one proposal: score, band, components and evidence.

    Attributes
    ----------
    proposal : str
        Title of the proposal.
    overall : float
        The overall score, 0-100.
    band : str
        ``well aligned``, ``partly aligned`` or ``not aligned`` (:data:`align._calibration.BANDS`).
    interval : tuple of float or None
        95% bootstrap interval of the overall score over postings (postings demand only).
    components : DataFrame
        ``component``, ``value`` (0-1), ``weight``, ``contribution`` (points),
        ``meaning``.
    demand : DataFrame
        The demand basket (:data:`align.proposals.BASKET_COLUMNS`) with ``coverage``
        (0-1), ``best_outcome``, ``best_score`` (similarity), ``best_standout`` and
        ``example`` (the occupation's own wording of the activity).
    outcomes, matches, frameworks : DataFrame
        See :data:`TABLES`.
    settings : ScoreSettings
        How it was scored.
    basis : ScoreBasis
        What the score rests on.
    unreviewed_overall : float
        The overall score before the faculty decisions in the proposal's alignments
        (equal to ``overall`` when there are none).
    next_steps : list of str
        What would move the score into the next band, largest gain first.
    notes : list of str
        Caveats (e.g. few postings).
    """

    proposal: str
    overall: float
    band: str
    interval: tuple[float, float] | None
    components: pd.DataFrame
    demand: pd.DataFrame
    outcomes: pd.DataFrame
    matches: pd.DataFrame
    frameworks: pd.DataFrame
    settings: ScoreSettings
    basis: ScoreBasis
    unreviewed_overall: float
    next_steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def component(self, name: str) -> float:
        """Value (0-1) of one component."""
        hit = self.components[self.components["component"] == name]
        if hit.empty:
            raise UnknownNameError(
                f"component {name!r} is not in the report; use one of {list(DEFAULT_WEIGHTS)}."
            )
        return float(hit["value"].iloc[0])

    def aligned_competencies(self, klass: str | None = None) -> pd.DataFrame:
        """Distinct competencies aligned (credit > 0), best first.

        ``klass`` keeps only ``professional`` or ``technical`` ones. Columns
        ``framework``, ``id``, ``label``, ``kind``, ``class``, ``score`` (best
        similarity), ``coverage`` (best credit) and ``outcomes`` (ids of the outcomes
        that earn credit).
        """
        m = self.matches[self.matches["credit"] > 0]
        if klass is not None:
            if klass not in {"professional", "technical"}:
                raise InvalidArgumentError(
                    f"klass={klass!r}; expected 'professional' or 'technical'."
                )
            m = m[m["class"] == klass]
        cols = ["framework", "id", "label", "kind", "class", "score"]
        best = m.sort_values("credit", ascending=False).drop_duplicates("id")
        outs = m.groupby("id")["outcome_id"].agg(lambda s: sorted(set(s)))
        out = best[cols].copy()
        out["coverage"] = best["credit"].to_numpy(float)
        out["outcomes"] = out["id"].map(outs)
        return out.reset_index(drop=True)

    @property
    def competencies(self) -> pd.DataFrame:
        """Every aligned competency (see :meth:`aligned_competencies`)."""
        return self.aligned_competencies()

    def to_frame(self, table: Table = "demand") -> pd.DataFrame:
        """One of the report's tables (see :data:`TABLES`); default the demand coverage."""
        if table not in TABLES:
            raise InvalidArgumentError(f"table={table!r}; expected one of {list(TABLES)}.")
        return getattr(self, table).copy()

    def to_dict(self) -> dict[str, Any]:
        """The whole report as plain data."""

        def records(df: pd.DataFrame) -> list[dict[str, Any]]:
            return json.loads(df.to_json(orient="records", default_handler=str))

        return {
            "proposal": self.proposal,
            "overall": round(self.overall, 2),
            "band": self.band,
            "unreviewed_overall": round(self.unreviewed_overall, 2),
            "interval": list(self.interval) if self.interval else None,
            "components": records(self.components),
            "demand": records(self.demand),
            "outcomes": records(self.outcomes),
            "matches": records(self.matches),
            "frameworks": records(self.frameworks),
            "competencies": records(self.competencies),
            "next_steps": self.next_steps,
            "settings": self.settings.to_dict(),
            "basis": self.basis.to_dict(),
            "notes": self.notes,
        }

    def _title(self) -> str:
        return self.proposal

    def _html(self) -> str:
        return alignment_html(self)

    def _rich_parts(self) -> list[Any]:
        return alignment_rich(self)


# == building ====================================================================
def n_postings(demand: pd.DataFrame) -> int:
    """Number of matching postings behind a postings basket (postings / share)."""
    if demand.empty or demand["postings"].isna().all():
        return 0
    share = demand["share"].to_numpy(float)
    posts = demand["postings"].to_numpy(float)
    ok = (share > 0) & np.isfinite(posts)
    return round(float(np.median(posts[ok] / share[ok]))) if ok.any() else 0


def _titles(onet: Framework | None, codes: list[str]) -> dict[str, str]:
    if onet is None:
        return {}
    occ = onet.occupations.set_index("code")["title"]
    return {c: str(occ.get(c, "")) for c in codes}


def _demand_table(table: pd.DataFrame, sc: Scored, ids: list[str]) -> pd.DataFrame:
    out = table.copy()
    n = len(ids)
    if not len(out):
        return out.assign(coverage=[], best_outcome=[], best_score=[], best_standout=[], example=[])
    cred = sc.credits
    best_i = cred.argmax(axis=0) if n else np.zeros(len(out), int)
    cols = np.arange(len(out))
    cov, who = item_coverage(cred, out["weight"].to_numpy(float), sc.accepted)
    out["coverage"] = cov if n else np.zeros(len(out))
    out["best_outcome"] = [ids[i] if n and i >= 0 else "" for i in who]
    out["best_score"] = sc.meaning.cosine[best_i, cols] if n else 0.0
    out["best_standout"] = sc.meaning.standout[best_i, cols] if n else 0.0
    out["example"] = [
        example_wording(sf, lb) for sf, lb in zip(out["surfaces"], out["label"], strict=True)
    ]
    return out


def _outcomes_table(
    proposal: Proposal,
    sc: Scored,
    table: pd.DataFrame,
    settings: ScoreSettings,
    field_name: str,
) -> pd.DataFrame:
    n = len(proposal.outcomes)
    best_fw = best_framework_credit(sc.matches, n)
    hits = sc.matches[sc.matches["credit"] > 0]
    out_rows = []
    for i, o in enumerate(proposal.outcomes):
        j = int(sc.credits[i].argmax()) if len(table) else -1
        if j >= 0 and sc.credits[i, j] <= 0:
            j = int(sc.meaning.standout[i].argmax())
        mine = hits[hits["query_index"] == i].sort_values("credit", ascending=False)
        sp = outcome_specificity(o.text)
        hint, closest = rewrite_hint(i, sc, table, settings, field_name)
        surface = str(sc.meaning.surface[i, j]) if j >= 0 else ""
        label = str(table["label"].iloc[j]) if j >= 0 else ""
        out_rows.append(
            {
                "outcome_id": o.id,
                "text": o.text,
                "relevant": bool(sc.credits[i].max() > 0) if len(table) else False,
                "best_demand": label,
                "best_demand_score": float(sc.credits[i, j]) if j >= 0 else 0.0,
                "best_demand_similarity": float(sc.meaning.cosine[i, j]) if j >= 0 else 0.0,
                "best_demand_standout": float(sc.meaning.standout[i, j]) if j >= 0 else 0.0,
                "via": surface if surface.strip().lower() != label.strip().lower() else "",
                "closest_demands": closest,
                "specificity": float(sc.specificity[i]),
                "specificity_reason": sp.reason if sc.specificity[i] < 1 else "",
                "rewrite_hint": hint,
                "framework_credit": float(best_fw[i]),
                "aligned": ", ".join(
                    f"{lb} ({fk})"
                    for lb, fk in zip(mine["label"].head(4), mine["framework"].head(4), strict=True)
                ),
            }
        )
    return pd.DataFrame(
        out_rows,
        columns=[
            "outcome_id",
            "text",
            "relevant",
            "best_demand",
            "best_demand_score",
            "best_demand_similarity",
            "best_demand_standout",
            "via",
            "closest_demands",
            "specificity",
            "specificity_reason",
            "rewrite_hint",
            "framework_credit",
            "aligned",
        ],
    )


def _frameworks_table(aligned: list[Framework], matches: pd.DataFrame, n: int) -> pd.DataFrame:
    hits = matches[matches["credit"] > 0]
    rows_ = []
    for f in aligned:
        h = hits[hits["framework"] == f.key]
        rows_.append(
            {
                "framework": f.key,
                "name": f.info.name,
                "version": f.info.version,
                "competencies_matched": int(h["id"].nunique()),
                "outcome_share": float(h["query_index"].nunique() / n) if n else 0.0,
                "competencies": sorted(set(h["label"])),
            }
        )
    return pd.DataFrame(
        rows_,
        columns=[
            "framework",
            "name",
            "version",
            "competencies_matched",
            "outcome_share",
            "competencies",
        ],
    )


def _cov(sc: Scored, table: pd.DataFrame) -> np.ndarray:
    if not sc.credits.size:
        return np.zeros(0)
    return item_coverage(sc.credits, table["weight"].to_numpy(float), sc.accepted)[0]


def build_report(
    proposal: Proposal,
    basket: DemandBasket,
    sc: Scored,
    *,
    aligned: list[Framework],
    frameworks: list[Framework],
    onet: Framework | None,
    settings: ScoreSettings,
    model: str | None,
    background: str,
    interval: tuple[float, float] | None = None,
) -> AlignmentReport:
    """The report step: tables, overall, band, interval, explanations and next steps."""
    ids = [o.id for o in proposal.outcomes]
    codes = list(proposal.target_occupations)
    table, source = basket.table, basket.source
    notes = [*proposal.notes, *basket.notes]
    titles = _titles(onet, codes)
    field_name = ", ".join(t for t in titles.values() if t)
    wts = dict(settings.weights)
    total_w = sum(wts.values())
    components = pd.DataFrame(
        [
            {
                "component": k,
                "value": sc.components[k],
                "weight": wts[k] / total_w,
                "contribution": 100 * wts[k] / total_w * sc.components[k],
                "meaning": COMPONENT_HELP[k],
            }
            for k in DEFAULT_WEIGHTS
        ]
    )
    score = overall(sc.components, wts)
    n_post = n_postings(table) if source == "postings" else 0
    if source == "postings" and 0 < n_post < 30:
        notes.append(
            f"only {n_post} postings match the target occupations and region; "
            "treat the demand (and the score) as a rough estimate."
        )
    region = settings.region or proposal.region
    if source == "postings" and settings.region is None and proposal.region:
        notes.append(
            f"the proposal names region {proposal.region!r}; make sure the postings "
            "demand was drawn for it."
        )
    hits = sc.matches[sc.matches["credit"] > 0]
    prof = hits[hits["class"] == "professional"]
    basis = ScoreBasis(
        demand_source=source,
        postings=n_post,
        region=region,
        target_occupations=codes,
        occupation_titles=titles,
        frameworks={f.key: f.info.version for f in frameworks},
        model=model,
        background=background,
        professional_aligned=int(prof["id"].nunique()),
        technical_aligned=int((_cov(sc, table) > 0).sum()),
        professional_weighted=float(prof.groupby("id")["credit"].max().sum()),
        technical_weighted=float(_cov(sc, table).sum()),
    )
    return AlignmentReport(
        proposal=proposal.title,
        overall=score,
        band=band(score),
        interval=interval,
        components=components,
        demand=_demand_table(table, sc, ids),
        outcomes=_outcomes_table(proposal, sc, table, settings, field_name),
        matches=sc.matches,
        frameworks=_frameworks_table(aligned, sc.matches, len(ids)),
        settings=settings,
        basis=basis,
        unreviewed_overall=overall(sc.unreviewed, wts),
        next_steps=next_steps(proposal, sc, table, settings, score),
        notes=notes,
    )
