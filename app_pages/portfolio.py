"""Portfolio (office view): the store's proposals against O*NET or regional postings demand."""

from __future__ import annotations

import streamlit as st

from align.exceptions import AlignError
from app_pages import _state, _ui, _workflow

st.title("Portfolio")
st.write(
    "Which demanded skills the institution's credentials cover, and which none does. The "
    "credentials are the proposals in the store (choose which statuses count)."
)
p1, p2 = st.columns(2)
statuses = p1.multiselect(
    "Proposals with status",
    list(_workflow.STATUSES),
    default=["approved", "approved-with-changes"],
    key="pf_statuses",
    help="Approved credentials by default; add others to see a portfolio in the making.",
)
props = _state.visible_proposals()
props = props[props["status"].isin(statuses)] if statuses else props
p2.metric("Credentials", len(props))
use_postings = False
if _state.postings_db() is not None:
    use_postings = st.toggle("Demand from the office's postings database", key="pf_postings")
q1, q2, q3 = st.columns(3)
occ = q1.text_input("Occupations (codes or prefixes)", value="", key="pf_occ")
region = q2.text_input("Region", value="", key="pf_region")
period = q3.text_input("Period", value="", key="pf_period")
if not st.button("Analyse the portfolio", key="pf_go", type="primary") and not st.session_state.get(
    "pf_done"
):
    st.stop()
st.session_state["pf_done"] = True
if props.empty:
    st.info("No proposal has these statuses yet; choose other statuses.")
    st.stop()

try:
    demand = None
    if use_postings:
        codes = [c.strip() for c in occ.split(",") if c.strip()]
        demand = _state.skill_demand(codes, region.strip(), period.strip())
    with st.spinner("Matching every credential to the demanded skills..."):
        report = _state.portfolio(props["id"].tolist(), demand)
except AlignError as exc:
    _ui.error(exc)
    st.stop()

st.metric("Demand covered by the portfolio", f"{100 * report.covered_share:.0f} %")
skills = report.to_frame("skills")
st.subheader("Demanded skills")
uncovered = skills[skills["best_coverage"] <= 0]
st.markdown(f"**{len(uncovered)} of {len(skills)} demanded skills no credential covers.**")
st.dataframe(skills.round(3), hide_index=True, key="pf_skills")
st.subheader("Coverage: demanded skills × credentials")
labels = dict(zip(skills["id"], skills["label"], strict=False))
mat = _ui.by_label(report.matrix, labels)
fig = _ui.coverage_heatmap(mat)
_ui.chart_with_table(fig, mat.round(2).reset_index(names="skill"), "pf_matrix")
