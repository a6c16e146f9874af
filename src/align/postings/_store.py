"""The postings store: one embedded DuckDB file with normalised tables.

Tables
------
``postings``
    One row per posting: ``posting_id`` (primary key; presets prefix ids from
    other sources, ``glassdoor:12``), ``posted``, ``expired`` (DATE),
    ``title_raw``, ``title``, ``body``, ``company``, ``onet`` (O*NET-SOC),
    ``onet_name``, ``soc_5``, ``state`` (two-letter), ``state_name``, ``msa``,
    ``msa_name``, ``county``, ``county_name``, ``city``, ``location``,
    ``sources``, ``url``, ``salary_from``, ``salary_to``, ``batch_id``.
``posting_skills``
    Long table, one row per posting and skill: ``posting_id``, ``skill_id``
    (namespaced: ``lightcast:KS...``, ``esco:<uri>``, ``name:<lower name>``
    when the export gave names only), ``skill_name``, ``skill_type``
    (``specialized``/``software``/``certification``/``common``/``skill`` from
    exports; the framework kind when extracted), ``source`` (``export`` or
    ``extracted``), ``score`` (matcher score in [0, 1]; NULL for export
    skills), ``method``, ``evidence`` (the sentence matched), ``batch_id``,
    ``asked_score`` (probability that the posting asks for the skill it names,
    :mod:`align.postings._asked`; NULL for export skills) and ``asked``
    (``asked_score`` at the model's threshold; demand counts a skill unless it
    is FALSE).
``posting_occupations``
    Title coding results: ``posting_id``, ``rank``, ``onet_code``,
    ``onet_title``, ``score``, ``method``, ``batch_id``, ``confidence``
    (probability that the posting's rank-1 code is right; NULL for codings
    made before it existed) and ``tied``.
``occupation_reviews``
    Codes an analyst reviewed, one row per title (``title_key``: the title in
    lower case, whitespace collapsed): ``onet_code`` (NULL: no O*NET
    occupation fits), ``onet_title``, ``coded_code`` (what the coder had
    given), ``note``, ``reviewed_at``, ``batch_id``. A review wins over title
    coding for every posting with that title; an export's own code wins over both.
``batches``
    Log of every load: ``batch_id``, ``kind`` (``ingest``, ``extract``,
    ``code-titles``), ``file``, ``sha256``, ``preset``, ``mapping``,
    ``rows_read``, ``rows_loaded``, ``rows_duplicate``, ``rows_rejected``,
    ``rejected_sample``, ``loaded_at``, ``note``.

Each ingest runs in one transaction: a failure anywhere rolls everything back,
so the file is never half-written.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import platformdirs
from tqdm.auto import tqdm

from align._config import PathLike
from align._safeio import check_encoding, check_regular_file
from align._warnings import warn
from align.exceptions import (
    AlignDataWarning,
    AlignError,
    InvalidArgumentError,
    PostingsBusyError,
    PostingsFormatError,
    StorageError,
    UnknownNameError,
)
from align.postings._load import (
    MAX_BODY_CHARS,
    MAX_CELL_CHARS,
    POSTING_COLUMNS,
    PRESETS,
    FileFormat,
    Preset,
    extend_plan,
    iter_chunks,
    normalise_chunk,
    parse_mapping,
    plan_columns,
)

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "BATCH_COLUMNS",
    "BatchWriter",
    "PostingsStore",
    "default_db_path",
    "ingest_postings",
    "open_store",
]

logger = logging.getLogger(__name__)


#: Columns of the batch report ``ingest`` returns (and of the ``batches`` table).
BATCH_COLUMNS: tuple[str, ...] = (
    "batch_id", "kind", "file", "sha256", "preset", "mapping", "rows_read", "rows_loaded",
    "rows_duplicate", "rows_rejected", "rejected_sample", "loaded_at", "note",
)  # fmt: skip

_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS postings (
    posting_id VARCHAR PRIMARY KEY, posted DATE, expired DATE, title_raw VARCHAR,
    title VARCHAR, body VARCHAR, company VARCHAR, onet VARCHAR, onet_name VARCHAR,
    soc_5 VARCHAR, state VARCHAR, state_name VARCHAR, msa VARCHAR, msa_name VARCHAR,
    county VARCHAR, county_name VARCHAR, city VARCHAR, location VARCHAR, sources VARCHAR,
    url VARCHAR, salary_from DOUBLE, salary_to DOUBLE, batch_id INTEGER);
CREATE TABLE IF NOT EXISTS posting_skills (
    posting_id VARCHAR, skill_id VARCHAR, skill_name VARCHAR, skill_type VARCHAR,
    source VARCHAR, score DOUBLE, method VARCHAR, evidence VARCHAR, batch_id INTEGER,
    asked BOOLEAN, asked_score DOUBLE);
ALTER TABLE posting_skills ADD COLUMN IF NOT EXISTS asked BOOLEAN;
ALTER TABLE posting_skills ADD COLUMN IF NOT EXISTS asked_score DOUBLE;
CREATE TABLE IF NOT EXISTS posting_occupations (
    posting_id VARCHAR, rank INTEGER, onet_code VARCHAR, onet_title VARCHAR, score DOUBLE,
    method VARCHAR, batch_id INTEGER, confidence DOUBLE, tied BOOLEAN);
ALTER TABLE posting_occupations ADD COLUMN IF NOT EXISTS confidence DOUBLE;
ALTER TABLE posting_occupations ADD COLUMN IF NOT EXISTS tied BOOLEAN;
CREATE TABLE IF NOT EXISTS occupation_reviews (
    title_key VARCHAR PRIMARY KEY, onet_code VARCHAR, onet_title VARCHAR, coded_code VARCHAR,
    note VARCHAR, reviewed_at TIMESTAMP, batch_id INTEGER);
CREATE TABLE IF NOT EXISTS batches (
    batch_id INTEGER PRIMARY KEY, kind VARCHAR, file VARCHAR, sha256 VARCHAR, preset VARCHAR,
    mapping VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_duplicate BIGINT,
    rows_rejected BIGINT, rejected_sample VARCHAR, loaded_at TIMESTAMP, note VARCHAR);
"""


#: Columns of stored extracted skills (``posting_skills`` rows with source 'extracted').
SKILL_ROW_COLUMNS: tuple[str, ...] = (
    "posting_id", "skill_id", "skill_name", "skill_type", "score", "method", "evidence",
    "asked", "asked_score",
)  # fmt: skip
#: Columns of stored occupation codes (``posting_occupations`` without ``batch_id``).
OCCUPATION_ROW_COLUMNS: tuple[str, ...] = (
    "posting_id", "rank", "onet_code", "onet_title", "score", "method", "confidence", "tied",
)  # fmt: skip
#: Columns of stored reviews (``occupation_reviews`` without ``batch_id``).
REVIEW_ROW_COLUMNS: tuple[str, ...] = (
    "title_key", "onet_code", "onet_title", "coded_code", "note", "reviewed_at",
)  # fmt: skip
# Postings whose text can be mined: a body, and no skill list from the export itself.
_EXTRACTABLE = (
    "p.body IS NOT NULL AND p.posting_id NOT IN (SELECT posting_id FROM posting_skills "
    "WHERE source = 'export')"
)


class BatchWriter:
    """Writes of one logged batch, inside the store's transaction (see
    :meth:`PostingsStore.write_batch`).

    Set ``rows_read``, ``rows_loaded`` and ``note`` as the work goes; they are
    logged in ``batches`` when the batch commits. ``log`` holds the logged row
    (a one-row DataFrame) afterwards.
    """

    def __init__(self, store: PostingsStore, batch_id: int) -> None:
        self._store = store
        self.batch_id = batch_id
        self.rows_read = 0
        self.rows_loaded = 0
        self.note = ""
        self.log: pd.DataFrame | None = None

    def record(self) -> dict[str, Any]:
        """The logged batch row as plain JSON-ready data ({} before the batch commits).

        ``loaded_at`` is an ISO 8601 string, so a DataFrame carrying the record
        in ``attrs`` still writes to Parquet.
        """
        if self.log is None or self.log.empty:
            return {}
        return _plain(self.log.iloc[0].to_dict())

    def delete_extracted_skills(self, posting_ids: Iterable[str]) -> None:
        """Remove earlier extracted skills of these postings (a re-extraction replaces them)."""
        con = self._store.con
        con.register("_read", pd.DataFrame({"posting_id": list(posting_ids)}, dtype=object))
        try:
            con.execute(
                "DELETE FROM posting_skills WHERE source = 'extracted' AND posting_id "
                "IN (SELECT posting_id FROM _read)"
            )
        finally:
            con.unregister("_read")

    def add_extracted_skills(self, skills: pd.DataFrame) -> int:
        """Store extracted skills (columns :data:`SKILL_ROW_COLUMNS`); return how many."""
        if not len(skills):
            return 0
        frame = skills[list(SKILL_ROW_COLUMNS)].copy()
        frame["batch_id"] = self.batch_id
        con = self._store.con
        con.register("_found", frame)
        try:
            con.execute(
                "INSERT INTO posting_skills (posting_id, skill_id, skill_name, skill_type, "
                "source, score, method, evidence, batch_id, asked, asked_score) SELECT "
                "posting_id, skill_id, skill_name, skill_type, 'extracted', score, method, "
                "evidence, batch_id, asked, asked_score FROM _found"
            )
        finally:
            con.unregister("_found")
        return len(frame)

    def replace_reviews(self, title_keys: Iterable[str], reviews: pd.DataFrame) -> int:
        """Replace the reviewed codes of these title keys with ``reviews`` (columns
        ``title_key``, ``onet_code``, ``onet_title``, ``coded_code``, ``note``,
        ``reviewed_at``; none for keys whose review is cleared); return how many are stored."""
        return self._replace_rows(
            "occupation_reviews", "title_key", title_keys, reviews, REVIEW_ROW_COLUMNS
        )

    def replace_occupations(self, posting_ids: Iterable[str], codes: pd.DataFrame) -> int:
        """Replace the occupation codes of these postings (columns
        :data:`OCCUPATION_ROW_COLUMNS`); return how many codes were stored."""
        return self._replace_rows(
            "posting_occupations", "posting_id", posting_ids, codes, OCCUPATION_ROW_COLUMNS
        )

    def _replace_rows(
        self,
        table: str,
        key: str,
        keys: Iterable[str],
        rows: pd.DataFrame,
        columns: tuple[str, ...],
    ) -> int:
        """Delete ``table``'s rows whose ``key`` is in ``keys``, then insert ``rows``
        (``columns``, stamped with this batch), in one go; return how many were stored."""
        frame = rows[list(columns)].copy()
        frame["batch_id"] = self.batch_id
        cols = ", ".join([*columns, "batch_id"])
        con = self._store.con
        con.register("_rows", frame)
        con.register("_keys", pd.DataFrame({key: list(keys)}, dtype=object))
        try:
            con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM _keys)")
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _rows")
        finally:
            con.unregister("_rows")
            con.unregister("_keys")
        return len(frame)


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row as JSON-ready Python values: numbers as int/float, times as ISO strings, NA as None.

    Examples
    --------
    >>> _plain({"n": pd.Series([3]).iloc[0], "at": pd.Timestamp("2024-05-01 10:00")})
    {'n': 3, 'at': '2024-05-01T10:00:00'}
    """
    out: dict[str, Any] = {}
    for k, v in row.items():
        missing = not isinstance(v, str | bytes) and pd.api.types.is_scalar(v) and pd.isna(v)
        if v is None or missing:
            out[str(k)] = None
        elif isinstance(v, pd.Timestamp | datetime):
            out[str(k)] = v.isoformat()
        else:
            out[str(k)] = v.item() if hasattr(v, "item") else v
    return out


def default_db_path(data_dir: PathLike | None = None) -> Path:
    """Return the default store file.

    ``<data_dir>/postings/postings.duckdb`` when a data folder is given;
    otherwise ``ALIGN_POSTINGS_DB`` when set, else ``postings/postings.duckdb``
    in the per-user data folder. ``ALIGN_DATA_DIR`` is deliberately not used:
    it often points at a shared, read-only copy of the framework releases, and
    the postings database is the user's own, written on every ingest.

    Examples
    --------
    >>> default_db_path("/data").as_posix()
    '/data/postings/postings.duckdb'
    """
    if data_dir is not None:
        return Path(data_dir).expanduser() / "postings" / "postings.duckdb"
    env = os.environ.get("ALIGN_POSTINGS_DB")
    if env:
        return Path(env).expanduser()
    user = Path(platformdirs.user_data_dir("align", appauthor=False))
    return user / "postings" / "postings.duckdb"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class PostingsStore:
    """A job-postings database in one DuckDB file.

    Parameters
    ----------
    path : str or PathLike, optional
        Database file; created (with its folder) if missing. Default:
        :func:`default_db_path`. ``":memory:"`` gives a throwaway store.
    read_only : bool
        Open without write access (several readers may share the file).
    memory_limit : str, optional
        DuckDB memory limit (``"1GB"``); work beyond it spills to a
        ``<file>.tmp`` folder. ``None`` keeps DuckDB's default (80 % of RAM).

    Examples
    --------
    >>> store = PostingsStore(":memory:")
    >>> store.counts()["postings"]
    0
    >>> store.close()
    """

    def __init__(
        self,
        path: PathLike | None = None,
        *,
        read_only: bool = False,
        memory_limit: str | None = "1GB",
    ) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self._memory = str(path) == ":memory:"
        created = False
        if not self._memory:
            created = self._check_file(read_only)
        #: Whether this store created its database file (a failed first ingest removes it).
        self.created = created
        try:
            self._open(read_only, memory_limit)
        except BaseException:
            if created:
                # A first ingest that could not even create the database (a full disk)
                # leaves no empty or half-written file to block the next one.
                self._remove_files()
            raise

    def _check_file(self, read_only: bool) -> bool:
        """Check the database file before DuckDB opens it; return whether it is created now."""
        size = self.path.stat().st_size if self.path.is_file() else None
        if read_only and not size:
            state = "does not exist" if size is None else "is empty (0 bytes)"
            raise PostingsFormatError(
                f"postings database {str(self.path)!r} {state}. Load postings first "
                "with `align postings ingest FILE --db PATH` (ingest_postings in Python)."
            )
        if read_only:
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PostingsFormatError(
                f"cannot create the folder of postings database {str(self.path)!r} "
                f"({exc.strerror}). Choose a writable place with --db PATH (db= in Python)."
            ) from None
        if size is None:
            return not self.path.exists()
        if _unfinished_database(self.path, size):
            warn(
                f"postings database {str(self.path)!r} was never completely created ({size:,} "
                "bytes, no postings: an earlier first ingest stopped, e.g. on a full disk); it "
                "is created anew.",
                AlignDataWarning,
            )
            self.path.unlink()
            return True
        return False

    def _remove_files(self) -> None:
        for leftover in (self.path, self.path.with_name(self.path.name + ".wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(self.path.with_name(self.path.name + ".tmp"), ignore_errors=True)

    def _open(self, read_only: bool, memory_limit: str | None) -> None:
        # Imported here, not at module level: `import align` must stay light.
        import duckdb

        memory = self._memory
        try:
            self.con = duckdb.connect(":memory:" if memory else str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            holder = _lock_holder(str(exc))
            if holder is not None:
                raise PostingsBusyError(
                    f"database busy: {holder} is writing {str(self.path)!r}; retry when it "
                    "ends (reading needs the writer to finish too)."
                ) from None
            if _write_failed(exc):
                raise _storage_error(self.path, exc, opening=True) from None
            raise PostingsFormatError(
                f"cannot open postings database {str(self.path)!r}: {exc}. If it is not a "
                "DuckDB file, choose another path (db=; --db on the command line)."
            ) from None
        try:
            self._configure(read_only, memory_limit)
        except BaseException as exc:
            self.con.close()
            if isinstance(exc, duckdb.Error) and _write_failed(exc):
                raise _storage_error(self.path, exc, opening=True) from None
            raise

    def _configure(self, read_only: bool, memory_limit: str | None) -> None:
        import duckdb

        # Our own tqdm bars report progress; DuckDB's would print over them. In Jupyter
        # without ipywidgets DuckDB refuses to touch the setting, and has no bar to hide.
        with contextlib.suppress(duckdb.InvalidInputException):
            self.con.execute("SET enable_progress_bar = false")
        if memory_limit is not None:
            # DuckDB spills staging tables, joins and sorts to disk past this limit,
            # so a big ingest needs bounded memory whatever the file size.
            try:
                self.con.execute("SET memory_limit = ?", [memory_limit])
            except duckdb.Error as exc:
                raise InvalidArgumentError(
                    f"memory_limit {memory_limit!r} is not a size DuckDB understands ({exc}); "
                    "use e.g. '1GB' or '500MB'."
                ) from None
            self.con.execute("SET preserve_insertion_order = false")
            if not self._memory:
                tmp = self.path.with_name(self.path.name + ".tmp")
                self.con.execute("SET temp_directory = ?", [tmp.as_posix()])
        if not read_only:
            self.con.execute(_SCHEMA_SQL)
            if not self._memory:
                self._remove_stale_staging()

    # -- housekeeping ----------------------------------------------------
    def _staging_prefix(self) -> str:
        return f".align-staging-{self.path.name}-"

    def _remove_stale_staging(self) -> None:
        """Delete staging files an ingest killed mid-way (``kill -9``) left beside the database.

        Only this database's staging files are touched, and only while this process
        holds DuckDB's write lock on the database, so no other ingest into it is running.
        """
        stale = [
            p
            for p in self.path.parent.glob(self._staging_prefix() + "*")
            if p.name.endswith((".duckdb", ".duckdb.wal"))
        ]
        for p in stale:
            with contextlib.suppress(OSError):
                p.unlink()
        if stale:
            logger.info("removed %d staging file(s) left by an interrupted ingest", len(stale))

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def __enter__(self) -> PostingsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(
        self,
        sql: str,
        params: list[Any] | None = None,
        *,
        tables: Mapping[str, pd.DataFrame] | None = None,
    ) -> pd.DataFrame:
        """Run a read query and return a DataFrame.

        ``tables`` names DataFrames the query may read as tables (``_ids`` in
        ``WHERE skill_id IN (SELECT skill_id FROM _ids)``) for this query only.
        """
        names = list(tables or {})
        for name in names:
            self.con.register(name, tables[name])  # type: ignore[index]
        try:
            return self.con.execute(sql, params or []).df()
        finally:
            for name in names:
                self.con.unregister(name)

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {
            t: int(self.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0])
            for t in ("postings", "posting_skills", "posting_occupations", "batches")
        }

    def batches(self) -> pd.DataFrame:
        """The batch log, oldest first (columns :data:`BATCH_COLUMNS`)."""
        return self.query("SELECT * FROM batches ORDER BY batch_id")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """Run the block in one transaction: committed at the end, rolled back on any error."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _next_batch_id(self) -> int:
        rows = self.con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchall()
        return int(rows[0][0])

    def log_batch(self, **values: Any) -> int:
        """Append a row to ``batches`` (inside the caller's transaction) and return its id."""
        bid = values.pop("batch_id", None) or self._next_batch_id()
        row = {c: values.get(c) for c in BATCH_COLUMNS}
        row["batch_id"] = bid
        row["loaded_at"] = row["loaded_at"] or datetime.now(UTC).replace(tzinfo=None)
        self.con.execute(
            f"INSERT INTO batches VALUES ({', '.join('?' * len(BATCH_COLUMNS))})",
            [row[c] for c in BATCH_COLUMNS],
        )
        return bid

    @contextlib.contextmanager
    def write_batch(
        self, kind: str, *, preset: str | None = None, file: str | None = None
    ) -> Iterator[BatchWriter]:
        """One logged unit of work in one transaction.

        Yields a :class:`BatchWriter`; when the block ends, its counts and note
        are logged in ``batches`` and everything commits. Any error rolls all
        of it back, so a failed run leaves the database as it was.

        Examples
        --------
        >>> store = PostingsStore(":memory:")
        >>> with store.write_batch("extract", preset="demo") as batch:
        ...     batch.note = "nothing to do"
        >>> batch.log.loc[0, "kind"], int(batch.log.loc[0, "rows_read"])
        ('extract', 0)
        >>> store.close()
        """
        with self._transaction():
            writer = BatchWriter(self, self._next_batch_id())
            yield writer
            self.log_batch(
                batch_id=writer.batch_id,
                kind=kind,
                file=file,
                preset=preset,
                rows_read=writer.rows_read,
                rows_loaded=writer.rows_loaded,
                rows_duplicate=0,
                rows_rejected=0,
                note=writer.note,
            )
        writer.log = self.query("SELECT * FROM batches WHERE batch_id = ?", [writer.batch_id])

    def count_texts_to_extract(self, *, limit: int | None = None) -> int:
        """How many postings have text and no exported skill list (at most ``limit``)."""
        total = int(
            self.con.execute(f"SELECT count(*) FROM postings p WHERE {_EXTRACTABLE}").fetchall()[0][
                0
            ]
        )
        return min(total, limit) if limit is not None else total

    def texts_to_extract(
        self, *, limit: int | None = None, redo: bool = False, batch_rows: int = 256
    ) -> Iterator[pd.DataFrame]:
        """Stream ``posting_id``/``body`` of postings to extract skills from, in batches.

        Postings with an exported skill list are left out, and unless ``redo``
        also those with extracted skills. A separate cursor reads, so the
        caller may write (in :meth:`write_batch`) while it streams.
        """
        where = _EXTRACTABLE
        if not redo:
            where += (
                " AND p.posting_id NOT IN (SELECT posting_id FROM posting_skills "
                "WHERE source = 'extracted')"
            )
        sql = f"SELECT p.posting_id, p.body FROM postings p WHERE {where} ORDER BY p.posting_id"
        if limit is not None:
            sql += f" LIMIT {_limit(limit)}"
        reader = self.con.cursor()
        try:
            for batch in reader.sql(sql).to_arrow_reader(batch_rows):
                yield batch.to_pandas()
        finally:
            reader.close()

    def titles_to_code(self, *, limit: int | None = None, redo: bool = False) -> pd.DataFrame:
        """``posting_id``/``title`` of postings without an O*NET code (and, unless
        ``redo``, not coded before)."""
        where = "onet IS NULL AND soc_5 IS NULL AND coalesce(title_raw, title) IS NOT NULL"
        if not redo:
            where += " AND posting_id NOT IN (SELECT posting_id FROM posting_occupations)"
        sql = (
            f"SELECT posting_id, coalesce(title_raw, title) AS title FROM postings "
            f"WHERE {where} ORDER BY posting_id"
        )
        if limit is not None:
            sql += f" LIMIT {_limit(limit)}"
        return self.query(sql)

    def extracted_skills(self, batch_id: int) -> pd.DataFrame:
        """The skills one extraction batch stored (columns :data:`SKILL_ROW_COLUMNS`)."""
        cols = ", ".join(SKILL_ROW_COLUMNS)
        return self.query(
            f"SELECT {cols} FROM posting_skills WHERE source = 'extracted' AND batch_id = ? "
            "ORDER BY posting_id, score DESC, skill_id",
            [batch_id],
        )

    def occupation_codes(self, batch_id: int) -> pd.DataFrame:
        """The codes one title-coding batch stored (columns :data:`OCCUPATION_ROW_COLUMNS`)."""
        cols = ", ".join(OCCUPATION_ROW_COLUMNS)
        return self.query(
            f"SELECT {cols} FROM posting_occupations WHERE batch_id = ? ORDER BY posting_id, rank",
            [batch_id],
        )

    # -- ingest ------------------------------------------------------------
    def ingest(
        self,
        files: PathLike | Iterable[PathLike],
        *,
        preset: Preset = "lightcast",
        mapping: Mapping[str, str] | None = None,
        encoding: str = "utf-8",
        file_format: FileFormat | None = None,
        chunk_rows: int = 50_000,
        progress: bool = True,
    ) -> pd.DataFrame:
        """Load one or more export files; return one batch-report row per file.

        Parameters
        ----------
        files : path or list of paths
            CSV (or .csv.gz), XLSX, Parquet or JSON Lines exports.
        preset : {"lightcast", "glassdoor", "linkedin"}
            Which source column names to expect (see ``PRESETS``).
        mapping : dict, optional
            ``{source column: field}`` overriding the preset (fields in ``FIELDS``).
        encoding : str
            Text encoding of CSV/JSONL files (``"cp1252"`` for old Excel CSVs).
        file_format : {"csv", "parquet", "jsonl", "xlsx"}, optional
            Override the format guessed from the suffix.
        chunk_rows : int
            Rows read at a time; bounds memory.
        progress : bool
            Show a progress bar.

        Returns
        -------
        DataFrame
            Columns :data:`BATCH_COLUMNS`; ``note`` says ``already loaded`` for
            a file whose sha256 is already in the log (nothing is re-read).

        Notes
        -----
        Rows whose id is already stored are skipped (``rows_duplicate``), so
        re-loading an overlapping export adds only new postings. Malformed
        rows are skipped and reported with an :class:`AlignDataWarning`;
        anything fatal (missing columns, a wrong Parquet schema, bad encoding)
        raises before anything is committed.
        """
        paths = [Path(files)] if isinstance(files, (str, os.PathLike)) else [Path(f) for f in files]
        if not paths:
            raise InvalidArgumentError("files is empty: pass at least one export file.")
        if preset not in PRESETS:
            raise UnknownNameError(f"preset {preset!r} is not one of {', '.join(PRESETS)}.")
        parse_mapping(mapping)  # fail on a bad field before reading anything
        check_encoding(encoding, "encoding")
        for p in paths:
            check_regular_file(p, "postings file", error=PostingsFormatError)
        reports: list[dict[str, Any]] = []
        for n, p in enumerate(paths):
            try:
                reports.append(
                    self._ingest_one(
                        p,
                        preset=preset,
                        mapping=mapping,
                        encoding=encoding,
                        file_format=file_format,
                        chunk_rows=chunk_rows,
                        progress=progress,
                    )
                )
            except AlignError as exc:
                if len(paths) == 1:
                    raise
                raise type(exc)(_multi_file_message(str(exc), reports, paths[n + 1 :])) from None
        return pd.DataFrame(reports, columns=list(BATCH_COLUMNS))

    def _ingest_one(
        self,
        path: Path,
        *,
        preset: Preset,
        mapping: Mapping[str, str] | None,
        encoding: str,
        file_format: FileFormat | None,
        chunk_rows: int,
        progress: bool,
    ) -> dict[str, Any]:
        check_regular_file(path, "postings file", error=PostingsFormatError)
        digest = _sha256(path)
        found = self.con.execute(
            "SELECT batch_id FROM batches WHERE kind = 'ingest' AND sha256 = ? LIMIT 1", [digest]
        ).fetchall()
        if found:
            prev = found[0]
            logger.info("%s already loaded in batch %s; skipped", path, prev[0])
            return {
                "file": str(path),
                "sha256": digest,
                "kind": "ingest",
                "preset": preset,
                "rows_read": 0,
                "rows_loaded": 0,
                "rows_duplicate": 0,
                "rows_rejected": 0,
                "batch_id": int(prev[0]),
                "note": f"already loaded in batch {prev[0]}; nothing re-read",
            }
        chunks = iter_chunks(
            path, chunk_rows=chunk_rows, encoding=encoding, file_format=file_format
        )
        # Rows are staged in a scratch DuckDB file (autocommitted chunk by chunk, so
        # DuckDB can spill them to disk); only the final insert from the scratch
        # file into the store is one transaction, so the store is never half-written.
        import duckdb

        try:
            fd, scratch_name = tempfile.mkstemp(
                prefix=".align-staging-" if self._memory else self._staging_prefix(),
                suffix=".duckdb",
                dir=None if self._memory else self.path.parent,
            )
        except OSError as exc:
            raise _storage_error(self.path, exc) from None
        os.close(fd)
        scratch = Path(scratch_name)
        scratch.unlink()
        con = self.con
        try:
            con.execute("ATTACH ? AS stg", [scratch.as_posix()])
            try:
                return self._stage_and_insert(path, digest, chunks, preset, mapping, progress)
            finally:
                with contextlib.suppress(duckdb.Error):
                    con.execute("DETACH stg")
        except (duckdb.Error, OSError) as exc:
            if isinstance(exc, AlignError) or not _is_io_error(exc):
                raise
            raise _storage_error(self.path, exc) from None
        finally:
            for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
                leftover.unlink(missing_ok=True)

    def _stage_and_insert(
        self,
        path: Path,
        digest: str,
        chunks: Iterable[Any],
        preset: Preset,
        mapping: Mapping[str, str] | None,
        progress: bool,
    ) -> dict[str, Any]:
        con = self.con
        con.execute(
            "CREATE TABLE stg.stage_postings AS SELECT * EXCLUDE (batch_id), "
            "0::BIGINT AS seq FROM postings LIMIT 0"
        )
        con.execute(
            "CREATE TABLE stg.stage_skills AS SELECT posting_id, skill_id, "
            "skill_name, skill_type, 0::BIGINT AS seq FROM posting_skills LIMIT 0"
        )
        plan = None
        read = rejected_n = truncated = seq = 0
        sample: list[tuple[str, str]] = []
        # The first chunk is read before the bar appears, so a file refused at its header
        # gives the error line alone, not a bar followed by the error.
        it = iter(chunks)
        first = next(it, None)
        bar = tqdm(desc=f"ingest {path.name}", unit=" rows", disable=not progress)
        try:
            for raw in itertools.chain([] if first is None else [first], it):
                if plan is None:
                    plan = plan_columns(
                        list(raw.frame.columns),
                        preset=preset,
                        mapping=mapping,
                        file=f"file {str(path)!r}",
                    )
                else:
                    plan = extend_plan(
                        plan, list(raw.frame.columns), preset=preset, mapping=mapping
                    )
                chunk = normalise_chunk(raw, plan)
                read += chunk.rows_read + len(raw.rejected)
                rejected_n += len(chunk.rejected)
                truncated += chunk.truncated
                sample.extend(chunk.rejected[: max(0, 5 - len(sample))])
                # seq numbers rows across the file: the first of repeated ids wins.
                if len(chunk.postings):
                    con.register("_chunk", chunk.postings)
                    con.execute(
                        "INSERT INTO stg.stage_postings "
                        "SELECT * EXCLUDE (_row), _row + ? FROM _chunk",
                        [seq],
                    )
                    con.unregister("_chunk")
                if len(chunk.skills):
                    con.register("_chunk_s", chunk.skills)
                    con.execute(
                        "INSERT INTO stg.stage_skills "
                        "SELECT * EXCLUDE (_row), _row + ? FROM _chunk_s",
                        [seq],
                    )
                    con.unregister("_chunk_s")
                seq += chunk.rows_read
                bar.update(chunk.rows_read)
        finally:
            bar.close()
        if plan is None:
            raise PostingsFormatError(f"file {str(path)!r} has no rows and no header.")
        if preset == "linkedin":
            _attach_linkedin_functions(con, path)
        try:
            with self._transaction():
                batch_id = self._next_batch_id()
                before = self.counts()["postings"]
                cols = ", ".join(c for c in POSTING_COLUMNS)
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE stage_kept AS SELECT seq FROM stg.stage_postings "
                    "WHERE posting_id NOT IN (SELECT posting_id FROM postings) "
                    "QUALIFY row_number() OVER (PARTITION BY posting_id ORDER BY seq) = 1"
                )
                con.execute(
                    f"INSERT INTO postings SELECT {cols}, ? FROM stg.stage_postings "
                    "SEMI JOIN stage_kept USING (seq)",
                    [batch_id],
                )
                loaded = self.counts()["postings"] - before
                con.execute(
                    "INSERT INTO posting_skills (posting_id, skill_id, skill_name, "
                    "skill_type, source, method, batch_id) SELECT posting_id, skill_id, "
                    "skill_name, skill_type, 'export', 'export', ? FROM stg.stage_skills "
                    "SEMI JOIN stage_kept USING (seq)",
                    [batch_id],
                )
                accepted = read - rejected_n
                report = {
                    "batch_id": batch_id,
                    "kind": "ingest",
                    "file": str(path),
                    "sha256": digest,
                    "preset": preset,
                    "mapping": json.dumps(dict(mapping or {}), ensure_ascii=False),
                    "rows_read": read,
                    "rows_loaded": loaded,
                    "rows_duplicate": accepted - loaded,
                    "rows_rejected": rejected_n,
                    "rejected_sample": json.dumps(
                        [f"{w}: {r}" for w, r in sample], ensure_ascii=False
                    ),
                    "loaded_at": datetime.now(UTC).replace(tzinfo=None),
                    "note": f"columns used: {json.dumps(plan.sources, ensure_ascii=False)}",
                }
                self.log_batch(**report)
        finally:
            con.execute("DROP TABLE IF EXISTS stage_kept")
        if rejected_n:
            examples = "; ".join(f"{w}: {r}" for w, r in sample[:3])
            warn(
                f"file {str(path)!r}: skipped {rejected_n:,} malformed row(s) of {read:,} and "
                f"loaded the rest. Examples: {examples}. Fix those rows and ingest the file "
                "again to add them (rows already loaded are not duplicated).",
                AlignDataWarning,
            )
        if truncated:
            warn(
                f"file {str(path)!r}: cut {truncated:,} oversized cell(s) to "
                f"{MAX_BODY_CHARS:,} characters (body) or {MAX_CELL_CHARS:,} (other fields).",
                AlignDataWarning,
            )
        return report


def _limit(limit: int) -> int:
    """``limit`` as a whole number >= 0 (it is written into SQL as a number, never as text)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidArgumentError(
            f"limit={limit!r}; expected a whole number of postings, 0 or more (--limit 1000)."
        )
    return int(limit)


def _multi_file_message(error: str, done: list[dict[str, Any]], rest: list[Path]) -> str:
    """The error of one file in a multi-file ingest, with what was committed before it."""
    if done:
        loaded = "; ".join(
            f"{r['file']} ({r['rows_loaded']:,} postings, batch {r['batch_id']})" for r in done
        )
        msg = f"{error}\nAlready loaded before this error (kept): {loaded}."
    else:
        msg = f"{error}\nNo file was loaded."
    if rest:
        msg += f" Not read: {', '.join(str(p) for p in rest)}."
    return msg + " Fix the file and run the same command again: files already loaded are skipped."


_IO_WORDS = ("could not write", "no space", "too large", "disk", "i/o", "read-only", "permission")


def _is_io_error(exc: BaseException) -> bool:
    """True for a failed write (full disk, size limit, read-only), not for a bug in a query."""
    import duckdb

    return isinstance(exc, (OSError, duckdb.IOException)) or any(
        w in str(exc).lower() for w in _IO_WORDS
    )


def _write_failed(exc: BaseException) -> bool:
    """True when DuckDB could not write (full disk, size limit, read-only), not for a bad file."""
    return any(w in str(exc).lower() for w in _IO_WORDS if w not in ("disk", "i/o"))


def _storage_error(path: Path, exc: BaseException, *, opening: bool = False) -> StorageError:
    if opening:
        return StorageError(
            f"cannot create or open postings database {str(path)!r}: writing it failed ({exc}), "
            "e.g. because the disk is full; nothing was loaded and no partial database was "
            "left behind. Free disk space (or choose another place with --db) and run the "
            "command again."
        )
    return StorageError(
        f"writing postings database {str(path)!r} failed ({exc}); nothing from this file was "
        "committed. Free disk space (or choose another place with --db) and run the ingest "
        "again."
    )


# A DuckDB file starts with three 4 KiB header blocks (magic "DUCK" at byte 8); a file
# shorter than that was never completely created, so it cannot hold any postings.
_DUCKDB_HEADER_BYTES = 3 * 4096


def _unfinished_database(path: Path, size: int) -> bool:
    """True for a database file whose creation stopped before any data could be stored."""
    if size >= _DUCKDB_HEADER_BYTES or path.with_name(path.name + ".wal").exists():
        return False
    if size == 0:
        return True
    with open(path, "rb") as fh:
        head = fh.read(12)
    return head[8:12] == b"DUCK" or not head.strip(b"\0")


def _attach_linkedin_functions(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Add LinkedIn job functions (job_skills.csv + skills.csv beside the file) as skills.

    They are coarse job functions (``IT``, ``ACCT``), stored with skill type
    ``job_function`` so demand tables can tell them from real skills.
    """
    folder = path.parent
    js = next(
        (folder / n for n in ("job_skills.csv.gz", "job_skills.csv") if (folder / n).is_file()),
        None,
    )
    sk = next((folder / n for n in ("skills.csv.gz", "skills.csv") if (folder / n).is_file()), None)
    if js is None or sk is None:
        logger.info("no job_skills/skills files beside %s; no LinkedIn job functions", path)
        return
    con.execute(
        "INSERT INTO stg.stage_skills SELECT DISTINCT p.posting_id, 'linkedin:' || j.skill_abr, "
        "coalesce(s.skill_name, j.skill_abr), 'job_function', p.seq "
        "FROM read_csv(?, header=true, all_varchar=true) j "
        "JOIN stg.stage_postings p ON p.posting_id = 'linkedin:' || j.job_id "
        "LEFT JOIN read_csv(?, header=true, all_varchar=true) s USING (skill_abr)",
        [str(js), str(sk)],
    )


_LOCK = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


def _lock_holder(message: str) -> str | None:
    """Who holds DuckDB's write lock, from its error message: "align postings ingest (PID 12)".

    ``None`` when the message is not about a lock.
    """
    found = _LOCK.search(message)
    if not found:
        return "another process" if "lock" in message.lower() else None
    exe, pid = found.group(1), found.group(2)
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        words = [a.decode(errors="replace") for a in args if a]
    except OSError:
        words = []
    if len(words) > 1 and Path(words[1]).name == "align":
        words = words[1:]
    if words and Path(words[0]).name == "align":
        cmd = " ".join(["align", *[w for w in words[1:4] if not w.startswith("-")]])
    else:
        cmd = Path(words[0] if words else exe).name
    return f"{cmd} (PID {pid})"


def open_store(
    db: PostingsStore | PathLike | None, *, read_only: bool = False
) -> tuple[PostingsStore, bool]:
    """Return ``(store, owned)``: the given store, or one opened on a path (owned=True)."""
    if isinstance(db, PostingsStore):
        return db, False
    return PostingsStore(db, read_only=read_only), True


def ingest_postings(
    files: PathLike | Iterable[PathLike],
    db: PostingsStore | PathLike | None = None,
    *,
    preset: Preset = "lightcast",
    mapping: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    file_format: FileFormat | None = None,
    chunk_rows: int = 50_000,
    progress: bool = True,
) -> pd.DataFrame:
    """Load job-posting exports into a postings database; see :meth:`PostingsStore.ingest`.

    Parameters
    ----------
    files : path or list of paths
        Export files (CSV, XLSX, Parquet, JSON Lines).
    db : PostingsStore or path, optional
        Store or database file (default :func:`default_db_path`).
    preset, mapping, encoding, file_format, chunk_rows, progress
        As in :meth:`PostingsStore.ingest`.

    Returns
    -------
    DataFrame
        One batch-report row per file (columns :data:`BATCH_COLUMNS`).

    Notes
    -----
    When ``db`` names a file that does not exist yet and the load fails (an
    unknown column layout without ``preset``, a missing file), no database
    file is left behind.
    """
    if not isinstance(db, PostingsStore):
        # Checks that need no database come first, so a bad argument creates no file.
        check_encoding(encoding, "encoding")
        paths = [files] if isinstance(files, (str, os.PathLike)) else list(files)
        for p in paths:
            check_regular_file(p, "postings file", error=PostingsFormatError)
        files = paths
    store, owned = open_store(db)
    new_file = owned and store.created
    try:
        return store.ingest(
            files,
            preset=preset,
            mapping=mapping,
            encoding=encoding,
            file_format=file_format,
            chunk_rows=chunk_rows,
            progress=progress,
        )
    except BaseException:
        if owned and new_file:
            # A failed first load leaves no empty database behind to confuse the next run.
            store.close()
            owned = False
            store._remove_files()
        raise
    finally:
        if owned:
            store.close()
