"""Proposal files and an earlier align's review database import into the store."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from align.exceptions import InvalidArgumentError, StoreError
from align.store import Store, User

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
OP = User.operator("tests")

#: The review database an earlier align (``ReviewStore`` before the store) wrote.
OLD_SCHEMA = """
CREATE TABLE reviewers (name TEXT PRIMARY KEY, disciplines TEXT NOT NULL DEFAULT '');
CREATE TABLE assignments (proposal_id TEXT NOT NULL, reviewer TEXT NOT NULL REFERENCES
  reviewers(name), discipline TEXT NOT NULL DEFAULT '', assigned_at TEXT NOT NULL,
  PRIMARY KEY (proposal_id, reviewer));
CREATE TABLE reviews (id INTEGER PRIMARY KEY AUTOINCREMENT, proposal_id TEXT NOT NULL,
  reviewer TEXT NOT NULL, submitted_at TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '',
  n_ratings INTEGER NOT NULL);
CREATE TABLE ratings (review_id INTEGER NOT NULL REFERENCES reviews(id), criterion TEXT NOT NULL,
  rating INTEGER, comment TEXT NOT NULL DEFAULT '', PRIMARY KEY (review_id, criterion));
CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, proposal_id TEXT NOT NULL,
  author TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, proposal_id TEXT NOT NULL,
  body TEXT NOT NULL, decision TEXT NOT NULL, decided_on TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '', recorded_at TEXT NOT NULL);
"""


def old_review_db(path: Path) -> Path:
    """An old review database: two proposals reviewed, one decided, one unknown id."""
    con = sqlite3.connect(path)
    con.executescript(OLD_SCHEMA)
    con.executemany(
        "INSERT INTO reviewers VALUES (?, ?)",
        [("Dr. Okafor", "nursing,public health"), ("Prof. Lin", "nursing")],
    )
    con.executemany(
        "INSERT INTO assignments VALUES (?, ?, 'nursing', '2026-01-02T10:00:00+00:00')",
        [
            ("ipcp", "Dr. Okafor"),
            ("ipcp", "Prof. Lin"),
            ("ghost-proposal", "Prof. Lin"),
        ],
    )
    con.execute(
        "INSERT INTO reviews VALUES (1, 'ipcp', 'Dr. Okafor', "
        "'2026-01-03T10:00:00+00:00', 'strong overall', 2)"
    )
    con.executemany(
        "INSERT INTO ratings VALUES (1, ?, ?, ?)",
        [("outcomes", 3, "clear"), ("labor_market", 1, "no date")],
    )
    con.execute(
        "INSERT INTO feedback VALUES (1, 'ipcp', 'committee', "
        "'Add the postings period.', '2026-01-04T10:00:00+00:00')"
    )
    con.execute(
        "INSERT INTO decisions VALUES (1, 'ipcp', 'Faculty Senate', "
        "'approved-with-changes', '2026-01-05', 'add period', '2026-01-05T12:00:00+00:00')"
    )
    con.commit()
    con.close()
    return path


def test_proposal_files_and_folders_import(store_url: str, tmp_path: Path) -> None:
    store = Store(store_url)
    folder = tmp_path / "dashboard"
    shutil.copytree(EXAMPLES / "ipcp", folder)
    (folder / "broken.yaml").write_text("title: [unclosed\n")
    done = store.import_path(folder, actor=OP)
    assert len(done.proposals) == 3 and len(done.skipped) == 1
    assert "broken.yaml" in done.skipped[0]
    p = store.load_proposal(done.proposals[0], actor=OP)
    assert p.outcomes and store.proposal(p.id, actor=OP).status == "draft"
    # the same files again: nothing changes (unchanged text is no new version)
    again = store.import_path(folder, actor=OP)
    assert sorted(again.proposals) == sorted(done.proposals)
    assert all(store.proposal(i, actor=OP).version == 1 for i in done.proposals)
    store.close()


def test_an_old_review_database_imports_once_and_is_never_changed(
    store_url: str, tmp_path: Path
) -> None:
    store = Store(store_url)
    old = old_review_db(tmp_path / "align-reviews.sqlite")
    before = hashlib.sha256(old.read_bytes()).hexdigest()
    store.import_path(EXAMPLES / "interprofessional-practice.yaml", actor=OP)
    summary = store.import_path(old, actor=OP)
    assert summary.kind == "review-database"
    assert summary.proposals == ["ipcp"]
    assert summary.counts == {
        "reviewers": 2,
        "assignments": 2,
        "reviews": 1,
        "feedback": 1,
        "decisions": 1,
    }
    assert "ghost-proposal" in summary.skipped[0] and "import its proposal file" in (
        summary.describe()
    )
    pid = "ipcp"
    assert store.proposal(pid, actor=OP).status == "approved-with-changes"
    assert store.user("Dr. Okafor").disciplines == ("nursing", "public health")
    s = store.review_summary(pid, actor=OP).set_index("criterion")
    assert s.loc["outcomes", "mean_rating"] == 3.0
    assert s.loc["labor_market", "comments"] == ["Dr. Okafor: no date"]
    d = store.decision(pid, actor=OP)
    assert (d.decision, d.body, d.decided_on) == (
        "approved-with-changes",
        "Faculty Senate",
        "2026-01-05",
    )
    assert store.history(pid, actor=OP)["step"].tolist() == ["import"]
    with pytest.raises(InvalidArgumentError, match="already imported"):
        store.import_path(old, actor=OP)
    assert hashlib.sha256(old.read_bytes()).hexdigest() == before
    store.close()


def test_a_store_is_not_imported_as_an_old_database(tmp_path: Path) -> None:
    Store(tmp_path / "a.sqlite").close()
    store = Store(tmp_path / "b.sqlite")
    with pytest.raises(StoreError, match="already an align store"):
        store.import_path(tmp_path / "a.sqlite", actor=OP)
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        store.import_path(tmp_path / "missing.sqlite", actor=OP)
    store.close()
