"""Committee review: rubric evidence, the review record and the committee packet.

- :func:`rubric_evidence` gathers, for each criterion of a rubric (YAML; the
  default is :data:`DEFAULT_RUBRIC_PATH`), the evidence align found and a
  suggested rating with its reason.
- :class:`ReviewStore` is the review record in the store (:mod:`align.store`):
  reviewers assigned by discipline (conflicts of interest left out), each
  reviewer's rating and comment per criterion, the committee's feedback and the
  approver's decision; every write is one transaction and checks who acts.
- :func:`committee_packet` builds one self-contained HTML file (and a PDF
  through headless Chromium) for the committee.
"""

from __future__ import annotations

from align.committee._packet import CommitteePacket, committee_packet, find_chromium
from align.committee._reviews import (
    DECISIONS,
    Decision,
    ReviewStore,
    default_reviews_path,
)
from align.committee._rubric import (
    DEFAULT_RUBRIC_PATH,
    EVIDENCE,
    Criterion,
    CriterionEvidence,
    Rubric,
    RubricEvidence,
    load_rubric,
    rubric_evidence,
)

__all__ = [
    "DECISIONS",
    "DEFAULT_RUBRIC_PATH",
    "EVIDENCE",
    "CommitteePacket",
    "Criterion",
    "CriterionEvidence",
    "Decision",
    "ReviewStore",
    "Rubric",
    "RubricEvidence",
    "committee_packet",
    "default_reviews_path",
    "find_chromium",
    "load_rubric",
    "rubric_evidence",
]
