"""Embedding and matching speed, in one run, on the same texts.

Usage::

    .venv/bin/python benchmarks/speed.py [--data-dir ../shared/data] [--n 1000] [--repeats 3]

Measures (medians over ``--repeats``):

1. Embedder throughput vs raw ``SentenceTransformer.encode`` on the same texts
   (Embedder with an empty cache, so it pays hashing and cache writes too);
   (paired runs in alternating order; the ratio is the median of the per-run ratios);
2. a cached rerun of the same texts (speed-up over the cold Embedder);
3. matching 1,000 outcome-like sentences against all ESCO skills and knowledge
   with alt labels (~98k surfaces), warm: matcher fitted, query vectors cached;
   also the cold query time (query vectors computed) and the fit time from cache;
4. peak memory (max RSS) of the process.

The texts are real: sentences of the Glassdoor data-science postings in
``../shared/data`` (for 1-3). Prints Markdown and writes ``benchmarks/out/speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from align import load_framework
from align._embed import Embedder, get_embedder
from align._match import Matcher
from align.exceptions import AlignDataWarning

HERE = Path(__file__).resolve().parent


def sentences(data_dir: Path, n: int) -> list[str]:
    df = pd.read_csv(data_dir / "job_postings" / "glassdoor_ds_jobs_2021" / "Uncleaned_DS_jobs.csv")
    out: list[str] = []
    seen: set[str] = set()
    for text in df["Job Description"].dropna():
        for s in re.split(r"[\n.]+", str(text)):
            s = " ".join(s.split())
            if 30 <= len(s) <= 250 and s.lower() not in seen:
                seen.add(s.lower())
                out.append(s)
    return out[:n]


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--n", type=int, default=1000, help="texts per measurement")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    warnings.simplefilter("ignore", AlignDataWarning)
    load_start = os.getloadavg()
    texts = sentences(args.data_dir, args.n)
    shared = get_embedder()
    model = shared._load()
    model.encode(texts[:64])  # warm up kernels before timing anything

    raw, cold, warm, ratios = [], [], [], []

    def run_raw() -> float:
        return timed(
            lambda: model.encode(
                texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True
            )
        )

    for rep in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            emb = Embedder(cache_dir=tmp, show_progress=False)
            emb._model = model  # same loaded weights: we time the wrapper, not the load
            # Paired and in alternating order, so a change in machine load during the run
            # hits both sides of each ratio alike.
            if rep % 2 == 0:
                r, c = run_raw(), timed(lambda emb=emb: emb.encode(texts))
            else:
                c, r = timed(lambda emb=emb: emb.encode(texts)), run_raw()
            warm.append(timed(lambda emb=emb: emb.encode(texts)))
        raw.append(r)
        cold.append(c)
        ratios.append(c / r)
    med = {k: statistics.median(v) for k, v in (("raw", raw), ("cold", cold), ("warm", warm))}

    # The wrapper's own cost, measured without the model (a stub returns precomputed
    # vectors): hashing, cache lookups and writes, sorting, assembling. Robust to load.
    vectors = model.encode(texts, batch_size=64, normalize_embeddings=True)
    lookup = dict(zip(texts, vectors, strict=True))

    class _Stub:
        def encode(self, batch: list[str], **kw: object) -> np.ndarray:
            return np.stack([lookup[t] for t in batch])

    overhead = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            emb = Embedder(cache_dir=tmp, show_progress=False)
            emb._model = _Stub()
            overhead.append(timed(lambda emb=emb: emb.encode(texts)))
    overhead_s = statistics.median(overhead)

    esco = load_framework("esco", data_dir=args.data_dir)
    skills = esco.subset(["skill", "knowledge"])
    t = time.perf_counter()
    matcher = Matcher(skills, embedder=shared, show_progress=True).fit()
    fit_s = time.perf_counter() - t
    surfaces = len(matcher.surfaces_)
    queries = texts[:1000]
    cold_match = timed(lambda: matcher.match(queries, top_k=5))  # may embed the queries
    warm_runs = [timed(lambda: matcher.match(queries, top_k=5)) for _ in range(args.repeats)]
    lex = Matcher(skills, "lexical").fit()
    lex_runs = [timed(lambda: lex.match(queries[:200], top_k=5)) for _ in range(1)]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    out = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_start": load_start,
            "load_average_end": os.getloadavg(),
            "note": "shared 2-core machine; other jobs were running during the measurement",
        },
        "model": shared.model_id,
        "texts": len(texts),
        "repeats": args.repeats,
        "raw_encode_s": med["raw"],
        "embedder_cold_s": med["cold"],
        "embedder_over_raw": statistics.median(ratios),
        "embedder_over_raw_each": ratios,
        "raw_texts_per_s": len(texts) / med["raw"],
        "wrapper_overhead_s": overhead_s,
        "embedder_over_raw_from_overhead": (med["raw"] + overhead_s) / med["raw"],
        "cached_rerun_s": med["warm"],
        "cached_speedup": med["cold"] / med["warm"],
        "esco_surfaces": surfaces,
        "esco_fit_s": fit_s,
        "match_1000_cold_queries_s": cold_match,
        "match_1000_warm_s": statistics.median(warm_runs),
        "lexical_match_200_s": statistics.median(lex_runs),
        "peak_rss_mb": peak_mb,
    }
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "speed.json").write_text(json.dumps(out, indent=2), "utf-8")
    rows = [
        ("raw SentenceTransformer.encode", f"{med['raw']:.2f} s ({len(texts) / med['raw']:.0f}/s)"),
        ("Embedder, empty cache", f"{med['cold']:.2f} s (ratio {out['embedder_over_raw']:.3f})"),
        (
            "Embedder's own overhead (model stubbed out)",
            f"{overhead_s * 1000:.0f} ms (ratio {(med['raw'] + overhead_s) / med['raw']:.3f})",
        ),
        (
            "Embedder, cached rerun",
            f"{med['warm'] * 1000:.1f} ms (speed-up {out['cached_speedup']:.0f}x)",
        ),
        (f"fit on ESCO skills+knowledge ({surfaces:,} surfaces, cached)", f"{fit_s:.1f} s"),
        ("match 1,000 sentences, warm (hybrid)", f"{out['match_1000_warm_s']:.2f} s"),
        ("match 1,000 sentences, query vectors not cached", f"{cold_match:.2f} s"),
        ("match 200 sentences, lexical only", f"{out['lexical_match_200_s']:.2f} s"),
        ("peak memory (max RSS)", f"{peak_mb:,.0f} MB"),
    ]
    print(
        f"Texts: {len(texts):,} Glassdoor posting sentences; medians of {args.repeats} runs; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{load_start[0]:.1f} -> {out['machine']['load_average_end'][0]:.1f} (shared machine)\n"
    )
    print("| measurement | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
