"""`align review`, `align store` and `align evidence` (the CLI contract), on both backends.

Every refusal is one plain line and exit code 2: an unknown proposal, a misspelt file,
an empty reviewer name, a reviewer not assigned, a decision by someone who is not an
approver or dated in the future, and every database the store must not open.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from align.cli import app
from align.committee import find_chromium
from tests.cli.test_exports import ALIGNMENTS, EXAMPLES

runner = CliRunner()
TODAY = dt.date.today().isoformat()
SRC = Path(__file__).resolve().parents[2] / "src"


def run(*args: str, ok: bool = True) -> str:
    res = runner.invoke(app, list(args))
    if ok:
        assert res.exit_code == 0, (args, res.output, res.exception)
    return res.output


def refused(*args: str, real: bool = False) -> str:
    """The refusal's one line. ``real``: run the entry point as users do (a process: one line
    on stderr, exit 2, no traceback); else in-process, where main() would print the
    AlignError's message as that line."""
    if not real:
        from align.exceptions import AlignError

        res = runner.invoke(app, list(args))
        assert isinstance(res.exception, AlignError), (args, res.output, res.exception)
        assert "\n" not in str(res.exception)
        return f"error: {res.exception}"
    done = subprocess.run(
        [sys.executable, "-c", "from align.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "200"},
    )
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


@pytest.fixture
def reviewed(tmp_path: Path) -> Path:
    data = yaml.safe_load((EXAMPLES / "data-analytics.yaml").read_text())
    data["alignments"] = ALIGNMENTS
    f = tmp_path / "da.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    return f


def test_the_whole_review_from_the_command_line(
    reviewed: Path, tmp_path: Path, store_url: str, data_dir: Path
) -> None:
    db = ["--db", store_url]
    run("store", "add-user", "Prof. Chen", "--role", "author", "--department", "Business",
        "--email", "chen@uni.edu", *db)  # fmt: skip
    run("store", "add-user", "Chair Biz", "--role", "chair", "--department",
        "School of Continuing and Professional Studies", *db)  # fmt: skip
    run("store", "add-user", "Dean Park", "--role", "approver", *db)
    run("review", "add-reviewer", "Dr. Ruiz", "--discipline", "business", *db)
    run("review", "add-reviewer", "Dr. Lin", "--discipline", "business", *db)
    out = run("review", "submit", str(reviewed), "--as", "Prof. Chen", *db)
    assert "data-analytics-pt: submitted" in out
    run("review", "sign-off", "data-analytics-pt", "--by", "Chair Biz", *db)
    run("review", "conflict", "Dr. Lin", "--proposal", "data-analytics-pt", "--reason",
        "co-taught the course", *db)  # fmt: skip
    assert "assigned Dr. Ruiz" in run(
        "review", "assign", "data-analytics-pt", "--discipline", "business", *db
    )
    run("review", "rate", str(reviewed), "--reviewer", "Dr. Ruiz", "--rating", "outcomes=3",
        "--rating", "labor_market=1", "--comment", "labor_market=No postings date",
        "--overall", "Strong outcomes; date the demand.", *db)  # fmt: skip
    run("review", "feedback", "data-analytics-pt", "Name the postings period.", *db)
    out = run("review", "decide", "data-analytics-pt", "approved", "--on", TODAY, "--by",
              "Dean Park", "--body", "Faculty Senate", *db)  # fmt: skip
    assert "approved by the Faculty Senate" in out
    rows = {
        r["criterion"]: r
        for r in json.loads(run("review", "summary", "data-analytics-pt", "--format", "json", *db))
    }
    assert rows["labor_market"]["mean_rating"] == 1.0
    assert rows["labor_market"]["comments"] == ["Dr. Ruiz: No postings date"]
    res = runner.invoke(app, ["review", "summary", str(reviewed), *db], env={"COLUMNS": "200"})
    text = res.output
    assert "overall, Dr. Ruiz: Strong outcomes; date the demand." in text  # shown at last
    assert "feedback (" in text and "Name the postings period." in text
    assert "not rated yet: nobody" in text
    assert f"approved on {TODAY} (by Dean Park)" in text
    status = run("review", "status", "data-analytics-pt", "--format", "json", *db)
    assert [s["to_status"] for s in json.loads(status)] == [
        "submitted", "signed-off", "in-review", "feedback-sent", "approved"
    ]  # fmt: skip
    log = json.loads(run("store", "log", "--format", "json", "--limit", "200", *db))
    assert {"submit", "sign-off", "conflict-declared", "review-recorded", "decide"} <= {
        e["action"] for e in log
    }
    assert json.loads(run("store", "info", "--format", "json", *db))["proposals"] == {"approved": 1}

    out_html = tmp_path / "packet.html"
    args = ["evidence", str(reviewed), "--out", str(out_html), *db]
    if find_chromium():
        args += ["--pdf", str(tmp_path / "packet.pdf")]
    run(*args)
    page = out_html.read_text()
    assert "Committee packet: Applied Data Analytics" in page
    for shown in (
        "Faculty Senate",
        "No postings date",
        "Strong outcomes; date the demand.",
        "Ratings by reviewer",
        "recorded by Dean Park",
        "Name the postings period.",
    ):
        assert shown in page, shown  # fmt: skip
    if find_chromium():
        assert (tmp_path / "packet.pdf").read_bytes().startswith(b"%PDF")


def test_refusals_are_one_line(reviewed: Path, tmp_path: Path) -> None:
    db = ["--db", str(tmp_path / "align.sqlite")]
    run("review", "add-reviewer", "Dr. Ruiz", "--discipline", "business", *db)
    run("store", "add-user", "Dean Park", "--role", "approver", *db)
    # a misspelt file is an error, never stored as a proposal id
    line = refused("review", "assign", str(reviewed).replace("da.yaml", "dq.yaml"),
                   "--discipline", "business", *db, real=True)  # fmt: skip
    assert "proposal file" in line and "does not exist" in line
    assert "no proposal 'ipcq' in the store" in refused(
        "review", "rate", "ipcq", "--reviewer", "Dr. Ruiz", "--rating", "outcomes=3", *db
    )
    run("review", "submit", str(reviewed), *db)
    assert "cannot assign reviewers to 'data-analytics-pt': it is 'submitted'" in refused(
        "review", "assign", "data-analytics-pt", "--discipline", "business", *db
    )
    assert "reviewer name is empty" in refused(
        "review", "rate", "data-analytics-pt", "--reviewer", " ", "--rating", "outcomes=3", *db
    )
    assert "is not assigned to review" in refused(
        "review", "rate", "data-analytics-pt", "--reviewer", "Dr. Ruiz", "--rating",
        "outcomes=3", *db,
    )  # fmt: skip
    assert "is empty; give the person's name" in refused(
        "review", "add-reviewer", "  ", "--discipline", "law", *db
    )
    assert "already reviews business" in refused(
        "review", "add-reviewer", "Dr. Ruiz", "--discipline", "law", *db
    )
    assert "in the future" in refused(
        "review", "decide", "data-analytics-pt", "approved", "--on", "2999-01-01", "--by",
        "Dean Park", *db,
    )  # fmt: skip
    assert "not allowed" in refused(
        "review", "sign-off", "data-analytics-pt", "--by", "Dean Park", *db
    )
    res = runner.invoke(app, ["review", "rate", "data-analytics-pt", "--reviewer", "X",
                              "--rating", "outcomes", *db])  # fmt: skip
    assert res.exit_code == 2 and "CRITERION=VALUE" in res.output


def _old_store(path: Path) -> Path:
    run("store", "info", "--db", str(path))
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.mkdir() or p, "is a folder"),
        (lambda p: (p.write_text("hello\n"), p)[1], "is a text file, not an align database"),
        (lambda p: _duckdb(p), "is a DuckDB database"),
        (lambda p: _foreign(p), "a database align did not create"),
        (lambda p: _truncated(p), "is truncated"),
        (lambda p: _damaged(p), "is damaged"),
        (lambda p: _reheaded(p), "not an align database"),
        (lambda p: _old(p), "review database of an earlier align; import it"),
    ],
)
def test_databases_the_store_will_not_open(tmp_path: Path, make, expected: str) -> None:
    from align.exceptions import StoreError

    path = make(tmp_path / "reviews.sqlite")
    before = None if path.is_dir() else path.read_bytes()
    # as users run it: one line, exit 2
    assert expected in refused("review", "summary", "ipcp", "--db", str(path), real=True)
    for args in (["store", "info"], ["review", "add-reviewer", "Dr. X", "--discipline", "law"]):
        res = runner.invoke(app, [*args, "--db", str(path)])
        assert isinstance(res.exception, StoreError) and expected in str(res.exception)
    if before is not None:
        assert path.read_bytes() == before  # nothing added, journal mode unchanged


def _duckdb(p: Path) -> Path:
    import duckdb

    duckdb.connect(str(p)).close()
    return p


def _foreign(p: Path) -> Path:
    with sqlite3.connect(p) as con:
        con.execute("CREATE TABLE grades (student TEXT, grade TEXT)")
    con.close()
    return p


def _filled(p: Path) -> Path:
    from tests.store.test_faults import filled

    return filled(p)


def _truncated(p: Path) -> Path:
    data = _filled(p).read_bytes()
    p.write_bytes(data[: len(data) // 3])
    return p


def _damaged(p: Path) -> Path:
    data = bytearray(_filled(p).read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for n in range(1, len(data) // page):
        data[n * page + 8 : n * page + 40] = b"\xff" * 32
    p.write_bytes(bytes(data))
    return p


def _reheaded(p: Path) -> Path:
    data = bytearray(_filled(p).read_bytes())
    data[:16] = b"Not SQLite at al"
    p.write_bytes(bytes(data))
    return p


def _old(p: Path) -> Path:
    from tests.store.test_import import old_review_db

    return old_review_db(p)


def test_an_old_review_database_imports_from_the_command_line(tmp_path: Path) -> None:
    from tests.store.test_import import old_review_db

    old = old_review_db(tmp_path / "align-reviews.sqlite")
    db = ["--db", str(tmp_path / "align.sqlite")]
    out = run("store", "import", str(old), str(EXAMPLES / "interprofessional-practice.yaml"), *db)
    assert "imported 1 proposal(s)" in out and "ghost-proposal" in out
    assert "Dr. Okafor: no date" in run("review", "summary", "ipcp", "--format", "json", *db)
    assert "already imported" in refused("store", "import", str(old), *db, real=True)


def test_a_lock_held_past_the_timeout_is_one_line(tmp_path: Path) -> None:
    from tests.store.test_faults import filled

    path = filled(tmp_path / "align.sqlite")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        env = {**os.environ, "PYTHONPATH": str(SRC), "ALIGN_DB_TIMEOUT": "0.3"}
        code = "from align.cli import main; main()"
        done = subprocess.run(
            [sys.executable, "-c", code, "review", "add-reviewer", "Dr. X", "--discipline",
             "law", "--db", str(path)],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "is locked by another program (waited 0.3 s" in done.stderr


def test_a_read_only_store_still_answers_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`review summary` on a read-only database (as a user without write access)."""
    from tests.store.test_faults import read_only

    db = tmp_path / "db" / "align.sqlite"
    run("store", "add-user", "Pat", "--role", "author", "--db", str(db))
    run("store", "import", str(EXAMPLES / "interprofessional-practice.yaml"), "--db", str(db))
    before = db.read_bytes()
    with read_only(db, monkeypatch) as how:
        code = (
            "import align.store._db as d; d._writable = lambda p: False; "
            if how == "simulated"
            else ""
        ) + "from align.cli import main; main()"
        env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "200"}
        done = subprocess.run(
            [sys.executable, "-c", code, "review", "summary", "ipcp", "--db", str(db)],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "status: draft" in done.stdout
        write = subprocess.run(
            [sys.executable, "-c", code, "store", "add-user", "Sam", "--db", str(db)],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        assert write.returncode == 2 and "is read-only" in write.stderr
        assert "Traceback" not in write.stderr
    assert db.read_bytes() == before
