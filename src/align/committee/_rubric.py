"""The committee rubric and the evidence align gathers for each criterion.

A rubric is YAML: a ``name``, a rating ``scale`` (``value`` and ``label``,
highest first) and ``criteria`` (``id``, ``name``, ``question`` and optionally
``evidence``, naming one of the evidence gatherers in :data:`EVIDENCE`). The
default rubric (``default_rubric.yaml`` next to this module) holds the criteria
a micro-credential office reviews. :func:`rubric_evidence` returns, per
criterion, what align found, a suggested rating on the scale and the reason.
Suggested ratings are a starting point for reviewers, never a decision.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from align._safeio import load_data
from align.exceptions import InvalidArgumentError
from align.reports import ReportMixin

__all__ = [
    "DEFAULT_RUBRIC_PATH",
    "EVIDENCE",
    "Criterion",
    "CriterionEvidence",
    "Rubric",
    "RubricEvidence",
    "load_rubric",
    "rubric_evidence",
]

PathLike = str | os.PathLike[str]
#: The default rubric file (copy it to make your own).
DEFAULT_RUBRIC_PATH = Path(__file__).with_name("default_rubric.yaml")


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion: ``id``, ``name``, the reviewers' ``question`` and the
    ``evidence`` gatherer (empty: reviewers judge alone)."""

    id: str
    name: str
    question: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class Rubric:
    """A review rubric: criteria and a rating scale (value -> label, highest first)."""

    name: str
    criteria: list[Criterion]
    scale: dict[int, str]
    source: str = ""

    @property
    def top(self) -> int:
        """The highest rating."""
        return max(self.scale)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id."""
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise InvalidArgumentError(
            f"criterion {criterion_id!r} is not in the rubric {self.name!r}; use one of "
            f"{[c.id for c in self.criteria]}."
        )

    def label(self, rating: int | None) -> str:
        """The scale label of a rating ("not rated" for None)."""
        return "not rated" if rating is None else self.scale.get(int(rating), str(rating))

    def _nearest(self, fraction: float) -> int:
        """The scale value closest to ``fraction`` (0-1) of the top rating."""
        lo = min(self.scale)
        want = lo + max(0.0, min(1.0, fraction)) * (self.top - lo)
        return min(self.scale, key=lambda v: (abs(v - want), -v))


def load_rubric(path: PathLike | None = None) -> Rubric:
    """Read a rubric YAML file (``None``: the default rubric).

    Raises
    ------
    InvalidArgumentError
        The file is missing or a field is wrong; the message names the field.

    Examples
    --------
    >>> r = load_rubric()
    >>> [c.id for c in r.criteria][:3], r.scale[r.top]
    (['outcomes', 'assessment', 'labor_market'], 'Strong')
    """
    file = Path(path) if path is not None else DEFAULT_RUBRIC_PATH
    if not file.is_file():
        raise InvalidArgumentError(
            f"rubric file '{file}' does not exist; copy the default ({DEFAULT_RUBRIC_PATH}) "
            "and edit it."
        )
    # Regular files only, size, depth, alias, repeated-key, number and encoding limits.
    data = load_data(file, "rubric file", error=InvalidArgumentError)
    where = f"rubric file '{file}'"
    if not isinstance(data, dict):
        raise InvalidArgumentError(f"{where} should hold 'name:', 'scale:' and 'criteria:'.")
    scale_raw = data.get("scale")
    if not isinstance(scale_raw, list) or not scale_raw:
        raise InvalidArgumentError(
            f"{where}: 'scale' should be a list like '- {{value: 3, label: Strong}}'."
        )
    scale: dict[int, str] = {}
    for n, item in enumerate(scale_raw, 1):
        if not isinstance(item, dict) or not isinstance(item.get("value"), int):
            raise InvalidArgumentError(
                f"{where}: scale entry {n} is {item!r}; expected a whole-number 'value' and "
                "a 'label'."
            )
        scale[int(item["value"])] = str(item.get("label") or item["value"])
    crit_raw = data.get("criteria")
    if not isinstance(crit_raw, list) or not crit_raw:
        raise InvalidArgumentError(f"{where}: 'criteria' should be a list of criteria.")
    criteria = []
    seen: set[str] = set()
    for n, item in enumerate(crit_raw, 1):
        if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
            raise InvalidArgumentError(
                f"{where}: criterion {n} is {item!r}; each criterion needs an 'id' and a 'name'."
            )
        cid = str(item["id"])
        if cid in seen:
            raise InvalidArgumentError(f"{where}: two criteria share the id {cid!r}.")
        seen.add(cid)
        ev = str(item.get("evidence") or "")
        if ev and ev not in EVIDENCE:
            raise InvalidArgumentError(
                f"{where}: criterion {cid!r} asks for evidence {ev!r}; use one of "
                f"{sorted(EVIDENCE)} or leave 'evidence' out."
            )
        criteria.append(Criterion(cid, str(item["name"]), str(item.get("question") or ""), ev))
    return Rubric(str(data.get("name") or file.stem), criteria, scale, str(file))


@dataclass(frozen=True)
class CriterionEvidence:
    """What align found for one criterion, and the rating it suggests.

    Attributes
    ----------
    criterion : Criterion
    evidence : list of str
        Plain sentences: what align found.
    suggested : int or None
        Suggested rating on the rubric's scale (None: no evidence gatherer).
    reason : str
        Why that rating.
    """

    criterion: Criterion
    evidence: list[str]
    suggested: int | None
    reason: str


@dataclass
class _Context:
    proposal: Any
    report: Any
    alignments: Any
    today: date
    demand_period: str | None


def _ev_outcomes(ctx: _Context, rubric: Rubric) -> tuple[list[str], float, str]:
    from align.proposals import check_policy

    p = ctx.proposal
    checks = check_policy(p).to_frame()
    meas = checks[checks["check"] == "measurable"]
    ok = meas[meas["status"] == "pass"]
    lines = [f"{len(p.outcomes)} learning outcome(s)."]
    lines += [f"{r.subject}: {r.message}" for r in meas.itertuples() if r.status != "pass"]
    share = len(ok) / len(p.outcomes) if p.outcomes else 0.0
    lines.append(f"{len(ok)} of {len(p.outcomes)} start with an observable, measurable verb.")
    if not p.outcomes:
        return lines, 0.0, "no outcomes"
    few = len(p.outcomes) < 3
    frac = share * (0.67 if few else 1.0)
    return (
        lines,
        frac,
        (f"{share:.0%} of outcomes are measurable" + ("; fewer than 3 outcomes" if few else "")),
    )


def _ev_assessment(ctx: _Context, rubric: Rubric) -> tuple[list[str], float, str]:
    p = ctx.proposal
    both = [o for o in p.outcomes if o.assessment and o.evidence]
    lines = [
        f"{o.id}: assessed by {o.assessment or '(no assessment given)'}; evidence: "
        f"{o.evidence or '(no artifact given)'}"
        for o in p.outcomes
    ]
    share = len(both) / len(p.outcomes) if p.outcomes else 0.0
    return (
        lines,
        share,
        f"{len(both)} of {len(p.outcomes)} outcomes name both an assessment and an artifact",
    )


def _component(report: Any, name: str) -> float:
    return float(report.component(name)) if report is not None else 0.0


def _ev_labor_market(ctx: _Context, rubric: Rubric) -> tuple[list[str], float, str]:
    r = ctx.report
    b = r.basis if r is not None else None
    src = b.demand_source if b is not None else "none"
    versions = b.frameworks if b is not None else {}
    titles = b.occupation_titles if b is not None else {}
    codes = b.target_occupations if b is not None else []
    occ = ", ".join(f"{c} {titles.get(c, '')}".strip() for c in codes)
    computed = ctx.today.isoformat()
    if src == "postings" and b is not None:
        period = ctx.demand_period or "not given"
        source = (
            f"job postings{' in ' + b.region if b.region else ''} "
            f"({b.postings} matching postings; period {period})"
        )
    elif src == "onet":
        source = (
            f"O*NET {versions.get('onet', '')} task statements, work activities and hot "
            "technologies of the target occupations"
        ).replace("  ", " ")
    else:
        source = "none"
    lines = [
        f"Data source: {source}; computed {computed}.",
        f"Target occupations: {occ or 'none named'}.",
    ]
    if src == "none" or r is None:
        return lines, 0.0, "no demand evidence: name target occupations or give postings"
    d = _component(r, "demand_coverage")
    rel = _component(r, "relevance")
    lines.append(
        f"Demand coverage {d:.0%}; relevance {rel:.0%} (mean credit of the outcomes "
        "against what the occupations do); overall "
        f"{r.overall:.0f}, {r.band}."
    )
    covered = r.demand[r.demand["coverage"] > 0].sort_values("weight", ascending=False)
    if len(covered):
        lines.append("Top demanded items covered: " + ", ".join(covered["label"].head(5)) + ".")
    missing = r.demand[r.demand["coverage"] == 0].sort_values("weight", ascending=False)
    if len(missing):
        lines.append("Not covered: " + ", ".join(missing["label"].head(5)) + ".")
    frac = 1.0 if d >= 0.6 else 0.67 if d >= 0.4 else 0.34 if d > 0 else 0.0
    reason = f"demand coverage {d:.0%}"
    if src == "postings" and not ctx.demand_period:
        frac = min(frac, 0.67)
        reason += "; the postings' period (date) is not given"
    return lines, frac, reason


def _ev_framework(ctx: _Context, rubric: Rubric) -> tuple[list[str], float, str]:
    r = ctx.report
    lines = []
    if r is not None:
        f = _component(r, "framework_alignment")
        lines.append(f"Framework alignment {f:.0%} (mean best match credit per outcome).")
        for row in r.frameworks.itertuples(index=False):
            lines.append(
                f"{row.name} {row.version}: {row.competencies_matched} competencies, "
                f"{row.outcome_share:.0%} of outcomes."
            )
    else:
        f = 0.0
    al = ctx.alignments
    if al is not None:
        pending = len(al.pending())
        state = (
            "reviewed by faculty"
            if not pending
            else "unreviewed suggestions"
            if pending == len(al.items)
            else f"{pending} not yet reviewed"
        )
        lines.append(f"{len(al.distinct())} aligned competencies for the badge ({state}).")
        if not al.unreviewed and r is None:
            f = 1.0 if al.items else 0.0
    reason = f"framework alignment {f:.0%}"
    if al is not None and al.unreviewed:
        reason += "; alignments not yet reviewed"
    return lines, f, reason


def _ev_balance(ctx: _Context, rubric: Rubric) -> tuple[list[str], float, str]:
    r = ctx.report
    if r is None:
        return ["No alignment report."], 0.0, "not computed"
    b = _component(r, "balance")
    prof = r.basis.professional_aligned
    tech = r.basis.technical_aligned
    lines = [
        f"{prof} professional (NACE, CMC tiers 1-3) and {tech} demanded technical "
        "competencies aligned."
    ]
    return lines, b, f"balance {b:.0%}"


def _ev_partners(ctx: _Context, rubric: Rubric) -> tuple[list[str], float, str]:
    p = ctx.proposal
    lines = [
        f"{pt.name}: {pt.level} collaboration ({pt.role or 'role not given'})." for pt in p.partners
    ]
    lines += [
        f"Endorsed by {e.by}" + (f" on {e.date.isoformat()}" if e.date else "") + "."
        for e in p.endorsements
    ]
    if not lines:
        lines = ["No partners or endorsements named."]
    best = max(({"low": 1, "mid": 2, "high": 3}[pt.level] for pt in p.partners), default=0)
    frac = best / 3
    if p.endorsements:
        frac = min(1.0, frac + 0.34)
    reason = (
        f"highest collaboration level {['none', 'low', 'mid', 'high'][best]}; "
        f"{len(p.endorsements)} endorsement(s)"
    )
    return lines, frac, reason


def _ev_stackability(ctx: _Context, rubric: Rubric) -> tuple[list[str], float, str]:
    p = ctx.proposal
    lines = [f"Credits: {p.credits:g} ({p.type})."]
    lines += [f"Stacks into: {s}." for s in p.stacks_into] or ["Stacks into nothing named."]
    if p.stacks_into and p.credits > 0:
        return lines, 1.0, "stacks into a larger credential and carries credit"
    if p.stacks_into:
        return lines, 0.67, "stacks into a larger credential; non-credit"
    return lines, 0.34 if p.credits > 0 else 0.0, "no stacking pathway named"


def _ev_currency(ctx: _Context, rubric: Rubric) -> tuple[list[str], float, str]:
    p = ctx.proposal
    today = ctx.today
    lines = []
    old = [e for e in p.endorsements if e.date and (today - e.date).days > 3 * 365]
    if p.expiry is None:
        lines.append("No expiry or review date.")
        frac, reason = 0.34, "no expiry or review date"
    elif p.expiry < today:
        lines.append(f"Expired on {p.expiry.isoformat()}.")
        frac, reason = 0.0, "already expired"
    else:
        years = (p.expiry - today).days / 365.25
        lines.append(
            f"Expires or is reviewed on {p.expiry.isoformat()} ({years:.1f} years from now)."
        )
        frac, reason = (
            (1.0, "review date within 5 years")
            if years <= 5
            else (
                0.67,
                "review date more than 5 years away",
            )
        )
    if old:
        lines.append(f"{len(old)} endorsement(s) are more than 3 years old.")
        frac = min(frac, 0.67)
        reason += "; endorsements older than 3 years"
    return lines, frac, reason


_Gatherer = Callable[[_Context, Rubric], tuple[list[str], float, str]]
#: Evidence gatherers a rubric criterion can name, and what each looks at.
EVIDENCE: dict[str, str] = {
    "outcomes": "number of outcomes and whether each starts with a measurable verb",
    "assessment": "each outcome's assessment and evidence artifact",
    "labor_market": "demand coverage from postings or O*NET, with the data source and date",
    "framework_alignment": "framework alignment score and the aligned competencies",
    "balance": "professional and technical competencies aligned",
    "partners": "partner collaboration levels and endorsements",
    "stackability": "credits and the credentials it stacks into",
    "currency": "expiry or review date and the age of endorsements",
}
_GATHERERS: dict[str, _Gatherer] = {
    "outcomes": _ev_outcomes,
    "assessment": _ev_assessment,
    "labor_market": _ev_labor_market,
    "framework_alignment": _ev_framework,
    "balance": _ev_balance,
    "partners": _ev_partners,
    "stackability": _ev_stackability,
    "currency": _ev_currency,
}


@dataclass
class RubricEvidence(ReportMixin):
    """Evidence and suggested ratings for every criterion of a rubric.

    A report like the others (:class:`align.reports.Report`): renders in
    Jupyter and the terminal, exports with :meth:`to_frame`, :meth:`to_json`
    and :meth:`write_html`.
    """

    proposal: str
    rubric: Rubric
    items: list[CriterionEvidence]
    computed_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )

    def to_frame(self, table: str = "criteria") -> pd.DataFrame:
        """One row per criterion: ``criterion``, ``name``, ``evidence`` (text),
        ``suggested`` (rating or None), ``suggested_label``, ``reason``.

        ``table`` is ``"criteria"``, the one table of this report.
        """
        if table != "criteria":
            raise InvalidArgumentError(f"table={table!r}; this report has one table, 'criteria'.")
        return pd.DataFrame(
            [
                {
                    "criterion": e.criterion.id,
                    "name": e.criterion.name,
                    "evidence": "\n".join(e.evidence),
                    "suggested": e.suggested,
                    "suggested_label": self.rubric.label(e.suggested),
                    "reason": e.reason,
                }
                for e in self.items
            ],
            columns=["criterion", "name", "evidence", "suggested", "suggested_label", "reason"],
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "proposal": self.proposal,
            "rubric": self.rubric.name,
            "scale": {str(k): v for k, v in self.rubric.scale.items()},
            "computed_at": self.computed_at,
            "criteria": [
                {
                    **asdict(e.criterion),
                    "evidence_found": e.evidence,
                    "suggested": e.suggested,
                    "suggested_label": self.rubric.label(e.suggested),
                    "reason": e.reason,
                }
                for e in self.items
            ],
        }

    def _title(self) -> str:
        return f"Rubric evidence: {self.proposal}"

    def _rich_parts(self) -> list[Any]:
        from rich.table import Table

        t = Table(title=self._title(), title_justify="left", show_lines=True)
        for col in ("criterion", "evidence found", "suggested", "why"):
            t.add_column(col)
        for e in self.items:
            t.add_row(
                e.criterion.name,
                "\n".join(e.evidence),
                self.rubric.label(e.suggested),
                e.reason,
                end_section=False,
            )
        return [t]

    def _html(self) -> str:
        rows = "".join(
            f"<tr><td><b>{html.escape(e.criterion.name)}</b></td><td>"
            + "<br>".join(html.escape(x) for x in e.evidence)
            + f"</td><td>{html.escape(self.rubric.label(e.suggested))}</td>"
            f"<td>{html.escape(e.reason)}</td></tr>"
            for e in self.items
        )
        return (
            f"<h4>Rubric evidence: {html.escape(self.proposal)}</h4><table><tr><th>Criterion</th>"
            f"<th>Evidence found</th><th>Suggested rating</th><th>Why</th></tr>{rows}</table>"
        )


def rubric_evidence(
    proposal: Any,
    report: Any = None,
    *,
    rubric: Rubric | PathLike | None = None,
    alignments: Any = None,
    demand_period: str | None = None,
    today: date | None = None,
) -> RubricEvidence:
    """Evidence and a suggested rating for each criterion of the rubric.

    Parameters
    ----------
    proposal : Proposal
        The proposal.
    report : AlignmentReport, optional
        Its alignment report (:func:`align.score_alignment`); without it the
        labor-market, framework and balance criteria are suggested as missing.
    rubric : Rubric or path, optional
        The rubric (default: :data:`DEFAULT_RUBRIC_PATH`).
    alignments : Alignments, optional
        The badge's alignments (``align.exports.gather_alignments``).
    demand_period : str, optional
        The period of the postings data behind the demand (``2024Q2``): the
        date the labor-market criterion asks for.
    today : date, optional
        The date expiry and endorsement ages are measured from.

    Returns
    -------
    RubricEvidence
    """
    rub = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    ctx = _Context(proposal, report, alignments, today or datetime.now(UTC).date(), demand_period)
    items = []
    for c in rub.criteria:
        if not c.evidence:
            items.append(CriterionEvidence(c, ["Reviewers judge this criterion."], None, ""))
            continue
        lines, frac, reason = _GATHERERS[c.evidence](ctx, rub)
        items.append(CriterionEvidence(c, lines, rub._nearest(frac), reason))
    return RubricEvidence(proposal.title, rub, items)
