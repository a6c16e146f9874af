"""Alignment: the overall score, its components, demand covered and not, per-outcome hints."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from align.exceptions import AlignError
from align.proposals import BANDS
from app_pages import _state, _ui

st.title("Alignment")
w = _ui.require_proposal()
if w is None:
    st.stop()
_ui.caption_source(w)

# -- optional postings demand (the server's database; never a path typed by a visitor) ----
demand: pd.DataFrame | None = None
region = ""
with st.expander("Demand from job postings (optional)", expanded=False):
    st.caption(
        "Without postings, demand is what O*NET says the target occupations do (their task "
        "statements and work activities) and the tools they use. With the office's postings "
        "database, the most-asked skills in matching postings are used."
    )
    if _state.postings_db() is None:
        st.info(
            "This server has no postings database. The office names one when it starts the "
            "dashboard (ALIGN_POSTINGS_DB)."
        )
    else:
        d2, d3, d4 = st.columns([2, 1, 1])
        # 15-2051.00 and 15-2051.01 both filter as 15-2051: name it once.
        occ_default = ", ".join(
            dict.fromkeys(c.split(".")[0] for c in w.proposal.target_occupations)
        )
        occ = d2.text_input("Occupations (codes or prefixes)", value=occ_default, key="db_occ")
        region = d3.text_input("Region", value=w.proposal.region or "", key="db_region")
        period = d4.text_input("Period", value="", key="db_period", placeholder="2024, 2024Q2")
        if st.toggle("Score against the office's postings demand", key="use_postings"):
            codes = [c.strip() for c in occ.split(",") if c.strip()]
            try:
                with st.spinner("Counting skills in matching postings..."):
                    demand = _state.skill_demand(codes, region.strip(), period.strip())
            except AlignError as exc:
                _ui.error(exc)
            else:
                st.markdown(
                    f"**Skill demand** for {_ui.plain(occ)} in "
                    f"{_ui.plain(region or 'all regions')}, {_ui.plain(period or 'all dates')}: "
                    f"{int(demand.attrs.get('postings', 0)):,} postings with skill data. A skill "
                    "found in a posting's text counts where the posting asks for it, not where "
                    "it only names it (a company description, a team's name)."
                )
                coding = _state.coding_summary()
                if coding.title_coded or coding.reviewed:
                    st.caption(
                        f"Occupations: {coding.export_coded:,} postings coded by the export, "
                        f"{coding.title_coded + coding.reviewed:,} from their titles, of which "
                        f"**{coding.reviewed:,} reviewed** by an analyst "
                        f"({coding.reviewed_titles:,} titles) and {coding.low_confidence:,} "
                        "uncertain, not reviewed yet (`align postings occupations --review "
                        "review.csv`)."
                    )
                if demand.empty:
                    st.info("No postings match these filters; widen the region or the period.")
                    demand = None
                else:
                    cols = ["skill_name", "skill_type", "postings", "share", "trend", "generic"]
                    view = demand[cols]
                    fig = px.bar(
                        view.head(20).iloc[::-1],
                        x="share",
                        y="skill_name",
                        color="trend",
                        color_continuous_scale="RdBu",
                        color_continuous_midpoint=0,
                        orientation="h",
                        labels={"share": "share of postings", "skill_name": ""},
                        height=520,
                    )
                    _ui.chart_with_table(fig, view, "postings_demand")

try:
    with st.spinner("Scoring the proposal..."):
        report = _state.score(w, demand, (region.strip() or None) if demand is not None else None)
except AlignError as exc:
    _ui.error(exc)
    st.stop()

# -- overall, band and what would move it -------------------------------------------
_BAND_COLOUR = {"well aligned": "green", "partly aligned": "orange", "not aligned": "red"}
m1, m2, m3 = st.columns(3)
moved = report.overall - report.unreviewed_overall
m1.metric(
    "Overall alignment",
    f"{report.overall:.0f} / 100",
    delta=f"{moved:+.0f} from your decisions" if abs(moved) >= 0.5 else None,
    help="The score with the matches you accepted and rejected on the Matches page; "
    f"before them it was {report.unreviewed_overall:.0f}.",
)
bands = ", ".join(f"{name} from {low:.0f}" for name, low in BANDS if low > 0)
m2.markdown(
    f"**Band**  \n:{_BAND_COLOUR.get(report.band, 'gray')}-badge[{report.band}]  \n:gray[{bands}]"
)
src = {"onet": "O*NET", "postings": "job postings", "none": "none"}
m3.metric(
    "Demand from",
    src.get(report.basis.demand_source, "?"),
    help="O*NET: what the target occupations do (their work activities, matched through "
    "their own task statements) and the tools they use. Job postings: the skills matching "
    "postings ask for.",
)
if report.interval:
    st.caption(f"95 % interval over postings: {report.interval[0]:.0f} – {report.interval[1]:.0f}")
for note in report.notes:
    _ui.warn(note)
if report.next_steps:
    st.markdown(
        "**What would move it**\n\n"
        + "\n".join(f"- {_ui.plain(step)}" for step in report.next_steps)
    )

comps = report.to_frame("components")[["component", "value", "weight", "contribution", "meaning"]]
fig = px.bar(
    comps,
    x="contribution",
    y="component",
    orientation="h",
    text=comps["contribution"].map(lambda v: f"{v:.1f} pts"),
    labels={"contribution": "points of the overall score", "component": ""},
    height=280,
)
fig.update_xaxes(range=[0, 100 * comps["weight"].max() * 1.15])
st.subheader("Components")
_ui.chart_with_table(fig, comps.round(3), "components")

# -- demand covered / not covered ---------------------------------------------------
st.subheader("Demanded work")
st.caption(
    "What the target occupations do (O*NET work activities, in the occupation's own words) "
    "and the tools they use, heaviest first; coverage is the credit of the best outcome."
)
dem = report.to_frame("demand")
cols = ["label", "example", "kind", "weight", "coverage", "best_outcome"]
covered = dem[dem["coverage"] > 0][cols].sort_values("weight", ascending=False)
missing = dem[dem["coverage"] <= 0][cols].sort_values("weight", ascending=False)
c1, c2 = st.columns(2)
c1.markdown(f"**Covered** ({len(covered)})")
c1.dataframe(covered.round(3), hide_index=True, key="covered_table")
c2.markdown(f"**Not covered** ({len(missing)})")
c2.dataframe(missing.round(3), hide_index=True, key="missing_table")

# -- outcomes and rewrite hints -------------------------------------------------------
st.subheader("Outcomes")
outs = report.to_frame("outcomes")
try:
    checks = _state.policy(w, report).to_frame()
except AlignError:
    checks = pd.DataFrame(columns=["check", "status", "subject", "message"])
hints = checks[(checks["status"] != "pass") & checks["subject"].isin(outs["outcome_id"])]
outs["hints"] = [
    " ".join([h, *hints.loc[hints["subject"] == oid, "message"]]).strip()
    for oid, h in zip(outs["outcome_id"], outs["rewrite_hint"], strict=True)
]
st.dataframe(
    outs[["outcome_id", "text", "best_demand_score", "best_demand", "specificity", "hints"]].round(
        3
    ),
    hide_index=True,
    key="outcomes_table",
    column_config={
        "best_demand_score": st.column_config.ProgressColumn(
            "credit", min_value=0.0, max_value=1.0, format="%.2f"
        ),
        "best_demand": st.column_config.TextColumn("best demanded work"),
        "hints": st.column_config.TextColumn("why, and how to rewrite", width="large"),
    },
)
