"""Stack and gaps: what a stack of credentials covers of its target, and what is missing."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from align.exceptions import AlignError
from app_pages import _state, _ui

st.title("Stack and gaps")
st.write(
    "A stack lists credentials that build toward a larger badge, certificate or degree. "
    "Pick a stack file (or upload one whose members are written inline) to see which of the "
    "target's competencies each credential covers, the gaps, and a suggested next credential."
)

stacks = sorted(_state.EXAMPLES.glob("*stack*.yaml")) + sorted(
    (_state.workdir() / "stacks").glob("*.y*ml")
)
s1, s2 = st.columns(2)
choice = s1.selectbox(
    "Stack file",
    stacks,
    format_func=lambda p: p.name,
    key="stack_pick",
    index=None,
    placeholder="choose a stack",
)
up = s2.file_uploader(
    "Or upload a stack (YAML/JSON, members inline)",
    type=list(_state.UPLOAD_TYPES),
    key="stack_upload",
    max_upload_size=1,
)
path: Path | None = choice
if up is not None:
    try:
        path = _state.save_upload(up.name, up.getvalue(), "stacks")
    except AlignError as exc:
        _ui.error(exc)
        st.stop()

if path is None:
    st.info("Choose a stack file to analyse.")
    st.stop()

try:
    with st.spinner("Matching every credential's outcomes to the target..."):
        gaps = _state.stacking_gaps(path)
except AlignError as exc:
    _ui.error(exc)
    st.stop()

st.caption(f"Stack: {_ui.plain(gaps.stack)} · target: {_ui.plain(gaps.target)}")
m1, m2 = st.columns(2)
m1.metric("Target covered", f"{100 * gaps.covered_share:.0f} %")
m2.metric("Credits", f"{gaps.credits:g}" + (f" of {gaps.threshold:g}" if gaps.threshold else ""))

st.subheader("Coverage: credentials × target competencies")
table = gaps.to_frame("gaps")
labels = dict(zip(table["id"], table["label"], strict=False))
cov = _ui.by_label(gaps.coverage, labels)
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
