"""align: does a proposed micro-credential teach what the labor market asks for?

The public API is what ``__all__`` lists; modules whose names start with an
underscore are private.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from align._embed import Embedder, get_embedder
from align._match import Matcher, match
from align._policy import check_policy
from align._portfolio import portfolio_coverage
from align._score import AlignmentReport, score_alignment
from align._stack import find_stacking_gaps
from align.exceptions import (
    AlignDataWarning,
    AlignError,
    DownloadError,
    FrameworkFormatError,
    FrameworkNotFoundError,
    InvalidArgumentError,
    ModelLoadError,
    PostingsFormatError,
    ProposalError,
    UnknownNameError,
)
from align.frameworks import (
    Framework,
    FrameworkInfo,
    available_frameworks,
    load_framework,
)
from align.frameworks.case import load_case, to_case, write_case
from align.postings import (
    PostingsStore,
    code_titles,
    extract_skills,
    ingest_postings,
    occupation_counts,
    skill_demand,
    top_titles,
)
from align.proposal import Proposal, Stack, load_proposal

try:
    __version__ = version("align")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "AlignDataWarning",
    "AlignError",
    "AlignmentReport",
    "DownloadError",
    "Embedder",
    "Framework",
    "FrameworkFormatError",
    "FrameworkInfo",
    "FrameworkNotFoundError",
    "InvalidArgumentError",
    "Matcher",
    "ModelLoadError",
    "PostingsFormatError",
    "PostingsStore",
    "Proposal",
    "ProposalError",
    "Stack",
    "UnknownNameError",
    "__version__",
    "available_frameworks",
    "check_policy",
    "code_titles",
    "extract_skills",
    "find_stacking_gaps",
    "get_embedder",
    "ingest_postings",
    "load_case",
    "load_framework",
    "load_proposal",
    "match",
    "occupation_counts",
    "portfolio_coverage",
    "score_alignment",
    "skill_demand",
    "to_case",
    "top_titles",
    "write_case",
]
