"""Derive the training pairs of align's matching model from public structured data only.

Usage::

    python training/pairs.py [--data-dir ../shared/data] [--out training/out]

Writes ``<out>/pairs.parquet`` (columns ``anchor``, ``positive``, ``negative``,
``source``) and ``<out>/pairs.json`` (counts per source, what was excluded and
why, the files each source came from, the seed, the SHA-256 of the pairs file).
Both stay out of git (they hold framework wording; ``training/out/`` is ignored).

**What is read.** Only the three public structured releases the issue lists,
reached through a temporary folder that holds nothing but links to
``<data>/onet``, ``<data>/esco`` and ``<data>/lightcast``: the ESCO <-> O*NET
crosswalk, the postings and the benchmark sets are not even reachable by the
loaders. Two evaluation inputs are read *only to exclude* what they contain:

* the task -> DWA benchmark's split (``benchmarks/_validity_common.py``): no
  task of a **test-half** SOC major group (nor any task whose text also occurs in
  one) and none of the 2,500 **dev-half benchmark tasks** (the dev figure of
  ``benchmarks/validity_matching.py``) is trained on; only the other dev-half
  tasks are;
* the skill-linking (TECH, HOUSE) and JobBERT title **dev sets**: any pair with a
  text equal to one of their sentences or titles (case and spacing ignored) is
  dropped, so model selection on them stays clean.

The faculty-outcome benchmark (``benchmarks/data/faculty/``) is never opened.

**Pairs** (anchor, positive) with a hard negative from a sibling in the same
hierarchy (see each ``_source`` function): O*NET task -> its DWA, rule-made
outcome-style rewrites of those tasks -> the DWA, rewrites that also name the
occupation's own technology (as faculty outcomes name tools) -> the DWA, DWA ->
IWA -> work activity, work activity -> its description, occupation title ->
alternate and sample titles and -> description, technology example -> its UNSPSC
commodity; ESCO skill label -> alternative labels and -> description, ESCO
occupation label -> alternative labels and -> description; Lightcast names "Name (Qualifier)" ->
qualifier or acronym.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from _validity_common import split_of_code, stable_hash, task_table  # noqa: E402

#: Seed of every random choice (which alt labels, which rewrite, which negative).
SEED = 21
#: Folders of the data directory the derivation may read. Nothing else is linked.
SOURCES: tuple[str, ...] = ("onet", "esco", "lightcast")
#: Dev-half tasks held out for the task -> DWA benchmark's dev figure (its --n).
BENCHMARK_TASKS_PER_HALF = 2500
#: Caps per item, so no framework drowns the others.
MAX_ALT_PER_ESCO_SKILL = 3
MAX_ALT_PER_ESCO_OCCUPATION = 6
MAX_TITLES_PER_ONET_OCCUPATION = 8
MAX_EXAMPLES_PER_COMMODITY = 12
COLUMNS = ("anchor", "positive", "negative", "source")
#: Sources added after the shipped model was trained: kept after the others in the pairs
#: file, so the others' order, and with it ``make train-model``'s result, is unchanged.
APPENDED_SOURCES: tuple[str, ...] = ("onet_specific_dwa",)

_SPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    """Case- and spacing-insensitive form used for every exclusion check.

    Examples
    --------
    >>> norm("  Data   Scientist ")
    'data scientist'
    """
    return _SPACE.sub(" ", str(text)).strip().casefold()


@dataclass(frozen=True)
class Pair:
    anchor: str
    positive: str
    negative: str
    source: str


# -- what may be read -----------------------------------------------------------------
def allowed_data_dir(data_dir: Path) -> Path:
    """A temporary data folder with links to the allowed sources only."""
    root = Path(tempfile.mkdtemp(prefix="align-train-data-"))
    for name in SOURCES:
        src = data_dir / name
        if not src.is_dir():
            raise FileNotFoundError(f"{src} is missing; the training pairs need {name}.")
        (root / name).symlink_to(src.resolve(), target_is_directory=True)
    return root


def load_sources(data_dir: Path) -> dict[str, object]:
    from align import load_framework
    from align.exceptions import AlignDataWarning

    root = allowed_data_dir(data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        return {name: load_framework(name, data_dir=root, use_cache=False) for name in SOURCES}


def dev_set_texts(data_dir: Path) -> set[str]:
    """Normalised sentences and titles of the model-selection dev sets (to exclude)."""
    bench = data_dir / "benchmarks"
    texts: set[str] = set()
    for name in ("tech", "house"):
        df = pd.read_csv(bench / "esco_skill_linking_dev" / f"{name}_validation_annotations.csv")
        texts.update(norm(s) for s in df["sentence"].dropna().astype(str))
    titles = pd.read_csv(bench / "jobbert_titles_dev" / "titles_dev.csv")
    texts.update(norm(s) for s in titles["vacancyTitle"].dropna().astype(str))
    return texts


# -- O*NET ----------------------------------------------------------------------------
def task_split(onet) -> tuple[pd.DataFrame, set[str]]:
    """(dev-half training tasks with their DWAs, normalised texts that must never be used).

    Never used: every task of a test-half occupation, every task the task -> DWA
    benchmark samples for its dev figure, and any other task sharing their text.
    """
    tasks = task_table(onet)
    comps = onet.competencies
    all_tasks = comps[comps["kind"] == "task"].set_index("id")["label"]
    req = onet.relations[
        (onet.relations["relation"] == "requires")
        & onet.relations["target_id"].isin(all_tasks.index)
    ]
    occ_split = req["source_id"].str.split(":").str[-1].map(split_of_code)
    banned = {norm(all_tasks[t]) for t in req.loc[occ_split == "test", "target_id"]}
    tasks["h"] = tasks["task_id"].map(stable_hash)
    bench = tasks.sort_values("h").groupby("split", group_keys=False).head(BENCHMARK_TASKS_PER_HALF)
    banned |= {norm(t) for t in bench["task"]}
    train = tasks[(tasks["split"] == "dev") & ~tasks["task_id"].isin(bench["task_id"])]
    train = train[~train["task"].map(norm).isin(banned)]
    return train.drop(columns="h").reset_index(drop=True), banned


def _siblings(parent_of: dict[str, str]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = defaultdict(list)
    for child, parent in parent_of.items():
        children[parent].append(child)
    return {c: [s for s in children[p] if s != c] for c, p in parent_of.items()}


def _pick(rng: random.Random, options: Sequence[str], avoid: Iterable[str] = ()) -> str:
    bad = set(avoid)
    choices = [o for o in options if o not in bad]
    return rng.choice(choices) if choices else ""


_STEMS = (
    "",
    "Students will ",
    "Learners will be able to ",
    "Demonstrate the ability to ",
    "Graduates can ",
    "By the end of the course, students can ",
)
_CONTEXTS = (
    "",
    " in a supervised practicum",
    " for a realistic case study",
    " using current industry tools and standards",
    " as part of a team project",
    " under the guidance of a mentor",
)
_VERB_ALTERNATIVES = re.compile(r"^([A-Z][a-z]+)((?:, [a-z]+)*,? or [a-z]+) ")


def outcome_rewrite(task: str, rng: random.Random, contexts: Sequence[str] = _CONTEXTS) -> str:
    """An outcome-style rewrite of a task statement by rules (verb + object + context).

    One verb of "Direct or coordinate ..." is kept, the object stays, a trailing
    clause after the first comma may be cut, and an outcome stem and a context may
    be added.

    Examples
    --------
    >>> outcome_rewrite("Direct or coordinate financial activities, such as budgets.",
    ...                 random.Random(3))
    'Students will direct financial activities, such as budgets for a realistic case study.'
    """
    text = task.strip().rstrip(".")
    m = _VERB_ALTERNATIVES.match(text)
    if m:
        verbs = [m.group(1).lower(), *re.split(r",? or |, ", m.group(2).strip(", "))]
        verbs = [v for v in verbs if v and v != "or"]
        text = rng.choice(verbs) + " " + text[m.end() :]
    if ", " in text and rng.random() < 0.5:
        text = text.split(", ", 1)[0]
    stem = rng.choice(_STEMS)
    body = text[0].lower() + text[1:] if stem else text[0].upper() + text[1:]
    return f"{stem}{body}{rng.choice(contexts)}."


#: How a rewrite names the occupation's own technology, the way faculty outcomes name tools.
_TOOL_CONTEXTS = (
    " using {0}",
    " with {0} and {1}",
    " in {0}",
    ", documenting the work in {0}",
    " using tools such as {0} and {1}",
)
#: Technology examples linked to more occupations than this are too common to name.
MAX_OCCUPATIONS_PER_NAMED_TOOL = 20


def specific_rewrite(task: str, tools: Sequence[str], rng: random.Random) -> str:
    """A rule-made outcome rewrite that names tools, as faculty outcomes do.

    The task becomes an outcome (:func:`outcome_rewrite` without its generic
    context) and one or two of ``tools`` (the occupation's technology examples)
    are named in a tool context.

    Examples
    --------
    >>> specific_rewrite("Prepare financial statements.", ["QuickBooks", "SAP"],
    ...                  random.Random(1))
    'Students will prepare financial statements, documenting the work in SAP.'
    """
    body = outcome_rewrite(task, rng, contexts=("",)).rstrip(".")
    named = rng.sample(list(tools), k=min(2, len(tools)))
    forms = [t for t in _TOOL_CONTEXTS if "{1}" not in t] if len(named) < 2 else _TOOL_CONTEXTS
    return body + rng.choice(forms).format(*named) + "."


def _occupation_tools(onet) -> dict[str, list[str]]:
    """SOC code -> labels of its technology examples named by few occupations."""
    comps = onet.competencies
    tech = comps[comps["kind"] == "technology"].set_index("id")["label"]
    rel = onet.relations
    link = rel[(rel["relation"] == "requires") & rel["target_id"].isin(tech.index)]
    spread = link.groupby("target_id")["source_id"].nunique()
    link = link[link["target_id"].map(spread) <= MAX_OCCUPATIONS_PER_NAMED_TOOL]
    codes = link["source_id"].str.split(":").str[-1]
    return {
        str(code): sorted(set(tech[group["target_id"]]))
        for code, group in link.groupby(codes, sort=True)
    }


def onet_pairs(onet, rng: random.Random, seed: int = SEED) -> tuple[list[Pair], set[str]]:
    comps = onet.competencies.set_index("id")
    label = comps["label"].to_dict()
    parent = comps["parent_id"].dropna().to_dict()
    kind = comps["kind"].to_dict()
    out: list[Pair] = []
    train, banned = task_split(onet)

    dwa_parent = {c: p for c, p in parent.items() if kind.get(c) == "dwa"}
    dwa_sib = _siblings(dwa_parent)
    iwa_parent = {c: p for c, p in parent.items() if kind.get(c) == "iwa"}
    iwa_sib = _siblings(iwa_parent)
    gwa_parent = {c: p for c, p in parent.items() if kind.get(c) == "work_activity"}
    gwa_sib = _siblings(gwa_parent)
    all_dwas = sorted(dwa_parent)

    def dwa_negative(dwas: list[str], draw: random.Random = rng) -> str:
        cands = [s for d in dwas for s in dwa_sib.get(d, []) if s not in dwas]
        return label[draw.choice(cands)] if cands else label[draw.choice(all_dwas)]

    # The tool-naming rewrites draw from their own stream, so the other sources stay the
    # same pairs they were before the rewrites were added.
    tool_rng = random.Random(f"tools-{seed}")
    tools = _occupation_tools(onet)
    for row in train.itertuples(index=False):
        dwas = [d for d in row.dwas if d in label]
        if not dwas:
            continue
        for target in dwas:  # every analyst link, and a rule-made outcome rewrite of each
            out.append(Pair(row.task, label[target], dwa_negative(dwas), "onet_task_dwa"))
            rewrite = outcome_rewrite(row.task, rng)
            out.append(Pair(rewrite, label[target], dwa_negative(dwas), "onet_rewrite_dwa"))
            if tools.get(row.occupation):
                named = specific_rewrite(row.task, tools[row.occupation], tool_rng)
                neg = dwa_negative(dwas, tool_rng)
                out.append(Pair(named, label[target], neg, "onet_specific_dwa"))
    for d, p in dwa_parent.items():
        if p in label:
            neg = _pick(rng, [label[s] for s in iwa_sib.get(p, [])], [label[p]])
            out.append(Pair(label[d], label[p], neg, "onet_dwa_iwa"))
    for i, g in iwa_parent.items():
        if g in label:
            neg = _pick(rng, [label[s] for s in gwa_sib.get(g, [])], [label[g]])
            out.append(Pair(label[i], label[g], neg, "onet_iwa_workactivity"))
    desc = comps["description"].fillna("").to_dict()
    for g in gwa_parent:
        if desc.get(g):
            neg = _pick(rng, [desc[s] for s in gwa_sib.get(g, []) if desc.get(s)])
            out.append(Pair(label[g], desc[g], neg, "onet_workactivity_description"))

    # Technology examples -> their UNSPSC commodity (sibling: same UNSPSC class).
    tech = comps[comps["kind"] == "technology"]
    commodities = {p: label[p] for p in tech["parent_id"].dropna().unique() if p in label}
    by_class: dict[str, list[str]] = defaultdict(list)
    for cid in commodities:
        by_class[cid.rsplit(":", 1)[-1][:6]].append(cid)
    for cid, group in tech.groupby("parent_id"):
        if cid not in commodities:
            continue
        examples = sorted(set(group["label"]))
        rng.shuffle(examples)
        sibs = [commodities[s] for s in by_class[cid.rsplit(":", 1)[-1][:6]] if s != cid]
        for ex in examples[:MAX_EXAMPLES_PER_COMMODITY]:
            neg = _pick(rng, sibs) or commodities[rng.choice(sorted(commodities))]
            out.append(Pair(ex, commodities[cid], neg, "onet_technology_commodity"))

    # Occupation title -> alternate / sample titles and description (sibling: same broad
    # SOC group, else minor group).
    occ = onet.occupations.set_index("code")
    broad: dict[str, list[str]] = defaultdict(list)
    minor: dict[str, list[str]] = defaultdict(list)
    for code in occ.index:
        broad[code[:6]].append(code)
        minor[code[:4]].append(code)
    for code, r in occ.iterrows():
        sibs = [c for c in broad[code[:6]] if c != code] or [
            c for c in minor[code[:4]] if c != code
        ]
        titles = sorted({t for t in (r["alt_titles"] or []) if norm(t) != norm(r["title"])})
        rng.shuffle(titles)
        for t in titles[:MAX_TITLES_PER_ONET_OCCUPATION]:
            neg = occ.at[rng.choice(sibs), "title"] if sibs else ""
            out.append(Pair(t, r["title"], neg, "onet_occupation_title"))
        if r["description"]:
            neg = occ.at[rng.choice(sibs), "description"] if sibs else ""
            out.append(Pair(r["title"], r["description"], neg, "onet_occupation_description"))
    return out, banned


# -- ESCO -----------------------------------------------------------------------------
def esco_pairs(esco, rng: random.Random) -> list[Pair]:
    comps = esco.competencies
    skills = comps[comps["kind"].isin(["skill", "knowledge"])].set_index("id")
    label = skills["label"].to_dict()
    sib = _siblings(skills["parent_id"].dropna().to_dict())
    ids = sorted(label)
    out: list[Pair] = []
    for cid, r in skills.iterrows():
        cands = [s for s in sib.get(cid, []) if s in label]
        alts = sorted({a for a in (r["alt_labels"] or []) if norm(a) != norm(r["label"])})
        rng.shuffle(alts)
        for alt in alts[:MAX_ALT_PER_ESCO_SKILL]:
            neg = label[rng.choice(cands)] if cands else label[rng.choice(ids)]
            out.append(Pair(alt, r["label"], neg, "esco_skill_altlabel"))
        if r["description"]:
            neg_id = rng.choice(cands) if cands else rng.choice(ids)
            neg = skills.at[neg_id, "description"] or ""
            out.append(Pair(r["label"], r["description"], neg, "esco_skill_description"))
    occ = esco.occupations.set_index("code")
    by_group: dict[str, list[str]] = defaultdict(list)
    for code, g in zip(occ.index, occ["group"], strict=True):
        by_group[str(g)].append(code)
    for code, r in occ.iterrows():
        sibs = [c for c in by_group[str(r["group"])] if c != code]
        alts = sorted({a for a in (r["alt_titles"] or []) if norm(a) != norm(r["title"])})
        rng.shuffle(alts)
        for alt in alts[:MAX_ALT_PER_ESCO_OCCUPATION]:
            neg = occ.at[rng.choice(sibs), "title"] if sibs else ""
            out.append(Pair(alt, r["title"], neg, "esco_occupation_altlabel"))
        if r["description"]:
            neg = occ.at[rng.choice(sibs), "description"] if sibs else ""
            out.append(Pair(r["title"], r["description"], neg, "esco_occupation_description"))
    return out


# -- Lightcast ------------------------------------------------------------------------
_QUALIFIED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<q>[^()]+)\)$")
_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9&/+.-]{1,11}$")


def lightcast_pairs(lightcast, rng: random.Random) -> list[Pair]:
    """Names written "Name (Qualifier)": name -> qualifier (what kind of thing it is),
    or, when the bracket holds an acronym, the full name -> the acronym."""
    out: list[Pair] = []
    rows = []
    for name in sorted(set(lightcast.competencies["label"].astype(str))):
        m = _QUALIFIED.match(name.strip())
        if m:
            rows.append((m.group("name").strip(), m.group("q").strip()))
    qualifiers = sorted({q for _, q in rows if not _ACRONYM.match(q)})
    for name, q in rows:
        if _ACRONYM.match(q):
            out.append(Pair(name, q, "", "lightcast_acronym"))
        else:
            out.append(Pair(name, q, _pick(rng, qualifiers, [q]), "lightcast_qualifier"))
    return out


# -- assembly -------------------------------------------------------------------------
def derive(data_dir: Path, seed: int = SEED) -> tuple[pd.DataFrame, dict]:
    """All training pairs, deduplicated and filtered, and a report of what was done."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    fws = load_sources(data_dir)
    onet, banned = onet_pairs(fws["onet"], rng, seed)
    pairs = onet + esco_pairs(fws["esco"], rng) + lightcast_pairs(fws["lightcast"], rng)
    df = pd.DataFrame(pairs, columns=list(COLUMNS))
    raw = df["source"].value_counts().to_dict()
    df = df[(df["anchor"].str.strip() != "") & (df["positive"].str.strip() != "")]
    df = df[df["anchor"].map(norm) != df["positive"].map(norm)]
    df = df.drop_duplicates(["anchor", "positive"])
    dev = dev_set_texts(data_dir)
    texts = pd.concat([df["anchor"], df["positive"], df["negative"]]).map(norm)
    hit_dev = set(texts[texts.isin(dev)])
    hit_test = set(texts[texts.isin(banned)])
    drop = df[["anchor", "positive", "negative"]].map(norm).isin(hit_dev | hit_test).any(axis=1)
    excluded = {
        "pairs with a text of a dev set (skill linking, titles)": int(
            df[["anchor", "positive", "negative"]].map(norm).isin(hit_dev).any(axis=1).sum()
        ),
        "pairs with a held-out task text (test half or benchmark dev sample)": int(
            df[["anchor", "positive", "negative"]].map(norm).isin(hit_test).any(axis=1).sum()
        ),
    }
    df = df[~drop]
    # A seeded shuffle: the training order does not depend on the source order. Sources
    # derived after the shipped model was trained are shuffled on their own and put last,
    # so every earlier source keeps the row order the shipped model was trained in.
    late = df["source"].isin(APPENDED_SOURCES)
    df = pd.concat(
        [part.sample(frac=1.0, random_state=seed) for part in (df[~late], df[late])]
    ).reset_index(drop=True)
    report = {
        "seed": seed,
        "sources_read": {
            name: str(fws[name].info.source_path or data_dir / name) for name in SOURCES
        },
        "read_only_to_exclude": [
            "benchmarks/esco_skill_linking_dev (TECH, HOUSE sentences)",
            "benchmarks/jobbert_titles_dev (titles)",
            "the task -> DWA split of benchmarks/_validity_common.py",
        ],
        "never_read": ["crosswalk/", "job_postings/", "nace/", "benchmarks/data/faculty/"],
        "pairs": len(df),
        "pairs_per_source": {k: int(v) for k, v in df["source"].value_counts().items()},
        "derived_per_source_before_filtering": {k: int(v) for k, v in raw.items()},
        "excluded": excluded,
        "held_out_task_texts": len(banned),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    return df, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    df, report = derive(args.data_dir, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "pairs.parquet"
    df.to_parquet(path, index=False)
    report["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (args.out / "pairs.json").write_text(json.dumps(report, indent=2), "utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
