"""Exports: align's data in the formats other systems read.

Frameworks
    CASE 1.1 CFPackage (:func:`to_case`, :func:`write_case`) for CASE servers,
    state standards sites and badge platforms.
Badges (a proposal's competency alignments as badge metadata)
    Open Badges 3.0 (:func:`to_ob3`, :func:`ob3_achievement`), Open Badges 2.0
    (:func:`to_ob2`), a Credly badge template (:func:`to_credly`), a CASE
    package of the credential's outcomes and competencies
    (:func:`to_case_package`), the Credential Engine registry's CTDL publish
    requests (:func:`to_ctdl`) and a table (:func:`badge_alignments`,
    :func:`to_csv`); :func:`export_badge` and :func:`write_export` give any of
    them as text or a file. :func:`check_export` lists everything the export
    would refuse and every reason a platform would reject the import;
    :func:`import_badge_alignments` reads any of these formats back and
    :func:`add_alignments` puts the alignments into a proposal (review state,
    ids and outcome links kept; importing twice changes nothing).

Which alignments a badge carries: the proposal's accepted and unreviewed
alignments, else the matcher's best above the credit threshold
(:func:`gather_alignments`); unreviewed ones are marked in every format. Each
links the competency's most specific official page
(:func:`align.frameworks.official_target`), and every URL passes one policy
(:mod:`align._urls`): an export refuses what breaks it with an
:class:`~align.exceptions.ExportError` naming the competency. Formats,
``targetType`` values and rules are described in ``docs/badges-and-review.md``.
"""

from __future__ import annotations

from align._safeout import csv_text
from align.exports._alignments import (
    FRAMEWORKS,
    Alignments,
    FrameworkMeta,
    gather_alignments,
    suggested_alignments,
    with_descriptions,
)
from align.exports._api import (
    badge_alignments,
    check_export,
    export_badge,
    ob3_achievement,
    to_case_package,
    to_credly,
    to_csv,
    to_ctdl,
    to_ob2,
    to_ob3,
    write_export,
)
from align.exports._case import CASE_NAMESPACE, ITEM_TYPES, to_case, write_case
from align.exports._check import FORMATS, RULES, ExportProblem
from align.exports._common import REGISTRIES, UNREVIEWED_TAG, BadgeOptions
from align.exports._csv import ALIGNMENT_COLUMNS
from align.exports._ctdl import ASSISTANT_URLS, CTDL_TERMS, PUBLISH_ENDPOINTS
from align.exports._import import add_alignments, import_badge_alignments

__all__ = [
    "ALIGNMENT_COLUMNS",
    "ASSISTANT_URLS",
    "CASE_NAMESPACE",
    "CTDL_TERMS",
    "FORMATS",
    "FRAMEWORKS",
    "ITEM_TYPES",
    "PUBLISH_ENDPOINTS",
    "REGISTRIES",
    "RULES",
    "UNREVIEWED_TAG",
    "Alignments",
    "BadgeOptions",
    "ExportProblem",
    "FrameworkMeta",
    "add_alignments",
    "badge_alignments",
    "check_export",
    "csv_text",
    "export_badge",
    "gather_alignments",
    "import_badge_alignments",
    "ob3_achievement",
    "suggested_alignments",
    "to_case",
    "to_case_package",
    "to_credly",
    "to_csv",
    "to_ctdl",
    "to_ob2",
    "to_ob3",
    "with_descriptions",
    "write_case",
    "write_export",
]
