"""People and roles (admins): who may do what."""

from __future__ import annotations

import streamlit as st

from align.exceptions import AlignError
from app_pages import _ui, _workflow

st.title("People and roles")
st.dataframe(
    [{"role": k, "what it allows": v} for k, v in _workflow.ROLES.items()],
    hide_index=True, key="pp_roles",
)  # fmt: skip
flash = st.session_state.pop("pp_flash", None)
if flash:
    st.success(_ui.plain(flash), icon=":material/check_circle:")
people = _workflow.people()
st.dataframe(people, hide_index=True, key="pp_table")
roles = list(_workflow.ROLES)


def _split(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


with st.expander("Add a person", expanded=people.empty), st.form("pp_add"):
    a1, a2 = st.columns(2)
    name = a1.text_input("Name", key="pp_name")
    email = a2.text_input("Sign-in email", key="pp_email")
    chosen = st.multiselect("Roles", roles, default=["author"], key="pp_roles_new")
    b1, b2 = st.columns(2)
    dept = b1.text_input("Department", key="pp_dept")
    disc = b2.text_input("Disciplines they review (comma-separated)", key="pp_disc")
    if st.form_submit_button("Add", type="primary"):
        try:
            _workflow.add_person(name, email, chosen, dept, _split(disc))
        except AlignError as exc:
            _ui.error(exc)
        else:
            st.session_state["pp_flash"] = f"Added {name}."
            st.rerun()

st.subheader("Change a person")
if people.empty:
    st.stop()
who = st.selectbox("Person", people["name"].tolist(), key="pp_pick")
row = people[people["name"] == who].iloc[0]
with st.form(f"pp_edit_{who}"):
    current = [r for r in str(row["roles"]).split(",") if r]
    new_roles = st.multiselect("Roles", roles, default=current, key=f"pp_roles_{who}")
    c1, c2 = st.columns(2)
    new_email = c1.text_input("Sign-in email", value=row["email"] or "", key=f"pp_email_{who}")
    new_dept = c2.text_input("Department", value=row["department"], key=f"pp_dept_{who}")
    new_disc = st.text_input(
        "Disciplines (comma-separated)", value=row["disciplines"], key=f"pp_disc_{who}"
    )
    if st.form_submit_button("Save", type="primary"):
        try:
            _workflow.set_person(
                str(who), roles=new_roles, email=new_email, department=new_dept,
                disciplines=_split(new_disc),
            )  # fmt: skip
        except AlignError as exc:
            _ui.error(exc)
        else:
            st.session_state["pp_flash"] = f"Saved {who}."
            st.rerun()
