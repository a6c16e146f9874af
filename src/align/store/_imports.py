"""Bringing what align kept before the store into it: proposal files and old review databases.

A proposal file becomes a stored proposal (a new version when the store already
has it). A review database of an earlier align (``align-reviews.sqlite``) is read
through a read-only connection, never changed, and its reviewers, assignments,
ratings, feedback and decisions join the store in one transaction; importing the
same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from align.exceptions import InvalidArgumentError, ProposalError, StoreError
from align.proposals import load_proposal
from align.store._db import OLD_REVIEW_TABLES, _check_header, audit, explain, now
from align.store._proposals import ProposalRecord
from align.store._record import Record
from align.store._roles import User, require_role
from align.store._schema import MARKER, tables

__all__ = ["ImportSummary", "Imports"]

PathLike = str | os.PathLike[str]
_T = tables
#: How an old decision moves the proposal's status.
_OLD_DECISION_STATUS = {
    "approved": "approved",
    "approved-with-changes": "approved-with-changes",
    "declined": "declined",
    "revise-and-resubmit": "returned",
}
_ORDER = ["draft", "submitted", "returned", "signed-off", "in-review", "feedback-sent"]
PROPOSAL_SUFFIXES = {".yaml", ".yml", ".json"}


@dataclass(frozen=True)
class ImportSummary:
    """What one import brought in.

    Attributes
    ----------
    source : str
        The file or folder imported.
    kind : str
        ``proposals`` or ``review-database``.
    proposals : list of str
        Ids of the proposals created or updated (or whose review record was imported).
    counts : dict
        Rows imported per kind (reviewers, assignments, reviews, feedback, decisions).
    skipped : list of str
        What was left out, and why.
    """

    source: str
    kind: str
    proposals: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line saying what was imported."""
        parts = [f"{len(self.proposals)} proposal(s)"]
        parts += [f"{n} {k}" for k, n in self.counts.items() if n]
        text = f"imported {', '.join(parts)} from {self.source}"
        if self.skipped:
            text += f"; skipped {len(self.skipped)}: " + "; ".join(self.skipped)
        return text


def _read_old(path: Path) -> dict[str, list[dict[str, Any]]]:
    label = f"'{path}'"
    if path.is_dir():
        raise StoreError(f"{label} is a folder, not a review database.")
    _check_header(path, label)
    try:
        con = sqlite3.connect(f"file:{path.absolute().as_posix()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise explain(exc, label, "opening it", 30) from None
    con.row_factory = sqlite3.Row
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "align_meta" in names:
            row = con.execute("SELECT value FROM align_meta WHERE key = ?", (MARKER[0],)).fetchone()
            if row is not None and row[0] == MARKER[1]:
                raise StoreError(
                    f"{label} is already an align store, not an old review database; open it "
                    "with --db (or ALIGN_DATABASE_URL)."
                )
        if not names >= OLD_REVIEW_TABLES:
            raise StoreError(
                f"{label} is not a review database of an earlier align (it lacks the tables "
                f"{sorted(OLD_REVIEW_TABLES - names)})."
            )
        out = {}
        for t in ("reviewers", "assignments", "reviews", "ratings", "feedback", "decisions"):
            out[t] = (
                [dict(r) for r in con.execute(f"SELECT * FROM {t} ORDER BY rowid")]
                if t in names
                else []
            )
        return out
    except sqlite3.Error as exc:
        raise explain(exc, label, "reading it", 30) from None
    finally:
        con.close()


class Imports(Record):
    """Part of :class:`~align.store.Store`: importing proposal files and old review databases."""

    def import_proposal_file(
        self, path: PathLike, *, actor: User | str, author: str | None = None
    ) -> ProposalRecord:
        """Store a proposal file: a new draft, or a new version of the stored one with its id."""
        p = load_proposal(path)
        with self._db.read() as conn:
            exists = conn.execute(
                select(_T.proposals.c.version).where(_T.proposals.c.id == p.id)
            ).scalar()
        note = f"imported from {Path(path).name}"
        if exists is None:
            return self.create_proposal(p, actor=actor, author=author, comment=note)
        return self.save_proposal(p, actor=actor, expected_version=int(exists), comment=note)

    def import_path(self, path: PathLike, *, actor: User | str) -> ImportSummary:
        """Import a proposal file, a folder of them, or an old review database."""
        src = Path(path).expanduser()
        if src.is_dir():
            done, skipped = [], []
            for f in sorted(src.rglob("*")):
                if not f.is_file() or f.suffix.lower() not in PROPOSAL_SUFFIXES:
                    continue
                try:
                    done.append(self.import_proposal_file(f, actor=actor).id)
                except ProposalError as exc:
                    skipped.append(f"{f.relative_to(src)}: {str(exc).splitlines()[0]}")
            return ImportSummary(str(src), "proposals", done, {}, skipped)
        if not src.exists():
            raise InvalidArgumentError(f"'{src}' does not exist; check the path.")
        with src.open("rb") as fh:
            head = fh.read(16)
        if head.startswith(b"SQLite format 3"):
            return self.import_review_database(src, actor=actor)
        if src.suffix.lower() not in PROPOSAL_SUFFIXES:
            raise InvalidArgumentError(
                f"'{src}' is neither a proposal file (.yaml, .yml, .json), a folder of them, nor "
                "a review database (.sqlite)."
            )
        rec = self.import_proposal_file(src, actor=actor)
        return ImportSummary(str(src), "proposals", [rec.id])

    def import_review_database(self, path: PathLike, *, actor: User | str) -> ImportSummary:
        """Import an earlier align's review database (read-only; never changed).

        Records of proposals the store does not have are skipped and listed: import
        their proposal files first, then the database again.
        """
        src = Path(path).expanduser()
        old = _read_old(src)
        digest = hashlib.sha256(src.read_bytes()).hexdigest()
        with self._db.write("importing the review database") as conn:
            who = self._actor(conn, actor)
            require_role(who, ("office",), "import review databases")
            done_at = conn.execute(
                select(_T.imports.c.imported_at).where(_T.imports.c.digest == digest)
            ).scalar()
            if done_at is not None:
                raise InvalidArgumentError(
                    f"'{src}' was already imported on {done_at}; importing it again would "
                    "count its reviews twice."
                )
            known = set(conn.execute(select(_T.proposals.c.id)).scalars())
            ids = {
                str(r["proposal_id"])
                for t in ("assignments", "reviews", "feedback", "decisions")
                for r in old[t]
            }
            skipped = sorted(ids - known)
            keep = ids & known
            counts = {"reviewers": self._import_reviewers(conn, old)}
            counts.update(self._import_records(conn, old, keep, who.name))
            for pid in sorted(keep):
                self._import_status(conn, pid, old, who.name)
            summary = ImportSummary(
                str(src),
                "review-database",
                sorted(keep),
                counts,
                [f"{pid}: not in the store (import its proposal file first)" for pid in skipped],
            )
            conn.execute(
                insert(_T.imports).values(
                    digest=digest,
                    source=str(src),
                    kind="review-database",
                    imported_at=now(),
                    actor=who.name,
                    summary=summary.describe(),
                )
            )
            audit(conn, who.name, "review-database-imported", None, source=str(src), **counts)
        return summary

    def _import_reviewers(self, conn: Connection, old: dict[str, list[dict[str, Any]]]) -> int:
        names = {str(r["name"]): str(r.get("disciplines") or "") for r in old["reviewers"]}
        for r in old["reviews"]:
            names.setdefault(str(r["reviewer"]), "")
        for name, disc in names.items():
            want = [d.strip().lower() for d in disc.split(",") if d.strip()]
            row = conn.execute(select(_T.users).where(_T.users.c.name == name)).first()
            if row is None:
                conn.execute(
                    insert(_T.users).values(
                        name=name, roles="reviewer", disciplines=",".join(want), created_at=now()
                    )
                )
                continue
            u = User.from_row(row)
            conn.execute(
                update(_T.users)
                .where(_T.users.c.name == name)
                .values(
                    roles=",".join(sorted(u.roles | {"reviewer"})),
                    disciplines=",".join(dict.fromkeys([*u.disciplines, *want])),
                )
            )
        return len(names)

    def _import_records(
        self, conn: Connection, old: dict[str, list[dict[str, Any]]], keep: set[str], who: str
    ) -> dict[str, int]:
        counts = {"assignments": 0, "reviews": 0, "feedback": 0, "decisions": 0}
        a = _T.assignments
        for r in old["assignments"]:
            pid = str(r["proposal_id"])
            if (
                pid not in keep
                or conn.execute(
                    select(a.c.reviewer).where(
                        a.c.proposal_id == pid, a.c.reviewer == r["reviewer"]
                    )
                ).first()
            ):
                continue
            conn.execute(
                insert(a).values(
                    proposal_id=pid,
                    reviewer=str(r["reviewer"]),
                    discipline=str(r.get("discipline") or ""),
                    assigned_by=who,
                    assigned_at=str(r.get("assigned_at") or now()),
                )
            )
            counts["assignments"] += 1
        versions = dict(conn.execute(select(_T.proposals.c.id, _T.proposals.c.version)).all())
        ratings: dict[Any, list[dict[str, Any]]] = {}
        for g in old["ratings"]:
            ratings.setdefault(g["review_id"], []).append(g)
        for r in old["reviews"]:
            pid = str(r["proposal_id"])
            if pid not in keep:
                continue
            mine = ratings.get(r["id"], [])
            res = conn.execute(
                insert(_T.reviews).values(
                    proposal_id=pid,
                    reviewer=str(r["reviewer"]),
                    proposal_version=int(versions[pid]),
                    submitted_at=str(r["submitted_at"]),
                    comment=str(r.get("comment") or ""),
                    n_ratings=len(mine),
                )
            )
            new_id = int(res.inserted_primary_key[0])  # type: ignore[index]
            if mine:
                conn.execute(
                    insert(_T.ratings),
                    [
                        {
                            "review_id": new_id,
                            "criterion": str(g["criterion"]),
                            "position": i,
                            "rating": g["rating"],
                            "comment": str(g.get("comment") or ""),
                        }
                        for i, g in enumerate(mine)
                    ],
                )
            counts["reviews"] += 1
        for f in old["feedback"]:
            if str(f["proposal_id"]) in keep:
                conn.execute(
                    insert(_T.feedback).values(
                        proposal_id=str(f["proposal_id"]),
                        author=str(f["author"]),
                        text=str(f["text"]),
                        created_at=str(f["created_at"]),
                    )
                )
                counts["feedback"] += 1
        for d in old["decisions"]:
            if str(d["proposal_id"]) in keep:
                conn.execute(
                    insert(_T.decisions).values(
                        proposal_id=str(d["proposal_id"]),
                        decision=str(d["decision"]),
                        decided_on=str(d["decided_on"]),
                        decided_by=f"imported ({who})",
                        body=str(d.get("body") or ""),
                        note=str(d.get("note") or ""),
                        recorded_at=str(d["recorded_at"]),
                    )
                )
                counts["decisions"] += 1
        return counts

    def _import_status(
        self, conn: Connection, pid: str, old: dict[str, list[dict[str, Any]]], who: str
    ) -> None:
        """Move the proposal to where its old record left it (never backwards)."""
        mine = {
            t: [r for r in old[t] if str(r["proposal_id"]) == pid]
            for t in ("decisions", "feedback")
        }
        if mine["decisions"]:
            last = str(mine["decisions"][-1]["decision"])
            target = _OLD_DECISION_STATUS.get(last, "feedback-sent")
        elif mine["feedback"]:
            target = "feedback-sent"
        else:
            target = "in-review"
        row = conn.execute(select(_T.proposals).where(_T.proposals.c.id == pid)).one()
        current = str(row.status)
        behind = target in _ORDER and _ORDER.index(target) <= _ORDER.index(current)
        if current not in _ORDER or behind:
            return
        conn.execute(
            update(_T.proposals)
            .where(_T.proposals.c.id == pid)
            .values(status=target, updated_at=now())
        )
        conn.execute(
            insert(_T.transitions).values(
                proposal_id=pid,
                step="import",
                from_status=current,
                to_status=target,
                actor=who,
                at=now(),
                comment="review record imported from an earlier align",
            )
        )
        audit(conn, who, "import", pid, status=target)
