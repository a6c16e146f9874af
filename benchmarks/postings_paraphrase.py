"""Matcher matches that only paraphrase a common phrase (issue 25): measured on labelled pairs.

The rule (``align.postings._paraphrase.names_a_narrower_skill``): a skill the matcher found is
dropped when its label is a specific kind of what the sentence names (*Non-Verbal
Communication* from "written and verbal communication skills", *Google Cloud Platform* from
"configuring cloud platforms", *Programming (Music)*). It was written from the issue's four
examples before any figure below was computed.

    python benchmarks/postings_paraphrase.py --draw 120   # round p1: pairs to label by hand
    python benchmarks/postings_paraphrase.py              # the figures

``--draw`` runs the default extraction on the 672 Glassdoor postings with the rule off and
draws matcher-found pairs nobody has labelled: half that the rule drops, half that it keeps
(seeded), shuffled, written to ``postings_paraphrase_labels.csv`` with the first words of
the evidence only, and the full sentences to ``out/`` for the labeller, who labels without
seeing which half a pair is in (1 = the posting asks for or uses the skill). Dev: every
matcher pair labelled in earlier rounds (``postings_precision_labels*.csv``).
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
    with mock.patch("align.postings._extract.names_a_narrower_skill", return_value=False):
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


def draw(posts: pd.DataFrame, n: int) -> None:
    if LABELS.exists():
        sys.exit(f"{LABELS} exists: round p1 is drawn (labels are never redrawn).")
    got = extraction(posts, rule=False)
    got = got[got["method"] != "literal"].reset_index(drop=True)
    seen = set()
    for path in [LITERAL, *MATCHER, EXTRACTION]:
        d = pd.read_csv(path, dtype=str, keep_default_na=False)
        seen |= set(zip(d["posting_id"], d["skill_id"], strict=True))
    fresh = [k not in seen for k in zip(got["posting_id"], got["skill_id"], strict=True)]
    got = got[fresh].reset_index(drop=True)
    pairs = zip(got["evidence"], got["skill_name"], strict=True)
    got["drop"] = [names_a_narrower_skill(e, s) for e, s in pairs]
    half = n // 2
    picked = pd.concat([
        got[got["drop"]].sample(n=min(half, int(got["drop"].sum())), random_state=25),
        got[~got["drop"]].sample(n=n - min(half, int(got["drop"].sum())), random_state=25),
    ]).sample(frac=1, random_state=26).reset_index(drop=True)  # fmt: skip
    rows = pd.DataFrame({
        "posting_id": picked["posting_id"], "skill_id": picked["skill_id"],
        "skill_name": picked["skill_name"],
        "phrase": picked["evidence"].map(lambda e: " ".join(str(e).split()[:8])),
        "label": "", "round": "p1",
    })  # fmt: skip
    rows.to_csv(LABELS, index=False)
    (HERE / "out").mkdir(exist_ok=True)
    picked[["posting_id", "skill_name", "evidence"]].to_csv(
        HERE / "out" / "postings_paraphrase_sentences.csv", index=False
    )
    print(
        f"{len(got)} unlabelled matcher pairs, {int(got['drop'].sum())} of them dropped by the "
        f"rule; drew {len(rows)} (half each way, shuffled): label {LABELS.name}"
    )


def figures(lab: pd.DataFrame) -> dict:
    lab = lab.assign(
        y=lab["label"].astype(int),
        drop=[names_a_narrower_skill(s, n) for s, n in zip(lab["sentence"], lab["skill_name"],
                                                           strict=True)],
    )  # fmt: skip
    out: dict = {"pairs": len(lab)}
    for name, part in (("dropped by the rule", lab[lab["drop"]]), ("kept", lab[~lab["drop"]])):
        k, m = int(part["y"].sum()), len(part)
        out[name] = {"pairs": m, "right": k, "share right": round(k / m, 3) if m else None,
                     "95% interval": wilson(k, m)}  # fmt: skip
    right = int(lab["y"].sum())
    out["right pairs the rule drops"] = f"{int(lab.loc[lab['drop'], 'y'].sum())} of {right}"
    out["dropped, wrong"] = lab.loc[lab["drop"] & (lab["y"] == 0), "skill_name"].tolist()[:15]
    out["dropped, right"] = lab.loc[lab["drop"] & (lab["y"] == 1), "skill_name"].tolist()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draw", type=int, help="draw round p1 with this many pairs")
    args = ap.parse_args()
    warnings.simplefilter("ignore", AlignDataWarning)
    posts = glassdoor(DATA_DIR)
    if args.draw:
        draw(posts, args.draw)
        return 0
    res: dict = {"dev (earlier rounds' matcher pairs)": figures(labelled_matcher_pairs(posts))}
    if LABELS.exists():
        p1 = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
        p1 = p1.assign(sentence=find_sentences(p1, posts, start=True))
        p1 = p1[p1["label"].isin(["0", "1"]) & p1["sentence"].notna()]
        res["test (round p1, labelled blind)"] = figures(p1)
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
