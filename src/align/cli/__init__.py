"""The ``align`` command line: parses arguments, calls the library, prints.

No logic lives here beyond parsing and formatting; every command is a thin
wrapper over one public library call, so notebooks, the dashboard and the CLI
agree. One module per command group; :mod:`align.cli._app` holds the typer app
and :func:`~align.cli._app.emit`, the one output helper.
"""

# isort: skip_file
# Importing the command modules registers their commands, in the order `align --help`
# lists them.
from __future__ import annotations

from align.cli import frameworks as frameworks
from align.cli import data as data
from align.cli import match as match
from align.cli import cache as cache
from align.cli import postings as postings
from align.cli import proposals as proposals
from align.cli import exports as exports
from align.cli import committee as committee
from align.cli import store as store
from align.cli._app import app, main

__all__ = ["app", "main"]
