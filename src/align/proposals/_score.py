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

from align._calibration import OUTCOME_FLOOR, OUTCOME_FULL, credit
from align._config import PathLike
from align._match import MATCH_COLUMNS
from align._meaning import Background, Meaning, meaning_scores
from align._professional import professional_matches
from align._wording import outcome_specificity
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
    foundational_items,
    proposal_name,
)
from align.proposals._model import Proposal
from align.proposals._report import AlignmentReport, Scored, build_report
from align.proposals._settings import ScoreSettings

__all__ = [
    "MATCHES_LEAD",
    "ScoreSettings",
    "apply_reviews",
    "background_for",
    "coverage_matrix",
    "meaning_credits",
    "outcome_matches",
    "outcome_specificities",
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


def background_for(onet: Framework | None, embedder: Any = None) -> Background:
    """The reference texts standouts are read against: O*NET's detailed work activities.

    Without O*NET (or with a release too small to have them) the typical background
    is used (:meth:`align._meaning.Background.typical`).
    """
    if onet is None:
        return Background.typical()
    dwa = onet.competencies.loc[onet.competencies["kind"] == "dwa", "label"]
    return Background.of(
        dwa.astype(str).tolist(),
        f"{onet.info.name} {onet.version}: {len(dwa):,} detailed work activities",
        embedder,
    )


def outcome_specificities(texts: Sequence[str]) -> np.ndarray:
    """Specificity of each outcome (:func:`align._wording.outcome_specificity`)."""
    return np.array([outcome_specificity(t).score for t in texts], dtype=float)


# == matching ===================================================================
def _meaning(
    texts: Sequence[str], items: pd.DataFrame, s: ScoreSettings, embedder: Any, bg: Any
) -> Meaning:
    table = items if s.method == "hybrid" or "kind" not in items else items.drop(columns="kind")
    return meaning_scores(texts, table, embedder=embedder, background=bg)


def meaning_credits(
    texts: Sequence[str],
    items: pd.DataFrame,
    *,
    settings: ScoreSettings | None = None,
    embedder: Any = None,
    background: Background | None = None,
    specificity: np.ndarray | None = None,
) -> tuple[np.ndarray, Meaning]:
    """Credit of every outcome for every item (the matching step of the demand side).

    Parameters
    ----------
    texts : sequence of str
        The outcomes.
    items : DataFrame
        A demand basket (:data:`align.proposals.BASKET_COLUMNS`) or any table with
        ``label`` (and optionally ``description``, ``kind``, ``surfaces``). Items
        that are all of kind ``outcome`` (a larger badge's outcomes) are credited on
        the cosine (:data:`align._calibration.OUTCOME_FLOOR`), not the standout.
    settings : ScoreSettings, optional
        Method and credit ramp.
    embedder, background
        The model and what standouts are read against (:func:`background_for`).
    specificity : ndarray, optional
        Each outcome's specificity (default: computed; ones when
        ``settings.specificity`` is off).

    Returns
    -------
    tuple of (ndarray, Meaning)
        ``(outcomes, items)`` credits in [0, 1], and the similarities behind them.
    """
    s = settings or ScoreSettings()
    mean = _meaning(texts, items, s, embedder, background)
    if specificity is None:
        specificity = outcome_specificities(texts) if s.specificity else np.ones(len(texts))
    if len(items) and "kind" in items.columns and (items["kind"] == "outcome").all():
        # A larger badge's outcomes: one field, all standing out (see _calibration).
        cred = credit(mean.cosine, OUTCOME_FLOOR, OUTCOME_FULL)
    else:
        cred = credit(mean.standout, s.floor, s.full) if mean.standout.size else mean.standout
    return cred * np.asarray(specificity, dtype=float).reshape(-1, 1), mean


def coverage_matrix(
    credentials: Sequence[Proposal],
    items: pd.DataFrame,
    *,
    settings: ScoreSettings | None = None,
    embedder: Any = None,
    background: Background | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Credit of each credential's best outcome for each item (stacks and portfolios).

    Returns
    -------
    coverage : ndarray
        ``(items, credentials)`` credits in [0, 1].
    standout : ndarray
        ``(outcomes, items)`` standouts, outcomes in credential order.
    owner : ndarray
        Index of the credential of each outcome row.
    """
    texts = [o.text for p in credentials for o in p.outcomes]
    owner = np.array([i for i, p in enumerate(credentials) for _ in p.outcomes], dtype=int)
    cred, mean = meaning_credits(
        texts, items, settings=settings, embedder=embedder, background=background
    )
    cov = np.zeros((len(items), len(credentials)))
    for c in range(len(credentials)):
        rows = cred[owner == c]
        if len(rows):
            cov[:, c] = rows.max(axis=0)
    return cov, mean.standout, owner


#: Leading columns of the matches table (:func:`outcome_matches`), in order.
MATCHES_LEAD: tuple[str, ...] = (
    "outcome_id",
    "framework",
    "id",
    "label",
    "kind",
    "class",
    "score",
    "standout",
    "credit",
    "explanation",
)
_MATCHES_TAIL: tuple[str, ...] = (
    "query_index",
    "query",
    "rank",
    "code",
    "url",
    "matched_surface",
    "named",
    "specificity",
)


def _framework_matches(
    texts: Sequence[str], fw: Framework, s: ScoreSettings, embedder: Any, bg: Any
) -> pd.DataFrame:
    """The ``top_k`` best competencies of one framework per outcome, with standouts."""
    comps = fw.competencies
    if (comps["kind"] == "behaviour").any():
        # NACE: matched through definitions, behaviours and outcome-shaped examples.
        m = professional_matches(texts, fw, embedder=embedder, top_k=s.top_k)
        if m.empty:
            return m.assign(standout=[], named=[])
        from align._embed import get_embedder

        q = (embedder if embedder is not None else get_embedder()).encode(list(texts))
        mu, sd = (bg if bg is not None else Background.typical()).stats(q)
        qi = m["query_index"].to_numpy(int)
        m["standout"] = (m["semantic_score"].to_numpy(float) - mu[qi]) / sd[qi]
        m["score"] = m["semantic_score"].clip(0, 1)
        return m.assign(named=False)
    items = comps[~comps["kind"].isin(["area", "behaviour"])].reset_index(drop=True)
    if items.empty:
        return pd.DataFrame(columns=[*MATCH_COLUMNS, "standout", "named"])
    mean = _meaning(texts, items, s, embedder, bg)
    k = min(s.top_k, len(items))
    rows = []
    for i, text in enumerate(texts):
        order = np.argsort(-mean.standout[i], kind="stable")[:k]
        for r, j in enumerate(order, start=1):
            row = items.iloc[j]
            rows.append(
                {
                    "query_index": i,
                    "query": text,
                    "rank": r,
                    "framework": fw.key,
                    "id": row["id"],
                    "code": row["code"],
                    "label": row["label"],
                    "kind": row["kind"],
                    "url": row.get("url"),
                    "score": float(mean.cosine[i, j]),
                    "semantic_score": float(mean.cosine[i, j]),
                    "lexical_score": 1.0 if mean.named[i, j] else np.nan,
                    "matched_surface": str(mean.surface[i, j]),
                    "standout": float(mean.standout[i, j]),
                    "named": bool(mean.named[i, j]),
                }
            )
    return pd.DataFrame(rows)


def outcome_matches(
    proposal: Proposal,
    frameworks: Sequence[Framework],
    *,
    settings: ScoreSettings | None = None,
    embedder: Any = None,
    background: Background | None = None,
) -> pd.DataFrame:
    """Each outcome's best competencies in each framework, with credit.

    Parameters
    ----------
    proposal : Proposal
        Its outcomes are matched.
    frameworks : sequence of Framework
        Frameworks as scored (O*NET already cut to the target occupations).
    settings, embedder, background
        As for :func:`meaning_credits`.

    Returns
    -------
    DataFrame
        One row per outcome x competency: :data:`MATCHES_LEAD` (``outcome_id``,
        ``framework``, ``id``, ``label``, ``kind``, ``class`` professional or
        technical, ``score`` the cosine of the best surface, ``standout`` how far it
        stands out for this outcome, ``credit`` the ramp on it times the outcome's
        specificity, ``explanation``), then ``query_index``, ``query``, ``rank``,
        ``code``, ``url``, ``matched_surface``, ``named`` (the outcome names this
        tool) and ``specificity``. A NACE competency is credited on the
        professional ramp, and only for outcomes at least ``specificity_min``
        specific.
    """
    s = settings or ScoreSettings()
    texts = proposal.outcome_texts
    ids = [o.id for o in proposal.outcomes]
    spec = outcome_specificities(texts) if s.specificity else np.ones(len(texts))
    parts = [_framework_matches(texts, fw, s, embedder, background) for fw in frameworks]
    parts = [p for p in parts if len(p)]
    if not texts or not parts:
        return pd.DataFrame(columns=[*MATCHES_LEAD, *_MATCHES_TAIL])
    m = pd.concat(parts, ignore_index=True)
    levels: dict[str, Any] = {}
    for f in frameworks:
        levels.update(zip(f.competencies["id"], f.competencies["level"], strict=True))
    qi = m["query_index"].to_numpy(int)
    m["outcome_id"] = [ids[i] for i in qi]
    m["specificity"] = spec[qi]
    m["class"] = [
        competency_class(f, k, levels.get(c))
        for f, k, c in zip(m["framework"], m["kind"], m["id"], strict=True)
    ]
    prof = (m["class"] == "professional").to_numpy()
    st = m["standout"].to_numpy(float)
    ramp = np.where(
        prof,
        credit(st, s.professional_floor, s.professional_full),
        credit(st, s.floor, s.full),
    )
    # A vague outcome ("Appreciate the role of access control") earns no professional credit.
    gate = np.where(prof, m["specificity"].to_numpy(float) >= s.specificity_min, True)
    m["credit"] = ramp * m["specificity"].to_numpy(float) * gate
    m["explanation"] = [_explain(r) for r in m.itertuples(index=False)]
    m = m.sort_values(["query_index", "framework", "standout"], ascending=[True, True, False])
    return m[[*MATCHES_LEAD, *_MATCHES_TAIL]].reset_index(drop=True)


def _explain(row: Any) -> str:
    if bool(getattr(row, "named", False)):
        return "the outcome names this tool"
    via = ""
    surface = str(getattr(row, "matched_surface", "") or "")
    if surface and surface.strip().lower() != str(row.label).strip().lower():
        via = f" via '{surface[:80]}'"
    return (
        f"meaning{via}: similarity {row.score:.2f}, {row.standout:.1f} SD above a typical "
        "work activity"
    )


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
    )
