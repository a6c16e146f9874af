"""Dashboard state: the open proposal, its working file, reviewed decisions, cached resources.

The pages call the library only through the functions here, so each page stays
"take input, call one function, render" and an API change touches this file alone.

Files
    The open proposal lives in a working folder (``ALIGN_DASHBOARD_DIR``, default
    ``<per-user align data folder>/dashboard``) as ``<proposal id>.yaml``. Every
    decision is written there at once (atomic replace), and the page URL carries
    ``?proposal=<id>`` so a reload or a restarted server opens the same file. A
    save first checks the file on disk still holds what this session read; if
    another session changed it, :class:`SaveConflict` is raised and the page asks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import platformdirs
import streamlit as st

import align
from align.exceptions import ProposalError

#: Largest proposal, stack or policy file the dashboard accepts.
MAX_UPLOAD_BYTES = 1024 * 1024
UPLOAD_TYPES = ("yaml", "yml", "json")
REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"


class SaveConflict(Exception):
    """The working file changed on disk since this session read it."""


class UploadError(ProposalError):
    """An uploaded file is too large, not text, or not a YAML/JSON file."""


# == cached resources (once per server) ======================================
@st.cache_resource(show_spinner="Loading the embedding model (once per server)...")
def embedder() -> align.Embedder:
    """The embedding model, shared by every session."""
    return align.get_embedder()


_LOADED: set[str] = set()


@st.cache_resource(show_spinner=False)
def _framework(name: str) -> align.Framework:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", align.AlignDataWarning)
        fw = align.load_framework(name)
    _LOADED.add(name)
    return fw


def framework(name: str) -> align.Framework:
    """A framework parsed once per server (the library's on-disk cache makes it fast)."""
    if name in _LOADED:
        return _framework(name)
    with st.spinner(f"Loading framework {name} (once per server; a first parse takes a while)..."):
        return _framework(name)


@st.cache_resource(show_spinner="Indexing O*NET occupation titles...")
def _occupation_matcher() -> align.Matcher:
    return align.Matcher([framework("onet")], method="lexical", target="occupations").fit()


def search_occupations(query: str, top_k: int = 10) -> pd.DataFrame:
    """O*NET occupations whose title or an alternate title resembles ``query``."""
    hits = _occupation_matcher().match([query], top_k=top_k, min_score=0.3)
    return hits[["code", "label", "matched_surface", "score"]].reset_index(drop=True)


def search_frameworks(names: Sequence[str], query: str, top_k: int = 8) -> pd.DataFrame:
    """Competencies of the named frameworks that match ``query`` (to replace a match)."""
    fws = _frameworks(names)
    with st.spinner("Searching (a first search in a framework embeds its labels once)..."):
        hits = align.match([query], fws, top_k=top_k, embedder=embedder())
    return hits.reset_index(drop=True)


@st.cache_data(ttl=300, show_spinner=False)
def available_frameworks() -> list[str]:
    """Names of the frameworks found in the data folder (checked every 5 minutes)."""
    table = align.available_frameworks()
    return [str(n) for n in table.loc[table["available"], "name"]]


# == files ===================================================================
def workdir() -> Path:
    env = os.environ.get("ALIGN_DASHBOARD_DIR")
    base = Path(env) if env else Path(platformdirs.user_data_dir("align", False)) / "dashboard"
    base.mkdir(parents=True, exist_ok=True)
    return base


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Working:
    """The proposal open in this session, its file and the reviewed alignments."""

    path: Path
    proposal: align.Proposal
    alignments: list[dict[str, Any]] = field(default_factory=list)
    digest: str = ""

    @property
    def key(self) -> str:
        return self.path.stem

    def full(self) -> align.Proposal:
        """The proposal with its reviewed alignments, validated by the library."""
        data = {**self.proposal.to_dict(), "alignments": self.alignments}
        p = align.load_proposal(data)
        p._source = self.proposal.source
        return p

    def text(self) -> str:
        return self.full().to_yaml()


def _parse(path: Path) -> tuple[align.Proposal, list[dict[str, Any]]]:
    """Read a proposal file with the library's loader (its messages name file and field)."""
    p = align.load_proposal(path)
    return p, [a.model_dump(mode="json") for a in p.alignments]


def open_file(path: Path) -> Working:
    """Open a proposal file that is already in the working folder."""
    data = path.read_bytes()
    proposal, alignments = _parse(path)
    return Working(path, proposal, alignments, _digest(data))


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


def save_upload(name: str, data: bytes, folder: str) -> Path:
    """Check an uploaded file and keep it under the working folder's ``folder``."""
    check_upload(name, data)
    where = workdir() / folder
    where.mkdir(exist_ok=True)
    path = where / _safe_name(name)
    path.write_bytes(data)
    return path


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name).strip(".-") or "upload.yaml"
    return stem[:80]


def read_upload(name: str, data: bytes) -> Working:
    """Validate an uploaded proposal; the result is not saved yet (see :func:`adopt`)."""
    check_upload(name, data)
    incoming = workdir() / "uploads"
    incoming.mkdir(exist_ok=True)
    path = incoming / _safe_name(name)
    path.write_bytes(data)
    try:
        proposal, alignments = _parse(path)
    except ProposalError as exc:
        # The message should name the file the user picked, not our temporary copy.
        raise ProposalError(str(exc).replace(str(path), name)) from None
    finally:
        path.unlink(missing_ok=True)
    proposal._source = name
    return Working(workdir() / f"{_safe_name(proposal.id)}.yaml", proposal, alignments, "")


def working_path(proposal_id: str) -> Path:
    return workdir() / f"{_safe_name(proposal_id)}.yaml"


def disk_digest(path: Path) -> str:
    return _digest(path.read_bytes()) if path.exists() else ""


def save(working: Working, *, force: bool = False) -> Working:
    """Write the working file atomically; refuse when another session changed it."""
    on_disk = disk_digest(working.path)
    if not force and on_disk and on_disk != working.digest:
        raise SaveConflict(str(working.path))
    align.save_proposal(working.full(), working.path)  # atomic: temp file, then replace
    working.digest = disk_digest(working.path)
    return working


# == session ===================================================================
def current() -> Working | None:
    """The proposal open in this session, restoring it after a reload or restart."""
    w = st.session_state.get("working")
    if w is not None:
        return w
    key = st.query_params.get("proposal")
    path = working_path(key) if key else None
    if path is None or not path.is_file():
        example = os.environ.get("ALIGN_DASHBOARD_PROPOSAL")
        if not example or st.session_state.get("closed"):
            return None
        src = Path(example)
        if not src.is_absolute():
            src = REPO / src
        w = read_upload(src.name, src.read_bytes())
        if not w.path.exists():
            save(w)
        path = w.path
    try:
        w = open_file(path)
    except ProposalError as exc:
        st.session_state["open_error"] = str(exc)
        return None
    _set(w)
    return w


def _set(w: Working) -> None:
    st.session_state["working"] = w
    st.query_params["proposal"] = w.key


def adopt(w: Working, *, replace: bool = False) -> Working:
    """Make an uploaded or form-built proposal the open one, saving it to the working folder.

    Raises :class:`SaveConflict` when a different working copy with that id exists
    and ``replace`` is False.
    """
    if w.path.exists() and not replace:
        existing = open_file(w.path)
        if existing.text() != w.text():
            raise SaveConflict(str(w.path))
    w.digest = disk_digest(w.path)
    save(w, force=True)
    _set(w)
    st.session_state.pop("closed", None)
    return w


def update_proposal(proposal: align.Proposal) -> Working:
    """Replace the open proposal's fields (from the form), keeping its decisions."""
    w = current()
    if w is None or working_path(proposal.id) != w.path:
        return adopt(Working(working_path(proposal.id), proposal, []))
    ids = {o.id for o in proposal.outcomes}
    # Decisions about outcomes that no longer exist go with them.
    w.alignments = [a for a in w.alignments if a.get("outcome") is None or a["outcome"] in ids]
    w.proposal = proposal
    return commit(w)


def commit(w: Working) -> Working:
    """Save after a change; on a conflict, remember it so the page can ask."""
    try:
        save(w)
    except SaveConflict:
        st.session_state["conflict"] = True
        raise
    st.session_state.pop("conflict", None)
    return w


def reload_from_disk() -> Working | None:
    w = st.session_state.get("working")
    st.session_state.pop("conflict", None)
    if w is None:
        return None
    fresh = open_file(w.path)
    _set(fresh)
    return fresh


def close() -> None:
    st.session_state.pop("working", None)
    st.session_state["closed"] = True
    st.query_params.clear()


# == reviewed alignments =======================================================
def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def decision(w: Working, outcome: str | None, comp_id: str) -> str | None:
    for a in w.alignments:
        if a.get("outcome") == outcome and a.get("id") == comp_id:
            return str(a.get("status"))
    return None


def _record(row: pd.Series | dict[str, Any], outcome: str | None, status: str, source: str) -> dict:
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
        "reviewed_by": None,
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


# == library calls =============================================================
def proposal_from_fields(data: dict[str, Any]) -> align.Proposal:
    """Validate form fields with the library's loader (raises ProposalError)."""
    return align.load_proposal(data)


_FIELD = re.compile(r"field '([A-Za-z_]+)(?:\[(\d+)\])?(?:\.([A-Za-z_]+))?")


def field_errors(exc: Exception) -> dict[str, list[str]]:
    """Split the loader's message into problems per form field ('' for the rest)."""
    out: dict[str, list[str]] = {}
    for line in str(exc).splitlines():
        text = line.strip().removeprefix("- ")
        m = _FIELD.search(text)
        if not line.strip().startswith("- ") and not m:
            continue
        key = m.group(1) if m else ""
        if m and m.group(2):
            key = f"{m.group(1)}[{m.group(2)}]"
        out.setdefault(key, []).append(text)
    if not out:
        out[""] = [str(exc)]
    return out


def _frameworks(names: Sequence[str]) -> list[align.Framework]:
    cold = [n for n in names if n not in _LOADED]
    if not cold:
        return [framework(n) for n in names]
    bar = st.progress(0.0, text="Loading frameworks (once per server)...")
    out = []
    for i, n in enumerate(names):
        bar.progress(i / len(names), text=f"Loading framework {n} ({i + 1} of {len(names)})...")
        out.append(framework(n))
    bar.empty()
    return out


@st.cache_resource(max_entries=64, show_spinner=False)
def _score(
    digest: str,
    dkey: Any,
    region: str | None,
    _w: Working,
    _fws: list[align.Framework],
    _demand: pd.DataFrame | None,
) -> Any:
    # Keyed by the working file's content hash: sessions that open the same file version
    # share one report (the leading underscores keep the objects out of the cache key).
    return align.score_alignment(_w.full(), _fws, _demand, embedder=embedder(), region=region)


def score(w: Working, demand: pd.DataFrame | None = None, region: str | None = None) -> Any:
    """The alignment report of the open proposal, computed once per file version and demand."""
    dkey = None if demand is None else demand.attrs.get("_dashboard_key", id(demand))
    fws = _frameworks(w.proposal.frameworks)
    return _score(w.digest or w.text(), dkey, region, w, fws, demand)


def policy(w: Working, policy_path: Path | None, report: Any) -> Any:
    return align.check_policy(w.full(), policy_path, alignment=report)


def default_policy_text() -> str:
    from align.proposals import default_policy_yaml

    return default_policy_yaml()


def stacking_gaps(stack_path: Path) -> Any:
    onet = framework("onet")
    return align.find_stacking_gaps(stack_path, onet=onet, embedder=embedder())


def portfolio(folder: Path, demand: pd.DataFrame | None = None) -> Any:
    return align.portfolio_coverage(folder, demand, onet=framework("onet"), embedder=embedder())


def skill_demand(db: str, occupation: list[str], region: str | None, period: str | None) -> Any:
    """Postings demand, counted once per database version and filters in this session."""
    path = Path(db).expanduser()
    stamp = path.stat().st_mtime_ns if path.exists() else 0
    key = (str(path), tuple(occupation), region or None, period or None, stamp)
    cache = st.session_state.setdefault("demand_cache", {})
    if key not in cache:
        demand = align.skill_demand(
            str(path),
            occupation=occupation or None,
            region=region or None,
            period=period or None,
            top=30,
        )
        demand.attrs["_dashboard_key"] = key
        cache.clear()
        cache[key] = demand
    return cache[key]


def coding_summary(db: str) -> Any:
    """Where the postings' occupation codes come from: export, title coding, analyst review."""
    return align.postings.coding_summary(str(Path(db).expanduser()))


def badge_formats() -> dict[str, str]:
    """Badge export formats the library offers (empty until the exports land)."""
    exports = getattr(align, "exports", None)
    if exports is None or not hasattr(exports, "export_badge"):
        return {}
    return dict(getattr(exports, "FORMATS", {}))


def badge_export(
    w: Working, fmt: str, report: Any, options: dict[str, str] | None = None
) -> tuple[str, list[Any], list[str]]:
    """The export text, pre-flight problems and data notes (e.g. "unreviewed") of one format."""
    import warnings

    proposal = w.full()
    opts = align.exports.BadgeOptions(**{k: v for k, v in (options or {}).items() if v})
    # the frameworks this server already parsed give the competencies' descriptions
    used = {a.framework for a in [*proposal.alignments, *proposal.unreviewed_alignments]}
    loaded = [framework(k) for k in sorted(used | set(proposal.frameworks)) if k in _LOADED]
    kw = {"report": report, "options": opts, "frameworks": loaded}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", align.AlignDataWarning)
        problems = list(align.exports.check_export(proposal, fmt, **kw))
        refused = any(getattr(p, "level", "error") == "error" for p in problems)
        text = "" if refused else align.exports.export_badge(proposal, fmt, **kw)
    notes = sorted({str(c.message) for c in caught if issubclass(c.category, UserWarning)})
    return text, problems, notes


def committee_html(w: Working, report: Any) -> str | None:
    """The committee packet as one HTML page (None until the library has it)."""
    packet = getattr(align, "committee_packet", None)
    if packet is None:
        return None
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", align.AlignDataWarning)
        return str(packet(w.full(), report).to_html())


def report_html(report: Any) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = report.write_html(Path(tmp) / "report.html")
        return Path(path).read_bytes()


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV for a download, through the library's one CSV writer (formula cells neutralised)."""
    return align.exports.csv_text(df).encode("utf-8")
