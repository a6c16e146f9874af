"""Stacking gaps: what a set of credentials covers of a target, and what to build next.

:func:`find_stacking_gaps` matches every outcome of every credential in a stack
against a target competency list (an occupation's O*NET profile, a framework
such as CMC, or a larger badge's outcomes) and returns a :class:`GapReport`:
the credential x competency coverage matrix, gaps weighted by demand or
importance, redundancy, a suggested order, credits toward a threshold, and a
*suggested* next credential built from the uncovered competencies.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from align._calibration import CREDIT_FLOOR, CREDIT_FULL
from align._config import Method, PathLike
from align._safeio import check_finite
from align._wording import BLOOM_LEVELS, bloom_level, outcome_verb
from align.exceptions import InvalidArgumentError, ProposalError, UnknownNameError
from align.frameworks import Framework, load_framework
from align.proposals._demand import DEMAND_QUOTAS, demand_from_onet
from align.proposals._model import Proposal, Stack, load_proposal, load_stack
from align.proposals._score import coverage_matrix, credit, similarity_matrix
from align.reports._base import ReportMixin
from align.reports._render import gaps_html, gaps_rich

__all__ = ["GapReport", "find_stacking_gaps", "target_items"]

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
Table = Literal["coverage", "gaps", "redundancy", "order", "suggestions"]
#: Tables a GapReport exports with ``to_frame``.
TABLES: dict[str, str] = {
    "coverage": "target competency x credential: credit of the credential's best outcome",
    "gaps": "one row per target competency: weight, coverage, gap = weight x (1 - coverage)",
    "redundancy": "competencies covered by two or more credentials",
    "order": "credentials in the suggested order, with the reason",
    "suggestions": "suggested next credential(s): title, draft outcomes, competencies covered",
}


@dataclass
class GapReport(ReportMixin):
    """What a stack of credentials covers of a target, and what is missing.

    Attributes
    ----------
    stack, target : str
        Names of the stack and the target.
    coverage : DataFrame
        Index: target competency id; one column per credential id; values the
        credit (0-1) of the credential's best-matching outcome.
    gaps : DataFrame
        ``id``, ``label``, ``kind``, ``weight``, ``coverage`` (best over the
        stack), ``gap`` (``weight * (1 - coverage)``), ``covered_by``,
        ``nearest_outcome`` (``credential:outcome``) and ``nearest_score`` (its
        credit score), ``evidence`` (why the item is demanded); largest gap first.
    redundancy : DataFrame
        ``id``, ``label``, ``credentials``: covered (credit >= ``covered``)
        by two or more credentials.
    order : DataFrame
        ``credential``, ``title``, ``credits``, ``job_zone``,
        ``foundational_share``, ``bloom_level``, ``reason``; suggested order.
    credits, threshold : float
        Credits summed over the stack, and the certificate or degree threshold.
    covered_share : float
        ``sum(weight * coverage) / sum(weight)``.
    suggestions : list of dict
        Suggested next credential(s): ``title``, ``outcomes`` (drafts),
        ``covers`` (competency labels), ``weight``; always ``suggestion: True``.
    """

    stack: str
    target: str
    coverage: pd.DataFrame
    gaps: pd.DataFrame
    redundancy: pd.DataFrame
    order: pd.DataFrame
    credits: float
    threshold: float | None
    covered_share: float
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_frame(self, table: Table = "gaps") -> pd.DataFrame:
        """One of the report's tables (see :data:`TABLES`); default the gaps."""
        if table not in TABLES:
            raise InvalidArgumentError(f"table={table!r}; expected one of {list(TABLES)}.")
        if table == "suggestions":
            return pd.DataFrame(
                self.suggestions,
                columns=["title", "outcomes", "covers", "evidence", "weight", "suggestion"],
            )
        return getattr(self, table).copy()

    def to_dict(self) -> dict[str, Any]:
        """The whole report as plain data."""

        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            return json.loads(df.to_json(orient="records", default_handler=str))

        cov = self.coverage.reset_index(names="id")
        return {
            "stack": self.stack,
            "target": self.target,
            "credits": self.credits,
            "threshold": self.threshold,
            "covered_share": self.covered_share,
            "coverage": rec(cov),
            "gaps": rec(self.gaps),
            "redundancy": rec(self.redundancy),
            "order": rec(self.order),
            "suggestions": self.suggestions,
            "settings": self.settings,
        }

    def _title(self) -> str:
        return self.stack

    def _html(self) -> str:
        return gaps_html(self)

    def _rich_parts(self) -> list[Any]:
        return gaps_rich(self)


# == target ===================================================================
def _items(
    ids: Sequence[str],
    labels: Sequence[str],
    kinds: Sequence[str] | str,
    weights: Sequence[float] | float = 1.0,
    descriptions: Sequence[str] | str = "",
) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "id": list(ids),
            "label": list(labels),
            "description": [descriptions] * n
            if isinstance(descriptions, str)
            else list(descriptions),
            "kind": [kinds] * n if isinstance(kinds, str) else list(kinds),
            "weight": [float(weights)] * n if isinstance(weights, int | float) else list(weights),
        }
    )


def target_items(
    target: Any,
    *,
    onet: Framework | None = None,
    data_dir: PathLike | None = None,
    quotas: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, str]:
    """Resolve a stacking target into a weighted competency list and a name.

    Parameters
    ----------
    target : str, Framework, Proposal or DataFrame
        ``onet:15-2051.00`` (or a bare O*NET-SOC code): the occupation's O*NET
        profile weighted by importance; a framework name (``cmc``, ``nace``) or
        a Framework: its competencies, equal weights; a Proposal or the path
        of a proposal file: the larger badge's outcomes, equal weights; a
        DataFrame with ``id`` and ``label`` (optional ``weight``, ``kind``,
        ``description``).

    Returns
    -------
    tuple of (DataFrame, str)
        The items (``id``, ``label``, ``description``, ``kind``, ``weight``)
        and a readable name of the target.
    """
    if isinstance(target, pd.DataFrame):
        if not {"id", "label"} <= set(target.columns):
            raise InvalidArgumentError(
                f"target table has columns {list(target.columns)}; expected at least 'id' and "
                "'label' (and optionally 'weight', 'kind', 'description')."
            )
        t = target.copy()
        for col, default in (("weight", 1.0), ("kind", "competency"), ("description", "")):
            if col not in t:
                t[col] = default
        return t[["id", "label", "description", "kind", "weight"]].reset_index(
            drop=True
        ), "custom competency list"
    if isinstance(target, Proposal):
        return (
            _items(
                [f"{target.id}:{o.id}" for o in target.outcomes],
                [o.text for o in target.outcomes],
                "outcome",
            ),
            f"outcomes of '{target.title}'",
        )
    if isinstance(target, Framework):
        allc = target.competencies
        c = allc[~allc["kind"].isin(["area", "behaviour"])]
        items = _items(
            c["id"].tolist(),
            c["label"].tolist(),
            c["kind"].tolist(),
            1.0,
            c["description"].tolist(),
        )
        # Sample behaviours (NACE) are concrete wording of their competency: matching
        # them as alternative labels lets "present results" reach Communication.
        beh = allc[allc["kind"] == "behaviour"].groupby("parent_id")["label"].agg(list)
        items["alt_labels"] = [
            [*a, *beh.get(i, [])] for i, a in zip(c["id"], c["alt_labels"], strict=True)
        ]
        return items, f"{target.info.name} {target.version}"
    if not isinstance(target, str | os.PathLike):
        raise InvalidArgumentError(
            f"target={target!r}; expected 'onet:<O*NET-SOC code>', a framework name, a "
            "proposal file, a Proposal, a Framework or a DataFrame of competencies."
        )
    name = str(target).strip()
    code = name.removeprefix("onet:")
    if code[:2].isdigit() and "-" in code:
        fw = onet if onet is not None else load_framework("onet", data_dir=data_dir)
        code = code if "." in code else f"{code}.00"
        try:
            items = demand_from_onet(
                fw, [code], quotas or {k: 2 * v for k, v in DEMAND_QUOTAS.items()}
            )
        except UnknownNameError as exc:
            raise UnknownNameError(f"target {name!r}: {exc}") from None
        occ = fw.occupations.set_index("code")["title"]
        items = items.assign(
            evidence=[
                f"O*NET {fw.version} {code}: need {iw:.2f} x distinctiveness {d:.2f} "
                f"= weight {wt:.2f}"
                for iw, d, wt in zip(
                    items["importance_weight"],
                    items["distinctiveness"],
                    items["weight"],
                    strict=True,
                )
            ]
        )
        return (
            items[["id", "label", "description", "kind", "weight", "evidence"]],
            f"O*NET {fw.version} profile of {code} {occ.get(code, '')}".strip(),
        )
    path = Path(name)
    if path.suffix.lower() in {".yaml", ".yml", ".json"}:
        return target_items(load_proposal(path))
    return target_items(load_framework(name, data_dir=data_dir))


# == ordering and suggestions =================================================
def _job_zone(onet: Framework | None, codes: Sequence[str]) -> float:
    if onet is None or not codes:
        return float("nan")
    groups = onet.occupations.set_index("code")["group"]
    zones = [float(groups[c]) for c in codes if c in groups.index and str(groups[c]).isdigit()]
    return min(zones) if zones else float("nan")


def _order(
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


def _suggest(
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


# == main entry ===============================================================
def _as_creds(stack: Any) -> tuple[list[Proposal], str, str, float | None]:
    if isinstance(stack, str | os.PathLike):
        stack = load_stack(stack)
    if isinstance(stack, Stack):
        target = stack.target
        if (
            Path(target).suffix.lower() in {".yaml", ".yml", ".json"}
            and stack.source
            and not Path(target).is_absolute()
        ):
            # A larger badge named in the stack file lives next to the stack file.
            target = str(Path(stack.source).parent / target)
        return stack.credentials, stack.title, target, stack.threshold_credits
    if isinstance(stack, Sequence) and all(isinstance(p, Proposal) for p in stack):
        if not stack:
            raise ProposalError("the stack is empty; give at least one credential.")
        return list(stack), "stack", "", None
    raise InvalidArgumentError(
        f"stack={type(stack).__name__}; expected a Stack, a stack file path or a list of "
        "Proposal objects."
    )


def find_stacking_gaps(
    stack: Stack | Sequence[Proposal] | PathLike,
    target: Any = None,
    *,
    onet: Framework | None = None,
    data_dir: PathLike | None = None,
    method: Method = "hybrid",
    embedder: Any = None,
    floor: float | None = None,
    full: float | None = None,
    covered: float = 0.5,
    threshold_credits: float | None = None,
    professional: Sequence[Framework | str] | None = ("nace", "cmc"),
    n_suggestions: int = 2,
) -> GapReport:
    """Find what a stack of credentials leaves uncovered of a target.

    Parameters
    ----------
    stack : Stack, list of Proposal, or path
        The credentials (:func:`align.proposal.load_stack` for a stack file).
    target : str, Framework, Proposal or DataFrame, optional
        What the stack builds toward (see :func:`target_items`); default the
        stack file's ``target``.
    onet : Framework, optional
        A loaded O*NET (loaded from ``data_dir`` when needed).
    method, embedder, floor, full
        Matching method and credit thresholds, as in :func:`align.score_alignment`
        (default: the thresholds calibrated for outcome -> competency, 0.30 / 0.42,
        with content-word overlap). When the target is a larger badge's outcomes
        (outcome -> outcome, sentences in the same domain and style, which the
        calibration does not cover) the matcher score is used as it is with
        0.30 / 0.50.
        Matching method and credit thresholds, as in :func:`align.score_alignment`.
    covered : float
        Credit from which a competency counts as covered (for redundancy and
        the suggestions).
    threshold_credits : float, optional
        Credits needed for the certificate or degree (default the stack's).
    professional : frameworks, optional
        Frameworks whose matches make an outcome "foundational" for ordering
        (NACE and CMC); ``None`` skips that evidence.
    n_suggestions : int
        How many next credentials to suggest.

    Returns
    -------
    GapReport
    """
    creds, name, stack_target, stack_threshold = _as_creds(stack)
    target = target if target is not None else (stack_target or None)
    if target is None:
        raise InvalidArgumentError(
            "no target: pass target= (e.g. 'onet:15-2051.00', 'cmc', or a larger badge's "
            "proposal file) or set 'target:' in the stack file."
        )
    # NaN, infinite or negative credits would make every ratio in the report meaningless.
    check_finite(threshold_credits, "threshold_credits", minimum=0)
    needs_onet = isinstance(target, str) and target.removeprefix("onet:")[:2].isdigit()
    if onet is None and (needs_onet or any(p.target_occupations for p in creds)):
        onet = load_framework("onet", data_dir=data_dir) if needs_onet else _maybe_onet(data_dir)
    items, target_name = target_items(target, onet=onet, data_dir=data_dir)
    items = items.drop_duplicates("id").reset_index(drop=True)
    outcome_target = bool(len(items)) and bool((items["kind"] == "outcome").all())
    if floor is None:
        floor = 0.30 if outcome_target else CREDIT_FLOOR
    if full is None:
        full = 0.50 if outcome_target else CREDIT_FULL
    credit(0.5, floor, full)
    cov, sims, owner = coverage_matrix(
        creds,
        items,
        method=method,
        embedder=embedder,
        floor=floor,
        full=full,
        calibrated=not outcome_target,
    )
    ids = [p.id for p in creds]
    coverage = pd.DataFrame(cov, index=pd.Index(items["id"], name="id"), columns=ids)
    best = cov.max(axis=1) if len(creds) else np.zeros(len(items))
    w = items["weight"].to_numpy(float)
    gaps = items[["id", "label", "kind", "weight", "description"]].copy()
    gaps["coverage"] = best
    gaps["gap"] = w * (1 - best)
    gaps["covered_by"] = [[ids[c] for c in np.flatnonzero(cov[j] > 0)] for j in range(len(items))]
    out_ids = [f"{p.id}:{o.id}" for p in creds for o in p.outcomes]
    if sims.size:
        near = sims.argmax(axis=0)
        gaps["nearest_outcome"] = [out_ids[i] for i in near]
        gaps["nearest_score"] = sims[near, np.arange(len(items))]
    else:
        gaps["nearest_outcome"] = ""
        gaps["nearest_score"] = 0.0
    gaps["evidence"] = items.get("evidence", "equal weight: a competency of the target")
    gaps = gaps[
        [
            "id",
            "label",
            "kind",
            "weight",
            "coverage",
            "gap",
            "covered_by",
            "nearest_outcome",
            "nearest_score",
            "evidence",
            "description",
        ]
    ]
    gaps = gaps.sort_values(["gap", "weight"], ascending=False, kind="stable").reset_index(
        drop=True
    )
    multi = [
        (items["id"][j], items["label"][j], [ids[c] for c in np.flatnonzero(cov[j] >= covered)])
        for j in range(len(items))
    ]
    redundancy = pd.DataFrame(
        [m for m in multi if len(m[2]) >= 2], columns=["id", "label", "credentials"]
    )
    share = float((w * best).sum() / w.sum()) if w.sum() > 0 else 0.0

    prof_share = None
    if professional:
        texts = [o.text for p in creds for o in p.outcomes]
        fws = [
            f if isinstance(f, Framework) else load_framework(f, data_dir=data_dir)
            for f in professional
        ]
        pitems = pd.concat([target_items(f)[0] for f in fws], ignore_index=True)
        psims = similarity_matrix(texts, pitems, method=method, embedder=embedder)
        pbest = psims.max(axis=1) if psims.size else np.zeros(len(texts))
        tbest = sims.max(axis=1) if sims.size else np.zeros(len(texts))
        found = (pbest >= floor) & (pbest >= tbest)
        prof_share = np.array(
            [found[owner == c].mean() if (owner == c).any() else 0.0 for c in range(len(creds))]
        )
    order = _order(creds, prof_share, onet)
    threshold = threshold_credits if threshold_credits is not None else stack_threshold
    suggestions = _suggest(gaps, method, embedder, n_suggestions, covered)
    settings = {
        "method": method,
        "floor": floor,
        "full": full,
        "covered": covered,
        "target_items": len(items),
    }
    return GapReport(
        name,
        target_name,
        coverage,
        gaps,
        redundancy,
        order,
        float(sum(p.credits for p in creds)),
        threshold,
        share,
        suggestions,
        settings,
    )


def _maybe_onet(data_dir: PathLike | None) -> Framework | None:
    """O*NET for job zones when its files are present; ordering works without it."""
    from align.frameworks import available_frameworks

    avail = available_frameworks(data_dir).set_index("name")["available"]
    return load_framework("onet", data_dir=data_dir) if bool(avail.get("onet")) else None
