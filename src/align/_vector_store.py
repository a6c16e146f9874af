"""The on-disk vector cache: one SQLite database per cache folder, plus .npy bundles.

Vectors are stored per (model identity, text hash) in ``vectors.sqlite3`` under
``ALIGN_CACHE_DIR/embeddings``. SQLite gives atomic, crash-safe transactions and
safe concurrent use by several processes (WAL journal, busy timeout); each row
carries a checksum of its key and vector, verified on read. Sets of 5,000+
distinct texts are also kept as one ``.npy`` bundle whose name carries the CRC-32
of its payload.

Imports of vector files (:mod:`align._vector_files`) are journaled here: each
import records the rows it added and the rows it replaced (with their previous
vectors), so :meth:`_VectorStore.undo_import` puts the cache back as it was.

This module knows vectors, keys and model ids; it never sees texts or frameworks.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import sqlite3
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from align._warnings import warn
from align.exceptions import AlignDataWarning, CacheError

logger = logging.getLogger(__name__)

_DB_NAME = "vectors.sqlite3"
_SQL_CHUNK = 500


# SQLite primary result codes (the low byte of the extended code) that mean the file
# itself is damaged. Anything else -- a full disk, a read-only folder, an I/O error, a
# lock held too long -- says nothing about the data already stored and must never get
# the database moved aside.
_SQLITE_CORRUPT = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_CORRUPT_WORDS = ("malformed", "not a database", "file is encrypted")
_T = TypeVar("_T")


def _is_corrupt(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return (code & 0xFF) in _SQLITE_CORRUPT
    return any(w in str(exc).lower() for w in _CORRUPT_WORDS)


def _row_sum(key: bytes, blob: bytes) -> bytes:
    return hashlib.blake2b(key + blob, digest_size=8).digest()


def _usable(vec: np.ndarray) -> bool:
    return bool(np.isfinite(vec).all())


def _storage_hint(exc: BaseException) -> str:
    text = str(exc).lower()
    if getattr(exc, "errno", None) == errno.ENOSPC or "full" in text:
        return "the disk is full; free some space"
    if isinstance(exc, PermissionError) or "readonly" in text or "read-only" in text:
        return "the folder is not writable; fix its permissions"
    return "check the folder"


_JOURNAL_SQL_IMPORTS = (
    "CREATE TABLE IF NOT EXISTS imports (id INTEGER PRIMARY KEY AUTOINCREMENT, model TEXT NOT "
    "NULL, file TEXT, sha256 TEXT, frameworks TEXT, imported_at TEXT, added INTEGER DEFAULT 0, "
    "replaced INTEGER DEFAULT 0, kept INTEGER DEFAULT 0, undone_at TEXT)"
)
# One row per vector an import wrote: the previous vector when it replaced one, else NULLs.
_JOURNAL_SQL_ROWS = (
    "CREATE TABLE IF NOT EXISTS import_rows (import_id INTEGER NOT NULL, key BLOB NOT NULL, "
    "old_dim INTEGER, old_vec BLOB, old_sum BLOB, PRIMARY KEY (import_id, key)) WITHOUT ROWID"
)


def _journal(conn: sqlite3.Connection) -> None:
    # Made on the first import only: a read-only cache written by an older version,
    # without these tables, stays readable.
    conn.execute(_JOURNAL_SQL_IMPORTS)
    conn.execute(_JOURNAL_SQL_ROWS)


def _has_journal(conn: sqlite3.Connection) -> bool:
    found = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'imports'"
    ).fetchone()
    return bool(found[0])


@dataclass
class ImportCounts:
    """What one import did to the cache."""

    import_id: int = 0
    added: int = 0  # keys that were not cached
    replaced: int = 0  # cached keys given the file's vector (replace=True only)
    kept: int = 0  # cached keys left as they were
    differ: int = 0  # of the kept, how many differ from the file's vector


class _VectorStore:
    """Vectors keyed by (model id, text hash) in one SQLite database.

    WAL mode lets readers and one writer work at once from any number of
    processes; each write is one transaction, so a crash leaves either all of a
    batch or none of it. Every row carries a checksum of its key and vector.

    Failures never lose data: a database SQLite reports as corrupt is moved aside
    under a unique name and rebuilt (with a warning); any other error (full disk,
    unwritable folder, I/O error, lock timeout) makes the call behave as "not
    cached" with one :class:`~align.exceptions.AlignDataWarning` per kind of
    problem, and the database is left as it was.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / _DB_NAME
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            conn = self._open()
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise
            self._quarantine(exc)
            conn = self._open()
        self._conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL, "
                "dim INTEGER NOT NULL, vec BLOB NOT NULL, sum BLOB, PRIMARY KEY (model, key)) "
                "WITHOUT ROWID"
            )
            columns = {row[1] for row in conn.execute("PRAGMA table_info(vectors)")}
            if "sum" not in columns:  # a cache written before rows had checksums
                conn.execute("ALTER TABLE vectors ADD COLUMN sum BLOB")
            conn.execute("SELECT count(*) FROM vectors WHERE model = ''").fetchone()
            conn.commit()
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _quarantine(self, exc: Exception) -> None:
        """Move a corrupt database aside (under a name no other move uses)."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        moved = self.path.with_name(
            f"{_DB_NAME}.corrupt-{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        )
        size = self.path.stat().st_size if self.path.exists() else 0
        for suffix in ("", "-wal", "-shm"):
            src = Path(f"{self.path}{suffix}")
            if src.exists():
                try:
                    os.replace(src, Path(f"{moved}{suffix}"))
                except OSError:
                    src.unlink(missing_ok=True)
        warn(
            f"the embedding cache {self.path} is corrupt ({exc}); it was moved to {moved} "
            f"({size:,} bytes) and a new cache is being built. Vectors are recomputed as "
            "needed, so results are unchanged; delete the moved file when you no longer "
            "need it.",
            AlignDataWarning,
        )

    def _degrade(self, what: str, exc: BaseException) -> None:
        kind = f"{what}:{type(exc).__name__}:{getattr(exc, 'sqlite_errorcode', '')}"
        if kind in self._warned:
            logger.debug("embedding cache %s failed again: %s", what, exc)
            return
        self._warned.add(kind)
        warn(
            f"the embedding cache in {self.folder} could not be {what} ({exc}); "
            f"{_storage_hint(exc)}, or point ALIGN_CACHE_DIR at another folder. Vectors are "
            "computed without the cache meanwhile (slower, same results); nothing cached "
            "was deleted.",
            AlignDataWarning,
        )

    def _close_conn(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def _run(self, what: str, fn: Callable[[sqlite3.Connection], _T], default: _T) -> _T:
        """Run ``fn``; on a corrupt file quarantine and retry once; else degrade to ``default``."""
        with self._lock:
            for attempt in (0, 1):
                try:
                    return fn(self._connect())
                except sqlite3.Error as exc:
                    self._close_conn()
                    if attempt == 0 and _is_corrupt(exc):
                        try:
                            self._quarantine(exc)
                        except OSError as move_exc:
                            self._degrade(what, move_exc)
                            return default
                        continue
                    self._degrade(what, exc)
                    return default
                except OSError as exc:  # the folder itself cannot be made or opened
                    self._close_conn()
                    self._degrade(what, exc)
                    return default
            return default

    def get(self, model_id: str, keys: Sequence[bytes], dim: int | None) -> dict[bytes, np.ndarray]:
        """Cached vectors of ``keys`` that pass their checksum (the others are left out)."""
        bad: list[int] = [0]

        def run(conn: sqlite3.Connection) -> dict[bytes, np.ndarray]:
            found: dict[bytes, np.ndarray] = {}
            for i in range(0, len(keys), _SQL_CHUNK):
                part = sorted(keys[i : i + _SQL_CHUNK])
                marks = ",".join("?" * len(part))
                rows = conn.execute(
                    f"SELECT key, dim, vec, sum FROM vectors WHERE model = ? AND key IN ({marks})",
                    [model_id, *part],
                )
                for key, d, blob, check in rows:
                    key = bytes(key)
                    if check is None:  # written before checksums: recompute quietly
                        continue
                    vec = np.frombuffer(blob, dtype=np.float32) if len(blob) % 4 == 0 else None
                    if (
                        vec is None
                        or len(blob) != 4 * d
                        or (dim is not None and d != dim)
                        or bytes(check) != _row_sum(key, bytes(blob))
                        or not _usable(vec)
                    ):
                        bad[0] += 1
                        continue
                    found[key] = vec
            return found

        empty: dict[bytes, np.ndarray] = {}
        found = self._run("read", run, empty)
        if bad[0]:
            warn(
                f"{bad[0]:,} cached vector(s) in {self.path} failed their integrity check "
                "(damaged or altered rows); they are recomputed and overwritten.",
                AlignDataWarning,
            )
        return found

    def put(self, model_id: str, items: Iterable[tuple[bytes, np.ndarray]]) -> bool:
        """Store vectors; return whether they were written."""
        rows = []
        for key, v in items:
            blob = np.ascontiguousarray(v, np.float32).tobytes()
            rows.append((model_id, key, int(v.shape[0]), blob, _row_sum(key, blob)))

        def run(conn: sqlite3.Connection) -> bool:
            with conn:
                conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", rows)
            return True

        return self._run("written", run, False)

    def counts(self) -> dict[str, int]:
        def run(conn: sqlite3.Connection) -> dict[str, int]:
            rows = conn.execute("SELECT model, count(*) FROM vectors GROUP BY model")
            return {str(m): int(n) for m, n in rows}

        return self._run("read", run, {})

    def keys(self, model_id: str) -> list[bytes]:
        def run(conn: sqlite3.Connection) -> list[bytes]:
            rows = conn.execute("SELECT key FROM vectors WHERE model = ? ORDER BY key", [model_id])
            return [bytes(k) for (k,) in rows]

        return self._run("read", run, [])

    def clear(self) -> int:
        def run(conn: sqlite3.Connection) -> int:
            with conn:
                n = conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
                conn.execute("DELETE FROM vectors")
                conn.execute("DROP TABLE IF EXISTS import_rows")
                conn.execute("DROP TABLE IF EXISTS imports")
            conn.execute("VACUUM")
            return int(n)

        return self._run("cleared", run, 0)

    def close(self) -> None:
        with self._lock:
            self._close_conn()

    # -- imports of vector files -------------------------------------------------
    def import_rows(
        self,
        model_id: str,
        chunks: Iterable[tuple[Sequence[bytes], np.ndarray]],
        *,
        replace: bool,
        record: dict[str, str],
    ) -> ImportCounts | None:
        """Store vectors from a file in one transaction, journaled so it can be undone.

        A key already cached keeps its vector unless ``replace``; the journal keeps
        the previous vector of every replaced row. Returns ``None`` (with a warning)
        when the cache cannot be written; then nothing was stored.
        """

        def run(conn: sqlite3.Connection) -> ImportCounts:
            counts = ImportCounts()
            with conn:
                _journal(conn)
                cur = conn.execute(
                    "INSERT INTO imports (model, file, sha256, frameworks, imported_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        model_id,
                        record.get("file", ""),
                        record.get("sha256", ""),
                        record.get("frameworks", ""),
                        time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    ],
                )
                counts.import_id = int(cur.lastrowid or 0)
                for keys, mat in chunks:
                    self._import_chunk(conn, model_id, keys, mat, replace, counts)
                conn.execute(
                    "UPDATE imports SET added = ?, replaced = ?, kept = ? WHERE id = ?",
                    [counts.added, counts.replaced, counts.kept, counts.import_id],
                )
            return counts

        return self._run("written", run, None)

    @staticmethod
    def _import_chunk(
        conn: sqlite3.Connection,
        model_id: str,
        keys: Sequence[bytes],
        mat: np.ndarray,
        replace: bool,
        counts: ImportCounts,
    ) -> None:
        old: dict[bytes, tuple[int, bytes, bytes | None]] = {}
        for i in range(0, len(keys), _SQL_CHUNK):
            part = list(keys[i : i + _SQL_CHUNK])
            rows = conn.execute(
                f"SELECT key, dim, vec, sum FROM vectors WHERE model = ? AND key IN "
                f"({','.join('?' * len(part))})",
                [model_id, *part],
            )
            old.update((bytes(k), (d, bytes(v), s)) for k, d, v, s in rows)
        write, journal = [], []
        for key, vec in zip(keys, mat, strict=True):
            blob = np.ascontiguousarray(vec, np.float32).tobytes()
            prev = old.get(key)
            if prev is not None and (not replace or prev[1] == blob):
                counts.kept += 1
                counts.differ += prev[1] != blob
                continue
            write.append((model_id, key, int(vec.shape[0]), blob, _row_sum(key, blob)))
            journal.append((counts.import_id, key, *(prev or (None, None, None))))
            counts.added += prev is None
            counts.replaced += prev is not None
        conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", write)
        conn.executemany("INSERT INTO import_rows VALUES (?, ?, ?, ?, ?)", journal)

    def imports(self) -> list[dict[str, Any]]:
        """Every import recorded in this cache, oldest first."""

        def run(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            if not _has_journal(conn):
                return []
            cur = conn.execute(
                "SELECT id, model, file, sha256, frameworks, imported_at, added, replaced, "
                "kept, undone_at FROM imports ORDER BY id"
            )
            names = [c[0] for c in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur]

        return self._run("read", run, [])

    def undo_import(self, import_id: int) -> dict[str, int]:
        """Remove the rows an import added and restore those it replaced.

        Raises
        ------
        CacheError
            When there is no such import, it was undone already, a later import
            changed the same vectors (undo that one first), or the cache cannot
            be written.
        """
        refusal: list[str] = []

        def run(conn: sqlite3.Connection) -> dict[str, int]:
            row = (
                conn.execute(
                    "SELECT model, undone_at FROM imports WHERE id = ?", [import_id]
                ).fetchone()
                if _has_journal(conn)
                else None
            )
            if row is None or row[1] is not None:
                refusal.append("unknown" if row is None else f"undone at {row[1]}")
                return {}
            later = conn.execute(
                "SELECT min(b.import_id) FROM import_rows a JOIN import_rows b ON a.key = b.key "
                "JOIN imports i ON i.id = b.import_id WHERE a.import_id = ? AND "
                "b.import_id > ? AND i.undone_at IS NULL AND i.model = ?",
                [import_id, import_id, row[0]],
            ).fetchone()[0]
            if later is not None:
                refusal.append(f"later {later}")
                return {}
            removed = restored = 0
            with conn:
                rows = conn.execute(
                    "SELECT key, old_dim, old_vec, old_sum FROM import_rows WHERE import_id = ?",
                    [import_id],
                ).fetchall()
                for key, dim, vec, check in rows:
                    if vec is None:
                        conn.execute(
                            "DELETE FROM vectors WHERE model = ? AND key = ?", [row[0], key]
                        )
                        removed += 1
                    else:
                        conn.execute(
                            "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)",
                            [row[0], key, dim, vec, check],
                        )
                        restored += 1
                conn.execute("DELETE FROM import_rows WHERE import_id = ?", [import_id])
                conn.execute(
                    "UPDATE imports SET undone_at = ? WHERE id = ?",
                    [time.strftime("%Y-%m-%dT%H:%M:%S%z"), import_id],
                )
            return {"removed": removed, "restored": restored}

        done = self._run("written", run, None)
        if refusal:
            why = refusal[0]
            if why == "unknown":
                raise CacheError(
                    f"there is no import {import_id} in the cache at {self.folder}; "
                    "`align cache imports` lists them."
                )
            if why.startswith("later"):
                raise CacheError(
                    f"import {import_id} cannot be undone while import {why.split()[1]}, made "
                    f"after it, changed the same vectors; undo import {why.split()[1]} first."
                )
            raise CacheError(f"import {import_id} was already {why}; nothing to undo.")
        if done is None:
            raise CacheError(
                f"could not undo import {import_id} in the cache at {self.folder} (see the "
                "warning above); nothing was changed. Free disk space or fix the folder's "
                "permissions and try again."
            )
        return done


# Whole sets of at least this many distinct texts (a framework's surfaces) are also
# kept as one .npy "bundle" keyed by the model and the exact list of texts: a refit
# then reads one file instead of looking up ~100k rows. Bundles are written to a
# temporary file and renamed into place, so readers never see half a file; the name
# ends in the CRC-32 of the payload, checked on every read with the values themselves
# (finite, unit length). The SQLite store stays the source of truth, so a bad bundle
# is dropped (with a warning) and rebuilt.


def _bundle_stem(folder: Path, model_id: str, keys: list[bytes]) -> Path:
    h = hashlib.blake2b(model_id.encode(), digest_size=20)
    for k in keys:
        h.update(k)
    return folder / "bundles" / h.hexdigest()


def _payload_crc(mat: np.ndarray) -> str:
    return f"{zlib.crc32(np.ascontiguousarray(mat).data) & 0xFFFFFFFF:08x}"


def _find_bundle(stem: Path) -> Path | None:
    if not stem.parent.is_dir():
        return None
    found = sorted(stem.parent.glob(f"{stem.name}-*.npy"))
    return found[0] if found else None


def _read_bundle(stem: Path, rows: int) -> np.ndarray | None:
    path = _find_bundle(stem)
    if path is None:
        return None
    try:
        mat = np.load(path, allow_pickle=False)
        if mat.ndim != 2 or mat.shape[0] != rows or mat.dtype != np.float32:
            raise ValueError(f"shape {mat.shape} {mat.dtype}, expected {rows} float32 rows")
        expected = path.stem.rsplit("-", 1)[-1]
        if _payload_crc(mat) != expected:
            raise ValueError("its payload does not match its checksum")
        if not np.isfinite(mat).all():
            raise ValueError("it holds values that are not finite numbers")
        if (np.abs(np.einsum("ij,ij->i", mat, mat) - 1.0) > 2e-3).any():
            raise ValueError("it holds vectors that are not of unit length")
        return mat
    except (OSError, ValueError, EOFError) as exc:
        warn(
            f"the cached vector bundle {path} could not be used ({exc}); it was deleted and "
            "the vectors are read from the main cache (or recomputed) instead.",
            AlignDataWarning,
        )
        path.unlink(missing_ok=True)
        return None


def _write_bundle(stem: Path, mat: np.ndarray, store: _VectorStore | None = None) -> None:
    mat = np.ascontiguousarray(mat, dtype=np.float32)
    path = stem.with_name(f"{stem.name}-{_payload_crc(mat)}.npy")
    tmp = stem.with_name(f".{stem.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp.npy")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(tmp, mat)
        os.replace(tmp, path)
        for old in path.parent.glob(f"{stem.name}-*.npy"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        if store is not None:
            store._degrade("written", exc)
        else:
            logger.warning("could not write vector bundle %s: %s", path, exc)
    finally:
        tmp.unlink(missing_ok=True)


_STORES: dict[Path, _VectorStore] = {}
_STORES_LOCK = threading.Lock()


def _store(folder: Path) -> _VectorStore:
    folder = folder.expanduser().resolve()
    with _STORES_LOCK:
        if folder not in _STORES:
            _STORES[folder] = _VectorStore(folder)
        return _STORES[folder]


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
