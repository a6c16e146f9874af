"""The review record: reviewers, ratings per criterion, committee feedback, the decision.

Stored in SQLite (default ``align-reviews.sqlite`` in the working folder, or
``ALIGN_REVIEWS_DB``). Every write is one transaction (``BEGIN IMMEDIATE`` ...
``COMMIT``, journal in WAL mode, ``synchronous=FULL``): a reviewer's ratings for
all criteria land together or not at all, even if the process is killed.

The committee gives feedback; it does not approve or deny. The approving
body's decision and its date are recorded separately.

Tables
    ``reviewers``  name, disciplines (comma-separated)
    ``assignments`` proposal_id, reviewer, discipline, assigned_at
    ``reviews``    id, proposal_id, reviewer, submitted_at, comment
    ``ratings``    review_id, criterion, rating, comment
    ``feedback``   id, proposal_id, author, text, created_at
    ``decisions``  id, proposal_id, body, decision, decided_on, note, recorded_at
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from align.committee._rubric import Rubric, load_rubric
from align.exceptions import InvalidArgumentError, UnknownNameError

__all__ = ["DECISIONS", "Decision", "ReviewStore", "default_reviews_path"]

PathLike = str | os.PathLike[str]
#: Decisions the approving body can record.
DECISIONS: dict[str, str] = {
    "approved": "the credential may be offered",
    "approved-with-changes": "approved once the listed changes are made",
    "revise-and-resubmit": "not approved yet; revise and submit again",
    "declined": "not approved",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviewers (
    name TEXT PRIMARY KEY,
    disciplines TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS assignments (
    proposal_id TEXT NOT NULL,
    reviewer TEXT NOT NULL REFERENCES reviewers(name),
    discipline TEXT NOT NULL DEFAULT '',
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, reviewer)
);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    n_ratings INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ratings (
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    criterion TEXT NOT NULL,
    rating INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, criterion)
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id TEXT NOT NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id TEXT NOT NULL,
    body TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL
);
"""


def _records(df: pd.DataFrame) -> list[Any]:
    return list(df.itertuples(index=False))


def default_reviews_path() -> Path:
    """``ALIGN_REVIEWS_DB``, else ``align-reviews.sqlite`` in the working folder."""
    env = os.environ.get("ALIGN_REVIEWS_DB")
    return Path(env).expanduser() if env else Path.cwd() / "align-reviews.sqlite"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Decision:
    """The approving body's decision on a proposal."""

    proposal_id: str
    body: str
    decision: str
    decided_on: str
    note: str
    recorded_at: str


class ReviewStore:
    """The committee's review record in an SQLite file.

    Parameters
    ----------
    path : str or path, optional
        The database file (created if missing; default
        :func:`default_reviews_path`).
    rubric : Rubric or path, optional
        The rubric whose criteria and scale ratings are checked against
        (default rubric when omitted).

    Examples
    --------
    >>> import tempfile, os
    >>> store = ReviewStore(os.path.join(tempfile.mkdtemp(), "r.sqlite"))
    >>> store.add_reviewer("Dr. Lee", ["nursing"])
    >>> store.assign("ipcp", "nursing")
    ['Dr. Lee']
    >>> store.record_review("ipcp", "Dr. Lee", {"outcomes": (3, "clear")})
    1
    >>> row = store.summary("ipcp").iloc[0]
    >>> row["criterion"], int(row["reviews"]), float(row["mean_rating"])
    ('outcomes', 1, 3.0)
    """

    def __init__(self, path: PathLike | None = None, *, rubric: Rubric | PathLike | None = None):
        self.path = Path(path).expanduser() if path is not None else default_reviews_path()
        self.rubric = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"ReviewStore({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA foreign_keys=ON")
            yield con
        finally:
            con.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it commits, or none of it."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _frame(self, sql: str, params: tuple[Any, ...] = ()) -> pd.DataFrame:
        with self._connect() as con:
            cur = con.execute(sql, params)
            cols = [d[0] for d in cur.description]
            return pd.DataFrame(cur.fetchall(), columns=cols)

    # -- reviewers -----------------------------------------------------------
    def add_reviewer(self, name: str, disciplines: list[str] | str) -> None:
        """Add a reviewer (or update the disciplines they review for)."""
        if not name.strip():
            raise InvalidArgumentError("reviewer name is empty; give the reviewer's name.")
        disc = [disciplines] if isinstance(disciplines, str) else list(disciplines)
        text = ",".join(d.strip().lower() for d in disc if d.strip())
        with self._write() as con:
            con.execute(
                "INSERT INTO reviewers(name, disciplines) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET disciplines = excluded.disciplines",
                (name.strip(), text),
            )

    def reviewers(self) -> pd.DataFrame:
        """All reviewers: ``name``, ``disciplines``."""
        return self._frame("SELECT name, disciplines FROM reviewers ORDER BY name")

    def assign(self, proposal_id: str, discipline: str) -> list[str]:
        """Assign every reviewer of ``discipline`` to the proposal; returns their names.

        Raises
        ------
        UnknownNameError
            No reviewer reviews that discipline.
        """
        want = discipline.strip().lower()
        rows: list[Any] = list(self.reviewers().itertuples(index=False))
        names = [
            str(r.name) for r in rows if want in [d for d in str(r.disciplines).split(",") if d]
        ]
        if not names:
            raise UnknownNameError(
                f"no reviewer reviews the discipline {discipline!r}; add one with "
                f"`align review add-reviewer NAME --discipline {want}`."
            )
        when = _now()
        with self._write() as con:
            con.executemany(
                "INSERT OR IGNORE INTO assignments(proposal_id, reviewer, discipline, "
                "assigned_at) VALUES (?, ?, ?, ?)",
                [(proposal_id, n, want, when) for n in names],
            )
        return names

    def assignments(self, proposal_id: str) -> pd.DataFrame:
        """Reviewers assigned to a proposal: ``reviewer``, ``discipline``, ``assigned_at``,
        ``submitted`` (True once they recorded a review)."""
        return self._frame(
            "SELECT a.reviewer, a.discipline, a.assigned_at, "
            "EXISTS(SELECT 1 FROM reviews r WHERE r.proposal_id = a.proposal_id "
            "AND r.reviewer = a.reviewer) AS submitted FROM assignments a "
            "WHERE a.proposal_id = ? ORDER BY a.reviewer",
            (proposal_id,),
        ).astype({"submitted": bool})

    # -- reviews -------------------------------------------------------------
    def record_review(
        self,
        proposal_id: str,
        reviewer: str,
        ratings: Mapping[str, tuple[int | None, str] | int | None],
        *,
        comment: str = "",
    ) -> int:
        """Record one reviewer's ratings and comments, all criteria in one transaction.

        Parameters
        ----------
        proposal_id : str
            The proposal's id.
        reviewer : str
            Who reviews (added as a reviewer without discipline if new).
        ratings : mapping
            Criterion id -> ``(rating, comment)`` or just the rating; a rating
            is a value of the rubric's scale or None (not rated).
        comment : str
            An overall comment.

        Returns
        -------
        int
            The review's id. A later review by the same reviewer supersedes it in
            :meth:`summary`; all are kept.
        """
        if not ratings:
            raise InvalidArgumentError(
                "ratings is empty; give at least one criterion's rating, e.g. "
                "{'outcomes': (3, 'clear and measurable')}."
            )
        rows = []
        for crit, value in ratings.items():
            self.rubric.criterion(crit)
            rating, note = value if isinstance(value, tuple) else (value, "")
            if rating is not None and int(rating) not in self.rubric.scale:
                raise InvalidArgumentError(
                    f"rating {rating!r} for criterion {crit!r} is not on the scale; use one of "
                    + ", ".join(f"{v} ({lb})" for v, lb in self.rubric.scale.items())
                    + "."
                )
            rows.append((crit, None if rating is None else int(rating), str(note or "")))
        with self._write() as con:
            con.execute(
                "INSERT OR IGNORE INTO reviewers(name, disciplines) VALUES (?, '')", (reviewer,)
            )
            cur = con.execute(
                "INSERT INTO reviews(proposal_id, reviewer, submitted_at, comment, n_ratings) "
                "VALUES (?, ?, ?, ?, ?)",
                (proposal_id, reviewer, _now(), comment, len(rows)),
            )
            review_id = int(cur.lastrowid or 0)
            con.executemany(
                "INSERT INTO ratings(review_id, criterion, rating, comment) VALUES (?, ?, ?, ?)",
                [(review_id, *r) for r in rows],
            )
        return review_id

    def reviews(self, proposal_id: str, *, latest: bool = True) -> pd.DataFrame:
        """Ratings of a proposal: ``review_id``, ``reviewer``, ``submitted_at``,
        ``criterion``, ``rating``, ``comment``, ``review_comment`` (each reviewer's latest
        review only, unless ``latest=False``)."""
        sql = (
            "SELECT r.id AS review_id, r.reviewer, r.submitted_at, g.criterion, g.rating, "
            "g.comment, r.comment AS review_comment FROM reviews r JOIN ratings g "
            "ON g.review_id = r.id WHERE r.proposal_id = ?"
        )
        if latest:
            sql += (
                " AND r.id = (SELECT MAX(id) FROM reviews x WHERE x.proposal_id = r.proposal_id "
                "AND x.reviewer = r.reviewer)"
            )
        return self._frame(sql + " ORDER BY r.reviewer, r.id, g.rowid", (proposal_id,))

    def summary(self, proposal_id: str) -> pd.DataFrame:
        """What the office sees: per criterion ``criterion``, ``name``, ``reviews``,
        ``mean_rating``, ``min_rating``, ``max_rating``, ``comments`` (list of
        "reviewer: comment")."""
        r = self.reviews(proposal_id)
        out = []
        for c in self.rubric.criteria:
            mine = r[r["criterion"] == c.id]
            rated = mine["rating"].dropna().astype(float)
            out.append(
                {
                    "criterion": c.id,
                    "name": c.name,
                    "reviews": len(mine),
                    "mean_rating": float(rated.mean()) if len(rated) else None,
                    "min_rating": float(rated.min()) if len(rated) else None,
                    "max_rating": float(rated.max()) if len(rated) else None,
                    "comments": [f"{x.reviewer}: {x.comment}" for x in _records(mine) if x.comment],
                }
            )
        return pd.DataFrame(
            out,
            columns=[
                "criterion",
                "name",
                "reviews",
                "mean_rating",
                "min_rating",
                "max_rating",
                "comments",
            ],
        )

    # -- feedback and decision -----------------------------------------------
    def add_feedback(self, proposal_id: str, text: str, *, author: str = "committee") -> None:
        """Record the committee's feedback (the committee advises; it does not decide)."""
        if not text.strip():
            raise InvalidArgumentError("feedback text is empty; write the committee's feedback.")
        with self._write() as con:
            con.execute(
                "INSERT INTO feedback(proposal_id, author, text, created_at) VALUES (?, ?, ?, ?)",
                (proposal_id, author, text, _now()),
            )

    def feedback(self, proposal_id: str) -> pd.DataFrame:
        """The committee's feedback: ``author``, ``text``, ``created_at``."""
        return self._frame(
            "SELECT author, text, created_at FROM feedback WHERE proposal_id = ? ORDER BY id",
            (proposal_id,),
        )

    def record_decision(
        self,
        proposal_id: str,
        decision: str,
        decided_on: date | str,
        *,
        body: str = "approving body",
        note: str = "",
    ) -> Decision:
        """Record the approving body's decision and its date.

        ``decision`` is one of :data:`DECISIONS`; ``decided_on`` a date
        (``2026-12-01``).
        """
        if decision not in DECISIONS:
            raise InvalidArgumentError(f"decision={decision!r}; expected one of {list(DECISIONS)}.")
        try:
            day = decided_on if isinstance(decided_on, date) else date.fromisoformat(decided_on)
        except ValueError:
            raise InvalidArgumentError(
                f"decided_on={decided_on!r} is not a date; write it like 2026-12-01."
            ) from None
        rec = Decision(proposal_id, body, decision, day.isoformat(), note, _now())
        with self._write() as con:
            con.execute(
                "INSERT INTO decisions(proposal_id, body, decision, decided_on, note, "
                "recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    rec.proposal_id,
                    rec.body,
                    rec.decision,
                    rec.decided_on,
                    rec.note,
                    rec.recorded_at,
                ),
            )
        return rec

    def decision(self, proposal_id: str) -> Decision | None:
        """The latest recorded decision, or None."""
        df = self._frame(
            "SELECT proposal_id, body, decision, decided_on, note, recorded_at FROM decisions "
            "WHERE proposal_id = ? ORDER BY id DESC LIMIT 1",
            (proposal_id,),
        )
        if df.empty:
            return None
        return Decision(**{str(k): str(v) for k, v in df.iloc[0].to_dict().items()})
