"""Portfolio view: which demanded skills an institution's credentials cover, and which not.

:func:`portfolio_coverage` matches the outcomes of every credential against
the demanded skills of a region (postings demand) or of the credentials'
target occupations (O*NET importance), and returns the skill x credential
credit matrix (data for a heatmap) with a per-skill summary.
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
from align._warnings import warn
from align.exceptions import AlignDataWarning, InvalidArgumentError, ProposalError
from align.frameworks import Framework, load_framework
from align.proposals._demand import demand_from_onet, demand_from_postings
from align.proposals._matches import background_for, coverage_matrix
from align.proposals._model import Proposal, load_proposal
from align.proposals._score import onet_if_available
from align.proposals._settings import ScoreSettings
from align.reports._base import ReportMixin
from align.reports._render import CSS, credit_cell, cut, html_table, legend, matrix_table, rows

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["PortfolioReport", "load_portfolio", "portfolio_coverage"]

Table = Literal["skills", "matrix", "long"]
#: Tables a PortfolioReport exports with ``to_frame``.
TABLES: dict[str, str] = {
    "skills": "one row per demanded skill: weight, best coverage, credentials covering it",
    "matrix": "demanded skill (rows, by label) x credential (columns): credit 0-1",
    "long": "one row per skill x credential (tidy data for a heatmap)",
}


@dataclass
class PortfolioReport(ReportMixin):
    """Coverage of demanded skills across an institution's credentials.

    Attributes
    ----------
    skills : DataFrame
        ``id``, ``label``, ``kind``, ``weight``, ``best_coverage``,
        ``covered_by`` (credential ids with credit > 0), heaviest demand first.
    matrix : DataFrame
        Index: skill id; one column per credential id; values credit 0-1.
    covered_share : float
        ``sum(weight * best_coverage) / sum(weight)``.
    settings : dict
        Demand source, method, thresholds.
    """

    skills: pd.DataFrame
    matrix: pd.DataFrame
    covered_share: float
    settings: dict[str, Any] = field(default_factory=dict)

    def to_frame(self, table: Table = "skills") -> pd.DataFrame:
        """One of the report's tables (see :data:`TABLES`)."""
        if table not in TABLES:
            raise InvalidArgumentError(f"table={table!r}; expected one of {list(TABLES)}.")
        if table == "skills":
            return self.skills.copy()
        labels = dict(zip(self.skills["id"], self.skills["label"], strict=True))
        m = self.matrix.rename(index=labels)
        m.index.name = "skill"
        if table == "matrix":
            return m
        return m.reset_index().melt(id_vars="skill", var_name="credential", value_name="credit")

    def to_dict(self) -> dict[str, Any]:
        """The whole report as plain data."""
        return {
            "covered_share": self.covered_share,
            "settings": self.settings,
            "skills": json.loads(self.skills.to_json(orient="records")),
            "matrix": json.loads(self.to_frame("long").to_json(orient="records")),
        }

    def _title(self) -> str:
        return "Portfolio"

    def _html(self) -> str:
        return _portfolio_html(self)

    def _rich_parts(self) -> list[Any]:
        return _portfolio_rich(self)


def load_portfolio(folder: PathLike) -> list[Proposal]:
    """Read every proposal file (``.yaml``, ``.yml``, ``.json``) in a folder and below.

    Stack files (those with a ``members:`` list) are skipped; a file that is
    not a valid proposal is skipped with an AlignDataWarning naming the problem.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ProposalError(
            f"portfolio folder {str(root)!r} does not exist or is not a folder; give the "
            "folder that holds the proposal files."
        )
    out = []
    for path in sorted(
        p for p in root.rglob("*") if p.suffix.lower() in {".yaml", ".yml", ".json"}
    ):
        if not path.is_file():  # a FIFO or device named like a proposal: never opened
            warn(
                f"skipped {path.name}: not a regular file.",
                AlignDataWarning,
            )
            continue
        with open(path, "rb") as fh:
            head = fh.read(65536).decode("utf-8", errors="replace")
        if "\nmembers:" in f"\n{head}" or '"members"' in head:
            continue
        try:
            out.append(load_proposal(path))
        except ProposalError as exc:
            # One broken file should not hide the rest of an institution's portfolio.
            warn(f"skipped {path.name}: {exc}", AlignDataWarning)
    if not out:
        raise ProposalError(
            f"portfolio folder {str(root)!r} holds no proposal files (.yaml, .yml or .json)."
        )
    return out


def _known_codes(fw: Framework, codes: list[str], creds: Sequence[Proposal]) -> list[str]:
    """The codes O*NET knows; an unknown one is left out with a warning naming its files."""
    known = set(fw.occupations["code"].astype(str))
    unknown = [c for c in codes if c not in known]
    for code in unknown:
        files = [p.source or p.title for p in creds if code in p.target_occupations]
        warn(
            f"target occupation {code!r} (in {', '.join(files)}) is not an O*NET-SOC "
            f"occupation of {fw.info.name} {fw.info.version}; it was left out of the demand. "
            'Fix the code in that file (find codes with `align match "<job title>" '
            "--framework onet-occupations`).",
            AlignDataWarning,
        )
    kept = [c for c in codes if c in known]
    if not kept:
        raise ProposalError(
            f"none of the target occupations ({', '.join(codes)}) is an O*NET-SOC occupation "
            f"of {fw.info.name} {fw.info.version}; fix target_occupations in the proposals."
        )
    return kept


def portfolio_coverage(
    proposals: Sequence[Proposal] | PathLike,
    demand: pd.DataFrame | None = None,
    *,
    onet: Framework | None = None,
    data_dir: PathLike | None = None,
    settings: ScoreSettings | None = None,
    embedder: Any = None,
    top_demand: int = 40,
    **options: Any,
) -> PortfolioReport:
    """Which demanded skills the institution's credentials cover, and which none does.

    Parameters
    ----------
    proposals : list of Proposal, or a folder
        The credentials (a folder is read with :func:`load_portfolio`).
    demand : DataFrame, optional
        Postings demand for the region (:func:`align.postings.skill_demand`);
        ``None`` uses O*NET importance for all the credentials' target
        occupations together.
    onet, data_dir, settings, embedder
        As in :func:`align.score_alignment` (credit by meaning).
    top_demand : int
        Postings skills considered.
    **options
        Fields of :class:`align.ScoreSettings`.

    Returns
    -------
    PortfolioReport
    """
    creds = (
        load_portfolio(proposals) if isinstance(proposals, str | os.PathLike) else list(proposals)
    )
    if not creds or not all(isinstance(p, Proposal) for p in creds):
        raise InvalidArgumentError(
            "proposals must be a non-empty list of Proposal objects or a folder of proposal files."
        )
    s = settings.replace(**options) if settings is not None else ScoreSettings(**options)
    fw = onet
    if demand is not None:
        items = demand_from_postings(demand, top=top_demand)
        source = "postings"
    else:
        codes = sorted({c for p in creds for c in p.target_occupations})
        if not codes:
            raise ProposalError(
                "no demand: give postings demand, or name target_occupations in the "
                "proposals so O*NET importance can stand in for it."
            )
        fw = onet if onet is not None else load_framework("onet", data_dir=data_dir)
        codes = _known_codes(fw, codes, creds)
        items = demand_from_onet(fw, codes)
        source = "onet"
    if fw is None:
        fw = onet_if_available(data_dir)
    bg = background_for(fw, embedder)
    mat = coverage_matrix(creds, items, settings=s, embedder=embedder, background=bg)[0]
    ids = [p.id for p in creds]
    matrix = pd.DataFrame(mat, index=pd.Index(items["id"], name="id"), columns=ids)
    best = mat.max(axis=1) if len(creds) else np.zeros(len(items))
    skills = items[["id", "label", "kind", "weight"]].copy()
    skills["best_coverage"] = best
    skills["covered_by"] = [[ids[c] for c in np.flatnonzero(mat[j] > 0)] for j in range(len(items))]
    w = skills["weight"].to_numpy(float)
    share = float((w * best).sum() / w.sum()) if w.sum() > 0 else 0.0
    return PortfolioReport(
        skills.reset_index(drop=True),
        matrix,
        share,
        {
            **s.to_dict(),
            "demand_source": source,
            "credentials": len(creds),
        },
    )


# == rendering ==================================================================
def _portfolio_html(report: PortfolioReport) -> str:
    """HTML of a portfolio coverage report (a heatmap-like table)."""
    m = report.matrix.copy()
    m.insert(0, "skill", m.index)
    return (
        f"{CSS}<div class='align-r'><h3>Portfolio coverage</h3>"
        f"<p>{report.covered_share:.0%} of demand covered by some credential.</p>"
        f"{html_table(report.skills, bars=('best_coverage',))}"
        f"<h4>Matrix</h4>{html_table(m.round(2))}</div>"
    )


def _portfolio_rich(report: PortfolioReport) -> list[RenderableType]:
    """Rich renderables for ``align portfolio``."""
    from rich.text import Text

    creds = list(report.matrix.columns)
    t = matrix_table(
        "Demanded skills x credentials (credit of the best outcome)",
        "demanded skill",
        "demand",
        len(creds),
    )
    t.add_column("covered?")
    for r in rows(report.skills):
        vals = report.matrix.loc[r.id].tolist()
        t.add_row(
            cut(r.label, 60),
            f"{r.weight:.2f}",
            *[credit_cell(v) for v in vals],
            "[green]yes[/]" if r.best_coverage > 0 else "[red]no[/]",
        )
    return [
        t,
        legend(creds),
        Text(
            f"{report.covered_share:.0%} of the demand weight is covered by at least "
            f"one credential; {int((report.skills['best_coverage'] == 0).sum())} "
            "demanded skills are covered by none."
        ),
    ]
