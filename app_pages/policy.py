"""Policy: pass / warn / fail per rule of the institution's micro-credential policy."""

from __future__ import annotations

import streamlit as st

from align.exceptions import AlignError
from app_pages import _state, _ui

st.title("Policy")
w = _ui.require_proposal()
if w is None:
    st.stop()
_ui.caption_source(w)

up = st.file_uploader(
    "Your institution's policy file (YAML); without one, the built-in default policy is used",
    type=["yaml", "yml"],
    key="policy_upload",
    max_upload_size=1,
)
upload = None
policy_text = _state.default_policy_text()
policy_name = "the built-in default policy"
if up is not None:
    upload = (up.name, up.getvalue())
    policy_text = up.getvalue().decode("utf-8-sig", errors="replace")
    policy_name = up.name

try:
    report = _state.score(w)
    checks = _state.policy(w, report, upload)  # read from a temporary file of this call
except AlignError as exc:
    _ui.error(exc)
    st.stop()

table = checks.to_frame()
counts = table["status"].value_counts()
c1, c2, c3 = st.columns(3)
c1.metric("Pass", int(counts.get("pass", 0)))
c2.metric("Warn", int(counts.get("warn", 0)))
c3.metric("Fail", int(counts.get("fail", 0)))
if checks.passed:
    st.success("The proposal meets the policy (warnings are worth a look).")
else:
    st.error("The proposal fails at least one rule of the policy; see the table.")
order = {"fail": 0, "warn": 1, "pass": 2}
table = table.sort_values("status", key=lambda s: s.map(order), kind="stable")
st.dataframe(
    table,
    hide_index=True,
    key="policy_table",
    column_config={
        "status": st.column_config.TextColumn("status", help="pass, warn or fail"),
        "message": st.column_config.TextColumn("message", width="large"),
    },
)
with st.expander(f"Policy file: {_ui.plain(policy_name)}"):
    st.code(policy_text, language="yaml")
