"""Matching quality on the dev splits: ESCO skill linking (TECH, HOUSE) and job titles.

Usage::

    .venv/bin/python benchmarks/quality.py [--data-dir ../shared/data] [--tune] [--titles N]

Skill linking (Decorte et al.): each job-ad sentence has one or more gold ESCO
skill labels; the target space is the 13,895 labels of ``skills_en_label.txt``.
Sentences are grouped, ``LABEL NOT PRESENT`` / ``UNDERSPECIFIED`` dropped and
labels stripped; sentences left with no label are not scored. Reported:
RP@5, RP@10 (R-precision at K: relevant in the top K divided by min(K, number of
gold labels)) and MRR (over the top 100), for

* ``semantic`` -- plain all-MiniLM-L6-v2: sentence vs preferred label (the baseline);
* ``semantic+alt`` -- the same, max over label and alt labels;
* ``lexical`` -- rapidfuzz evidence only;
* ``hybrid`` -- align's default matcher.

``--tune`` grid-searches the fusion parameters on these dev splits (the only
data used for tuning) and prints every configuration. ``--cv`` cross-validates
the label templates and fusion weights across the two sets: tuned on TECH and
reported on HOUSE, and the other way round.

Title normalisation (JobBERT dev): vacancy title -> ESCO occupation; accuracy@1
and @5 with ``target="occupations"`` (titles and alternate titles).

Prints Markdown tables and writes ``benchmarks/out/quality.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from align import Framework, load_framework
from align._embed import get_embedder
from align._match import Matcher
from align.exceptions import AlignDataWarning

HERE = Path(__file__).resolve().parent
DROP = {"LABEL NOT PRESENT", "UNDERSPECIFIED"}


def load_linking(folder: Path, name: str) -> pd.DataFrame:
    """Sentences with their gold label sets."""
    df = pd.read_csv(folder / f"{name}_validation_annotations.csv")
    df["label"] = df["label"].astype(str).str.strip()
    df = df[~df["label"].isin(DROP)]
    grouped = df.groupby("sentence", sort=False)["label"].agg(lambda s: sorted(set(s)))
    return grouped.reset_index().rename(columns={"label": "gold"})


def esco_skills(data_dir: Path, labels: list[str]):
    """The benchmark's target space (the label file) as a Framework.

    Each label is one competency. Where ESCO 1.1.1 has a skill with that
    preferred label, its alt labels and description come along; the few labels
    renamed between ESCO 1.1 and 1.1.1 keep just their label.
    """
    esco = load_framework("esco", data_dir=data_dir)
    comps = esco.competencies[esco.competencies["kind"].isin(["skill", "knowledge"])]
    comps = comps.drop_duplicates("label").set_index("label")
    uniq = list(dict.fromkeys(lab for lab in labels if lab))
    known = comps.reindex(uniq)
    df = pd.DataFrame(
        {
            "id": [
                i if isinstance(i, str) else f"label:{lab}"
                for lab, i in zip(uniq, known["id"], strict=True)
            ],
            "framework": "esco",
            "code": known["code"].fillna("").tolist(),
            "label": uniq,
            "description": known["description"].fillna("").tolist(),
            "kind": known["kind"].fillna("skill").tolist(),
            "alt_labels": [a if isinstance(a, list) else [] for a in known["alt_labels"]],
            "url": known["url"].fillna("").tolist(),
        }
    )
    print(
        f"labels: {len(uniq):,}; found in ESCO 1.1.1: {int(known['id'].notna().sum()):,}",
        file=sys.stderr,
    )
    return esco, Framework(esco.info, df)


def load_priors(bench: Path, fw: Framework) -> dict[str, float]:
    """The benchmark authors' label priors (esco_priors.json), keyed by our ids."""
    raw = json.loads((bench / "esco_priors.json").read_text("utf-8"))
    lab2id = dict(zip(fw.competencies["label"], fw.competencies["id"], strict=True))
    return {lab2id[k.strip()]: float(v) for k, v in raw.items() if k.strip() in lab2id}


def rp_mrr(ranked: list[list[str]], gold: list[list[str]], ks=(5, 10)) -> dict[str, float]:
    out: dict[str, float] = {}
    for k in ks:
        vals = [
            len(set(r[:k]) & set(g)) / min(k, len(g)) for r, g in zip(ranked, gold, strict=True)
        ]
        out[f"RP@{k}"] = 100 * float(np.mean(vals))
    rr = []
    for r, g in zip(ranked, gold, strict=True):
        ranks = [i for i, lab in enumerate(r) if lab in set(g)]
        rr.append(1.0 / (ranks[0] + 1) if ranks else 0.0)
    out["MRR"] = float(np.mean(rr))
    return out


def ranked_labels(matcher: Matcher, sentences: list[str], depth: int = 100) -> list[list[str]]:
    res = matcher.match(sentences, top_k=depth)
    by_q = res.groupby("query_index")["label"].apply(list)
    return [by_q.get(i, []) for i in range(len(sentences))]


def evaluate(matcher: Matcher, sets: dict[str, pd.DataFrame]) -> dict[str, dict[str, float]]:
    return {
        name: rp_mrr(ranked_labels(matcher, df["sentence"].tolist()), df["gold"].tolist())
        for name, df in sets.items()
    }


def tune(matcher: Matcher, sets: dict[str, pd.DataFrame]) -> list[dict]:
    """Grid over fusion parameters; the score is mean RP@5 over TECH and HOUSE dev.

    ``matcher`` must carry priors (prior_weight 0 switches them off).
    """
    grid = {
        "lexical_weight": [0.3, 0.4],
        "single_word_mention_weight": [0.8, 1.0],
        "alt_weight": [0.8, 0.85, 0.9],
        "split_queries": [False, True],
        "piece_weight": [0.7],
        "prior_weight": [0.0, 0.03, 0.06, 0.1],
    }
    rows = []
    keys = list(grid)
    for values in itertools.product(*grid.values()):
        for k, v in zip(keys, values, strict=True):
            setattr(matcher, k, v)
        res = evaluate(matcher, sets)
        row = dict(zip(keys, values, strict=True))
        for name, m in res.items():
            row.update({f"{name} {k}": v for k, v in m.items()})
        row["mean RP@5"] = float(np.mean([res[n]["RP@5"] for n in res]))
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    rows.sort(key=lambda r: -r["mean RP@5"])
    return rows


#: Label template sets compared by ``--templates`` (ensembles always include the bare
#: label; see Matcher(label_templates=...)).
TEMPLATE_SETS: dict[str, tuple[str, ...]] = {
    "none": (),
    "Required skill: {label}.": ("Required skill: {label}.",),
    "The job requires {label}.": ("The job requires {label}.",),
    "You have experience with {label}.": ("You have experience with {label}.",),
    "experience with + required skill": (
        "You have experience with {label}.",
        "Required skill: {label}.",
    ),
    "experience with + the job requires": (
        "You have experience with {label}.",
        "The job requires {label}.",
    ),
}


def compare_templates(
    skills: Framework, emb, sets: dict[str, pd.DataFrame]
) -> dict[str, dict[str, dict[str, float]]]:
    """Hybrid (default otherwise) with each template set of TEMPLATE_SETS."""
    out = {}
    for name, templates in TEMPLATE_SETS.items():
        m = Matcher(skills, embedder=emb, show_progress=True, label_templates=templates).fit()
        out[name] = evaluate(m, sets)
        print("templates", name, json.dumps(out[name]), file=sys.stderr)
    return out


#: The settings cross-validated by ``--cv`` (the default is 0.35 / 0.8 / 0.85 with
#: "Required skill: {label}.").
CV_GRID: dict[str, list[float]] = {
    "lexical_weight": [0.25, 0.35, 0.45],
    "single_word_mention_weight": [0.8, 1.0],
    "alt_weight": [0.8, 0.85, 0.9],
}


def cross_validate(
    skills: Framework, emb, sets: dict[str, pd.DataFrame], baseline: dict[str, dict[str, float]]
) -> dict:
    """Tune on one dev set, report on the other, in both directions.

    Every template set of :data:`TEMPLATE_SETS` x every point of :data:`CV_GRID`
    is scored on both sets; for each direction the configuration with the best
    RP@5 on the tuning set is reported on the other set, beside the baseline
    (plain MiniLM) there and the shipped default there.
    """
    rows = []
    keys = list(CV_GRID)
    for tname, templates in TEMPLATE_SETS.items():
        m = Matcher(skills, embedder=emb, show_progress=True, label_templates=templates).fit()
        for values in itertools.product(*CV_GRID.values()):
            for k, v in zip(keys, values, strict=True):
                setattr(m, k, v)
            res = evaluate(m, sets)
            row = {"templates": tname, **dict(zip(keys, values, strict=True))}
            for name, r in res.items():
                row.update({f"{name} {k}": v for k, v in r.items()})
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    grid = pd.DataFrame(rows)
    default = grid[
        (grid["templates"] == "Required skill: {label}.")
        & np.isclose(grid["lexical_weight"], 0.35)
        & np.isclose(grid["single_word_mention_weight"], 0.8)
        & np.isclose(grid["alt_weight"], 0.85)
    ].iloc[0]
    out: dict = {"grid_size": len(grid), "directions": []}
    for tune_on, report_on in (("TECH", "HOUSE"), ("HOUSE", "TECH")):
        best = grid.sort_values(f"{tune_on} RP@5", ascending=False, kind="stable").iloc[0]
        out["directions"].append(
            {
                "tuned on": tune_on,
                "reported on": report_on,
                "chosen": {k: best[k] for k in ["templates", *keys]},
                f"{tune_on} RP@5 (tuning)": round(float(best[f"{tune_on} RP@5"]), 1),
                f"{report_on} RP@5 (held out)": round(float(best[f"{report_on} RP@5"]), 1),
                f"{report_on} MRR (held out)": round(float(best[f"{report_on} MRR"]), 3),
                f"{report_on} RP@5 default": round(float(default[f"{report_on} RP@5"]), 1),
                f"{report_on} RP@5 baseline": round(baseline[report_on]["RP@5"], 1),
                "held-out gain over baseline": round(
                    float(best[f"{report_on} RP@5"]) - baseline[report_on]["RP@5"], 1
                ),
            }
        )
    grid.to_csv(HERE / "out" / "quality_cv_grid.csv", index=False)
    return out


def titles_eval(esco, data_dir: Path, n: int | None) -> dict[str, dict[str, float]]:
    df = pd.read_csv(data_dir / "benchmarks" / "jobbert_titles_dev" / "titles_dev.csv")
    df = df.dropna()
    if n:
        df = df.sample(n=min(n, len(df)), random_state=0)
    titles = df["vacancyTitle"].astype(str).tolist()
    gold = df["conceptUri"].tolist()
    out = {}
    for method in ("semantic", "lexical", "hybrid"):
        m = Matcher(esco, method, target="occupations").fit()
        res = m.match(titles, top_k=5)
        urls = res.groupby("query_index")["url"].apply(list)
        ranked = [urls.get(i, []) for i in range(len(titles))]
        out[method] = {
            "acc@1": 100
            * float(np.mean([bool(r) and r[0] == g for r, g in zip(ranked, gold, strict=True)])),
            "acc@5": 100 * float(np.mean([g in r for r, g in zip(ranked, gold, strict=True)])),
            "titles": len(titles),
        }
    return out


def md_table(rows: dict[str, dict[str, dict[str, float]]], sets: list[str]) -> str:
    head = "| method | " + " | ".join(f"{s} RP@5 | {s} RP@10 | {s} MRR" for s in sets) + " |"
    sep = "|---" * (1 + 3 * len(sets)) + "|"
    lines = [head, sep]
    for method, res in rows.items():
        cells = []
        for s in sets:
            r = res[s]
            cells += [f"{r['RP@5']:.1f}", f"{r['RP@10']:.1f}", f"{r['MRR']:.3f}"]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--tune", action="store_true", help="grid-search fusion parameters on dev")
    ap.add_argument(
        "--titles", type=int, default=0, help="evaluate on a sample of N titles (0: all 13,307)"
    )
    ap.add_argument("--no-titles", action="store_true", help="skip title normalisation")
    ap.add_argument("--templates", action="store_true", help="compare label template sets (hybrid)")
    ap.add_argument(
        "--cv",
        action="store_true",
        help="cross-validate templates and fusion weights: tune on TECH, report on HOUSE, "
        "and the other way round",
    )
    args = ap.parse_args()
    warnings.simplefilter("ignore", AlignDataWarning)
    bench = args.data_dir / "benchmarks" / "esco_skill_linking_dev"
    labels = [x.strip() for x in (bench / "skills_en_label.txt").read_text("utf-8").splitlines()]
    sets = {"TECH": load_linking(bench, "tech"), "HOUSE": load_linking(bench, "house")}
    t0 = time.time()
    esco, skills = esco_skills(args.data_dir, labels)
    emb = get_embedder()
    priors = load_priors(bench, skills)
    configs = {
        "semantic (plain MiniLM, baseline)": dict(
            method="semantic", alt_labels=False, descriptions="never", label_templates=()
        ),
        "semantic + label template": dict(
            method="semantic", alt_labels=False, descriptions="never"
        ),
        "semantic + alt labels (max)": dict(method="semantic", alt_weight=1.0, label_templates=()),
        "lexical": dict(method="lexical"),
        "hybrid, no label template": dict(method="hybrid", label_templates=()),
        "hybrid, labels only": dict(method="hybrid", alt_labels=False),
        "hybrid (default)": dict(method="hybrid"),
        "hybrid + descriptions": dict(method="hybrid", descriptions="always"),
        "hybrid + clause splitting": dict(method="hybrid", split_queries=True),
        "hybrid + ESCO priors": dict(method="hybrid", priors=priors),
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    fitted: dict[str, Matcher] = {}
    for name, kw in configs.items():
        m = Matcher(skills, embedder=emb, show_progress=True, **kw).fit()
        fitted[name] = m
        results[name] = evaluate(m, sets)
        print(name, json.dumps(results[name]), file=sys.stderr)
    out: dict = {
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "model": emb.model_id,
        "sentences": {n: len(d) for n, d in sets.items()},
        "skill_linking": results,
    }
    print("## Skill linking (ESCO, dev splits)\n")
    print(md_table(results, list(sets)))
    if args.tune:
        rows = tune(fitted["hybrid + ESCO priors"], sets)
        out["tuning_top"] = rows[:15]
        print("\n## Fusion grid (top 10 by mean RP@5 on TECH+HOUSE dev)\n")
        top = pd.DataFrame(rows[:10]).round(3)
        print("| " + " | ".join(top.columns) + " |\n" + "|---" * len(top.columns) + "|")
        for r in top.itertuples(index=False):
            print("| " + " | ".join(str(v) for v in r) + " |")
    if args.templates:
        res = compare_templates(skills, emb, sets)
        out["templates"] = res
        print("\n## Label templates (hybrid, otherwise default)\n")
        print(md_table(res, list(sets)))
    if args.cv:
        (HERE / "out").mkdir(exist_ok=True)
        cv = cross_validate(skills, emb, sets, results["semantic (plain MiniLM, baseline)"])
        out["cross_validation"] = cv
        print("\n## Cross-validation (tune on one dev set, report on the other)\n")
        print(json.dumps(cv, indent=2, default=str))
    if not args.no_titles:
        titles = titles_eval(esco, args.data_dir, args.titles or None)
        out["titles"] = titles
        print("\n## Title normalisation (JobBERT dev -> ESCO occupations)\n")
        print("| method | acc@1 | acc@5 | titles |\n|---|---|---|---|")
        for method, r in titles.items():
            print(f"| {method} | {r['acc@1']:.1f} | {r['acc@5']:.1f} | {r['titles']:,} |")
    out["seconds"] = round(time.time() - t0, 1)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "quality.json").write_text(json.dumps(out, indent=2), "utf-8")


if __name__ == "__main__":
    main()
