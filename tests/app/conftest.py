"""Fixtures for the dashboard tests: a private store, small proposals, signed-in people.

The app tests keep embedding small: the test proposal aligns to O*NET (cut to one
target occupation by the scorer) and NACE only, so a cold run embeds a few hundred
texts and later runs read the vector cache.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # `app_pages` is imported by the pages as Streamlit would
    sys.path.insert(0, str(REPO))

SMALL = {
    "id": "sql-badge",
    "title": "SQL for Analysts",
    "issuing_unit": "Continuing Studies",
    "type": "post-traditional",
    "credits": 0,
    "outcomes": [
        {
            "id": "LO1",
            "text": "Write SQL queries that join and summarize records from a relational database.",
            "assessment": "practical",
            "evidence": "query notebook",
        },
        {
            "id": "LO2",
            "text": "Present findings from a data analysis to stakeholders in writing.",
            "assessment": "rubric",
            "evidence": "written report",
        },
    ],
    "target_occupations": ["15-2051.01"],
    "region": "TX",
    "frameworks": ["onet", "nace"],
}


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Iterator[Path]:
    """A private store for the dashboard (a SQLite file); no example opened at start."""
    from app_pages import _session

    db = tmp_path / "align.sqlite"
    monkeypatch.setenv("ALIGN_DATABASE_URL", str(db))
    monkeypatch.delenv("ALIGN_DASHBOARD_PROPOSAL", raising=False)
    monkeypatch.delenv("ALIGN_POSTINGS_DB", raising=False)
    monkeypatch.chdir(REPO)
    _session.store.clear()
    yield db
    _session.store().close()
    _session.store.clear()


@pytest.fixture
def store(app_env: Path) -> Iterator[object]:
    """The dashboard's store, opened separately for the test's own checks."""
    from align.store import Store

    s = Store(app_env)
    yield s
    s.close()


@pytest.fixture
def small_yaml() -> bytes:
    return yaml.safe_dump(SMALL, sort_keys=False).encode()


#: An ``[auth]`` section: with it the dashboard signs people in (AppTest plays the provider).
AUTH = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "align",
        "client_secret": "s",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}


@pytest.fixture
def make_app(app_env: Path) -> Iterator[Callable[..., object]]:
    """Build an AppTest of app.py (optionally on a page, with ?proposal=..., and signed in
    with single sign-on as ``user``: an email, or "" for a signed-out visitor)."""
    from streamlit.testing.v1 import AppTest

    def make(
        page: str | None = None, proposal: str | None = None, user: str | None = None
    ) -> AppTest:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
        if user is not None:
            at.secrets.update(AUTH)
            at.user = (
                {"is_logged_in": True, "email": user, "name": user.split("@")[0].title()}
                if user
                else {"is_logged_in": False}
            )
        if proposal:
            at.query_params["proposal"] = proposal
        at.run()
        if page:
            at.switch_page(f"app_pages/{page}.py").run()
        return at

    with warnings.catch_warnings():
        # Streamlit warns when a script runs outside `streamlit run` (bare mode).
        warnings.filterwarnings("ignore", message=".*ScriptRunContext.*")
        yield make
