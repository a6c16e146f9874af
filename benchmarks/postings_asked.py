"""Fit and test the ``asked`` score of extracted skills on hand-labelled Glassdoor pairs.

Data: ``postings_precision_labels_literal.csv`` (1 = the job asks for or uses
the skill, judged by reading the sentence). Rounds 1-6 fit the model; round 7
(100 fresh pairs, seed 6, drawn from the finder with rule ``plural``) was
labelled before this script existed and is the blind test.

Protocol, fixed before round 7 was scored:

* features: :func:`align.postings._asked.asked_features` (variant
  ``embedding``: sentence vector, skill-label vector, cues; variant ``cues``:
  cues only);
* model: scikit-learn ``LogisticRegression(C=1.0)`` (the default strength, not
  tuned);
* threshold: leave-one-round-out cross-validation over rounds 1-6; the score
  that keeps 95 % of the right pairs in those out-of-round predictions;
* the shipped weights are refitted on all of rounds 1-6.

The labelled sentence of each pair is found again in the posting from the
phrase stored with the label. ``--write`` writes
``src/align/postings/_asked_weights.json``; without it the script only reports.

Usage: ``.venv/bin/python benchmarks/postings_asked.py [--write]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _postings_common import glassdoor
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from align import load_framework
from align._embed import get_embedder
from align.exceptions import AlignDataWarning
from align.postings._asked import CUE_FEATURES, AskedScorer, _weights, asked_features
from align.postings._extract import (
    DEFAULT_THRESHOLD,
    TAXONOMIES,
    extract_text_skills,
    make_skill_matcher,
    split_posting,
)
from align.postings._literal import LiteralFinder

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "postings_precision_labels_literal.csv"
# Pairs the matcher found (earlier waves; never used in fitting): a second, independent test.
MATCHER_PAIRS = [HERE / f"postings_precision_labels{s}.csv" for s in ("", "_t045", "_t070")]
# Pairs of the default extraction (literal and matcher), drawn with --draw and labelled blind.
EXTRACTION = HERE / "postings_precision_labels_extraction.csv"
WEIGHTS = HERE.parent / "src" / "align" / "postings" / "_asked_weights.json"
FIT_ROUNDS = ["1", "2", "3", "4", "5", "6"]
TEST_ROUND = "7"
KEEP_RIGHT = 0.95
C = 1.0
DATA_DIR = HERE.parent.parent / "shared" / "data"


def wilson(k: int, n: int, z: float = 1.96) -> list[float]:
    if n == 0:
        return [float("nan"), float("nan")]
    p = k / n
    d = 1 + z * z / n
    c = p + z * z / (2 * n)
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return [round((c - h) / d, 3), round((c + h) / d, 3)]


def labelled_sentences(lab: pd.DataFrame, posts: pd.DataFrame) -> pd.Series:
    """The sentence each label judged: the posting's segment holding the stored phrase."""
    body = dict(zip(posts["posting_id"], posts["body"].fillna(""), strict=True))
    segs: dict[str, list[str]] = {}
    out = []
    for pid, ph in zip(lab["posting_id"], lab["phrase"], strict=True):
        if pid not in segs:
            segs[pid] = split_posting(body.get(pid, ""), max_chars=None)
        # The phrase was joined from split words around the mention ("Tableau , essential"):
        # compare without any white space.
        want = "".join(ph.split())
        hit = next((s for s in segs[pid] if want in "".join(s.split())), None)
        out.append(hit)
    return pd.Series(out, index=lab.index, dtype=object)


def matcher_pairs(posts: pd.DataFrame) -> pd.DataFrame:
    """The matcher's labelled pairs with their evidence sentence (stored as its first words)."""
    lab = pd.concat(pd.read_csv(p, dtype=str, keep_default_na=False) for p in MATCHER_PAIRS)
    lab = lab[lab["label"].isin(["0", "1"])].drop_duplicates(["posting_id", "skill_id"])
    body = dict(zip(posts["posting_id"], posts["body"].fillna(""), strict=True))
    sentences = []
    for pid, ph in zip(lab["posting_id"], lab["phrase"], strict=True):
        want = "".join(ph.split())
        segs = split_posting(body.get(pid, ""), max_chars=None)
        sentences.append(next((s for s in segs if "".join(s.split()).startswith(want)), None))
    lab = lab.assign(sentence=sentences, score=lab["score"].astype(float))
    lab = lab[lab["sentence"].notna()].reset_index(drop=True)
    # Does the posting also name the skill (then the pair is a literal one too)?
    fw = load_framework("lightcast", data_dir=DATA_DIR)
    finder = LiteralFinder(fw, kinds=list(TAXONOMIES["lightcast"] or ())).fit()
    named = []
    for pid, sid in zip(lab["posting_id"], lab["skill_id"], strict=True):
        found = finder.find(split_posting(body.get(pid, ""), max_chars=None))
        named.append(sid in set(found["id"]))
    return lab.assign(literal=named)


def runtime_pairs(lab: pd.DataFrame, posts: pd.DataFrame, scorer: AskedScorer) -> np.ndarray:
    """``asked_score`` of each labelled pair as extraction gives it: the highest over every
    sentence of the posting that names the skill (literal finder, default rules)."""
    fw = load_framework("lightcast", data_dir=DATA_DIR)
    finder = LiteralFinder(fw, kinds=list(TAXONOMIES["lightcast"] or ())).fit()
    ids = sorted(set(lab["posting_id"]))
    body = posts.set_index("posting_id").loc[ids, "body"].fillna("").tolist()
    got = extract_text_skills(ids, body, None, literal=finder, asked=scorer)
    score = got.set_index(["posting_id", "skill_id"])["asked_score"]
    keys = list(zip(lab["posting_id"], lab["skill_id"], strict=True))
    return np.array([score.get(k, np.nan) for k in keys], dtype=float)


def default_extraction(posts: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """What ``align postings extract-skills`` stores for these postings (hybrid, defaults)."""
    matcher = make_skill_matcher("lightcast", "hybrid", data_dir=DATA_DIR)
    body = posts.set_index("posting_id").loc[ids, "body"].fillna("").tolist()
    return extract_text_skills(ids, body, matcher, show_progress=False)


def draw_extraction_round(posts: pd.DataFrame, n: int, round_: int) -> None:
    """Draw ``n`` stored (posting, skill) pairs of the default extraction, from postings outside
    every labelled sample, for labelling by hand (seed ``round_ - 1``). The file gets the pairs
    without their asked score; the evidence sentences go to ``out/`` for the labeller."""
    used = set(pd.read_csv(PAIRS, dtype=str)["posting_id"])
    for path in [*MATCHER_PAIRS, EXTRACTION]:
        if path.exists():
            used |= set(pd.read_csv(path, dtype=str)["posting_id"])
    # The 80 postings of postings_extract.py (seed 0 over the file order).
    used |= set(posts["posting_id"].sample(n=80, random_state=0))
    fresh = [p for p in posts["posting_id"] if p not in used]
    got = default_extraction(posts, fresh)
    pairs = got.sample(n=n, random_state=round_ - 1).reset_index(drop=True)
    rows = pd.DataFrame({
        "posting_id": pairs["posting_id"], "skill_id": pairs["skill_id"],
        "skill_name": pairs["skill_name"], "method": pairs["method"],
        "phrase": pairs["evidence"].map(lambda e: " ".join(str(e).split()[:8])),
        "label": "", "round": str(round_),
    })  # fmt: skip
    old = pd.read_csv(EXTRACTION, dtype=str, keep_default_na=False) if EXTRACTION.exists() else None
    pd.concat([old, rows]).to_csv(EXTRACTION, index=False)
    (HERE / "out").mkdir(exist_ok=True)
    pairs[["posting_id", "skill_name", "method", "evidence"]].to_csv(
        HERE / "out" / f"postings_extraction_sentences_round{round_}.csv", index=False
    )
    print(f"drew {n} pairs from {len(fresh)} fresh postings ({len(got)} stored pairs); label them")


def extraction_figures(posts: pd.DataFrame) -> dict:
    """Precision of the stored pairs and of the asked ones, on the labelled extraction rounds."""
    lab = pd.read_csv(EXTRACTION, dtype=str, keep_default_na=False)
    lab = lab[lab["label"].isin(["0", "1"])]
    got = default_extraction(posts, sorted(set(lab["posting_id"])))
    got = got.set_index(["posting_id", "skill_id"])
    keys = list(zip(lab["posting_id"], lab["skill_id"], strict=True))
    lab = lab[[k in got.index for k in keys]].copy()
    keys = list(zip(lab["posting_id"], lab["skill_id"], strict=True))
    lab["asked"] = [bool(got.loc[k, "asked"]) for k in keys]
    lab["asked_score"] = [float(got.loc[k, "asked_score"]) for k in keys]
    y = lab["label"].astype(int).to_numpy()
    p = lab["asked_score"].to_numpy()
    thr = float(_weights()["embedding"]["threshold"])
    out = {"all stored pairs": kept_figures(y, p, thr)}
    for method, g in lab.groupby(lab["method"] == "literal"):
        yy, pp = g["label"].astype(int).to_numpy(), g["asked_score"].to_numpy()
        name = "evidence names the skill (literal)" if method else "matcher only"
        out[name] = kept_figures(yy, pp, thr) if len(set(yy)) > 1 else {
            "pairs": len(yy), "precision_before": round(float(yy.mean()), 3)}  # fmt: skip
    return out


def fit(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=5000).fit(x, y)


def kept_figures(y: np.ndarray, p: np.ndarray, thr: float) -> dict:
    keep = p >= thr
    k, n = int(y[keep].sum()), int(keep.sum())
    return {
        "pairs": len(y),
        "precision_before": round(float(y.mean()), 3),
        "asked": n,
        "precision_asked": round(k / n, 3) if n else None,
        "wilson95": wilson(k, n),
        "right_pairs_kept": round(float(keep[y == 1].mean()), 3),
        "wrong_pairs_dropped": round(float((~keep)[y == 0].mean()), 3),
        "auc": round(float(roc_auc_score(y, p)), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--write", action="store_true", help="write the fitted weights")
    ap.add_argument("--draw", type=int, default=0, help="draw this many extraction pairs")
    ap.add_argument("--round", type=int, default=8, help="the round a --draw labels")
    args = ap.parse_args()
    global DATA_DIR
    DATA_DIR = args.data_dir
    warnings.simplefilter("ignore", AlignDataWarning)
    posts = glassdoor(args.data_dir)
    if args.draw:
        draw_extraction_round(posts, args.draw, args.round)
        return
    lab = pd.read_csv(PAIRS, dtype=str, keep_default_na=False)
    lab = lab[lab["label"].isin(["0", "1"])].copy()
    lab["sentence"] = labelled_sentences(lab, posts)
    missing = int(lab["sentence"].isna().sum())
    lab = lab[lab["sentence"].notna()].reset_index(drop=True)
    y = lab["label"].astype(int).to_numpy()
    rounds = lab["round"].to_numpy()
    fit_rows = np.isin(rounds, FIT_ROUNDS)
    test_rows = rounds == TEST_ROUND
    embedder = get_embedder()
    out: dict = {"pairs": len(lab), "sentences_not_found": missing}
    weights: dict = {}
    for variant, emb in (("embedding", embedder), ("cues", None)):
        x = asked_features(lab["sentence"].tolist(), lab["skill_name"].tolist(), emb)
        xf, yf, rf = x[fit_rows], y[fit_rows], rounds[fit_rows]
        cv = np.zeros(len(yf))
        for r in FIT_ROUNDS:
            held = rf == r
            cv[held] = fit(xf[~held], yf[~held]).predict_proba(xf[held])[:, 1]
        thr = float(np.quantile(cv[yf == 1], 1 - KEEP_RIGHT))
        model = fit(xf, yf)
        p7 = model.predict_proba(x[test_rows])[:, 1]
        by_round = {r: kept_figures(yf[rf == r], cv[rf == r], thr) for r in FIT_ROUNDS}
        out[variant] = {
            "threshold": round(thr, 4),
            "cross_validated_rounds_1_6": kept_figures(yf, cv, thr),
            "cross_validated_by_round": by_round,
            "round_7_blind": kept_figures(y[test_rows], p7, thr),
        }
        weights[variant] = {
            "features": (
                ["sentence vector (384)", "skill label vector (384)", *CUE_FEATURES]
                if emb is not None
                else list(CUE_FEATURES)
            ),
            "embedding_model": embedder.model_name if emb is not None else None,
            "coef": [round(float(c), 6) for c in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6),
            "threshold": round(thr, 6),
        }
        r7 = out[variant]["round_7_blind"]
        cvf = out[variant]["cross_validated_rounds_1_6"]
        print(
            f"{variant}: threshold {thr:.3f}; CV rounds 1-6 AUC {cvf['auc']}, precision "
            f"{cvf['precision_before']} -> {cvf['precision_asked']} (right kept "
            f"{cvf['right_pairs_kept']}); round 7 blind AUC {r7['auc']}, precision "
            f"{r7['precision_before']} -> {r7['precision_asked']} {r7['wilson95']} "
            f"(right kept {r7['right_pairs_kept']}, wrong dropped {r7['wrong_pairs_dropped']})"
        )
    # With the weights as shipped (run --write first): the pairs as extraction scores them,
    # and the matcher's pairs from earlier waves, which no fitting saw.
    mp = matcher_pairs(posts)
    ym = mp["label"].astype(int).to_numpy()
    out["matcher_pairs_found"] = len(mp)
    r7 = lab[test_rows].reset_index(drop=True)
    for variant, emb in (("embedding", embedder), ("cues", None)):
        scorer = AskedScorer(emb)
        assert scorer.variant == variant
        pm = scorer.score(mp["sentence"].tolist(), mp["skill_name"].tolist())
        at = (mp["score"] >= DEFAULT_THRESHOLD).to_numpy()
        only = at & ~mp["literal"].to_numpy()
        out[variant]["matcher_pairs_shipped"] = kept_figures(ym, pm, scorer.threshold)
        out[variant]["matcher_pairs_at_default_threshold"] = kept_figures(
            ym[at], pm[at], scorer.threshold
        )
        out[variant]["matcher_only_pairs_at_default_threshold"] = kept_figures(
            ym[only], pm[only], scorer.threshold
        )
        pr = runtime_pairs(r7, posts, scorer)
        ok = ~np.isnan(pr)
        out[variant]["round_7_as_extracted_shipped"] = kept_figures(
            r7["label"].astype(int).to_numpy()[ok], pr[ok], scorer.threshold
        )
        for key in (
            "matcher_pairs_shipped",
            "matcher_pairs_at_default_threshold",
            "matcher_only_pairs_at_default_threshold",
            "round_7_as_extracted_shipped",
        ):
            f = out[variant][key]
            print(f"{variant} {key}: {f['pairs']} pairs, precision {f['precision_before']} -> "
                  f"{f['precision_asked']} {f['wilson95']}, right kept {f['right_pairs_kept']}, "
                  f"AUC {f['auc']}")  # fmt: skip
    if EXTRACTION.exists():
        out["extraction_rounds"] = extraction_figures(posts)
        for name, f in out["extraction_rounds"].items():
            print(f"extraction round(s), {name}: {f}")
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "postings_asked.json").write_text(json.dumps(out, indent=2), "utf-8")
    if args.write:
        doc = {
            "about": "Weights of align.postings._asked (the asked score); written by "
            "benchmarks/postings_asked.py --write. Logistic regression (C=1.0) on the "
            "hand-labelled pairs of labelling rounds 1-6 in "
            "benchmarks/postings_precision_labels_literal.csv; threshold: the score that "
            "keeps 95 % of right pairs in leave-one-round-out cross-validation.",
            "written": dt.date.today().isoformat(),
            "pairs": int(fit_rows.sum()),
            **weights,
        }
        WEIGHTS.write_text(json.dumps(doc, indent=1) + "\n", "utf-8")
        print(f"wrote {WEIGHTS}")


if __name__ == "__main__":
    main()
