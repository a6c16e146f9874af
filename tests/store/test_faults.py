"""Databases the store must not trust: each fault is one clear line, and nothing is changed.

Files are made at test time: a folder, a DuckDB file, text, a truncated, damaged or
re-headed store, an unrelated SQLite database, a lock held past the timeout, a
read-only file, a PostgreSQL database with other tables and one nobody answers on.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from align.exceptions import StoreError
from align.store import Store, User
from tests.store.conftest import proposal

OP = User.operator("tests")


def filled(path: Path) -> Path:
    """A closed store with some content (its WAL checkpointed into the file)."""
    s = Store(path)
    me = s.local_user()
    for n in range(30):
        s.create_proposal(proposal(f"Team Leadership {n}", description="x" * 2000), actor=me)
    s.close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(target, match: str) -> str:
    with pytest.raises(StoreError, match=match) as info:
        Store(target, timeout=0.2)
    text = str(info.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_a_folder(tmp_path: Path) -> None:
    refused(tmp_path, "is a folder; give the path of a database file")


def test_a_duckdb_file(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "postings.duckdb"
    duckdb.connect(str(path)).execute("CREATE TABLE t AS SELECT 1 AS x").close()
    before = digest(path)
    refused(path, "is a DuckDB database")
    assert digest(path) == before


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"title: not a database\n", "is a text file, not an align database"),
        (b"\x00\x01\x02\xff" * 64, "its first bytes are not SQLite's"),
        (b"PK\x03\x04" + b"\x00" * 200, "a ZIP file"),
        (b"%PDF-1.7\n" + b"\x00" * 200, "a compressed file, an image or a PDF"),
    ],
)
def test_files_that_are_not_databases(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "reviews.sqlite"
    path.write_bytes(content)
    refused(path, match)
    assert path.read_bytes() == content


def test_a_truncated_store(tmp_path: Path) -> None:
    path = filled(tmp_path / "align.sqlite")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    refused(path, "is truncated .* restore it from a backup")


def test_a_damaged_store(tmp_path: Path) -> None:
    path = filled(tmp_path / "align.sqlite")
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for p in range(1, len(data) // page):  # every page but the first: garbage
        data[p * page + 8 : p * page + 40] = os.urandom(32)
    path.write_bytes(bytes(data))
    refused(path, "is damaged")


def test_a_store_with_a_wrong_header(tmp_path: Path) -> None:
    path = filled(tmp_path / "align.sqlite")
    data = bytearray(path.read_bytes())
    data[:16] = b"NotSQLite format"
    path.write_bytes(bytes(data))
    refused(path, "not an align database")


def test_an_unrelated_sqlite_database_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)")
        con.execute("INSERT INTO patients(name) VALUES ('x')")
    con.close()
    before = digest(path)
    text = refused(path, "is a database align did not create .*patients.* untouched")
    assert "--db" in text
    assert digest(path) == before
    assert not Path(f"{path}-wal").exists()
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master")]
    assert names == ["patients"]


def test_an_old_review_database_says_how_to_import_it(tmp_path: Path) -> None:
    from tests.store.test_import import old_review_db

    path = old_review_db(tmp_path / "align-reviews.sqlite")
    before = digest(path)
    refused(path, "review database of an earlier align; import it .*align store import")
    assert digest(path) == before


def test_a_lock_held_past_the_timeout(tmp_path: Path) -> None:
    path = filled(tmp_path / "align.sqlite")
    store = Store(path, timeout=0.2)
    me = store.local_user()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match=r"is locked by another program \(waited 0.2 s"):
            store.create_proposal(proposal("Locked Out"), actor=me)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.create_proposal(proposal("Locked Out"), actor=me).version == 1  # free again
    store.close()


@contextmanager
def read_only(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Make ``path`` and its folder read-only for this process, for real where possible:
    permissions for a normal user; for root (who may write anything) the immutable flag
    (``chattr +i``); where neither works, align is told so."""
    folder = path.parent
    if os.geteuid() != 0:
        path.chmod(0o444)
        folder.chmod(0o555)
        try:
            yield "permissions"
        finally:
            folder.chmod(0o755)
            path.chmod(0o644)
        return
    if (
        shutil.which("chattr")
        and subprocess.run(["chattr", "+i", str(path), str(folder)], capture_output=True).returncode
        == 0
    ):
        try:
            yield "immutable"
        finally:
            subprocess.run(["chattr", "-i", str(path), str(folder)], check=True)
        return
    monkeypatch.setattr("align.store._db._writable", lambda p: False)
    yield "simulated"


def test_a_read_only_store_is_read_and_refuses_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = filled(tmp_path / "db" / "align.sqlite")
    before = digest(path)
    with read_only(path, monkeypatch):
        store = Store(path)
        assert store.read_only
        me = store.user("Local user")
        assert len(store.proposals(actor=me)) == 30
        with pytest.raises(StoreError, match="is read-only: align can read it but not save"):
            store.create_proposal(proposal("New One"), actor=me)
        # SQLite itself refuses too (the connection is opened read-only), in the same words
        with (
            pytest.raises(StoreError, match="read-only"),
            store._db.faults("saving"),
            store._db.engine.begin() as conn,
        ):
            conn.exec_driver_sql("DELETE FROM users")
        store.close()
    assert digest(path) == before


def test_a_newer_schema_is_not_opened(tmp_path: Path) -> None:
    path = filled(tmp_path / "align.sqlite")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.close()
    refused(path, "made by a newer align .*9999.* upgrade align")


def test_urls_align_cannot_use() -> None:
    refused("mysql://u:secret@db/x", "uses 'mysql'; align keeps its store in SQLite")
    text = refused("sqlite://", "in-memory SQLite database keeps nothing")
    assert "secret" not in text


def test_postgresql_database_with_other_tables(postgres_server) -> None:
    import psycopg

    url = postgres_server.new_database()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE TABLE payroll (id int)")
    refused(url, "is a database align did not create .*payroll.* empty database of its own")
    with psycopg.connect(url) as con:
        names = [
            r[0] for r in con.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        ]
    assert names == ["payroll"]


def test_postgresql_server_that_does_not_answer(postgres_server) -> None:
    port = postgres_server.port + 1 if postgres_server.port < 65000 else 1
    url = f"postgresql://align:hunter2@127.0.0.1:{port}/nothing"
    text = refused(url, "cannot reach the database .*ALIGN_DATABASE_URL")
    assert "hunter2" not in text
