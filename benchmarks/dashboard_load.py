"""The dashboard under load: N signed-in people at once (Playwright + Debian's Chromium).

Starts the local OpenID Connect provider of the tests (``tests/app/_oidc.py``) and the
dashboard behind it (``streamlit run serve.py``, caches warmed at start, a SQLite or
PostgreSQL store with N authors, each with a copy of the data-analytics example under
their own title so every session scores its own proposal). Then:

* **first visitor**: right after the server says it is ready, one person signs in (their
  proposal reopens where they left off) and goes straight to its Matches page; the time
  from that click to the page with its matches (model, frameworks, the proposal scored)
  is the first visitor's wait (target <= 3 s).
  ``--cold`` starts ``app.py`` without the warm-up for comparison.
* **load**: N browser contexts (one Chromium) sign in through the provider (arriving over
  ``--ramp`` seconds, then all working at once) and each walks My proposals -> Proposal ->
  Matches -> Alignment -> Policy -> My proposals ``--rounds`` times. Each page time runs
  from the sidebar click until the page's heading shows and the script has finished.
  Errors are counted: a failed step, a page showing a Python exception, a browser
  console error.
* **memory**: the server's resident memory (its process tree, from /proc) sampled
  every 0.5 s: before the load, peak, and after.

Run: ``python benchmarks/dashboard_load.py [--sessions 30] [--rounds 2] [--postgres]``;
results go to ``benchmarks/out/dashboard_load.json`` and the README.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
sys.path.insert(0, str(REPO))

from _procs import free_port, tree_cpu_seconds, tree_rss_mb, wait_for_streamlit  # noqa: E402

from align.committee._packet import HEADLESS_CHROMIUM_ARGS  # noqa: E402

PAGES = ["Proposal", "Matches", "Alignment", "Policy", "My proposals"]


class Memory(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.samples, self.running = pid, [], True

    def run(self) -> None:
        while self.running:
            self.samples.append(tree_rss_mb(self.pid))
            time.sleep(0.5)


def _seed(db: str, n: int) -> list[list[str]]:
    """N authors, each with a copy of the example under their own title; returns their
    (email, password, name)."""
    import align
    from align.store import Store, User

    example = align.load_proposal(REPO / "data" / "examples" / "data-analytics.yaml")
    people = []
    with Store(db) as store:
        op = User.operator("benchmark")
        for i in range(n):
            email = f"author{i:02d}@uni.edu"
            name = f"Author {i:02d}"
            store.add_user(name, actor=op, email=email, roles=["author"])
            copy = example.model_copy(
                update={"id": f"analytics-{i:02d}", "title": f"Applied Data Analytics {i:02d}"}
            )
            store.create_proposal(copy, actor=op, author=name)
            store.set_last_opened(copy.id, actor=name)  # reopened after sign-in
            people.append([email, f"pw{i}", name])
    return people


def _provider(work: Path, people: list[list[str]], app_port: int) -> tuple[Any, str]:
    """The OIDC provider in a process of its own (in this one it would compete for the
    interpreter with 30 browser pages' traffic and answer too late); returns it and the
    dashboard's secrets."""
    (work / "people.json").write_text(json.dumps(people))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.app._oidc", "--port", str(port), "--users",
         str(work / "people.json"), "--app-port", str(app_port)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        if line.strip() == "ready":
            break
        lines.append(line)
    return proc, "".join(lines)


async def _session(
    browser: Any, url: str, email: str, password: str, rounds: int, delay: float
) -> dict:
    from playwright.async_api import expect

    await asyncio.sleep(delay)  # a ramp-up: people arrive over a few seconds, then all work
    ctx = await browser.new_context(viewport={"width": 1300, "height": 900})
    ctx.set_default_timeout(300_000)
    ctx.set_default_navigation_timeout(300_000)
    page = await ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    times: dict[str, list[float]] = {p: [] for p in ["sign-in", *PAGES]}
    side = page.get_by_test_id("stSidebar")
    status = page.get_by_test_id("stStatusWidget")
    try:
        t0 = time.perf_counter()
        await page.goto(url)
        await page.get_by_role("button", name="Sign in with your university account").click()
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill(password)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("heading", name="My proposals")).to_be_visible()
        await status.wait_for(state="hidden")
        times["sign-in"].append(time.perf_counter() - t0)
        await page.get_by_test_id("stButton").filter(has_text="Open").click()
        await expect(page.get_by_role("heading", name="Proposal", exact=True)).to_be_visible()
        for _ in range(rounds):
            for title in PAGES:
                t0 = time.perf_counter()
                await side.get_by_role("link", name=title, exact=True).click()
                await expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
                if title == "Matches":
                    await expect(page.get_by_text("Reviewed so far").first).to_be_visible()
                await status.wait_for(state="hidden")
                times[title].append(time.perf_counter() - t0)
                shown = page.get_by_test_id("stException")
                if await shown.count():
                    what = (await shown.first.inner_text()).strip().splitlines()
                    errors.append(f"exception shown on {title}: {' / '.join(what[:3])}")
    except Exception as exc:  # a failed step is an error of the run, not a crash of it
        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    await ctx.close()
    return {"times": times, "errors": errors}


async def _load(
    url: str, people: list[tuple[str, str]], rounds: int, chromium: str, ramp: float
) -> list:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=300_000)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium, args=list(HEADLESS_CHROMIUM_ARGS)
        )
        step = ramp / max(1, len(people))
        results = await asyncio.gather(
            *[_session(browser, url, e, p, rounds, i * step) for i, (e, p) in enumerate(people)]
        )
        await browser.close()
    return results


def _first_visit(url: str, email: str, password: str, chromium: str) -> float:
    """The first visitor's wait for the Matches page of their proposal (after sign-in)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=list(HEADLESS_CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        expect.set_options(timeout=300_000)
        page.goto(url)
        page.get_by_role("button", name="Sign in with your university account").click()
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="My proposals")).to_be_visible()
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
        t0 = time.perf_counter()
        page.get_by_test_id("stSidebar").get_by_role("link", name="Matches").click()
        expect(page.get_by_text("Reviewed so far").first).to_be_visible()
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
        wait = time.perf_counter() - t0
        browser.close()
    return wait


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--ramp", type=float, default=15.0, help="seconds over which people arrive")
    ap.add_argument("--postgres", action="store_true", help="store on a PostgreSQL server")
    ap.add_argument("--cold", action="store_true", help="app.py without the warm-up")
    ap.add_argument("--chromium", default=os.environ.get("ALIGN_CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args()
    # `kill` (SIGTERM) stops the run through the `finally` below, taking the server along.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    work = Path(tempfile.mkdtemp(prefix="align-load-"))
    pg = None
    if args.postgres:
        from tests._postgres import PostgresServer, find_bindir

        pg = PostgresServer(find_bindir()).start()
        db = pg.new_database()
    else:
        db = str(work / "align.sqlite")
    people = _seed(db, args.sessions)
    emails = [p[0] for p in people]
    port = free_port()
    oidc, secrets_toml = _provider(work, people, port)
    (work / "secrets.toml").write_text(secrets_toml)
    env = dict(os.environ, ALIGN_DATABASE_URL=db)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    env.pop("ALIGN_DASHBOARD_PROPOSAL", None)
    script = "app.py" if args.cold else "serve.py"
    secrets = str(work / "secrets.toml")
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--secrets.files", secrets]  # fmt: skip
    started = time.perf_counter()
    server_log = (work / "server.log").open("w")
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=server_log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    memory = Memory(proc.pid)
    try:
        wait_for_streamlit(url, 300)
        ready = time.perf_counter() - started
        memory.start()
        first = _first_visit(url, emails[0], "pw0", args.chromium)
        idle_mb = tree_rss_mb(proc.pid)
        cpu0 = tree_cpu_seconds(proc.pid)
        t0 = time.perf_counter()
        people = [(e, f"pw{i}") for i, e in enumerate(emails)]
        results = asyncio.run(_load(url, people, args.rounds, args.chromium, args.ramp))
        wall = time.perf_counter() - t0
        server_cpu = tree_cpu_seconds(proc.pid) - cpu0
        after_mb = tree_rss_mb(proc.pid)
    finally:
        memory.running = False
        proc.terminate()
        proc.wait(timeout=60)
        oidc.terminate()
        oidc.wait(timeout=30)
        if pg is not None:
            pg.stop()
    pages = [t for r in results for title, ts in r["times"].items() if title != "sign-in"
             for t in ts]  # fmt: skip
    signins = [t for r in results for t in r["times"]["sign-in"]]
    errors = [e for r in results for e in r["errors"]]
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        "store": "postgresql" if args.postgres else "sqlite",
        "server": script,
        "sessions": args.sessions,
        "rounds": args.rounds,
        "ramp_s": args.ramp,
        "server_ready_s": round(ready, 1),
        "first_visitor_matches_s": round(first, 2),
        "page_views": len(pages),
        "page_p50_s": round(statistics.median(pages), 2) if pages else None,
        "page_p95_s": round(_pct(pages, 0.95), 2) if pages else None,
        "page_max_s": round(max(pages), 2) if pages else None,
        "per_page_p50_s": {
            title: round(statistics.median(ts), 2)
            for title in PAGES
            if (ts := [t for r in results for t in r["times"][title]])
        },
        "sign_in_p50_s": round(statistics.median(signins), 2) if signins else None,
        "sign_in_p95_s": round(_pct(signins, 0.95), 2) if signins else None,
        "errors": len(errors),
        "error_examples": errors[:5],
        "load_wall_s": round(wall, 1),
        # the server's own work, which other jobs and the 30 browsers do not inflate
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_per_page_view_s": round(server_cpu / max(1, len(pages) + len(signins)), 2),
        "server_rss_idle_mb": round(idle_mb),
        "server_rss_peak_mb": round(max(memory.samples or [0])),
        "server_rss_after_mb": round(after_mb),
        "server_log": str(work / "server.log"),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"dashboard_load{'_pg' if args.postgres else ''}{'_cold' if args.cold else ''}.json"
    (OUT / name).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
