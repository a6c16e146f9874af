"""Public badge-export functions: a proposal in, a badge format out.

Each function takes the proposal, gathers its alignments (reviewed ones, else
the matcher's best marked unreviewed; see :func:`gather_alignments`) unless
``alignments`` is given, and returns one format. ``options`` says where the
badge will live (issuer, base, criteria and image URLs, language).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from align._safeout import dumps_json, record_output, write_text_atomic
from align.exceptions import InvalidArgumentError
from align.exports._alignments import Alignments, gather_alignments, with_descriptions
from align.exports._case_package import to_case_package as _case_package
from align.exports._check import FORMATS, ExportProblem
from align.exports._check import check_export as _check
from align.exports._common import BadgeOptions
from align.exports._credly import to_credly as _credly
from align.exports._csv import alignments_csv, alignments_frame
from align.exports._ctdl import to_ctdl as _ctdl
from align.exports._ob2 import to_ob2 as _ob2
from align.exports._ob3 import ob3_achievement as _ob3_achievement
from align.exports._ob3 import to_ob3 as _ob3
from align.exports._refuse import refuse

__all__ = [
    "badge_alignments",
    "check_export",
    "export_badge",
    "ob3_achievement",
    "to_case_package",
    "to_credly",
    "to_csv",
    "to_ctdl",
    "to_ob2",
    "to_ob3",
    "write_export",
]

PathLike = str | os.PathLike[str]


def _found(
    proposal: Any, alignments: Alignments | Iterable[Any] | None, report: Any, score: dict[str, Any]
) -> Alignments:
    if isinstance(alignments, Alignments):
        return alignments
    found = gather_alignments(proposal, alignments=alignments, report=report, **score)
    # Wallets show one sentence per competency: the framework's, where align can read it.
    return with_descriptions(
        found, data_dir=score.get("data_dir"), frameworks=score.get("frameworks")
    )


def to_ob3(
    proposal: Any,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    options: BadgeOptions | None = None,
    report: Any = None,
    **score_options: Any,
) -> dict[str, Any]:
    """An unsigned Open Badges 3.0 ``OpenBadgeCredential`` template for the proposal.

    Parameters
    ----------
    proposal : Proposal
        The proposal.
    alignments : Alignments or list, optional
        Use these alignments (default: the proposal's reviewed alignments, else
        the matcher's best above the credit threshold, marked unreviewed).
    options : BadgeOptions, optional
        Issuer, base, criteria and image URLs, language.
    report : AlignmentReport, optional
        Reused for the unreviewed fallback instead of scoring again.
    **score_options
        Passed to :func:`align.score_alignment` for the fallback.

    Returns
    -------
    dict
        JSON-ready credential; ``credentialSubject.achievement`` is the Achievement.

    Raises
    ------
    ExportError
        An alignment has no resolvable official URL (the message names it).

    Examples
    --------
    >>> from align.proposals import Proposal
    >>> p = Proposal(title="Team Communication", issuing_unit="Nursing", credits=1,
    ...              outcomes=[{"id": "LO1", "text": "Give a structured handoff",
    ...                         "assessment": "Simulation scored with a rubric"}])
    >>> al = [{"outcome": "LO1", "framework": "nace", "framework_version": "2021",
    ...        "id": "nace:communication", "label": "Communication",
    ...        "url": "https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/"}]
    >>> cred = to_ob3(p, alignments=al)
    >>> ach = cred["credentialSubject"]["achievement"]
    >>> ach["achievementType"], ach["alignment"][0]["targetType"], ach["creditsAvailable"]
    ('MicroCredential', 'ext:NACECompetency', 1.0)
    """
    return _ob3(proposal, _found(proposal, alignments, report, score_options), options)


def ob3_achievement(
    proposal: Any,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    options: BadgeOptions | None = None,
    report: Any = None,
    **score_options: Any,
) -> dict[str, Any]:
    """The proposal as an Open Badges 3.0 ``Achievement`` (see :func:`to_ob3`)."""
    found = _found(proposal, alignments, report, score_options)
    return _ob3_achievement(proposal, found, options)


def to_ob2(
    proposal: Any,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    options: BadgeOptions | None = None,
    report: Any = None,
    **score_options: Any,
) -> dict[str, Any]:
    """The proposal as an Open Badges 2.0 ``BadgeClass`` with its ``alignment`` list.

    Parameters are those of :func:`to_ob3`.
    """
    return _ob2(proposal, _found(proposal, alignments, report, score_options), options)


def to_credly(
    proposal: Any,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    options: BadgeOptions | None = None,
    report: Any = None,
    **score_options: Any,
) -> dict[str, Any]:
    """The proposal as a Credly badge-template JSON (parameters of :func:`to_ob3`)."""
    return _credly(proposal, _found(proposal, alignments, report, score_options), options)


def to_case_package(
    proposal: Any,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    base_uri: str | None = None,
    report: Any = None,
    **score_options: Any,
) -> dict[str, Any]:
    """The credential's aligned competencies as a CASE 1.1 CFPackage.

    (:func:`to_case` exports a whole framework; this exports one credential's
    competencies, each item with its official page.)
    """
    found = _found(proposal, alignments, report, score_options)
    return _case_package(proposal, found, base_uri=base_uri)


def badge_alignments(
    proposal: Any,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    report: Any = None,
    **score_options: Any,
) -> pd.DataFrame:
    """The alignments a badge would carry, one row each (columns of ``ALIGNMENT_COLUMNS``)."""
    return alignments_frame(_found(proposal, alignments, report, score_options))


def to_csv(
    proposal: Any,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    report: Any = None,
    **score_options: Any,
) -> str:
    """The alignments as CSV text for spreadsheets (refuses alignments without an
    acceptable URL; cells a spreadsheet would run as formulas start with ``'``)."""
    found = _found(proposal, alignments, report, score_options)
    refuse("csv", found)
    return alignments_csv(found)


def to_ctdl(
    proposal: Any,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    options: BadgeOptions | None = None,
    report: Any = None,
    **score_options: Any,
) -> dict[str, Any]:
    """The credential as CTDL JSON-LD for the Credential Engine registry: the bodies of
    its two publish requests (its outcomes as a competency framework, then the
    credential with its alignments). Parameters are those of :func:`to_ob3`; set
    ``options.organization_ctid`` and ``options.registry``.

    Examples
    --------
    >>> from align.proposals import Proposal
    >>> p = Proposal(title="Team Communication", issuing_unit="Nursing", credits=1,
    ...              description="Structured handoffs in clinical teams.",
    ...              outcomes=[{"id": "LO1", "text": "Give a structured handoff"}])
    >>> al = [{"outcome": "LO1", "framework": "nace", "framework_version": "2021",
    ...        "id": "nace:communication", "label": "Communication"}]
    >>> body = to_ctdl(p, alignments=al)["credential/publishGraph"]
    >>> cred = body["GraphInput"]["@graph"][0]
    >>> cred["@type"], [c["ceterms:codedNotation"] for c in
    ...                 cred["ceterms:requires"][0]["ceterms:targetCompetency"]]
    ('ceterms:MicroCredential', ['LO1', 'communication'])
    """
    found = _found(proposal, alignments, report, score_options)
    return _ctdl(proposal, found, options)


def check_export(
    proposal: Any,
    to: str,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    options: BadgeOptions | None = None,
    report: Any = None,
    standards_dir: PathLike | None = None,
    require_reviewed: bool = False,
    **score_options: Any,
) -> list[ExportProblem]:
    """Everything the ``to`` export would refuse and every reason the platform would
    reject it (empty: none). Unreviewed alignments are a warning (``level="warning"``),
    an error with ``require_reviewed``.

    See :data:`RULES` for the rules and the formats they apply to.
    """
    found = _found(proposal, alignments, report, score_options)
    return _check(
        proposal, to, found, options, standards_dir=standards_dir, require_reviewed=require_reviewed
    )


def export_badge(
    proposal: Any,
    to: str,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    options: BadgeOptions | None = None,
    report: Any = None,
    **score_options: Any,
) -> str:
    """The export as text: JSON for ``ob3``, ``ob2``, ``credly``, ``case``, ``ctdl``; CSV for
    ``csv``.

    Raises
    ------
    InvalidArgumentError
        ``to`` is not one of :data:`FORMATS`.
    ExportError
        Something the URL policy refuses (an alignment without an acceptable
        official URL, a ``javascript:`` option, ...); ``check_export`` lists it.
    """
    if to not in FORMATS:
        raise InvalidArgumentError(
            f"to={to!r} is not a format align exports; use one of {', '.join(FORMATS)}."
        )
    found = _found(proposal, alignments, report, score_options)
    opts = options or BadgeOptions()
    if to == "csv":
        return to_csv(proposal, alignments=found)
    data: dict[str, Any]
    if to == "ob3":
        data = _ob3(proposal, found, opts)
    elif to == "ob2":
        data = _ob2(proposal, found, opts)
    elif to == "credly":
        data = _credly(proposal, found, opts)
    elif to == "ctdl":
        data = _ctdl(proposal, found, opts)
    else:
        data = _case_package(proposal, found, base_uri=opts.base_url or None)
    return dumps_json(data, indent=2) + "\n"


def write_export(
    proposal: Any,
    to: str,
    path: PathLike,
    *,
    alignments: Alignments | Iterable[Any] | None = None,
    options: BadgeOptions | None = None,
    report: Any = None,
    **score_options: Any,
) -> Path:
    """Write :func:`export_badge` to ``path`` at once (parent folders are created)."""
    text = export_badge(
        proposal, to, alignments=alignments, options=options, report=report, **score_options
    )
    out = write_text_atomic(path, text, f"{to} export")
    record_output(out)
    return out
