"""Review: the rubric form, with align's evidence and suggested rating beside each criterion."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from align.exceptions import AlignError
from app_pages import _ui, _workflow

st.title("Review")
st.write(
    "The proposals assigned to you. Rate each criterion of the rubric; beside it is what "
    "align found in the proposal and the rating it suggests. Suggestions are evidence, not "
    "decisions: your rating is yours. The committee advises; an approver decides."
)
flash = st.session_state.pop("rv_flash", None)
if flash:
    st.success(_ui.plain(flash), icon=":material/check_circle:")

try:
    mine = _workflow.assigned_to_me()
except AlignError as exc:
    _ui.error(exc)
    st.stop()
if mine.empty:
    st.info("No proposal is assigned to you. The office assigns reviewers by discipline.")
    st.stop()
label = {
    r.id: f"{r.title} ({r.id}) · {r.status}" + (" · rated" if r.submitted else "")
    for r in mine.itertuples()
}
pid = st.selectbox("Assigned to you", list(label), key="rv_pick", format_func=label.get)
rec = _workflow.record(pid)
st.markdown(_ui.status_line(rec.status))
if rec.status != "in-review":
    st.info("Ratings are recorded while a proposal is in review; this one is past that.")

try:
    with st.spinner("Gathering the evidence (scores the proposal once)..."):
        evidence, report = _workflow.evidence(pid)
except AlignError as exc:
    _ui.error(exc)
    st.stop()
rubric = evidence.rubric
st.metric("Workforce alignment (align's score)", f"{report.overall:.0f} / 100")
before = _workflow.my_latest_review(pid)
previous = {r.criterion: (r.rating, r.comment) for r in before.itertuples(index=False)}
if len(before):
    st.caption(
        f"You rated it on {_ui.plain(str(before['submitted_at'].iloc[0])[:10])}; submitting "
        "again replaces your ratings in the summary (the earlier ones are kept)."
    )

scale = [None, *sorted(rubric.scale, reverse=True)]


def _label(v: int | None) -> str:
    return "not rated" if v is None else f"{v} · {rubric.label(v)}"


with st.form(f"rv_form_{pid}"):
    for item in evidence.items:
        c = item.criterion
        with st.container(border=True):
            left, right = st.columns([3, 2])
            left.markdown(f"**{_ui.plain(c.name)}**")
            if c.question:
                left.caption(_ui.plain(c.question))
            for line in item.evidence:
                left.markdown(f"- {_ui.plain(line)}")
            if item.suggested is not None:
                left.markdown(
                    f":blue-badge[align suggests {_ui.plain(_label(item.suggested))}] "
                    f"{_ui.plain(item.reason)}"
                )
            old_rating, old_comment = previous.get(c.id, (None, ""))
            start = old_rating if old_rating is not None and not pd.isna(old_rating) else None
            start = int(start) if start is not None else item.suggested
            right.selectbox(
                "Your rating", scale, index=scale.index(start) if start in scale else 0,
                format_func=_label, key=f"rv_{pid}_{c.id}_rating",
            )  # fmt: skip
            right.text_area(
                "Comment", value=old_comment or "", key=f"rv_{pid}_{c.id}_comment", height=80
            )
    overall = st.text_area("Overall comment", key=f"rv_{pid}_overall")
    sent = st.form_submit_button(
        "Submit my review", type="primary", disabled=rec.status != "in-review"
    )
if sent:
    ss = st.session_state
    ratings = {
        item.criterion.id: (
            ss[f"rv_{pid}_{item.criterion.id}_rating"],
            ss[f"rv_{pid}_{item.criterion.id}_comment"],
        )
        for item in evidence.items
    }
    try:
        _workflow.record_review(pid, ratings, overall)
    except AlignError as exc:
        _ui.error(exc)
    else:
        st.session_state["rv_flash"] = f"Your review of {rec.title} is recorded."
        st.rerun()
