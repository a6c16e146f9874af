"""Audit log: who did what and when (append-only), for the office and admins."""

from __future__ import annotations

import streamlit as st

from align.exceptions import AlignError
from app_pages import _state, _ui, _workflow

st.title("Audit log")
st.write(
    "Every change to a proposal, a person or the review record, newest first. The log is "
    "append-only: the database itself refuses to change or delete an entry."
)
f1, f2, f3 = st.columns(3)
pid = f1.text_input("Proposal id", key="au_pid")
actor = f2.text_input("Person", key="au_actor")
limit = f3.number_input("Entries", min_value=10, max_value=100_000, value=500, key="au_limit")
try:
    log = _workflow.audit_log(pid.strip() or None, int(limit))
except AlignError as exc:
    _ui.error(exc)
    st.stop()
if actor.strip():
    log = log[log["actor"].str.contains(actor.strip(), case=False, regex=False)]
actions = sorted(log["action"].unique())
chosen = st.multiselect("Actions", actions, key="au_actions")
if chosen:
    log = log[log["action"].isin(chosen)]
st.caption(f"{len(log):,} entries")
st.dataframe(log, hide_index=True, key="au_table")
st.download_button(
    "Download (CSV)", data=_state.csv_bytes(log), file_name="align-audit-log.csv",
    mime="text/csv", key="au_download", icon=":material/download:",
)  # fmt: skip
