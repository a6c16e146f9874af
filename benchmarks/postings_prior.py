"""Does the posting's occupation help skill extraction? Measured on the hand-labelled pairs.

An occupation prior would favour skills in the posting's occupation profile.
Before building one we ask the labels whether it could help: each hand-labelled
(posting, skill) pair of ``postings_precision_labels*.csv`` is marked *in
profile* when the skill is in the profile of the posting's O*NET occupation,
and precision is compared in and out of profile, by score band.

* Occupation: the posting's title coded to O*NET-SOC by ``code_job_titles``
  (lexical method: no model needed, 19 % acc@1 on JobBERT titles, better on
  these data-science titles, most of which are O*NET titles verbatim).
* Profile: the occupation's O*NET skills, knowledge and technology examples
  ("Apache Hadoop", "Python", "Mathematics"), mapped to Lightcast ids by the
  literal finder (a Lightcast skill named in the O*NET label). ESCO
  occupation-skill relations through the crosswalk would need an ESCO ->
  Lightcast mapping we do not have.

A prior helps only if in-profile pairs *below* the threshold are about as
precise as the pairs kept now (then lowering the threshold for them adds
right skills), or out-of-profile pairs above it are much less precise (then
raising it for them removes wrong ones). The labels cannot tune a weight on
TECH/HOUSE (those sentences have no occupation), so this is the measurement.

Usage: ``.venv/bin/python benchmarks/postings_prior.py``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from align import load_framework
from align.exceptions import AlignDataWarning
from align.postings import PostingsStore, code_job_titles, make_title_matcher
from align.postings._literal import LiteralFinder

HERE = Path(__file__).resolve().parent
FILES = {
    "semantic, threshold 0.45": "postings_precision_labels_t045.csv",
    "semantic, threshold 0.625": "postings_precision_labels.csv",
    "semantic, threshold 0.70": "postings_precision_labels_t070.csv",
    "literal mentions": "postings_precision_labels_literal.csv",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=HERE.parent.parent / "shared" / "data")
    args = ap.parse_args()
    warnings.simplefilter("ignore", AlignDataWarning)
    labels = []
    for name, file in FILES.items():
        df = pd.read_csv(HERE / file, dtype=str, keep_default_na=False)
        df = df[df["label"].isin(["0", "1"])]
        labels.append(df.assign(sample=name))
    lab = pd.concat(labels, ignore_index=True)
    lab["score"] = pd.to_numeric(lab.get("score"), errors="coerce")
    src = args.data_dir / "job_postings/glassdoor_ds_jobs_2021/Uncleaned_DS_jobs.csv"
    with PostingsStore(Path(tempfile.mkdtemp(prefix="align-prior-")) / "g.duckdb") as s:
        s.ingest(src, preset="glassdoor", progress=False)
        titles = s.query("SELECT posting_id, title_raw FROM postings")
    titles = titles[titles["posting_id"].isin(lab["posting_id"])].reset_index(drop=True)
    onet = load_framework("onet", data_dir=args.data_dir)
    coded = code_job_titles(
        titles["title_raw"].fillna("").tolist(),
        make_title_matcher("lexical", onet=onet),
        top_k=1,
    )
    code_of = dict(zip(titles["posting_id"].iloc[coded["query_index"]], coded["onet_code"],
                       strict=True))  # fmt: skip
    lightcast = load_framework("lightcast", data_dir=args.data_dir)
    finder = LiteralFinder(lightcast, kinds=["skill", "certification"]).fit()
    comps = onet.competencies.set_index("id")
    req = onet.relations[onet.relations["relation"] == "requires"]
    req = req.assign(kind=req["target_id"].map(comps["kind"]))
    req = req[req["kind"].isin(["skill", "knowledge", "technology"])]
    occ_code = dict(zip(onet.occupations["id"], onet.occupations["code"], strict=True))
    req = req.assign(
        code=req["source_id"].map(occ_code), label=req["target_id"].map(comps["label"])
    )
    names = req["label"].drop_duplicates().tolist()
    found = finder.find(names)
    lc_of: dict[str, set[str]] = {}
    for q, sid in zip(found["query_index"], found["id"], strict=True):
        lc_of.setdefault(names[q], set()).add(sid)
    profile: dict[str, set[str]] = {}
    for code, label in zip(req["code"], req["label"], strict=True):
        profile.setdefault(code, set()).update(lc_of.get(label, set()))
    lab["onet_code"] = lab["posting_id"].map(code_of)
    lab["in_profile"] = [
        sid in profile.get(str(c), set())
        for sid, c in zip(lab["skill_id"], lab["onet_code"], strict=True)
    ]
    lab["y"] = lab["label"].astype(int)
    out: dict = {
        "pairs_labelled": len(lab),
        "postings_coded": int(lab["onet_code"].notna().sum()),
        "top_codes": lab.drop_duplicates("posting_id")["onet_code"]
        .value_counts()
        .head(5)
        .to_dict(),
        "profile_sizes_median": float(pd.Series([len(v) for v in profile.values()]).median()),
    }
    table = lab.groupby(["sample", "in_profile"])["y"].agg(["size", "mean"]).round(3).reset_index()
    out["by_sample"] = table.to_dict("records")
    low = lab[(lab["sample"] == "semantic, threshold 0.45") & (lab["score"] < 0.625)]
    out["below_default_threshold (0.45 <= score < 0.625)"] = (
        low.groupby("in_profile")["y"]
        .agg(["size", "mean"])
        .round(3)
        .reset_index()
        .to_dict("records")
    )
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "postings_prior.json").write_text(json.dumps(out, indent=2, default=str))
    print(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
