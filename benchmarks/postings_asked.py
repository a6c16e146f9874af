"""Fit and test the ``asked`` score of extracted skills on hand-labelled Glassdoor pairs.

Every label says whether the job asks for (or uses) the skill, judged by reading
the sentence (1) or not (0). Three sets:

``postings_precision_labels_literal.csv``
    Literal pairs, rounds 1-7. Round 7 (100 fresh pairs, seed 6) was labelled
    before this script existed: **blind test A** (literal pairs).
``postings_precision_labels.csv``, ``_t045``, ``_t070`` (group ``matcher``)
    Pairs the matcher found at thresholds 0.45, 0.625 and 0.70 (earlier waves).
``postings_precision_labels_extraction.csv``
    Pairs of the default extraction (literal and matcher), drawn with ``--draw N
    --round R`` from postings outside every other set and labelled without their
    asked score. Round 8 showed that the matcher's paraphrase-only pairs were
    mostly wrong, which the first model (literal rounds only) could not see; it
    joined the fitting data. Round 9 was the blind test of that model (0.76 ->
    0.84) and round 10 (``--reuse``: no posting was left unused, so unlabelled pairs
    of the round 8-9 postings whose sentences no label had judged) of the model
    refitted with round 9 (0.77 -> 0.84); both then joined the fitting data, and the
    cosine feature and the choice of C were added. Round 11 (``--reuse`` again) was
    drawn and labelled after that final model was fixed: **blind test B** (what
    extraction stores and demand counts).

Protocol:

* features: :func:`align.postings._asked.asked_features` (variant
  ``embedding``: sentence vector, skill-label vector, cues, ``named``; variant
  ``cues``: cues and ``named``), ``named`` = the literal finder names the skill
  in the sentence;
* model: scikit-learn ``LogisticRegression``;
* fitted on literal rounds 1-6, the matcher pairs and extraction rounds 8-10;
  leave-one-group-out cross-validation over those groups (each round, and the
  matcher pairs, is a group) picks ``C`` among 0.3, 1 and 3 (highest precision at
  the threshold) and the threshold, the score that keeps 95 % of the right pairs.

The labelled sentence of each pair is found again in the posting from the phrase
stored with the label. ``--write`` writes ``src/align/postings/_asked_weights.json``;
without it the script only reports (figures with the shipped weights come last).

Usage: ``.venv/bin/python benchmarks/postings_asked.py [--write] [--draw N --round R [--reuse]]``
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
from align.postings._asked import (
    CUE_FEATURES,
    NAMED_FEATURE,
    AskedScorer,
    _weights,
    asked_features,
)
from align.postings._extract import (
    TAXONOMIES,
    extract_text_skills,
    make_skill_matcher,
    split_posting,
)
from align.postings._literal import LiteralFinder

HERE = Path(__file__).resolve().parent
LITERAL = HERE / "postings_precision_labels_literal.csv"
MATCHER = [HERE / f"postings_precision_labels{s}.csv" for s in ("", "_t045", "_t070")]
EXTRACTION = HERE / "postings_precision_labels_extraction.csv"
WEIGHTS = HERE.parent / "src" / "align" / "postings" / "_asked_weights.json"
FIT_GROUPS = ["1", "2", "3", "4", "5", "6", "matcher", "8", "9", "10"]
TESTS = {"7": "round 7, literal pairs (blind)", "11": "round 11, the default extraction (blind)"}
KEEP_RIGHT = 0.95
# The regularisation strength is chosen by the same cross-validation (precision at the
# threshold, pooled over the held-out groups) among these.
C_GRID = (0.3, 1.0, 3.0)
DATA_DIR = HERE.parent.parent / "shared" / "data"


def wilson(k: int, n: int, z: float = 1.96) -> list[float]:
    if n == 0:
        return [float("nan"), float("nan")]
    p = k / n
    d = 1 + z * z / n
    c = p + z * z / (2 * n)
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return [round((c - h) / d, 3), round((c + h) / d, 3)]


def finder() -> LiteralFinder:
    fw = load_framework("lightcast", data_dir=DATA_DIR)
    return LiteralFinder(fw, kinds=list(TAXONOMIES["lightcast"] or ())).fit()


def find_sentences(lab: pd.DataFrame, posts: pd.DataFrame, *, start: bool) -> list[str | None]:
    """The sentence each label judged: the posting's segment holding (``start``: starting with)
    the stored phrase, compared without white space (phrases were re-joined from words)."""
    body = dict(zip(posts["posting_id"], posts["body"].fillna(""), strict=True))
    segs: dict[str, list[str]] = {}
    out = []
    for pid, ph in zip(lab["posting_id"], lab["phrase"], strict=True):
        if pid not in segs:
            segs[pid] = split_posting(body.get(pid, ""), max_chars=None)
        want = "".join(ph.split())
        flat = ("".join(s.split()) for s in segs[pid])
        hit = next(
            (s for s, f in zip(segs[pid], flat, strict=True)
             if (f.startswith(want) if start else want in f)),
            None,
        )  # fmt: skip
        out.append(hit)
    return out


def load_labels(posts: pd.DataFrame, names: LiteralFinder) -> pd.DataFrame:
    """Every labelled pair with its sentence, ``named`` and its group (round or 'matcher')."""
    parts = []
    lit = pd.read_csv(LITERAL, dtype=str, keep_default_na=False)
    lit = lit.assign(group=lit["round"], sentence=find_sentences(lit, posts, start=False))
    parts.append(lit)
    mat = pd.concat(pd.read_csv(p, dtype=str, keep_default_na=False) for p in MATCHER)
    mat = mat.drop_duplicates(["posting_id", "skill_id"])
    parts.append(mat.assign(group="matcher", sentence=find_sentences(mat, posts, start=True)))
    if EXTRACTION.exists():
        ex = pd.read_csv(EXTRACTION, dtype=str, keep_default_na=False)
        parts.append(ex.assign(group=ex["round"], sentence=find_sentences(ex, posts, start=True)))
    cols = ["group", "posting_id", "skill_id", "skill_name", "sentence", "label"]
    lab = pd.concat([p[cols] for p in parts], ignore_index=True)
    lab = lab[lab["label"].isin(["0", "1"]) & lab["sentence"].notna()].reset_index(drop=True)
    found = names.find(lab["sentence"].tolist())
    hit = set(zip(found["query_index"], found["id"], strict=True))
    lab["named"] = [(i, s) in hit for i, s in enumerate(lab["skill_id"])]
    # A literal pair was found by the finder of its day: it names the skill.
    lab.loc[lab["group"].isin(["1", "2", "3", "4", "5", "6", "7"]), "named"] = True
    lab["y"] = lab["label"].astype(int)
    # Extraction no longer lets the matcher read segments under five words (3 of 24 such
    # matches were right): those pairs cannot occur, so they neither fit nor test the score.
    short = lab["sentence"].str.split().map(len) < 5
    return lab[lab["named"] | ~short].reset_index(drop=True)


def fit(x: np.ndarray, y: np.ndarray, c: float = 1.0) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000).fit(x, y)


def cross_validate(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float) -> np.ndarray:
    """Out-of-group predictions: each group scored by a model fitted on the others."""
    cv = np.zeros(len(y))
    for g in dict.fromkeys(groups):
        held = groups == g
        cv[held] = fit(x[~held], y[~held], c).predict_proba(x[held])[:, 1]
    return cv


def kept_figures(y: np.ndarray, p: np.ndarray, thr: float) -> dict:
    keep = p >= thr
    k, n = int(y[keep].sum()), int(keep.sum())
    return {
        "pairs": len(y),
        "precision_before": round(float(y.mean()), 3) if len(y) else None,
        "asked": n,
        "precision_asked": round(k / n, 3) if n else None,
        "wilson95": wilson(k, n),
        "right_pairs_kept": round(float(keep[y == 1].mean()), 3) if (y == 1).any() else None,
        "wrong_pairs_dropped": round(float((~keep)[y == 0].mean()), 3) if (y == 0).any() else None,
        "auc": round(float(roc_auc_score(y, p)), 3) if len(set(y)) > 1 else None,
    }


def default_extraction(posts: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """What ``align postings extract-skills`` stores for these postings (hybrid, defaults)."""
    matcher = make_skill_matcher("lightcast", "hybrid", data_dir=DATA_DIR)
    body = posts.set_index("posting_id").loc[ids, "body"].fillna("").tolist()
    return extract_text_skills(ids, body, matcher, show_progress=False)


def draw_extraction_round(posts: pd.DataFrame, n: int, round_: int, reuse: bool) -> None:
    """Draw ``n`` stored (posting, skill) pairs of the default extraction, from postings outside
    every labelled set, for labelling by hand (seed ``round_ - 1``). The file gets the pairs
    without their asked score; the evidence sentences go to ``out/`` for the labeller.

    With ``reuse`` (all 672 postings have been drawn from once), the pairs come from the
    postings of the extraction rounds instead: pairs no round has labelled, whose evidence
    sentence no label of any set has judged."""
    used = set(pd.read_csv(LITERAL, dtype=str)["posting_id"])
    for path in [*MATCHER, EXTRACTION]:
        if path.exists():
            used |= set(pd.read_csv(path, dtype=str)["posting_id"])
    # The 80 postings of postings_extract.py (seed 0 over the file order).
    used |= set(posts["posting_id"].sample(n=80, random_state=0))
    if reuse:
        ex = pd.read_csv(EXTRACTION, dtype=str, keep_default_na=False)
        fresh = sorted(set(ex["posting_id"]))
    else:
        fresh = [p for p in posts["posting_id"] if p not in used]
    got = default_extraction(posts, fresh)
    if reuse:
        seen = load_labels(posts, finder())
        judged = set(seen["sentence"])
        pairs_seen = set(zip(seen["posting_id"], seen["skill_id"], strict=True))
        keys = zip(got["posting_id"], got["skill_id"], strict=True)
        unseen = np.array([k not in pairs_seen for k in keys])
        got = got[unseen & ~got["evidence"].isin(judged).to_numpy()]
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


def as_extracted(lab: pd.DataFrame, posts: pd.DataFrame, names: LiteralFinder) -> dict:
    """Figures with the shipped weights, on pairs as extraction scores them: the highest score
    over the posting's sentences (round 7: the literal finder alone, no matcher; extraction
    rounds: the default hybrid extraction)."""
    out: dict = {}
    embedder = get_embedder()
    lit = lab[lab["group"] == "7"]
    if len(lit):
        ids = sorted(set(lit["posting_id"]))
        body = posts.set_index("posting_id").loc[ids, "body"].fillna("").tolist()
        for variant, emb in (("embedding", embedder), ("cues", None)):
            scorer = AskedScorer(emb)
            got = extract_text_skills(ids, body, None, literal=names, asked=scorer)
            score = got.set_index(["posting_id", "skill_id"])["asked_score"]
            p = np.array([score.get(k, np.nan) for k in
                          zip(lit["posting_id"], lit["skill_id"], strict=True)])  # fmt: skip
            ok = ~np.isnan(p)
            out[f"round 7 as extracted, {variant}"] = kept_figures(
                lit["y"].to_numpy()[ok], p[ok], scorer.threshold
            )
    for rnd in ("8", "9", "10", "11"):
        ex = lab[lab["group"] == rnd]
        if not len(ex):
            continue
        got = default_extraction(posts, sorted(set(ex["posting_id"])))
        got = got.set_index(["posting_id", "skill_id"])
        keys = [k for k in zip(ex["posting_id"], ex["skill_id"], strict=True) if k in got.index]
        ex = ex.set_index(["posting_id", "skill_id"]).loc[keys]
        p = got.loc[keys, "asked_score"].to_numpy(dtype=float)
        literal = (got.loc[keys, "method"] == "literal").to_numpy()
        thr = AskedScorer(embedder).threshold
        y = ex["y"].to_numpy()
        out[f"round {rnd} as extracted: every stored pair"] = kept_figures(y, p, thr)
        out[f"round {rnd} as extracted: evidence names the skill"] = kept_figures(
            y[literal], p[literal], thr
        )
        out[f"round {rnd} as extracted: matcher only"] = kept_figures(y[~literal], p[~literal], thr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--write", action="store_true", help="write the fitted weights")
    ap.add_argument("--draw", type=int, default=0, help="draw this many extraction pairs")
    ap.add_argument("--round", type=int, default=11, help="the round a --draw labels")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="with --draw: unlabelled pairs, with sentences no label judged, of the postings "
        "of earlier extraction rounds (when no posting is left unused)",
    )
    args = ap.parse_args()
    global DATA_DIR
    DATA_DIR = args.data_dir
    warnings.simplefilter("ignore", AlignDataWarning)
    posts = glassdoor(args.data_dir)
    if args.draw:
        draw_extraction_round(posts, args.draw, args.round, args.reuse)
        return
    names = finder()
    lab = load_labels(posts, names)
    groups = lab["group"].to_numpy()
    y = lab["y"].to_numpy()
    fit_rows = np.isin(groups, FIT_GROUPS)
    embedder = get_embedder()
    out: dict = {
        "pairs_by_group": lab.groupby("group").size().to_dict(),
        "fitting_pairs": int(fit_rows.sum()),
    }
    weights: dict = {}
    for variant, emb in (("embedding", embedder), ("cues", None)):
        x = asked_features(lab["sentence"].tolist(), lab["skill_name"].tolist(), emb,
                           lab["named"].tolist())  # fmt: skip
        xf, yf, gf = x[fit_rows], y[fit_rows], groups[fit_rows]
        by_c = {}
        for c in C_GRID:
            pred = cross_validate(xf, yf, gf, c)
            t = float(np.quantile(pred[yf == 1], 1 - KEEP_RIGHT))
            by_c[c] = (float(yf[pred >= t].mean()), pred, t)
        c_best = max(C_GRID, key=lambda c: by_c[c][0])
        _, cv, thr = by_c[c_best]
        model = fit(xf, yf, c_best)
        res: dict = {
            "C": c_best,
            "cross_validated_precision_by_C": {str(c): round(v[0], 4) for c, v in by_c.items()},
            "threshold": round(thr, 4),
            "cross_validated": kept_figures(yf, cv, thr),
        }
        res["cross_validated_by_group"] = {
            g: kept_figures(yf[gf == g], cv[gf == g], thr) for g in FIT_GROUPS
        }
        for g, name in TESTS.items():
            rows = groups == g
            if rows.any():
                res[name] = kept_figures(y[rows], model.predict_proba(x[rows])[:, 1], thr)
        out[variant] = res
        weights[variant] = {
            "features": (
                ["sentence vector (384)", "skill label vector (384)"] if emb is not None else []
            )
            + [*CUE_FEATURES, NAMED_FEATURE]
            + (["cosine of the two vectors"] if emb is not None else []),
            "C": c_best,
            "embedding_model": embedder.model_name if emb is not None else None,
            "coef": [round(float(c), 6) for c in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6),
            "threshold": round(thr, 6),
        }
        for name in ["cross_validated", *(n for n in TESTS.values() if n in res)]:
            f = res[name]
            print(f"{variant}, {name}: {f['pairs']} pairs, precision {f['precision_before']} -> "
                  f"{f['precision_asked']} {f['wilson95']}, right kept {f['right_pairs_kept']}, "
                  f"AUC {f['auc']} (threshold {thr:.3f}, C {c_best})")  # fmt: skip
    if args.write:
        doc = {
            "about": "Weights of align.postings._asked (the asked score); written by "
            "benchmarks/postings_asked.py --write. Logistic regression on the hand-labelled "
            "pairs of literal rounds 1-6, the matcher's labelled pairs and extraction rounds "
            "8-10 (benchmarks/postings_precision_labels*.csv); C and the threshold (the score "
            "that keeps 95 % of right pairs) from leave-one-group-out cross-validation.",
            "written": dt.date.today().isoformat(),
            "pairs": int(fit_rows.sum()),
            **weights,
        }
        WEIGHTS.write_text(json.dumps(doc, indent=1) + "\n", "utf-8")
        _weights.cache_clear()
        print(f"wrote {WEIGHTS}")
    out["shipped weights, as extracted"] = as_extracted(lab, posts, names)
    for name, f in out["shipped weights, as extracted"].items():
        print(f"shipped, {name}: {f['pairs']} pairs, precision {f['precision_before']} -> "
              f"{f['precision_asked']} {f['wilson95']}, kept {f['right_pairs_kept']}")  # fmt: skip
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "postings_asked.json").write_text(json.dumps(out, indent=2), "utf-8")


if __name__ == "__main__":
    main()
