"""Alignments as a table: a pandas DataFrame and CSV text for spreadsheets.

``status`` and ``reviewed`` agree on every row: ``accepted`` rows were reviewed
(``reviewed`` true), ``unreviewed`` rows were not (matcher suggestions or
alignments read from an unreviewed badge). The CSV text goes through the one
CSV writer of align (:func:`align._safeout.csv_text`): a cell that a
spreadsheet would run as a formula starts with ``'``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from align._safeout import csv_text
from align.exports._alignments import Alignments
from align.exports._text import framework_label, target_url

__all__ = ["ALIGNMENT_COLUMNS", "alignments_csv", "alignments_frame"]

#: Columns of :func:`alignments_frame` (and of the CSV export).
ALIGNMENT_COLUMNS: dict[str, str] = {
    "outcome": "outcome id, or empty for the credential as a whole",
    "framework": "framework key (onet, esco, lightcast, nace, cmc, ...)",
    "framework_name": "framework name and version as a badge shows it",
    "framework_version": "framework release",
    "competency_id": "namespaced competency id (onet:2.A.1.a)",
    "code": "the framework's own code",
    "label": "competency name",
    "url": "official page of the competency (its most specific page)",
    "description": "competency description, if any",
    "score": "match score (0-1) when the matcher proposed it",
    "status": "accepted (reviewed by faculty) or unreviewed",
    "source": "matcher, search or import",
    "reviewed": "true when faculty reviewed the alignment (status accepted)",
    "reviewed_by": "reviewer",
    "reviewed_at": "when it was reviewed (ISO date-time)",
}


def _iso(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def alignments_frame(found: Alignments) -> pd.DataFrame:
    """One row per alignment with the columns of :data:`ALIGNMENT_COLUMNS`."""
    rows = [
        {
            "outcome": a.outcome or "",
            "framework": a.framework,
            "framework_name": framework_label(a),
            "framework_version": a.framework_version or "",
            "competency_id": a.id,
            "code": a.code,
            "label": a.label,
            "url": target_url(a),
            "description": a.description or "",
            "score": a.score,
            "status": a.status,
            "source": a.source,
            "reviewed": a.status == "accepted",
            "reviewed_by": a.reviewed_by or "",
            "reviewed_at": _iso(a.reviewed_at),
        }
        for a in found.items
    ]
    return pd.DataFrame(rows, columns=list(ALIGNMENT_COLUMNS))


def alignments_csv(found: Alignments) -> str:
    """The alignments as CSV text (UTF-8, header row, ``,`` separated, formulas neutralised)."""
    return csv_text(alignments_frame(found))
