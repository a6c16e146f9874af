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

from align._calibration import BANDS, band
from align._wording import outcome_specificity
from align.exceptions import InvalidArgumentError, UnknownNameError
from align.proposals._components import (
    COMPONENT_HELP,
    DEFAULT_WEIGHTS,
    balance_score,
    best_framework_credit,
    demand_coverage,
    item_coverage,
    overall,
    relevance_score,
)
from align.proposals._demand import DemandBasket
from align.proposals._model import Proposal
from align.proposals._settings import ScoreSettings
from align.reports._base import ReportMixin
from align.reports._render import CSS, cut, esc, html_table, pct, rows, visible

if TYPE_CHECKING:
    from rich.console import RenderableType

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
        return _alignment_html(self)

    def _rich_parts(self) -> list[Any]:
        return _alignment_rich(self)


# == building ====================================================================
def _n_postings(demand: pd.DataFrame) -> int:
    """Number of matching postings behind a postings basket (postings / share)."""
    if demand.empty or demand["postings"].isna().all():
        return 0
    share = demand["share"].to_numpy(float)
    posts = demand["postings"].to_numpy(float)
    ok = (share > 0) & np.isfinite(posts)
    return round(float(np.median(posts[ok] / share[ok]))) if ok.any() else 0


def _bootstrap(
    cred: np.ndarray,
    demand: pd.DataFrame,
    comps: dict[str, float],
    weights: dict[str, float],
    n_boot: int,
    seed: int,
) -> tuple[float, float] | None:
    """Percentile interval of the overall score, resampling postings.

    Each skill's posting count is redrawn as Binomial(N, share) for N matching
    postings (skills independently: the demand table holds counts, not which
    postings mention which skills); demand coverage is recomputed per draw.
    """
    if n_boot <= 0 or demand.empty or demand["postings"].isna().all():
        return None
    share = np.clip(demand["share"].to_numpy(float), 0, 1)
    n = _n_postings(demand)
    if n < 1 or not (share > 0).any():
        return None
    rng = np.random.default_rng(seed)
    draws = rng.binomial(n, share, size=(n_boot, len(share))) / n
    scores = [
        overall({**comps, "demand_coverage": demand_coverage(cred, w)}, weights) for w in draws
    ]
    lo, hi = np.percentile(scores, [2.5, 97.5])
    return float(lo), float(hi)


def _titles(onet: Framework | None, codes: list[str]) -> dict[str, str]:
    if onet is None:
        return {}
    occ = onet.occupations.set_index("code")["title"]
    return {c: str(occ.get(c, "")) for c in codes}


def _example(surfaces: Any, label: str) -> str:
    """The occupation's own wording of a demanded item (its first task statement)."""
    if isinstance(surfaces, list | tuple | np.ndarray) and len(surfaces):
        return str(surfaces[0])
    return str(label)


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
        _example(sf, lb) for sf, lb in zip(out["surfaces"], out["label"], strict=True)
    ]
    return out


def _hint(
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
    example = _example(table["surfaces"].iloc[j], table["label"].iloc[j])
    got = float(sc.credits[i].max())
    spec = float(sc.specificity[i])
    where = f" for {field_name}" if field_name else ""
    if spec < 1:
        sp = outcome_specificity("x")  # the generic wording of the specificity hint
        return (
            f"{sp.hint} In this field the nearest demanded work reads: '{example}'; write "
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
        hint, closest = _hint(i, sc, table, settings, field_name)
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


def _next_steps(
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
    steps: list[tuple[float, str]] = []
    if n and len(table):
        for i, o in enumerate(proposal.outcomes):
            if cred[i].max() >= 1:
                continue
            c2 = cred.copy()
            j = int(sc.meaning.standout[i].argmax())
            c2[i, j] = 1.0
            gain = (
                overall(
                    {
                        **comps,
                        "relevance": relevance_score(c2),
                        "demand_coverage": demand_coverage(c2, weights, acc),
                    },
                    w,
                )
                - score
            )
            what = "make it specific and" if sc.specificity[i] < 1 else ""
            steps.append(
                (
                    gain,
                    f"Rewrite {o.id} to {what} teach '{table['label'].iloc[j]}' outright: "
                    f"+{gain:.0f} points.".replace("to  teach", "to teach"),
                )
            )
        covered = cred.max(axis=0)
        for j in np.argsort(-weights)[:8]:
            if covered[j] > 0:
                continue
            c2 = np.vstack([cred, np.zeros(len(weights))])
            c2[-1, j] = 1.0
            a2 = np.vstack([acc, np.zeros(len(weights), dtype=bool)])
            gain = (
                overall(
                    {
                        **comps,
                        "relevance": relevance_score(c2),
                        "demand_coverage": demand_coverage(c2, weights, a2),
                    },
                    w,
                )
                - score
            )
            steps.append(
                (
                    gain,
                    f"Add an outcome for '{table['label'].iloc[j]}' (a heavily demanded "
                    f"item no outcome covers, e.g. '{_example(table['surfaces'].iloc[j], '')}'"
                    f"): +{gain:.0f} points.",
                )
            )
    if comps["balance"] < 1:
        gain = (
            overall({**comps, "balance": balance_score(2, 2, settings.balance_target)}, w) - score
        )
        steps.append(
            (
                gain,
                "Teach a professional competency as well (communicating results to a "
                "non-specialist audience, working in a team, leading, ...: NACE career "
                f"readiness) in a specific, assessed outcome: up to +{gain:.0f} points.",
            )
        )
    steps = [s for s in steps if s[0] >= 0.5]
    steps.sort(key=lambda s: -s[0])
    lead = []
    if nxt is not None:
        name = next(nm for nm, low in BANDS if low == nxt)
        lead = [f"{nxt - score:.0f} more points reach '{name}' ({nxt:.0f})."]
    return lead + [s[1] for s in steps[:4]] if steps else lead


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
    interval = (
        _bootstrap(sc.credits, table, sc.components, wts, settings.n_boot, settings.seed)
        if source == "postings"
        else None
    )
    n_post = _n_postings(table) if source == "postings" else 0
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
        next_steps=_next_steps(proposal, sc, table, settings, score),
        notes=notes,
    )


# == rendering ===================================================================
_SOURCES = {
    "onet": "O*NET: what the target occupations do (task statements and work activities) "
    "and the tools they use",
    "postings": "job postings",
    "none": "no demand data",
}


def _targets(report: AlignmentReport) -> str:
    titles = report.basis.occupation_titles
    codes = report.basis.target_occupations
    return ", ".join(f"{c} {titles.get(c, '')}".strip() for c in codes) or "none"


def _headline(report: AlignmentReport) -> str:
    ci = (
        f" (95% interval {report.interval[0]:.0f}-{report.interval[1]:.0f} over postings)"
        if report.interval
        else ""
    )
    moved = (
        f"; {report.unreviewed_overall:.0f} before the reviewed decisions"
        if abs(report.overall - report.unreviewed_overall) >= 0.5
        else ""
    )
    return f"{report.overall:.0f} / 100, {report.band}{ci}{moved}"


def _alignment_html(report: AlignmentReport) -> str:
    comps = report.components[["component", "value", "weight", "contribution", "meaning"]]
    demand = report.demand[["label", "kind", "weight", "coverage", "best_outcome", "example"]]
    outcomes = report.outcomes[
        [
            "outcome_id",
            "text",
            "best_demand",
            "best_demand_score",
            "specificity",
            "rewrite_hint",
            "aligned",
        ]
    ]
    fws = report.frameworks[["framework", "competencies_matched", "outcome_share", "competencies"]]
    notes = "".join(f"<li>{esc(n)}</li>" for n in report.notes)
    steps = "".join(f"<li>{esc(s)}</li>" for s in report.next_steps)
    return (
        f"{CSS}<div class='align-r'><h3>Workforce alignment: {esc(report.proposal)}</h3>"
        f"<p><b>{esc(_headline(report))}</b>. Targets: {esc(_targets(report))}; demand from "
        f"{esc(_SOURCES.get(report.basis.demand_source, report.basis.demand_source))}.</p>"
        + (f"<h4>What would move it</h4><ul>{steps}</ul>" if steps else "")
        + f"<h4>Score components</h4>{html_table(comps, bars=('value',))}"
        f"<small>{esc(_guide(report))}</small>"
        f"<h4>Demanded work and how well the outcomes cover it</h4>"
        f"{html_table(demand.head(30), bars=('coverage',))}"
        f"<h4>Outcomes</h4>{html_table(outcomes)}"
        f"<h4>Framework alignment</h4>{html_table(fws, bars=('outcome_share',))}"
        + (f"<h4>Notes</h4><ul>{notes}</ul>" if notes else "")
        + f"<small>credit from {report.settings.floor:.2f} (none) to "
        f"{report.settings.full:.2f} (full) standard deviations above a typical work "
        f"activity ({esc(report.basis.background)}); frameworks "
        f"{esc(report.basis.frameworks)}</small></div>"
    )


def _guide(report: AlignmentReport) -> str:
    w = report.settings.weights
    total = sum(w.values())
    parts = " + ".join(f"{w[k] / total:.2f} {k.replace('_', ' ')}" for k in DEFAULT_WEIGHTS)
    bands = ", ".join(f"{name} from {low:.0f}" for name, low in BANDS if low > 0)
    return f"overall = 100 x ({parts}); bands: {bands}; see docs/scoring.md."


def _colour(v: float) -> str:
    return "green" if v >= 0.67 else "yellow" if v >= 0.34 else "red"


def _alignment_rich(report: AlignmentReport) -> list[RenderableType]:
    """Rich renderables for ``align score``: a full, explained report."""
    from rich.panel import Panel
    from rich.table import Table as RichTable
    from rich.text import Text

    b = report.basis
    src = _SOURCES.get(b.demand_source, b.demand_source)
    if b.demand_source == "postings" and b.region:
        src += f" in {b.region}"
    head = Text.assemble(
        ("Overall alignment: ", "bold"),
        (_headline(report), "bold cyan"),
        visible(f"\nTarget occupations: {_targets(report)}\nDemand from: {src}"),
    )
    out: list[RenderableType] = [
        Panel(head, title=f"[b]{cut(report.proposal, 70)}[/b]", expand=False)
    ]
    if report.next_steps:
        out.append(
            Text.from_markup(
                "[b]What would move it[/b]\n"
                + "\n".join(f"- {cut(s, 400)}" for s in report.next_steps)
            )
        )
    comp = RichTable(title="How the score is made", title_justify="left", show_lines=False)
    for col in ("component", "value", "weight", "points", "what it measures"):
        comp.add_column(col, justify="right" if col in {"value", "weight", "points"} else "left")
    for r in rows(report.components):
        comp.add_row(
            r.component.replace("_", " "),
            f"[{_colour(r.value)}]{pct(r.value)}[/]",
            f"{r.weight:.2f}",
            f"{r.contribution:.1f}",
            r.meaning,
        )
    comp.add_row("[b]overall[/b]", "", "", f"[b]{report.overall:.1f}[/b]", "sum of the points")
    out.append(comp)
    oc = RichTable(
        title="Each outcome: what it earns and why", title_justify="left", show_lines=True
    )
    oc.add_column("outcome", no_wrap=True)
    oc.add_column("text", ratio=3)
    oc.add_column("best demanded work (standout; credit)", ratio=2)
    oc.add_column("aligned competencies (framework)", ratio=2)
    for r in rows(report.outcomes):
        best = (
            f"{cut(r.best_demand)} ({r.best_demand_standout:.1f} SD; credit "
            f"{r.best_demand_score:.2f})"
            if r.relevant
            else f"[red]none[/] (closest: {cut(r.best_demand)}, {r.best_demand_standout:.1f} SD)"
            if r.best_demand
            else "[red]none[/]"
        )
        text = cut(r.text, 400)
        if r.specificity < 1:
            text += (
                f"\n[yellow]specificity {r.specificity:.2f}: {cut(r.specificity_reason, 200)}.[/]"
            )
        if r.rewrite_hint:
            text += f"\n[dim]{cut(r.rewrite_hint, 400)}[/]"
        oc.add_row(cut(r.outcome_id, 20), text, best, cut(r.aligned, 300) or "[red]none[/]")
    out.append(oc)
    dm = RichTable(title="Demanded work: covered or not (heaviest first)", title_justify="left")
    for col in ("demanded", "kind", "weight", "coverage", "covered by"):
        dm.add_column(col, justify="right" if col in {"weight", "coverage"} else "left")
    for r in rows(report.demand.head(25)):
        cov = float(r.coverage)
        dm.add_row(
            cut(r.label, 60),
            cut(r.kind),
            f"{r.weight:.2f}",
            f"[{_colour(cov)}]{pct(cov)}[/]",
            cut(r.best_outcome) if r.best_outcome else "[red]gap[/]",
        )
    out.append(dm)
    fw = RichTable(title="Framework alignment", title_justify="left")
    for col in ("framework", "competencies matched", "outcomes aligned", "competencies"):
        fw.add_column(col)
    for r in rows(report.frameworks):
        fw.add_row(
            cut(f"{r.framework} {r.version}"),
            str(r.competencies_matched),
            pct(r.outcome_share),
            cut(", ".join(r.competencies[:8]) + (" ..." if len(r.competencies) > 8 else ""), 300),
        )
    out.append(fw)
    s = report.settings
    lines = [
        "[b]How to read this[/b]",
        "- Credit by meaning: an outcome earns credit for a demanded activity when the "
        "activity stands out among all of O*NET's work activities for that outcome "
        f"(none below {s.floor:.2f} standard deviations, full from {s.full:.2f}), times "
        "the outcome's specificity. Shared words alone earn nothing; named tools count.",
        "- Relevance: mean over outcomes of their best credit. Demand coverage: the "
        "heaviest demanded items a credential of this size could cover, covered or not.",
        f"- Balance: professional ({b.professional_aligned} aligned: NACE, CMC tiers 1-3) "
        f"and demanded technical ({b.technical_aligned} covered) competencies, "
        f"{s.balance_target} of each for full marks; vague outcomes do not count.",
        f"- {_guide(report)}",
    ]
    lines += [f"[yellow]note:[/] {cut(n, 400)}" for n in report.notes]
    out.append(Text.from_markup("\n".join(lines)))
    return out
