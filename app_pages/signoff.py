"""Sign-off: the department chair or dean signs submitted proposals off, or returns them."""

from __future__ import annotations

import streamlit as st

from align.exceptions import AlignError
from app_pages import _session, _state, _ui, _workflow

st.title("Sign-off")
st.write(
    "Proposals of your department submitted for your sign-off. Signing off sends a proposal "
    "to the office, which assigns the review committee; returning it sends it back to its "
    "author with what to change."
)
flash = st.session_state.pop("so_flash", None)
if flash:
    st.success(_ui.plain(flash), icon=":material/check_circle:")

try:
    queue = _workflow.proposals(status="submitted")
    queue = queue[[("sign-off" in _workflow.allowed(pid)) for pid in queue["id"]]]
except AlignError as exc:
    _ui.error(exc)
    st.stop()
if queue.empty:
    st.info("Nothing waits for your sign-off.")
    st.stop()
titles = dict(zip(queue["id"], queue["title"], strict=False))
pid = st.selectbox(
    "Waiting for you", list(titles), key="so_pick", format_func=lambda i: f"{titles[i]} ({i})"
)
rec = _workflow.record(pid)
w = _session.open_proposal(pid)
st.markdown(
    f"**{_ui.plain(rec.title)}** · {_ui.plain(rec.department)} · by {_ui.plain(rec.author)} · "
    f"version {rec.version}"
)
st.markdown(_ui.status_line(rec.status))
if w.proposal.description:
    st.write(_ui.plain(w.proposal.description))
st.dataframe(
    [{"outcome": o.id, "text": o.text, "assessment": o.assessment} for o in w.proposal.outcomes],
    hide_index=True,
    key="so_outcomes",
)
try:
    with st.spinner("Scoring the proposal..."):
        report = _state.score(w)
        checks = _state.policy(w, report).to_frame()
except AlignError as exc:
    _ui.error(exc)
else:
    counts = checks["status"].value_counts()
    m1, m2, m3 = st.columns(3)
    m1.metric("Workforce alignment", f"{report.overall:.0f} / 100")
    m2.metric("Policy: fail", int(counts.get("fail", 0)))
    m3.metric("Policy: warn", int(counts.get("warn", 0)))

with st.form("so_form"):
    comment = st.text_area(
        "Comment", key="so_comment", help="Required when you return it: what should change?"
    )
    a, b = st.columns(2)
    sign = a.form_submit_button("Sign off", type="primary", icon=":material/approval:")
    back = b.form_submit_button("Return to the author", icon=":material/undo:")
if sign or back:
    try:
        if sign:
            _workflow.sign_off(pid, comment)
            st.session_state["so_flash"] = f"Signed off {rec.title}; the office assigns reviewers."
        else:
            _workflow.return_to_author(pid, comment)
            st.session_state["so_flash"] = f"Returned {rec.title} to {rec.author}."
    except AlignError as exc:
        _ui.error(exc)
    else:
        st.rerun()
