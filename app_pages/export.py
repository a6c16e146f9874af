"""Export: the proposal with its reviewed alignments, and the alignment report."""

from __future__ import annotations

import streamlit as st

from align.exceptions import AlignError
from app_pages import _session, _state, _ui

st.title("Export")
w = _ui.require_proposal()
if w is None:
    st.stop()
_ui.caption_source(w)

try:
    report = _state.score(w)
except AlignError as exc:
    _ui.error(exc)
    st.stop()

st.subheader("Proposal")
st.download_button(
    "Proposal with reviewed alignments (YAML)",
    data=w.text(),
    file_name=f"{w.key}.yaml",
    mime="application/x-yaml",
    key="dl_proposal",
    icon=":material/download:",
)
st.subheader("Alignment report")
st.caption(f"Overall {report.overall:.0f} / 100; every component, match and demanded skill.")
e1, e2, e3 = st.columns(3)
e1.download_button(
    "Report (HTML)",
    data=_state.report_html(report),
    file_name=f"{w.key}-alignment.html",
    mime="text/html",
    key="dl_html",
    icon=":material/download:",
)
e2.download_button(
    "Report (JSON)",
    data=report.to_json(),
    file_name=f"{w.key}-alignment.json",
    mime="application/json",
    key="dl_json",
    icon=":material/download:",
)
e3.download_button(
    "Reviewed alignments (CSV)",
    data=_state.csv_bytes(_session.alignments_frame(w)),
    file_name=f"{w.key}-alignments.csv",
    mime="text/csv",
    key="dl_csv",
    icon=":material/download:",
)
st.subheader("Badges and committee evidence")
formats = _state.badge_formats()
if not formats:
    st.info(
        "Open Badges 3.0 / 2.0, Credly, CASE and the committee evidence packet appear here "
        "once this version of align includes its exports."
    )
    st.stop()
accepted = sum(a.get("status") == "accepted" for a in w.alignments)
pending = len(getattr(w.proposal, "unreviewed_alignments", []) or [])
if accepted:
    st.caption(f"Badges carry the {accepted} alignment(s) faculty accepted on the Matches page.")
    if pending:
        st.warning(
            f"{pending} alignment(s) read from an unreviewed badge are not reviewed yet; badges "
            "carry them marked unreviewed.",
            icon=":material/warning:",
        )
else:
    st.warning(
        "No match has been accepted yet, so badges carry the matcher's best suggestions, "
        "marked unreviewed. Review them on the Matches page first.",
        icon=":material/warning:",
    )
fmt = st.selectbox(
    "Format", list(formats), format_func=lambda f: f"{f}: {formats[f]}", key="badge_format"
)
with st.expander("Where the badge will live (Open Badges 2.0, Credly and the registry need these)"):
    b1, b2 = st.columns(2)
    options = {
        "issuer_url": b1.text_input("Issuer profile URL", key="opt_issuer_url"),
        "issuer_name": b2.text_input(
            "Issuer name", key="opt_issuer_name", placeholder=w.proposal.issuing_unit
        ),
        "base_url": b1.text_input("Base URL of the badge's pages", key="opt_base_url"),
        "criteria_url": b2.text_input("Earning criteria page", key="opt_criteria_url"),
        "image_url": b1.text_input("Badge image URL", key="opt_image_url"),
    }
    if fmt == "ctdl":
        options["organization_ctid"] = b2.text_input(
            "Organization CTID in the Credential Engine registry",
            key="opt_org_ctid",
            placeholder="ce-...",
        )
        options["registry"] = b1.selectbox(
            "Registry", ["sandbox", "production"], key="opt_registry"
        )
try:
    text, problems, notes = _state.badge_export(w, fmt, report, options)
except AlignError as exc:
    _ui.error(exc)
else:
    for note in notes:
        _ui.warn(note)
    errors = [p for p in problems if p.level == "error"]
    for p in problems:
        if p.level != "error":
            _ui.warn(f"{p.subject}: {p.message}")
    if errors:
        st.error(f"The {fmt} export would be rejected; fix these first:", icon=":material/error:")
        st.dataframe(
            [{"rule": p.rule, "subject": p.subject, "message": p.message} for p in errors],
            hide_index=True,
            key="badge_problems",
        )
    else:
        ext = "csv" if fmt == "csv" else "json"
        st.download_button(
            f"Badge export ({fmt})",
            data=text,
            file_name=f"{w.key}-{fmt}.{ext}",
            mime="text/csv" if ext == "csv" else "application/json",
            key="dl_badge",
            icon=":material/download:",
        )
        with st.expander("Preview"):
            st.code(text[:20000], language="json" if ext == "json" else None)
try:
    packet = _state.committee_html(w, report)
except AlignError as exc:
    _ui.error(exc)
else:
    if packet is not None:
        st.download_button(
            "Committee evidence packet (HTML)",
            data=packet,
            file_name=f"{w.key}-committee.html",
            mime="text/html",
            key="dl_committee",
            icon=":material/download:",
        )
