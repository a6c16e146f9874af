"""Speed and memory of the default (routed, align-minilm where it helps) vs the base model.

Usage::

    .venv/bin/python benchmarks/speed_model.py [--cli-repeats 5]

1. **Cold CLI**: ``align match "<a new text>" --framework onet`` (and ``esco``) in a
   fresh process, the framework's vectors cached, the query new: CPU seconds of the
   child (user + system, robust to load) and its peak RSS, medians, for the default
   (``ALIGN_MODEL`` unset: O*NET's DWAs, IWAs and work activities through align-minilm,
   so the query goes through both networks) and for ``ALIGN_MODEL=all-MiniLM-L6-v2``
   (the base model everywhere), alternating.
2. **Index build**: what the adapted model adds to a framework's first build: the
   adapted network over the texts of the routed kinds (none for ESCO), measured
   in-process without a vector cache, beside the base model over every text (O*NET).

Writes ``benchmarks/out/speed_model.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
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


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def bench_index_build(framework: str, base_too: bool) -> dict:
    """What the adapted model adds to a framework's first index build, in-process.

    The texts a matcher embeds are captured; those of the routed kinds
    (:data:`align._routing.ADAPTED`) are embedded by the adapted network as well, so the
    extra is that network over them (merge and ONNX export done beforehand, no vector
    cache). With ``base_too`` the base model's embedding of every text is timed as well.
    """
    import numpy as np

    from align import load_framework
    from align._adapted import AdaptedEmbedder
    from align._embed import Embedder
    from align._match import Matcher
    from align._routing import adapted_mask

    class _Capture:
        routes = "none"

        def __init__(self) -> None:
            self.texts: list[str] = []

        def encode(self, texts, show_progress=None):  # type: ignore[no-untyped-def]
            self.texts.extend(texts)
            out = np.zeros((len(texts), 384), dtype=np.float32)
            out[:, 0] = 1.0
            return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fw = load_framework(framework)
    cap = _Capture()
    m = Matcher(fw, embedder=cap).fit()  # type: ignore[arg-type]
    items = m.items_.reset_index(drop=True)
    routed = adapted_mask(items["id"].tolist(), items["kind"].tolist(), "default")
    surf = m.surfaces_
    texts = list(dict.fromkeys(surf["text"]))
    routed_texts = list(dict.fromkeys(surf["text"][routed[surf["item"].to_numpy()]]))
    base = Embedder(use_cache=False, show_progress=False)
    adapted = AdaptedEmbedder(base)
    adapted.encode(["warm-up"])  # the merge and its ONNX export, once, untimed
    base.encode(["warm-up"])
    c0 = _cpu()
    if routed_texts:
        adapted.encode(routed_texts)
    extra = _cpu() - c0
    out = {"texts": len(texts), "routed_texts": len(routed_texts), "adapted_cpu_s": round(extra, 1)}
    if base_too:
        c0 = _cpu()
        base.encode(texts)
        out["base_cpu_s"] = round(_cpu() - c0, 1)
        out["added_share"] = round(extra / max(out["base_cpu_s"], 1e-9), 3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli-repeats", type=int, default=5)
    ap.add_argument("--frameworks", default="onet,esco")
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()
    out: dict = {"load_average_start": os.getloadavg()[0]}
    # The CLI children first: a child forked from a parent holding ESCO would report the
    # parent's pages in its peak RSS.
    for fw in filter(None, args.frameworks.split(",")):
        out[f"cold_cli_{fw}"] = bench_cli(fw, args.cli_repeats)
        print(fw, json.dumps(out[f"cold_cli_{fw}"]), flush=True)
    if not args.skip_build:
        # ESCO routes nothing to the adapted model, so its build is the base model's; the
        # base build (3.2 CPU-minutes, README) is timed only for O*NET.
        for fw in ("onet", "esco"):
            out[f"index_build_{fw}"] = bench_index_build(fw, base_too=fw == "onet")
            print(fw, json.dumps(out[f"index_build_{fw}"]), flush=True)
    out["load_average_end"] = os.getloadavg()[0]
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "speed_model.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
