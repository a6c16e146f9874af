"""``align store ...``: the store itself: what it holds, people and roles, imports, the log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.cli._app import app, emit, print_frame, print_json, safe
from align.cli.committee import DbOpt, open_store, operator

store_app = typer.Typer(
    help="The store: proposals with versions, people and roles, the audit log; imports.",
    no_args_is_help=True,
)
app.add_typer(store_app, name="store")

RoleOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--role",
        help="author, chair (or dean), office, reviewer, approver, admin (repeatable).",
    ),
]
FmtOpt = Annotated[str, typer.Option("--format", help="table, json or csv.")]


@store_app.command("info")
def info_cmd(
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    db: DbOpt = None,
) -> None:
    """Which database the store is, its schema, and what it holds (opening it migrates it)."""
    with open_store(db) as store:
        info = store.info()
    if fmt == "json":
        print_json(info)
        return
    for key, value in info.items():
        shown = (
            ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
        )
        emit(f"{safe(key)}: {safe(shown if shown != '' else 'none')}", highlight=False)


@store_app.command("upgrade")
def upgrade_cmd(db: DbOpt = None) -> None:
    """Bring the store's schema up to this align (Alembic migrations; safe to repeat)."""
    with open_store(db) as store:
        info = store.info()
    emit(f"{safe(info['database'])}: schema {safe(info['schema'])}", highlight=False)


@store_app.command("import")
def import_cmd(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Proposal files, folders of them (the old dashboard folder), or review "
            "databases of an earlier align (.sqlite)."
        ),
    ],
    author: Annotated[
        str | None, typer.Option("--author", help="Who the imported proposals belong to.")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Bring proposal files and old review databases into the store (old files are only read)."""
    # proposals first: an old review database's records need their proposals
    files = sorted(paths, key=_is_sqlite)
    with open_store(db) as store:
        for path in files:
            if author and path.is_file() and path.suffix.lower() in {".yaml", ".yml", ".json"}:
                rec = store.import_proposal_file(path, actor=operator(), author=author)
                emit(f"imported {safe(rec.id)} (version {rec.version}) from {safe(path)}")
                continue
            emit(safe(store.import_path(path, actor=operator()).describe()), highlight=False)


def _is_sqlite(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        return fh.read(15) == b"SQLite format 3"


@store_app.command("proposals")
def proposals_cmd(
    search: Annotated[str, typer.Option("--search", help="Words in id, title, author.")] = "",
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    fmt: FmtOpt = "table",
    db: DbOpt = None,
) -> None:
    """The proposals in the store, newest change first."""
    with open_store(db) as store:
        df = store.proposals(actor=operator(), search=search, status=status)
    print_frame(df, fmt, title="Proposals", narrow=["id", "title", "author", "status"])


@store_app.command("add-user")
def add_user_cmd(
    name: Annotated[str, typer.Argument(help="The person's name (unique).")],
    role: RoleOpt = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Their sign-in email (single sign-on).")
    ] = None,
    department: Annotated[str, typer.Option("--department", help="Their department.")] = "",
    discipline: Annotated[
        list[str] | None, typer.Option("--discipline", help="What they review (repeatable).")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Add a person with their roles (the first admin of a new deployment is added here)."""
    with open_store(db) as store:
        u = store.add_user(
            name,
            actor=operator(),
            email=email,
            roles=role or ["author"],
            department=department,
            disciplines=discipline or [],
        )
    emit(f"added {safe(u.name)}: {safe(', '.join(sorted(u.roles)))}", highlight=False)


@store_app.command("set-user")
def set_user_cmd(
    name: Annotated[str, typer.Argument(help="The person's name.")],
    role: RoleOpt = None,
    email: Annotated[str | None, typer.Option("--email", help="Their sign-in email.")] = None,
    department: Annotated[
        str | None, typer.Option("--department", help="Their department.")
    ] = None,
    discipline: Annotated[
        list[str] | None, typer.Option("--discipline", help="What they review (repeatable).")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Change a person's roles (all of them: list every role they keep), email, department or
    disciplines."""
    with open_store(db) as store:
        u = store.set_user(
            name,
            actor=operator(),
            roles=role,
            email=email,
            department=department,
            disciplines=discipline,
        )
    emit(f"{safe(u.name)}: {safe(', '.join(sorted(u.roles)))}", highlight=False)


@store_app.command("users")
def users_cmd(
    role: Annotated[str | None, typer.Option("--role", help="Only people with this role.")] = None,
    fmt: FmtOpt = "table",
    db: DbOpt = None,
) -> None:
    """Everyone in the store and their roles."""
    with open_store(db) as store:
        people = store.users(role)
    print_frame(people, fmt, title="People", narrow=["name", "roles", "department"])


@store_app.command("log")
def log_cmd(
    proposal: Annotated[
        str | None, typer.Option("--proposal", help="Only this proposal's entries.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Most recent entries shown.")] = 50,
    fmt: FmtOpt = "table",
    db: DbOpt = None,
) -> None:
    """The audit log (append-only), newest first."""
    with open_store(db) as store:
        df = store.audit_log(actor=operator(), proposal_id=proposal, limit=limit)
    print_frame(df, fmt, title="Audit log", narrow=["at", "actor", "action", "proposal_id"])
