"""The committee packet: one self-contained HTML file (and a PDF) for the review committee.

Everything is inline (styles, SVG charts); the file loads nothing from the
network. Every piece of text that comes from a proposal, a reviewer or a
framework is HTML-escaped, and only http(s) links are made clickable. The PDF
is the same page printed by headless Chromium (:func:`find_chromium`).
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _package_version
from pathlib import Path
from typing import Any

import pandas as pd

from align.committee._reviews import DECISIONS, Decision, ReviewStore
from align.committee._rubric import Rubric, RubricEvidence, rubric_evidence
from align.exceptions import InvalidArgumentError
from align.exports._alignments import (
    Alignments,
    framework_meta,
    gather_alignments,
    is_resolvable_url,
)
from align.exports._text import framework_label, target_url
from align.store import Store

__all__ = ["CommitteePacket", "committee_packet", "find_chromium"]

PathLike = str | os.PathLike[str]
_COMPONENT_LABELS = {
    "demand_coverage": "Demand coverage",
    "relevance": "Relevance to demand",
    "framework_alignment": "Framework alignment",
    "balance": "Professional/technical balance",
}
_TYPE_LABELS = {
    "academic": "Academic (credit-bearing)",
    "enhancement": "Enhancement (co-curricular)",
    "post-traditional": "Post-traditional (non-degree learners)",
}
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
 max-width:60rem;margin:1.5rem auto;padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:2px solid #1f4e79;
 padding-bottom:.2rem;margin-top:1.8rem;color:#1f4e79}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #ccd;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f7}.meta{color:#444}.note{background:#fff8e1;border-left:4px solid #f0b400;
 padding:.4rem .7rem}.muted{color:#666;font-size:.85rem}ul{margin:.2rem 0 .6rem}
.tag{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#e3ecf7;font-size:.85rem}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(text: Any, url: Any) -> str:
    if is_resolvable_url(url):
        return f'<a href="{_e(str(url).strip())}">{_e(text)}</a>'
    return _e(text)


def _bar_chart(rows: list[tuple[str, float, str]], *, width: int = 680) -> str:
    """Horizontal bars (values 0-1) as inline SVG, with a text label per bar."""
    bar_h, gap, label_w = 18, 8, 300
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="bar chart">'
    ]
    span = width - label_w - 70
    for i, (label, value, text) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        v = max(0.0, min(1.0, float(value)))
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" font-size="12" text-anchor="end">'
            f"{_e(label if len(label) <= 46 else label[:45] + '…')}</text>"
            f'<rect x="{label_w}" y="{y}" width="{span}" height="{bar_h}" fill="#e6e9ef"/>'
            f'<rect x="{label_w}" y="{y}" width="{v * span:.1f}" height="{bar_h}" '
            f'fill="#2f6db5"/><text x="{label_w + span + 6}" y="{y + 13}" font-size="12">'
            f"{_e(text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _records(df: pd.DataFrame) -> list[Any]:
    """Rows as named tuples (typed Any: the columns are documented where each frame is made)."""
    return list(df.itertuples(index=False))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """A table; cells are already-escaped HTML."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


@dataclass
class CommitteePacket:
    """Everything the committee reads about one proposal.

    Attributes
    ----------
    proposal : Proposal
    report : AlignmentReport or None
        The workforce alignment report.
    evidence : RubricEvidence
        Evidence and suggested ratings per rubric criterion.
    alignments : Alignments
        The badge's alignments (reviewed, or the matcher's, marked unreviewed).
    assignments, summary, reviews, feedback : DataFrame
        From the review record (empty without a store): who is assigned and has
        rated, the mean rating per criterion, each reviewer's ratings and comments
        (overall comment included), the committee's feedback.
    decision : Decision or None
        The approver's decision, when recorded.
    status : str
        The proposal's status in the store ("" without a store).
    """

    proposal: Any
    report: Any
    evidence: RubricEvidence
    alignments: Alignments
    assignments: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    reviews: pd.DataFrame = field(default_factory=pd.DataFrame)
    feedback: pd.DataFrame = field(default_factory=pd.DataFrame)
    decision: Decision | None = None
    status: str = ""
    prepared_at: str = field(
        default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    )

    # -- sections ------------------------------------------------------------
    def _header(self) -> str:
        p = self.proposal
        facts = [
            ("Issuing unit", p.issuing_unit),
            ("Type", _TYPE_LABELS.get(p.type, p.type)),
            ("Credits", f"{p.credits:g}"),
            ("Target occupations", ", ".join(p.target_occupations) or "none named"),
            ("Region", p.region or "not given"),
            ("Expiry or review date", p.expiry.isoformat() if p.expiry else "none"),
            ("Packet prepared", self.prepared_at),
        ]
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts)
        return (
            f"<h1>Committee packet: {_e(p.title)}</h1>"
            f"<p class='meta'>{_e(p.description)}</p><table>{rows}</table>"
        )

    def _glance(self) -> str:
        out = ["<h2>At a glance</h2>"]
        r = self.report
        if r is not None:
            ci = f" (95% interval {r.interval[0]:.0f}–{r.interval[1]:.0f})" if r.interval else ""
            out.append(
                f"<p><b>Workforce alignment score: {r.overall:.0f} out of 100</b>{_e(ci)}.</p>"
            )
            rows = [
                (_COMPONENT_LABELS.get(c.component, c.component), c.value, f"{c.value:.0%}")
                for c in _records(r.components)
            ]
            out.append(_bar_chart(rows))
        rub = self.evidence.rubric
        lo = min(rub.scale)
        span = max(1, rub.top - lo)
        rows2 = [
            (
                e.criterion.name,
                0.0 if e.suggested is None else (e.suggested - lo) / span,
                rub.label(e.suggested),
            )
            for e in self.evidence.items
        ]
        out.append("<p>Suggested rubric ratings (align's suggestions, for reviewers to judge):</p>")
        out.append(_bar_chart(rows2))
        return "".join(out)

    def _outcomes(self) -> str:
        rows = []
        for o in self.proposal.outcomes:
            mine = self.alignments.for_outcome(o.id)
            comps = "<br>".join(
                f"{_link(a.label, target_url(a))} "
                f"<span class='muted'>({_e(framework_meta(a.framework).name)})</span>"
                for a in mine
            )
            rows.append([_e(o.id), _e(o.text), _e(o.assessment), _e(o.evidence), comps or "–"])
        return "<h2>Learning outcomes</h2>" + _table(
            [
                "Outcome",
                "What learners will be able to do",
                "Assessment",
                "Evidence",
                "Aligned competencies",
            ],
            rows,
        )

    def _rubric(self) -> str:
        rub = self.evidence.rubric
        rows = [
            [
                f"<b>{_e(e.criterion.name)}</b><br>"
                f"<span class='muted'>{_e(e.criterion.question)}</span>",
                "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in e.evidence) + "</ul>",
                _e(rub.label(e.suggested)),
                _e(e.reason),
            ]
            for e in self.evidence.items
        ]
        scale = ", ".join(f"{v} = {lb}" for v, lb in sorted(rub.scale.items(), reverse=True))
        return (
            f"<h2>Rubric evidence</h2><p class='muted'>Rubric: {_e(rub.name)}. Scale: "
            f"{_e(scale)}. Suggested ratings come from what align found; reviewers decide "
            "their own ratings.</p>"
            + _table(["Criterion", "Evidence found", "Suggested rating", "Why"], rows)
        )

    def _demand(self) -> str:
        r = self.report
        if r is None or r.demand.empty:
            return ""
        d = r.demand.sort_values("weight", ascending=False).head(15)
        rows = [
            (str(x.label)[:40], float(x.coverage), f"{float(x.coverage):.0%}") for x in _records(d)
        ]
        src = {
            "onet": "O*NET: what the target occupations do and use",
            "postings": "job postings",
        }.get(str(r.basis.demand_source), "no demand data")
        return (
            "<h2>Labor-market demand</h2>"
            f"<p>The most demanded work ({_e(src)}) and how well the outcomes cover it:</p>"
            + _bar_chart(rows, width=640)
        )

    def _alignments(self) -> str:
        al = self.alignments
        note = (
            "<p class='note'>These alignments are the matcher's suggestions and have "
            "<b>not been reviewed</b> by faculty yet.</p>"
            if al.unreviewed and al.items
            else ""
        )
        rows = [
            [
                _link(a.label, target_url(a)),
                _e(framework_label(a)),
                _e(a.code),
                _e(a.outcome or "whole credential"),
                _e("not yet reviewed" if a.status == "unreviewed" else f"reviewed ({a.status})"),
            ]
            for a in al.items
        ]
        if not rows:
            return "<h2>Badge alignments</h2><p>No alignments.</p>"
        return (
            "<h2>Badge alignments</h2>"
            + note
            + _table(["Competency", "Framework", "Code", "Outcome", "Status"], rows)
        )

    def _partners(self) -> str:
        p = self.proposal
        rows = [[_e(x.name), _e(x.level), _e(x.role)] for x in p.partners]
        ends = "".join(
            f"<li>{_e(e.by)}{' (' + _e(e.date.isoformat()) + ')' if e.date else ''}: "
            f"{_e(e.statement)}</li>"
            for e in p.endorsements
        )
        stacks = "".join(f"<li>{_e(s)}</li>" for s in p.stacks_into)
        return (
            "<h2>Partners, endorsements and stacking</h2>"
            + (
                _table(["Partner", "Collaboration level", "Role"], rows)
                if rows
                else "<p>No partners named.</p>"
            )
            + (f"<p>Endorsements:</p><ul>{ends}</ul>" if ends else "<p>No endorsements.</p>")
            + (
                f"<p>Stacks into:</p><ul>{stacks}</ul>"
                if stacks
                else "<p>Stacks into nothing named.</p>"
            )
        )

    def _record(self) -> str:
        out = [
            "<h2>Review record</h2><p class='muted'>The committee reviews and gives feedback; "
            "it does not approve or deny. The approving body decides.</p>"
        ]
        if self.status:
            out.append(f"<p><b>Status:</b> {_e(self.status)}.</p>")
        if len(self.assignments):
            rows = [
                [_e(a.reviewer), _e(a.discipline), _e("yes" if a.submitted else "not yet")]
                for a in _records(self.assignments)
            ]
            out.append(_table(["Reviewer", "Discipline", "Review submitted"], rows))
        else:
            out.append("<p>No reviewers assigned yet.</p>")
        if len(self.summary) and int(self.summary["reviews"].sum()):
            rub = self.evidence.rubric
            rows = []
            for s in _records(self.summary):
                mean = (
                    ""
                    if s.mean_rating is None or pd.isna(s.mean_rating)
                    else f"{s.mean_rating:.1f}"
                )
                label = "" if not mean else rub.label(round(float(s.mean_rating)))
                rows.append(
                    [
                        _e(s.name),
                        _e(s.reviews),
                        _e(f"{mean} ({label})" if mean else "not rated"),
                        "<br>".join(_e(c) for c in s.comments),
                    ]
                )
            out.append(_table(["Criterion", "Reviews", "Mean rating", "Comments"], rows))
        out.append(self._ratings())
        if len(self.feedback):
            items = "".join(
                f"<li><b>{_e(f.author)}</b> ({_e(f.created_at[:10])}): {_e(f.text)}</li>"
                for f in _records(self.feedback)
            )
            out.append(f"<p>Committee feedback:</p><ul>{items}</ul>")
        d = self.decision
        if d is None:
            out.append("<p><b>Decision:</b> not recorded yet.</p>")
        else:
            by = f", recorded by {_e(d.decided_by)}" if d.decided_by else ""
            out.append(
                f"<p><b>Decision of the {_e(d.body)}:</b> {_e(d.decision)} "
                f"({_e(DECISIONS.get(d.decision, ''))}) on {_e(d.decided_on)}{by}."
                + (f" {_e(d.note)}" if d.note else "")
                + "</p>"
            )
        return "".join(out)

    def _ratings(self) -> str:
        """Each reviewer's rating per criterion, with their comments and overall comment."""
        if not len(self.reviews):
            return ""
        rub = self.evidence.rubric
        names = {c.id: c.name for c in rub.criteria}
        out = ["<p>Ratings by reviewer (each reviewer's latest review):</p>"]
        for reviewer, mine in self.reviews.groupby("reviewer", sort=True):
            rows = [
                [
                    _e(names.get(str(r.criterion), r.criterion)),
                    _e(rub.label(None if pd.isna(r.rating) else int(r.rating))),
                    _e(r.comment),
                ]
                for r in _records(mine)
            ]
            first = _records(mine)[0]
            when = _e(str(first.submitted_at)[:10])
            overall = str(first.review_comment or "").strip()
            out.append(
                f"<p><b>{_e(reviewer)}</b> ({when})"
                + (f": {_e(overall)}" if overall else "")
                + "</p>"
                + _table(["Criterion", "Rating", "Comment"], rows)
            )
        return "".join(out)

    def _sources(self) -> str:
        keys = list(self.alignments.frameworks())
        if self.report is not None:
            keys += [k for k in self.report.basis.frameworks if k not in keys]
        versions = dict(self.alignments.versions)
        if self.report is not None:
            versions.update({k: str(v) for k, v in self.report.basis.frameworks.items()})
        items = []
        for k in keys:
            meta = framework_meta(k)
            name = f"{meta.name} {versions.get(k, '')}".strip()
            items.append(
                f"<li><b>{_link(name, meta.url)}</b>"
                + (f": {_e(meta.attribution)}" if meta.attribution else "")
                + "</li>"
            )
        return (
            "<h2>Sources and attribution</h2><ul>"
            + "".join(items)
            + "</ul>"
            + f"<p class='muted'>Prepared with align {_e(_version())} on {_e(self.prepared_at)}. "
            "Scores and suggested ratings are evidence for reviewers, not decisions.</p>"
        )

    # -- output --------------------------------------------------------------
    def to_html(self) -> str:
        """The packet as one self-contained HTML page."""
        body = "".join(
            [
                self._header(),
                self._glance(),
                self._outcomes(),
                self._rubric(),
                self._demand(),
                self._alignments(),
                self._partners(),
                self._record(),
                self._sources(),
            ]
        )
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\">"
            f"<title>Committee packet: {_e(self.proposal.title)}</title>"
            f"<style>{_CSS}</style></head><body>{body}</body></html>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def write_html(self, path: PathLike) -> Path:
        """Write the packet as one HTML file."""
        out = Path(path).expanduser()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(self.to_html(), encoding="utf-8")
        return out

    def write_pdf(
        self, path: PathLike, *, chromium: str | None = None, timeout: float = 120
    ) -> Path:
        """Print the packet to PDF with headless Chromium.

        Raises
        ------
        InvalidArgumentError
            No Chromium was found (install ``chromium``, or set ``ALIGN_CHROMIUM``),
            or it failed.
        """
        out = Path(path).expanduser().resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="align-packet-") as tmp:
            page = self.write_html(Path(tmp) / "packet.html")
            run_chromium(
                [f"--print-to-pdf={out}", "--no-pdf-header-footer", page.as_uri()],
                tmp,
                chromium=chromium,
                timeout=timeout,
            )
        if not out.is_file() or out.stat().st_size == 0:
            raise InvalidArgumentError(f"Chromium did not write the PDF '{out}'.")
        return out

    def write_png(
        self,
        path: PathLike,
        *,
        chromium: str | None = None,
        width: int = 1200,
        height: int = 2400,
        timeout: float = 120,
    ) -> Path:
        """A screenshot of the packet's first ``height`` pixels (for checking the layout)."""
        out = Path(path).expanduser().resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="align-packet-") as tmp:
            page = self.write_html(Path(tmp) / "packet.html")
            run_chromium(
                [
                    f"--screenshot={out}",
                    f"--window-size={width},{height}",
                    "--hide-scrollbars",
                    page.as_uri(),
                ],
                tmp,
                chromium=chromium,
                timeout=timeout,
            )
        return out


def _version() -> str:
    try:
        return _package_version("align")
    except PackageNotFoundError:
        return "(source tree)"


#: Flags for a headless Chromium that never reaches the network (also used by the
#: dashboard's browser test and benchmark).
HEADLESS_CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
)


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary: ``ALIGN_CHROMIUM``, else chromium on the PATH."""
    env = os.environ.get("ALIGN_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(
    args: list[str], workdir: str, *, chromium: str | None = None, timeout: float = 120
) -> None:
    """Run headless Chromium with no network, no sync, a throwaway profile."""
    exe = chromium or find_chromium()
    if not exe:
        raise InvalidArgumentError(
            "no Chromium found to print the PDF; install it (Debian/Ubuntu: `apt-get install "
            "chromium`) or set ALIGN_CHROMIUM to the browser's path. The HTML packet works "
            "without it."
        )
    cmd = [
        exe,
        *HEADLESS_CHROMIUM_ARGS,
        f"--user-data-dir={Path(workdir) / 'profile'}",
        *args,
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InvalidArgumentError(f"Chromium ({exe}) could not run: {exc}") from None
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise InvalidArgumentError(
            f"Chromium ({exe}) failed with exit code {done.returncode}: {' | '.join(tail)}"
        )


def committee_packet(
    proposal: Any,
    report: Any = None,
    *,
    rubric: Rubric | PathLike | None = None,
    alignments: Alignments | None = None,
    store: ReviewStore | Store | PathLike | None = None,
    demand_period: str | None = None,
    **score_options: Any,
) -> CommitteePacket:
    """Build the committee packet of a proposal.

    Parameters
    ----------
    proposal : Proposal
        The proposal.
    report : AlignmentReport, optional
        Its alignment report; computed with ``score_options`` when omitted.
    rubric : Rubric or path, optional
        The rubric (default rubric when omitted).
    alignments : Alignments, optional
        The badge's alignments (default: the proposal's reviewed alignments,
        else the matcher's best, marked unreviewed).
    store : ReviewStore or path, optional
        The review record to include (reviewers, ratings, feedback, decision).
    demand_period : str, optional
        The period of the postings behind the demand (for the labor-market
        criterion).
    **score_options
        Passed to :func:`align.score_alignment` when ``report`` is omitted.

    Returns
    -------
    CommitteePacket
        ``.to_html()``, ``.write_html(path)``, ``.write_pdf(path)``.
    """
    if report is None:
        from align.proposals import score_alignment

        report = score_alignment(proposal, **score_options)
    if alignments is None:
        alignments = gather_alignments(proposal, report=report)
    rec: ReviewStore | None
    if store is None or isinstance(store, ReviewStore):
        rec = store
    else:
        rec = ReviewStore(store, rubric=rubric)
    rub = rec.rubric if rec is not None and rubric is None else rubric
    evidence = rubric_evidence(
        proposal, report, rubric=rub, alignments=alignments, demand_period=demand_period
    )
    packet = CommitteePacket(proposal, report, evidence, alignments)
    found = rec.record(proposal.id) if rec is not None else None
    if found is not None and rec is not None:
        packet.assignments = found["assignments"]
        packet.summary = found["summary"]
        packet.reviews = found["reviews"]
        packet.feedback = found["feedback"]
        packet.decision = found["decision"]
        packet.status = rec.store.proposal(proposal.id, actor=rec.actor).status
    return packet
