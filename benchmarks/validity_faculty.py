"""Faculty wording: does align give credit for what an outcome teaches?

Two measurements on the faculty-outcome benchmark (``benchmarks/data/faculty/``,
outcomes written in syllabus style and labelled with the O*NET elements they teach;
dev/test by SOC major group):

**Outcomes** -- each labelled outcome ranks the candidate O*NET elements; a hit is a
gold element among the first k. Two candidate spaces: the occupation's own elements
(its tasks, the DWAs they link to, skills, knowledge, technology) and all of O*NET's
tasks, DWAs, skills, knowledge and technology examples. acc@1, acc@5 and MRR (over
the first 50), per method:

* ``minilm`` -- plain all-MiniLM-L6-v2 cosine to each element's label (baseline);
* ``hybrid`` -- the default Matcher (labels in their sentence frame, alt labels,
  descriptions, lexical evidence fused);
* ``credit`` -- the credit score the scorer used before this benchmark: hybrid +
  0.15 x content-word overlap;
* ``scoring`` -- what the alignment score uses now: the standout by meaning
  (:mod:`align._meaning`; a demanded activity also through the occupation's task
  statements), named tools at the top;
* ``scoring_semantic`` -- the same without named tools (``method="semantic"``).

**Proposals** -- for every occupation, four proposals scored against it with
:func:`align.score_alignment` (O*NET demand; frameworks onet, nace, cmc): *strong*
(its six written outcomes), *vague* (its five vague outcomes), *off-target* (the
strong outcomes of an unrelated occupation: same half, another SOC major group, no
detailed work activity in common, chosen by a stable hash) and *O*NET-worded* (six
of its own task statements, core first by stable hash, read from the release at run
time: the ceiling). Checks (issue 20):
strong >= vague + 10 and strong >= off-target + 20 for >= 90 % of occupations;
median strong / O*NET-worded >= 0.80; median best match to a demanded item strong >=
vague; pairwise ordering accuracy (strong > vague, strong > off-target, O*NET-worded >
vague, O*NET-worded > off-target) >= 0.99; the scale: median strong >= 60, vague <=
25, off-target <= 15.

Usage::

    python benchmarks/validity_faculty.py [--part outcomes|proposals|all]
        [--split dev|test|both] [--methods minilm,hybrid,credit,scoring]
        [--set NAME=VALUE ...] [--tag TAG]

Writes ``benchmarks/out/validity_faculty{TAG}.json`` (the summary) and
``validity_faculty_proposals{TAG}.csv`` (one row per occupation x proposal).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _faculty import (
    load_outcomes,
    load_vague,
    occupation_dwas,
    occupation_items,
    off_target_of,
    select_occupations,
)
from _validity_common import OUT, onet, stable_hash, task_table

import align
from align import Framework
from align._match import Matcher
from align.exceptions import AlignDataWarning

TOP = 50
KINDS = ["task", "dwa", "skill", "knowledge", "technology"]
VARIANTS = ("strong", "vague", "off_target", "onet_worded")


# == outcome level =============================================================
def _space(fw: Framework, ids: set[str] | None) -> Framework:
    comps = fw.competencies
    comps = comps[comps["kind"].isin(KINDS)]
    if ids is not None:
        comps = comps[comps["id"].isin(ids)]
    return Framework(replace(fw.info), comps.reset_index(drop=True))


def _rank_matcher(make: Callable[[Framework], Matcher]) -> Callable[..., pd.DataFrame]:
    def rank(texts: list[str], space: Framework) -> pd.DataFrame:
        return (
            make(space).fit().match(texts, top_k=TOP, min_score=0.0)[["query_index", "id", "score"]]
        )

    return rank


def _content_words(text: str) -> set[str]:
    from align._match import normalise

    stop = {"the", "and", "for", "with", "from", "into", "other", "using", "use", "such"}
    return {w for w in normalise(text).split() if len(w) > 2 and w not in stop}


def _rank_credit(texts: list[str], space: Framework) -> pd.DataFrame:
    """The credit score before this benchmark: hybrid + 0.15 x content-word overlap."""
    t = Matcher(space, kinds="all").fit().match(texts, top_k=TOP, min_score=0.0)
    ov = [
        len(_content_words(lb) & _content_words(texts[int(q)])) / max(1, len(_content_words(lb)))
        for q, lb in zip(t["query_index"], t["label"], strict=True)
    ]
    t = t.assign(score=np.clip(t["score"] + 0.15 * np.asarray(ov), 0, 1))
    return t[["query_index", "id", "score"]]


def _rank_scoring(texts: list[str], space: Framework, named: bool = True) -> pd.DataFrame:
    """What the score uses: standout by meaning (a DWA of one occupation carries its tasks).

    ``named=False`` leaves out the tools an outcome names (``method="semantic"``).
    """
    from align._meaning import meaning_scores
    from align.proposals import background_for

    items = space.competencies.copy()
    fw = onet()
    tasks = set(items.loc[items["kind"] == "task", "id"])
    if len(tasks) < 200:  # one occupation's space: its DWAs carry its task statements
        rel = fw.relations
        link = rel[(rel["relation"] == "related") & rel["source_id"].isin(tasks)]
        label = fw.competencies.set_index("id")["label"]
        by_dwa = link.groupby("target_id")["source_id"].agg(lambda s: [label[x] for x in s])
        items["surfaces"] = items["id"].map(by_dwa).map(lambda v: v if isinstance(v, list) else [])
    if not named:
        items = items.drop(columns="kind")
    z = meaning_scores(texts, items, background=background_for(fw)).standout
    rows = []
    for i in range(len(texts)):
        top = np.argsort(-z[i])[:TOP]
        rows += [(i, items["id"].iloc[j], float(z[i, j])) for j in top]
    return pd.DataFrame(rows, columns=["query_index", "id", "score"])


RANKERS: dict[str, Callable[..., pd.DataFrame]] = {
    "minilm": _rank_matcher(
        lambda fw: Matcher(
            fw,
            method="semantic",
            kinds="all",
            label_templates=(),
            alt_labels=False,
            descriptions="never",
        )
    ),
    "hybrid": _rank_matcher(lambda fw: Matcher(fw, kinds="all")),
    "credit": _rank_credit,
    "scoring": _rank_scoring,
    "scoring_semantic": lambda texts, space: _rank_scoring(texts, space, named=False),
}


def _metrics(table: pd.DataFrame, gold: list[list[str]]) -> dict[str, float]:
    ranks = []
    for i, g in enumerate(gold):
        ids = table.loc[table["query_index"] == i].sort_values("score", ascending=False)["id"]
        hit = [k for k, x in enumerate(ids.tolist()) if x in g]
        ranks.append(hit[0] + 1 if hit else np.inf)
    r = np.asarray(ranks, dtype=float)
    return {
        "n": len(r),
        "acc@1": float((r <= 1).mean()),
        "acc@5": float((r <= 5).mean()),
        "mrr": float(np.where(np.isfinite(r), 1 / r, 0).mean()),
    }


def outcome_level(methods: list[str], splits: list[str]) -> dict:
    fw = onet()
    out = load_outcomes()
    out = out[out["gold"].map(len) > 0]
    res: dict = {}
    everything = _space(fw, None)
    for split in splits:
        part = out[out["split"] == split].reset_index(drop=True)
        for m in methods:
            t0 = time.process_time()
            rank = RANKERS[m]
            # Candidates: the occupation's own elements (one space per occupation).
            tables = []
            for soc, grp in part.groupby("soc", sort=True):
                space = _space(fw, set(occupation_items(fw, soc)["id"]))
                t = rank(grp["outcome"].tolist(), space)
                t["query_index"] = grp.index.to_numpy()[t["query_index"].to_numpy(int)]
                tables.append(t)
            own = _metrics(pd.concat(tables, ignore_index=True), part["gold"].tolist())
            allx = _metrics(rank(part["outcome"].tolist(), everything), part["gold"].tolist())
            res.setdefault(split, {})[m] = {
                "occupation": own,
                "all_onet": allx,
                "cpu_s": round(time.process_time() - t0, 1),
            }
            print(split, m, json.dumps(res[split][m]), flush=True)
    return res


# == calibration ===============================================================
def calibrate() -> dict:
    """The credit thresholds (``align._calibration``), recomputed on the dev halves.

    Work activities: the standout of each dev outcome's labelled work activity (its gold
    DWAs and the DWAs of its gold task statements) in its occupation's demand basket;
    floor = 10th percentile, full = median. Professional: the same for the labelled
    NACE competency of the dev half of ``professional_outcomes.csv``.
    """
    from align._meaning import meaning_scores
    from align.proposals import ScoreSettings, background_for, demand_from_onet, outcome_matches

    fw = onet()
    bg = background_for(fw)
    out = load_outcomes()
    out = out[(out["split"] == "dev") & (out["gold"].map(len) > 0)]
    links = dict(zip(*task_table(fw)[["task_id", "dwas"]].to_dict("list").values(), strict=True))
    zs = []
    for soc, grp in out.groupby("soc"):
        basket = demand_from_onet(fw, [soc])
        z = meaning_scores(grp["outcome"].tolist(), basket, background=bg).standout
        ids = basket["id"].tolist()
        for i, gold in enumerate(grp["gold"]):
            want = {d for x in gold for d in links.get(x, [x])}
            cols = [j for j, x in enumerate(ids) if x in want and basket["kind"].iloc[j] == "dwa"]
            if cols:
                zs.append(float(z[i, cols].max()))
    po = pd.read_csv(Path(__file__).resolve().parent / "data" / "professional_outcomes.csv")
    po = po[po["split"] == "dev"].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        nace = align.load_framework("nace")
    prop = _proposal("00-0000.00", po["outcome"].tolist(), "professional")
    m = outcome_matches(prop, [nace], settings=ScoreSettings(top_k=8), background=bg)
    gold = dict(enumerate(po["nace"]))
    pz = [float(r.standout) for r in m.itertuples(index=False) if gold[int(r.query_index)] == r.id]
    q = {"p10": 10, "p25": 25, "median": 50}
    return {
        "activity": {k: round(float(np.percentile(zs, v)), 2) for k, v in q.items()}
        | {"pairs": len(zs)},
        "professional": {k: round(float(np.percentile(pz, v)), 2) for k, v in q.items()}
        | {"pairs": len(pz)},
    }


def bands(df: pd.DataFrame) -> dict:
    """Band cut points from the dev proposals (``align._calibration.BANDS``)."""
    dev = df[df["split"] == "dev"]
    strong = dev.loc[dev["proposal"] == "strong", "overall"]
    weak = dev.loc[dev["proposal"].isin(["vague", "off_target"]), "overall"]
    return {
        "well_aligned_from": float(5 * np.floor(np.percentile(strong, 10) / 5)),
        "not_aligned_below": float(5 * np.ceil(np.percentile(weak, 90) / 5)),
        "strong_p10": float(np.percentile(strong, 10)),
        "vague_or_off_target_p90": float(np.percentile(weak, 90)),
    }


# == proposal level ============================================================
def proposals(splits: list[str]) -> pd.DataFrame:
    """One row per occupation: its four outcome lists."""
    fw = onet()
    occ = select_occupations(fw)
    occ = occ[occ["split"].isin(splits)]
    out = load_outcomes()
    vague = load_vague()
    tasks = task_table(fw)
    tasks["core"] = (tasks["task_type"] != "supplemental").astype(int)
    tasks["h"] = tasks["task_id"].map(lambda t: stable_hash(t + "faculty"))
    tasks = tasks.sort_values(["occupation", "core", "h"], ascending=[True, False, True])
    strong = out.groupby("soc")["outcome"].agg(list)
    vag = vague.groupby("soc")["outcome"].agg(list)
    occ = occ[occ["soc"].isin(strong.index) & occ["soc"].isin(vag.index)]
    pair = off_target_of(occ, occupation_dwas(fw))
    rows = []
    for soc, split in zip(occ["soc"], occ["split"], strict=True):
        other = pair[soc]
        rows.append(
            {
                "soc": soc,
                "split": split,
                "off_target_of": other,
                "strong": strong[soc],
                "vague": vag[soc],
                "off_target": strong[other],
                "onet_worded": tasks[tasks["occupation"] == soc]["task"].head(6).tolist(),
            }
        )
    return pd.DataFrame(rows)


def _proposal(code: str, outcomes: list[str], name: str) -> align.Proposal:
    return align.Proposal(
        title=f"{name} proposal for {code}",
        issuing_unit="faculty-outcome benchmark",
        outcomes=[{"id": f"LO{i + 1}", "text": x} for i, x in enumerate(outcomes)],
        target_occupations=[code],
    )


def proposal_level(splits: list[str], options: dict) -> tuple[pd.DataFrame, dict]:
    props = proposals(splits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        fws = [onet(), align.load_framework("nace"), align.load_framework("cmc")]
    rows = []
    t0 = time.perf_counter()
    for i, r in enumerate(props.itertuples(index=False)):
        for name in VARIANTS:
            rep = align.score_alignment(_proposal(r.soc, getattr(r, name), name), fws, **options)
            comp = dict(zip(rep.components["component"], rep.components["value"], strict=True))
            rows.append(
                {
                    "soc": r.soc,
                    "split": r.split,
                    "proposal": name,
                    "overall": rep.overall,
                    "best_demand_median": float(rep.outcomes["best_demand_score"].median()),
                    "similarity_median": float(
                        rep.outcomes.get(
                            "best_demand_similarity", rep.outcomes["best_demand_score"]
                        ).median()
                    ),
                    "band": getattr(rep, "band", ""),
                    **comp,
                }
            )
        if i % 10 == 0:
            print(f"{i + 1}/{len(props)} occupations, {time.perf_counter() - t0:.0f} s", flush=True)
    df = pd.DataFrame(rows)
    return df, summarise(df)


def summarise(df: pd.DataFrame) -> dict:
    out: dict = {}
    for split, part in df.groupby("split"):
        w = part.pivot(index="soc", columns="proposal", values="overall")
        b = part.pivot(index="soc", columns="proposal", values="best_demand_median")
        sim = part.pivot(index="soc", columns="proposal", values="similarity_median")
        ratio = w["strong"] / w["onet_worded"].where(w["onet_worded"] > 0)
        pairs = [
            ("strong", "vague"),
            ("strong", "off_target"),
            ("onet_worded", "vague"),
            ("onet_worded", "off_target"),
        ]
        order = {f"{a}>{b_}": float((w[a] > w[b_]).mean()) for a, b_ in pairs}
        out[str(split)] = {
            "occupations": len(w),
            "median": {c: round(float(w[c].median()), 1) for c in VARIANTS},
            "mean": {c: round(float(w[c].mean()), 1) for c in VARIANTS},
            "strong_ge_vague_plus_10": float(((w["strong"] - w["vague"]) >= 10).mean()),
            "strong_ge_off_target_plus_20": float(((w["strong"] - w["off_target"]) >= 20).mean()),
            "median_strong_over_onet": float(ratio.median()),
            "median_best_demand_match": {c: round(float(b[c].median()), 3) for c in VARIANTS},
            "median_best_demand_similarity": {
                c: round(float(sim[c].median()), 3) for c in VARIANTS
            },
            "band_share": {
                c: part[part["proposal"] == c]["band"]
                .value_counts(normalize=True)
                .round(3)
                .to_dict()
                for c in VARIANTS
            },
            "pairwise_order": order,
            "pairwise_order_all": float(np.mean(list(order.values()))),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", default="all", choices=["outcomes", "proposals", "calibrate", "all"])
    ap.add_argument("--split", default="dev", choices=["dev", "test", "both"])
    ap.add_argument("--methods", default="minilm,hybrid,credit,scoring")
    ap.add_argument("--set", action="append", default=[], help="score_alignment NAME=VALUE")
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    options = {}
    for item in args.set:
        name, _, value = item.partition("=")
        options[name] = json.loads(value)
    OUT.mkdir(exist_ok=True)
    summary: dict = {"splits": splits, "options": options}
    if args.part == "calibrate":
        summary["calibration"] = calibrate()
    if args.part in ("outcomes", "all"):
        summary["outcomes"] = outcome_level(args.methods.split(","), splits)
    if args.part in ("proposals", "all"):
        df, summary["proposals"] = proposal_level(splits, options)
        if "dev" in splits:
            summary["bands"] = bands(df)
        df.to_csv(OUT / f"validity_faculty_proposals{args.tag}.csv", index=False)
    (OUT / f"validity_faculty{args.tag}.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "outcomes"}, indent=2))


if __name__ == "__main__":
    main()
