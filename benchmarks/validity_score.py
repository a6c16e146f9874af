"""Score validity: does the overall score order proposals the way it should?

For O*NET occupations sampled from both halves of the SOC-major-group split
(``_validity_common``), four generated proposals are scored against the
occupation (O*NET demand, no postings, frameworks onet + nace + cmc):

* **own** -- ``k`` of the occupation's own task statements (core tasks with DWA
  links first, chosen by a stable hash), used as outcomes;
* **unrelated** -- the own-task proposal of an occupation from a *different* SOC
  major group in the same half (stable hash), scored against this occupation;
* **vague** -- each own task rewritten as a vague outcome: a Bloom level 1 /
  non-observable verb phrase ("Understand the importance of", "Know about",
  "Recognize", ...) and the object reduced to one topic word from the task;
* **verbatim** -- O*NET's own DWA labels for the same tasks (one per task) used
  verbatim as outcomes: the ceiling a proposal written in O*NET's words reaches.

The task statements used as outcomes are removed from the O*NET framework the
outcomes are matched against (they are O*NET text; a real proposal never
repeats them), so "own" earns nothing by copying; demand (skills, knowledge,
DWAs reached through the occupation's tasks, hot technologies) is unchanged.

Targets (issue 10): own beats unrelated with pooled AUC >= 0.95; own beats vague
by >= 10 points for >= 90 % of occupations; own reaches >= 80 % of verbatim
(reported as the median per-occupation ratio and the share of occupations at
>= 0.8).

Usage::

    python benchmarks/validity_score.py [--n 180] [--k 5]

Writes ``benchmarks/out/validity_score.csv`` (one row per occupation x proposal,
with the components) and ``validity_score.json`` (the summary).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _validity_common import OUT, onet, stable_hash, task_table, without_tasks

import align
from align.exceptions import AlignDataWarning

VAGUE_FRAMES = (
    "Understand the importance of {t}.",
    "Know about {t}.",
    "Appreciate the role of {t}.",
    "Recognize {t}.",
    "Be aware of different kinds of {t}.",
    "Define {t}.",
)
_STOP = set(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "and",
        "or",
        "as",
        "into",
        "onto",
        "such",
        "other",
        "others",
        "their",
        "its",
        "his",
        "her",
        "them",
        "they",
        "this",
        "that",
        "these",
        "those",
        "all",
        "any",
        "each",
        "various",
        "using",
        "use",
        "used",
        "according",
        "including",
        "include",
        "related",
        "necessary",
        "appropriate",
        "new",
        "specific",
        "proper",
    ]
)
_BREAK = set(
    [
        "to",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "that",
        "which",
        "using",
        "according",
        "as",
        "during",
        "of",
    ]
)


def topic_word(task: str) -> str:
    """One topic word from a task statement: the head (last content word) of its object.

    The first word is the verb; "or <verb>" / "and <verb>" right after it are
    skipped; the object runs to the first preposition or comma.

    Examples
    --------
    >>> topic_word("Monitor the security of digital information.")
    'security'
    >>> topic_word("Direct or coordinate an organization's financial or budget activities.")
    'activities'
    """
    words = re.findall(r"[A-Za-z][A-Za-z'-]*|,", task)
    i = 1
    while i + 1 < len(words) and words[i].lower() in {"or", "and"}:
        i += 2
    obj: list[str] = []
    for w in words[i:]:
        if w == "," or (w.lower() in _BREAK and obj):
            break
        w = re.sub(r"'s$", "", w)
        if w.lower() not in _STOP and len(w) > 2:
            obj.append(w.lower())
    if not obj:
        obj = [w.lower() for w in words[1:] if w != "," and w.lower() not in _STOP] or ["work"]
    return obj[-1]


def vague(task: str, key: str) -> str:
    frame = VAGUE_FRAMES[stable_hash(key) % len(VAGUE_FRAMES)]
    return frame.format(t=topic_word(task))


def build(n: int, k: int) -> tuple[pd.DataFrame, set[str]]:
    """Proposals: one row per occupation with its four outcome lists."""
    fw = onet()
    t = task_table(fw)
    t["core"] = (t["task_type"] != "supplemental").astype(int)
    t["h"] = t["task_id"].map(stable_hash)
    t = t.sort_values(["occupation", "core", "h"], ascending=[True, False, True])
    picked = t.groupby("occupation").head(k)
    counts = picked.groupby("occupation").size()
    eligible = counts[counts == k].index
    occ = pd.DataFrame({"occupation": eligible})
    occ["split"] = [picked[picked["occupation"] == o]["split"].iloc[0] for o in eligible]
    occ["h"] = occ["occupation"].map(stable_hash)
    occ = occ.sort_values("h").groupby("split", group_keys=False).head(n)
    occ = occ.sort_values("occupation").reset_index(drop=True)
    comps = fw.competencies.set_index("id")["label"]
    own = {
        o: g for o, g in picked[picked["occupation"].isin(occ["occupation"])].groupby("occupation")
    }
    rows = []
    for o, split in zip(occ["occupation"], occ["split"], strict=True):
        g = own[o]
        others = occ[(occ["split"] == split) & (occ["occupation"].str[:2] != o[:2])]["occupation"]
        other = others.iloc[stable_hash("unrelated" + o) % len(others)]
        dwas: list[str] = []
        for tid, ds in zip(g["task_id"], g["dwas"], strict=True):
            ds = sorted(ds, key=lambda d: stable_hash(tid + d))
            d = next((x for x in ds if comps[x] not in dwas), ds[0])
            if comps[d] not in dwas:
                dwas.append(comps[d])
        rows.append(
            {
                "occupation": o,
                "split": split,
                "unrelated_occupation": other,
                "own": g["task"].to_list(),
                "unrelated": own[other]["task"].to_list(),
                "vague": [vague(x, tid) for x, tid in zip(g["task"], g["task_id"], strict=True)],
                "verbatim": dwas,
            }
        )
    held_out = set(picked[picked["occupation"].isin(occ["occupation"])]["task_id"])
    return pd.DataFrame(rows), held_out


def proposal(code: str, outcomes: list[str], name: str) -> align.Proposal:
    return align.Proposal(
        title=f"{name} proposal for {code}",
        issuing_unit="validity benchmark",
        outcomes=[{"id": f"LO{i + 1}", "text": x} for i, x in enumerate(outcomes)],
        target_occupations=[code],
    )


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(pos > neg) + 0.5 P(tie) over all pairs (Mann-Whitney)."""
    if not len(pos) or not len(neg):
        return float("nan")
    diff = pos[:, None] - neg[None, :]
    return float((diff > 0).mean() + 0.5 * (diff == 0).mean())


def summarise(df: pd.DataFrame) -> dict:
    out = {}
    for split in ("dev", "test"):
        part = df[df["split"] == split]
        crashed = sorted(set(part.loc[part["overall"].isna(), "occupation"]))
        w = part.pivot(index="occupation", columns="proposal", values="overall").dropna()
        if w.empty:
            continue
        ratio = w["own"] / w["verbatim"].where(w["verbatim"] > 0)
        out[split] = {
            "occupations": len(w),
            "crashed": crashed,
            "mean": {c: float(w[c].mean()) for c in w.columns},
            "auc_own_vs_unrelated": auc(w["own"].to_numpy(), w["unrelated"].to_numpy()),
            "auc_own_vs_vague": auc(w["own"].to_numpy(), w["vague"].to_numpy()),
            "specific_beats_vague_by_10": float(((w["own"] - w["vague"]) >= 10).mean()),
            "specific_beats_vague": float((w["own"] > w["vague"]).mean()),
            "verbatim_ratio_median": float(ratio.median()),
            "verbatim_ratio_of_means": float(w["own"].mean() / w["verbatim"].mean()),
            "verbatim_ratio_ge_0.8": float((ratio >= 0.8).mean()),
            "verbatim_ge_own": float((w["verbatim"] >= w["own"]).mean()),
        }
    return out


def run(
    n: int, k: int, limit: int | None = None, options: dict | None = None, split: str = ""
) -> tuple[pd.DataFrame, dict]:
    props, held = build(n, k)
    if split:
        props = props[props["split"] == split]
    if limit:
        props = props.groupby("split", group_keys=False).head(limit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        # The task statements used as outcomes are removed from O*NET: from the demand
        # (work activities carry their task statements) and from the matches alike.
        fws = [
            without_tasks(onet(), held),
            align.load_framework("nace"),
            align.load_framework("cmc"),
        ]
    rows = []
    t0 = time.perf_counter()
    for i, r in enumerate(props.itertuples(index=False)):
        for name in ("own", "unrelated", "vague", "verbatim"):
            try:
                rep = align.score_alignment(
                    proposal(r.occupation, getattr(r, name), name), fws, **(options or {})
                )
            except Exception as exc:  # a crash is a result to report
                rows.append(
                    {
                        "occupation": r.occupation,
                        "split": r.split,
                        "proposal": name,
                        "overall": np.nan,
                        "error": f"{type(exc).__name__}: {exc}"[:200],
                    }
                )
                continue
            comp = dict(zip(rep.components["component"], rep.components["value"], strict=True))
            rows.append(
                {
                    "occupation": r.occupation,
                    "split": r.split,
                    "proposal": name,
                    "overall": rep.overall,
                    **comp,
                }
            )
        if i % 20 == 0:
            print(f"{i + 1}/{len(props)} occupations, {time.perf_counter() - t0:.0f} s", flush=True)
    df = pd.DataFrame(rows)
    return df, summarise(df)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=150, help="occupations per half")
    ap.add_argument("--k", type=int, default=5, help="outcomes per proposal")
    ap.add_argument("--limit", type=int, default=None, help="score only the first N per half")
    ap.add_argument("--tag", default="", help="suffix of the output files")
    ap.add_argument("--split", default="", help="score only dev or test (tuning: dev)")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        help="score_alignment option NAME=VALUE (e.g. specificity=0), repeatable",
    )
    args = ap.parse_args()
    options = {}
    for item in args.set:
        name, _, value = item.partition("=")
        options[name] = json.loads(value)
    OUT.mkdir(exist_ok=True)
    df, summary = run(args.n, args.k, args.limit, options, args.split)
    df.to_csv(OUT / f"validity_score{args.tag}.csv", index=False)
    (OUT / f"validity_score{args.tag}.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
