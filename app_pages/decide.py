"""Decide: the approver reads the committee's ratings and feedback and records the decision."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from align.exceptions import AlignError
from app_pages import _session, _state, _ui, _workflow

st.title("Decide")
st.write(
    "Proposals whose committee feedback is sent. The committee rates and advises; you "
    "approve, approve with changes, or decline. The date is the day the decision was taken."
)
flash = st.session_state.pop("dc_flash", None)
if flash:
    st.success(_ui.plain(flash), icon=":material/check_circle:")

try:
    queue = _workflow.proposals(status="feedback-sent")
except AlignError as exc:
    _ui.error(exc)
    st.stop()
if queue.empty:
    st.info("No proposal waits for a decision.")
    st.stop()
titles = dict(zip(queue["id"], queue["title"], strict=False))
pid = st.selectbox(
    "Waiting for a decision", list(titles), key="dc_pick",
    format_func=lambda i: f"{titles[i]} ({i})",
)  # fmt: skip
rec = _workflow.record(pid)
st.markdown(
    f"**{_ui.plain(rec.title)}** · {_ui.plain(rec.department)} · by {_ui.plain(rec.author)} · "
    f"version {rec.version}"
)
try:
    report = _state.score(_session.open_proposal(pid))
    st.metric("Workforce alignment (align's score)", f"{report.overall:.0f} / 100")
except AlignError as exc:
    _ui.error(exc)

st.subheader("The committee's ratings")
summary = _workflow.summary(pid)
st.dataframe(
    summary.assign(comments=summary["comments"].map("; ".join)), hide_index=True,
    key="dc_summary",
)  # fmt: skip
overall = _workflow.reviews(pid).drop_duplicates("review_id")
for r in overall.itertuples(index=False):
    if str(r.review_comment).strip():
        st.markdown(f"**{_ui.plain(r.reviewer)}:** {_ui.plain(r.review_comment)}")
assigned = _workflow.assignments(pid)
pending = assigned[~assigned["submitted"]]["reviewer"].tolist()
if pending:
    st.caption("Did not rate: " + _ui.plain(", ".join(pending)))
st.subheader("Feedback sent")
for f in _workflow.feedback(pid).itertuples(index=False):
    st.text(f.text)

with st.form("dc_form"):
    decision = st.radio(
        "Decision", list(_workflow.DECISIONS), key="dc_decision",
        format_func=lambda d: f"{d}: {_workflow.DECISIONS[d]}",
    )  # fmt: skip
    c1, c2 = st.columns(2)
    day = c1.date_input("Decided on", value=dt.date.today(), key="dc_day")
    body = c2.text_input("Approving body", value="approving body", key="dc_body")
    note = st.text_area("Note (the changes asked for, the reasons)", key="dc_note")
    go = st.form_submit_button("Record the decision", type="primary", icon=":material/gavel:")
if go:
    try:
        d = _workflow.decide(pid, str(decision), day, body, note)
    except AlignError as exc:
        _ui.error(exc)
    else:
        st.session_state["dc_flash"] = f"{rec.title}: {d.decision} on {d.decided_on}."
        st.rerun()
