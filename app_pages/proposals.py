"""My proposals: every proposal the person may see, its status and steps, versions with a diff."""

from __future__ import annotations

import streamlit as st

from align.exceptions import AlignError
from app_pages import _session, _ui, _workflow

who = _session.person()
st.title("My proposals")
_session.current()  # restores ?proposal= after a reload (and opens the example in `make run`)
problem = st.session_state.pop("open_error", None)
if problem:
    _ui.error(problem)
flash = st.session_state.pop("list_flash", None)
if flash:
    st.success(_ui.plain(flash), icon=":material/check_circle:")

f1, f2, f3 = st.columns([3, 2, 1], vertical_alignment="bottom")
search = f1.text_input("Search", key="pl_search", placeholder="title, id, department or author")
status = f2.selectbox(
    "Status", ["", *_workflow.STATUSES], key="pl_status", format_func=lambda s: s or "any status"
)
if (who.has("author") or who.has("office")) and f3.button(
    "New proposal", key="pl_new", icon=":material/add:"
):
    _session.close()
    st.switch_page("app_pages/proposal.py")

try:
    table = _workflow.proposals(search, status or None)
except AlignError as exc:
    _ui.error(exc)
    st.stop()
if table.empty:
    st.info(
        "No proposal matches."
        if search or status
        else "No proposals yet. Start one with New proposal (or upload a file on the "
        "Proposal page)."
    )
    st.stop()
st.dataframe(
    table[["title", "status", "version", "author", "department", "updated_at", "id"]],
    hide_index=True,
    key="pl_table",
)

ids = table["id"].tolist()
titles = dict(zip(table["id"], table["title"], strict=False))
w = st.session_state.get("working")
default = ids.index(w.key) if w is not None and w.key in ids else 0
pid = st.selectbox(
    "Proposal", ids, index=default, key="pl_pick", format_func=lambda i: f"{titles[i]} ({i})"
)
try:
    rec = _workflow.record(pid)
    steps = _workflow.allowed(pid)
except AlignError as exc:
    _ui.error(exc)
    st.stop()

with st.container(border=True):
    st.markdown(f"**{_ui.plain(rec.title)}** · version {rec.version} · by {_ui.plain(rec.author)}")
    st.markdown(_ui.status_line(rec.status))
    st.caption(f"Next: {_ui.plain(_workflow.next_steps(rec.status))}.")
    b1, b2 = st.columns([1, 3])
    if (who.has("author") or who.has("office")) and b1.button(
        "Open", key="pl_open", type="primary", icon=":material/edit_document:"
    ):
        _session.open_by_id(pid)
        st.switch_page("app_pages/proposal.py")
    if "submit" in steps:
        with b2.form("pl_submit_form", border=False):
            note = st.text_input("Note for the chair (optional)", key="pl_submit_note")
            if st.form_submit_button("Submit for sign-off", icon=":material/send:"):
                try:
                    _workflow.submit(pid, note)
                except AlignError as exc:
                    _ui.error(exc)
                else:
                    st.session_state["list_flash"] = f"Submitted {rec.title} for sign-off."
                    st.rerun()

st.subheader("Steps so far")
hist = _workflow.history(pid)
if hist.empty:
    st.caption("None yet: it is a draft.")
else:
    st.dataframe(hist, hide_index=True, key="pl_history")
fb = _workflow.feedback(pid)
if len(fb):
    st.subheader("The committee's feedback")
    for f in fb.itertuples(index=False):
        st.caption(f"Sent {_ui.plain(str(f.created_at)[:10])} by {_ui.plain(f.author)}")
        st.text(f.text)
d = _workflow.decision(pid)
if d is not None:
    st.markdown(
        f"**Decision:** {_ui.plain(d.decision)} on {_ui.plain(d.decided_on)} by the "
        f"{_ui.plain(d.body)}" + (f": {_ui.plain(d.note)}" if d.note else "")
    )

st.subheader("Versions")
vers = _workflow.versions(pid)
st.dataframe(vers, hide_index=True, key="pl_versions")
numbers = vers["version"].tolist()
if len(numbers) > 1:
    c1, c2 = st.columns(2)
    old = c1.selectbox("Compare version", numbers, index=1, key="pl_old")
    new = c2.selectbox("with version", numbers, index=0, key="pl_new_version")
    text = _workflow.diff(pid, int(old), int(new))
    st.code(text or "(the two versions are the same)", language="diff")
    if _session.store().can_edit(pid, actor=who):
        r1, r2 = st.columns([2, 3], vertical_alignment="bottom")
        back = r1.selectbox("Restore version", numbers[1:], key="pl_restore_pick")
        if r2.button("Restore it as the newest version", key="pl_restore"):
            try:
                done = _workflow.restore(pid, int(back), rec.version)
            except AlignError as exc:
                _ui.error(exc)
            else:
                st.session_state["list_flash"] = (
                    f"Version {back} restored as version {done.version}; nothing was deleted."
                )
                st.rerun()
