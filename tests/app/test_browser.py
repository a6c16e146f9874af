"""The dashboard in a real browser: Playwright for Python driving Debian's Chromium.

Starts a small OpenID Connect provider on 127.0.0.1 (``tests/app/_oidc.py``) and
``streamlit run serve.py`` configured to sign people in through it (an ``[auth]``
section in a temporary secrets file), then walks a proposal from draft to decision
as each role, signing in and out through the provider's form: the author uploads the
example, accepts a match, checks the score, downloads the report and the Open Badges
3.0 export and submits; the chair signs off; the office assigns a reviewer; the
reviewer rates; the office sends feedback; the approver decides. Signed out, a visitor
sees only the sign-in page; a proposal someone may not see answers "not allowed".
Every page is screenshotted into ``test-artifacts/``; any browser console error fails
the test. Chromium is never downloaded: ``make test`` installs Debian's package.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from align.committee._packet import HEADLESS_CHROMIUM_ARGS
from tests.app._oidc import OIDCServer
from tests.app.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.realdata]

ARTIFACTS = REPO / "test-artifacts"
EXAMPLE = REPO / "data" / "examples" / "data-analytics.yaml"
CHROMIUM_ARGS = list(HEADLESS_CHROMIUM_ARGS)
#: email -> (name, password, roles, department, disciplines)
PEOPLE = {
    "chen@uni.edu": ("Prof. Chen", "pw-chen", ["author"], "", []),
    "chair@uni.edu": (
        "Chair Scps",
        "pw-chair",
        ["chair"],
        "School of Continuing and Professional Studies",
        [],
    ),
    "office@uni.edu": ("Olga Office", "pw-office", ["office"], "", []),
    "ruiz@uni.edu": ("Dr. Ruiz", "pw-ruiz", ["reviewer"], "Economics", ["business"]),
    "dean@uni.edu": ("Dean Park", "pw-dean", ["approver"], "", []),
    "other@uni.edu": ("Dr. Other", "pw-other", ["author"], "Nursing", []),
}


def _chromium() -> str:
    path = os.environ.get("ALIGN_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).is_file():
        pytest.fail(
            f"the browser test needs Chromium at {path!r}; install it with "
            "`sudo apt-get install -y chromium` (make test does this when run as root) or "
            "set ALIGN_CHROMIUM to its path."
        )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.time() + 180
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            pytest.fail("streamlit did not start:\n" + log.read_text())
        time.sleep(0.5)


@pytest.fixture
def server(tmp_path: Path, data_dir: Path) -> Iterator[tuple[str, OIDCServer]]:
    """The dashboard behind the local provider, with the people of PEOPLE in its store."""
    from align.store import Store, User

    oidc = OIDCServer().start()
    db = tmp_path / "align.sqlite"
    with Store(db) as store:
        for email, (name, password, roles, dept, disc) in PEOPLE.items():
            oidc.provider.add(email, password, name)
            store.add_user(name, actor=User.operator("tests"), email=email, roles=roles,
                           department=dept, disciplines=disc)  # fmt: skip
    port = _free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(oidc.secrets_toml(port))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    env["ALIGN_DATABASE_URL"] = str(db)
    env.pop("ALIGN_DASHBOARD_PROPOSAL", None)
    env.pop("ALIGN_POSTINGS_DB", None)
    log = tmp_path / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--secrets.files", str(secrets)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, proc, log)
        yield url, oidc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        oidc.stop()


class Visit:
    """One browser page, with the steps every role repeats."""

    def __init__(self, page: Any, url: str, errors: list[str]):
        from playwright.sync_api import expect

        self.page, self.url, self.errors, self.expect = page, url, errors, expect
        self.sidebar = page.get_by_test_id("stSidebar")

    def settle(self) -> None:
        # the script has finished (no "Running..." widget), then charts get to draw
        self.page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
        self.page.wait_for_timeout(800)

    def shot(self, name: str) -> None:
        self.settle()
        self.page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)

    def goto(self, title: str) -> None:
        self.sidebar.get_by_role("link", name=title, exact=True).click()
        self.expect(self.page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        self.settle()

    def sign_in(self, email: str) -> None:
        page = self.page
        page.goto(self.url)
        page.get_by_role("button", name="Sign in with your university account").click()
        self.expect(page.get_by_role("heading", name="University sign-in")).to_be_visible()
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PEOPLE[email][1])
        page.get_by_role("button", name="Sign in").click()
        self.expect(page.get_by_role("heading", name="My proposals")).to_be_visible()
        self.expect(self.sidebar.get_by_text(PEOPLE[email][0])).to_be_visible()
        self.settle()

    def sign_out(self) -> None:
        self.sidebar.get_by_role("button", name="Sign out").click()
        self.expect(
            self.page.get_by_role("button", name="Sign in with your university account")
        ).to_be_visible()

    def click(self, name: str) -> None:
        self.page.get_by_test_id("stMain").get_by_role("button", name=name, exact=True).click()

    def see(self, text: str | re.Pattern[str]) -> None:
        self.expect(self.page.get_by_text(text).first).to_be_visible()


def test_each_role_signs_in_and_takes_its_step(server: tuple[str, OIDCServer]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, oidc = server
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        # A request the browser cancels itself (net::ERR_ABORTED: the page moved on before an
        # image finished loading) is not a failure; every other failed request is.
        page.on(
            "requestfailed",
            lambda r: (
                None
                if r.failure == "net::ERR_ABORTED"
                else errors.append(f"request failed: {r.url} ({r.failure})")
            ),
        )
        page.set_default_timeout(240_000)
        expect.set_options(timeout=240_000)  # a cold cache embeds frameworks first
        v = Visit(page, url, errors)

        # signed out: the sign-in page only, whatever the URL asks for
        page.goto(f"{url}/?proposal=data-analytics-pt")
        expect(
            page.get_by_role("button", name="Sign in with your university account")
        ).to_be_visible()
        assert v.sidebar.count() == 0 or not v.sidebar.get_by_role("link").count()
        v.shot("0-sign-in")

        # the author: upload, review a match, score, download, submit
        v.sign_in("chen@uni.edu")
        v.shot("1-my-proposals")
        v.goto("Proposal")
        page.locator("input[type=file]").first.set_input_files(str(EXAMPLE))
        v.see("Opened Applied Data Analytics")
        page.get_by_role("tab", name="Fill in the form").click()
        expect(page.get_by_label("Title", exact=True)).to_have_value(
            "Applied Data Analytics for Working Professionals"
        )
        v.shot("2-proposal")
        v.goto("Matches")
        v.see("Reviewed so far: 0 accepted")
        page.get_by_role("button", name="Accept").first.click()
        v.see("Reviewed so far: 1 accepted")
        v.shot("3-matches")
        v.goto("Alignment")
        expect(page.get_by_test_id("stMetricValue").first).to_have_text(re.compile(r"^\d+ / 100$"))
        v.shot("4-alignment")
        v.goto("Stack and gaps")
        page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="data-analytics-stack.yaml").click()
        v.see("Target covered")
        v.shot("5-stack")
        v.goto("Policy")
        expect(page.get_by_text("Pass", exact=True)).to_be_visible()
        v.goto("Export")
        with page.expect_download() as dl:
            page.get_by_role("button", name="Report (JSON)").click()
        target = ARTIFACTS / "alignment-report.json"
        dl.value.save_as(target)
        report = json.loads(target.read_text())
        assert report["proposal"] == "Applied Data Analytics for Working Professionals"
        with page.expect_download() as dl:
            page.get_by_role("button", name="Badge export (ob3)").click()
        badge_file = ARTIFACTS / "badge-ob3.json"
        dl.value.save_as(badge_file)
        achievement = json.loads(badge_file.read_text())["credentialSubject"]["achievement"]
        assert len(achievement["alignment"]) == 1  # the match accepted above
        # wallets show name, page and one sentence: the framework's, then framework and version
        assert achievement["alignment"][0]["targetDescription"].endswith(".")
        v.shot("6-export")
        # the registry export: pre-flight first, then the two publish requests
        page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name=re.compile(r"^ctdl")).click()
        expect(page.get_by_text("The ctdl export would be rejected")).to_be_visible()
        page.get_by_text("Where the badge will live").click()
        page.get_by_label("Earning criteria page").fill("https://badges.example.edu/criteria/da")
        page.get_by_label("Organization CTID in the Credential Engine registry").fill(
            "ce-9d30f846-dfa4-4b1c-90fa-9d01238a86ac"
        )
        page.get_by_label("Organization CTID in the Credential Engine registry").press("Enter")
        with page.expect_download() as dl:
            page.get_by_role("button", name="Badge export (ctdl)").click()
        ctdl_file = ARTIFACTS / "badge-ctdl.json"
        dl.value.save_as(ctdl_file)
        requests = json.loads(ctdl_file.read_text())
        assert list(requests)[:2] == ["competencyframework/publishGraph", "credential/publishGraph"]
        v.shot("6-export-ctdl")
        v.goto("My proposals")
        v.click("Submit for sign-off")
        v.see("Submitted Applied Data Analytics")
        v.sign_out()

        # another author may not see it, even by its URL
        v.sign_in("other@uni.edu")
        page.goto(f"{url}/?proposal=data-analytics-pt")
        v.see("not allowed: proposal 'data-analytics-pt' does not exist or Dr. Other")
        v.shot("7-not-allowed")
        v.sign_out()

        # the chair signs off
        v.sign_in("chair@uni.edu")
        v.goto("Sign-off")
        page.get_by_role("textbox", name="Comment").fill("Fits the school's plan.")
        v.shot("8-sign-off")
        v.click("Sign off")
        v.see("Signed off Applied Data Analytics")
        v.sign_out()

        # the office assigns the business reviewers
        v.sign_in("office@uni.edu")
        v.goto("Assign reviewers")
        page.get_by_test_id("stMain").get_by_test_id("stSelectbox").nth(1).click()
        page.get_by_role("option", name="business").click()
        v.see("Reviewers to assign")
        v.shot("9-assign")
        v.click("Assign")
        v.see("Assigned: Dr. Ruiz")
        v.sign_out()

        # the reviewer rates, with align's evidence beside each criterion
        v.sign_in("ruiz@uni.edu")
        v.goto("Review")
        v.see("align suggests")
        page.get_by_label("Overall comment").fill("Clear outcomes; name the postings period.")
        v.shot("10-review")
        v.click("Submit my review")
        v.see("Your review of Applied Data Analytics")
        v.sign_out()

        # the office sends the committee's feedback
        v.sign_in("office@uni.edu")
        v.goto("Assign reviewers")
        v.shot("11-feedback")
        v.click("Send the feedback")
        v.see("Feedback sent for Applied Data Analytics")
        v.goto("Audit log")
        v.shot("12-audit")
        v.sign_out()

        # the approver decides
        v.sign_in("dean@uni.edu")
        v.goto("Decide")
        v.see("Clear outcomes; name the postings period.")
        page.get_by_text("approved-with-changes:").click()
        page.get_by_label("Note (the changes asked for, the reasons)").fill("Add the period.")
        v.shot("13-decide")
        v.click("Record the decision")
        v.see(re.compile("approved-with-changes on"))
        v.sign_out()

        # the author sees the decision
        v.sign_in("chen@uni.edu")
        v.see("approved once the listed changes are made")
        v.shot("14-decided")
        browser.close()
    assert oidc.provider.signins == 8  # each sign-in went through the provider
    assert not errors, errors
