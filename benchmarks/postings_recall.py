"""Literal-mention recall of skill extraction on the 672 real Glassdoor postings.

For every Lightcast skill we count the postings whose text *names* it: a plain,
case-insensitive word-boundary search (``re``) of the full posting text for the
skill's names, which are its label and the names the literal finder derives
from it (label without its bracketed qualifier, bracketed acronym, label without
a vendor's name, our aliases; ``LiteralFinder(rules=()).surfaces_``). A name
written in capitals ("SQL", "AWS", "R") counts only where the text writes it in
capitals, the rule the matcher has for acronyms. The 100 skills named in most
postings are scored:

    recall(skill) = postings the skill was extracted from, among those naming it
                    / postings naming it

for the matcher alone at its threshold (``literal=False``: what extraction did
before) and for the default extraction (literal mentions + matcher). Reported:
pooled recall (sum over the 100 skills), mean and median per skill, the skills
below 0.95 with the rule that dropped their mentions, and skills per posting.

Usage: ``.venv/bin/python benchmarks/postings_recall.py [--threshold T] [--no-semantic]``
(``--no-semantic`` scores the literal finder alone, in seconds, without the model.)
"""

from __future__ import annotations

import argparse
import json
import re
import time
import warnings
from pathlib import Path

import pandas as pd
from _postings_common import glassdoor

from align import load_framework
from align._embed import get_embedder
from align.exceptions import AlignDataWarning
from align.postings._asked import AskedScorer
from align.postings._extract import (
    DEFAULT_THRESHOLD,
    TAXONOMIES,
    extract_text_skills,
    make_skill_matcher,
    split_posting,
)
from align.postings._literal import DEFAULT_RULES, LiteralFinder

HERE = Path(__file__).resolve().parent
_WORD = re.compile(r"[a-z0-9+#]+")


def named(bodies: list[str], finder: LiteralFinder) -> pd.DataFrame:
    """(posting index, skill id) for every posting whose text names the skill."""
    surf = finder.surfaces_
    items = finder.items_["id"].to_numpy(object)
    by_first: dict[str, list[int]] = {}
    words = []
    for s, text in enumerate(surf["text"]):
        w = _WORD.findall(text.lower())
        words.append(w)
        if w:
            by_first.setdefault(w[0], []).append(s)
    patterns: dict[int, re.Pattern[str]] = {}
    rows = []
    for p, body in enumerate(bodies):
        toks = set(_WORD.findall(body.lower()))
        mixed = any(c.islower() for c in body) and any(c.isupper() for c in body)
        seen: set[str] = set()
        for first in toks & by_first.keys():
            for s in by_first[first]:
                if not set(words[s]) <= toks:
                    continue
                text = surf["text"].iat[s]
                acronym = bool(surf["acronym"].iat[s])
                if s not in patterns:
                    core = r"\W+".join(re.escape(w) for w in re.split(r"\W+", text) if w)
                    flags = 0 if acronym else re.IGNORECASE
                    patterns[s] = re.compile(rf"(?<![\w+#]){core}(?![\w+#])", flags)
                pat = patterns[s]
                if not mixed and acronym:
                    pat = re.compile(pat.pattern, re.IGNORECASE)
                if pat.search(body):
                    seen.add(items[surf["item"].iat[s]])
        rows.extend((p, cid) for cid in seen)
    return pd.DataFrame(rows, columns=["posting", "skill_id"])


def recall_table(ref: pd.DataFrame, got: pd.DataFrame, top: list[str]) -> pd.DataFrame:
    hit = ref.merge(got.drop_duplicates(["posting", "skill_id"]), on=["posting", "skill_id"])
    n_ref = ref.groupby("skill_id").size()
    n_hit = hit.groupby("skill_id").size()
    out = pd.DataFrame({"named": n_ref.reindex(top), "extracted": n_hit.reindex(top)}).fillna(0)
    out["recall"] = out["extracted"] / out["named"]
    return out


def summary(t: pd.DataFrame) -> dict[str, float]:
    return {
        "pooled_recall": round(float(t["extracted"].sum() / t["named"].sum()), 4),
        "mean_recall": round(float(t["recall"].mean()), 4),
        "median_recall": round(float(t["recall"].median()), 4),
        "skills_at_or_above_0.95": int((t["recall"] >= 0.95).sum()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--top", type=int, default=100)
    ap.add_argument("--no-semantic", action="store_true", help="literal finder only")
    args = ap.parse_args()
    warnings.simplefilter("ignore", AlignDataWarning)
    t0 = time.time()
    posts = glassdoor(args.data_dir)
    bodies = posts["body"].fillna("").tolist()
    ids = posts["posting_id"].tolist()
    fw = load_framework("lightcast", data_dir=args.data_dir)
    kinds = list(TAXONOMIES["lightcast"] or ())
    plain = LiteralFinder(fw, kinds=kinds, rules=()).fit()
    ref = named(bodies, plain)
    counts = ref.groupby("skill_id").size().sort_values(ascending=False, kind="stable")
    top = counts.index[: args.top].tolist()
    label = dict(zip(plain.items_["id"], plain.items_["label"], strict=True))
    out: dict = {
        "postings": len(bodies),
        "threshold": args.threshold,
        "top": args.top,
        "named_pairs_top": int(counts.iloc[: args.top].sum()),
        "least_named_in_top": int(counts.iloc[args.top - 1]),
    }
    pid = {p: i for i, p in enumerate(ids)}
    results: dict[str, pd.DataFrame] = {}
    per_posting: dict[str, float] = {}
    finder = LiteralFinder(fw, kinds=kinds).fit()
    # Literal finder alone, on the sentences extraction reads.
    segs, owner = [], []
    for i, b in enumerate(bodies):
        for s in split_posting(b, max_chars=None):
            segs.append(s)
            owner.append(i)
    lit = finder.find(segs)
    lit = pd.DataFrame({"posting": [owner[q] for q in lit["query_index"]], "skill_id": lit["id"]})
    lit = lit.drop_duplicates()
    results["literal only"] = lit
    per_posting["literal only"] = lit.drop_duplicates().shape[0] / len(bodies)
    # The optional "ordinary" rule (one-word ordinary-word labels need a requirement sentence).
    strict = LiteralFinder(fw, kinds=kinds, rules=(*DEFAULT_RULES, "ordinary")).fit()
    # (measured with the default rules of the day: rule "employer" joined them after round 5)
    lo = strict.find(segs)
    lo = pd.DataFrame({"posting": [owner[q] for q in lo["query_index"]], "skill_id": lo["id"]})
    lo = lo.drop_duplicates()
    results["literal only, rule ordinary"] = lo
    per_posting["literal only, rule ordinary"] = len(lo) / len(bodies)
    before = tuple(r for r in DEFAULT_RULES if r not in ("employer", "plural"))
    for name, rules in (
        ("literal only, before rules employer and plural (old default)", before),
        ("literal only, without plural (default of rounds 5-6)", (*before, "employer")),
        ("literal only, default + group", (*DEFAULT_RULES, "group")),
        ("literal only, default + number", (*DEFAULT_RULES, "number")),
    ):
        f2 = LiteralFinder(fw, kinds=kinds, rules=rules).fit()
        le = f2.find(segs)
        le = pd.DataFrame({"posting": [owner[q] for q in le["query_index"]], "skill_id": le["id"]})
        results[name] = le.drop_duplicates()
        per_posting[name] = len(results[name]) / len(bodies)
    # What demand counts by default: the skills extraction marks as asked for.
    scorer = AskedScorer(None if args.no_semantic else get_embedder())
    la = extract_text_skills(ids, bodies, None, literal=finder, asked=scorer)
    la = la[la["asked"].fillna(False).astype(bool)]
    name = f"literal only, asked ({scorer.variant} variant: what demand counts)"
    results[name] = pd.DataFrame({"posting": la["posting_id"].map(pid), "skill_id": la["skill_id"]})
    per_posting[name] = len(results[name]) / len(bodies)
    if not args.no_semantic:
        matcher = make_skill_matcher("lightcast", "hybrid", data_dir=args.data_dir)
        t1 = time.time()
        # The matcher alone is what extraction did before; the default extraction is the
        # union of its pairs and the literal mentions (extract_text_skills does exactly that).
        df = extract_text_skills(ids, bodies, matcher, threshold=args.threshold, literal=False)
        out["seconds matcher"] = round(time.time() - t1, 1)
        sem = pd.DataFrame({"posting": df["posting_id"].map(pid), "skill_id": df["skill_id"]})
        results["matcher only (before)"] = sem
        both_ord = pd.concat([sem, lo]).drop_duplicates()
        results["literal + matcher, rule ordinary"] = both_ord
        per_posting["literal + matcher, rule ordinary"] = len(both_ord) / len(bodies)
        both = pd.concat([sem, lit]).drop_duplicates()
        results["literal + matcher (default)"] = both
        per_posting["matcher only (before)"] = len(sem) / len(bodies)
        per_posting["literal + matcher (default)"] = len(both) / len(bodies)
        full = extract_text_skills(ids, bodies, matcher, threshold=args.threshold)
        fa = full[full["asked"].fillna(False).astype(bool)]
        name = "literal + matcher, asked (what demand counts by default)"
        results[name] = pd.DataFrame({"posting": fa["posting_id"].map(pid),
                                      "skill_id": fa["skill_id"]})  # fmt: skip
        per_posting[name] = len(fa) / len(bodies)
        out["asked variant of the default extraction"] = full.attrs.get("asked_variant")
        named_now = set(zip(lit["posting"], lit["skill_id"], strict=True))
        out["matcher pairs that are also literal mentions"] = round(
            sum(k in named_now for k in zip(sem["posting"], sem["skill_id"], strict=True))
            / max(1, len(sem)),
            3,
        )
    out["skills_per_posting"] = {k: round(v, 2) for k, v in per_posting.items()}
    tables = {name: recall_table(ref, got, top) for name, got in results.items()}
    out["recall"] = {name: summary(t) for name, t in tables.items()}
    best = list(tables)[-1]
    t = tables[best]
    low = t[t["recall"] < 0.95].sort_values("recall")
    out["below_0.95"] = [
        {"skill": label[s], "named": int(r.named), "extracted": int(r.extracted),
         "recall": round(float(r.recall), 3)}
        for s, r in low.iterrows()
    ]  # fmt: skip
    out["per_skill"] = {
        label[s]: {name: round(float(tables[name].loc[s, "recall"]), 3) for name in tables}
        | {"named": int(t.loc[s, "named"])}
        for s in top
    }
    out["seconds"] = round(time.time() - t0, 1)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "postings_recall.json").write_text(json.dumps(out, indent=2), "utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "per_skill"}, indent=2))
    print("\n| skill | postings naming it | " + " | ".join(tables) + " |")
    print("|---|---:|" + "---:|" * len(tables))
    for s in top[:20]:
        cells = " | ".join(f"{tables[n].loc[s, 'recall']:.2f}" for n in tables)
        print(f"| {label[s]} | {int(t.loc[s, 'named'])} | {cells} |")


if __name__ == "__main__":
    main()
