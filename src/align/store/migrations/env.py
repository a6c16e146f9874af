"""Alembic environment: align runs migrations on the connection it opened (no alembic.ini).

`align store upgrade` (or opening the store) calls Alembic with the connection in
``config.attributes["connection"]``; a developer adds a migration with
``alembic -x url=sqlite:///scratch.sqlite revision -m "what changed"`` from this folder.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from align.store._schema import METADATA

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # a developer's command line: `-x url=...`
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///scratch.sqlite")
    with create_engine(url).connect() as connection:
        context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
