"""align: does a proposed micro-credential teach what the labor market asks for?

The public API is what ``__all__`` lists; modules whose names start with an
underscore are private.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from align._embed import Embedder, get_embedder
from align._framework_vectors import WarmResult, export_vectors, import_vectors, warm_cache
from align._match import Matcher, match
from align._vector_files import VectorFile
from align._vector_import import list_vector_imports, undo_import
from align._warnings import collect_warnings
from align.committee import (
    CommitteePacket,
    ReviewStore,
    RubricEvidence,
    committee_packet,
    load_rubric,
    rubric_evidence,
)
from align.exceptions import (
    AlignDataWarning,
    AlignError,
    CacheError,
    DownloadError,
    ExportError,
    FrameworkFormatError,
    FrameworkNotFoundError,
    InvalidArgumentError,
    ModelLoadError,
    OutputExistsError,
    PostingsBusyError,
    PostingsDataError,
    PostingsFormatError,
    ProposalError,
    UnknownNameError,
)
from align.exports import (
    check_export,
    export_badge,
    import_badge_alignments,
    to_case,
    to_ctdl,
    to_ob3,
    write_case,
    write_export,
)
from align.frameworks import (
    Framework,
    FrameworkInfo,
    available_frameworks,
    load_framework,
)
from align.frameworks.case import load_case
from align.postings import (
    PostingsStore,
    code_titles,
    coded_occupations,
    demand_over_time,
    extract_skills,
    import_review,
    ingest_postings,
    occupation_counts,
    posting_skills,
    skill_demand,
    skill_specificity,
    top_titles,
    write_review_sheet,
)
from align.proposals import (
    AlignmentReport,
    GapReport,
    PolicyReport,
    PortfolioReport,
    Proposal,
    ReviewedAlignment,
    ScoreSettings,
    Stack,
    check_policy,
    find_stacking_gaps,
    load_proposal,
    load_stack,
    portfolio_coverage,
    postings_demand,
    save_proposal,
    score_alignment,
)
from align.reports import Report

try:
    __version__ = version("align")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "AlignDataWarning",
    "AlignError",
    "AlignmentReport",
    "CacheError",
    "CommitteePacket",
    "DownloadError",
    "Embedder",
    "ExportError",
    "Framework",
    "FrameworkFormatError",
    "FrameworkInfo",
    "FrameworkNotFoundError",
    "GapReport",
    "InvalidArgumentError",
    "Matcher",
    "ModelLoadError",
    "OutputExistsError",
    "PolicyReport",
    "PortfolioReport",
    "PostingsBusyError",
    "PostingsDataError",
    "PostingsFormatError",
    "PostingsStore",
    "Proposal",
    "ProposalError",
    "Report",
    "ReviewStore",
    "ReviewedAlignment",
    "RubricEvidence",
    "ScoreSettings",
    "Stack",
    "UnknownNameError",
    "VectorFile",
    "WarmResult",
    "__version__",
    "available_frameworks",
    "check_export",
    "check_policy",
    "code_titles",
    "coded_occupations",
    "collect_warnings",
    "committee_packet",
    "demand_over_time",
    "export_badge",
    "export_vectors",
    "extract_skills",
    "find_stacking_gaps",
    "get_embedder",
    "import_badge_alignments",
    "import_review",
    "import_vectors",
    "ingest_postings",
    "list_vector_imports",
    "load_case",
    "load_framework",
    "load_proposal",
    "load_rubric",
    "load_stack",
    "match",
    "occupation_counts",
    "portfolio_coverage",
    "posting_skills",
    "postings_demand",
    "rubric_evidence",
    "save_proposal",
    "score_alignment",
    "skill_demand",
    "skill_specificity",
    "to_case",
    "to_ctdl",
    "to_ob3",
    "top_titles",
    "undo_import",
    "warm_cache",
    "write_case",
    "write_export",
    "write_review_sheet",
]
