"""The alignments a badge carries: faculty-reviewed ones, else the matcher's best, unreviewed.

Every exporter (Open Badges 3.0 and 2.0, Credly, CASE, CSV) and the committee
packet read alignments through :func:`gather_alignments`, so they all agree on
which competencies a credential is aligned to:

1. the proposal's reviewed alignments (``Proposal.alignments`` with
   ``status: accepted``) and the ones still waiting for review
   (``Proposal.unreviewed_alignments``, e.g. read from an unreviewed badge),
   when there are any;
2. otherwise the matcher's suggestions: for each outcome and framework, the
   best match above the credit threshold of the alignment score (match score
   over ``floor``, 0.30 by default).

An alignment nobody reviewed has ``status="unreviewed"`` (and no
``reviewed_by``); when a credential has any, the result's ``unreviewed`` flag
is true and each exporter says so in its own metadata (see
``docs/badges-and-review.md``). :func:`with_descriptions` fills in the
framework's description of each competency, which the dashboard and the
matcher do not record.

Framework names, official pages and attribution lines for the frameworks align
knows are in :data:`FRAMEWORKS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from align._urls import url_problem
from align._warnings import warn
from align.exceptions import AlignDataWarning, InvalidArgumentError
from align.proposals import ReviewedAlignment

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FRAMEWORKS",
    "Alignments",
    "FrameworkMeta",
    "coerce_alignment",
    "framework_meta",
    "gather_alignments",
    "is_resolvable_url",
    "suggested_alignments",
    "with_descriptions",
]


@dataclass(frozen=True)
class FrameworkMeta:
    """What a badge needs to name a framework: display name, official page, attribution,
    and the Open Badges 3.0 ``targetType`` of its items."""

    key: str
    name: str
    url: str
    attribution: str
    target_type: str


#: The frameworks align knows. ``target_type`` is the Open Badges 3.0 ``targetType``:
#: ``CFItem`` for CASE items, otherwise an ``ext:`` value (listed in the README).
FRAMEWORKS: dict[str, FrameworkMeta] = {
    "onet": FrameworkMeta(
        "onet",
        "O*NET",
        "https://www.onetcenter.org/database.html",
        "This product includes information from the O*NET Database by the U.S. Department of "
        "Labor, Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 "
        "license. O*NET® is a trademark of USDOL/ETA.",
        "ext:ONetElement",
    ),
    "esco": FrameworkMeta(
        "esco",
        "ESCO",
        "https://esco.ec.europa.eu",
        "ESCO, European Commission (reused under Commission Decision 2011/833/EU).",
        "ext:ESCOConcept",
    ),
    "lightcast": FrameworkMeta(
        "lightcast",
        "Lightcast Open Skills",
        "https://lightcast.io/open-skills",
        "Skills from Lightcast Open Skills (https://lightcast.io/open-skills).",
        "ext:LightcastSkill",
    ),
    "nace": FrameworkMeta(
        "nace",
        "NACE Career Readiness Competencies",
        "https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/",
        "NACE Career Readiness Competencies, © National Association of Colleges and Employers.",
        "ext:NACECompetency",
    ),
    "cmc": FrameworkMeta(
        "cmc",
        # The version names the model ("Building Blocks model (2017 revision)").
        "Competency Model Clearinghouse",
        "https://www.careeronestop.org/CompetencyModel/competency-models/building-blocks-model.aspx",
        "Competency names from the Building Blocks Competency Model of the Competency Model "
        "Clearinghouse, U.S. Department of Labor, Employment and Training Administration "
        "(CareerOneStop).",
        "ext:CMCCompetency",
    ),
    "case": FrameworkMeta("case", "CASE framework", "", "", "CFItem"),
}
#: ``targetType`` for frameworks align does not know (spreadsheets, other files).
OTHER_TARGET_TYPE = "ext:Competency"


def framework_meta(key: str) -> FrameworkMeta:
    """Name, page, attribution and ``targetType`` of a framework key (a generic entry
    for keys align does not know)."""
    if key in FRAMEWORKS:
        return FRAMEWORKS[key]
    if key.startswith("case"):
        return FrameworkMeta(key, key, "", "", "CFItem")
    return FrameworkMeta(key, key, "", "", OTHER_TARGET_TYPE)


def coerce_alignment(value: Any) -> ReviewedAlignment:
    """A :class:`~align.proposals.ReviewedAlignment` from a dict or a model; an empty
    ``code`` becomes the id's tail (``onet:2.A.1.a`` -> ``2.A.1.a``).

    Raises
    ------
    InvalidArgumentError
        A field is missing or wrong; the message names it.
    """
    if isinstance(value, ReviewedAlignment):
        item = value
    else:
        data = dict(value) if isinstance(value, Mapping) else value.model_dump(mode="json")
        try:
            item = ReviewedAlignment.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(alignment)'}: {e['msg']}"
                for e in exc.errors()
            )
            raise InvalidArgumentError(
                f"alignment {data!r} is not valid ({problems}); every alignment needs the "
                "framework, the competency id (like 'onet:2.A.1.a') and its label."
            ) from None
    if not item.code:
        item = item.model_copy(update={"code": item.id.split(":", 1)[-1]})
    return item


@dataclass(frozen=True)
class Alignments:
    """The alignments of one credential, and whether faculty reviewed them.

    Attributes
    ----------
    items : list of ReviewedAlignment
        Accepted and unreviewed alignments, in order (rejected ones are left out).
    unreviewed : bool
        True when any of them is unreviewed (``status="unreviewed"``: the
        matcher's suggestions, or alignments read from an unreviewed badge).
    versions : dict
        Framework key -> version of the frameworks used.
    """

    items: list[ReviewedAlignment]
    unreviewed: bool
    versions: dict[str, str] = field(default_factory=dict)

    def for_outcome(self, outcome_id: str | None) -> list[ReviewedAlignment]:
        """The alignments of one outcome (``None``: of the credential as a whole)."""
        return [a for a in self.items if a.outcome == outcome_id]

    def distinct(self) -> list[ReviewedAlignment]:
        """One alignment per competency (the first, i.e. best, of each), in order."""
        seen: set[str] = set()
        out = []
        for a in self.items:
            if a.id not in seen:
                seen.add(a.id)
                out.append(a)
        return out

    def frameworks(self) -> list[str]:
        """Framework keys used, in order of first appearance."""
        return list(dict.fromkeys(a.framework for a in self.items))

    def pending(self) -> list[ReviewedAlignment]:
        """The alignments nobody has reviewed (``status="unreviewed"``)."""
        return [a for a in self.items if a.status == "unreviewed"]


def is_resolvable_url(url: Any, framework: str | None = None) -> bool:
    """True for a URL the URL policy accepts (:func:`align._urls.url_problem`): an http(s)
    address with a real host name, on the framework's official site when one is given."""
    return url_problem(url, framework=framework) is None


def _code(row: Any) -> str:
    cid = str(row.id)
    code = "" if row.code is None else str(row.code)
    if row.framework == "nace" or not code:
        # NACE sample behaviours are reported as their competency, whose code is the id's tail.
        return cid.split(":", 1)[-1]
    return code


def suggested_alignments(report: Any, *, per_framework: int = 1) -> Alignments:
    """The matcher's best alignments from an alignment report, marked unreviewed.

    Parameters
    ----------
    report : AlignmentReport
        From :func:`align.score_alignment`.
    per_framework : int
        Matches kept per outcome and framework (those with credit > 0, i.e. a
        match score above the report's ``floor``).

    Returns
    -------
    Alignments
        ``unreviewed=True``; every alignment has ``status="unreviewed"``.
    """
    if per_framework < 1:
        raise InvalidArgumentError(f"per_framework={per_framework}; expected a whole number >= 1.")
    m: pd.DataFrame = report.matches
    versions = {str(k): str(v) for k, v in report.basis.frameworks.items()}
    items = []
    if len(m):
        hits = m[m["credit"] > 0].sort_values(
            ["query_index", "framework", "score"], ascending=[True, True, False], kind="stable"
        )
        hits = hits.groupby(["query_index", "framework"], sort=False).head(per_framework)
        rows: list[Any] = list(hits.itertuples(index=False))
        for row in rows:
            url = getattr(row, "url", None)
            items.append(
                ReviewedAlignment(
                    outcome=str(row.outcome_id),
                    framework=str(row.framework),
                    framework_version=versions.get(str(row.framework), ""),
                    id=str(row.id),
                    code=_code(row),
                    label=str(row.label),
                    url=str(url) if isinstance(url, str) and url else None,
                    description=None,
                    score=round(float(row.score), 4),
                    status="unreviewed",
                    source="matcher",
                )
            )
    return Alignments(items, unreviewed=True, versions=versions)


def gather_alignments(
    proposal: Any,
    *,
    alignments: Iterable[Any] | None = None,
    report: Any = None,
    **score_options: Any,
) -> Alignments:
    """The alignments to export for a proposal.

    Parameters
    ----------
    proposal : Proposal
        The proposal; its ``alignments`` (faculty-reviewed, from the proposal
        file) and ``unreviewed_alignments`` are used when it has accepted or
        unreviewed ones.
    alignments : iterable, optional
        Use these instead of the proposal's (dicts or ReviewedAlignment).
    report : AlignmentReport, optional
        A report already computed for the proposal, used for the unreviewed
        fallback (otherwise :func:`align.score_alignment` runs with
        ``score_options``).
    **score_options
        Passed to :func:`align.score_alignment` when the fallback needs it.

    Returns
    -------
    Alignments
        Accepted and unreviewed alignments (``unreviewed`` when any is), or the
        matcher's best above the credit threshold (``unreviewed=True``, with an
        :class:`~align.AlignDataWarning` saying so).
    """
    if alignments is not None:
        given = [coerce_alignment(a) for a in alignments]
    else:
        given = [coerce_alignment(a) for a in getattr(proposal, "alignments", [])]
        given += [coerce_alignment(a) for a in getattr(proposal, "unreviewed_alignments", [])]
    decided = {(a.outcome, a.id) for a in given if a.status != "unreviewed"}
    kept = [
        a
        for a in given
        if a.status == "accepted" or (a.status == "unreviewed" and (a.outcome, a.id) not in decided)
    ]
    if kept:
        versions = {a.framework: str(a.framework_version) for a in kept if a.framework_version}
        pending = sum(a.status == "unreviewed" for a in kept)
        if pending:
            title = getattr(proposal, "title", "the proposal")
            warn(
                f"proposal {title!r} has {pending} unreviewed alignment(s) (e.g. read from an "
                "unreviewed badge); the export marks them unreviewed. Accept or reject them on "
                "the dashboard's Matches page before issuing the badge.",
                AlignDataWarning,
            )
        return Alignments(kept, unreviewed=bool(pending), versions=versions)
    if given:
        # Faculty reviewed and rejected everything: export no alignments rather than guesses.
        return Alignments([], unreviewed=False)
    if report is None:
        from align.proposals import score_alignment

        report = score_alignment(proposal, **score_options)
    found = suggested_alignments(report)
    title = getattr(proposal, "title", "the proposal")
    warn(
        f"proposal {title!r} has no reviewed alignments; using the matcher's "
        f"{len(found.items)} best match(es) above the credit threshold, marked unreviewed. "
        "Review them in the dashboard (or add 'alignments:' to the proposal file) before "
        "issuing the badge.",
        AlignDataWarning,
    )
    return found


#: Frameworks whose descriptions :func:`with_descriptions` can look up.
_DESCRIBED = ("onet", "esco", "lightcast", "nace", "cmc")


def with_descriptions(
    found: Alignments, data_dir: Any = None, frameworks: Any = None
) -> Alignments:
    """``found`` with each competency's description from its framework where it has none.

    The dashboard and the matcher record the competency's name and page but not
    its description; a badge reader needs one sentence. Frameworks that cannot
    be loaded (no data folder) are skipped: the export then says what the
    competency is instead.

    Parameters
    ----------
    found : Alignments
        The alignments.
    data_dir : path, optional
        Where framework releases are (default: ``ALIGN_DATA_DIR``).
    frameworks : Framework, list or mapping, optional
        Frameworks already loaded (those of :func:`align.score_alignment`'s
        ``frameworks`` argument); others are loaded as needed.

    Returns
    -------
    Alignments
        Same alignments, same order; ``description`` filled where found.
    """
    from align.exceptions import AlignError
    from align.frameworks import Framework, load_framework

    given: dict[str, Any] = {}
    if isinstance(frameworks, Framework):
        frameworks = [frameworks]
    if isinstance(frameworks, Mapping):
        frameworks = list(frameworks.values())
    for fw in frameworks or []:
        if isinstance(fw, Framework):
            given[fw.key] = fw
    wanted = {a.framework for a in found.items if not a.description and a.framework in _DESCRIBED}
    texts: dict[str, str] = {}
    for key in sorted(wanted):
        try:
            fw = given.get(key) or load_framework(key, data_dir=data_dir)
        except (AlignError, OSError):
            continue
        comps = fw.competencies
        ids = {a.id for a in found.items if a.framework == key}
        hit = comps[comps["id"].isin(ids) & (comps["description"].astype(str) != "")]
        texts.update(zip(hit["id"].astype(str), hit["description"].astype(str), strict=True))
    if not texts:
        return found
    items = [
        a.model_copy(update={"description": texts[a.id]})
        if not a.description and a.id in texts
        else a
        for a in found.items
    ]
    return Alignments(items, found.unreviewed, dict(found.versions))
