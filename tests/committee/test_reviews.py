"""The review record in SQLite: assignment, ratings, summary, feedback, decision, crash safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from align.committee import ReviewStore
from align.exceptions import InvalidArgumentError, UnknownNameError

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def store(tmp_path: Path) -> ReviewStore:
    s = ReviewStore(tmp_path / "reviews.sqlite")
    s.add_reviewer("Dr. Okafor", ["nursing", "public health"])
    s.add_reviewer("Prof. Lin", "Nursing")
    s.add_reviewer("Dr. Ruiz", ["business"])
    return s


def test_reviewers_are_assigned_by_discipline(store: ReviewStore) -> None:
    assert store.assign("ipcp", "nursing") == ["Dr. Okafor", "Prof. Lin"]
    assert store.assign("ipcp", "nursing") == ["Dr. Okafor", "Prof. Lin"]  # idempotent
    a = store.assignments("ipcp")
    assert list(a["reviewer"]) == ["Dr. Okafor", "Prof. Lin"] and not a["submitted"].any()
    with pytest.raises(UnknownNameError, match="add-reviewer"):
        store.assign("ipcp", "astronomy")


def test_ratings_summary_feedback_and_decision(store: ReviewStore) -> None:
    store.assign("ipcp", "nursing")
    store.record_review(
        "ipcp", "Dr. Okafor", {"outcomes": (3, "clear"), "labor_market": (1, "no date")}
    )
    store.record_review("ipcp", "Prof. Lin", {"outcomes": 2, "labor_market": (None, "")})
    # a second review by the same reviewer supersedes the first in the summary
    store.record_review("ipcp", "Dr. Okafor", {"outcomes": (2, "on reflection"), "labor_market": 1})
    s = store.summary("ipcp").set_index("criterion")
    assert s.loc["outcomes", "reviews"] == 2
    assert s.loc["outcomes", "mean_rating"] == 2.0
    assert s.loc["outcomes", "comments"] == ["Dr. Okafor: on reflection"]
    assert s.loc["labor_market", "mean_rating"] == 1.0  # "not rated" is left out of the mean
    assert s.loc["partners", "reviews"] == 0 and pd.isna(s.loc["partners", "mean_rating"])
    assert len(store.reviews("ipcp", latest=False)) == 6
    assert store.assignments("ipcp")["submitted"].all()

    store.add_feedback("ipcp", "Name the postings source and its date.")
    assert store.feedback("ipcp")["text"].tolist() == ["Name the postings source and its date."]
    assert store.decision("ipcp") is None
    d = store.record_decision("ipcp", "approved-with-changes", "2026-12-04", body="Faculty Senate")
    assert store.decision("ipcp") == d
    assert (d.decision, d.decided_on, d.body) == (
        "approved-with-changes",
        "2026-12-04",
        "Faculty Senate",
    )


def test_bad_input_says_what_to_do(store: ReviewStore) -> None:
    with pytest.raises(InvalidArgumentError, match="not in the rubric"):
        store.record_review("ipcp", "Dr. Ruiz", {"vibes": 3})
    with pytest.raises(InvalidArgumentError, match=r"3 \(Strong\)"):
        store.record_review("ipcp", "Dr. Ruiz", {"outcomes": 7})
    with pytest.raises(InvalidArgumentError, match="empty"):
        store.record_review("ipcp", "Dr. Ruiz", {})
    with pytest.raises(InvalidArgumentError, match="approved"):
        store.record_decision("ipcp", "maybe", "2026-12-01")
    with pytest.raises(InvalidArgumentError, match="2026-12-01"):
        store.record_decision("ipcp", "approved", "next Tuesday")
    with pytest.raises(InvalidArgumentError, match="empty"):
        store.add_feedback("ipcp", "  ")
    assert store.reviews("ipcp").empty  # nothing half-written by the refused calls


def test_a_failed_write_leaves_nothing(store: ReviewStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # the ratings insert fails after the review row was inserted: the transaction rolls back
    with pytest.raises(sqlite3.IntegrityError), store._write() as con:
        con.execute(
            "INSERT INTO reviews(proposal_id, reviewer, submitted_at, comment, n_ratings) "
            "VALUES ('ipcp', 'Dr. Ruiz', 'now', '', 2)"
        )
        con.execute("INSERT INTO ratings(review_id, criterion) VALUES (999, NULL)")
    assert store.reviews("ipcp", latest=False).empty
    with sqlite3.connect(store.path) as con:
        assert con.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)


_WRITER = textwrap.dedent(
    """
    import sys, time
    from contextlib import contextmanager
    sys.path.insert(0, {src!r})
    from align.committee import ReviewStore, load_rubric

    class Slow(ReviewStore):
        @contextmanager
        def _write(self):
            with super()._write() as con:
                yield con
                # everything is inserted, nothing committed yet: say so, then linger
                print("pending", flush=True)
                time.sleep({pause})

    store = Slow({db!r})
    crit = [c.id for c in load_rubric().criteria]
    n = 0
    while True:
        n += 1
        store.record_review("p1", f"reviewer {{n % 5}}",
                            {{c: (n % 4, f"comment {{n}} on {{c}}") for c in crit}},
                            comment="x" * 2000)
        print(f"committed {{n}}", flush=True)
    """
)


def _run_and_kill(db: Path, pause: float, kill_on: str) -> int:
    """Start a writer, SIGKILL it when it prints ``kill_on``; return the last committed count."""
    code = _WRITER.format(src=str(SRC), db=str(db), pause=pause)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    committed = 0
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith("committed"):
                committed = int(line.split()[1])
            if kill_on in line and committed >= 3:
                os.kill(proc.pid, signal.SIGKILL)
                break
            if time.monotonic() > deadline:
                pytest.fail("the writer did not get going within 60 s")
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return committed


@pytest.mark.parametrize("pause, kill_on", [(0.3, "pending"), (0.0, "committed")])
def test_reviews_survive_a_kill_mid_write(tmp_path: Path, pause: float, kill_on: str) -> None:
    db = tmp_path / "kill.sqlite"
    ReviewStore(db)  # create the schema before the writer starts
    committed = _run_and_kill(db, pause, kill_on)
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        reviews = con.execute("SELECT id, n_ratings FROM reviews").fetchall()
        counts = dict(con.execute("SELECT review_id, COUNT(*) FROM ratings GROUP BY review_id"))
        orphans = con.execute(
            "SELECT COUNT(*) FROM ratings WHERE review_id NOT IN (SELECT id FROM reviews)"
        ).fetchone()
    assert orphans == (0,)
    # nothing lost: every review the writer saw committed is there ...
    assert len(reviews) >= committed
    # ... and nothing half-written: each review has all of its ratings
    assert all(counts.get(rid) == n for rid, n in reviews)
    if kill_on == "pending":
        assert len(reviews) == committed  # the one in flight rolled back entirely
    store = ReviewStore(db)  # reopens and reads normally
    assert store.summary("p1")["reviews"].sum() > 0
