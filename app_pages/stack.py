"""Stack and gaps: what a stack of credentials covers of its target, and what is missing.

Stacks are built from proposals in the store (or uploaded with their members written
inline); nothing names a file on the server.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from align.exceptions import AlignError
from app_pages import _state, _ui

st.title("Stack and gaps")
st.write(
    "A stack lists credentials that build toward a larger badge, certificate or degree. "
    "Pick one of your stacks (or build one from proposals in the store, or upload one whose "
    "members are written inline) to see which of the target's competencies each credential "
    "covers, the gaps, and a suggested next credential."
)

saved = _state.stored_stacks()
sources = ["an example stack", "a stack I saved", "a new stack from proposals", "an uploaded file"]
how = st.radio("Analyse", sources, key="stack_how", horizontal=True)
stack: Any = None
target: Any = None
try:
    if how == sources[0]:
        name = st.selectbox(
            "Example stack", _state.example_stacks(), key="stack_pick", index=None,
            placeholder="choose a stack",
        )  # fmt: skip
        if name:
            stack, target = _state.stack_from_example(name)
    elif how == sources[1]:
        if saved.empty:
            st.info("You have not saved a stack yet; build one from proposals.")
        else:
            titles = dict(zip(saved["id"], saved["title"], strict=False))
            sid = st.selectbox(
                "Your stacks", list(titles), key="stack_saved", format_func=titles.get
            )
            stack, target = _state.stack_from_store(sid)
    elif how == sources[2]:
        props = _state.visible_proposals()
        labels = dict(zip(props["id"], props["title"], strict=False))
        with st.form("stack_form"):
            title = st.text_input("Stack title", key="stack_title")
            members = st.multiselect(
                "Credentials in the stack", list(labels), key="stack_members",
                format_func=lambda i: f"{labels[i]} ({i})",
            )  # fmt: skip
            goal = st.text_input(
                "Target",
                key="stack_target",
                placeholder="onet:29-1141.00, nace, cmc, or the id of a larger proposal",
            )
            credits = st.number_input("Credits needed (optional)", min_value=0.0, key="stack_cr")
            go = st.form_submit_button("Save and analyse", type="primary")
        if go:
            sid = _state.save_stack(title, members, goal, credits or None)
            st.session_state["stack_saved"] = sid
            stack, target = _state.stack_from_store(sid)
    else:
        up = st.file_uploader(
            "Stack file (YAML/JSON; members inline or by proposal id)",
            type=["yaml", "yml", "json"], key="stack_upload", max_upload_size=1,
        )  # fmt: skip
        if up is not None:
            stack, target = _state.stack_from_upload(up.name, up.getvalue())
except AlignError as exc:
    _ui.error(exc)
    st.stop()

if stack is None:
    st.stop()
if target is None:
    _ui.error("This stack names no target; give one (an occupation, nace, cmc or a proposal).")
    st.stop()

try:
    with st.spinner("Matching every credential's outcomes to the target..."):
        gaps = _state.stacking_gaps(stack, target)
except AlignError as exc:
    _ui.error(exc)
    st.stop()

st.caption(f"Stack: {_ui.plain(gaps.stack)} · target: {_ui.plain(gaps.target)}")
m1, m2 = st.columns(2)
m1.metric("Target covered", f"{100 * gaps.covered_share:.0f} %")
m2.metric("Credits", f"{gaps.credits:g}" + (f" of {gaps.threshold:g}" if gaps.threshold else ""))

st.subheader("Coverage: credentials × target competencies")
table = gaps.to_frame("gaps")
labels_by_id = dict(zip(table["id"], table["label"], strict=False))
cov = _ui.by_label(gaps.coverage, labels_by_id)
fig = _ui.coverage_heatmap(cov)
left, right = st.columns([3, 2])
left.plotly_chart(fig, key="coverage_chart", config={"displaylogo": False})
right.dataframe(cov.round(2), key="coverage_table")

st.subheader("Gaps, largest first")
st.dataframe(
    table[["label", "kind", "weight", "coverage", "gap", "covered_by"]].round(3),
    hide_index=True,
    key="gaps_table",
)

st.subheader("Suggested next credential")
if not gaps.suggestions:
    st.success("The stack covers its target; no further credential is suggested.")
for s in gaps.suggestions:
    with st.container(border=True):
        st.markdown(f"**{_ui.plain(s['title'])}** (covers weight {s['weight']:.2f})")
        st.caption("Covers: " + _ui.plain(", ".join(map(str, s["covers"]))))
        for o in s["outcomes"]:
            st.markdown(f"- {_ui.plain(o)}")

st.subheader("Suggested order")
st.dataframe(gaps.to_frame("order"), hide_index=True, key="order_table")
