"""Opening the store: which database, whether align made it, migrations, and faults in plain words.

A SQLite file is the embedded default; ``ALIGN_DATABASE_URL`` (or ``--db``) names a
PostgreSQL server for a shared deployment. Before anything is written, an existing
database is checked: align opens only databases it created (the ``align_meta``
marker), so an unrelated file never gains tables and its journal mode is never
changed. Every database fault (damaged, truncated or foreign file, a folder, a lock
held past the timeout, a read-only file, a server that does not answer) becomes one
:class:`~align.exceptions.StoreError` line saying what is wrong and what to do.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from align.exceptions import AlignError, StoreError
from align.store._schema import MARKER, tables

__all__ = ["Database", "default_database_url", "now", "today"]

PathLike = str | os.PathLike[str]
MIGRATIONS = Path(__file__).with_name("migrations")
#: Seconds a write waits for another writer's lock (``ALIGN_DB_TIMEOUT`` overrides it).
DEFAULT_TIMEOUT = 30.0
#: Tables an earlier align's review database (``align-reviews.sqlite``) had.
OLD_REVIEW_TABLES = frozenset({"reviewers", "assignments", "reviews", "ratings", "feedback"})
#: SQLite files up to this size get a quick integrity check when opened.
QUICK_CHECK_BYTES = 64 * 1024 * 1024
_SQLITE_HEADER = b"SQLite format 3\x00"


def _timeout(value: float | None) -> float:
    if value is not None:
        return float(value)
    env = os.environ.get("ALIGN_DB_TIMEOUT", "").strip()
    try:
        return float(env) if env else DEFAULT_TIMEOUT
    except ValueError:
        raise StoreError(
            f"ALIGN_DB_TIMEOUT={env!r} is not a number of seconds; write it like 30."
        ) from None


def now() -> str:
    """The current UTC time as ISO 8601 text (seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def today() -> date:
    """Today, as late as any time zone near the server has it (a decision dated today is
    never 'in the future' because the server runs on UTC)."""
    return max(date.today(), datetime.now(UTC).date())


def default_database_url() -> str:
    """``ALIGN_DATABASE_URL``; else ``ALIGN_REVIEWS_DB`` (a file, the older setting); else
    ``align.sqlite`` in the per-user align data folder.

    Examples
    --------
    >>> import os
    >>> os.environ["ALIGN_DATABASE_URL"] = "postgresql://office@db.example.edu/align"
    >>> default_database_url()
    'postgresql://office@db.example.edu/align'
    >>> del os.environ["ALIGN_DATABASE_URL"]
    """
    env = os.environ.get("ALIGN_DATABASE_URL", "").strip()
    if env:
        return env
    legacy = os.environ.get("ALIGN_REVIEWS_DB", "").strip()
    if legacy:
        return _sqlite_url(Path(legacy).expanduser())
    return _sqlite_url(Path(platformdirs.user_data_dir("align", False)) / "align.sqlite")


def _sqlite_url(path: Path) -> str:
    return URL.create("sqlite", database=str(path.absolute())).render_as_string()


def _resolve(target: PathLike | None) -> URL:
    raw = default_database_url() if target is None else target
    if isinstance(raw, str) and "://" in raw:
        try:
            url = make_url(raw.strip())
        except (sa_exc.ArgumentError, ValueError):
            raise StoreError(
                f"database URL {_mask_text(raw)!r} is not a URL align can read; write it like "
                "postgresql://user:password@host/dbname or give a file path."
            ) from None
    else:
        url = make_url(_sqlite_url(Path(raw).expanduser()))
    backend = url.get_backend_name()
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreError(
                "an in-memory SQLite database keeps nothing; give a file path "
                "(--db reviews.sqlite)."
            )
        return url.set(drivername="sqlite")
    raise StoreError(
        f"database {url.render_as_string(hide_password=True)!r} uses {backend!r}; align keeps "
        "its store in SQLite (a file) or PostgreSQL (postgresql://...)."
    )


def _mask_text(raw: str) -> str:
    head, sep, tail = raw.partition("@")
    if not sep or "://" not in head:
        return raw
    scheme, _, cred = head.partition("://")
    user = cred.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}"


# == faults =====================================================================
def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def explain(exc: BaseException, label: str, doing: str, timeout: float) -> StoreError:
    """One plain line for a database fault."""
    line = _first_line(exc)
    low = line.lower()
    if "locked" in low or "lock timeout" in low or "could not obtain lock" in low:
        return StoreError(
            f"{label} is locked by another program (waited {timeout:g} s while {doing}); try "
            "again when it has finished."
        )
    if "malformed" in low or "not a database" in low or "encrypted" in low or "corrupt" in low:
        return StoreError(
            f"{label} is damaged ({line}); restore it from a backup, or give another database "
            "with --db."
        )
    if "readonly" in low or "read-only" in low or "read only" in low:
        return StoreError(
            f"{label} is read-only: align can read it but not save ({doing}). Ask for write "
            "access or copy it somewhere writable."
        )
    if "disk is full" in low or "no space" in low or "disk full" in low:
        return StoreError(
            f"the disk holding {label} is full; nothing was saved ({doing}). Free some space "
            "and try again."
        )
    if "connection" in low or "could not connect" in low or "server" in low or "timeout" in low:
        return StoreError(
            f"cannot reach the database {label} ({line}); check ALIGN_DATABASE_URL (or --db) "
            "and that the server is running."
        )
    if "unable to open" in low or "disk i/o" in low:
        return StoreError(
            f"cannot open {label} ({line}); check that the folder exists and that you may "
            "read and write it."
        )
    return StoreError(f"{label}: {doing} failed ({line}).")


_FAULTS: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.DatabaseError,
    sa_exc.InterfaceError,
    sqlite3.Error,
    OSError,
)


# == SQLite files ===================================================================
def _describe(head: bytes) -> str:
    if head[8:12] == b"DUCK":
        return "a DuckDB database (a postings database?)"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP file"
    if head.startswith((b"\x1f\x8b", b"\x89PNG", b"%PDF")):
        return "a compressed file, an image or a PDF"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "a binary file of another kind (its first bytes are not SQLite's)"
    return "a text file"


def _check_header(path: Path, label: str) -> None:
    """Refuse what is not a whole SQLite file, before SQLite or SQLAlchemy touch it."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(100)
    if not head.startswith(_SQLITE_HEADER):
        raise StoreError(
            f"{label} is {_describe(head)}, not an align database; give the path of an align "
            "database (or of a new file) with --db."
        )
    if len(head) < 100:
        raise StoreError(f"{label} is truncated ({size} bytes); restore it from a backup.")
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(head[28:32], "big")
    valid = head[24:28] == head[92:96] and pages > 0
    if page < 512 or (valid and size < page * pages):
        raise StoreError(
            f"{label} is truncated ({size:,} bytes; its header says {page * pages:,}); restore "
            "it from a backup."
        )


def _writable(path: Path) -> bool:
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def _read_only_uri(path: Path, label: str, timeout: float) -> str:
    """A URI that opens the file read-only. A database in WAL mode whose folder cannot be
    written (no shared-memory file can be made) opens only as ``immutable``: nothing can
    change it while we read, since nobody can write there."""
    base = f"file:{path.absolute().as_posix()}?mode=ro"
    last: sqlite3.Error | None = None
    for uri in (base, base + "&immutable=1"):
        try:
            con = sqlite3.connect(uri, uri=True, timeout=timeout)
            try:
                con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                con.close()
            return uri
        except sqlite3.OperationalError as exc:
            last = exc
            if "unable to open" not in str(exc):
                break
        except sqlite3.Error as exc:
            last = exc
            break
    assert last is not None
    raise explain(last, label, "opening it", timeout)


def _sqlite_inventory(
    uri: str, path: Path, label: str, timeout: float
) -> tuple[set[str], str | None]:
    """Table names and the marker value, read through a read-only connection."""
    try:
        con = sqlite3.connect(uri, uri=True, timeout=timeout)
    except sqlite3.Error as exc:
        raise explain(exc, label, "opening it", timeout) from None
    try:
        names = {
            str(r[0])
            for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        }
        if path.stat().st_size <= QUICK_CHECK_BYTES:
            result = con.execute("PRAGMA quick_check(1)").fetchone()
            if result and result[0] != "ok":
                raise StoreError(
                    f"{label} is damaged (SQLite's check: {result[0]}); restore it from a "
                    "backup, or give another database with --db."
                )
        marker = None
        if "align_meta" in names:
            row = con.execute("SELECT value FROM align_meta WHERE key = ?", (MARKER[0],)).fetchone()
            marker = None if row is None else str(row[0])
        return names, marker
    except sqlite3.Error as exc:
        raise explain(exc, label, "reading it", timeout) from None
    finally:
        con.close()


def _refuse_foreign(label: str, names: set[str], marker: str | None, advice: str) -> None:
    names = {n for n in names if not n.startswith("sqlite_")}
    if not names or marker == MARKER[1]:
        return
    if names >= OLD_REVIEW_TABLES:
        raise StoreError(
            f"{label} is a review database of an earlier align; import it into the store with "
            f"`align store import {label.strip(chr(39))}` (your records are kept), then use "
            "the store."
        )
    shown = ", ".join(sorted(names)[:6]) + (", ..." if len(names) > 6 else "")
    raise StoreError(
        f"{label} is a database align did not create (it holds {shown}); align leaves it "
        f"untouched. {advice}"
    )


# == the database ================================================================
class Database:
    """An open store database: engine, transactions, fault translation, migrations.

    Parameters
    ----------
    target : str, path or None
        A SQLite file, a ``sqlite:///`` or ``postgresql://`` URL, or None for
        :func:`default_database_url`.
    timeout : float, optional
        Seconds to wait for another writer's lock (default ``ALIGN_DB_TIMEOUT``, else 30).
    """

    def __init__(self, target: PathLike | None = None, *, timeout: float | None = None):
        self.url = _resolve(target)
        self.timeout = _timeout(timeout)
        self.backend = self.url.get_backend_name()
        self.path: Path | None = None
        self.read_only = False
        self._ro_uri = ""
        if self.backend == "sqlite":
            self.path = Path(str(self.url.database))
            self.label = f"'{self.path}'"
            is_new = self._check_sqlite_file()
        else:
            self.label = f"'{self.url.render_as_string(hide_password=True)}'"
            is_new = False
        self.engine = self._engine()
        try:
            self._prepare(is_new)
        except BaseException:
            self.engine.dispose()
            raise

    def __repr__(self) -> str:
        return f"Database({self.label})"

    # -- opening ----------------------------------------------------------------
    def _check_sqlite_file(self) -> bool:
        path = self.path
        assert path is not None  # set by __init__ for SQLite
        if path.is_dir():
            raise StoreError(
                f"{self.label} is a folder; give the path of a database file, e.g. "
                f"'{path / 'align.sqlite'}'."
            )
        if path.exists() and not path.is_file():
            raise StoreError(f"{self.label} is not a regular file; give a database file.")
        if not path.exists() or path.stat().st_size == 0:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise explain(exc, self.label, "creating its folder", self.timeout) from None
            if not _writable(path):
                raise StoreError(
                    f"cannot create {self.label}: the folder is read-only; choose another place "
                    "with --db or ALIGN_DATABASE_URL."
                )
            return True
        _check_header(path, self.label)
        uri = _read_only_uri(path, self.label, self.timeout)
        names, marker = _sqlite_inventory(uri, path, self.label, self.timeout)
        _refuse_foreign(self.label, names, marker, "Give another file (or a new one) with --db.")
        self.read_only = not _writable(path)
        self._ro_uri = uri
        return not {n for n in names if not n.startswith("sqlite_")}

    def _engine(self) -> Engine:
        if self.backend == "sqlite":
            assert self.path is not None
            if self.read_only:
                url = f"sqlite:///{self._ro_uri}&uri=true"
            else:
                url = f"sqlite:///file:{self.path.absolute().as_posix()}?mode=rwc&uri=true"
            engine = create_engine(
                url, connect_args={"timeout": self.timeout, "check_same_thread": False}
            )
            read_only = self.read_only

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi: Any, _record: Any) -> None:
                dbapi.isolation_level = None  # align issues BEGIN itself (below)
                cur = dbapi.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                if not read_only:
                    cur.execute("PRAGMA synchronous=FULL")
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn: Connection) -> None:
                # A write takes the lock at once, so two writers queue instead of failing.
                write = conn.get_execution_options().get("align_write")
                conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

            return engine
        ms = int(self.timeout * 1000)
        return create_engine(
            self.url,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": max(1, int(min(self.timeout, 30))),
                "options": f"-c lock_timeout={ms}",
            },
        )

    def _prepare(self, is_new: bool) -> None:
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        known = {r.revision for r in ScriptDirectory.from_config(cfg).walk_revisions()}
        with self.faults("opening it"):
            with self.engine.connect() as conn:
                current = self._inventory(conn) if not is_new else None
            if current == head:
                return
            if current is not None and current not in known:
                raise StoreError(
                    f"{self.label} was made by a newer align (schema {current}); upgrade align "
                    "to use it."
                )
            if self.read_only:
                raise StoreError(
                    f"{self.label} needs upgrading to this align's schema but is read-only; "
                    "open it once where it is writable (`align store upgrade`)."
                )
            with self.write() as conn:
                if self.backend == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(72417)"))
                # Another process may have created or upgraded it while we waited.
                current = self._inventory(conn)
                if current != head:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    if current is None:
                        conn.execute(
                            insert(tables.align_meta),
                            [{"key": "created_at", "value": now()}],
                        )
                        audit(conn, "align", "store-created", None, schema=head)
                    else:
                        audit(conn, "align", "store-upgraded", None, old=current, new=head)
            if is_new and self.backend == "sqlite":
                # Our own new file only: readers keep reading while one writer writes.
                raw = self.engine.raw_connection()
                try:
                    raw.cursor().execute("PRAGMA journal_mode=WAL")
                finally:
                    raw.close()

    def _inventory(self, conn: Connection) -> str | None:
        """The schema revision of an align database; None when it is empty."""
        names = set(inspect(conn).get_table_names())
        if not names:
            return None
        marker = None
        if "align_meta" in names:
            marker = conn.execute(
                select(tables.align_meta.c.value).where(tables.align_meta.c.key == MARKER[0])
            ).scalar()
        _refuse_foreign(
            self.label,
            names,
            marker,
            "Give align an empty database of its own (ALIGN_DATABASE_URL or --db).",
        )
        if marker is None:  # an empty-but-for-sqlite-internals file
            return None
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()

    # -- use ----------------------------------------------------------------------
    @contextmanager
    def faults(self, doing: str) -> Iterator[None]:
        """Turn a database fault inside the block into one :class:`StoreError` line."""
        try:
            yield
        except AlignError:  # already says what is wrong (NotAllowedError is an OSError too)
            raise
        except _FAULTS as exc:
            raise explain(exc, self.label, doing, self.timeout) from None

    @contextmanager
    def read(self, doing: str = "reading") -> Iterator[Connection]:
        """A connection for reading (one consistent snapshot)."""
        with self.faults(doing), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self, doing: str = "saving") -> Iterator[Connection]:
        """One write transaction: all of it commits, or none of it."""
        if self.read_only:
            raise StoreError(
                f"{self.label} is read-only: align can read it but not save ({doing}). Ask for "
                "write access or copy it somewhere writable."
            )
        with (
            self.faults(doing),
            self.engine.connect().execution_options(align_write=True) as conn,
            conn.begin(),
        ):
            yield conn

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def audit(
    conn: Connection, actor: str, action: str, proposal_id: str | None, **detail: Any
) -> None:
    """Append one row to the audit log, in the caller's transaction."""
    conn.execute(
        insert(tables.audit_log).values(
            at=now(),
            actor=actor,
            action=action,
            proposal_id=proposal_id,
            detail=json.dumps(detail, sort_keys=True, default=str, ensure_ascii=False),
        )
    )
