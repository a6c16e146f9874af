"""Exports: align's data in the formats other systems read.

Frameworks
    CASE 1.1 CFPackage (:func:`to_case`, :func:`write_case`) for CASE servers,
    state standards sites and badge platforms.
Badges (a proposal's competency alignments as badge metadata)
    Open Badges 3.0 (:func:`to_ob3`, :func:`ob3_achievement`), Open Badges 2.0
    (:func:`to_ob2`), a Credly badge template (:func:`to_credly`), a CASE
    package of the credential's competencies (:func:`to_case_package`) and a
    table (:func:`badge_alignments`, :func:`to_csv`); :func:`export_badge` and
    :func:`write_export` give any of them as text or a file.
    :func:`check_export` lists every reason a platform would reject the
    import; :func:`import_badge_alignments` reads an OB 3.0/2.0 badge's
    alignments back and :func:`add_alignments` puts them into a proposal.

Which alignments a badge carries: the proposal's reviewed alignments (status
``accepted``), else the matcher's best above the credit threshold, marked
unreviewed (:func:`gather_alignments`). An alignment without an http(s)
official page is refused with an :class:`~align.exceptions.ExportError` naming
the competency. Formats, ``targetType`` values and rules are described in
``docs/badges-and-review.md``.
"""

from __future__ import annotations

from align.exports._alignments import (
    FRAMEWORKS,
    Alignments,
    FrameworkMeta,
    gather_alignments,
    suggested_alignments,
)
from align.exports._api import (
    badge_alignments,
    check_export,
    export_badge,
    ob3_achievement,
    to_case_package,
    to_credly,
    to_csv,
    to_ob2,
    to_ob3,
    write_export,
)
from align.exports._case import CASE_NAMESPACE, ITEM_TYPES, to_case, write_case
from align.exports._check import FORMATS, RULES, ExportProblem
from align.exports._common import UNREVIEWED_TAG, BadgeOptions
from align.exports._csv import ALIGNMENT_COLUMNS
from align.exports._import import add_alignments, import_badge_alignments

__all__ = [
    "ALIGNMENT_COLUMNS",
    "CASE_NAMESPACE",
    "FORMATS",
    "FRAMEWORKS",
    "ITEM_TYPES",
    "RULES",
    "UNREVIEWED_TAG",
    "Alignments",
    "BadgeOptions",
    "ExportProblem",
    "FrameworkMeta",
    "add_alignments",
    "badge_alignments",
    "check_export",
    "export_badge",
    "gather_alignments",
    "import_badge_alignments",
    "ob3_achievement",
    "suggested_alignments",
    "to_case",
    "to_case_package",
    "to_credly",
    "to_csv",
    "to_ob2",
    "to_ob3",
    "write_case",
    "write_export",
]
