"""The matching step of the score: how much credit each outcome earns for each competency.

Credit by meaning (:mod:`align._meaning`): ``credit = ramp(standout) * specificity``,
where the standout reads an outcome's similarity to a competency against its
similarity to O*NET's work activities (:func:`background_for`). A shared word earns
nothing by itself; a paraphrase with no shared word earns full credit when it
stands out; a technology the outcome names counts in full (``method="hybrid"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from align._calibration import OUTCOME_FLOOR, OUTCOME_FULL, credit
from align._match import MATCH_COLUMNS
from align._meaning import Background, Meaning, meaning_scores
from align._professional import professional_matches
from align._wording import outcome_specificity
from align.frameworks import Framework
from align.proposals._components import competency_class
from align.proposals._model import Proposal
from align.proposals._settings import ScoreSettings

__all__ = [
    "MATCHES_LEAD",
    "background_for",
    "coverage_matrix",
    "meaning_credits",
    "outcome_matches",
    "outcome_specificities",
]


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
