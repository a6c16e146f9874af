"""The training pairs of align's matching model: what must never be trained on stays out.

Derives the pairs from the real releases (as ``make train-model`` does) and checks
the exclusions on the derived data itself: no task of a test-half SOC major
group and none of the task -> DWA benchmark's dev tasks, no pair the ESCO <->
O*NET crosswalk links, no sentence or title of the model-selection dev sets, no
posting sentence; only O*NET, ESCO and Lightcast are reachable while deriving;
and the derivation is seeded (the same pairs twice).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pairs_mod():
    return _load("align_training_pairs", REPO / "training" / "pairs.py")


@pytest.fixture(scope="module")
def derived(pairs_mod, data_dir: Path):
    return pairs_mod.derive(data_dir)


@pytest.fixture(scope="module")
def texts(pairs_mod, derived) -> set[str]:
    df, _ = derived
    return {pairs_mod.norm(t) for c in ("anchor", "positive", "negative") for t in df[c] if t}


def test_every_source_gives_pairs_and_counts_are_reported(derived) -> None:
    df, report = derived
    assert report["pairs"] == len(df) > 50_000
    for source in (
        "onet_task_dwa",
        "onet_rewrite_dwa",
        "onet_specific_dwa",
        "onet_dwa_iwa",
        "onet_iwa_workactivity",
        "onet_occupation_title",
        "onet_technology_commodity",
        "esco_skill_altlabel",
        "esco_skill_description",
        "esco_occupation_altlabel",
        "lightcast_qualifier",
        "lightcast_acronym",
    ):
        assert report["pairs_per_source"][source] > 0, source
    assert sum(report["pairs_per_source"].values()) == len(df)
    assert (df["anchor"].str.strip() != "").all() and (df["positive"].str.strip() != "").all()


def test_only_onet_esco_and_lightcast_are_reachable(pairs_mod, data_dir: Path) -> None:
    root = pairs_mod.allowed_data_dir(data_dir)
    assert sorted(p.name for p in root.iterdir()) == ["esco", "lightcast", "onet"]
    assert not (root / "crosswalk").exists() and not (root / "job_postings").exists()


def test_no_test_half_task_and_no_benchmark_dev_task(pairs_mod, derived, texts, onet) -> None:
    from _validity_common import split_of_code, task_table

    comps = onet.competencies
    tasks = comps[comps["kind"] == "task"].set_index("id")["label"]
    req = onet.relations[
        (onet.relations["relation"] == "requires") & onet.relations["target_id"].isin(tasks.index)
    ]
    split = req["source_id"].str.split(":").str[-1].map(split_of_code)
    test_tasks = {pairs_mod.norm(tasks[t]) for t in req.loc[split == "test", "target_id"]}
    assert len(test_tasks) > 5000
    assert not (texts & test_tasks)
    table = task_table(onet)
    table["h"] = table["task_id"].map(pairs_mod.stable_hash)
    bench = table.sort_values("h").groupby("split").head(pairs_mod.BENCHMARK_TASKS_PER_HALF)
    dev_bench = {pairs_mod.norm(t) for t in bench.loc[bench["split"] == "dev", "task"]}
    assert len(dev_bench) > 2000
    assert not (texts & dev_bench)
    # ... while the other dev-half tasks are trained on
    df, _ = derived
    trained = {pairs_mod.norm(t) for t in df.loc[df["source"] == "onet_task_dwa", "anchor"]}
    assert len(trained) > 5000


def test_no_dev_set_sentence_or_title(pairs_mod, texts, data_dir: Path) -> None:
    bench = data_dir / "benchmarks"
    dev: set[str] = set()
    for name in ("tech", "house"):
        df = pd.read_csv(bench / "esco_skill_linking_dev" / f"{name}_validation_annotations.csv")
        dev |= {pairs_mod.norm(s) for s in df["sentence"].dropna()}
    titles = pd.read_csv(bench / "jobbert_titles_dev" / "titles_dev.csv")
    dev |= {pairs_mod.norm(s) for s in titles["vacancyTitle"].dropna()}
    assert len(dev) > 10_000
    assert not (texts & dev)


def test_no_pair_the_crosswalk_links(pairs_mod, derived, onet, esco, data_dir: Path) -> None:
    from align.frameworks.esco import load_crosswalk

    norm = pairs_mod.norm
    esco_names: dict[str, set[str]] = {}
    for uri, title, alts in zip(
        esco.occupations["id"].str.removeprefix("esco:"),
        esco.occupations["title"],
        esco.occupations["alt_titles"],
        strict=True,
    ):
        for t in [title, *(alts or [])]:
            esco_names.setdefault(norm(t), set()).add(str(uri))
    onet_names: dict[str, set[str]] = {}
    for code, title, alts in zip(
        onet.occupations["code"],
        onet.occupations["title"],
        onet.occupations["alt_titles"],
        strict=True,
    ):
        for t in [title, *(alts or [])]:
            onet_names.setdefault(norm(t), set()).add(str(code))
    cw = load_crosswalk(data_dir=data_dir)
    linked = {(str(u), str(c)) for u, c in zip(cw["esco_uri"], cw["onet_code"], strict=True)}
    assert len(linked) > 1000
    df, _ = derived
    clashes = []
    for a, p in zip(df["anchor"].map(norm), df["positive"].map(norm), strict=True):
        for x, y in ((a, p), (p, a)):
            for uri in esco_names.get(x, ()):
                for code in onet_names.get(y, ()):
                    if (uri, code) in linked and x != y:
                        clashes.append((x, y))
    # An ESCO alt label may equal an O*NET title word for word ("nurse"); a pair whose
    # two sides come from one framework is fine. What must not occur is an ESCO name
    # paired with the O*NET title the crosswalk maps it to.
    cross = [
        (x, y)
        for x, y in clashes
        if not (set(esco_names.get(x, ())) & set(esco_names.get(y, ())))
        and not (set(onet_names.get(x, ())) & set(onet_names.get(y, ())))
    ]
    assert not cross, cross[:5]


def test_no_posting_sentence(pairs_mod, texts, data_dir: Path) -> None:
    import re

    posts = pd.read_csv(
        data_dir / "job_postings" / "glassdoor_ds_jobs_2021" / "Uncleaned_DS_jobs.csv"
    )
    sentences = {
        pairs_mod.norm(s)
        for body in posts["Job Description"].dropna()
        for s in re.split(r"(?<=[.!?])\s+|\n+", str(body))
        if len(s.split()) >= 6
    }
    assert len(sentences) > 10_000
    assert not (texts & sentences)


def test_derivation_is_seeded(pairs_mod, derived, data_dir: Path) -> None:
    df, _ = derived
    again, _ = pairs_mod.derive(data_dir)
    pd.testing.assert_frame_equal(df, again)
    # the seed decides the rewrites, the sampled titles and the negatives
    import random

    task = "Direct or coordinate financial activities, such as budgets."
    rewrites = {pairs_mod.outcome_rewrite(task, random.Random(s)) for s in range(20)}
    assert len(rewrites) > 5


def test_tool_naming_rewrites_name_the_occupations_tools(pairs_mod, derived, onet) -> None:
    df, _ = derived
    named = df[df["source"] == "onet_specific_dwa"]
    tasks = df[df["source"] == "onet_task_dwa"]
    # one per trained (task, DWA) link whose occupation has named tools, never more
    assert 0.5 * len(tasks) < len(named) <= len(tasks)
    # (a task pair may be dropped for a dev-set negative while its rewrite is kept)
    assert len(set(named["positive"]) - set(tasks["positive"])) <= 5
    tools = {t for labels in pairs_mod._occupation_tools(onet).values() for t in labels}
    mentions = [any(t in a for t in tools) for a in named["anchor"].head(200)]
    assert all(mentions)
    # widely shared technology (named by more than 20 occupations) is never named
    comps = onet.competencies
    tech = comps[comps["kind"] == "technology"].set_index("id")["label"]
    rel = onet.relations[onet.relations["target_id"].isin(tech.index)]
    spread = rel.groupby("target_id")["source_id"].nunique()
    common = set(tech[spread[spread > pairs_mod.MAX_OCCUPATIONS_PER_NAMED_TOOL].index])
    assert "Microsoft Excel" in common
    assert not (tools & common)


def test_later_sources_come_last_so_earlier_sources_keep_their_order(pairs_mod, derived) -> None:
    df, _ = derived
    late = df["source"].isin(pairs_mod.APPENDED_SOURCES).to_numpy()
    assert late.any() and not late[: (~late).sum()].any()
