"""Matcher matches that only paraphrase a common phrase (issue 25): measured on labelled pairs.

The rule (``align.postings._paraphrase.names_a_narrower_skill``): a skill the matcher found is
dropped when its label is a specific kind of what the sentence names (*Non-Verbal
Communication* from "written and verbal communication skills", *Google Cloud Platform* from
"configuring cloud platforms", *Programming (Music)*).

    python benchmarks/postings_paraphrase.py --draw 120 --round p1   # pairs to label by hand
    python benchmarks/postings_paraphrase.py                         # the figures

``--draw`` runs the default extraction on the 672 Glassdoor postings with the rule off and
draws matcher-found pairs nobody has labelled: half that the rule drops, half that it keeps
(seeded), shuffled, appended to ``postings_paraphrase_labels.csv`` with the first words of
the evidence only, and the full sentences to ``out/`` for the labeller, who labels without
seeing which half a pair is in (1 = the posting asks for or uses the skill). Dev: every
matcher pair labelled in earlier rounds (``postings_precision_labels*.csv``).

Rounds: p1 tested the first rule (any missing first word or qualifier; written from the
issue's four examples) and showed it dropped too many right pairs (*Prototype (Computer
Science)*, *New Product Development*); the rule was rewritten as the four kinds of
``_paraphrase`` and p2, drawn afterwards with the new rule, is its blind test.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from unittest import mock

import pandas as pd
from _postings_common import glassdoor
from postings_asked import (
    DATA_DIR,
    EXTRACTION,
    LITERAL,
    MATCHER,
    find_sentences,
    wilson,
)

from align.exceptions import AlignDataWarning
from align.postings._extract import extract_text_skills, make_skill_matcher
from align.postings._paraphrase import names_a_narrower_skill

HERE = Path(__file__).resolve().parent
LABELS = HERE / "postings_paraphrase_labels.csv"
OUT = HERE / "out" / "postings_paraphrase.json"
EXAMPLES = ("Non-Verbal Communication", "Programming (Music)", "G Programming Language",
            "Google Cloud Platform")  # fmt: skip


def extraction(posts: pd.DataFrame, rule: bool) -> pd.DataFrame:
    """The default extraction of every posting, with the rule on or off."""
    matcher = make_skill_matcher("lightcast", "hybrid", data_dir=DATA_DIR)
    ids = posts["posting_id"].tolist()
    body = posts["body"].fillna("").tolist()
    if rule:
        return extract_text_skills(ids, body, matcher, show_progress=True)
    with mock.patch("align.postings._paraphrase.narrower_kind", return_value=None):
        return extract_text_skills(ids, body, matcher, show_progress=True)


def labelled_matcher_pairs(posts: pd.DataFrame) -> pd.DataFrame:
    """Dev: matcher pairs labelled before (their sentences found in the postings)."""
    parts = []
    mat = pd.concat(pd.read_csv(p, dtype=str, keep_default_na=False) for p in MATCHER)
    parts.append(mat.assign(sentence=find_sentences(mat, posts, start=True)))
    ex = pd.read_csv(EXTRACTION, dtype=str, keep_default_na=False)
    ex = ex[ex["method"] != "literal"]
    parts.append(ex.assign(sentence=find_sentences(ex, posts, start=True)))
    lab = pd.concat(parts, ignore_index=True).drop_duplicates(["posting_id", "skill_id"])
    return lab[lab["label"].isin(["0", "1"]) & lab["sentence"].notna()].reset_index(drop=True)


def draw(posts: pd.DataFrame, n: int, round_: str) -> None:
    old = pd.read_csv(LABELS, dtype=str, keep_default_na=False) if LABELS.exists() else None
    if old is not None and round_ in set(old["round"]):
        sys.exit(f"round {round_} is drawn already (labels are never redrawn).")
    got = extraction(posts, rule=False)
    got = got[got["method"] != "literal"].reset_index(drop=True)
    seen = set()
    for path in [LITERAL, *MATCHER, EXTRACTION, *([LABELS] if LABELS.exists() else [])]:
        d = pd.read_csv(path, dtype=str, keep_default_na=False)
        seen |= set(zip(d["posting_id"], d["skill_id"], strict=True))
    fresh = [k not in seen for k in zip(got["posting_id"], got["skill_id"], strict=True)]
    got = got[fresh].reset_index(drop=True)
    body = dict(zip(posts["posting_id"], posts["body"].fillna(""), strict=True))
    pairs = zip(got["evidence"], got["skill_name"], got["posting_id"], strict=True)
    got["drop"] = [names_a_narrower_skill(e, s, body[p]) is not None for e, s, p in pairs]
    half = n // 2
    seed = 25 if round_ == "p1" else 27
    picked = pd.concat([
        got[got["drop"]].sample(n=min(half, int(got["drop"].sum())), random_state=seed),
        got[~got["drop"]].sample(n=n - min(half, int(got["drop"].sum())), random_state=seed),
    ]).sample(frac=1, random_state=seed + 1).reset_index(drop=True)  # fmt: skip
    rows = pd.DataFrame({
        "posting_id": picked["posting_id"], "skill_id": picked["skill_id"],
        "skill_name": picked["skill_name"],
        "phrase": picked["evidence"].map(lambda e: " ".join(str(e).split()[:8])),
        "label": "", "round": round_,
    })  # fmt: skip
    pd.concat([old, rows]).to_csv(LABELS, index=False)
    (HERE / "out").mkdir(exist_ok=True)
    picked[["posting_id", "skill_name", "evidence"]].to_csv(
        HERE / "out" / f"postings_paraphrase_sentences_{round_}.csv", index=False
    )
    print(
        f"{len(got)} unlabelled matcher pairs, {int(got['drop'].sum())} of them dropped by the "
        f"rule; drew {len(rows)} (half each way, shuffled): label {LABELS.name}"
    )


def figures(lab: pd.DataFrame, posts: pd.DataFrame) -> dict:
    body = dict(zip(posts["posting_id"], posts["body"].fillna(""), strict=True))
    kinds = [
        names_a_narrower_skill(s, n, body[p])
        for s, n, p in zip(lab["sentence"], lab["skill_name"], lab["posting_id"], strict=True)
    ]
    lab = lab.assign(y=lab["label"].astype(int), drop=[k is not None for k in kinds], kind=kinds)
    out: dict = {"pairs": len(lab)}
    for name, part in (("dropped by the rule", lab[lab["drop"]]), ("kept", lab[~lab["drop"]])):
        k, m = int(part["y"].sum()), len(part)
        out[name] = {"pairs": m, "right": k, "share right": round(k / m, 3) if m else None,
                     "95% interval": wilson(k, m)}  # fmt: skip
    right = int(lab["y"].sum())
    out["right pairs the rule drops"] = f"{int(lab.loc[lab['drop'], 'y'].sum())} of {right}"
    out["dropped, wrong"] = lab.loc[lab["drop"] & (lab["y"] == 0), "skill_name"].tolist()[:15]
    out["dropped, right"] = lab.loc[lab["drop"] & (lab["y"] == 1), "skill_name"].tolist()
    out["dropped by kind (right/all)"] = {
        k: f"{int(g['y'].sum())}/{len(g)}" for k, g in lab[lab["drop"]].groupby("kind")
    }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draw", type=int, help="draw a round with this many pairs")
    ap.add_argument("--round", default="p2", help="name of the round to draw")
    args = ap.parse_args()
    warnings.simplefilter("ignore", AlignDataWarning)
    posts = glassdoor(DATA_DIR)
    if args.draw:
        draw(posts, args.draw, args.round)
        return 0
    res: dict = {
        "dev (earlier rounds' matcher pairs)": figures(labelled_matcher_pairs(posts), posts)
    }
    if LABELS.exists():
        lab = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
        lab = lab.assign(sentence=find_sentences(lab, posts, start=True))
        lab = lab[lab["label"].isin(["0", "1"]) & lab["sentence"].notna()]
        for name, part in lab.groupby("round"):
            what = "seen while the rule was rewritten" if name == "p1" else "blind"
            res[f"round {name} ({what})"] = figures(part, posts)
    before, after = extraction(posts, rule=False), extraction(posts, rule=True)
    count = {}
    for name, df in (("rule off", before), ("rule on (default)", after)):
        named = df["skill_name"].value_counts()
        count[name] = {
            "pairs": len(df),
            "matcher-found pairs": int((df["method"] != "literal").sum()),
            "asked pairs": int(df["asked"].fillna(False).sum()),
            **{ex: int(named.get(ex, 0)) for ex in EXAMPLES},
        }
    res["672 Glassdoor postings, default extraction"] = count
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
