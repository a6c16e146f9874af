"""The align dashboard: navigation only; each page lives in app_pages/.

Run it with ``make run`` (or ``streamlit run app.py``); it opens on
http://localhost:8501. Pages take input, call one library function through
``app_pages/_state.py`` and render the result.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="align: micro-credential alignment", page_icon="🎓", layout="wide")

PAGES = [
    st.Page("app_pages/proposal.py", title="Proposal", icon="📝", default=True),
    st.Page("app_pages/matches.py", title="Matches", icon="🔗"),
    st.Page("app_pages/alignment.py", title="Alignment", icon="📊"),
    st.Page("app_pages/stack.py", title="Stack and gaps", icon="🧱"),
    st.Page("app_pages/policy.py", title="Policy", icon="✅"),
    st.Page("app_pages/portfolio.py", title="Portfolio", icon="🗂️"),
    st.Page("app_pages/export.py", title="Export", icon="⬇️"),
]

page = st.navigation(PAGES)
st.sidebar.caption(
    "align checks whether a proposed micro-credential teaches what the labor market asks "
    "for. Decisions are saved as you make them."
)
page.run()
