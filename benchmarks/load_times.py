"""Cold and cached load times of the real O*NET and ESCO releases.

Cold: the first ``load_framework`` with an empty framework cache (parsing the
.txt/.xlsx/.csv files and writing the Parquet cache). Cached: the median of
three further loads that read the cache. Each framework gets its own fresh
temporary cache folder, so nothing from earlier runs is reused.

Usage::

    .venv/bin/python benchmarks/load_times.py [--data-dir ../shared/data] [--repeat 3]

Prints a Markdown table and writes ``benchmarks/out/load_times.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
FRAMEWORKS = ("onet", "esco")


def _load(name: str, data_dir: Path):
    from align import load_framework
    from align.exceptions import AlignDataWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)  # the shared O*NET copy is partial
        return load_framework(name, data_dir=data_dir)


def measure(name: str, data_dir: Path, repeat: int) -> dict[str, object]:
    """Time one cold and ``repeat`` cached loads of ``name`` in a fresh cache folder."""
    with tempfile.TemporaryDirectory(prefix=f"align-bench-{name}-") as cache:
        os.environ["ALIGN_CACHE_DIR"] = cache
        try:
            t0 = time.perf_counter()
            fw = _load(name, data_dir)
            cold = time.perf_counter() - t0
        except (ImportError, OSError, ValueError) as exc:  # loader missing or data absent
            return {"framework": name, "skipped": f"{type(exc).__name__}: {exc}"}
        cached = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            _load(name, data_dir)
            cached.append(time.perf_counter() - t0)
    return {
        "framework": name,
        "version": fw.version,
        "competencies": len(fw.competencies),
        "occupations": len(fw.occupations),
        "relations": len(fw.relations),
        "cold_s": round(cold, 2),
        "cached_median_s": round(statistics.median(cached), 3),
        "cached_runs_s": [round(t, 3) for t in cached],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_data = os.environ.get("ALIGN_DATA_DIR") or str(HERE.parent.parent / "shared" / "data")
    parser.add_argument("--data-dir", type=Path, default=Path(default_data))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "load_times.json")
    args = parser.parse_args(argv)

    rows = [measure(name, args.data_dir, args.repeat) for name in FRAMEWORKS]
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_1_5_15": [round(x, 2) for x in load],
        },
        "data_dir": str(args.data_dir),
        "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")

    print(
        "| framework | release | competencies | occupations | relations | cold (s) | cached, "
        f"median of {args.repeat} (s) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        if "skipped" in r:
            print(f"| {r['framework']} | skipped: {r['skipped']} | | | | | |")
            continue
        print(
            f"| {r['framework']} | {r['version']} | {r['competencies']:,} | {r['occupations']:,} "
            f"| {r['relations']:,} | {r['cold_s']:.1f} | {r['cached_median_s']:.2f} |"
        )
    print(
        f"\n{os.cpu_count()} CPUs, load average {[round(x, 2) for x in load]}; "
        f"written to {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
