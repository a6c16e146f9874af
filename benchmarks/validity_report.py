"""Render the validity benchmark results (``benchmarks/out/validity_*.json``) as Markdown.

Usage::

    python benchmarks/validity_report.py > /tmp/tables.md

The tables go into ``benchmarks/RESULTS-validity.md`` and the README.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
from _validity_common import OUT


def _load(name: str) -> dict:
    p = OUT / name
    return json.loads(p.read_text()) if p.exists() else {}


def matching() -> str:
    r = _load("validity_matching.json")
    rows = ["| method | dev acc@1 | dev acc@5 | dev MRR | test acc@1 | test acc@5 | test MRR |"]
    rows.append("|---|---:|---:|---:|---:|---:|---:|")
    names = {
        "semantic": "plain all-MiniLM-L6-v2 (baseline)",
        "default": "default hybrid matcher (before)",
        "calibrated": "credit score: hybrid + content-word overlap (new)",
    }
    for k, label in names.items():
        if k in r:
            d, t = r[k]["dev"], r[k]["test"]
            rows.append(
                f"| {label} | {d['acc@1']:.3f} | {d['acc@5']:.3f} | {d['mrr']:.3f} "
                f"| {t['acc@1']:.3f} | {t['acc@5']:.3f} | {t['mrr']:.3f} |"
            )
    return "\n".join(rows)


def nace() -> str:
    r = _load("validity_nace.json")
    rows = [
        "| method | NACE dev acc@1 | NACE test acc@1 | NACE dev acc@3 | NACE test acc@3 "
        "| CMC dev acc@1 | CMC test acc@1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = {
        "semantic": "plain MiniLM, labels only",
        "default": "default matcher (before)",
        "new": "definitions + sample behaviours (new, NACE)",
    }
    for k, label in names.items():
        if k in r:
            n, c = r[k]["nace"], r[k]["cmc"]
            rows.append(
                f"| {label} | {n['dev']['acc@1']:.3f} | {n['test']['acc@1']:.3f} "
                f"| {n['dev']['acc@3']:.3f} | {n['test']['acc@3']:.3f} "
                f"| {c['dev']['acc@1']:.3f} | {c['test']['acc@1']:.3f} |"
            )
    return "\n".join(rows)


def score(tags: dict[str, str]) -> str:
    rows = [
        "| scorer | split | occupations | mean own / unrelated / vague / verbatim "
        "| AUC own>unrelated "
        "| own ≥ vague + 10 | median own/verbatim | share own ≥ 0.8 verbatim | verbatim ≥ own |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for tag, label in tags.items():
        r = _load(f"validity_score{tag}.json")
        for split in ("dev", "test"):
            if split not in r:
                continue
            x = r[split]
            m = x["mean"]
            rows.append(
                f"| {label} | {split} | {x['occupations']} | {m['own']:.1f} / {m['unrelated']:.1f}"
                f" / {m['vague']:.1f} / {m['verbatim']:.1f} | {x['auc_own_vs_unrelated']:.3f} "
                f"| {x['specific_beats_vague_by_10']:.1%} | {x['verbatim_ratio_median']:.2f} "
                f"| {x['verbatim_ratio_ge_0.8']:.1%} | {x['verbatim_ge_own']:.1%} |"
            )
    return "\n".join(rows)


def subset(after: str, before: str) -> str:
    """The 'after' figures on exactly the occupations the 'before' run scored."""
    from validity_score import summarise

    b = pd.read_csv(OUT / f"validity_score{before}.csv")
    a = pd.read_csv(OUT / f"validity_score{after}.csv")
    a = a[a["occupation"].isin(set(b["occupation"]))]
    (OUT / f"validity_score{after}_subset.json").write_text(json.dumps(summarise(a), indent=2))
    return score({before: "before", f"{after}_subset": "after"})


def examples() -> str:
    b, a = _load("validity_examples_before.json"), _load("validity_examples_after.json")
    rows = ["| proposal (target) | before | after | after: D / R / F / B |", "|---|---:|---:|---|"]
    for k in a:
        v = a[k]
        rows.append(
            f"| {k} | {b.get(k, {}).get('overall', float('nan')):.1f} | {v['overall']:.1f} "
            f"| {v['demand_coverage']:.2f} / {v['relevance']:.2f} / "
            f"{v['framework_alignment']:.2f} / {v['balance']:.2f} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    print("## Matching\n\n" + matching() + "\n")
    print("## NACE / CMC\n\n" + nace() + "\n")
    print("## Score (after, all occupations)\n\n" + score({"_after": "after"}) + "\n")
    if (OUT / "validity_score_baseline.csv").exists() and (
        OUT / "validity_score_after.csv"
    ).exists():
        print("## Score, same occupations\n\n" + subset("_after", "_baseline") + "\n")
    print("## Examples\n\n" + examples())
