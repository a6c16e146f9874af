"""How an alignment report looks: HTML (Jupyter, files) and the terminal (rich).

Built from the generic pieces of :mod:`align.reports._render`; every user text is
escaped there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from align._calibration import BANDS
from align.proposals._components import DEFAULT_WEIGHTS
from align.reports._render import CSS, cut, esc, html_table, pct, rows, visible

if TYPE_CHECKING:
    from rich.console import RenderableType

    from align.proposals._report import AlignmentReport

__all__ = ["alignment_html", "alignment_rich"]


_SOURCES = {
    "onet": "O*NET: what the occupations do and the tools they use",
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


def alignment_html(report: AlignmentReport) -> str:
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


def alignment_rich(report: AlignmentReport) -> list[RenderableType]:
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
