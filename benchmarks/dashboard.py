"""Dashboard speed in a real browser (Playwright + Debian's Chromium).

Measures, with warm caches (models, frameworks and vectors already loaded by one
warm-up visit):

* first paint: from ``page.goto`` in a fresh browser tab until the Alignment page
  shows the overall score (target <= 3 s);
* re-score after accepting a match: from the click on "Accept" on the Matches page
  until the page shows the new decision with the proposal re-scored (target <= 1 s);
  and the library's re-score alone (``score_alignment``, in-process, warm). Beside the
  wall times, the CPU seconds one click costs the Streamlit server and the browser
  (CPU time does not grow with other jobs' load the way wall time does).

Run: ``python benchmarks/dashboard.py [--repeat 5]``; results go to
``benchmarks/out/dashboard.json`` and the README table. ``--screenshot docs/dashboard.png``
instead saves the README's picture of the Alignment page (after the warm-up visit) and
measures nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _procs import free_port, tree_cpu_seconds, wait_for_streamlit

from align.committee._packet import HEADLESS_CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
ARGS = list(HEADLESS_CHROMIUM_ARGS)


def _library_rescore(repeat: int) -> tuple[list[float], list[float]]:
    """The re-score alone, in-process: score_alignment on the example, warm (wall, CPU)."""
    import warnings

    import align

    warnings.simplefilter("ignore", align.AlignDataWarning)
    p = align.load_proposal(REPO / "data" / "examples" / "data-analytics.yaml")
    fws = [align.load_framework(n) for n in p.frameworks]
    emb = align.get_embedder()
    align.score_alignment(p, fws, embedder=emb)
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        align.score_alignment(p, fws, embedder=emb)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--chromium", default=os.environ.get("ALIGN_CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--screenshot", type=Path, help="save the Alignment page here and stop")
    args = ap.parse_args()
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    work = tempfile.mkdtemp(prefix="align-dashboard-")
    env = dict(os.environ, ALIGN_DATABASE_URL=str(Path(work) / "align.sqlite"))
    env["ALIGN_DASHBOARD_PROPOSAL"] = "data/examples/data-analytics.yaml"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)]
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_streamlit(url, 90)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=ARGS)
            expect.set_options(timeout=600_000)

            def paint() -> float:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                t0 = time.perf_counter()
                page.goto(f"{url}/alignment")
                expect(page.get_by_test_id("stMetricValue").first).to_have_text(
                    re.compile(r"^\d+ / 100$")
                )
                dt = time.perf_counter() - t0
                page.close()
                return dt

            cold = paint()  # warm-up: loads the model and frameworks, embeds once
            if args.screenshot:
                page = browser.new_page(viewport={"width": 1400, "height": 1150})
                page.goto(f"{url}/alignment")
                expect(page.get_by_test_id("stMetricValue").first).to_have_text(
                    re.compile(r"^\d+ / 100$")
                )
                page.wait_for_timeout(1500)  # let the chart finish drawing
                page.screenshot(path=str(args.screenshot))
                print(f"saved {args.screenshot}")
                return
            paints = [paint() for _ in range(args.repeat)]

            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/matches")
            expect(page.get_by_text("Reviewed so far: 0 accepted")).to_be_visible()
            rescore, server_cpu, browser_cpu = [], [], []
            for k in range(1, args.repeat + 1):
                s0 = tree_cpu_seconds(proc.pid)
                b0 = tree_cpu_seconds(os.getpid()) - s0
                t0 = time.perf_counter()
                page.get_by_role("button", name="Accept").first.click()
                # Polled on every animation frame: ``expect`` retries at 100, 250, 500 ms,
                # then every second, which rounds a 1.2 s update up to about 1.9 s.
                page.wait_for_function(
                    "t => document.body.innerText.includes(t)",
                    arg=f"Reviewed so far: {k} accepted",
                    polling="raf",
                    timeout=600_000,
                )
                rescore.append(time.perf_counter() - t0)
                s1 = tree_cpu_seconds(proc.pid)
                server_cpu.append(s1 - s0)
                browser_cpu.append(tree_cpu_seconds(os.getpid()) - s1 - b0)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    library, library_cpu = _library_rescore(args.repeat)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        "warm_up_first_visit_s": round(cold, 2),
        "first_paint_warm_s": round(statistics.median(paints), 2),
        "first_paint_runs_s": [round(x, 2) for x in paints],
        "rescore_after_accept_s": round(statistics.median(rescore), 2),
        "rescore_runs_s": [round(x, 2) for x in rescore],
        "rescore_server_cpu_s": round(statistics.median(server_cpu), 2),
        "rescore_browser_cpu_s": round(statistics.median(browser_cpu), 2),
        "rescore_library_only_s": round(statistics.median(library), 3),
        "rescore_library_only_cpu_s": round(statistics.median(library_cpu), 3),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "dashboard.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
