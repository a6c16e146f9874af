"""Faults during an ingest: a full disk and ``kill -9`` lose nothing and leave nothing behind.

A full disk is simulated with a size-limited process (``RLIMIT_FSIZE``: any write
past the limit fails with "File too large", as on a full disk), so the test needs
no root and no tmpfs.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SRC = str(REPO / "src")


def _write_postings(path: Path, rows: int, prefix: str = "f") -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("ID,POSTED,TITLE_RAW,BODY,ONET,STATE,SKILLS_NAME\n")
        for i in range(rows):
            fh.write(
                f'{prefix}{i},2024-01-{i % 28 + 1:02d},Data Analyst {i},"Analyze data with SQL and '
                f'Python, row {i} {"x" * 200}",15-2051.00,TX,"[""SQL"", ""Skill {i % 97}""]"\n'
            )


def _python(code: str, *, cwd: Path, limit_bytes: int | None = None) -> subprocess.Popen[bytes]:
    def limit() -> None:
        if limit_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": SRC},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limit,
    )


def _count(db: Path) -> int:
    from align.postings import PostingsStore

    with PostingsStore(db, read_only=True) as store:
        return store.counts()["postings"]


def _staging(folder: Path) -> list[Path]:
    return sorted(folder.glob(".align-staging-*"))


def test_disk_full_during_ingest_keeps_the_database_and_says_so(tmp_path: Path) -> None:
    from align.postings import ingest_postings

    db = tmp_path / "p.duckdb"
    first = tmp_path / "first.csv"
    _write_postings(first, 20, prefix="first")
    ingest_postings(first, db, progress=False)
    size_before = db.stat().st_size
    big = tmp_path / "big.csv"
    _write_postings(big, 30_000)  # about 8 MB of staging
    code = (
        "from align.cli import main; import sys; "
        f"sys.argv = ['align', 'postings', 'ingest', '--db', {str(db)!r}, {str(big)!r}]; main()"
    )
    proc = _python(code, cwd=tmp_path, limit_bytes=size_before + 3_000_000)
    _out, err = proc.communicate(timeout=300)
    text = err.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    assert proc.returncode == 2, text
    assert "error:" in text and "p.duckdb" in text
    assert "disk" in " ".join(text.split()).lower()
    assert _count(db) == 20  # the earlier batch is intact, nothing of the failed one
    assert _staging(tmp_path) == []
    # With room again, the same command loads the file.
    report = ingest_postings(big, db, progress=False)
    assert int(report["rows_loaded"].iloc[0]) == 30_000


@pytest.mark.parametrize("limit", [0, 4096])
def test_disk_full_during_a_first_ingest_leaves_no_database_behind(
    tmp_path: Path, limit: int
) -> None:
    from align.postings import ingest_postings

    db = tmp_path / "p.duckdb"
    small = tmp_path / "small.csv"
    _write_postings(small, 5)
    code = (
        "from align.cli import main; import sys; "
        f"sys.argv = ['align', 'postings', 'ingest', '--db', {str(db)!r}, {str(small)!r}]; main()"
    )
    # The disk fills while DuckDB writes the new file's header: nothing or part of it lands.
    proc = _python(code, cwd=tmp_path, limit_bytes=limit)
    _out, err = proc.communicate(timeout=300)
    text = " ".join(err.decode("utf-8", "replace").split())
    assert "Traceback" not in text, text
    assert proc.returncode == 2, text
    assert "error:" in text and "p.duckdb" in text and "disk" in text.lower()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.csv"]
    # With room again, the same command loads the file.
    report = ingest_postings(small, db, progress=False)
    assert int(report["rows_loaded"].iloc[0]) == 5


def test_a_database_left_empty_by_an_older_version_is_created_anew(tmp_path: Path) -> None:
    from align.exceptions import AlignDataWarning
    from align.postings import ingest_postings

    db = tmp_path / "p.duckdb"
    db.write_bytes(b"")
    small = tmp_path / "small.csv"
    _write_postings(small, 3)
    with pytest.warns(AlignDataWarning, match="never completely created"):
        report = ingest_postings(small, db, progress=False)
    assert int(report["rows_loaded"].iloc[0]) == 3 and _count(db) == 3
    # A file that is not a database at all is never deleted.
    other = tmp_path / "notes.duckdb"
    other.write_text("my notes")
    from align.exceptions import PostingsFormatError

    with pytest.raises(PostingsFormatError, match=r"notes\.duckdb"):
        ingest_postings(small, other, progress=False)
    assert other.read_text() == "my notes"


def test_kill_9_mid_ingest_leaves_no_staging_file_after_the_next_run(tmp_path: Path) -> None:
    from align.postings import PostingsStore, ingest_postings

    db = tmp_path / "p.duckdb"
    big = tmp_path / "big.csv"
    _write_postings(big, 60_000)
    code = (
        "from align.postings import ingest_postings; "
        f"ingest_postings({str(big)!r}, {str(db)!r}, chunk_rows=500, progress=False)"
    )
    proc = _python(code, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while not _staging(tmp_path) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail(f"ingest ended before it could be killed: {proc.communicate()[1]!r}")
    time.sleep(0.3)  # let it write into the staging file
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert _staging(tmp_path), "the kill should have left a staging file to clean up"
    # Opening the database for writing removes what the killed run left ...
    with PostingsStore(db) as store:
        assert store.counts()["postings"] in (0, 60_000)  # all or nothing, never part
    assert _staging(tmp_path) == []
    # ... and the next ingest loads every posting exactly once.
    report = ingest_postings(big, db, progress=False)
    assert _count(db) == 60_000
    assert int(report["rows_loaded"].iloc[0]) + int(report["rows_duplicate"].iloc[0]) == 60_000


def test_staging_files_of_another_database_are_left_alone(tmp_path: Path) -> None:
    from align.postings import PostingsStore

    other = tmp_path / ".align-staging-other.duckdb-abc.duckdb"
    other.write_bytes(b"")
    mine = tmp_path / ".align-staging-p.duckdb-xyz.duckdb"
    mine.write_bytes(b"")
    with PostingsStore(tmp_path / "p.duckdb"):
        pass
    assert other.exists() and not mine.exists()
