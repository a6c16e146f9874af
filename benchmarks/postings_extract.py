"""Skill extraction on the real Glassdoor postings: throughput and a precision sample.

A seeded sample of Glassdoor postings (672 real data-science postings with
full text) is loaded into a scratch database and its skills are extracted
against the Lightcast Open Skills list with the default settings (hybrid
matcher, ``DEFAULT_THRESHOLD``). We report segments per posting, postings and
segments per second, and draw a seeded sample of the stored (posting, skill)
pairs into ``benchmarks/postings_precision_labels.csv`` for labelling by hand
(1 = the posting asks for that skill, 0 = it does not), with a short phrase of
evidence, never the posting text. With ``--dask`` the same sample also runs on
a 2-worker LocalCluster and the results are compared with the local engine.

Usage: ``.venv/bin/python benchmarks/postings_extract.py [--postings 80] [--seed 0] [--dask]``
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from align.exceptions import AlignDataWarning
from align.postings import PostingsStore, extract_skills, make_skill_matcher, split_posting

HERE = Path(__file__).resolve().parent
LABELS = HERE / "postings_precision_labels.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--postings", type=int, default=80)
    ap.add_argument("--label-sample", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dask", action="store_true")
    ap.add_argument("--threshold", type=float, default=None, help="default: DEFAULT_THRESHOLD")
    ap.add_argument("--labels", type=Path, default=LABELS, help="labels CSV (kept across runs)")
    args = ap.parse_args()
    warnings.simplefilter("ignore", AlignDataWarning)
    src = args.data_dir / "job_postings/glassdoor_ds_jobs_2021/Uncleaned_DS_jobs.csv"
    tmp = Path(tempfile.mkdtemp(prefix="align-extract-"))
    out: dict = {"cpus": os.cpu_count(), "load_at_start": os.getloadavg()}
    with PostingsStore(tmp / "all.duckdb") as full:
        full.ingest(src, preset="glassdoor", progress=False)
        ids = (
            # File order (the Glassdoor "index"), so the seeded sample is reproducible.
            full.query(
                "SELECT posting_id FROM postings "
                "ORDER BY CAST(split_part(posting_id, ':', 2) AS INTEGER)"
            )["posting_id"]
            .sample(n=args.postings, random_state=args.seed)
            .tolist()
        )
        full.con.register("_ids", pd.DataFrame({"posting_id": ids}))
        full.con.execute(f"ATTACH '{tmp / 'sample.duckdb'}' AS s")
        full.con.execute(
            "CREATE TABLE s.postings AS SELECT * FROM postings "
            "WHERE posting_id IN (SELECT posting_id FROM _ids)"
        )
        bodies = full.query(
            "SELECT body FROM postings WHERE posting_id IN (SELECT posting_id FROM _ids)"
        )["body"]
        full.con.execute("DETACH s")
    segs = bodies.map(lambda b: len(split_posting(b)))
    raw = bodies.map(lambda b: len(split_posting(b, drop_boilerplate=False)))
    out.update(
        {
            "threshold": args.threshold,
            "postings": args.postings,
            "seed": args.seed,
            "segments_per_posting": round(float(segs.mean()), 1),
            "boilerplate_dropped_share": round(float(1 - segs.sum() / raw.sum()), 3),
        }
    )
    t0 = time.time()
    matcher = make_skill_matcher("lightcast", "hybrid", data_dir=args.data_dir)
    out["fit_seconds"] = round(time.time() - t0, 1)
    with PostingsStore(tmp / "sample.duckdb") as store:
        t1 = time.time()
        report = extract_skills(store, matcher=matcher, threshold=args.threshold, progress=True)
        secs = time.time() - t1
        found = store.query(
            "SELECT posting_id, skill_id, skill_name, score, evidence "
            "FROM posting_skills WHERE source = 'extracted' "
            "ORDER BY posting_id, skill_id"
        )
    out.update(
        {
            "extract_seconds": round(secs, 1),
            "postings_per_second": round(args.postings / secs, 2),
            "segments_per_second": round(float(segs.sum()) / secs, 1),
            "skills_stored": int(report.attrs["batch"]["rows_loaded"]),
            "skills_per_posting": round(len(found) / args.postings, 2),
            "postings_with_a_skill": int(found["posting_id"].nunique()),
            "top_skills": found["skill_name"].value_counts().head(15).to_dict(),
        }
    )
    if args.dask:
        import shutil

        shutil.copy(tmp / "sample.duckdb", tmp / "dask.duckdb")
        with PostingsStore(tmp / "dask.duckdb") as d:
            d.con.execute("DELETE FROM posting_skills")
            t2 = time.time()
            extract_skills(
                d,
                threshold=args.threshold,
                engine="dask",
                n_workers=2,
                batch_size=10,
                data_dir=args.data_dir,
                progress=True,
            )
            dsecs = time.time() - t2
            got = d.query(
                "SELECT posting_id, skill_id, skill_name, score, evidence "
                "FROM posting_skills WHERE source = 'extracted' "
                "ORDER BY posting_id, skill_id"
            )
        out["dask"] = {
            "seconds_incl_cluster_start": round(dsecs, 1),
            "identical_to_local": bool(got.equals(found)),
        }
    sample = found.sample(n=min(args.label_sample, len(found)), random_state=args.seed)
    if args.labels.exists():
        old = pd.read_csv(args.labels, dtype=str)
        keep = old.set_index(["posting_id", "skill_id"])["label"].to_dict()
    else:
        keep = {}
    rows = pd.DataFrame({
        "posting_id": sample["posting_id"], "skill_id": sample["skill_id"],
        "skill_name": sample["skill_name"], "score": sample["score"].round(3),
        # A short phrase only: the first words of the evidence segment.
        "phrase": sample["evidence"].map(lambda e: " ".join(str(e).split()[:8])),
        "label": [keep.get((p, s), "") for p, s in zip(sample["posting_id"],
                                                        sample["skill_id"], strict=True)],
    })  # fmt: skip
    rows.sort_values(["posting_id", "skill_id"]).to_csv(args.labels, index=False)
    labelled = rows[rows["label"].astype(str).isin(["0", "1"])]
    if len(labelled):
        out["precision_sample"] = {
            "labelled": len(labelled),
            "precision": round(labelled["label"].astype(int).mean(), 3),
        }
    out["load_at_end"] = os.getloadavg()
    (HERE / "out").mkdir(exist_ok=True)
    name = (
        "postings_extract.json"
        if args.threshold is None
        else (f"postings_extract_t{args.threshold:.2f}.json")
    )
    (HERE / "out" / name).write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
