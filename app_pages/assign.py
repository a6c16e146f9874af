"""Assign reviewers (office): the review committee by discipline, conflicts of interest, and
the committee's feedback once the reviewers have rated."""

from __future__ import annotations

import streamlit as st

from align.exceptions import AlignError
from app_pages import _ui, _workflow

st.title("Assign reviewers")
st.write(
    "Signed-off proposals wait here for their review committee. Choose the discipline: its "
    "reviewers are proposed, those with a conflict of interest left out. When they have "
    "rated, send the committee's feedback; the approver decides next."
)
flash = st.session_state.pop("as_flash", None)
if flash:
    st.success(_ui.plain(flash), icon=":material/check_circle:")

try:
    waiting = _workflow.proposals(status="signed-off")
    reviewing = _workflow.proposals(status="in-review")
except AlignError as exc:
    _ui.error(exc)
    st.stop()
queue = {
    **{r.id: f"{r.title} ({r.id}) · waiting for reviewers" for r in waiting.itertuples()},
    **{r.id: f"{r.title} ({r.id}) · in review" for r in reviewing.itertuples()},
}
if not queue:
    st.info("No proposal waits for reviewers or feedback.")
    st.stop()
pid = st.selectbox("Proposal", list(queue), key="as_pick", format_func=queue.get)
rec = _workflow.record(pid)
st.markdown(
    f"**{_ui.plain(rec.title)}** · {_ui.plain(rec.department)} · by {_ui.plain(rec.author)}"
)
st.markdown(_ui.status_line(rec.status))

assigned = _workflow.assignments(pid)
if len(assigned):
    st.subheader("Assigned")
    st.dataframe(assigned, hide_index=True, key="as_assigned")

st.subheader("Assign by discipline")
known = _workflow.disciplines()
d1, d2 = st.columns(2)
discipline = d1.selectbox(
    "Discipline", known, key="as_discipline", index=None, placeholder="choose a discipline"
)
typed = d2.text_input("or another discipline", key="as_discipline_typed")
discipline = (typed.strip().lower() or discipline or "").strip()
if discipline:
    try:
        cands = _workflow.candidates(pid, discipline)
    except AlignError as exc:
        _ui.error(exc)
        cands = None
    if cands is not None and cands.empty:
        st.info(f"Nobody reviews {_ui.plain(discipline)} yet; add a reviewer below.")
    elif cands is not None:
        st.dataframe(cands, hide_index=True, key="as_candidates")
        free = cands[(cands["conflict"] == "") & ~cands["assigned"]]["name"].tolist()
        chosen = st.multiselect(
            "Reviewers to assign", cands[cands["conflict"] == ""]["name"].tolist(),
            default=free, key=f"as_reviewers_{pid}_{discipline}",
        )  # fmt: skip
        if st.button("Assign", key="as_go", type="primary", disabled=not chosen):
            try:
                names = _workflow.assign(pid, discipline, chosen)
            except AlignError as exc:
                _ui.error(exc)
            else:
                st.session_state["as_flash"] = f"Assigned: {', '.join(names)}."
                st.rerun()

with st.expander("Declare a conflict of interest"):
    reviewers = _workflow.people()
    names = reviewers[reviewers["roles"].str.contains("reviewer")]["name"].tolist()
    c1, c2 = st.columns(2)
    who = c1.selectbox("Reviewer", names, key="cf_reviewer", index=None)
    scope = c2.radio(
        "Conflict with", ["this proposal", "every proposal of a department"], key="cf_scope"
    )
    dept = st.text_input("Department", value=rec.department, key="cf_department")
    reason = st.text_input("Reason", key="cf_reason", placeholder="e.g. same department")
    if st.button("Declare the conflict", key="cf_go", disabled=who is None):
        try:
            if scope == "this proposal":
                _workflow.declare_conflict(str(who), pid=pid, reason=reason)
            else:
                _workflow.declare_conflict(str(who), department=dept, reason=reason)
        except AlignError as exc:
            _ui.error(exc)
        else:
            st.session_state["as_flash"] = f"Conflict recorded for {who}."
            st.rerun()
    table = _workflow.conflicts()
    if len(table):
        st.dataframe(table, hide_index=True, key="cf_table")

with st.expander("Add a reviewer"), st.form("rv_add"):
    n = st.text_input("Name", key="rv_name")
    disc = st.text_input("Disciplines (comma-separated)", key="rv_disciplines")
    dep = st.text_input("Their department", key="rv_department")
    if st.form_submit_button("Add the reviewer"):
        try:
            _workflow.add_reviewer(n, [d for d in disc.split(",") if d.strip()], dep)
        except AlignError as exc:
            _ui.error(exc)
        else:
            st.session_state["as_flash"] = f"{n} reviews {disc}."
            st.rerun()

if rec.status == "in-review":
    st.subheader("The committee's feedback")
    summary = _workflow.summary(pid)
    shown = summary.assign(comments=summary["comments"].map("; ".join))
    st.dataframe(shown, hide_index=True, key="fb_summary")
    pending = assigned[~assigned["submitted"]]["reviewer"].tolist() if len(assigned) else []
    if pending:
        st.warning(
            "Not rated yet: " + _ui.plain(", ".join(pending)) + ". You can still send the "
            "feedback of those who have.",
            icon=":material/hourglass:",
        )
    draft_key = f"fb_text_{pid}"
    if draft_key not in st.session_state:
        st.session_state[draft_key] = _workflow.draft_feedback(pid)
    text = st.text_area("Feedback to send", key=draft_key, height=220)
    if st.button("Send the feedback", key="fb_send", type="primary", icon=":material/send:"):
        try:
            _workflow.send_feedback(pid, text)
        except AlignError as exc:
            _ui.error(exc)
        else:
            st.session_state["as_flash"] = f"Feedback sent for {rec.title}; an approver decides."
            st.rerun()
