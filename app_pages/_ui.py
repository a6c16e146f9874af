"""Rendering helpers shared by the pages: plain text, errors, charts with their data."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from align.store import LOCAL_USER, STATUSES, User, next_steps
from app_pages import _session

_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: object) -> str:
    """Escape Markdown so user text shows literally (CommonMark backslash escapes)."""
    return _MD_PUNCT.sub(r"\\\1", str(text))


def error(message: object) -> None:
    st.error(plain(_session.without_server_paths(str(message))), icon=":material/error:")


def warn(message: object) -> None:
    st.warning(plain(_session.without_server_paths(str(message))), icon=":material/warning:")


def by_label(matrix: pd.DataFrame, labels: dict[Any, Any]) -> pd.DataFrame:
    """A coverage matrix with its competency ids replaced by (shortened) labels."""
    return matrix.set_axis([str(labels.get(i, i))[:48] for i in matrix.index])


def coverage_heatmap(mat: pd.DataFrame) -> Any:
    """Credit of each credential (columns) for each competency (rows) as a heatmap."""
    import plotly.express as px

    fig = px.imshow(
        mat,
        color_continuous_scale="Blues",
        zmin=0,
        zmax=1,
        aspect="auto",
        labels={"x": "credential", "y": "", "color": "credit"},
        height=160 + 22 * len(mat),
    )
    fig.update_yaxes(dtick=1)
    return fig


def chart_with_table(fig: Any, table: pd.DataFrame, key: str) -> None:
    """A plotly chart with its data table beside it (accessible, copyable)."""
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(fig, key=f"{key}_chart", config={"displaylogo": False})
    with right:
        st.dataframe(table, hide_index=True, key=f"{key}_table")


def conflict_box() -> None:
    """Ask what to do when someone saved the proposal since this session read it."""
    if not st.session_state.get("conflict"):
        return
    w = st.session_state.get("working")
    with st.container(border=True):
        st.warning(
            "Someone else saved this proposal since you opened it (another browser tab or "
            "person). Your last change was NOT saved. Reload to see their version, or save "
            "yours as the newest version (theirs stays in the version list).",
            icon=":material/sync_problem:",
        )
        a, b = st.columns(2)
        if a.button("Reload their version", key="conflict_reload", type="primary"):
            _session.reload_from_store()
            st.rerun()
        if b.button("Save mine as the newest version", key="conflict_overwrite") and w:
            _session.save(w, force=True)
            st.session_state.pop("conflict", None)
            st.rerun()


def require_proposal() -> _session.Working | None:
    """The open proposal, or a pointer to My proposals (and "not allowed" when the URL
    named one the person may not see)."""
    conflict_box()
    w = _session.current()
    if w is None:
        problem = st.session_state.pop("open_error", None)
        if problem:
            error(problem)
        st.info("No proposal is open. Open one from My proposals, or start a new one.")
        st.page_link("app_pages/proposals.py", label="My proposals", icon=":material/list_alt:")
    return w


def status_line(status: str) -> str:
    """A status as a coloured badge with what happens next (Markdown)."""
    color = {
        "draft": "gray",
        "submitted": "blue",
        "returned": "orange",
        "signed-off": "blue",
        "in-review": "violet",
        "feedback-sent": "violet",
        "approved": "green",
        "approved-with-changes": "green",
        "declined": "red",
    }.get(status, "gray")
    return f":{color}-badge[{plain(status)}] {plain(STATUSES.get(status, ''))}"


def caption_source(w: _session.Working) -> None:
    st.caption(
        f"Proposal: {plain(w.proposal.title)} · version {w.version} · "
        f"{plain(w.status)} · by {plain(w.author)}" + ("" if w.editable else " · read-only for you")
    )


def read_only_note(w: _session.Working) -> None:
    if not w.editable:
        st.info(
            f"You can read this proposal; only its author (while it is a draft or returned) "
            f"and the office edit it. It is {w.status}: next, {next_steps(w.status)}.",
            icon=":material/lock:",
        )


def sidebar(who: User) -> None:
    """Who is signed in (or the local mode's label), their roles, and signing out."""
    with st.sidebar:
        if _session.sso_configured():
            st.caption(
                f"Signed in as **{plain(who.name)}**"
                + (f" ({plain(who.email)})" if who.email else "")
            )
            st.caption("Roles: " + (plain(", ".join(sorted(who.roles))) or "none yet"))
            if st.button("Sign out", key="sign_out", icon=":material/logout:"):
                st.logout()
            return
        st.warning(
            "Single-user local mode: no sign-in, and only this computer is served. "
            "Configure single sign-on before sharing the dashboard (README).",
            icon=":material/person:",
        )
        people = _session.local_people()
        if st.session_state.get("act_as") not in people:
            st.session_state["act_as"] = LOCAL_USER
        st.selectbox(
            "Acting as",
            people,
            key="act_as",
            help="Try each role's path: the local user holds every role; others hold theirs.",
        )
        st.caption("Roles: " + (plain(", ".join(sorted(who.roles))) or "none"))
