"""Errors and warnings raised by ``align``.

Every error derives from :class:`AlignError` and from the builtin it most
resembles, so ``except ValueError`` keeps working for callers who do not know
about ``align``::

    AlignError
    ├── FrameworkNotFoundError (AlignError, FileNotFoundError)
    ├── FrameworkFormatError (AlignError, ValueError)
    ├── UnknownNameError (AlignError, KeyError)
    ├── DownloadError (AlignError, OSError)
    ├── CacheError (AlignError, OSError)
    ├── ModelLoadError (AlignError, OSError)
    ├── PostingsFormatError (AlignError, ValueError)
    ├── ProposalError (AlignError, ValueError)
    ├── ExportError (AlignError, ValueError)
    ├── InvalidArgumentError (AlignError, ValueError)
    ├── MissingDependencyError (AlignError, ImportError)
    ├── OutputExistsError (AlignError, FileExistsError)
    ├── StorageError (AlignError, OSError)
    ├── StoreError (AlignError, OSError)
    ├── NotAllowedError (AlignError, PermissionError)
    ├── WorkflowError (AlignError, ValueError)
    └── EditConflictError (AlignError, RuntimeError)

Messages name the argument or file, what was found, what was expected and how
to fix it.
"""

from __future__ import annotations

__all__ = [
    "AlignDataWarning",
    "AlignError",
    "CacheError",
    "DownloadError",
    "EditConflictError",
    "ExportError",
    "FrameworkFormatError",
    "FrameworkNotFoundError",
    "InvalidArgumentError",
    "MissingDependencyError",
    "ModelLoadError",
    "NotAllowedError",
    "OutputExistsError",
    "PostingsBusyError",
    "PostingsDataError",
    "PostingsFormatError",
    "ProposalError",
    "StorageError",
    "StoreError",
    "UnknownNameError",
    "WorkflowError",
]


class AlignError(Exception):
    """Base class of every error raised by ``align``."""

    def __str__(self) -> str:
        # KeyError quotes its message; we want the plain sentence everywhere.
        return str(self.args[0]) if self.args else ""


class FrameworkNotFoundError(AlignError, FileNotFoundError):
    """A framework release, file or folder is missing."""


class FrameworkFormatError(AlignError, ValueError):
    """A framework file exists but does not have the expected layout or content."""


class UnknownNameError(AlignError, KeyError):
    """A name (framework, occupation code, method, ...) is not one we know."""


class DownloadError(AlignError, OSError):
    """A download failed or its content did not pass the integrity check."""


class CacheError(AlignError, OSError):
    """A cache folder or cache file cannot be used (unwritable, full, or from another model)."""


class ModelLoadError(AlignError, OSError):
    """An embedding model could not be found or loaded."""


class PostingsFormatError(AlignError, ValueError):
    """A job-postings export does not have the expected columns or content."""


class PostingsDataError(AlignError, LookupError):
    """The stored postings lack what a question needs (skills, dates); the message says
    which command adds it."""


class PostingsBusyError(AlignError, OSError):
    """Another process is writing the postings database; retry when it ends."""


class ProposalError(AlignError, ValueError):
    """A micro-credential proposal or stack file is invalid."""


class InvalidArgumentError(AlignError, ValueError):
    """An argument has a value outside what the function accepts."""


class MissingDependencyError(AlignError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


class OutputExistsError(AlignError, FileExistsError):
    """A command would write over its own input, or over a file align did not write;
    the message names the file and says ``--force`` replaces it."""


class StorageError(AlignError, OSError):
    """Writing a database or output file failed (disk full, read-only folder); nothing was kept."""


class StoreError(AlignError, OSError):
    """The proposal and review store cannot be opened or used (not an align database, damaged,
    locked, read-only, unreachable server); the message says which and what to do."""


class NotAllowedError(AlignError, PermissionError):
    """The signed-in person's roles do not allow this (seeing, editing, rating, deciding)."""


class WorkflowError(AlignError, ValueError):
    """A step that does not apply to the proposal's status (deciding a draft, rating a
    proposal not in review) or a decision dated in the future."""


class EditConflictError(AlignError, RuntimeError):
    """Someone saved the proposal since it was read; nothing was overwritten."""


class AlignDataWarning(UserWarning):
    """A recoverable data problem; the message says what was done about it."""


class ExportError(AlignError, ValueError):
    """A badge or framework export cannot be written as asked (e.g. an alignment has no
    official URL); the message names the competency and the fix."""
