"""Does the postings interval of a score hold the score all postings would give?

A score from postings demand rests on the postings that matched. Its 95 % interval
(:mod:`align.proposals._interval`) should hold the score the whole population of
postings would give about 95 % of the time, and be wider for 40 postings than for 400.

The population: the 672 real Glassdoor postings, with the skills each names found by
``extract_skills(method="literal")`` (real co-occurrence: skills of one posting are
not independent, which the interval assumes). The proposal: ``data-analytics.yaml``.
The population score uses every posting's skills; each trial draws ``n`` postings
without replacement, scores the proposal on their skills and computes the interval
from them alone. Coverage = the share of trials whose interval holds the population
score. Credits of every skill are computed once (the same model and background as
``align score``), so a trial costs only the arithmetic.

Usage::

    python benchmarks/bootstrap_coverage.py [--trials 200] [--sizes 20,41,100,200]

Writes ``benchmarks/out/bootstrap_coverage.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from _validity_common import OUT, onet

import align
from align.exceptions import AlignDataWarning
from align.proposals import ScoreSettings, background_for, meaning_credits, outcome_matches
from align.proposals._components import (
    balance_score,
    best_framework_credit,
    demand_coverage,
    item_coverage,
    overall,
    relevance_score,
)
from align.proposals._interval import CANDIDATES, postings_interval

ROOT = Path(__file__).resolve().parents[1]


def posting_skills(data_dir: Path) -> pd.DataFrame:
    """(posting, skill) pairs the Glassdoor postings ask for, literal extraction."""
    from align.postings import extract_skills, ingest_postings

    csv = data_dir / "job_postings" / "glassdoor_ds_jobs_2021" / "Uncleaned_DS_jobs.csv"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "g.duckdb"
        ingest_postings(csv, db, preset="glassdoor", progress=False)
        found = extract_skills(db, method="literal", progress=False)
    found = found[found["asked"]] if "asked" in found else found
    return found[["posting_id", "skill_name"]].drop_duplicates()


def score_parts(proposal: align.Proposal, credits_all: pd.DataFrame, s: ScoreSettings):
    """A function (shares of all skills, n) -> (score, interval) for this proposal."""
    from align.proposals._score import _restrict

    fws = [
        _restrict(f, proposal.target_occupations)
        for f in (onet(), align.load_framework("nace"), align.load_framework("cmc"))
    ]
    bg = background_for(onet())
    m = outcome_matches(proposal, fws, settings=s, background=bg)
    fa = float(best_framework_credit(m, len(proposal.outcomes)).mean())
    prof = m[(m["credit"] > 0) & (m["class"] == "professional")]
    p_w = float(prof.groupby("id")["credit"].max().sum())
    cred = credits_all.to_numpy(float)
    names = list(credits_all.columns)

    def score(shares: pd.Series, n: int, interval: bool) -> tuple[float, tuple | None]:
        sh = shares.reindex(names).fillna(0.0).to_numpy(float)
        order = np.argsort(-sh, kind="stable")
        basket = order[: s.top_demand]
        basket = basket[sh[basket] > 0]
        c, w = cred[:, basket], sh[basket]
        tech = float(item_coverage(c, w)[0].sum())
        comps = {
            "relevance": relevance_score(c),
            "demand_coverage": demand_coverage(c, w),
            "framework_alignment": fa,
            "balance": balance_score(p_w, tech, s.balance_target),
        }
        point = overall(comps, s.weights)
        if not interval:
            return point, None
        cands = order[: CANDIDATES * s.top_demand]
        cands = cands[sh[cands] > 0]
        iv = postings_interval(
            cred[:, cands],
            sh[cands],
            n,
            comps,
            s.weights,
            top_demand=s.top_demand,
            professional=p_w,
            balance_target=s.balance_target,
            n_boot=s.n_boot,
            seed=s.seed,
        )
        return point, iv

    return score, {"framework_alignment": fa, "professional": p_w}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--sizes", default="20,41,100,200")
    ap.add_argument("--n-boot", type=int, default=300)
    args = ap.parse_args()
    data_dir = Path(os.environ.get("ALIGN_DATA_DIR", ROOT.parent / "shared" / "data"))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        pairs = posting_skills(data_dir)
        proposal = align.load_proposal(ROOT / "data" / "examples" / "data-analytics.yaml")
        skills = sorted(pairs["skill_name"].unique())
        s = ScoreSettings(n_boot=args.n_boot)
        items = pd.DataFrame({"label": skills, "kind": "skill"})
        cred, _ = meaning_credits(
            proposal.outcome_texts, items, settings=s, background=background_for(onet())
        )
        credits_all = pd.DataFrame(cred, columns=skills)
        score, fixed = score_parts(proposal, credits_all, s)
    posts = pairs["posting_id"].unique()
    by_post = pairs.groupby("posting_id")["skill_name"].agg(list)
    pop_shares = pairs.groupby("skill_name")["posting_id"].nunique() / len(posts)
    truth, _ = score(pop_shares, len(posts), interval=False)
    rng = np.random.default_rng(0)
    out: dict = {
        "postings": len(posts),
        "skills": len(skills),
        "population_score": round(truth, 2),
        "fixed_parts": {k: round(v, 3) for k, v in fixed.items()},
        "trials": args.trials,
        "n_boot": args.n_boot,
        "by_size": {},
    }
    for n in [int(x) for x in args.sizes.split(",")]:
        hits, widths, points = 0, [], []
        for _ in range(args.trials):
            sample = rng.choice(posts, size=n, replace=False)
            counts = pd.Series([k for p in sample for k in by_post[p]]).value_counts()
            point, iv = score(counts / n, n, interval=True)
            assert iv is not None
            hits += iv[0] <= truth <= iv[1]
            widths.append(iv[1] - iv[0])
            points.append(point)
        out["by_size"][n] = {
            "coverage": round(hits / args.trials, 3),
            "median_width": round(float(np.median(widths)), 2),
            "mean_point": round(float(np.mean(points)), 2),
            "sd_point": round(float(np.std(points)), 2),
        }
        print(n, out["by_size"][n], f"{time.perf_counter() - t0:.0f} s", flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "bootstrap_coverage.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
