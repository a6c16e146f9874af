"""Speed and memory of the default (routed, align-minilm where it helps) vs the base model.

Usage::

    .venv/bin/python benchmarks/speed_model.py [--cli-repeats 5]

1. **Cold CLI**: ``align match "<a new text>" --framework onet`` (and ``esco``) in a
   fresh process, the framework's vectors cached, the query new: CPU seconds of the
   child (user + system, robust to load) and its peak RSS, medians, for the default
   (``ALIGN_MODEL`` unset: O*NET's DWAs / IWAs and ESCO through align-minilm) and
   for ``ALIGN_MODEL=all-MiniLM-L6-v2`` (the base model everywhere), alternating.
2. **ESCO index build**: what the adapted model adds to the first ``align match
   --framework esco`` (3.2 CPU-minutes with the base model, README): the base
   vectors are the same texts computed the same way, so the extra is the head over
   the 112k surface vectors and one more bundle file, measured here in-process.

Writes ``benchmarks/out/speed_model.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed_backends import cli_cmd, timed_child

HERE = Path(__file__).resolve().parent
SETTINGS = {"default (routed)": None, "base everywhere": "all-MiniLM-L6-v2"}


def _env(model: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ALIGN_MODEL", None)
    if model:
        env["ALIGN_MODEL"] = model
    return env


def bench_cli(framework: str, repeats: int) -> dict:
    for model in SETTINGS.values():  # untimed: vectors, exports and bundles in the cache
        timed_child(cli_cmd("warm-up text", framework), _env(model))
    runs: dict[str, list[dict]] = {k: [] for k in SETTINGS}
    for rep in range(repeats):
        names = list(SETTINGS) if rep % 2 == 0 else list(SETTINGS)[::-1]
        for name in names:
            text = f"Explain the results of a regression analysis to managers ({rep} {name})"
            runs[name].append(timed_child(cli_cmd(text, framework), _env(SETTINGS[name])))
            print(framework, name, rep, round(runs[name][-1]["cpu_s"], 2), file=sys.stderr)
    return {
        name: {
            "cpu_s": round(statistics.median(r["cpu_s"] for r in rs), 2),
            "peak_rss_mb": round(statistics.median(r["peak_rss_mb"] for r in rs)),
            "cpu_runs": [round(r["cpu_s"], 2) for r in rs],
        }
        for name, rs in runs.items()
    }


def bench_head_on_esco() -> dict:
    from align import load_framework
    from align._adapted import load_head
    from align._match import Matcher

    class _Capture:
        routes = "none"

        def __init__(self) -> None:
            self.texts: list[str] = []

        def encode(self, texts, show_progress=None):  # type: ignore[no-untyped-def]
            import numpy as np

            self.texts.extend(texts)
            out = np.zeros((len(texts), 384), dtype=np.float32)
            out[:, 0] = 1.0
            return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        esco = load_framework("esco")
    cap = _Capture()
    Matcher(esco, embedder=cap).fit()  # type: ignore[arg-type]
    import numpy as np

    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(len(cap.texts), 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    head, _, _ = load_head()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    head(vecs)
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    return {
        "surfaces": len(cap.texts),
        "head_cpu_s": round(cpu, 2),
        "head_wall_s": round(time.perf_counter() - t0, 2),
        "base_build_cpu_min_readme": 3.2,
        "added_share": round(cpu / (3.2 * 60), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli-repeats", type=int, default=5)
    ap.add_argument("--frameworks", default="onet,esco")
    ap.add_argument("--skip-esco-build", action="store_true")
    args = ap.parse_args()
    out: dict = {"load_average_start": os.getloadavg()[0]}
    # The CLI children first: a child forked from a parent holding ESCO would report the
    # parent's pages in its peak RSS.
    for fw in filter(None, args.frameworks.split(",")):
        out[f"cold_cli_{fw}"] = bench_cli(fw, args.cli_repeats)
        print(fw, json.dumps(out[f"cold_cli_{fw}"]), flush=True)
    if not args.skip_esco_build:
        out["esco_build_extra"] = bench_head_on_esco()
        print(json.dumps(out["esco_build_extra"]), flush=True)
    out["load_average_end"] = os.getloadavg()[0]
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "speed_model.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
