"""Write and label the faculty-outcome benchmark (a tool for its writers, not a measurement).

    python benchmarks/faculty_label.py occupations [--writer a]   # the occupations, by writer
    python benchmarks/faculty_label.py brief 51-4121.00           # what a writer reads first
    python benchmarks/faculty_label.py items 51-4121.00           # to label with, after writing
    python benchmarks/faculty_label.py check                      # format, gold ids, no copied text

The protocol (``benchmarks/data/faculty/README.md``): a writer reads ``brief`` only, writes the
outcomes of an occupation, and only then opens ``items`` to label them. Nobody runs a matcher
on the outcomes before the labels are in.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from functools import lru_cache

import pandas as pd
from _faculty import (
    GOLD_KINDS,
    load_outcomes,
    load_vague,
    occupation_items,
    select_occupations,
)
from _validity_common import onet

from align import load_framework
from align.exceptions import AlignDataWarning

#: Writers and the SOC major groups each writes (round robin over the sorted groups, so each
#: writer has dev and test groups).
WRITERS: tuple[str, ...] = ("a", "b", "c")
NGRAM = 6
_WORD = re.compile(r"[a-z0-9]+")


def writer_of(soc: str, groups: list[str]) -> str:
    return WRITERS[groups.index(soc[:2]) % len(WRITERS)]


def occupations() -> pd.DataFrame:
    occ = select_occupations(onet())
    groups = sorted(occ["group"].unique())
    occ["writer"] = occ["soc"].map(lambda s: writer_of(s, groups))
    return occ


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def ngrams(text: str, n: int = NGRAM) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


@lru_cache(maxsize=1)
def reference_ngrams() -> frozenset[int]:
    """Hashes of every 6-word sequence in O*NET's and ESCO's text (labels, descriptions, titles)."""
    texts: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        esco = load_framework("esco")
    for fw in (onet(), esco):
        c = fw.competencies
        texts += c["label"].astype(str).tolist() + c["description"].fillna("").astype(str).tolist()
        texts += [a for alts in c["alt_labels"] for a in (alts or [])]
        o = fw.occupations
        texts += o["title"].astype(str).tolist() + o["description"].fillna("").astype(str).tolist()
        texts += [a for alts in o["alt_titles"] for a in (alts or [])]
    out: set[int] = set()
    for t in texts:
        out.update(hash(g) for g in ngrams(t))
    return frozenset(out)


def copied(text: str) -> list[str]:
    """The 6-word sequences of ``text`` that O*NET or ESCO also writes."""
    ref = reference_ngrams()
    return sorted(" ".join(g) for g in ngrams(text) if hash(g) in ref)


def cmd_occupations(args: argparse.Namespace) -> None:
    occ = occupations()
    if args.writer:
        occ = occ[occ["writer"] == args.writer]
    print(occ.to_string(index=False))


def cmd_brief(args: argparse.Namespace) -> None:
    fw = onet()
    occ = fw.occupations.set_index("code")
    row = occ.loc[args.soc]
    print(f"{args.soc}  {row['title']}\n\n{row['description']}\n")
    alts = list(row["alt_titles"] or [])[:12]
    if alts:
        print("Some job titles: " + "; ".join(alts))


def cmd_items(args: argparse.Namespace) -> None:
    items = occupation_items(onet(), args.soc)
    pd.set_option("display.max_colwidth", 140)
    pd.set_option("display.width", 220)
    for kind in GOLD_KINDS:
        part = items[items["kind"] == kind]
        if part.empty:
            continue
        print(f"\n== {kind} ({len(part)}) ==")
        cols = {
            "task": ["id", "detail", "label"],
            "dwa": ["id", "label", "via"],
            "skill": ["id", "importance", "label"],
            "knowledge": ["id", "importance", "label"],
            "technology": ["id", "detail", "label"],
        }[kind]
        if kind in ("skill", "knowledge"):
            part = part.sort_values("importance", ascending=False)
        print(part[cols].to_string(index=False))


def cmd_check(args: argparse.Namespace) -> int:
    problems: list[str] = []
    occ = occupations()
    chosen = set(occ["soc"])
    out = load_outcomes()
    vague = load_vague()
    fw = onet()
    if out["outcome_id"].duplicated().any():
        dup = out.loc[out["outcome_id"].duplicated(), "outcome_id"].tolist()
        problems.append(f"duplicate outcome ids: {dup}")
    items_of: dict[str, set[str]] = {}
    for r in out.itertuples(index=False):
        if r.soc not in chosen:
            problems.append(f"{r.outcome_id}: {r.soc} is not a benchmark occupation")
            continue
        if r.soc not in items_of:
            items_of[r.soc] = set(occupation_items(fw, r.soc)["id"])
        bad = [g for g in r.gold if g not in items_of[r.soc]]
        if bad:
            problems.append(f"{r.outcome_id}: gold {bad} are not elements of {r.soc}")
        if len(r.gold) > 3:
            problems.append(f"{r.outcome_id}: {len(r.gold)} gold ids (at most 3)")
        if not r.outcome:
            problems.append(f"{r.outcome_id}: empty outcome")
    for text in list(out["outcome"]) + list(vague["outcome"]):
        hit = copied(text)
        if hit:
            problems.append(f"copies O*NET/ESCO wording {hit[:3]}: {text[:90]}")
    per = out.groupby("soc").size()
    vper = vague.groupby("soc").size()
    print(
        f"{len(out)} outcomes for {out['soc'].nunique()} occupations "
        f"(dev {int((out['split'] == 'dev').sum())}, test {int((out['split'] == 'test').sum())}); "
        f"{len(vague)} vague outcomes for {vague['soc'].nunique()} occupations; "
        f"unlabelled: {int((out['gold'].map(len) == 0).sum())}"
    )
    todo = sorted(chosen - set(per.index))
    if todo:
        print(f"occupations without outcomes yet: {len(todo)}")
    if len(vper):
        print(f"vague outcomes per occupation: {vper.min()}-{vper.max()}")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("occupations")
    p.add_argument("--writer", choices=WRITERS)
    p.set_defaults(fn=cmd_occupations)
    for name, fn in (("brief", cmd_brief), ("items", cmd_items)):
        p = sub.add_parser(name)
        p.add_argument("soc")
        p.set_defaults(fn=fn)
    p = sub.add_parser("check")
    p.set_defaults(fn=cmd_check)
    args = ap.parse_args()
    return int(args.fn(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
