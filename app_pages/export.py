"""Export: the proposal with its reviewed alignments, and the alignment report."""

from __future__ import annotations

import streamlit as st

from align.exceptions import AlignError
from app_pages import _state, _ui

st.title("Export")
w = _ui.require_proposal()
if w is None:
    st.stop()
_ui.caption_source(w)

try:
    report = _state.score(w)
except AlignError as exc:
    _ui.error(exc)
    st.stop()

st.subheader("Proposal")
st.download_button(
    "Proposal with reviewed alignments (YAML)",
    data=w.text(),
    file_name=f"{w.key}.yaml",
    mime="application/x-yaml",
    key="dl_proposal",
    icon=":material/download:",
)
st.subheader("Alignment report")
st.caption(f"Overall {report.overall:.0f} / 100; every component, match and demanded skill.")
e1, e2, e3 = st.columns(3)
e1.download_button(
    "Report (HTML)",
    data=_state.report_html(report),
    file_name=f"{w.key}-alignment.html",
    mime="text/html",
    key="dl_html",
    icon=":material/download:",
)
e2.download_button(
    "Report (JSON)",
    data=report.to_json(),
    file_name=f"{w.key}-alignment.json",
    mime="application/json",
    key="dl_json",
    icon=":material/download:",
)
e3.download_button(
    "Reviewed alignments (CSV)",
    data=_state.csv_bytes(_state.alignments_frame(w)),
    file_name=f"{w.key}-alignments.csv",
    mime="text/csv",
    key="dl_csv",
    icon=":material/download:",
)
st.info(
    "Open Badges 3.0 / 2.0, Credly, CASE and the committee evidence packet will appear here "
    "when the exports land in the library."
)
