"""Backends side by side: torch vs ONNX fp32 vs ONNX int8, in one run.

Usage::

    .venv/bin/python benchmarks/speed_backends.py [--data-dir ../shared/data] [--repeats 3]
        [--cli-repeats 5] [--sample 10000] [--full-build onnx,onnx-int8] [--skip-cli]

Measures, each backend on the same texts, in alternating order so a change of
machine load hits every backend alike:

1. **Cold CLI**: ``align match "<a new text>" --framework onet`` in a fresh process,
   the framework's vectors cached, the query new (so the model runs) and, separately,
   the query cached too (no model at all). CPU seconds of the child process
   (user + system, from ``wait4``; robust to load) and its peak RSS; medians of
   ``--cli-repeats``.
2. **Throughput**: 1,000 sentences of real postings and 10,000 ESCO labels
   (seed 0), no cache: texts/s (wall) and CPU ms per text; medians of ``--repeats``.
3. **First-time ESCO index**: the 111,908 distinct texts ``align match --framework
   esco`` embeds on an empty cache, in a child process per backend (peak RSS is the
   child's). Backends in ``--full-build`` embed all of them; the others embed a
   random sample of ``--sample`` of the same texts and the full build is
   extrapolated from their rate (said so in the output).

CPU figures count every thread of the process. Prints Markdown and writes
``benchmarks/out/speed_backends.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
BACKENDS = ("torch", "onnx", "onnx-int8")


def sentences(data_dir: Path, n: int) -> list[str]:
    path = data_dir / "job_postings" / "glassdoor_ds_jobs_2021" / "Uncleaned_DS_jobs.csv"
    df = pd.read_csv(path)
    out: list[str] = []
    seen: set[str] = set()
    for text in df["Job Description"].dropna():
        for s in re.split(r"[\n.]+", str(text)):
            s = " ".join(s.split())
            if 30 <= len(s) <= 250 and s.lower() not in seen:
                seen.add(s.lower())
                out.append(s)
    return out[:n]


def esco_match_texts(data_dir: Path) -> list[str]:
    """The distinct texts a first ``align match --framework esco`` embeds, in its order."""
    from align import load_framework
    from align._match import Matcher

    captured: list[str] = []

    class Capture:
        show_progress = None

        def encode(self, texts: list[str], show_progress: bool | None = None) -> np.ndarray:
            captured.extend(texts)
            vecs = np.ones((len(texts), 4), dtype=np.float32)
            return vecs / 2.0

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        esco = load_framework("esco", data_dir=data_dir)
        Matcher(esco, embedder=Capture()).fit()  # type: ignore[arg-type]
    return captured


def esco_labels(data_dir: Path, n: int) -> list[str]:
    from align import load_framework

    esco = load_framework("esco", data_dir=data_dir)
    labels = esco.competencies["label"].dropna().astype(str).drop_duplicates()
    return labels.sample(n=min(n, len(labels)), random_state=0).tolist()


# -- child processes -------------------------------------------------------------------
def timed_child(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True
    )
    # Read the pipes fully, then reap with wait4 to get this child's own resource use.
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])} failed: {err.decode()[-2000:]}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "stdout": out.decode()[-2000:],
    }


def child_env(backend: str, cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ALIGN_BACKEND"] = backend
    env["ALIGN_CACHE_DIR"] = str(cache)
    return env


def cli_cmd(text: str, framework: str) -> list[str]:
    # As the `align` script runs it: import align.cli, call main() with the arguments.
    boot = "import sys; from align.cli import main; sys.argv = ['align', *sys.argv[1:]]; main()"
    return [sys.executable, "-c", boot, "match", text, "--framework", framework]


def child_build(backend: str, n: int, out: Path, data_dir: Path) -> None:
    """Child mode: embed ESCO's match texts (all, or a sample of n) on an empty cache."""
    import resource

    from align._embed import Embedder

    texts = esco_match_texts(data_dir)
    total = len(texts)
    if 0 < n < total:
        rng = np.random.default_rng(0)
        texts = [texts[i] for i in sorted(rng.choice(total, n, replace=False))]
    with tempfile.TemporaryDirectory() as tmp:
        emb = Embedder(backend=backend, cache_dir=tmp, show_progress=True)  # type: ignore[arg-type]
        t_cpu0, t0 = time.process_time(), time.perf_counter()
        emb._load()
        load_cpu, load_wall = time.process_time() - t_cpu0, time.perf_counter() - t0
        c0, w0 = time.process_time(), time.perf_counter()
        emb.encode(texts)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    out.write_text(
        json.dumps(
            {
                "backend": backend,
                "texts": len(texts),
                "esco_texts": total,
                "sampled": len(texts) < total,
                "load_cpu_s": load_cpu,
                "load_wall_s": load_wall,
                "embed_cpu_s": cpu,
                "embed_wall_s": wall,
                "texts_per_s": len(texts) / wall,
                "full_build_min_wall": total / (len(texts) / wall) / 60,
                "full_build_min_cpu": total / (len(texts) / cpu) / 60,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "load_average": os.getloadavg(),
            }
        ),
        "utf-8",
    )


# -- parts -------------------------------------------------------------------------------
def bench_cli(args: argparse.Namespace, cache: Path) -> dict:
    """Cold CLI runs per backend: new query (model runs) and cached query (no model)."""
    backends = ("torch", "onnx")
    print("first onet match on an empty cache, onnx ...", file=sys.stderr, flush=True)
    first = timed_child(cli_cmd("warm-up text", "onet"), child_env("onnx", cache))
    # torch's copy of the framework vectors is seeded from onnx's (they agree to about
    # 1e-6) instead of embedding them again with torch, which takes a quarter of an hour
    # on a loaded machine: a cold run's cost does not depend on the vectors' values.
    from align._embed import Embedder

    ids = {b: Embedder(backend=b).model_id for b in backends}  # type: ignore[arg-type]
    conn = sqlite3.connect(cache / "embeddings" / "vectors.sqlite3")
    with conn:
        conn.execute(
            "INSERT OR REPLACE INTO vectors SELECT ?, key, dim, vec, sum FROM vectors "
            "WHERE model = ?",
            (ids["torch"], ids["onnx"]),
        )
    conn.close()
    for b in backends:  # one untimed run each (loads the OS file cache, writes bundles)
        timed_child(cli_cmd("warm-up text", "onet"), child_env(b, cache))
    res: dict[str, dict[str, list[float]]] = {
        b: {"new_cpu": [], "new_rss": [], "cached_cpu": [], "cached_rss": [], "new_wall": []}
        for b in backends
    }
    for rep in range(args.cli_repeats):
        order = backends if rep % 2 == 0 else backends[::-1]
        for b in order:
            text = f"Explain the results of a regression analysis to managers (run {rep} {b})"
            r = timed_child(cli_cmd(text, "onet"), child_env(b, cache))
            res[b]["new_cpu"].append(r["cpu_s"])
            res[b]["new_wall"].append(r["wall_s"])
            res[b]["new_rss"].append(r["peak_rss_mb"])
            r = timed_child(cli_cmd(text, "onet"), child_env(b, cache))  # now cached
            res[b]["cached_cpu"].append(r["cpu_s"])
            res[b]["cached_rss"].append(r["peak_rss_mb"])
            print(b, rep, res[b]["new_cpu"][-1], res[b]["cached_cpu"][-1], file=sys.stderr)
    out: dict = {
        b: {k: statistics.median(v) for k, v in d.items()} | {"runs": d} for b, d in res.items()
    }
    out["first_onet_onnx"] = {
        "wall_s": first["wall_s"],
        "cpu_s": first["cpu_s"],
        "peak_rss_mb": first["peak_rss_mb"],
    }
    return out


def bench_esco_cli(args: argparse.Namespace, cache: Path) -> dict:
    """First `align match --framework esco` on an empty cache, then cold runs with new texts."""
    out = {}
    for b in filter(None, args.esco_cli.split(",")):
        print(f"first-time ESCO match via the CLI, {b} ...", file=sys.stderr, flush=True)
        first = timed_child(cli_cmd("Prepare financial reports", "esco"), child_env(b, cache))
        runs = [
            timed_child(
                cli_cmd(f"Coach new staff on safety rules ({b} {i})", "esco"), child_env(b, cache)
            )
            for i in range(3)
        ]
        out[b] = {
            "first_wall_min": first["wall_s"] / 60,
            "first_cpu_min": first["cpu_s"] / 60,
            "first_peak_rss_mb": first["peak_rss_mb"],
            "new_text_cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "new_text_peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
        }
        print(json.dumps(out[b]), file=sys.stderr, flush=True)
    return out


def bench_throughput(args: argparse.Namespace) -> dict:
    from align._embed import Embedder

    sets = {
        "posting sentences": sentences(args.data_dir, 1000),
        "ESCO labels": esco_labels(args.data_dir, 10_000),
    }
    embs = {b: Embedder(backend=b, use_cache=False, show_progress=False) for b in BACKENDS}  # type: ignore[arg-type]
    loads = {}
    for b, emb in embs.items():
        c0 = time.process_time()
        emb._load()
        loads[b] = time.process_time() - c0
        emb.encode(sets["posting sentences"][:64])  # warm-up
    out: dict = {"model_load_cpu_s": loads}
    for name, texts in sets.items():
        runs: dict[str, dict[str, list[float]]] = {b: {"wall": [], "cpu": []} for b in BACKENDS}
        repeats = args.repeats if name == "posting sentences" else args.label_repeats
        for rep in range(repeats):
            order = BACKENDS if rep % 2 == 0 else BACKENDS[::-1]
            for b in order:
                c0, w0 = time.process_time(), time.perf_counter()
                embs[b].encode(texts)
                runs[b]["cpu"].append(time.process_time() - c0)
                runs[b]["wall"].append(time.perf_counter() - w0)
                print(name, b, rep, runs[b]["wall"][-1], file=sys.stderr, flush=True)
        out[name] = {
            b: {
                "texts": len(texts),
                "texts_per_s": len(texts) / statistics.median(r["wall"]),
                "cpu_ms_per_text": 1000 * statistics.median(r["cpu"]) / len(texts),
                "runs_wall_s": r["wall"],
                "runs_cpu_s": r["cpu"],
            }
            for b, r in runs.items()
        }
    return out


def bench_build(args: argparse.Namespace) -> dict:
    out = {}
    full = set(filter(None, args.full_build.split(",")))
    for b in BACKENDS:
        with tempfile.TemporaryDirectory() as tmp:
            dest = Path(tmp) / "build.json"
            n = 0 if b in full else args.sample
            cmd = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child-build",
                b,
                "--n",
                str(n),
                "--out",
                str(dest),
                "--data-dir",
                str(args.data_dir),
            ]
            print(f"ESCO build, {b}, {n or 'all'} texts ...", file=sys.stderr)
            usage = timed_child(cmd, dict(os.environ))
            res = json.loads(dest.read_text("utf-8"))
            res["child_peak_rss_mb"] = usage["peak_rss_mb"]
            out[b] = res
            print(json.dumps(res), file=sys.stderr, flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--label-repeats", type=int, default=3, help="repeats for the ESCO labels")
    ap.add_argument("--cli-repeats", type=int, default=5)
    ap.add_argument("--sample", type=int, default=10_000)
    ap.add_argument("--full-build", default="", help="backends that embed all ESCO texts")
    ap.add_argument("--esco-cli", default="onnx", help="backends for the end-to-end ESCO run")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--tag", default="", help="suffix of the JSON file (parts run separately)")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--cache-dir", type=Path, default=None, help="cache for the CLI part")
    ap.add_argument("--child-build", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_build:
        child_build(args.child_build, args.n, args.out, args.data_dir)
        return
    warnings.simplefilter("ignore")
    load_start = os.getloadavg()
    result: dict = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_start": load_start,
            "note": "shared 2-core machine; other jobs were running during the measurement",
        }
    }
    (HERE / "out").mkdir(exist_ok=True)
    dest = (
        HERE
        / "out"
        / ("speed_backends.json" if not args.tag else f"speed_backends_{args.tag}.json")
    )

    def save() -> None:
        result["machine"]["load_average_now"] = os.getloadavg()
        dest.write_text(json.dumps(result, indent=2), "utf-8")

    if not args.skip_cli:
        cache = args.cache_dir or Path(tempfile.mkdtemp(prefix="align-bench-cli-"))
        result["cold_cli_onet"] = bench_cli(args, cache)
        save()
        result["esco_cli"] = bench_esco_cli(args, cache)
        save()
    if not args.skip_throughput:
        result["throughput"] = bench_throughput(args)
        save()
    if not args.skip_build:
        result["esco_build"] = bench_build(args)
        save()
    print(report(result))


def report(r: dict) -> str:
    lines = [
        f"Machine: {r['machine']['processor']}, {r['machine']['cpus']} CPUs, load average "
        f"{r['machine']['load_average_start'][0]:.1f} at start, "
        f"{r['machine'].get('load_average_now', [0])[0]:.1f} at end (shared machine).",
        "",
    ]
    cli = r.get("cold_cli_onet")
    if cli:
        lines += [
            "| cold CLI, `align match` --framework onet | torch | onnx |",
            "|---|---:|---:|",
            f"| new text: CPU s | {cli['torch']['new_cpu']:.2f} | {cli['onnx']['new_cpu']:.2f} |",
            f"| new text: peak RSS MB | {cli['torch']['new_rss']:.0f} | "
            f"{cli['onnx']['new_rss']:.0f} |",
            f"| query cached too: CPU s | {cli['torch']['cached_cpu']:.2f} | "
            f"{cli['onnx']['cached_cpu']:.2f} |",
            "",
        ]
    for b, e in r.get("esco_cli", {}).items():
        lines += [
            f"First `align match --framework esco` on an empty cache ({b}): "
            f"{e['first_wall_min']:.1f} min wall, {e['first_cpu_min']:.1f} min CPU, peak RSS "
            f"{e['first_peak_rss_mb']:.0f} MB; then a new text: {e['new_text_cpu_s']:.2f} CPU s, "
            f"peak RSS {e['new_text_peak_rss_mb']:.0f} MB.",
            "",
        ]
    tp = r.get("throughput")
    if tp:
        lines += [
            "| throughput (no cache) | torch | onnx fp32 | onnx int8 |",
            "|---|---:|---:|---:|",
        ]
        for name in ("posting sentences", "ESCO labels"):
            d = tp[name]
            n = d["torch"]["texts"]
            lines.append(
                f"| {n:,} {name}: texts/s | "
                + " | ".join(f"{d[b]['texts_per_s']:.0f}" for b in BACKENDS)
                + " |"
            )
            lines.append(
                f"| {n:,} {name}: CPU ms/text | "
                + " | ".join(f"{d[b]['cpu_ms_per_text']:.1f}" for b in BACKENDS)
                + " |"
            )
        lines.append("")
    bd = r.get("esco_build")
    if bd:
        lines += [
            "| first-time ESCO index | torch | onnx fp32 | onnx int8 |",
            "|---|---:|---:|---:|",
            "| texts embedded | "
            + " | ".join(
                f"{bd[b]['texts']:,}" + (" (sample)" if bd[b]["sampled"] else "") for b in BACKENDS
            )
            + " |",
            "| minutes, wall (all 111,908; sample: extrapolated) | "
            + " | ".join(f"{bd[b]['full_build_min_wall']:.1f}" for b in BACKENDS)
            + " |",
            "| minutes of CPU | "
            + " | ".join(f"{bd[b]['full_build_min_cpu']:.1f}" for b in BACKENDS)
            + " |",
            "| peak RSS MB | "
            + " | ".join(f"{bd[b]['child_peak_rss_mb']:.0f}" for b in BACKENDS)
            + " |",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
