"""The align dashboard: navigation only; each page lives in app_pages/.

Run it with ``make run`` (or ``streamlit run app.py``); it opens on
http://localhost:8501. Pages take input, call one library function through
``app_pages/_state.py`` and render the result.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

# A local favicon: emoji and material-icon favicons are fetched from a CDN, and the
# dashboard must not call out.
ICON = Path(__file__).parent / "app_pages" / "favicon.png"
st.set_page_config(page_title="align: micro-credential alignment", page_icon=ICON, layout="wide")

PAGES = [
    st.Page(
        "app_pages/proposal.py", title="Proposal", icon=":material/edit_document:", default=True
    ),
    st.Page("app_pages/matches.py", title="Matches", icon=":material/link:"),
    st.Page("app_pages/alignment.py", title="Alignment", icon=":material/bar_chart:"),
    st.Page("app_pages/stack.py", title="Stack and gaps", icon=":material/stacks:"),
    st.Page("app_pages/policy.py", title="Policy", icon=":material/rule:"),
    st.Page("app_pages/portfolio.py", title="Portfolio", icon=":material/folder_open:"),
    st.Page("app_pages/export.py", title="Export", icon=":material/download:"),
]

page = st.navigation(PAGES)
st.sidebar.caption(
    "align checks whether a proposed micro-credential teaches what the labor market asks "
    "for. Decisions are saved as you make them."
)
page.run()
