"""Every report offers the one interface: to_frame, to_dict, to_json, HTML, terminal.

Built on hand-made or built-in data with the real model (no real data).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from align import (
    AlignmentReport,
    GapReport,
    PolicyReport,
    PortfolioReport,
    Report,
    check_policy,
    find_stacking_gaps,
    load_framework,
    load_proposal,
    portfolio_coverage,
    score_alignment,
)

PROPOSAL = {
    "title": "Team Communication",
    "issuing_unit": "Business",
    "type": "enhancement",
    "outcomes": [
        {"id": "LO1", "text": "Communicate findings to a team", "evidence": "talk"},
        {"id": "LO2", "text": "Lead teamwork in a project", "evidence": "log"},
    ],
    "frameworks": ["nace"],
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, embedder) -> dict[str, Report]:
    empty = tmp_path_factory.mktemp("nodata")
    nace = load_framework("nace", data_dir=empty)
    p = load_proposal(PROPOSAL)
    demand = pd.DataFrame(
        {"skill_name": ["Communication", "Teamwork"], "share": [0.5, 0.3], "postings": [5, 3]}
    )
    return {
        "alignment": score_alignment(p, [nace], embedder=embedder),
        "gaps": find_stacking_gaps([p], nace, embedder=embedder, professional=None),
        "portfolio": portfolio_coverage([p], demand, embedder=embedder),
        "policy": check_policy(p),
    }


def test_every_report_is_a_report(reports: dict[str, Report]) -> None:
    assert isinstance(reports["alignment"], AlignmentReport)
    assert isinstance(reports["gaps"], GapReport)
    assert isinstance(reports["portfolio"], PortfolioReport)
    assert isinstance(reports["policy"], PolicyReport)
    for report in reports.values():
        assert isinstance(report, Report)


@pytest.mark.parametrize("name", ["alignment", "gaps", "portfolio", "policy"])
def test_one_interface(reports: dict[str, Report], name: str, tmp_path: Path) -> None:
    report = reports[name]
    assert isinstance(report.to_frame(), pd.DataFrame)
    assert json.loads(report.to_json()) == json.loads(json.dumps(report.to_dict(), default=str))
    html = report._repr_html_()
    assert html.startswith("<") and len(html) > 50
    page = report.write_html(tmp_path / "r.html")
    assert page.read_text("utf-8").startswith("<!doctype html>")
    parts = report.to_rich()
    assert parts
    buf = io.StringIO()
    Console(file=buf, width=100).print(report)  # __rich__
    assert buf.getvalue().strip()


def test_policy_report_has_one_table(reports: dict[str, Report]) -> None:
    from align import InvalidArgumentError

    policy = reports["policy"]
    assert list(policy.to_frame("checks").columns) == ["check", "status", "subject", "message"]
    with pytest.raises(InvalidArgumentError, match="checks"):
        policy.to_frame("nope")
