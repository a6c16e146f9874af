"""Library calls for the proposal pages: models and frameworks loaded once, scores, checks.

The pages call the library only through this module, ``_session.py`` (the person and
the open proposal) and ``_workflow.py`` (the approval steps), so each page stays
"take input, call one function, render" and an API change touches these files alone.
Nothing here accepts or shows a server path: the postings database is the one the
server names (``ALIGN_POSTINGS_DB``), stacks and portfolios come from the store,
and uploaded files live in a temporary file of one call.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import align
from align.exceptions import InvalidArgumentError, NotAllowedError, ProposalError, UnknownNameError
from app_pages import _session
from app_pages._session import EXAMPLES, SaveConflict, Working

__all__ = ["EXAMPLES", "SaveConflict", "Working"]

#: The frameworks the dashboard loads and indexes before the first visitor.
WARM_FRAMEWORKS = ("onet", "nace", "cmc")


# == cached resources (once per server) ======================================
@st.cache_resource(show_spinner="Loading the embedding model (once per server)...")
def embedder() -> align.Embedder:
    """The embedding model, shared by every session."""
    return align.get_embedder()


_LOADED: set[str] = set()


@st.cache_resource(show_spinner=False)
def _framework(name: str) -> align.Framework:
    # This call's own warnings (e.g. a partial O*NET release), not other sessions'.
    with align.collect_warnings():
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


def warm() -> None:
    """Load and index what a first visitor needs (run at server start by ``serve.py``): the
    model, the frameworks, the occupation index, and one score of the example proposal,
    so the model's first run and the vector caches are hot."""
    import logging

    # Streamlit logs "missing ScriptRunContext" for cache calls outside a page run.
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        _warm()
    finally:
        quiet.setLevel(level)


def _warm() -> None:
    for name in WARM_FRAMEWORKS:
        _framework(name)
    _occupation_matcher()
    example = align.load_proposal(EXAMPLES / "data-analytics.yaml")
    with align.collect_warnings():
        align.score_alignment(
            example, [framework(n) for n in example.frameworks], embedder=embedder()
        )
    _session.store()


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
    # Keyed by the proposal text's hash: sessions that open the same version share one
    # report (the leading underscores keep the objects out of the cache key).
    with align.collect_warnings():
        return align.score_alignment(_w.full(), _fws, _demand, embedder=embedder(), region=region)


def score(w: Working, demand: pd.DataFrame | None = None, region: str | None = None) -> Any:
    """The alignment report of the open proposal, computed once per text and demand."""
    dkey = None if demand is None else demand.attrs.get("_dashboard_key", id(demand))
    fws = _frameworks(w.proposal.frameworks)
    return _score(w.digest, dkey, region, w, fws, demand)


def policy(w: Working, report: Any, upload: tuple[str, bytes] | None = None) -> Any:
    """The policy checks, with the built-in policy or an uploaded one (read from a temporary
    file of this call alone)."""
    if upload is None:
        return align.check_policy(w.full(), None, alignment=report)
    name, data = upload
    if Path(name).suffix.lower() not in {".yaml", ".yml"}:
        raise InvalidArgumentError(f"file {name!r}: upload the policy as YAML (.yaml, .yml).")
    return _session.with_upload(
        name, data, lambda path: align.check_policy(w.full(), path, alignment=report)
    )


def default_policy_text() -> str:
    from align.proposals import default_policy_yaml

    return default_policy_yaml()


# == postings (the server's database only) ========================================
def postings_db() -> str | None:
    """The postings database the server names (``ALIGN_POSTINGS_DB``), when it exists."""
    env = os.environ.get("ALIGN_POSTINGS_DB", "").strip()
    return env if env and Path(env).is_file() else None


def skill_demand(occupation: list[str], region: str | None, period: str | None) -> Any:
    """Demand in the server's postings database, counted once per filters in this session."""
    db = postings_db()
    if db is None:
        raise InvalidArgumentError(
            "this server has no postings database; the office sets ALIGN_POSTINGS_DB when it "
            "starts the dashboard."
        )
    stamp = Path(db).stat().st_mtime_ns
    key = (tuple(occupation), region or None, period or None, stamp)
    cache = st.session_state.setdefault("demand_cache", {})
    if key not in cache:
        with align.collect_warnings():
            demand = align.skill_demand(
                db,
                occupation=occupation or None,
                region=region or None,
                period=period or None,
                top=30,
            )
        demand.attrs["_dashboard_key"] = key
        cache.clear()
        cache[key] = demand
    return cache[key]


def coding_summary() -> Any:
    """Where the server's postings' occupation codes come from: export, titles, review."""
    db = postings_db()
    if db is None:
        raise InvalidArgumentError("this server has no postings database (ALIGN_POSTINGS_DB).")
    return align.postings.coding_summary(db)


# == stacks and the portfolio (from the store) ========================================
def example_stacks() -> list[str]:
    """The example stacks shipped with align (by name)."""
    return sorted(p.name for p in EXAMPLES.glob("*stack*.yaml"))


def stored_stacks() -> pd.DataFrame:
    return _session.store().stacks(actor=_session.person())


def save_stack(title: str, members: list[str], target: str, threshold: float | None = None) -> str:
    return _session.store().save_stack(
        title, members, actor=_session.person(), target=target, threshold_credits=threshold
    )


_TARGET = re.compile(r"^onet:\d{2}-\d{4}(\.\d{2})?$")


def _target(value: str) -> Any:
    """A stack's target as the person may name it: an O*NET occupation, a framework the
    server has, or a proposal in the store they may see; never a path."""
    text = value.strip()
    if _TARGET.match(text) or text in {"nace", "cmc", *available_frameworks()}:
        return text
    try:
        return _session.store().load_proposal(text, actor=_session.person())
    except (NotAllowedError, UnknownNameError):
        raise InvalidArgumentError(
            f"stack target {value!r} is not an O*NET occupation (onet:29-1141.00), a framework "
            "(nace, cmc) or a proposal you can open; name one of those."
        ) from None


def _members(stack: align.Stack) -> align.Stack:
    """Members written inline stay; a name must be a proposal in the store the person may
    see (never a file on the server)."""
    out: list[Any] = []
    for m in stack.members:
        if isinstance(m, align.Proposal):
            out.append(m)
            continue
        try:
            out.append(_session.store().load_proposal(str(m), actor=_session.person()))
        except (NotAllowedError, UnknownNameError):
            raise ProposalError(
                f"stack member {m!r} is not a proposal you can open in the store; write members "
                "inline (title, issuing_unit, outcomes) or name proposals by their id."
            ) from None
    return stack.model_copy(update={"members": out})


def stack_from_upload(name: str, data: bytes) -> tuple[align.Stack, Any]:
    """An uploaded stack (read from a temporary file of this call) and its target."""
    stack: align.Stack = _session.with_upload(name, data, align.load_stack)
    return _members(stack), _target(stack.target) if stack.target else None


def stack_from_store(stack_id: str) -> tuple[align.Stack, Any]:
    stack = _session.store().load_stack(stack_id, actor=_session.person())
    return stack, _target(stack.target) if stack.target else None


def stack_from_example(name: str) -> tuple[align.Stack, Any]:
    """A shipped example stack (chosen by name from :func:`example_stacks`)."""
    if name not in example_stacks():
        raise InvalidArgumentError(f"{name!r} is not one of the example stacks.")
    stack = align.load_stack(EXAMPLES / name)
    stack = stack.model_copy(update={"members": stack.credentials})
    target = stack.target
    if target and Path(target).suffix.lower() in {".yaml", ".yml"}:
        return stack, align.load_proposal(EXAMPLES / target)
    return stack, target or None


def stacking_gaps(stack: align.Stack, target: Any) -> Any:
    with align.collect_warnings():
        return align.find_stacking_gaps(stack, target, onet=framework("onet"), embedder=embedder())


def visible_proposals(status: str | None = None) -> pd.DataFrame:
    return _session.store().proposals(actor=_session.person(), status=status or None)


def portfolio(ids: list[str], demand: pd.DataFrame | None = None) -> Any:
    """Every named proposal (from the store, as the person may see them) against demand."""
    s, who = _session.store(), _session.person()
    creds = [s.load_proposal(i, actor=who) for i in ids]
    with align.collect_warnings():
        return align.portfolio_coverage(creds, demand, onet=framework("onet"), embedder=embedder())


# == exports ============================================================================
def badge_formats() -> dict[str, str]:
    """Badge export formats the library offers (empty until the exports land)."""
    exports = getattr(align, "exports", None)
    if exports is None or not hasattr(exports, "export_badge"):
        return {}
    return dict(getattr(exports, "FORMATS", {}))


def badge_export(
    w: Working, fmt: str, report: Any, options: dict[str, str] | None = None
) -> tuple[str, list[Any], list[str]]:
    """The export text, pre-flight problems and data notes (e.g. "unreviewed") of one format:
    this call's warnings, returned instead of caught process-wide."""
    proposal = w.full()
    opts = align.exports.BadgeOptions(**{k: v for k, v in (options or {}).items() if v})
    # the frameworks this server already parsed give the competencies' descriptions
    used = {a.framework for a in [*proposal.alignments, *proposal.unreviewed_alignments]}
    loaded = [framework(k) for k in sorted(used | set(proposal.frameworks)) if k in _LOADED]
    kw = {"report": report, "options": opts, "frameworks": loaded}
    with align.collect_warnings() as caught:
        problems = list(align.exports.check_export(proposal, fmt, **kw))
        refused = any(getattr(p, "level", "error") == "error" for p in problems)
        text = "" if refused else align.exports.export_badge(proposal, fmt, **kw)
    notes = sorted({str(c) for c in caught if isinstance(c, UserWarning)})
    return text, problems, notes


def committee_html(w: Working, report: Any) -> str | None:
    """The committee packet as one HTML page, with the review record the person may read."""
    packet = getattr(align, "committee_packet", None)
    if packet is None:
        return None
    from align.committee import ReviewStore

    record = ReviewStore(_session.store(), actor=_session.person())
    with align.collect_warnings():
        return str(packet(w.full(), report, store=record).to_html())


def report_html(report: Any) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = report.write_html(Path(tmp) / "report.html")
        return Path(path).read_bytes()


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV for a download, through the library's one CSV writer (formula cells neutralised)."""
    return align.exports.csv_text(df).encode("utf-8")
