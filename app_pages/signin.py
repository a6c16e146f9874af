"""Sign in: the only page a signed-out visitor sees."""

from __future__ import annotations

import streamlit as st

from app_pages import _session

st.title("align")
if _session.sso_configured():
    st.write(
        "align checks whether a proposed micro-credential teaches what the labor market asks "
        "for, and carries each proposal from draft to decision: the chair's sign-off, the "
        "review committee's ratings and feedback, and the approver's decision."
    )
    st.write("Sign in with your university account to see your proposals and your part of it.")
    if st.button("Sign in with your university account", type="primary", key="sign_in",
                 icon=":material/login:"):  # fmt: skip
        provider = _session.login_provider()
        if provider is None:
            st.login()
        else:
            st.login(provider)
else:
    st.error(
        "This dashboard runs in single-user local mode, which serves only the computer it "
        "runs on. Open it there (http://localhost:8501), or ask the office to set up single "
        "sign-on (README: Deploying behind your single sign-on).",
        icon=":material/lock:",
    )
