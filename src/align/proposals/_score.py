"""The alignment score pipeline: demand -> matching -> reviews -> components -> report.

:func:`score_alignment` chains the steps; each can be called alone
(:func:`align.proposals.demand_basket`, :func:`meaning_credits`,
:func:`outcome_matches`, :func:`apply_reviews`, :func:`score_components`). The
arithmetic of the components is in :mod:`align.proposals._components`, every
threshold in :mod:`align._calibration`, the report in :mod:`align.proposals._report`;
``docs/scoring.md`` states the whole formula.

Credit by meaning
    An outcome earns credit for a competency by how far the competency stands out
    among everything O*NET describes as work, for this outcome (:mod:`align._meaning`):
    ``credit = ramp(standout) * specificity``. A shared word earns nothing by itself;
    a paraphrase with no shared word earns full credit when it stands out. Named
    tools (technology items) count when the outcome names them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from align._config import PathLike
from align.exceptions import (
    FrameworkNotFoundError,
    InvalidArgumentError,
    ProposalError,
    UnknownNameError,
)
from align.frameworks import Framework, load_framework
from align.proposals._components import (
    balance_score,
    best_framework_credit,
    competency_class,
    demand_coverage,
    item_coverage,
    relevance_score,
)
from align.proposals._demand import (
    _profile,
    demand_basket,
    demand_from_postings,
    foundational_items,
    proposal_name,
)
from align.proposals._interval import CANDIDATES, postings_interval
from align.proposals._matches import (
    background_for,
    meaning_credits,
    outcome_matches,
    outcome_specificities,
)
from align.proposals._model import Proposal
from align.proposals._report import AlignmentReport, Scored, build_report, n_postings
from align.proposals._settings import ScoreSettings

__all__ = [
    "apply_reviews",
    "onet_if_available",
    "score_alignment",
    "score_components",
]

logger = logging.getLogger(__name__)

#: Kinds of an occupation's profile its outcomes are aligned to (abilities and work
#: styles are traits, not something a course teaches).
PROFILE_KINDS: tuple[str, ...] = ("skill", "knowledge", "dwa", "task", "technology")


# == inputs =====================================================================
def _as_frameworks(
    frameworks: Any, names: Sequence[str], data_dir: PathLike | None
) -> list[Framework]:
    if frameworks is None:
        return [load_framework(n, data_dir=data_dir) for n in names]
    if isinstance(frameworks, Framework):
        return [frameworks]
    if isinstance(frameworks, Mapping):
        frameworks = list(frameworks.values())
    return [
        fw if isinstance(fw, Framework) else load_framework(fw, data_dir=data_dir)
        for fw in frameworks
    ]


def _restrict(fw: Framework, occupations: Sequence[str]) -> Framework:
    """O*NET cut to what the target occupations do and use; others without grouping nodes.

    The cut keeps the targets' task statements, the detailed work activities they
    lead to, hot technologies, and skills and knowledge that are not foundational.
    """
    if fw.key != "onet" or fw.occupations.empty or not occupations:
        # Grouping nodes (CMC tiers, ESCO skill groups) are headings, not competencies.
        if (fw.competencies["kind"] == "area").any():
            keep = fw.competencies[fw.competencies["kind"] != "area"]
            return Framework(replace(fw.info), keep)
        return fw
    ids: set[str] = set()
    generic = foundational_items(fw)
    for code in occupations:
        prof = _profile(fw, code)
        prof = prof[prof["kind"].isin(PROFILE_KINDS) & ~prof["id"].isin(generic)]
        # Non-hot technology examples are hundreds of product names; keep the hot ones.
        prof = prof[(prof["kind"] != "technology") | (prof["detail"].str.lower() == "hot")]
        ids |= set(prof["id"])
    rel = fw.relations
    dwas = rel[(rel["relation"] == "related") & rel["source_id"].isin(ids)]["target_id"]
    ids |= set(dwas)
    comps = fw.competencies[fw.competencies["id"].isin(ids)]
    return Framework(replace(fw.info), comps)


def onet_if_available(data_dir: PathLike | None) -> Framework | None:
    """O*NET when its files are in the data folder, else ``None`` (callers work without it)."""
    from align.frameworks import available_frameworks

    avail = available_frameworks(data_dir).set_index("name")["available"]
    return load_framework("onet", data_dir=data_dir) if bool(avail.get("onet")) else None


# == reviews ====================================================================
def _review_links(frameworks: Sequence[Framework]) -> dict[str, set[str]]:
    """Task id -> the work activities O*NET links it to (an accepted task credits them)."""
    out: dict[str, set[str]] = {}
    for fw in frameworks:
        if fw.relations.empty:
            continue
        rel = fw.relations[fw.relations["relation"] == "related"]
        for src, dst in zip(rel["source_id"], rel["target_id"], strict=True):
            out.setdefault(str(src), set()).add(str(dst))
    return out


def apply_reviews(
    proposal: Proposal,
    demand_items: pd.DataFrame,
    demand_credits: np.ndarray,
    matches: pd.DataFrame,
    frameworks: Sequence[Framework],
    *,
    specificity: np.ndarray | None = None,
    links: Mapping[str, set[str]] | None = None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """The review step: faculty decisions in ``proposal.alignments`` override the matcher.

    An accepted alignment of an outcome to a competency earns that pair full credit
    (times the outcome's specificity); a rejected one earns none. Both hold for the
    demand (when the competency is demanded, or is a task statement O*NET links to a
    demanded work activity: ``links``) and for the framework matches (an accepted
    competency the matcher did not list is added, if a scored framework has it).
    Alignments of the credential as a whole (``outcome: null``) are for badges and
    do not change the score. With several decisions on one pair, the last counts.

    Returns
    -------
    tuple of (ndarray, ndarray, DataFrame)
        The demand credits after the decisions, which (outcome, demanded item) pairs
        a reviewer accepted (they count in demand coverage whatever else the outcome
        covers), and the matches after the decisions, with a ``reviewed`` column
        (``"accepted"`` or empty).
    """
    xs = np.array(demand_credits, dtype=float, copy=True)
    accepted_pairs = np.zeros(xs.shape, dtype=bool)
    out = matches.copy()
    out["reviewed"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    index = {o.id: i for i, o in enumerate(proposal.outcomes)}
    spec = (
        np.asarray(specificity, dtype=float)
        if specificity is not None
        else np.ones(len(proposal.outcomes))
    )
    decisions: dict[tuple[int, str], str] = {}
    for a in proposal.alignments:
        if a.outcome is not None and a.outcome in index:
            decisions[(index[a.outcome], a.id)] = a.status
    if not decisions:
        return xs, accepted_pairs, out
    links = links or {}
    if xs.size:
        column = {str(c): j for j, c in enumerate(demand_items["id"])}
        for (i, cid), status in decisions.items():
            for target in {cid, *links.get(cid, set())}:
                if target in column:
                    j = column[target]
                    xs[i, j] = spec[i] if status == "accepted" else 0.0
                    accepted_pairs[i, j] = status == "accepted"
    pairs = list(zip(out["query_index"].astype(int), out["id"].astype(str), strict=True))
    status_of = [decisions.get(pair) for pair in pairs]
    accepted = np.array([st == "accepted" for st in status_of], dtype=bool)
    if accepted.any():
        out.loc[accepted, "credit"] = out.loc[accepted, "specificity"].to_numpy(float)
        out.loc[accepted, "reviewed"] = "accepted"
        out.loc[accepted, "explanation"] = "accepted by a reviewer; " + out.loc[
            accepted, "explanation"
        ].astype(str)
    out = out[[st != "rejected" for st in status_of]]
    listed = set(pairs)
    added = []
    for (i, cid), status in decisions.items():
        if status != "accepted" or (i, cid) in listed:
            continue
        for fw in frameworks:
            hit = fw.competencies[fw.competencies["id"] == cid]
            if hit.empty:
                continue
            row = hit.iloc[0]
            added.append(
                {
                    "outcome_id": proposal.outcomes[i].id,
                    "framework": fw.key,
                    "id": cid,
                    "label": row["label"],
                    "kind": row["kind"],
                    "class": competency_class(fw.key, str(row["kind"]), row.get("level")),
                    "score": np.nan,
                    "standout": np.nan,
                    "credit": float(spec[i]),
                    "explanation": "accepted by a reviewer (chosen by search, not matched)",
                    "query_index": i,
                    "query": proposal.outcome_texts[i],
                    "code": row.get("code"),
                    "url": row.get("url"),
                    "specificity": float(spec[i]),
                    "reviewed": "accepted",
                }
            )
            break
    if added:
        extra = pd.DataFrame(added)
        out = pd.concat([out, extra.reindex(columns=out.columns)], ignore_index=True)
        out = out.sort_values(["query_index", "framework"], kind="stable")
    return xs, accepted_pairs, out.reset_index(drop=True)


# == components =================================================================
def score_components(
    demand_credits: np.ndarray,
    demand_weights: np.ndarray,
    matches: pd.DataFrame,
    n_outcomes: int,
    *,
    balance_target: int = 2,
    accepted: np.ndarray | None = None,
) -> dict[str, float]:
    """The components step: relevance, demand coverage, framework alignment, balance.

    Parameters
    ----------
    demand_credits : ndarray
        ``(outcomes, demanded items)`` credits (:func:`meaning_credits`, after
        :func:`apply_reviews`).
    demand_weights : ndarray
        The basket's ``weight`` column.
    matches : DataFrame
        The outcomes' framework matches (:func:`outcome_matches`).
    n_outcomes : int
        Number of outcomes.
    balance_target : int
        Professional and technical competencies each needed for full balance.
    accepted : ndarray, optional
        (outcome, demanded item) pairs a reviewer accepted (:func:`apply_reviews`).

    Returns
    -------
    dict
        The keys of :data:`align.proposals.DEFAULT_WEIGHTS`, each in [0, 1].

    Examples
    --------
    >>> m = pd.DataFrame({"query_index": [0], "id": ["nace:teamwork"], "credit": [1.0],
    ...                   "class": ["professional"]})
    >>> c = score_components(np.array([[1.0, 0.0]]), np.array([1.0, 1.0]), m, 1)
    >>> c["relevance"], c["demand_coverage"], c["framework_alignment"], c["balance"]
    (1.0, 1.0, 1.0, 0.5)
    """
    weights = np.asarray(demand_weights, dtype=float)
    cred = np.asarray(demand_credits, dtype=float).reshape(n_outcomes, len(weights))
    best_fw = best_framework_credit(matches, n_outcomes)
    hits = matches[matches["credit"] > 0]
    prof = hits[hits["class"] == "professional"].groupby("id")["credit"].max().sum()
    tech = float(item_coverage(cred, weights, accepted)[0].sum()) if cred.size else 0.0
    return {
        "relevance": relevance_score(cred),
        "demand_coverage": demand_coverage(cred, weights, accepted) if len(weights) else 0.0,
        "framework_alignment": float(best_fw.mean()) if n_outcomes else 0.0,
        "balance": balance_score(float(prof), tech, balance_target),
    }


# == the pipeline ===============================================================
def _settings(settings: ScoreSettings | None, options: Mapping[str, Any]) -> ScoreSettings:
    if settings is not None and not isinstance(settings, ScoreSettings):
        raise InvalidArgumentError(
            f"settings is a {type(settings).__name__}; expected align.ScoreSettings(...)."
        )
    base = settings or ScoreSettings()
    return base.replace(**options) if options else base


def score_alignment(
    proposal: Proposal,
    frameworks: Sequence[Framework | str] | Mapping[str, Framework] | Framework | None = None,
    demand: pd.DataFrame | None = None,
    *,
    settings: ScoreSettings | None = None,
    data_dir: PathLike | None = None,
    embedder: Any = None,
    **options: Any,
) -> AlignmentReport:
    """Score how well a proposal's outcomes teach what the target occupations demand.

    Parameters
    ----------
    proposal : Proposal
        The proposal (:func:`align.load_proposal`).
    frameworks : frameworks or names, optional
        Frameworks to align to; ``None`` loads the proposal's ``frameworks``
        (default onet, nace, cmc). O*NET is cut to the target occupations.
    demand : DataFrame, optional
        Postings demand (:func:`align.postings.skill_demand` for the target
        occupations and region). ``None``: what O*NET says the target occupations do
        and use (:func:`align.proposals.demand_from_onet`).
    settings : ScoreSettings, optional
        How to score (defaults validated by the benchmarks).
    data_dir : path, optional
        Where named frameworks are found.
    embedder : Embedder, optional
        Reuse a loaded embedder (the default model otherwise).
    **options
        Any field of :class:`ScoreSettings` (``method="semantic"``, ``weights={...}``,
        ``region="TX"``, ...), applied over ``settings``.

    Returns
    -------
    AlignmentReport
        The overall score (0-100) and its band, every component, the demand and how
        each outcome covers it, the matches, and what would move the band.
    """
    if not isinstance(proposal, Proposal):
        raise InvalidArgumentError(
            f"proposal must be a Proposal (from align.load_proposal), got "
            f"{type(proposal).__name__}; load the file first: align.load_proposal(path)."
        )
    s = _settings(settings, options)
    fws = _as_frameworks(frameworks, proposal.frameworks, data_dir)
    codes = proposal.target_occupations
    onet = next((f for f in fws if f.key == "onet" and not f.occupations.empty), None)
    if onet is None and codes and demand is None:
        # The targets are O*NET-SOC codes: their demand comes from O*NET even when the
        # proposal aligns to other frameworks only.
        try:
            onet = load_framework("onet", data_dir=data_dir)
        except FrameworkNotFoundError:
            onet = None
    try:
        aligned = [_restrict(f, codes) for f in fws]
        basket = demand_basket(
            proposal,
            onet,
            demand,
            top_demand=s.top_demand,
            quotas=s.quotas,
            distinctive=s.distinctive,
        )
    except UnknownNameError as exc:
        raise ProposalError(f"{proposal_name(proposal)}: {exc}") from None
    bg = background_for(onet, embedder)
    texts = proposal.outcome_texts
    spec = outcome_specificities(texts) if s.specificity else np.ones(len(texts))
    raw, mean = meaning_credits(
        texts, basket.table, settings=s, embedder=embedder, background=bg, specificity=spec
    )
    matches0 = outcome_matches(proposal, aligned, settings=s, embedder=embedder, background=bg)
    links = _review_links([onet]) if onet is not None and proposal.alignments else {}
    cred, accepted, matches = apply_reviews(
        proposal, basket.table, raw, matches0, aligned, specificity=spec, links=links
    )
    weights = basket.table["weight"].to_numpy(float)
    n = len(texts)
    comps = score_components(
        cred, weights, matches, n, balance_target=s.balance_target, accepted=accepted
    )
    before = (
        score_components(raw, weights, matches0, n, balance_target=s.balance_target)
        if proposal.alignments
        else comps
    )
    interval = None
    if basket.source == "postings" and demand is not None:
        interval = _interval(proposal, demand, cred, comps, matches, s, embedder, bg)
    return build_report(
        proposal,
        basket,
        Scored(cred, mean, spec, matches, comps, before, accepted),
        aligned=aligned,
        frameworks=fws,
        onet=onet,
        settings=s,
        model=getattr(embedder, "model_name", None) if embedder is not None else None,
        background=bg.source,
        interval=interval,
    )


def _interval(
    proposal: Proposal,
    demand: pd.DataFrame,
    cred: np.ndarray,
    comps: dict[str, float],
    matches: pd.DataFrame,
    s: ScoreSettings,
    embedder: Any,
    bg: Any,
) -> tuple[float, float] | None:
    """The bootstrap interval of a score from postings (:mod:`align.proposals._interval`)."""
    cands = demand_from_postings(demand, top=CANDIDATES * s.top_demand)
    extra, _ = meaning_credits(
        proposal.outcome_texts, cands, settings=s, embedder=embedder, background=bg
    )
    # The basket is the first columns of the candidates (both ordered by share); its
    # credits carry the reviewers' decisions.
    extra[:, : cred.shape[1]] = cred
    hits = matches[(matches["credit"] > 0) & (matches["class"] == "professional")]
    return postings_interval(
        extra,
        cands["share"].to_numpy(float),
        n_postings(cands),
        comps,
        s.weights,
        top_demand=s.top_demand,
        professional=float(hits.groupby("id")["credit"].max().sum()),
        balance_target=s.balance_target,
        n_boot=s.n_boot,
        seed=s.seed,
    )
