"""Rendering helpers shared by the pages: plain text, errors, charts with their data."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _state

_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: object) -> str:
    """Escape Markdown so user text shows literally (CommonMark backslash escapes)."""
    return _MD_PUNCT.sub(r"\\\1", str(text))


def error(message: object) -> None:
    st.error(plain(message), icon=":material/error:")


def warn(message: object) -> None:
    st.warning(plain(message), icon=":material/warning:")


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
    """Ask what to do when another session changed the proposal file."""
    if not st.session_state.get("conflict"):
        return
    w = st.session_state.get("working")
    with st.container(border=True):
        st.warning(
            "Someone else changed this proposal's file since you opened it (another browser "
            "tab or person). Your last change was NOT saved. Reload to see their version, "
            "or overwrite it with yours.",
            icon=":material/sync_problem:",
        )
        a, b = st.columns(2)
        if a.button("Reload from disk", key="conflict_reload", type="primary"):
            _state.reload_from_disk()
            st.rerun()
        if b.button("Overwrite with my version", key="conflict_overwrite") and w is not None:
            _state.save(w, force=True)
            st.session_state.pop("conflict", None)
            st.rerun()


def require_proposal() -> _state.Working | None:
    """The open proposal, or a pointer to the Proposal page."""
    conflict_box()
    w = _state.current()
    if w is None:
        problem = st.session_state.pop("open_error", None)
        if problem:
            error(problem)
        st.info("No proposal is open yet. Upload one or fill in the form on the Proposal page.")
        st.page_link(
            "app_pages/proposal.py",
            label="Go to the Proposal page",
            icon=":material/edit_document:",
        )
    return w


def caption_source(w: _state.Working) -> None:
    st.caption(f"Proposal: {plain(w.proposal.title)} — working file {plain(w.path)}")
