"""Quality parity of the backends on the skill-linking dev sets (TECH, HOUSE).

Usage::

    .venv/bin/python benchmarks/quality_backends.py [--data-dir ../shared/data]
        [--backends torch,onnx,onnx-int8] [--hybrid-backends onnx,onnx-int8]

Same data, target space and metrics as ``benchmarks/quality.py`` (dev splits only):
RP@5, RP@10 and MRR for

* ``semantic`` -- the plain model, sentence vs preferred label (13,895 labels: every
  backend in ``--backends``);
* ``hybrid (default)`` -- align's default matcher (labels, alt labels and framed
  labels, ~100k texts: the backends in ``--hybrid-backends``; torch takes about half
  an hour on a loaded 2-core machine, so it is opt-in).

Also the top-10 overlap of each backend's ranking with the first backend's (mean over
sentences of |top10 a ∩ top10 b| / 10). Prints Markdown, writes
``benchmarks/out/quality_backends.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from align._embed import Embedder
from align._match import Matcher
from align.exceptions import AlignDataWarning

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("quality", HERE / "quality.py")
assert _spec is not None and _spec.loader is not None
quality = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(quality)

CONFIGS = {
    "semantic": dict(method="semantic", alt_labels=False, descriptions="never", label_templates=()),
    "hybrid (default)": dict(method="hybrid"),
}


def overlap(a: list[list[str]], b: list[list[str]], k: int = 10) -> float:
    return float(np.mean([len(set(x[:k]) & set(y[:k])) / k for x, y in zip(a, b, strict=True)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--backends", default="torch,onnx,onnx-int8")
    ap.add_argument("--hybrid-backends", default="onnx,onnx-int8")
    args = ap.parse_args()
    warnings.simplefilter("ignore", AlignDataWarning)
    bench = args.data_dir / "benchmarks" / "esco_skill_linking_dev"
    labels = [x.strip() for x in (bench / "skills_en_label.txt").read_text("utf-8").splitlines()]
    sets = {
        "TECH": quality.load_linking(bench, "tech"),
        "HOUSE": quality.load_linking(bench, "house"),
    }
    _, skills = quality.esco_skills(args.data_dir, labels)
    plan = {
        "semantic": [b for b in args.backends.split(",") if b],
        "hybrid (default)": [b for b in args.hybrid_backends.split(",") if b],
    }
    out: dict = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_start": os.getloadavg(),
        },
        "sentences": {n: len(d) for n, d in sets.items()},
        "results": {},
        "top10_overlap": {},
        "fit_s": {},
    }
    dest = HERE / "out" / "quality_backends.json"
    dest.parent.mkdir(exist_ok=True)
    for config, backends in plan.items():
        ranked: dict[str, dict[str, list[list[str]]]] = {}
        for b in backends:
            emb = Embedder(backend=b, show_progress=True)  # type: ignore[arg-type]
            t = time.perf_counter()
            m = Matcher(skills, embedder=emb, show_progress=True, **CONFIGS[config]).fit()  # type: ignore[arg-type]
            out["fit_s"][f"{config} / {b}"] = time.perf_counter() - t
            ranked[b] = {
                name: quality.ranked_labels(m, df["sentence"].tolist()) for name, df in sets.items()
            }
            out["results"].setdefault(config, {})[b] = {
                name: quality.rp_mrr(ranked[b][name], sets[name]["gold"].tolist()) for name in sets
            }
            print(config, b, json.dumps(out["results"][config][b]), file=sys.stderr, flush=True)
            ref = backends[0]
            if b != ref:
                out["top10_overlap"][f"{config}: {b} vs {ref}"] = {
                    name: overlap(ranked[b][name], ranked[ref][name]) for name in sets
                }
            out["machine"]["load_average_now"] = os.getloadavg()
            dest.write_text(json.dumps(out, indent=2), "utf-8")
    lines = [
        "| configuration | backend | TECH RP@5 | TECH RP@10 | TECH MRR | HOUSE RP@5 | "
        "HOUSE RP@10 | HOUSE MRR |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for config, per in out["results"].items():
        for b, res in per.items():
            cells = []
            for name in sets:
                r = res[name]
                cells += [f"{r['RP@5']:.1f}", f"{r['RP@10']:.1f}", f"{r['MRR']:.3f}"]
            lines.append(f"| {config} | {b} | " + " | ".join(cells) + " |")
    lines += ["", "| top-10 overlap | TECH | HOUSE |", "|---|---|---|"]
    for key, val in out["top10_overlap"].items():
        lines.append(f"| {key} | {val['TECH']:.3f} | {val['HOUSE']:.3f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
