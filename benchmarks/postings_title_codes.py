"""Job title -> O*NET-SOC on the hand-labelled title benchmark (issue 25).

Codes the 450 labelled titles of ``benchmarks/data/titles`` (LinkedIn 2023 and Glassdoor
2021; labels and protocol in that folder's README) and reports acc@1 and acc@5 on dev and
test: a hit when a top-k code is the label's code or second code (strict: its code only).
Unclassifiable titles are left out of accuracy. Also reported: accuracy weighted by the
postings carrying each title, per source, and how the coder's confidence sorts right from
wrong (calibration table on dev, applied to test).

    python benchmarks/postings_title_codes.py                  # today's default coder
    python benchmarks/postings_title_codes.py --coder matcher  # the hybrid matcher alone
    python benchmarks/postings_title_codes.py --errors dev     # dev mistakes, to study

Only dev errors are ever printed (``--errors test`` is refused): the test half is for
reporting. Results go to ``benchmarks/out/postings_title_codes.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _titles import UNCLASSIFIABLE, gold_sets, load_labels

from align import load_framework
from align.exceptions import AlignDataWarning

HERE = Path(__file__).resolve().parent
WEIGHTS_ABOUT = (
    "Weights of align.postings._title_coder (conditional logit over each title's shortlist and "
    "a 'none of these' option); written by benchmarks/postings_title_codes.py --fit --write. "
    "Fitted on the dev half of the hand-labelled title benchmark only (benchmarks/data/titles); "
    "L2 penalty chosen by 5-fold cross-validation on dev (acc@1)."
)
OUT = HERE / "out" / "postings_title_codes.json"
DATA = HERE.parent.parent / "shared" / "data"


def code(titles: list[str], coder: str, onet) -> pd.DataFrame:
    """Top-10 codes per title (columns of ``code_job_titles``, plus any the coder adds).

    ``matcher`` / ``matcher-lexical``: the occupations matcher alone, ranked by its fused
    score (the coder before issue 25); ``hybrid``, ``semantic``, ``lexical``: the title
    coder (``align.postings._title_coder``) with that method.
    """
    from align._match import Matcher
    from align.postings._title_coder import TitleCoder
    from align.postings._titles import TITLE_COLUMNS

    if coder in ("matcher", "matcher-lexical"):
        method = "hybrid" if coder == "matcher" else "lexical"
        m = Matcher(onet, method, target="occupations", alt_labels=True).fit()
        res = m.match(titles, top_k=10, show_progress=False)
        res = res.rename(columns={"code": "onet_code", "label": "onet_title"})
        res = res.assign(title=[titles[i] for i in res["query_index"]])
        return res[[c for c in TITLE_COLUMNS if c in res.columns]]
    if coder in ("hybrid", "semantic", "lexical"):
        return TitleCoder(onet, method=coder).fit().code(titles, top_k=10)
    raise SystemExit(f"unknown coder {coder!r}")


def cmd_fit(onet, lab: pd.DataFrame, methods: list[str]) -> dict:
    """Fit each method's weights on dev (L2 chosen by 5-fold CV on dev); report test."""
    import _title_fit as tf

    from align.postings._title_coder import FEATURES, TitleCoder

    gold_all = dict(enumerate(gold_sets(lab)))
    dev_q = set(np.flatnonzero((lab["split"] == "dev").to_numpy()).tolist())
    test_q = set(np.flatnonzero((lab["split"] == "test").to_numpy()).tolist())
    classifiable = set(np.flatnonzero((lab["code"] != UNCLASSIFIABLE).to_numpy()).tolist())
    rng = np.random.default_rng(0)
    dev_list = sorted(dev_q)
    fold = dict(zip(dev_list, rng.permutation(len(dev_list)) % 5, strict=True))
    written: dict = {"variants": {}}
    for method in methods:
        names = list(FEATURES[method])
        coder = TitleCoder(onet, method=method, weights={"coef": [0.0] * len(names), "null": 0.0})
        feats = coder.fit().features(lab["title"].tolist())
        codes = coder.codes_
        dev = feats[feats["query_index"].isin(dev_q)]

        def score(pred, qs, codes=codes):
            qs = sorted(set(qs) & classifiable)
            p = pred.set_index("query_index").reindex(qs)
            items = p["item"].tolist()
            right = np.array([codes[int(i)] in gold_all[q] for q, i in zip(qs, items, strict=True)])
            return right, p["p1"].to_numpy()

        cv = {}
        for l2 in (0.01, 0.1, 1.0, 10.0):
            preds = []
            for k in range(5):
                tr = dev[dev["query_index"].map(fold) != k]
                te = dev[dev["query_index"].map(fold) == k]
                w = tf.fit(tr, names, gold_all, codes, l2=l2)
                preds.append(tf.predict(te, names, w))
            right, _ = score(pd.concat(preds), dev_q)
            cv[l2] = (float(right.mean()), preds)
            print(f"{method} l2={l2}: dev 5-fold CV acc@1 {right.mean():.3f}", flush=True)
        l2 = max(cv, key=lambda k: (round(cv[k][0], 3), -k))
        right_cv, p_cv = score(pd.concat(cv[l2][1]), dev_q)
        # Calibration: the top code's model probability -> the share of such codings that
        # are right, fitted on the cross-validated dev predictions (Platt scaling).
        cal = tf.platt(p_cv, right_cv)
        w = tf.fit(dev, names, gold_all, codes, l2=l2)
        right_dev, _ = score(tf.predict(dev, names, w), dev_q)
        test = feats[feats["query_index"].isin(test_q)]
        right_test, p_test = score(tf.predict(test, names, w), test_q)
        c_cv, c_test = tf.calibrated(p_cv, cal), tf.calibrated(p_test, cal)
        written["variants"][method] = {
            "features": names,
            "coef": w["coef"],
            "null": w["null"],
            "l2": l2,
            "dev_titles": len(right_dev),
            "dev_cv_acc@1": round(float(right_cv.mean()), 3),
            "dev_acc@1": round(float(right_dev.mean()), 3),
            "calibration": cal,
            "dev_cv_reliability": tf.reliability(c_cv, right_cv),
        }
        print(
            json.dumps(
                {
                    "method": method,
                    "l2": l2,
                    "weights": dict(zip(names, w["coef"], strict=True)) | {"null": w["null"]},
                    "dev CV acc@1": round(float(right_cv.mean()), 3),
                    "dev acc@1": round(float(right_dev.mean()), 3),
                    "test acc@1": round(float(right_test.mean()), 3),
                    "calibration": cal,
                    "dev CV reliability (calibrated)": tf.reliability(c_cv, right_cv),
                    "test reliability (calibrated)": tf.reliability(c_test, right_test),
                    "test Brier": round(float(((c_test - right_test) ** 2).mean()), 4),
                },
                indent=1,
            ),
            flush=True,
        )
    return written


def hits(pred: pd.DataFrame, gold: list[frozenset[str]], first: list[str]) -> pd.DataFrame:
    rows = []
    by = {i: g for i, g in pred.groupby("query_index")}
    for i, (g, c) in enumerate(zip(gold, first, strict=True)):
        p = by.get(i)
        codes = [] if p is None else p.sort_values("rank")["onet_code"].tolist()
        rows.append(
            {
                "top1": codes[0] if codes else None,
                "hit1": bool(codes[:1]) and codes[0] in g,
                "hit5": bool(set(codes[:5]) & g),
                "strict1": bool(codes[:1]) and codes[0] == c,
                "strict5": c in codes[:5],
                "rank": next((k + 1 for k, x in enumerate(codes) if x in g), None),
            }
        )
    return pd.DataFrame(rows)


def summary(df: pd.DataFrame) -> dict:
    w = df["postings"].to_numpy(float)
    return {
        "titles": len(df),
        "acc@1": round(float(df["hit1"].mean()), 3),
        "acc@5": round(float(df["hit5"].mean()), 3),
        "strict acc@1": round(float(df["strict1"].mean()), 3),
        "strict acc@5": round(float(df["strict5"].mean()), 3),
        "acc@1 by postings": round(float((df["hit1"] * w).sum() / w.sum()), 3),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--coder", default="default", help="default, matcher or lexical")
    ap.add_argument("--errors", choices=["dev", "test"], help="print the mistakes of a half")
    ap.add_argument("--label", help="name of this run in the JSON (default: --coder)")
    ap.add_argument("--fit", nargs="*", help="fit the weights of these methods on dev")
    ap.add_argument("--write", action="store_true", help="with --fit: write the weights file")
    args = ap.parse_args()
    if args.errors == "test":
        print("refused: test errors are not studied (tune on dev, report test).")
        return 2
    warnings.simplefilter("ignore", AlignDataWarning)
    onet = load_framework("onet", data_dir=DATA)
    lab = load_labels()
    if args.fit is not None:
        written = cmd_fit(onet, lab, args.fit or ["hybrid", "semantic", "lexical"])
        if args.write:
            path = HERE.parent / "src" / "align" / "postings" / "_title_weights.json"
            old = json.loads(path.read_text()) if path.exists() else {"variants": {}}
            old["variants"].update(written["variants"])
            old["about"] = WEIGHTS_ABOUT
            old["written"] = time.strftime("%Y-%m-%d")
            path.write_text(json.dumps(old, indent=1) + "\n")
            print(f"wrote {path}")
        return 0
    t0 = time.time()
    pred = code(lab["title"].tolist(), args.coder, onet)
    secs = time.time() - t0
    gold = gold_sets(lab)
    res = pd.concat([lab.reset_index(drop=True), hits(pred, gold, lab["code"].tolist())], axis=1)
    top = pred[pred["rank"] == 1].set_index("query_index")
    for col in ("score", "confidence", "tied"):
        if col in top:
            res[col] = top[col].reindex(range(len(res))).to_numpy()
    scored = res[res["code"] != UNCLASSIFIABLE]
    out = {"coder": args.coder, "seconds": round(secs, 1), "halves": {}}
    for half in ("dev", "test"):
        part = scored[scored["split"] == half]
        out["halves"][half] = summary(part) | {src: summary(p) for src, p in part.groupby("source")}
    unc = res[res["code"] == UNCLASSIFIABLE]
    if "confidence" in unc:
        out["unclassifiable"] = {
            "titles": len(unc),
            "confidence": [None if pd.isna(c) else round(float(c), 3) for c in unc["confidence"]],
        }
    print(json.dumps(out, indent=1))
    if args.errors:
        part = scored[(scored["split"] == args.errors) & ~scored["hit1"]]
        names = onet.occupations.set_index("code")["title"]
        pd.set_option("display.width", 250)
        pd.set_option("display.max_colwidth", 60)
        show = part.assign(
            gold=part["code"] + np.where(part["alt_code"] != "", " | " + part["alt_code"], ""),
            got=part["top1"].map(lambda c: f"{c} {names.get(c, '')}"[:55]),
        )
        cols = ["item", "title", "gold", "got", "rank"]
        cols += [c for c in ("score", "confidence", "tied") if c in show]
        print(show[cols].to_string(index=False))
    OUT.parent.mkdir(exist_ok=True)
    runs = json.loads(OUT.read_text()) if OUT.exists() else {}
    runs[args.label or args.coder] = out
    OUT.write_text(json.dumps(runs, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
