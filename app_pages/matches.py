"""Matches: per outcome, the top competencies of the chosen frameworks; accept, reject, replace."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from align.exceptions import AlignError
from app_pages import _session, _state, _ui

st.title("Matches")
w = _ui.require_proposal()
if w is None:
    st.stop()
_ui.caption_source(w)
st.write(
    "For each learning outcome, the competencies of the chosen frameworks that match it best. "
    "Accept the ones the outcome really teaches, reject the others, or replace a match with "
    "one you find by searching the framework. Every decision is saved at once (a new "
    "version of the proposal), so badge exports and re-scoring use what you approved."
)
_ui.read_only_note(w)

#: Fragments a decision reruns: the score line, the outcome's block and the reviewed
#: table. Only these re-render after Accept / Reject / Undo, not every outcome.
HEADER, REVIEWED = "matches_score", "matches_reviewed"
#: Matches listed per outcome before "Show all" (best first; reviewed ones always show).
SHOWN = 4
_BADGE = {"accepted": ":green-badge[accepted]", "rejected": ":red-badge[rejected]"}


def _report() -> Any:
    """The alignment report of the working file's current version (cached per content)."""
    with st.spinner("Matching the outcomes (the first run embeds the frameworks)..."):
        return _state.score(w)


try:
    report = _report()
except AlignError as exc:
    _ui.error(exc)
    st.stop()

floor, full = report.settings.floor, report.settings.full
chosen = st.multiselect(
    "Frameworks shown", list(w.proposal.frameworks), default=list(w.proposal.frameworks)
)


@st.fragment(key=HEADER)
def score_header() -> None:
    n_acc = sum(a.get("status") == "accepted" for a in w.alignments)
    n_rej = sum(a.get("status") == "rejected" for a in w.alignments)
    try:
        overall = f"{_report().overall:.0f} / 100"
    except AlignError as exc:
        _ui.error(exc)
        overall = "not available"
    try:
        rep = _report()
        moved = rep.overall - rep.unreviewed_overall
        overall += (
            f" ({rep.band}; {rep.unreviewed_overall:.0f} before your decisions)"
            if abs(moved) >= 0.5
            else f" ({rep.band})"
        )
    except AlignError:
        pass
    st.caption(
        f"Reviewed so far: {n_acc} accepted, {n_rej} rejected. Overall alignment: {overall}."
    )


score_header()
st.caption(
    "Each match shows its similarity to the outcome; colour is its credit in the score: "
    f":green[green] full (the competency stands out {full:.1f} standard deviations or more "
    "above a typical work activity for this outcome), :orange[orange] partial, :gray[gray] "
    f"none (below {floor:.1f}). Accepting a match gives it full credit; rejecting it, none."
)


def _outcome_key(outcome: str) -> str:
    return f"matches_outcome_{outcome}"


def _act(row: pd.Series, outcome: str, status: str | None) -> None:
    # A button callback: it saves the decision before anything reruns, then reruns only
    # the score line, this outcome's block and the reviewed table (re-scored once: the
    # report is cached by the file's new content). On a conflict the whole page reruns,
    # so the box at the top asks what to do.
    try:
        _session.decide(w, row, outcome, status)
    except _session.SaveConflict:
        st.rerun()
    st.rerun([HEADER, _outcome_key(outcome), REVIEWED])


def outcome_block(o: Any) -> None:
    """One outcome: its matches with accept / reject / undo, and replace by searching."""
    try:
        matches: pd.DataFrame = _report().to_frame("matches")
    except AlignError as exc:
        _ui.error(exc)
        return
    mine = matches[(matches["outcome_id"] == o.id) & matches["framework"].isin(chosen)]
    mine = mine.sort_values(["credit", "standout"], ascending=False, kind="stable")
    with st.container(border=True):
        st.markdown(f"**{_ui.plain(o.id)}** · {_ui.plain(o.text)}")
        if mine.empty:
            st.caption("No match in the chosen frameworks.")
        show_all = st.session_state.get(f"all_{o.id}", False)
        for r_i, (_, row) in enumerate(mine.iterrows()):
            status = _session.decision(w, o.id, row["id"])
            if r_i >= SHOWN and not show_all and status is None:
                continue  # fewer widgets: a decision re-renders the page quickly
            c1, c2, c3, c4 = st.columns([4, 1, 4, 2], vertical_alignment="center")
            link = f"[{_ui.plain(row['label'])}]({row['url']})" if row.get("url") else None
            c1.markdown(
                f"{link or _ui.plain(row['label'])}  \n"
                f":gray[{_ui.plain(row['framework'])} · {_ui.plain(row['kind'])}]"
            )
            color = "green" if row["credit"] >= 1 else "orange" if row["credit"] > 0 else "gray"
            c2.markdown(
                f":{color}[**{row['score']:.2f}**]",
                help=f"similarity {row['score']:.2f}; stands out {row['standout']:.1f} SD; "
                f"credit {row['credit']:.2f}",
            )
            words = str(row.get("matched_surface") or row["label"])
            if bool(row.get("named", False)):
                c3.caption("the outcome names this tool")
            else:
                c3.caption(f"matched through: {_ui.plain(words[:120])}")
            key = f"{o.id}_{row['framework']}_{r_i}"
            with c4:
                if status:
                    st.markdown(_BADGE.get(status, _ui.plain(status)))
                    st.button(
                        "Undo",
                        key=f"undo_{key}",
                        on_click=_act,
                        args=(row, o.id, None),
                        disabled=not w.editable,
                    )
                else:
                    b1, b2 = st.columns(2)
                    b1.button(
                        "Accept",
                        key=f"accept_{key}",
                        type="primary",
                        on_click=_act,
                        args=(row, o.id, "accepted"),
                        disabled=not w.editable,
                    )
                    b2.button(
                        "Reject",
                        key=f"reject_{key}",
                        on_click=_act,
                        args=(row, o.id, "rejected"),
                        disabled=not w.editable,
                    )
        if len(mine) > SHOWN:
            st.toggle(f"Show all {len(mine)} matches", key=f"all_{o.id}")
        added = [
            a
            for a in w.alignments
            if a.get("outcome") == o.id
            and a.get("source") == "search"
            and a.get("status") == "accepted"
        ]
        for a in added:
            st.markdown(
                f":green-badge[accepted] {_ui.plain(a['label'])} "
                f":gray[({_ui.plain(a['framework'])}, from search)]"
            )
        with st.expander("Replace a match with one from the framework"):
            labels = [
                f"{k + 1}. {r['label']} ({r['framework']})"
                for k, (_, r) in enumerate(mine.iterrows())
            ]
            s1, s2 = st.columns(2)
            picked = (
                s1.selectbox("Match to replace", labels, key=f"repl_which_{o.id}")
                if labels
                else None
            )
            which = labels.index(picked) if picked in labels else None
            shown = chosen or list(w.proposal.frameworks)
            fw = s2.selectbox("Framework", ["all shown", *shown], key=f"repl_fw_{o.id}")
            q = st.text_input("Search the framework", key=f"repl_q_{o.id}")
            if q.strip() and fw:
                try:
                    names = shown if fw == "all shown" else [fw]
                    found = _state.search_frameworks(names, q.strip())
                except AlignError as exc:
                    _ui.error(exc)
                    found = pd.DataFrame()
                for j, (_, hit) in enumerate(found.iterrows()):
                    h1, h2 = st.columns([5, 1])
                    h1.markdown(
                        f"{_ui.plain(hit['label'])} :gray[{_ui.plain(hit['framework'])} · "
                        f"{_ui.plain(hit['kind'])} · {hit['score']:.2f}]"
                    )
                    if h2.button("Use", key=f"use_{o.id}_{j}", disabled=not w.editable):
                        try:
                            if which is not None:
                                _session.replace_match(w, mine.iloc[which], hit, o.id)
                            else:
                                _session.decide(w, hit, o.id, "accepted", source="search")
                        except _session.SaveConflict:
                            pass
                        st.rerun()


for o in w.proposal.outcomes:
    st.fragment(key=_outcome_key(o.id))(outcome_block)(o)


@st.fragment(key=REVIEWED)
def reviewed_table() -> None:
    st.subheader("Reviewed alignments")
    st.caption("What is stored with the proposal under `alignments:`.")
    st.dataframe(_session.alignments_frame(w), hide_index=True, key="reviewed_table")


reviewed_table()
