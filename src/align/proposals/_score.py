"""Workforce alignment score of a micro-credential proposal.

:func:`score_alignment` matches each learning outcome to the competencies the
target occupations demand and to the chosen frameworks, and combines four
components into an overall 0-100 score. Every component is shown; the formula
is in ``docs/scoring.md`` and restated here.

Credit of one match
    ``x = clip(s + 0.15 * overlap, 0, 1)`` for a matcher score ``s`` and the
    share of the competency label's content words the outcome contains
    (:mod:`align._calibration`), then
    ``credit = clip((x - floor) / (full - floor), 0, 1) * specificity_i``:
    no credit below ``floor`` (0.30), full credit from ``full`` (0.42, the
    median of O*NET's analyst-linked task -> activity pairs), times the
    outcome's specificity (:mod:`align._wording`; 1 for a measurable verb
    with a concrete object, about 0.1 for "Understand the importance of X").
Demand coverage ``D``
    Over the target's top demanded competencies ``j`` with demand weight
    ``w_j`` (postings share, or O*NET importance times distinctiveness),
    ``c_j = max_i credit_ij`` over outcomes ``i`` and
    ``D = sum_j w_j c_j / sum_j w_j``.
Relevance ``R``
    Mean over outcomes of their best credit against a demanded competency.
Framework alignment ``F``
    Mean over outcomes of the best credit against any competency of the
    chosen frameworks (how clearly each outcome maps to a recognised
    competency); per framework, the competencies matched are listed.
Balance ``B``
    ``sqrt(min(1, P / k) * min(1, T / k))`` with ``P`` professional
    competencies aligned (NACE, CMC tiers 1-3), ``T`` technical ones (O*NET,
    ESCO, Lightcast, CMC tiers 4-5), each counted with its best credit, and
    ``k`` = ``balance_target`` (2).
Overall
    ``100 * (0.45 D + 0.30 R + 0.10 F + 0.15 B)`` (weights configurable; chosen
    on the dev half of ``benchmarks/validity_score.py``).

No outcomes gives 0 everywhere; adding an outcome never lowers ``D``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from align._calibration import (
    CREDIT_FLOOR,
    CREDIT_FULL,
    content_words,
    credit_scores,
    overlap_matrix,
)
from align._config import METHODS, Method, PathLike
from align._match import MATCH_COLUMNS, Matcher
from align._professional import professional_matches
from align._wording import outcome_specificity
from align.exceptions import (
    InvalidArgumentError,
    ProposalError,
    UnknownNameError,
)
from align.frameworks import KINDS, Framework, FrameworkInfo, load_framework
from align.proposals._demand import DemandBasket, _profile, demand_basket, proposal_name
from align.proposals._model import Proposal
from align.reports._base import ReportMixin
from align.reports._render import alignment_html, alignment_rich

__all__ = [
    "DEFAULT_WEIGHTS",
    "MATCHES_LEAD",
    "AlignmentReport",
    "apply_reviews",
    "balance_score",
    "competency_class",
    "coverage_matrix",
    "credit",
    "demand_coverage",
    "outcome_matches",
    "relevance_score",
    "score_alignment",
    "score_components",
    "similarity_matrix",
]

logger = logging.getLogger(__name__)

#: Components of the overall score and their default weights.
DEFAULT_WEIGHTS: dict[str, float] = {
    "demand_coverage": 0.45,
    "relevance": 0.30,
    "framework_alignment": 0.10,
    "balance": 0.15,
}
COMPONENT_HELP: dict[str, str] = {
    "demand_coverage": "demand-weighted share of the target's top demanded skills that some "
    "outcome covers (partial credit by calibrated match score and outcome specificity)",
    "relevance": "how well the outcomes teach something demanded (mean best credit per outcome)",
    "framework_alignment": "how clearly each outcome maps to a competency of the chosen "
    "frameworks (mean best credit per outcome)",
    "balance": "professional (NACE, CMC tiers 1-3) and technical competencies both aligned "
    "(counted by credit)",
}
#: Kinds of an occupation's profile used to align outcomes (abilities and work
#: styles are traits, not something a course teaches).
PROFILE_KINDS: tuple[str, ...] = ("skill", "knowledge", "dwa", "task", "technology")
_PROFESSIONAL_FRAMEWORKS = {"nace"}
_TIERED_FRAMEWORKS = {"cmc"}


# == the math (pure functions on arrays) ======================================
def credit(
    scores: np.ndarray | float, floor: float = CREDIT_FLOOR, full: float = CREDIT_FULL
) -> np.ndarray:
    """Partial credit of matcher scores: 0 below ``floor``, 1 from ``full``, linear between.

    Examples
    --------
    >>> credit(np.array([0.2, 0.6, 0.9]), floor=0.4, full=0.8).round(2).tolist()
    [0.0, 0.5, 1.0]
    """
    if not 0 <= floor < full <= 1:
        raise InvalidArgumentError(
            f"floor={floor} and full={full}; expected 0 <= floor < full <= 1 (e.g. 0.30, 0.42)."
        )
    s = np.asarray(scores, dtype=float)
    return np.clip((s - floor) / (full - floor), 0.0, 1.0)


def demand_coverage(credits: np.ndarray, weights: np.ndarray) -> float:
    """Demand-weighted coverage from an outcomes x demanded-items credit matrix.

    ``c_j = max_i credits[i, j]`` (0 with no outcomes), result
    ``sum_j w_j c_j / sum_j w_j`` in [0, 1] (0 when all weights are 0).

    Examples
    --------
    >>> demand_coverage(np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([3.0, 1.0]))
    0.875
    """
    w = np.clip(np.asarray(weights, dtype=float), 0, None)
    c = np.asarray(credits, dtype=float).reshape(-1, len(w))
    if c.shape[0] == 0 or w.sum() <= 0:
        return 0.0
    return float(np.clip((w * c.max(axis=0)).sum() / w.sum(), 0.0, 1.0))


def relevance_score(credits: np.ndarray) -> float:
    """Mean over outcomes (rows) of their best credit against a demanded item (columns).

    An outcome that fully teaches something demanded counts 1, a loose or vague
    one only its partial credit.

    Examples
    --------
    >>> relevance_score(np.array([[0.0, 0.2], [0.0, 1.0]]))
    0.6
    """
    c = np.asarray(credits, dtype=float)
    if c.ndim != 2 or c.shape[0] == 0 or c.shape[1] == 0:
        return 0.0
    return float(np.clip(c.max(axis=1), 0, 1).mean())


def balance_score(n_professional: float, n_technical: float, target: int = 2) -> float:
    """Balance of professional and technical competencies aligned, in [0, 1].

    ``sqrt(min(1, P / target) * min(1, T / target))``: 1 when both reach the
    target, 0 when either is absent. ``P`` and ``T`` are credit-weighted counts
    (the sum of the best credit of each distinct competency aligned), so a
    competency matched loosely or by a vague outcome counts only in part.

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


def _overall(components: Mapping[str, float], weights: Mapping[str, float]) -> float:
    total = sum(weights.values())
    return 100.0 * sum(weights[k] * components[k] for k in weights) / total


def competency_class(framework: str, kind: str, level: Any = None) -> str:
    """``professional`` or ``technical``: how the balance and policy checks count a competency.

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


# == matching =================================================================
def _restrict(fw: Framework, occupations: Sequence[str]) -> Framework:
    """O*NET cut down to what the target occupations require (+ their DWAs); others
    without their grouping nodes."""
    # Target occupations are O*NET-SOC codes, so only O*NET can be cut to them; other
    # frameworks (NACE, CMC, an imported ESCO) are matched whole.
    if fw.key != "onet" or fw.occupations.empty or not occupations:
        # Grouping nodes (CMC tiers, ESCO skill groups) are headings, not competencies.
        if (fw.competencies["kind"] == "area").any():
            keep = fw.competencies[fw.competencies["kind"] != "area"]
            return Framework(replace(fw.info), keep)
        return fw
    ids: set[str] = set()
    for code in occupations:
        prof = _profile(fw, code)
        prof = prof[prof["kind"].isin(PROFILE_KINDS)]
        # Non-hot technology examples are hundreds of product names; keep the hot ones.
        prof = prof[(prof["kind"] != "technology") | (prof["detail"].str.lower() == "hot")]
        ids |= set(prof["id"])
    rel = fw.relations
    dwas = rel[(rel["relation"] == "related") & rel["source_id"].isin(ids)]["target_id"]
    ids |= set(dwas)
    comps = fw.competencies[fw.competencies["id"].isin(ids)]
    return Framework(replace(fw.info), comps)


def _demand_framework(demand: pd.DataFrame) -> Framework:
    info = FrameworkInfo(
        key="demand",
        name="Demanded skills",
        publisher="",
        version="",
        source_url="",
        licence="",
        attribution="",
    )
    comps = pd.DataFrame(
        {
            "id": demand["id"],
            "framework": "demand",
            "code": demand["id"],
            "label": demand["label"],
            "description": demand.get("description", ""),
            "alt_labels": demand.get("alt_labels", None),
            "kind": (
                demand["kind"] if "kind" in demand else pd.Series("skill", demand.index)
            ).where(lambda k: k.isin(list(KINDS)), "skill"),
        }
    )
    return Framework(info, comps)


def similarity_matrix(
    texts: Sequence[str], items: pd.DataFrame, *, method: str = "hybrid", embedder: Any = None
) -> np.ndarray:
    """Matcher scores of every text against every item (rows: texts, columns: items).

    ``items`` needs ``id``, ``label`` and optionally ``description`` and
    ``kind`` columns (a demand basket or a target competency list).
    """
    sims = np.zeros((len(texts), len(items)))
    if not len(texts) or not len(items):
        return sims
    m = _matcher([_demand_framework(items)], method, embedder)
    table = m.match(list(texts), top_k=len(items), min_score=0.0)
    pos = {cid: j for j, cid in enumerate(items["id"])}
    for r in table.itertuples(index=False):
        j = pos.get(r.id)
        if j is not None:
            sims[int(r.query_index), j] = max(sims[int(r.query_index), j], float(r.score))
    return sims


def coverage_matrix(
    credentials: Sequence[Proposal],
    items: pd.DataFrame,
    *,
    method: str = "hybrid",
    embedder: Any = None,
    floor: float = CREDIT_FLOOR,
    full: float = CREDIT_FULL,
    specificity: bool = True,
    calibrated: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Credit of each credential's best outcome for each item.

    Credits are computed as in :func:`score_alignment`: the calibrated credit
    score (matcher score plus content-word overlap) on the credit ramp, times
    the outcome's specificity.

    Returns
    -------
    coverage : ndarray
        ``(items, credentials)`` credits in [0, 1].
    sims : ndarray
        ``(outcomes, items)`` credit scores, outcomes in credential order.
    owner : ndarray
        Index of the credential of each outcome row of ``sims``.
    """
    texts = [o.text for p in credentials for o in p.outcomes]
    owner = np.array([i for i, p in enumerate(credentials) for _ in p.outcomes], dtype=int)
    raw = similarity_matrix(texts, items, method=method, embedder=embedder)
    sims = (
        credit_scores(raw, overlap_matrix(texts, items["label"].astype(str).tolist()))
        if raw.size and calibrated
        else raw
    )
    spec = np.array(
        [outcome_specificity(t).score if specificity else 1.0 for t in texts], dtype=float
    )
    credits = credit(sims, floor, full) * spec[:, None] if sims.size else sims
    cov = np.zeros((len(items), len(credentials)))
    for c in range(len(credentials)):
        rows = credits[owner == c]
        if len(rows):
            cov[:, c] = rows.max(axis=0)
    return cov, sims, owner


def _matcher(frameworks: Sequence[Framework], method: Any, embedder: Any) -> Any:
    # The frameworks here are already cut to what is scored (a demand basket, occupation
    # profiles with their tasks and technology): every kind in them counts.
    return Matcher(list(frameworks), method=method, kinds="all", embedder=embedder).fit()


def _explain(row: Any) -> str:
    via = ""
    surface = str(getattr(row, "matched_surface", "") or "")
    if surface and surface.strip().lower() != str(row.label).strip().lower():
        via = f" via '{surface[:60]}'"
    sem = getattr(row, "semantic_score", np.nan)
    lex = getattr(row, "lexical_score", np.nan)
    parts = []
    if pd.notna(sem):
        parts.append(f"meaning {sem:.2f}")
    if pd.notna(lex):
        parts.append(f"wording {lex:.2f}")
    shared = sorted(
        content_words(str(getattr(row, "query", ""))) & content_words(surface or str(row.label))
    )
    if shared:
        parts.append("shared words: " + ", ".join(shared[:6]))
    return f"matched{via} ({'; '.join(parts)})" if parts else f"matched{via}"


# == the report ================================================================
Table = Literal["components", "demand", "outcomes", "matches", "frameworks", "competencies"]
#: Tables an AlignmentReport exports with ``to_frame``.
TABLES: dict[str, str] = {
    "components": "one row per score component: value, weight, contribution, meaning",
    "demand": "one row per demanded competency: weight, coverage, best outcome",
    "outcomes": "one row per outcome: relevant, best demanded match, framework matches",
    "matches": "one row per outcome x aligned competency, with the matcher's explanation",
    "frameworks": "one row per chosen framework: competencies matched, share of outcomes",
    "competencies": "one row per aligned competency: best score, coverage, outcomes",
}


@dataclass
class AlignmentReport(ReportMixin):
    """The workforce alignment of one proposal: components, overall score and evidence.

    Attributes
    ----------
    proposal : str
        Title of the proposal.
    overall : float
        The overall score, 0-100.
    interval : tuple of float or None
        95% bootstrap interval of the overall score over postings (only when
        demand came from postings with counts).
    components : DataFrame
        ``component``, ``value`` (0-1), ``weight``, ``contribution`` (points
        of the overall), ``meaning``.
    demand : DataFrame
        The demand basket with ``coverage`` (0-1), ``best_outcome``,
        ``best_score``.
    outcomes, matches, frameworks : DataFrame
        See :data:`TABLES`.
    settings : dict
        Method, model, thresholds, weights, demand source, framework versions.
    notes : list of str
        Caveats (e.g. an occupation without importance ratings).
    """

    proposal: str
    overall: float
    interval: tuple[float, float] | None
    components: pd.DataFrame
    demand: pd.DataFrame
    outcomes: pd.DataFrame
    matches: pd.DataFrame
    frameworks: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
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
        """Per-competency coverage: distinct competencies aligned (credit > 0).

        ``klass`` keeps only ``professional`` or ``technical`` ones (see
        :func:`competency_class`). Columns ``framework``, ``id``, ``label``,
        ``kind``, ``class``, ``score`` (best match), ``coverage`` (best credit)
        and ``outcomes`` (ids of the outcomes that earn credit), best first.
        """
        m = self.matches[self.matches["credit"] > 0]
        if klass is not None:
            if klass not in {"professional", "technical"}:
                raise InvalidArgumentError(
                    f"klass={klass!r}; expected 'professional' or 'technical'."
                )
            m = m[m["class"] == klass]
        cols = ["framework", "id", "label", "kind", "class", "score"]
        best = m.sort_values("score", ascending=False).drop_duplicates("id")[cols]
        outs = m.groupby("id")["outcome_id"].agg(lambda s: sorted(set(s)))
        best["coverage"] = credit(
            best["score"].to_numpy(float), self.settings["floor"], self.settings["full"]
        )
        best["outcomes"] = best["id"].map(outs)
        return best.reset_index(drop=True)

    @property
    def competencies(self) -> pd.DataFrame:
        """Per-competency coverage of every aligned competency (see aligned_competencies)."""
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
            "interval": list(self.interval) if self.interval else None,
            "components": records(self.components),
            "demand": records(self.demand),
            "outcomes": records(self.outcomes),
            "matches": records(self.matches),
            "frameworks": records(self.frameworks),
            "competencies": records(self.competencies),
            "settings": self.settings,
            "notes": self.notes,
        }

    def _title(self) -> str:
        return self.proposal

    def _html(self) -> str:
        return alignment_html(self)

    def _rich_parts(self) -> list[Any]:
        return alignment_rich(self)


# == scoring ==================================================================
def _as_frameworks(
    frameworks: Any, names: Sequence[str], data_dir: PathLike | None
) -> list[Framework]:
    if frameworks is None:
        return [load_framework(n, data_dir=data_dir) for n in names]
    if isinstance(frameworks, Framework):
        return [frameworks]
    if isinstance(frameworks, Mapping):
        frameworks = list(frameworks.values())
    out = []
    for fw in frameworks:
        out.append(fw if isinstance(fw, Framework) else load_framework(fw, data_dir=data_dir))
    return out


def _n_postings(demand: pd.DataFrame) -> int:
    """Number of matching postings behind a postings basket (postings / share)."""
    if demand.empty or demand["postings"].isna().all():
        return 0
    share = demand["share"].to_numpy(float)
    posts = demand["postings"].to_numpy(float)
    ok = (share > 0) & np.isfinite(posts)
    return round(float(np.median(posts[ok] / share[ok]))) if ok.any() else 0


def _bootstrap(
    credits_: np.ndarray,
    demand: pd.DataFrame,
    comps: dict[str, float],
    weights: Mapping[str, float],
    n_boot: int,
    seed: int,
) -> tuple[float, float] | None:
    """Percentile interval of the overall score, resampling postings.

    Each skill's posting count is redrawn as Binomial(N, share) for N matching
    postings; skills are resampled independently (the demand table holds counts,
    not which postings mention which skills), so how skills co-occur is ignored.
    """
    if n_boot <= 0 or demand.empty or demand["postings"].isna().all():
        return None
    share = demand["share"].to_numpy(float)
    ok = share > 0
    if not ok.any():
        return None
    n = _n_postings(demand)
    if n < 1:
        return None
    rng = np.random.default_rng(seed)
    draws = rng.binomial(n, np.clip(share, 0, 1), size=(n_boot, len(share))) / n
    best = credits_.max(axis=0) if credits_.shape[0] else np.zeros(len(share))
    totals = draws.sum(axis=1)
    d = np.where(totals > 0, (draws * best).sum(axis=1) / np.where(totals > 0, totals, 1), 0.0)
    overall = [_overall({**comps, "demand_coverage": float(x)}, weights) for x in d]
    lo, hi = np.percentile(overall, [2.5, 97.5])
    return float(lo), float(hi)


def score_alignment(
    proposal: Proposal,
    frameworks: Sequence[Framework | str] | Mapping[str, Framework] | Framework | None = None,
    demand: pd.DataFrame | None = None,
    *,
    data_dir: PathLike | None = None,
    method: Method = "hybrid",
    embedder: Any = None,
    floor: float = CREDIT_FLOOR,
    full: float = CREDIT_FULL,
    top_k: int = 3,
    top_demand: int = 30,
    quotas: Mapping[str, int] | None = None,
    weights: Mapping[str, float] | None = None,
    specificity: bool = True,
    calibrated: bool = True,
    distinctive: bool = True,
    balance_target: int = 2,
    region: str | None = None,
    n_boot: int = 500,
    seed: int = 0,
) -> AlignmentReport:
    """Score how well a proposal's outcomes teach what the target occupations demand.

    Parameters
    ----------
    proposal : Proposal
        The proposal (:func:`align.load_proposal`).
    frameworks : frameworks or names, optional
        Frameworks to align to; ``None`` loads the proposal's ``frameworks``
        (default onet, nace, cmc). The one with occupations (O*NET) is cut to
        the target occupations' competencies, so scoring stays fast.
    demand : DataFrame, optional
        Postings demand (:func:`align.postings.skill_demand` for the target
        occupations and region). ``None`` uses O*NET importance ratings of the
        target occupations (:func:`align.proposals.demand_from_onet`).
    data_dir : path, optional
        Where named frameworks are found.
    method : {"hybrid", "semantic", "lexical"}
        Matching method.
    embedder : Embedder, optional
        Reuse a loaded embedder (the default model otherwise).
    floor, full : float
        Credit scores below ``floor`` earn no credit; from ``full`` on, full
        credit (defaults calibrated on O*NET's task -> DWA links, dev half; see
        :mod:`align._calibration`).
    top_k : int
        Competencies listed per outcome and framework.
    top_demand : int
        Postings skills in the demand basket.
    quotas : mapping, optional
        O*NET items per kind in the basket (default :data:`align.proposals.DEMAND_QUOTAS`).
    weights : mapping, optional
        Component weights (default :data:`DEFAULT_WEIGHTS`).
    specificity : bool
        Scale each outcome's credits by its specificity (a measurable verb with a
        concrete object; :func:`align._wording.outcome_specificity`).
    calibrated : bool
        Add content-word overlap to the matcher score before the credit ramp
        (:func:`align._calibration.credit_scores`); ``False`` uses the matcher
        score alone.
    distinctive : bool
        Weight O*NET demand by how distinctive each item is for the targets
        (:func:`align.proposals.demand_from_onet`).
    balance_target : int
        Professional and technical competencies each needed for full balance.
    region : str, optional
        Region the postings demand was drawn for (shown in the report).
    n_boot : int
        Bootstrap replicates for the interval (postings demand only).
    seed : int
        Random seed of the bootstrap.

    Returns
    -------
    AlignmentReport

    Notes
    -----
    The steps can be called alone: :func:`align.proposals.demand_basket`
    (demand), :func:`similarity_matrix` and :func:`outcome_matches` (matching),
    :func:`score_components` (components); this function chains them and
    assembles the report.
    """
    if not isinstance(proposal, Proposal):
        raise InvalidArgumentError(
            f"proposal must be a Proposal (from align.load_proposal), got "
            f"{type(proposal).__name__}; load the file first: align.load_proposal(path)."
        )
    if method not in METHODS:
        raise InvalidArgumentError(f"method={method!r}; expected one of {list(METHODS)}.")
    wts = _check_weights(weights)
    credit(0.5, floor, full)  # validates floor/full
    fws = _as_frameworks(frameworks, proposal.frameworks, data_dir)
    codes = proposal.target_occupations
    onet = next((f for f in fws if f.key == "onet" and not f.occupations.empty), None)
    try:
        aligned = [_restrict(f, codes) for f in fws]
    except UnknownNameError as exc:
        raise ProposalError(f"{proposal_name(proposal)}: {exc}") from None
    # 1. demand
    basket = demand_basket(
        proposal,
        onet,
        demand,
        top_demand=top_demand,
        quotas=quotas,
        distinctive=distinctive,
    )
    # 2. matching: outcomes x demanded items, and outcomes x framework competencies
    texts = proposal.outcome_texts
    sims = similarity_matrix(texts, basket.table, method=method, embedder=embedder)
    xs = (
        credit_scores(sims, overlap_matrix(texts, basket.table["label"].astype(str).tolist()))
        if calibrated and sims.size
        else sims
    )
    spec = outcome_specificities(texts) if specificity else np.ones(len(texts))
    matches = outcome_matches(
        proposal,
        aligned,
        method=method,
        embedder=embedder,
        top_k=top_k,
        floor=floor,
        full=full,
        specificity=specificity,
        calibrated=calibrated,
    )
    # 2b. faculty decisions (proposal.alignments) override the matcher
    xs, matches = apply_reviews(
        proposal, basket.table, xs, matches, aligned, floor=floor, full=full
    )
    # 3. components
    comps = score_components(
        xs,
        basket.table["weight"].to_numpy(float),
        matches,
        len(texts),
        floor=floor,
        full=full,
        balance_target=balance_target,
        specificity=spec,
    )
    # 4. the report
    return _build_report(
        proposal,
        basket,
        sims,
        xs,
        spec,
        matches,
        aligned,
        fws,
        onet,
        comps,
        wts,
        settings={
            "method": method,
            "floor": floor,
            "full": full,
            "balance_target": balance_target,
            "region": region,
            "n_boot": n_boot,
            "seed": seed,
            "specificity": specificity,
            "calibrated": calibrated,
            "distinctive": distinctive,
            "model": getattr(embedder, "model_name", None) if embedder is not None else None,
        },
    )


def _check_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    wts = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if (
        set(wts) != set(DEFAULT_WEIGHTS)
        or any(v < 0 for v in wts.values())
        or sum(wts.values()) <= 0
    ):
        raise InvalidArgumentError(
            f"weights={wts}; expected non-negative weights for exactly {list(DEFAULT_WEIGHTS)}."
        )
    return wts


#: Leading columns of the matches table (:func:`outcome_matches`), in order.
MATCHES_LEAD: tuple[str, ...] = (
    "outcome_id",
    "framework",
    "id",
    "label",
    "kind",
    "class",
    "score",
    "credit_score",
    "credit",
    "explanation",
)


def outcome_matches(
    proposal: Proposal,
    frameworks: Sequence[Framework],
    *,
    method: Method = "hybrid",
    embedder: Any = None,
    top_k: int = 3,
    floor: float = CREDIT_FLOOR,
    full: float = CREDIT_FULL,
    specificity: bool = True,
    calibrated: bool = True,
) -> pd.DataFrame:
    """The matching step: each outcome's best competencies in each framework, with credit.

    Parameters
    ----------
    proposal : Proposal
        Its outcomes are matched.
    frameworks : sequence of Framework
        Frameworks as scored (O*NET already cut to the target occupations; every
        kind in them counts).
    method, embedder, top_k, floor, full, specificity, calibrated
        As for :func:`score_alignment`.

    Returns
    -------
    DataFrame
        One row per outcome x competency with a score above 0: :data:`MATCHES_LEAD`
        (``outcome_id``, ``framework``, ``id``, ``label``, ``kind``, ``class``
        professional/technical, ``score`` (the matcher's), ``credit_score`` (with
        content-word overlap), ``credit`` (times the outcome's ``specificity``),
        ``explanation`` with the words outcome and competency share), then the
        other :data:`align._match.MATCH_COLUMNS`, ``overlap`` and ``specificity``.
        A NACE sample behaviour is reported as its parent competency; frameworks
        with sample behaviours are matched through their definitions and
        behaviours (:func:`align._professional.professional_matches`).
    """
    texts = proposal.outcome_texts
    ids = [o.id for o in proposal.outcomes]
    spec = outcome_specificities(texts) if specificity else np.ones(len(texts))
    rows = []
    if texts:
        by_meaning = [
            f
            for f in frameworks
            if method != "lexical" and (f.competencies["kind"] == "behaviour").any()
        ]
        rest = [f for f in frameworks if f not in by_meaning]
        if rest:
            m = _matcher(rest, method, embedder)
            for fw in rest:
                rows.append(m.match(texts, top_k=top_k, min_score=0.0, frameworks=[fw.key]))
        for fw in by_meaning:
            rows.append(professional_matches(texts, fw, embedder=embedder, top_k=top_k))
    matches = (
        pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=list(MATCH_COLUMNS))
    )
    levels: dict[str, Any] = {}
    parents: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    for f in frameworks:
        c = f.competencies
        levels.update(zip(c["id"], c["level"], strict=True))
        parents.update(zip(c["id"], c["parent_id"], strict=True))
        labels.update(zip(c["id"], c["label"], strict=True))
    matches = matches[matches["score"] > 0]
    if len(matches):
        matches = matches.copy()
        matches["overlap"] = (
            [
                len(content_words(lb) & content_words(q)) / max(1, len(content_words(lb)))
                for q, lb in zip(matches["query"], matches["label"], strict=True)
            ]
            if calibrated
            else 0.0
        )
        matches["credit_score"] = credit_scores(
            matches["score"].to_numpy(float), matches["overlap"].to_numpy(float)
        )
        # A NACE sample behaviour shows its parent competency: report the competency.
        beh = matches["kind"] == "behaviour"
        matches.loc[beh, "matched_surface"] = matches.loc[beh, "label"]
        matches.loc[beh, "id"] = matches.loc[beh, "id"].map(parents).fillna(matches.loc[beh, "id"])
        matches.loc[beh, "label"] = (
            matches.loc[beh, "id"].map(labels).fillna(matches.loc[beh, "label"])
        )
        matches.loc[beh, "kind"] = "competency"
        matches = (
            matches.sort_values("credit_score", ascending=False)
            .drop_duplicates(["query_index", "id"])
            .sort_values(["query_index", "framework", "score"], ascending=[True, True, False])
        )
        matches["outcome_id"] = [ids[int(i)] for i in matches["query_index"]]
        matches["specificity"] = spec[matches["query_index"].to_numpy(int)]
        matches["credit"] = (
            credit(matches["credit_score"].to_numpy(float), floor, full) * matches["specificity"]
        )
        matches["class"] = [
            competency_class(f, k, levels.get(c))
            for f, k, c in zip(matches["framework"], matches["kind"], matches["id"], strict=True)
        ]
        matches["explanation"] = [_explain(r) for r in matches.itertuples(index=False)]
        matches = matches.reset_index(drop=True)
    else:
        matches = matches.assign(
            outcome_id=[],
            overlap=[],
            credit_score=[],
            specificity=[],
            credit=[],
            **{"class": []},
            explanation=[],
        )
    lead = list(MATCHES_LEAD)
    return matches[[*lead, *[c for c in matches.columns if c not in lead]]]


def _best_framework_credit(matches: pd.DataFrame, n_outcomes: int) -> np.ndarray:
    best = np.zeros(n_outcomes)
    for i in range(n_outcomes):
        c = matches.loc[matches["query_index"] == i, "credit"]
        best[i] = float(c.max()) if len(c) else 0.0
    return best


def _aligned_counts(matches: pd.DataFrame) -> tuple[int, int]:
    """Distinct professional and technical competencies aligned (credit > 0)."""
    hits = matches[matches["credit"] > 0]
    n_prof = hits.loc[hits["class"] == "professional", "id"].nunique()
    n_tech = hits.loc[hits["class"] == "technical", "id"].nunique()
    return int(n_prof), int(n_tech)


def _aligned_weights(matches: pd.DataFrame) -> tuple[float, float]:
    """Credit-weighted counts: each distinct competency counts with its best credit."""
    hits = matches[matches["credit"] > 0]
    best = hits.groupby(["class", "id"])["credit"].max()
    prof = best[best.index.get_level_values(0) == "professional"]
    tech = best[best.index.get_level_values(0) == "technical"]
    return float(prof.sum()), float(tech.sum())


def outcome_specificities(texts: Sequence[str]) -> np.ndarray:
    """Specificity of each outcome (:func:`align._wording.outcome_specificity`)."""
    return np.array([outcome_specificity(t).score for t in texts], dtype=float)


def apply_reviews(
    proposal: Proposal,
    demand_items: pd.DataFrame,
    demand_scores: np.ndarray,
    matches: pd.DataFrame,
    frameworks: Sequence[Framework],
    *,
    floor: float = CREDIT_FLOOR,
    full: float = CREDIT_FULL,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The review step: faculty decisions in ``proposal.alignments`` override the matcher.

    An accepted alignment of an outcome to a competency earns that pair full credit
    (still scaled by the outcome's specificity); a rejected one earns none. This
    holds for the demand basket (when the competency is demanded) and for the
    framework matches (an accepted competency the matcher did not list is added,
    if it belongs to a scored framework). Alignments of the credential as a whole
    (``outcome: null``) are for badges and do not change the score. When an outcome
    has several decisions on one competency, the last one counts.

    Parameters
    ----------
    proposal : Proposal
        Its ``alignments`` are applied.
    demand_items : DataFrame
        The demand basket's table (an ``id`` column).
    demand_scores : ndarray
        ``(outcomes, demanded items)`` credit scores; a changed copy is returned.
    matches : DataFrame
        :func:`outcome_matches`; a changed copy is returned, with a ``reviewed``
        column (``"accepted"`` or empty).
    frameworks : sequence of Framework
        The scored frameworks (where an added competency is looked up).
    floor, full : float
        As for :func:`score_alignment`.

    Returns
    -------
    tuple of (ndarray, DataFrame)
        The demand scores and the matches after the decisions.
    """
    xs = np.array(demand_scores, dtype=float, copy=True)
    out = matches.copy()
    out["reviewed"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    index = {o.id: i for i, o in enumerate(proposal.outcomes)}
    decisions: dict[tuple[int, str], str] = {}
    for a in proposal.alignments:
        if a.outcome is not None and a.outcome in index:
            decisions[(index[a.outcome], a.id)] = a.status
    if not decisions:
        return xs, out
    if xs.size:
        column = {str(c): j for j, c in enumerate(demand_items["id"])}
        for (i, cid), status in decisions.items():
            if cid in column:
                xs[i, column[cid]] = 1.0 if status == "accepted" else 0.0
    pairs = list(zip(out["query_index"].astype(int), out["id"].astype(str), strict=True))
    status_of = [decisions.get(pair) for pair in pairs]
    keep = [st != "rejected" for st in status_of]
    accepted = np.array([st == "accepted" for st in status_of], dtype=bool)
    if accepted.any():
        spec = out.loc[accepted, "specificity"].to_numpy(float)
        out.loc[accepted, "credit_score"] = 1.0
        out.loc[accepted, "credit"] = credit(1.0, floor, full) * spec
        out.loc[accepted, "reviewed"] = "accepted"
        out.loc[accepted, "explanation"] = "accepted by a reviewer; " + out.loc[
            accepted, "explanation"
        ].astype(str)
    out = out[keep]
    listed = set(pairs)
    spec_by_outcome = (
        dict(zip(out["query_index"].astype(int), out["specificity"].astype(float), strict=False))
        if len(out)
        else {}
    )
    added = []
    for (i, cid), status in decisions.items():
        if status != "accepted" or (i, cid) in listed:
            continue
        for fw in frameworks:
            hit = fw.competencies[fw.competencies["id"] == cid]
            if hit.empty:
                continue
            row = hit.iloc[0]
            sp = spec_by_outcome.get(i, 1.0)
            added.append(
                {
                    "outcome_id": proposal.outcomes[i].id,
                    "framework": fw.key,
                    "id": cid,
                    "label": row["label"],
                    "kind": row["kind"],
                    "class": competency_class(fw.key, str(row["kind"]), row.get("level")),
                    "score": np.nan,
                    "credit_score": 1.0,
                    "credit": float(credit(1.0, floor, full)) * sp,
                    "explanation": "accepted by a reviewer (chosen by search, not matched)",
                    "query_index": i,
                    "query": proposal.outcome_texts[i],
                    "specificity": sp,
                    "reviewed": "accepted",
                }
            )
            break
    if added:
        extra = pd.DataFrame(added)
        out = pd.concat([out, extra.reindex(columns=out.columns)], ignore_index=True)
        out = out.sort_values(["query_index", "framework"], kind="stable")
    return xs, out.reset_index(drop=True)


def score_components(
    demand_scores: np.ndarray,
    demand_weights: np.ndarray,
    matches: pd.DataFrame,
    n_outcomes: int,
    *,
    floor: float = CREDIT_FLOOR,
    full: float = CREDIT_FULL,
    balance_target: int = 2,
    specificity: np.ndarray | None = None,
) -> dict[str, float]:
    """The components step: demand coverage, relevance, framework alignment, balance.

    Parameters
    ----------
    demand_scores : ndarray
        ``(outcomes, demanded items)`` credit scores (:func:`similarity_matrix`
        of the outcomes against the demand basket, plus content-word overlap:
        :func:`align._calibration.credit_scores`).
    demand_weights : ndarray
        The basket's ``weight`` column.
    matches : DataFrame
        The outcomes' framework matches (:func:`outcome_matches`).
    n_outcomes : int
        Number of outcomes.
    floor, full, balance_target
        As for :func:`score_alignment`.
    specificity : ndarray, optional
        Each outcome's specificity (:func:`outcome_specificities`); the demand
        credits of an outcome are multiplied by it. ``None`` means 1.

    Returns
    -------
    dict
        ``demand_coverage``, ``relevance``, ``framework_alignment``, ``balance``,
        each in [0, 1] (the keys of :data:`DEFAULT_WEIGHTS`).

    Examples
    --------
    >>> m = pd.DataFrame({"query_index": [0], "id": ["nace:teamwork"], "credit": [1.0],
    ...                   "class": ["professional"]})
    >>> c = score_components(np.array([[0.5, 0.2]]), np.array([1.0, 1.0]), m, 1)
    >>> c["demand_coverage"], c["relevance"], c["framework_alignment"], c["balance"]
    (0.5, 1.0, 1.0, 0.0)
    """
    sims = np.asarray(demand_scores, dtype=float)
    weights = np.asarray(demand_weights, dtype=float)
    cred = _demand_credits(sims, floor, full, specificity)
    d_cov = demand_coverage(cred, weights) if len(weights) else 0.0
    best_fw = _best_framework_credit(matches, n_outcomes)
    p_w, t_w = _aligned_weights(matches)
    return {
        "demand_coverage": d_cov,
        "relevance": relevance_score(cred),
        "framework_alignment": float(best_fw.mean()) if n_outcomes else 0.0,
        "balance": balance_score(p_w, t_w, balance_target),
    }


def _demand_credits(
    xs: np.ndarray, floor: float, full: float, specificity: np.ndarray | None
) -> np.ndarray:
    if not xs.size:
        return xs
    cred = credit(xs, floor, full)
    if specificity is not None:
        cred = cred * np.asarray(specificity, dtype=float).reshape(-1, 1)
    return cred


def _build_report(
    proposal: Proposal,
    basket: DemandBasket,
    sims: np.ndarray,
    xs: np.ndarray,
    spec: np.ndarray,
    matches: pd.DataFrame,
    aligned: Sequence[Framework],
    fws: Sequence[Framework],
    onet: Framework | None,
    comps: dict[str, float],
    wts: dict[str, float],
    settings: dict[str, Any],
) -> AlignmentReport:
    """The report step: the tables, the overall score, its interval, settings and notes."""
    floor, full = settings["floor"], settings["full"]
    texts = proposal.outcome_texts
    ids = [o.id for o in proposal.outcomes]
    n_out = len(texts)
    codes = proposal.target_occupations
    table, source = basket.table, basket.source
    notes = [*proposal.notes, *basket.notes]
    cred = _demand_credits(xs, floor, full, spec)
    labels_b = table["label"].astype(str).tolist()
    demand_tbl = table.copy()
    if len(table):
        best_i = cred.argmax(axis=0) if n_out else np.zeros(len(table), int)
        demand_tbl["coverage"] = cred.max(axis=0) if n_out else 0.0
        demand_tbl["best_score"] = sims[best_i, np.arange(len(table))] if n_out else 0.0
        demand_tbl["best_outcome"] = [
            ids[i] if n_out and c > 0 else ""
            for i, c in zip(best_i, demand_tbl["coverage"], strict=True)
        ]
    else:
        demand_tbl = demand_tbl.assign(coverage=[], best_score=[], best_outcome=[])

    best_fw = _best_framework_credit(matches, n_out)
    hits = matches[matches["credit"] > 0]
    n_prof, n_tech = _aligned_counts(matches)
    fw_rows = []
    for f in aligned:
        h = hits[hits["framework"] == f.key]
        fw_rows.append(
            {
                "framework": f.key,
                "name": f.info.name,
                "version": f.info.version,
                "competencies_matched": int(h["id"].nunique()),
                "outcome_share": float(h["query_index"].nunique() / n_out) if n_out else 0.0,
                "competencies": sorted(set(h["label"])),
            }
        )
    frameworks_tbl = pd.DataFrame(
        fw_rows,
        columns=[
            "framework",
            "name",
            "version",
            "competencies_matched",
            "outcome_share",
            "competencies",
        ],
    )

    out_rows = []
    for i, o in enumerate(proposal.outcomes):
        j = int(xs[i].argmax()) if len(table) else -1
        mine = hits[hits["query_index"] == i]
        sp = outcome_specificity(o.text)
        out_rows.append(
            {
                "outcome_id": o.id,
                "text": o.text,
                "relevant": bool(cred[i].max() > 0) if len(table) else False,
                "best_demand": table["label"].iloc[j] if j >= 0 else "",
                "best_demand_score": float(sims[i, j]) if j >= 0 else 0.0,
                "demand_credit": float(cred[i, j]) if j >= 0 else 0.0,
                "matched_words": ", ".join(
                    sorted(content_words(o.text) & content_words(labels_b[j]))
                )
                if j >= 0
                else "",
                "specificity": float(spec[i]),
                "specificity_reason": sp.reason if spec[i] < 1 else "",
                "rewrite_hint": sp.hint if spec[i] < 1 else "",
                "framework_credit": float(best_fw[i]),
                "aligned": ", ".join(
                    f"{lb} ({fk})"
                    for lb, fk in zip(mine["label"].head(4), mine["framework"].head(4), strict=True)
                ),
            }
        )
    outcomes_tbl = pd.DataFrame(
        out_rows,
        columns=[
            "outcome_id",
            "text",
            "relevant",
            "best_demand",
            "best_demand_score",
            "demand_credit",
            "matched_words",
            "specificity",
            "specificity_reason",
            "rewrite_hint",
            "framework_credit",
            "aligned",
        ],
    )

    total_w = sum(wts.values())
    components = pd.DataFrame(
        [
            {
                "component": k,
                "value": comps[k],
                "weight": wts[k] / total_w,
                "contribution": 100 * wts[k] / total_w * comps[k],
                "meaning": COMPONENT_HELP[k],
            }
            for k in DEFAULT_WEIGHTS
        ]
    )
    overall = _overall(comps, wts)
    n_boot, seed, region = settings["n_boot"], settings["seed"], settings["region"]
    interval = _bootstrap(cred, table, comps, wts, n_boot, seed) if source == "postings" else None
    n_post = _n_postings(table) if source == "postings" else 0
    if source == "postings" and 0 < n_post < 30:
        notes.append(
            f"only {n_post} postings match the target occupations and region; "
            "treat the demand (and the score) as a rough estimate."
        )
    method = settings["method"]
    report_settings = {
        "method": method,
        "model": settings["model"] or ("default" if method != "lexical" else None),
        "floor": floor,
        "full": full,
        "weights": wts,
        "balance_target": settings["balance_target"],
        "demand_source": source,
        "postings": n_post,
        "region": region or proposal.region,
        "target_occupations": list(codes),
        "n_boot": n_boot if interval else 0,
        "seed": seed,
        "professional_aligned": n_prof,
        "technical_aligned": n_tech,
        "professional_weighted": _aligned_weights(matches)[0],
        "technical_weighted": _aligned_weights(matches)[1],
        "specificity": settings.get("specificity", True),
        "calibrated": settings.get("calibrated", True),
        "distinctive": bool(settings.get("distinctive", True)) and source == "onet",
        "frameworks": {f.key: f.info.version for f in fws},
        "occupation_titles": _titles(onet, codes),
    }
    if source == "postings" and region is None and proposal.region:
        notes.append(
            f"the proposal names region {proposal.region!r}; make sure the postings "
            "demand was drawn for it."
        )
    for note in notes:
        logger.info(note)
    return AlignmentReport(
        proposal.title,
        overall,
        interval,
        components,
        demand_tbl,
        outcomes_tbl,
        matches,
        frameworks_tbl,
        report_settings,
        notes,
    )


def _titles(onet: Framework | None, codes: Sequence[str]) -> dict[str, str]:
    if onet is None:
        return {}
    occ = onet.occupations.set_index("code")["title"]
    return {c: str(occ.get(c, "")) for c in codes}
