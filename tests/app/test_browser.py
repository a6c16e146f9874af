"""The dashboard in a real browser: Playwright for Python driving Debian's Chromium.

Starts ``streamlit run app.py`` on a free port, uploads the data-analytics example,
accepts a match, checks the score, downloads the report and screenshots every page
into ``test-artifacts/``. Any browser console error fails the test. Chromium is never
downloaded: ``make test`` installs Debian's package (or says how to).
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

import pytest

from align.committee._packet import HEADLESS_CHROMIUM_ARGS
from tests.app.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.realdata]

ARTIFACTS = REPO / "test-artifacts"
EXAMPLE = REPO / "data" / "examples" / "data-analytics.yaml"
CHROMIUM_ARGS = list(HEADLESS_CHROMIUM_ARGS)


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


@pytest.fixture
def server(tmp_path: Path, data_dir: Path) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    env["ALIGN_DASHBOARD_DIR"] = str(tmp_path / "dashboard")
    env.pop("ALIGN_DASHBOARD_PROPOSAL", None)
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                log.flush()
                pytest.fail("streamlit did not start:\n" + (tmp_path / "streamlit.log").read_text())
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_blank_to_scored_reviewed_downloaded_proposal(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    console_errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
        page.on(
            "console",
            lambda m: console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        page.on(
            "requestfailed",
            lambda r: console_errors.append(f"request failed: {r.url} ({r.failure})"),
        )
        page.set_default_timeout(240_000)
        expect.set_options(timeout=240_000)  # a cold cache embeds frameworks first
        sidebar = page.get_by_test_id("stSidebar")

        def shot(name: str) -> None:
            # the script has finished (no "Running..." widget), then charts get to draw
            page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)

        def goto(title: str) -> None:
            sidebar.get_by_role("link", name=title).click()
            expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()

        page.goto(server)
        expect(page.get_by_role("heading", name="Proposal", exact=True)).to_be_visible()
        page.locator("input[type=file]").first.set_input_files(str(EXAMPLE))
        expect(page.get_by_text("Opened Applied Data Analytics")).to_be_visible()
        shot("1-proposal")
        page.get_by_role("tab", name="Fill in the form").click()
        expect(page.get_by_label("Title", exact=True)).to_have_value(
            "Applied Data Analytics for Working Professionals"
        )
        shot("1-proposal-form")

        goto("Matches")
        expect(page.get_by_text("Reviewed so far: 0 accepted")).to_be_visible()
        page.get_by_role("button", name="Accept").first.click()
        expect(page.get_by_text("Reviewed so far: 1 accepted")).to_be_visible()
        shot("2-matches")

        goto("Alignment")
        metric = page.get_by_test_id("stMetricValue").first
        expect(metric).to_have_text(re.compile(r"^\d+ / 100$"))
        shot("3-alignment")

        goto("Stack and gaps")
        page.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="data-analytics-stack.yaml").click()
        expect(page.get_by_text("Target covered")).to_be_visible()
        shot("4-stack")

        goto("Policy")
        expect(page.get_by_text("Pass", exact=True)).to_be_visible()
        shot("5-policy")

        goto("Portfolio")
        page.get_by_role("button", name="Analyse the portfolio").click()
        expect(page.get_by_text("Demand covered by the portfolio")).to_be_visible()
        shot("6-portfolio")

        goto("Export")
        with page.expect_download() as dl:
            page.get_by_role("button", name="Report (JSON)").click()
        target = ARTIFACTS / "alignment-report.json"
        dl.value.save_as(target)
        report = json.loads(target.read_text())
        assert report["proposal"] == "Applied Data Analytics for Working Professionals"
        assert 0 <= report["overall"] <= 100
        # the Open Badges 3.0 export carries the alignment accepted above
        with page.expect_download() as dl:
            page.get_by_role("button", name="Badge export (ob3)").click()
        badge_file = ARTIFACTS / "badge-ob3.json"
        dl.value.save_as(badge_file)
        achievement = json.loads(badge_file.read_text())["credentialSubject"]["achievement"]
        assert len(achievement["alignment"]) == 1
        # wallets show name, page and one sentence: the framework's, then framework and version
        assert achievement["alignment"][0]["targetDescription"].endswith(".")
        shot("7-export")
        # the registry export: pre-flight first, then the two publish requests
        page.get_by_test_id("stSelectbox").first.click()
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
        shot("8-export-ctdl")
        browser.close()
    assert not console_errors, console_errors
