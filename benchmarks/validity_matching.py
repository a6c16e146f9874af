"""Outcome-shaped matching: O*NET task statement -> detailed work activity (DWA).

O*NET's analysts link every task statement to the DWAs it involves ("Tasks to
DWAs"). A task statement is written like a learning outcome (a verb, an object,
often a context), and a DWA like a competency, so this is the closest public
analogue of "learning outcome -> competency".

Query: a task statement. Target space: all 2,087 DWAs. Gold: the task's linked
DWAs. Reported per half (dev/test split by SOC major group, see
``_validity_common``): acc@1 (top match is a gold DWA), acc@5 (a gold DWA in the
top 5), MRR (over the top 50), and the calibration table: precision of the top
match by score band, which is what a match score of 0.3 / 0.5 / 0.7 means.

Methods:

* ``semantic`` -- plain all-MiniLM-L6-v2 (no label templates, no alt labels,
  no descriptions): the baseline;
* ``default`` -- align's default hybrid Matcher;
* any further method registered in ``METHODS`` (the calibrated matcher).

Usage::

    python benchmarks/validity_matching.py [--n 2500] [--methods semantic,default]

Writes ``benchmarks/out/validity_matching.json`` (and the dev top-k rows used to
fit calibration, ``benchmarks/out/validity_matching_dev.parquet``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _validity_common import OUT, dwa_framework, onet, stable_hash, task_table

from align._calibration import CREDIT_FLOOR, CREDIT_FULL
from align._match import Matcher

TOP = 50
BANDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.01)


def _semantic(fw):
    return Matcher(
        fw,
        method="semantic",
        kinds="all",
        label_templates=(),
        alt_labels=False,
        descriptions="never",
    )


def _default(fw):
    return Matcher(fw, kinds="all")


class _Calibrated:
    """The scoring's credit score: default matcher + content-word overlap, re-ranked."""

    def __init__(self, fw) -> None:
        self.m = Matcher(fw, kinds="all")

    def fit(self) -> _Calibrated:
        self.m.fit()
        return self

    def match(self, texts: list[str], top_k: int, min_score: float = 0.0) -> pd.DataFrame:
        from align._calibration import content_words, credit_scores

        t = self.m.match(texts, top_k=top_k, min_score=min_score)
        qw = [content_words(x) for x in texts]
        lw = {lb: content_words(lb) for lb in t["label"].unique()}
        ov = [
            len(lw[lb] & qw[q]) / max(1, len(lw[lb]))
            for q, lb in zip(t["query_index"], t["label"], strict=True)
        ]
        t["score"] = credit_scores(t["score"].to_numpy(float), np.array(ov))
        t = t.sort_values(["query_index", "score"], ascending=[True, False])
        t["rank"] = t.groupby("query_index").cumcount() + 1
        return t.reset_index(drop=True)


METHODS: dict[str, Callable] = {
    "semantic": _semantic,
    "default": _default,
    "calibrated": _Calibrated,
}


def sample_tasks(n: int) -> pd.DataFrame:
    """Up to ``n`` tasks per half, chosen by a stable hash of the task id (no seed drift)."""
    t = task_table(onet())
    t["h"] = t["task_id"].map(stable_hash)
    return (
        t.sort_values("h")
        .groupby("split", group_keys=False)
        .head(n)
        .drop(columns="h")
        .reset_index(drop=True)
    )


def evaluate(table: pd.DataFrame, tasks: pd.DataFrame) -> dict[str, dict[str, float]]:
    """acc@1, acc@5, MRR per split from a match table (query_index, rank, id, score)."""
    gold = tasks["dwas"].map(set).to_list()
    table = table.assign(
        hit=[i in gold[q] for q, i in zip(table["query_index"], table["id"], strict=True)]
    )
    first = table[table["hit"]].groupby("query_index")["rank"].min()
    rank = first.reindex(range(len(tasks)))
    out: dict[str, dict[str, float]] = {}
    for split in ("dev", "test"):
        m = (tasks["split"] == split).to_numpy()
        r = rank[m]
        top1 = table[table["rank"] == 1].set_index("query_index").reindex(np.flatnonzero(m))
        bands = {}
        for lo, hi in itertools.pairwise(BANDS):
            b = top1[(top1["score"] >= lo) & (top1["score"] < hi)]
            bands[f"{lo:.1f}-{min(hi, 1.0):.1f}"] = {
                "n": len(b),
                "precision": float(b["hit"].mean()) if len(b) else float("nan"),
            }
        gold_rows = table[table["hit"] & table["query_index"].isin(np.flatnonzero(m))]
        best_gold = gold_rows.groupby("query_index")["score"].max()
        out[split] = {
            "n": int(m.sum()),
            "gold_full_credit": float((best_gold >= CREDIT_FULL).sum() / m.sum()),
            "gold_some_credit": float((best_gold > CREDIT_FLOOR).sum() / m.sum()),
            "acc@1": float((r == 1).mean()),
            "acc@5": float((r <= 5).mean()),
            "mrr": float((1.0 / r).fillna(0).mean()),
            "median_top1_score": float(top1["score"].median()),
            "bands": bands,
        }
    return out


def run(methods: list[str], n: int) -> dict:
    tasks = sample_tasks(n)
    target = dwa_framework(onet())
    results = {"n_tasks": {s: int((tasks["split"] == s).sum()) for s in ("dev", "test")}}
    for name in methods:
        t0 = time.perf_counter()
        m = METHODS[name](target).fit()
        table = m.match(tasks["task"].to_list(), top_k=TOP, min_score=0.0)
        res = evaluate(table, tasks)
        res["seconds"] = time.perf_counter() - t0
        results[name] = res
        dev = table[table["query_index"].isin(np.flatnonzero(tasks["split"] == "dev"))].copy()
        gold = tasks["dwas"].map(set).to_list()
        dev["hit"] = [i in gold[q] for q, i in zip(dev["query_index"], dev["id"], strict=True)]
        dev[
            ["query_index", "rank", "id", "score", "semantic_score", "lexical_score", "hit"]
        ].to_parquet(OUT / f"validity_matching_dev_{name}.parquet")
        print(
            f"{name:12s} "
            + "  ".join(
                f"{s}: acc@1 {res[s]['acc@1']:.3f} acc@5 {res[s]['acc@5']:.3f} "
                f"MRR {res[s]['mrr']:.3f}"
                for s in ("dev", "test")
            )
            + f"  ({res['seconds']:.0f} s)",
            flush=True,
        )
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2500, help="tasks per half")
    ap.add_argument("--methods", default=",".join(METHODS))
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    res = run(args.methods.split(","), args.n)
    (OUT / "validity_matching.json").write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
