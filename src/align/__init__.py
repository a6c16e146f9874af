"""align: does a proposed micro-credential teach what the labor market asks for?

The public API is what ``__all__`` lists; modules whose names start with an
underscore are private.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

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

try:
    __version__ = version("align")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "AlignDataWarning",
    "AlignError",
    "DownloadError",
    "Framework",
    "FrameworkFormatError",
    "FrameworkInfo",
    "FrameworkNotFoundError",
    "InvalidArgumentError",
    "ModelLoadError",
    "PostingsFormatError",
    "ProposalError",
    "UnknownNameError",
    "__version__",
    "available_frameworks",
    "load_framework",
]
