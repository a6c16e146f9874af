"""Who is using the dashboard, and the proposal they have open.

Sign-in
    With an ``[auth]`` section in ``.streamlit/secrets.toml`` the dashboard signs people
    in with Streamlit's ``st.login`` (OpenID Connect: the university's single sign-on)
    and recognises them in the store by their email; a signed-out visitor sees only
    the sign-in page. Without it, the dashboard runs in **single-user local mode**:
    no sign-in, the local user holds every role (and may act as anyone in the store to
    try each role's path), and only visitors on this computer are served.

The open proposal
    Proposals live in the store (:class:`align.store.Store`; SQLite by default,
    PostgreSQL with ``ALIGN_DATABASE_URL``): every save is a new version, made on the
    version this session read. If someone saved since, :class:`SaveConflict` is
    raised and the page asks (reload, or save over it as a newer version). The page
    URL carries ``?proposal=<id>``, so a reload opens the same proposal, and a
    proposal the person may not see answers "not allowed"; the store also remembers
    each person's last opened proposal, which reopens after they sign in again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import align
from align.exceptions import EditConflictError, NotAllowedError, ProposalError, UnknownNameError
from align.store import LOCAL_USER, Store, User

#: Largest proposal, stack or policy file the dashboard accepts.
MAX_UPLOAD_BYTES = 1024 * 1024
UPLOAD_TYPES = ("yaml", "yml", "json")
REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"


class SaveConflict(Exception):
    """Someone saved the proposal since this session read it."""


class UploadError(ProposalError):
    """An uploaded file is too large, not text, or not a YAML/JSON file."""


# == the store and the person ======================================================
@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The store, opened once per server (``ALIGN_DATABASE_URL`` or the default file)."""
    return Store(os.environ.get("ALIGN_DATABASE_URL") or None)


def sso_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section (sign-in with SSO)."""
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:
        return False


def login_provider() -> str | None:
    """The provider to pass to ``st.login``: None for a single ``[auth]`` provider, else
    the first ``[auth.<name>]`` section."""
    auth = st.secrets["auth"]
    if "client_id" in auth:
        return None
    named = [k for k, v in auth.items() if hasattr(v, "keys") and "client_id" in v]
    return named[0] if named else None


def local_visitor() -> bool:
    """Is the visitor on this computer? (Single-user local mode serves no one else.)"""
    ip = st.context.ip_address
    if not isinstance(ip, str) or not ip:
        return True  # no network peer: a test harness, or Streamlit's own machinery
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def me() -> User | None:
    """The person using this session, as the store knows them now (roles re-read on every
    run), or None: signed out, or not on this computer in local mode."""
    if sso_configured():
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "")
        return store().sign_in(email, str(st.user.get("name") or ""))
    if not local_visitor():
        return None
    base = store().local_user()
    acting = st.session_state.get("act_as")
    if acting and acting != base.name:
        try:
            return store().user(str(acting))
        except UnknownNameError:
            st.session_state.pop("act_as", None)
    return base


def person() -> User:
    """The person (pages run only when someone is signed in; app.py sees to that)."""
    who = me()
    if who is None:
        st.stop()
    assert who is not None
    return who


def without_server_paths(text: str) -> str:
    """A message as a visitor may read it: the server's folders and database named by role
    (a library message names the file it could not read, which helps on the command line
    and would show a visitor the server's layout)."""
    from align._config import cache_dir, data_dir

    places = {
        store().label.strip("'"): "the dashboard's database",
        str(data_dir()): "the server's data folder",
        str(cache_dir()): "the server's cache folder",
        str(REPO): "the dashboard's folder",
        tempfile.gettempdir(): "a temporary folder",
        str(Path.home()): "the server's home folder",
    }
    for place, name in sorted(places.items(), key=lambda kv: -len(kv[0])):
        if len(place) > 1:
            text = text.replace(place, name)
    return text


# == the open proposal ================================================================
def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Working:
    """The proposal open in this session: its fields, reviewed alignments and stored version."""

    proposal: align.Proposal
    alignments: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0
    status: str = ""
    author: str = ""
    editable: bool = True

    @property
    def key(self) -> str:
        return self.proposal.id

    def full(self) -> align.Proposal:
        """The proposal with its reviewed alignments, validated by the library."""
        data = {**self.proposal.to_dict(), "alignments": self.alignments}
        return align.load_proposal(data)

    def text(self) -> str:
        return self.full().to_yaml()

    @property
    def digest(self) -> str:
        """The content's hash: sessions with the same text share one score."""
        return _digest(self.text())


def _alignments(p: align.Proposal) -> list[dict[str, Any]]:
    return [a.model_dump(mode="json") for a in p.alignments]


def open_proposal(pid: str) -> Working:
    """Read a stored proposal as the person may see it (NotAllowedError otherwise)."""
    who = person()
    s = store()
    rec = s.proposal(pid, actor=who)
    p = s.load_proposal(pid, actor=who)
    return Working(
        p,
        _alignments(p),
        rec.version,
        rec.status,
        rec.author,
        s.can_edit(pid, actor=who),
    )


def current() -> Working | None:
    """The proposal open in this session, restored from ``?proposal=`` after a reload."""
    w = st.session_state.get("working")
    if w is not None:
        return w
    key = st.query_params.get("proposal")
    if key:
        try:
            w = open_proposal(key)
        except (NotAllowedError, UnknownNameError) as exc:
            st.session_state["open_error"] = str(exc)
            st.query_params.pop("proposal", None)
            return None
        _set(w)
        return w
    if st.session_state.get("closed"):
        return None
    # After signing in (the provider's redirect drops the URL's query) or a bare reload:
    # where this person left off.
    last = store().last_opened(actor=person())
    if last:
        try:
            w = open_proposal(last)
        except (NotAllowedError, UnknownNameError):
            store().set_last_opened(None, actor=person())
        else:
            _set(w)
            return w
    return _example()


def _example() -> Working | None:
    """`make run` opens the data-analytics example (local mode, nothing open yet)."""
    example = os.environ.get("ALIGN_DASHBOARD_PROPOSAL")
    if not example or sso_configured() or st.session_state.get("closed"):
        return None
    src = Path(example)
    src = src if src.is_absolute() else REPO / src
    p = read_upload(src.name, src.read_bytes())
    who = person()
    listed = store().proposals(actor=who)
    mine = listed[(listed["id"] == p.id) & (listed["author"] == who.name)]
    pid = str(mine["id"].iloc[0]) if len(mine) else store().create_proposal(p, actor=who).id
    w = open_proposal(pid)
    _set(w)
    return w


def _set(w: Working) -> None:
    st.session_state["working"] = w
    st.query_params["proposal"] = w.key
    store().set_last_opened(w.key, actor=person())


def keep_in_url() -> None:
    """Put the open proposal back in the URL (the sidebar's page links drop it)."""
    w = st.session_state.get("working")
    if w is not None and st.query_params.get("proposal") != w.key:
        st.query_params["proposal"] = w.key


def open_by_id(pid: str) -> Working:
    """Open a stored proposal in this session (from My proposals)."""
    w = open_proposal(pid)
    _set(w)
    st.session_state.pop("closed", None)
    st.session_state.pop("conflict", None)
    return w


def save(w: Working, *, force: bool = False) -> Working:
    """Save a new version; refuse (SaveConflict) when someone saved since this session read.

    ``force`` saves on top of the newest version (theirs stays in the version list).
    """
    who = person()
    s = store()
    expected = s.proposal(w.key, actor=who).version if force else w.version
    try:
        rec = s.save_proposal(w.full(), actor=who, expected_version=expected)
    except EditConflictError as exc:
        raise SaveConflict(str(exc)) from None
    w.version, w.status = rec.version, rec.status
    return w


def commit(w: Working) -> Working:
    """Save after a change; on a conflict, remember it so the page can ask."""
    try:
        save(w)
    except SaveConflict:
        st.session_state["conflict"] = True
        raise
    st.session_state.pop("conflict", None)
    return w


def reload_from_store() -> Working | None:
    w = st.session_state.get("working")
    st.session_state.pop("conflict", None)
    if w is None:
        return None
    fresh = open_proposal(w.key)
    _set(fresh)
    return fresh


def close() -> None:
    st.session_state.pop("working", None)
    st.session_state["closed"] = True
    st.query_params.clear()
    store().set_last_opened(None, actor=person())


def existing_editable(pid: str) -> bool:
    """Does a proposal with this id exist that this person may save a new version of?"""
    try:
        return store().can_edit(pid, actor=person())
    except (NotAllowedError, UnknownNameError):
        return False


def adopt(p: align.Proposal, *, as_version_of: bool = False) -> Working:
    """Store an uploaded or form-built proposal and open it.

    ``as_version_of``: save it as the next version of the stored proposal with its
    id (which this person may edit); otherwise it becomes a new proposal (with
    ``-2``, ``-3`` ... added when the id is taken).
    """
    who = person()
    s = store()
    if as_version_of:
        ver = s.proposal(p.id, actor=who).version
        s.save_proposal(p, actor=who, expected_version=ver, comment="uploaded")
        w = open_proposal(p.id)
    else:
        w = open_proposal(s.create_proposal(p, actor=who).id)
    _set(w)
    st.session_state.pop("closed", None)
    return w


def update_proposal(p: align.Proposal) -> Working:
    """Save the form's fields as a new version of the open proposal (keeping its reviewed
    alignments), or store them as a new proposal when none is open."""
    w = current()
    if w is None:
        return adopt(p)
    p = p.model_copy(update={"id": w.key})
    ids = {o.id for o in p.outcomes}
    # Decisions about outcomes that no longer exist go with them.
    w.alignments = [a for a in w.alignments if a.get("outcome") is None or a["outcome"] in ids]
    w.proposal = p
    return commit(w)


def submit(w: Working, comment: str = "") -> str:
    """Submit the open proposal for sign-off."""
    status = store().submit(w.key, actor=person(), comment=comment)
    fresh = open_proposal(w.key)
    _set(fresh)
    return status


# == uploads (per-session temporary files) ===========================================
def check_upload(name: str, data: bytes) -> None:
    """Refuse what the dashboard must not read: too large, wrong kind, not text."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise UploadError(
            f"file {name!r} is a .{suffix or '(no extension)'} file; upload a proposal "
            "written as YAML (.yaml, .yml) or JSON (.json), like those in data/examples/."
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"file {name!r} is {len(data) / 1024 / 1024:.1f} MB; proposals are small text "
            "files, so the dashboard accepts at most 1 MB. Check you picked the right file."
        )
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(
            f"file {name!r} is not a text file (it is not UTF-8); save the proposal as "
            "plain-text YAML or JSON and upload it again."
        ) from None


def _safe_name(name: str) -> str:
    import re

    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name).strip(".-") or "upload.yaml"
    return stem[:80]


def with_upload(name: str, data: bytes, read: Any) -> Any:
    """Call ``read(path)`` on the upload written to a temporary file of this call alone
    (removed afterwards); messages name the user's file, never the temporary path."""
    check_upload(name, data)
    with tempfile.TemporaryDirectory(prefix="align-upload-") as tmp:
        path = Path(tmp) / _safe_name(name)
        path.write_bytes(data)
        try:
            return read(path)
        except align.AlignError as exc:
            raise type(exc)(str(exc).replace(str(path), name)) from None


def read_upload(name: str, data: bytes) -> align.Proposal:
    """Validate an uploaded proposal (nothing is stored yet; see :func:`adopt`)."""
    p: align.Proposal = with_upload(name, data, align.load_proposal)
    p._source = name
    return p


# == reviewed alignments =======================================================
def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def decision(w: Working, outcome: str | None, comp_id: str) -> str | None:
    for a in w.alignments:
        if a.get("outcome") == outcome and a.get("id") == comp_id:
            return str(a.get("status"))
    return None


def _record(row: pd.Series | dict[str, Any], outcome: str | None, status: str, source: str) -> dict:
    from app_pages._state import framework

    get = row.get
    fw_name = str(get("framework"))
    try:
        version = framework(fw_name).info.version
    except align.AlignError:
        version = None
    score = get("score")
    return {
        "outcome": outcome,
        "framework": fw_name,
        "framework_version": None if version is None else str(version),
        "id": str(get("id")),
        "code": None if get("code") is None else str(get("code")),
        "label": str(get("label")),
        "url": get("url") or None,
        "description": None,
        "score": None if score is None or pd.isna(score) else round(float(score), 4),
        "status": status,
        "source": source,
        "reviewed_by": person().name,
        "reviewed_at": _now(),
    }


def decide(
    w: Working,
    row: pd.Series | dict[str, Any],
    outcome: str | None,
    status: str | None,
    source: str = "matcher",
) -> Working:
    """Accept or reject one match (``status=None`` clears the decision), then save."""
    comp_id = str(row.get("id"))
    w.alignments = [
        a for a in w.alignments if not (a.get("outcome") == outcome and a.get("id") == comp_id)
    ]
    if status is not None:
        w.alignments.append(_record(row, outcome, status, source))
    return commit(w)


def replace_match(
    w: Working, old: pd.Series | dict[str, Any], new: pd.Series | dict[str, Any], outcome: str
) -> Working:
    """Reject ``old`` and accept ``new`` (found by searching a framework) for one outcome."""
    drop = {str(old.get("id")), str(new.get("id"))}
    w.alignments = [
        a for a in w.alignments if not (a.get("outcome") == outcome and a.get("id") in drop)
    ]
    w.alignments.append(_record(old, outcome, "rejected", "matcher"))
    w.alignments.append(_record(new, outcome, "accepted", "search"))
    return commit(w)


def alignments_frame(w: Working) -> pd.DataFrame:
    cols = ["outcome", "framework", "id", "label", "score", "status", "source", "reviewed_at"]
    return pd.DataFrame(w.alignments, columns=cols)


def local_people() -> list[str]:
    """Everyone the local user may act as (single-user local mode)."""
    names = store().users()["name"].tolist()
    return [LOCAL_USER, *[n for n in names if n != LOCAL_USER]]
