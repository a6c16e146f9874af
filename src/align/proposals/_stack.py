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
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from align._config import PathLike
from align._safeio import check_finite
from align.exceptions import InvalidArgumentError, ProposalError, UnknownNameError
from align.frameworks import Framework, load_framework
from align.proposals._demand import DEMAND_QUOTAS, demand_from_onet
from align.proposals._matches import background_for, coverage_matrix, outcome_matches
from align.proposals._model import Proposal, Stack, load_proposal, load_stack
from align.proposals._score import onet_if_available
from align.proposals._settings import ScoreSettings
from align.proposals._suggest import order_credentials, suggest_next
from align.reports._base import ReportMixin
from align.reports._render import (
    CSS,
    credit_cell,
    cut,
    esc,
    html_table,
    legend,
    matrix_table,
    pct,
    plain,
    rows,
    visible,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["GapReport", "find_stacking_gaps", "target_items"]

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
        standout, in standard deviations), ``evidence`` (why the item is
        demanded); largest gap first.
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
        return _gaps_html(self)

    def _rich_parts(self) -> list[Any]:
        return _gaps_rich(self)


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
    settings: ScoreSettings | None = None,
    embedder: Any = None,
    covered: float = 0.5,
    threshold_credits: float | None = None,
    professional: Sequence[Framework | str] | None = ("nace", "cmc"),
    n_suggestions: int = 2,
    **options: Any,
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
    settings, embedder
        How outcomes earn credit, as in :func:`align.score_alignment` (credit by
        meaning, the same thresholds for every kind of target).
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
    **options
        Fields of :class:`align.ScoreSettings` (``method="semantic"``, ...).

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
        onet = (
            load_framework("onet", data_dir=data_dir) if needs_onet else onet_if_available(data_dir)
        )
    items, target_name = target_items(target, onet=onet, data_dir=data_dir)
    items = items.drop_duplicates("id").reset_index(drop=True)
    s = settings.replace(**options) if settings is not None else ScoreSettings(**options)
    bg = background_for(onet, embedder)
    cov, sims, owner = coverage_matrix(creds, items, settings=s, embedder=embedder, background=bg)
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
        fws = [
            f if isinstance(f, Framework) else load_framework(f, data_dir=data_dir)
            for f in professional
        ]
        target_best = sims.max(axis=1) if sims.size else np.zeros(len(owner))
        shares = []
        for c, p in enumerate(creds):
            m = outcome_matches(p, fws, settings=s, embedder=embedder, background=bg)
            best = m.groupby("query_index")["standout"].max()
            mine = target_best[owner == c]
            found = [
                bool(best.get(i, -np.inf) > max(mine[i], s.professional_floor))
                for i in range(len(p.outcomes))
            ]
            shares.append(float(np.mean(found)) if found else 0.0)
        prof_share = np.array(shares)
    order = order_credentials(creds, prof_share, onet)
    threshold = threshold_credits if threshold_credits is not None else stack_threshold
    suggestions = suggest_next(gaps, s.method, embedder, n_suggestions, covered)
    report_settings = {
        **s.to_dict(),
        "covered": covered,
        "target_items": len(items),
        "background": bg.source,
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
        report_settings,
    )


# == rendering ==================================================================
def _gaps_html(report: GapReport) -> str:
    """HTML of a stacking-gap report."""
    cov = report.coverage.copy()
    cov.insert(0, "competency", cov.index)
    gaps = report.gaps[["label", "kind", "weight", "coverage", "gap"]]
    sugg = "".join(
        f"<li><b>{esc(s['title'])}</b> <small>(suggestion)</small><ul>"
        + "".join(f"<li>{esc(o)}</li>" for o in s["outcomes"])
        + "</ul></li>"
        for s in report.suggestions
    )
    return (
        f"{CSS}<div class='align-r'><h3>Stacking gaps: {esc(report.stack)}</h3>"
        f"<p>Target: {esc(report.target)}. Covered {report.covered_share:.0%} of the target's "
        f"weight. Credits {report.credits:g}"
        + (f" of {report.threshold:g}" if report.threshold else "")
        + "</p>"
        f"<h4>Gaps (largest first)</h4>{html_table(gaps.head(25), bars=('coverage',))}"
        f"<h4>Suggested order</h4>{html_table(report.order)}"
        f"<h4>Suggested next credential(s)</h4><ul>{sugg}</ul>"
        f"<h4>Coverage matrix</h4>{html_table(cov.round(2))}</div>"
    )


def _gaps_rich(report: GapReport) -> list[RenderableType]:
    """Rich renderables for ``align gaps``."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    thr = (
        f" of the {report.threshold:g} needed ({report.credits / report.threshold:.0%})"
        if report.threshold
        else ""
    )
    head = Text.assemble(
        ("Target: ", "bold"),
        visible(str(report.target)),
        f"\nCredentials: {len(report.order)}; credits {report.credits:g}{thr}",
        f"\nTarget weight covered by the stack: {report.covered_share:.0%}",
    )
    out: list[RenderableType] = [Panel(head, title=f"[b]{plain(report.stack)}[/b]", expand=False)]
    creds = list(report.coverage.columns)
    mat = matrix_table(
        "Coverage matrix (credit of each credential's best outcome)",
        "target competency",
        "weight",
        len(creds),
    )
    top = report.gaps.sort_values("weight", ascending=False).head(20)
    for r in rows(top):
        vals = report.coverage.loc[r.id] if r.id in report.coverage.index else None
        cells = [
            credit_cell(v) for v in (vals.tolist() if vals is not None else [0.0] * len(creds))
        ]
        mat.add_row(cut(r.label, 60), f"{r.weight:.2f}", *cells)
    out.append(mat)
    out.append(legend(creds))
    g = Table(title="Largest gaps (weight x uncovered share)", title_justify="left")
    for col in ("competency", "kind", "weight", "coverage", "gap"):
        g.add_column(col)
    for r in rows(report.gaps[report.gaps["gap"] > 0].head(12)):
        g.add_row(
            plain(str(r.label)[:70]),
            plain(r.kind),
            f"{r.weight:.2f}",
            pct(r.coverage),
            f"{r.gap:.2f}",
        )
    out.append(g)
    if len(report.redundancy):
        rd = Table(
            title="Covered by two or more credentials (possible redundancy)", title_justify="left"
        )
        rd.add_column("competency")
        rd.add_column("credentials")
        for r in rows(report.redundancy.head(12)):
            rd.add_row(plain(str(r.label)[:70]), plain(", ".join(r.credentials)))
        out.append(rd)
    od = Table(title="Suggested order (foundational first)", title_justify="left")
    for col in ("step", "credential", "credits", "why"):
        od.add_column(col)
    for i, r in enumerate(rows(report.order), 1):
        od.add_row(str(i), plain(r.credential), f"{r.credits:g}", plain(r.reason))
    out.append(od)
    for s in report.suggestions:
        body = "\n".join(f"- {plain(o)}" for o in s["outcomes"])
        why = "\n".join(
            f"[dim]{cut(e['competency'], 50)}: {plain(e['demand'])}; nearest outcome "
            f"{plain(e['nearest_outcome'])} ({e['nearest_score']:.2f})[/]"
            for e in s.get("evidence", [])[:6]
        )
        out.append(
            Panel(
                f"{body}\n[dim]covers: {plain(', '.join(s['covers'][:6]))}[/]\n{why}",
                title=f"[b]Suggested next credential: {plain(s['title'])}[/b]",
                subtitle="a suggestion for the curriculum committee, not a decision",
                expand=False,
            )
        )
    return out
