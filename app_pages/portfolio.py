"""Portfolio (office view): every proposal in a folder against regional demand."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from align.exceptions import AlignError
from app_pages import _state, _ui

st.title("Portfolio")
st.write(
    "Which demanded skills the institution's credentials cover, and which none does. Every "
    "proposal file in the folder (and below) is read; stack files are skipped."
)
p1, p2 = st.columns(2)
folder = p1.text_input("Folder of proposal files", value=str(_state.EXAMPLES), key="pf_folder")
db = p2.text_input(
    "Postings database for regional demand (optional)",
    value=os.environ.get("ALIGN_POSTINGS_DB", ""),
    key="pf_db",
)
q1, q2, q3 = st.columns(3)
occ = q1.text_input("Occupations (codes or prefixes)", value="", key="pf_occ")
region = q2.text_input("Region", value="", key="pf_region")
period = q3.text_input("Period", value="", key="pf_period")
if not st.button("Analyse the portfolio", key="pf_go", type="primary") and not st.session_state.get(
    "pf_done"
):
    st.stop()
st.session_state["pf_done"] = True

try:
    demand = None
    if db.strip():
        codes = [c.strip() for c in occ.split(",") if c.strip()]
        demand = _state.skill_demand(db.strip(), codes, region.strip(), period.strip())
    with st.spinner("Matching every credential to the demanded skills..."):
        report = _state.portfolio(Path(folder.strip()), demand)
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
