"""Scale: ingest 1 M synthetic postings (CSV and Parquet) and time demand queries.

Each step runs in its own process so its peak resident memory (``ru_maxrss``)
is its own. The synthetic files are written to a scratch folder (default
``/tmp/align-scale``), never into the repository.

Usage: ``.venv/bin/python benchmarks/postings_scale.py [--rows 1000000]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(args: argparse.Namespace) -> dict:
    from align.exceptions import AlignDataWarning

    warnings.simplefilter("ignore", AlignDataWarning)
    t0 = time.perf_counter()
    if args.step == "synth":
        from align.postings import write_synthetic_postings

        write_synthetic_postings(
            args.file, args.rows, seed=0, data_dir=args.data_dir, progress=False
        )
        return {"seconds": time.perf_counter() - t0, "bytes": Path(args.file).stat().st_size}
    if args.step == "ingest":
        from align.postings import PostingsStore

        with PostingsStore(args.db) as store:
            report = store.ingest(args.file, progress=False)
            counts = store.counts()
        secs = time.perf_counter() - t0
        return {
            "seconds": secs,
            "rows_per_second": int(report.loc[0, "rows_loaded"]) / secs,
            "rows_loaded": int(report.loc[0, "rows_loaded"]),
            **counts,
            "db_bytes": Path(args.db).stat().st_size,
        }
    from align.postings import PostingsStore, occupation_counts, skill_demand, top_titles

    queries = {
        "skill_demand(all, top=20)": lambda s: skill_demand(s, top=20),
        "skill_demand(occupation='15-', top=20)": lambda s: skill_demand(
            s, occupation="15-", top=20
        ),
        "skill_demand('15-1252', region='TX', period='2024Q2')": lambda s: skill_demand(
            s, occupation="15-1252", region="TX", period="2024Q2"
        ),
        "skill_demand([3 codes], region='12420', period='2023')": lambda s: skill_demand(
            s, occupation=["15-1252.00", "15-2051.00", "29-1141.00"], region="12420", period="2023"
        ),
        "occupation_counts(by state, year)": lambda s: occupation_counts(s),
        "top_titles(occupation='29-')": lambda s: top_titles(s, occupation="29-"),
    }
    out = {}
    with PostingsStore(args.db, read_only=True) as store:
        for name, fn in queries.items():
            times = []
            for _ in range(5):
                t = time.perf_counter()
                fn(store)
                times.append(time.perf_counter() - t)
            out[name] = {
                "median_ms": round(1000 * statistics.median(times), 1),
                "first_ms": round(1000 * times[0], 1),
            }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--data-dir", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--scratch", type=Path, default=Path("/tmp/align-scale"))
    ap.add_argument("--step", choices=["synth", "ingest", "query"])
    ap.add_argument("--file", type=Path)
    ap.add_argument("--db", type=Path)
    args = ap.parse_args()
    if args.step:
        res = step(args)
        res["peak_rss_mb"] = round(_peak_mb(), 1)
        print(json.dumps(res))
        return
    args.scratch.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "rows": args.rows,
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_at_start": os.getloadavg(),
        },
    }

    def run(*extra: str) -> dict:
        cmd = [
            sys.executable,
            __file__,
            "--rows",
            str(args.rows),
            "--data-dir",
            str(args.data_dir),
            *extra,
        ]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    for fmt in ("csv", "parquet"):
        f = args.scratch / f"synthetic_{args.rows}.{fmt}"
        db = args.scratch / f"postings_{fmt}.duckdb"
        db.unlink(missing_ok=True)
        if not f.exists():
            results[f"synth_{fmt}"] = run("--step", "synth", "--file", str(f))
        results[f"ingest_{fmt}"] = run("--step", "ingest", "--file", str(f), "--db", str(db))
        print(fmt, results[f"ingest_{fmt}"], flush=True)
    results["queries"] = run(
        "--step", "query", "--db", str(args.scratch / "postings_parquet.duckdb")
    )
    results["machine"]["load_at_end"] = os.getloadavg()
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / f"postings_scale_{args.rows}.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
