"""``python -m align.cli``: the same as the ``align`` command."""

from align.cli._app import main

main()
