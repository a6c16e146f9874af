"""The align dashboard: sign-in and navigation only; each page lives in app_pages/.

Run it with ``make run`` (single-user local mode on http://localhost:8501) or behind
the university's single sign-on (``.streamlit/secrets.toml`` with an ``[auth]``
section; see the README). ``streamlit run serve.py`` does the same with the caches
warmed before the first visitor. Each person sees the pages of their roles.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages import _session, _ui

# A local favicon: emoji and material-icon favicons are fetched from a CDN, and the
# dashboard must not call out.
ICON = Path(__file__).parent / "app_pages" / "favicon.png"
st.set_page_config(page_title="align: micro-credential alignment", page_icon=ICON, layout="wide")


def _page(file: str, title: str, icon: str, **kw: object) -> st.Page:
    return st.Page(f"app_pages/{file}.py", title=title, icon=f":material/{icon}:", **kw)


#: Sections of the sidebar: (page file, title, icon, roles that see it).
PAGES: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {
    "Proposals": [
        ("proposals", "My proposals", "list_alt", ()),
        ("proposal", "Proposal", "edit_document", ("author", "office")),
        ("matches", "Matches", "link", ("author", "office")),
        ("alignment", "Alignment", "bar_chart", ("author", "office")),
        ("stack", "Stack and gaps", "stacks", ("author", "office")),
        ("policy", "Policy", "rule", ("author", "office")),
        ("export", "Export", "download", ("author", "office")),
    ],
    "Approval": [
        ("signoff", "Sign-off", "approval", ("chair",)),
        ("assign", "Assign reviewers", "group_add", ("office",)),
        ("review", "Review", "rate_review", ("reviewer",)),
        ("decide", "Decide", "gavel", ("approver",)),
    ],
    "Office": [
        ("portfolio", "Portfolio", "folder_open", ("office",)),
        ("audit", "Audit log", "history", ("office", "admin")),
        ("people", "People and roles", "manage_accounts", ("admin",)),
    ],
}

who = _session.me()
if who is None:
    # Signed out (or, in local mode, not on this computer): the sign-in page only.
    st.navigation([_page("signin", "Sign in", "login", default=True)]).run()
    st.stop()

sections = {
    name: [
        _page(f, t, i, default=(f == "proposals"))
        for f, t, i, roles in rows
        if not roles or any(who.has(r) for r in roles)
    ]
    for name, rows in PAGES.items()
}
page = st.navigation({k: v for k, v in sections.items() if v}, expanded=True)
_session.keep_in_url()
_ui.sidebar(who)
page.run()
