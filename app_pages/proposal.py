"""Proposal: upload a YAML/JSON proposal or fill in the form; download it as YAML."""

from __future__ import annotations

from typing import Any

import streamlit as st

from align.exceptions import AlignError, ProposalError
from align.proposals import COLLABORATION_LEVELS, DEFAULT_TYPES
from app_pages import _session, _state, _ui

st.title("Proposal")
_ui.conflict_box()
w = _session.current()

problem = st.session_state.pop("open_error", None)
if problem:
    _ui.error(problem)

# -- the open proposal ----------------------------------------------------------
if w is not None:
    with st.container(border=True):
        a, b, c = st.columns([5, 2, 1])
        a.markdown(f"**Open:** {_ui.plain(w.proposal.title)}")
        a.markdown(_ui.status_line(w.status))
        a.caption(
            f"{len(w.proposal.outcomes)} outcomes · {len(w.alignments)} reviewed alignments · "
            f"version {w.version} · by {_ui.plain(w.author)}"
        )
        b.download_button(
            "Download proposal (YAML)",
            data=w.text,  # made on click, not on every run of the page
            file_name=f"{w.key}.yaml",
            mime="application/x-yaml",
            key="download_yaml",
            icon=":material/download:",
        )
        if c.button("Close", key="close"):
            _session.close()
            st.rerun()
        can_submit = w.status in ("draft", "returned") and w.editable
        if can_submit and st.button(
            "Submit for sign-off", key="submit_proposal", icon=":material/send:"
        ):
            try:
                _session.submit(w)
            except AlignError as exc:
                _ui.error(exc)
            else:
                st.session_state["flash"] = f"Submitted {w.proposal.title} for sign-off."
                st.rerun()
    _ui.read_only_note(w)

upload_tab, form_tab = st.tabs(["Upload a file", "Fill in the form"])


# -- upload -----------------------------------------------------------------------
def _open(new: Any, as_version: bool | None = None) -> None:
    """Store the uploaded proposal and open it; ask first when one with its id is yours."""
    if as_version is None and _session.existing_editable(new.id):
        st.session_state["pending_upload"] = new
        return
    saved = _session.adopt(new, as_version_of=bool(as_version))
    st.session_state.pop("pending_upload", None)
    st.session_state.pop("form_for", None)
    how = f"version {saved.version}" if as_version else f"a new proposal ({saved.key})"
    st.session_state["flash"] = f"Opened {saved.proposal.title}; it is saved as {how}."


with upload_tab:
    st.write(
        "Upload a proposal written as YAML or JSON (at most 1 MB). The examples in "
        "`data/examples/` show every field."
    )
    up = st.file_uploader(
        "Proposal file", type=list(_session.UPLOAD_TYPES), key="upload", max_upload_size=1
    )
    if up is not None and st.session_state.get("upload_seen") != up.file_id:
        st.session_state["upload_seen"] = up.file_id
        try:
            _open(_session.read_upload(up.name, up.getvalue()))
        except AlignError as exc:
            st.session_state["upload_error"] = str(exc)
        else:
            st.session_state.pop("upload_error", None)
        st.rerun()
    if st.session_state.get("upload_error"):
        _ui.error(st.session_state["upload_error"])

    examples = sorted(p.name for p in _state.EXAMPLES.glob("*.yaml") if "stack" not in p.name)
    e1, e2 = st.columns([3, 1], vertical_alignment="bottom")
    pick = e1.selectbox("Or start from an example", examples, key="example_pick")
    if e2.button("Open example", key="open_example") and pick:
        path = _state.EXAMPLES / pick
        try:
            _open(_session.read_upload(pick, path.read_bytes()))
        except AlignError as exc:
            st.session_state["upload_error"] = str(exc)
        st.rerun()

    pending = st.session_state.get("pending_upload")
    if pending is not None:
        st.warning(
            f"You already have a proposal '{_ui.plain(pending.id)}' (it may hold reviewed "
            "matches). Save the file you opened as its next version (the old versions are "
            "kept), or keep it as a separate new proposal?",
            icon=":material/sync_problem:",
        )
        r1, r2, r3 = st.columns(3)
        if r1.button("Save as its next version", key="pending_replace"):
            _open(pending, as_version=True)
            st.rerun()
        if r2.button("Keep as a new proposal", key="pending_new"):
            _open(pending, as_version=False)
            st.rerun()
        if r3.button("Cancel, open the stored one", key="pending_keep"):
            st.session_state.pop("pending_upload", None)
            st.session_state.pop("form_for", None)
            _session.open_by_id(pending.id)
            st.rerun()

flash = st.session_state.pop("flash", None)
if flash:
    st.success(_ui.plain(flash), icon=":material/check_circle:")


# -- form -------------------------------------------------------------------------
def _lines(items: list[Any], fields: tuple[str, ...]) -> str:
    rows = []
    for it in items:
        d = it.model_dump(mode="json") if hasattr(it, "model_dump") else dict(it)
        rows.append(" | ".join(str(d.get(f) or "") for f in fields))
    return "\n".join(rows)


def _fill_form(w: _state.Working | None) -> None:
    """Put the open proposal's values into the form widgets (once per stored version, and again
    when Streamlit dropped the widgets' state: it does for widgets of a page not shown)."""
    marker = f"{w.key}@{w.version}" if w is not None else "blank"
    kept = all(k in st.session_state for k in ("f_title", "f_occupations", "f_frameworks"))
    if st.session_state.get("form_for") == marker and kept:
        return
    st.session_state["form_for"] = marker
    st.session_state.pop("form_errors", None)
    p = w.proposal if w is not None else None
    ss = st.session_state
    ss["f_title"] = p.title if p else ""
    ss["f_description"] = p.description if p else ""
    ss["f_issuing_unit"] = p.issuing_unit if p else ""
    ss["f_type"] = p.type if p and p.type in DEFAULT_TYPES else "academic"
    ss["f_credits"] = float(p.credits) if p else 0.0
    outs = list(p.outcomes) if p else []
    ss["n_outcomes"] = max(len(outs), 1)
    for i in range(max(len(outs), 1) + 20):
        o = outs[i] if i < len(outs) else None
        ss[f"f_o{i}_id"] = o.id if o else f"LO{i + 1}"
        ss[f"f_o{i}_text"] = o.text if o else ""
        ss[f"f_o{i}_assessment"] = o.assessment if o else ""
        ss[f"f_o{i}_evidence"] = o.evidence if o else ""
    codes = list(p.target_occupations) if p else []
    titles = _titles(codes)
    ss["occ_options"] = titles
    ss["f_occupations"] = codes
    ss["f_region"] = (p.region or "") if p else ""
    ss["f_frameworks"] = list(p.frameworks) if p else ["onet", "nace", "cmc"]
    ss["f_stacks_into"] = "\n".join(p.stacks_into) if p else ""
    ss["f_partners"] = _lines(p.partners, ("name", "level", "role")) if p else ""
    ss["f_endorsements"] = _lines(p.endorsements, ("by", "statement", "date")) if p else ""
    ss["f_expiry"] = p.expiry if p else None


def _titles(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    try:
        occ = _state.framework("onet").occupations.set_index("code")["title"]
    except AlignError:
        return {c: "" for c in codes}
    return {c: str(occ.get(c, "")) for c in codes}


def _errors_for(key: str) -> None:
    shown = st.session_state.setdefault("_errors_shown", set())
    for msg in st.session_state.get("form_errors", {}).get(key, []):
        st.error(_ui.plain(msg), icon=":material/error:")
        shown.add(key)


def _split(text: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|", len(fields) - 1)]
        row = {f: v for f, v in zip(fields, parts, strict=False) if v}
        rows.append(row)
    return rows


def _collect() -> dict[str, Any]:
    ss = st.session_state
    data: dict[str, Any] = {
        "title": ss["f_title"],
        "description": ss["f_description"],
        "issuing_unit": ss["f_issuing_unit"],
        "type": ss["f_type"],
        "credits": ss["f_credits"],
        "outcomes": [
            {
                "id": ss[f"f_o{i}_id"],
                "text": ss[f"f_o{i}_text"],
                "assessment": ss[f"f_o{i}_assessment"],
                "evidence": ss[f"f_o{i}_evidence"],
            }
            for i in range(ss["n_outcomes"])
            if ss[f"f_o{i}_text"].strip()
        ],
        "target_occupations": list(ss["f_occupations"]),
        "region": ss["f_region"] or None,
        "frameworks": list(ss["f_frameworks"]),
        "stacks_into": [s.strip() for s in ss["f_stacks_into"].splitlines() if s.strip()],
        "partners": _split(ss["f_partners"], ("name", "level", "role")),
        "endorsements": _split(ss["f_endorsements"], ("by", "statement", "date")),
        "expiry": ss["f_expiry"],
    }
    if w is not None and w.proposal.id:
        data["id"] = w.proposal.id  # editing keeps the file (and its reviewed matches)
    return data


with form_tab:
    _fill_form(w)
    st.session_state["_errors_shown"] = set()
    errs = st.session_state.get("form_errors", {})
    if errs:
        st.error(
            f"The proposal has {sum(len(v) for v in errs.values())} problem(s); each is shown "
            "beside its field below. Nothing was saved.",
            icon=":material/error:",
        )
    _errors_for("")
    _errors_for("(top level)")
    _errors_for("id")
    st.text_input("Title", key="f_title", help="What the credential is called (3+ characters)")
    _errors_for("title")
    st.text_area("Description", key="f_description", height=80)
    _errors_for("description")
    c1, c2, c3 = st.columns(3)
    c1.text_input("Issuing unit", key="f_issuing_unit", help="Department, school or office")
    with c1:
        _errors_for("issuing_unit")
    c2.selectbox(
        "Type",
        list(DEFAULT_TYPES),
        key="f_type",
        format_func=lambda t: f"{t}: {DEFAULT_TYPES[t]}",
    )
    with c2:
        _errors_for("type")
    c3.number_input("Credits", key="f_credits", min_value=0.0, step=1.0, help="0 for non-credit")
    with c3:
        _errors_for("credits")

    st.subheader("Learning outcomes")
    st.caption(
        "Start each outcome with an observable verb (analyze, design, present ...). "
        "Leave an outcome's text empty to remove it."
    )
    _errors_for("outcomes")
    for i in range(st.session_state["n_outcomes"]):
        with st.container(border=True):
            o1, o2 = st.columns([1, 6])
            o1.text_input("Id", key=f"f_o{i}_id")
            o2.text_area("Outcome", key=f"f_o{i}_text", height=68)
            o3, o4 = st.columns(2)
            o3.text_input("Assessment", key=f"f_o{i}_assessment")
            o4.text_input("Evidence (artifact learners produce)", key=f"f_o{i}_evidence")
            _errors_for(f"outcomes[{i + 1}]")
    if st.button("Add an outcome", key="add_outcome", icon=":material/add:"):
        st.session_state["n_outcomes"] += 1
        st.rerun()

    st.subheader("Target occupations")
    s1, s2 = st.columns([3, 2], vertical_alignment="bottom")
    query = s1.text_input(
        "Search O*NET titles and alternate titles",
        key="occ_query",
        placeholder="e.g. data analyst, nurse, web developer",
    )
    options: dict[str, str] = st.session_state.setdefault("occ_options", {})
    if query.strip():
        try:
            hits = _state.search_occupations(query.strip())
        except AlignError as exc:
            _ui.error(exc)
        else:
            if hits.empty:
                st.info("No O*NET occupation resembles that title; try other words.")
            for r in hits.itertuples(index=False):
                via = "" if r.matched_surface == r.label else f" (as '{r.matched_surface}')"
                h1, h2 = st.columns([5, 1])
                h1.write(f"{r.code} · {_ui.plain(r.label)}{_ui.plain(via)}")
                if h2.button("Add", key=f"occ_add_{r.code}"):
                    options[r.code] = str(r.label)
                    if r.code not in st.session_state["f_occupations"]:
                        st.session_state["f_occupations"] = [
                            *st.session_state["f_occupations"],
                            r.code,
                        ]
                    st.rerun()
    st.multiselect(
        "Target occupations (O*NET-SOC)",
        list(dict.fromkeys([*st.session_state["f_occupations"], *options])),
        key="f_occupations",
        format_func=lambda c: f"{c} {options.get(c, '')}".strip(),
    )
    _errors_for("target_occupations")
    r1, r2 = st.columns(2)
    r1.text_input("Region", key="f_region", help="State, MSA or county for postings demand")
    with r1:
        _errors_for("region")
    fw_options = list(dict.fromkeys([*_state.available_frameworks(), "nace", "cmc"]))
    r2.multiselect(
        "Frameworks to align to",
        list(dict.fromkeys([*fw_options, *st.session_state["f_frameworks"]])),
        key="f_frameworks",
        help="ESCO and Lightcast are large: the first score against them embeds their labels "
        "(minutes); O*NET is cut to the target occupations.",
    )
    with r2:
        _errors_for("frameworks")

    st.subheader("Stack, partners and endorsements")
    st.text_area("Stacks into (one per line)", key="f_stacks_into", height=68)
    _errors_for("stacks_into")
    levels = ", ".join(f"{k} = {v}" for k, v in COLLABORATION_LEVELS.items())
    st.text_area(
        "Partners: one per line, name | level | role",
        key="f_partners",
        height=80,
        help=f"level is one of: {levels}",
    )
    _errors_for("partners")
    for i in range(1, 30):
        _errors_for(f"partners[{i}]")
    st.text_area(
        "Endorsements: one per line, by | statement | date (2026-03-15)",
        key="f_endorsements",
        height=80,
    )
    _errors_for("endorsements")
    for i in range(1, 30):
        _errors_for(f"endorsements[{i}]")
    st.date_input("Review or expiry date", key="f_expiry")
    _errors_for("expiry")
    leftover = [
        m for k, msgs in errs.items() if k not in st.session_state["_errors_shown"] for m in msgs
    ]
    for m in leftover:
        _ui.error(m)

    locked = w is not None and not w.editable
    if st.button(
        "Check and save",
        key="save_form",
        type="primary",
        icon=":material/save:",
        disabled=locked,
        help="You may not edit this proposal" if locked else None,
    ):
        try:
            proposal = _state.proposal_from_fields(_collect())
        except ProposalError as exc:
            st.session_state["form_errors"] = _state.field_errors(exc)
            st.rerun()
        else:
            st.session_state.pop("form_errors", None)
            try:
                saved = _session.update_proposal(proposal)
            except _session.SaveConflict:
                st.rerun()
            except AlignError as exc:
                st.session_state["form_errors"] = {"": [str(exc)]}
                st.rerun()
            else:
                st.session_state["form_for"] = f"{saved.key}@{saved.version}"
                st.session_state["flash"] = (
                    f"Saved {saved.proposal.title} as version {saved.version}."
                )
                st.rerun()
