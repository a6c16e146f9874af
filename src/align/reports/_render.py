"""Rendering of proposal reports: HTML for Jupyter and files, rich tables for the terminal.

Only presentation lives here; every number comes from the report objects of
:mod:`align.proposals` (scoring, policy checks, stacking gaps, portfolio).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import pandas as pd

from align._safeio import terminal_text as _s
from align._safeio import visible_controls as _v

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from align.proposals._policy import PolicyReport
    from align.proposals._portfolio import PortfolioReport
    from align.proposals._score import AlignmentReport
    from align.proposals._stack import GapReport

__all__ = [
    "alignment_html",
    "alignment_rich",
    "gaps_html",
    "gaps_rich",
    "policy_html",
    "policy_rich",
    "portfolio_html",
    "portfolio_rich",
]

_CSS = (
    "<style>.align-r table{border-collapse:collapse;margin:.4em 0 1em}"
    ".align-r td,.align-r th{border:1px solid #ddd;padding:2px 6px;text-align:left;"
    "vertical-align:top}.align-r .bar{display:inline-block;height:.7em;background:#2f81f7}"
    ".align-r small{color:#555}</style>"
)
SCORE_GUIDE = (
    "overall = 100 x (0.45 demand coverage + 0.20 relevance + 0.15 framework alignment + "
    "0.20 balance) with the default weights; see docs/scoring.md."
)


def _e(value: Any) -> str:
    return html.escape(str(value))


def _bar(value: float, width: int = 80) -> str:
    v = max(0.0, min(1.0, float(value)))
    return f"<span class='bar' style='width:{int(v * width)}px'></span> {v:.0%}"


def _table(df: pd.DataFrame, bars: tuple[str, ...] = ()) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    body = []
    for row in _rows(df):
        cells = []
        for col, val in zip(df.columns, row, strict=True):
            if col in bars:
                cells.append(f"<td>{_bar(val)}</td>")
            elif isinstance(val, float):
                cells.append(f"<td>{val:.2f}</td>")
            elif isinstance(val, list):
                cells.append(f"<td>{_e(', '.join(map(str, val)))}</td>")
            else:
                cells.append(f"<td>{_e(val)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _targets(report: AlignmentReport) -> str:
    titles = report.settings.get("occupation_titles", {})
    codes = report.settings.get("target_occupations", [])
    return ", ".join(f"{c} {titles.get(c, '')}".strip() for c in codes) or "none"


def alignment_html(report: AlignmentReport) -> str:
    """HTML of an alignment report (what Jupyter shows)."""
    ci = (
        f" (95% interval {report.interval[0]:.0f}-{report.interval[1]:.0f} over postings)"
        if report.interval
        else ""
    )
    comps = report.components[["component", "value", "weight", "contribution", "meaning"]]
    demand = report.demand[["label", "kind", "weight", "coverage", "best_outcome"]]
    outcomes = report.outcomes[["outcome_id", "text", "relevant", "best_demand", "aligned"]]
    fws = report.frameworks[["framework", "competencies_matched", "outcome_share", "competencies"]]
    notes = "".join(f"<li>{_e(n)}</li>" for n in report.notes)
    return (
        f"{_CSS}<div class='align-r'><h3>Workforce alignment: {_e(report.proposal)}</h3>"
        f"<p><b>Overall {report.overall:.0f} / 100</b>{ci}. Targets: {_e(_targets(report))}; "
        f"demand from {_e(report.settings.get('demand_source'))}.</p>"
        f"<h4>Score components</h4>{_table(comps, bars=('value',))}"
        f"<small>{_e(SCORE_GUIDE)}</small>"
        f"<h4>Demanded skills and how well the outcomes cover them</h4>"
        f"{_table(demand, bars=('coverage',))}"
        f"<h4>Outcomes</h4>{_table(outcomes)}"
        f"<h4>Framework alignment</h4>{_table(fws, bars=('outcome_share',))}"
        + (f"<h4>Notes</h4><ul>{notes}</ul>" if notes else "")
        + f"<small>method {_e(report.settings.get('method'))}, credit from match score "
        f"{report.settings.get('floor')} (none) to {report.settings.get('full')} (full); "
        f"frameworks {_e(report.settings.get('frameworks'))}</small></div>"
    )


def _cut(text: str, n: int = 48) -> str:
    """Shortened user text, escaped for rich markup (the rich renderers' only use)."""
    text = str(text).strip().rstrip(".")
    return _s(text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…")


def _rows(df: pd.DataFrame) -> list[Any]:
    """Rows as named tuples (typed Any: the columns are documented on each report)."""
    return list(df.itertuples(index=False))


def _legend(creds: list[str]) -> RenderableType:
    from rich.text import Text

    return Text(_v("credentials: " + "; ".join(f"#{i + 1} {c}" for i, c in enumerate(creds))))


def _credit_cell(v: float) -> str:
    return f"[{_colour(v)}]{v:.2f}[/]" if v > 0 else "[dim]-[/]"


def _matrix_table(title: str, row_header: str, weight_header: str, n_creds: int) -> Table:
    """An empty items x credentials table; credentials are numbered to fit 80 columns."""
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    t.add_column(row_header, min_width=24)
    t.add_column(weight_header, justify="right")
    for i in range(n_creds):
        t.add_column(f"#{i + 1}", justify="right")
    return t


def _pct(v: float) -> str:
    return f"{float(v):.0%}"


def _colour(v: float) -> str:
    return "green" if v >= 0.67 else "yellow" if v >= 0.34 else "red"


def alignment_rich(report: AlignmentReport) -> list[RenderableType]:
    """Rich renderables for ``align score``: a full, explained report."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    s = report.settings
    ci = (
        f"\n95% interval over postings: {report.interval[0]:.0f}-{report.interval[1]:.0f} "
        f"({s.get('n_boot')} bootstrap resamples)"
        if report.interval
        else ""
    )
    src = {
        "onet": "O*NET importance ratings of the target occupations",
        "postings": f"job postings{' in ' + s['region'] if s.get('region') else ''}",
        "none": "no demand data",
    }.get(str(s.get("demand_source")), str(s.get("demand_source")))
    head = Text.assemble(
        ("Overall alignment: ", "bold"),
        (f"{report.overall:.0f} / 100", "bold cyan"),
        ci,
        _v(f"\nTarget occupations: {_targets(report)}\nDemand from: {src}"),
    )
    out: list[RenderableType] = [Panel(head, title=f"[b]{_s(report.proposal)}[/b]", expand=False)]

    comp = Table(title="How the score is made", title_justify="left", show_lines=False)
    for col in ("component", "value", "weight", "points", "what it measures"):
        comp.add_column(col, justify="right" if col in {"value", "weight", "points"} else "left")
    for r in _rows(report.components):
        comp.add_row(
            r.component.replace("_", " "),
            f"[{_colour(r.value)}]{_pct(r.value)}[/]",
            f"{r.weight:.2f}",
            f"{r.contribution:.1f}",
            r.meaning,
        )
    comp.add_row("[b]overall[/b]", "", "", f"[b]{report.overall:.1f}[/b]", "sum of the points")
    out.append(comp)

    oc = Table(
        title="Each outcome: best demanded skill and aligned competencies",
        title_justify="left",
        show_lines=True,
    )
    oc.add_column("outcome", no_wrap=True)
    oc.add_column("text", ratio=3)
    oc.add_column("best demanded skill (match score)", ratio=2)
    oc.add_column("aligned competencies (framework, score)", ratio=3)
    for r in _rows(report.outcomes):
        mine = report.matches[
            (report.matches["outcome_id"] == r.outcome_id) & (report.matches["credit"] > 0)
        ]
        aligned = (
            "\n".join(
                f"{_cut(m.label)} ({_s(m.framework)}, {m.score:.2f})"
                # The two best of each framework, so NACE/CMC show beside O*NET.
                for m in mine.sort_values("score", ascending=False)
                .groupby("framework")
                .head(2)
                .head(5)
                .itertuples(index=False)
            )
            or "[red]none above the match threshold[/]"
        )
        best = (
            f"{_cut(r.best_demand)} ({r.best_demand_score:.2f})"
            if r.relevant
            else f"[red]none[/] (closest: {_cut(r.best_demand)}, {r.best_demand_score:.2f})"
            if r.best_demand
            else "[red]none[/]"
        )
        oc.add_row(_s(r.outcome_id), _s(r.text), best, aligned)
    out.append(oc)

    dm = Table(
        title="Demanded skills: covered or not (heaviest demand first)", title_justify="left"
    )
    for col in ("demanded skill", "kind", "demand", "coverage", "covered by"):
        dm.add_column(col, justify="right" if col in {"demand", "coverage"} else "left")
    for r in _rows(report.demand):
        cov = float(r.coverage)
        dm.add_row(
            _cut(r.label, 60),
            _s(r.kind),
            f"{r.weight:.2f}",
            f"[{_colour(cov)}]{_pct(cov)}[/]",
            _s(r.best_outcome) if r.best_outcome else "[red]gap[/]",
        )
    out.append(dm)

    fw = Table(title="Framework alignment", title_justify="left")
    for col in ("framework", "competencies matched", "outcomes aligned", "competencies"):
        fw.add_column(col)
    for r in _rows(report.frameworks):
        fw.add_row(
            _s(f"{r.framework} {r.version}"),
            str(r.competencies_matched),
            _pct(r.outcome_share),
            _s(", ".join(r.competencies[:8]) + (" ..." if len(r.competencies) > 8 else "")),
        )
    out.append(fw)

    lines = [
        "[b]How to read this[/b]",
        f"- Demand coverage: each demanded skill gets the credit of its best-matching outcome; "
        f"a match score below {s.get('floor')} earns nothing, {s.get('full')} or more earns full "
        "credit, in between partial credit. The skills are weighted by demand "
        "(share of postings, or O*NET importance).",
        "- Relevance: the share of outcomes that match at least one demanded skill.",
        "- Framework alignment: how clearly each outcome maps to a named competency.",
        f"- Balance: professional ({s.get('professional_aligned')} aligned: NACE, CMC tiers 1-3) "
        f"and technical ({s.get('technical_aligned')} aligned) competencies, "
        f"{s.get('balance_target')} of each for full marks.",
        f"- {SCORE_GUIDE}",
        "- To raise the score: reword or add outcomes for the demanded skills marked 'gap'.",
    ]
    gaps = report.demand[report.demand["coverage"] == 0]
    if len(gaps):
        top = ", ".join(_cut(x, 40) for x in gaps["label"].head(5))
        lines.append(f"- Heaviest uncovered demand: {top}.")
    weak = report.outcomes[~report.outcomes["relevant"].astype(bool)]["outcome_id"].tolist()
    if weak:
        lines.append(
            f"- Outcomes matching no demanded skill: {_s(', '.join(weak))} (fine for a "
            "professional outcome; otherwise name the skill it builds)."
        )
    lines += [f"[yellow]note:[/] {_s(n)}" for n in report.notes]
    out.append(Text.from_markup("\n".join(lines)))
    return out


def policy_rich(report: PolicyReport) -> list[RenderableType]:
    """Rich renderables for ``align check``."""
    from rich.table import Table
    from rich.text import Text

    colour = {"pass": "green", "warn": "yellow", "fail": "red"}
    t = Table(
        title=_s(f"Policy checks: {report.proposal} ({report.policy})"),
        title_justify="left",
        show_lines=False,
    )
    for col in ("check", "status", "about", "finding"):
        t.add_column(col, ratio=4 if col == "finding" else None)
    for r in report.results:
        t.add_row(_s(r.check), f"[{colour[r.status]}]{r.status}[/]", _s(r.subject), _s(r.message))
    n = report.counts()
    verdict = (
        "[green]meets the policy[/]"
        if report.passed
        else "[red]does not meet the policy[/]: fix the checks marked fail"
    )
    return [t, Text.from_markup(f"{n['pass']} pass, {n['warn']} warn, {n['fail']} fail: {verdict}")]


def policy_html(report: PolicyReport) -> str:
    """HTML of a policy report."""
    colour = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}
    rows = "".join(
        f"<tr><td>{_e(r.check)}</td><td style='color:{colour[r.status]}'>"
        f"<b>{r.status}</b></td><td>{_e(r.subject)}</td>"
        f"<td>{_e(r.message)}</td></tr>"
        for r in report.results
    )
    verdict = "meets the policy" if report.passed else "does NOT meet the policy"
    return (
        f"<div><b>{_e(report.proposal)}</b> {verdict} "
        f"({_e(report.policy)})<table><tr><th>check</th><th>status</th>"
        f"<th>subject</th><th>message</th></tr>{rows}</table></div>"
    )


def gaps_html(report: GapReport) -> str:
    """HTML of a stacking-gap report."""
    cov = report.coverage.copy()
    cov.insert(0, "competency", cov.index)
    gaps = report.gaps[["label", "kind", "weight", "coverage", "gap"]]
    sugg = "".join(
        f"<li><b>{_e(s['title'])}</b> <small>(suggestion)</small><ul>"
        + "".join(f"<li>{_e(o)}</li>" for o in s["outcomes"])
        + "</ul></li>"
        for s in report.suggestions
    )
    return (
        f"{_CSS}<div class='align-r'><h3>Stacking gaps: {_e(report.stack)}</h3>"
        f"<p>Target: {_e(report.target)}. Covered {report.covered_share:.0%} of the target's "
        f"weight. Credits {report.credits:g}"
        + (f" of {report.threshold:g}" if report.threshold else "")
        + "</p>"
        f"<h4>Gaps (largest first)</h4>{_table(gaps.head(25), bars=('coverage',))}"
        f"<h4>Suggested order</h4>{_table(report.order)}"
        f"<h4>Suggested next credential(s)</h4><ul>{sugg}</ul>"
        f"<h4>Coverage matrix</h4>{_table(cov.round(2))}</div>"
    )


def gaps_rich(report: GapReport) -> list[RenderableType]:
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
        _v(str(report.target)),
        f"\nCredentials: {len(report.order)}; credits {report.credits:g}{thr}",
        f"\nTarget weight covered by the stack: {report.covered_share:.0%}",
    )
    out: list[RenderableType] = [Panel(head, title=f"[b]{_s(report.stack)}[/b]", expand=False)]
    creds = list(report.coverage.columns)
    mat = _matrix_table(
        "Coverage matrix (credit of each credential's best outcome)",
        "target competency",
        "weight",
        len(creds),
    )
    top = report.gaps.sort_values("weight", ascending=False).head(20)
    for r in _rows(top):
        vals = report.coverage.loc[r.id] if r.id in report.coverage.index else None
        cells = [
            _credit_cell(v) for v in (vals.tolist() if vals is not None else [0.0] * len(creds))
        ]
        mat.add_row(_cut(r.label, 60), f"{r.weight:.2f}", *cells)
    out.append(mat)
    out.append(_legend(creds))
    g = Table(title="Largest gaps (weight x uncovered share)", title_justify="left")
    for col in ("competency", "kind", "weight", "coverage", "gap"):
        g.add_column(col)
    for r in _rows(report.gaps[report.gaps["gap"] > 0].head(12)):
        g.add_row(
            _s(str(r.label)[:70]), _s(r.kind), f"{r.weight:.2f}", _pct(r.coverage), f"{r.gap:.2f}"
        )
    out.append(g)
    if len(report.redundancy):
        rd = Table(
            title="Covered by two or more credentials (possible redundancy)", title_justify="left"
        )
        rd.add_column("competency")
        rd.add_column("credentials")
        for r in _rows(report.redundancy.head(12)):
            rd.add_row(_s(str(r.label)[:70]), _s(", ".join(r.credentials)))
        out.append(rd)
    od = Table(title="Suggested order (foundational first)", title_justify="left")
    for col in ("step", "credential", "credits", "why"):
        od.add_column(col)
    for i, r in enumerate(_rows(report.order), 1):
        od.add_row(str(i), _s(r.credential), f"{r.credits:g}", _s(r.reason))
    out.append(od)
    for s in report.suggestions:
        body = "\n".join(f"- {_s(o)}" for o in s["outcomes"])
        out.append(
            Panel(
                f"{body}\n[dim]covers: {_s(', '.join(s['covers'][:6]))}[/]",
                title=f"[b]Suggested next credential: {_s(s['title'])}[/b]",
                subtitle="a suggestion for the curriculum committee, not a decision",
                expand=False,
            )
        )
    return out


def portfolio_html(report: PortfolioReport) -> str:
    """HTML of a portfolio coverage report (a heatmap-like table)."""
    m = report.matrix.copy()
    m.insert(0, "skill", m.index)
    return (
        f"{_CSS}<div class='align-r'><h3>Portfolio coverage</h3>"
        f"<p>{report.covered_share:.0%} of demand covered by some credential.</p>"
        f"{_table(report.skills, bars=('best_coverage',))}"
        f"<h4>Matrix</h4>{_table(m.round(2))}</div>"
    )


def portfolio_rich(report: PortfolioReport) -> list[RenderableType]:
    """Rich renderables for ``align portfolio``."""
    from rich.text import Text

    creds = list(report.matrix.columns)
    t = _matrix_table(
        "Demanded skills x credentials (credit of the best outcome)",
        "demanded skill",
        "demand",
        len(creds),
    )
    t.add_column("covered?")
    for r in _rows(report.skills):
        vals = report.matrix.loc[r.id].tolist()
        t.add_row(
            _cut(r.label, 60),
            f"{r.weight:.2f}",
            *[_credit_cell(v) for v in vals],
            "[green]yes[/]" if r.best_coverage > 0 else "[red]no[/]",
        )
    return [
        t,
        _legend(creds),
        Text(
            f"{report.covered_share:.0%} of the demand weight is covered by at least "
            f"one credential; {int((report.skills['best_coverage'] == 0).sum())} "
            "demanded skills are covered by none."
        ),
    ]
