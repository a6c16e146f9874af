"""``kill -9`` in the middle of a write loses nothing and half-writes nothing, on both backends.

A writer process saves proposal versions and records reviews (every rubric criterion
in one transaction) in a loop and says when each one committed; the test kills it
with SIGKILL either while a transaction is pending (everything inserted, nothing
committed) or right after a commit, then checks the store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from align.committee import load_rubric
from align.store import Store
from tests.store.conftest import Cast, to_review

SRC = Path(__file__).resolve().parents[2] / "src"

_WRITER = textwrap.dedent(
    """
    import sys, time
    from contextlib import contextmanager
    sys.path.insert(0, {src!r})
    import align.store._db as db
    from align.committee import load_rubric
    from align.store import Store

    plain = db.Database.write

    @contextmanager
    def slow(self, doing="saving"):
        with plain(self, doing) as conn:
            yield conn
            # everything is written, nothing committed yet: say so, then linger
            print("pending", flush=True)
            time.sleep({pause})

    db.Database.write = slow
    store = Store({url!r})
    crit = [c.id for c in load_rubric().criteria]
    version = store.proposal({pid!r}, actor="Olga Office").version
    n = 0
    while True:
        n += 1
        p = store.load_proposal({pid!r}, actor="Olga Office")
        p.description = f"edit {{n}} " + "x" * 2000
        version = store.save_proposal(p, actor="Olga Office", expected_version=version).version
        store.record_review({pid!r}, {{c: (n % 4, f"comment {{n}} on {{c}}") for c in crit}},
                            actor="Rev Okafor", comment="y" * 2000)
        print(f"committed {{n}} {{version}}", flush=True)
    """
)


def _run_and_kill(url: str, pid: str, pause: float, kill_on: str) -> tuple[int, int]:
    """Start a writer, SIGKILL it when it prints ``kill_on``; return the last committed
    loop count and proposal version."""
    code = _WRITER.format(src=str(SRC), url=url, pid=pid, pause=pause)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    committed, version = 0, 0
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith("committed"):
                committed, version = (int(x) for x in line.split()[1:3])
            if kill_on in line and committed >= 3:
                os.kill(proc.pid, signal.SIGKILL)
                break
            if time.monotonic() > deadline:
                pytest.fail("the writer did not get going within 120 s")
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return committed, version


@pytest.mark.parametrize(("pause", "kill_on"), [(0.3, "pending"), (0.0, "committed")])
def test_nothing_is_lost_or_half_written_after_kill_9(
    cast: Cast, store_url: str, pause: float, kill_on: str
) -> None:
    pid = to_review(cast)
    cast.store.close()
    committed, version = _run_and_kill(store_url, pid, pause, kill_on)
    store = Store(store_url)  # reopens normally
    office = store.user("Olga Office")
    reviews = store.reviews(pid, actor=office, latest=False)
    per_review = reviews.groupby("review_id").size()
    n_crit = len(load_rubric().criteria)
    # nothing lost: every review and version the writer saw committed is there ...
    assert per_review.size >= committed
    assert store.proposal(pid, actor=office).version >= version
    # ... and nothing half-written: each review has all its ratings, each version its text
    assert (per_review == n_crit).all()
    versions = store.versions(pid, actor=office)
    assert versions["version"].tolist() == list(range(len(versions), 0, -1))
    for v in versions["version"].head(3):
        assert store.load_proposal(pid, actor=office, version=int(v)).outcomes
    if kill_on == "pending":  # the transaction in flight rolled back entirely
        assert per_review.size == committed
        assert store.proposal(pid, actor=office).version == version
    if store.backend == "sqlite":
        import sqlite3

        with sqlite3.connect(store_url) as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store.close()
