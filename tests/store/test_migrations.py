"""Alembic migrations: a store made by an earlier schema is upgraded in place, data kept."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from align.store import Store, User
from align.store._db import MIGRATIONS, _resolve
from tests.store.conftest import proposal


def _at_revision(url: str, revision: str) -> None:
    """Build the store as revision ``revision`` made it, as an older align would have."""
    engine = create_engine(_resolve(url))
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def test_an_older_store_is_upgraded_with_its_data(store_url: str) -> None:
    _at_revision(store_url, "0001")
    engine = create_engine(_resolve(store_url))
    with engine.begin() as conn:
        assert "last_opened" not in {c["name"] for c in inspect(conn).get_columns("users")}
        conn.execute(
            text(
                "INSERT INTO users(name, email, roles, department, disciplines, created_at) "
                "VALUES ('Pat', 'pat@uni.edu', 'author', '', '', '2026-01-01T00:00:00+00:00')"
            )
        )
    engine.dispose()
    s = Store(store_url)
    assert s.info()["schema"] == "0002"
    assert s.user("Pat").email == "pat@uni.edu"
    s.create_proposal(proposal(), actor="Pat")
    s.set_last_opened("team-leadership", actor="Pat")
    assert s.last_opened(actor="Pat") == "team-leadership"
    log = s.audit_log(actor=User.operator())
    assert "store-upgraded" in set(log["action"])
    s.close()


def test_every_revision_goes_down_and_up_again(store_url: str) -> None:
    """Each migration's downgrade undoes its upgrade (the first one refuses, on purpose)."""
    Store(store_url).close()
    engine = create_engine(_resolve(store_url))
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        assert "last_opened" not in {c["name"] for c in inspect(conn).get_columns("users")}
        command.upgrade(cfg, "head")
        with pytest.raises(NotImplementedError, match="first schema"):
            command.downgrade(cfg, "base")
    engine.dispose()
