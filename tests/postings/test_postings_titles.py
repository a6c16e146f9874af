"""Job title -> O*NET-SOC coding, alone and on stored postings."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from align import Framework, FrameworkInfo
from align.postings import (
    PostingsStore,
    code_job_titles,
    code_titles,
    make_title_matcher,
    occupation_counts,
    skill_demand,
)
from align.postings._titles import TITLE_COLUMNS


def tiny_onet() -> Framework:
    """Three occupations with hand-written alternate titles (fixture, not O*NET text)."""
    info = FrameworkInfo(
        key="onet",
        name="fixture",
        publisher="tests",
        version="0",
        source_url="",
        licence="CC0",
        attribution="",
    )
    comps = pd.DataFrame(
        {
            "id": ["onet:x"],
            "framework": "onet",
            "code": ["x"],
            "label": ["placeholder"],
            "kind": "skill",
            "alt_labels": [[]],
        }
    )
    occs = pd.DataFrame({
        "id": ["onet:15-2051.00", "onet:29-1141.00", "onet:51-4121.00"], "framework": "onet",
        "code": ["15-2051.00", "29-1141.00", "51-4121.00"],
        "title": ["Data Scientists", "Registered Nurses", "Welders, Cutters, Solderers"],
        "description": "", "group": "", "alt_titles": [["Machine Learning Scientist"],
                                                       ["RN", "Staff Nurse"], ["Welder"]],
        "url": "",
    })  # fmt: skip
    return Framework(info, comps, occs)


@pytest.fixture(scope="module")
def lexical():
    return make_title_matcher("lexical", onet=tiny_onet())


def test_code_job_titles_ranks_and_repeats(lexical) -> None:
    titles = ["Staff Nurse", "data scientists", None, "Welder", "Staff Nurse", "  "]
    df = code_job_titles(titles, lexical, top_k=2)
    assert df.columns.tolist() == list(TITLE_COLUMNS)
    top = df[df["rank"] == 1].set_index("query_index")["onet_code"].to_dict()
    assert top == {0: "29-1141.00", 1: "15-2051.00", 3: "51-4121.00", 4: "29-1141.00"}
    assert df.groupby("query_index").size().max() <= 2
    assert df["score"].between(0, 1).all()
    first = df[df["query_index"] == 0]["score"].tolist()
    assert first == sorted(first, reverse=True)


def test_code_titles_fills_uncoded_postings_and_feeds_demand(tmp_path: Path, lexical) -> None:
    rows = [
        {"job_id": 1, "title": "Staff Nurse", "location": "Austin, TX"},
        {"job_id": 2, "title": "Welder", "location": "Ohio"},
        {"job_id": 3, "title": "Staff Nurse", "location": "Dallas, TX"},
    ]
    path = tmp_path / "job_postings.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with PostingsStore(":memory:") as store:
        store.ingest(path, preset="linkedin", progress=False)
        store.con.execute(
            "INSERT INTO posting_skills (posting_id, skill_id, skill_name, skill_type, source, "
            "score, method, evidence, batch_id) VALUES ('linkedin:1', 'name:triage', "
            "'Triage', 'skill', 'export', NULL, 'export', NULL, 1)"
        )
        found = code_titles(store, matcher=lexical, top_k=2, progress=False)
        report = found.attrs["batch"]
        assert report["rows_read"] == 3 and report["kind"] == "code-titles"
        assert len(found) == report["rows_loaded"]
        assert set(found.loc[found["rank"] == 1, "onet_code"]) == {"29-1141.00", "51-4121.00"}
        coded = store.query(
            "SELECT posting_id, onet_code FROM posting_occupations "
            "WHERE rank = 1 ORDER BY posting_id"
        )
        assert coded["onet_code"].tolist() == ["29-1141.00", "51-4121.00", "29-1141.00"]
        counts = occupation_counts(store, by_region="state", by_period="none")
        assert counts.set_index(["occupation", "region"])["postings"].to_dict() == {
            ("29-1141.00", "TX"): 2,
            ("51-4121.00", "OH"): 1,
        }
        assert skill_demand(store, occupation="29-1141")["skill_id"].tolist() == ["name:triage"]
        assert code_titles(store, matcher=lexical, progress=False).attrs["batch"]["rows_read"] == 0


@pytest.mark.realdata
def test_real_onet_titles_lexical(onet) -> None:
    m = make_title_matcher("lexical", onet=onet)
    df = code_job_titles(["Registered Nurse", "Data Scientist", "Welder"], m, top_k=5)
    top = df[df["rank"] == 1].set_index("query_index")["onet_code"].to_dict()
    assert top[0] == "29-1141.00" and top[1] == "15-2051.00"
    assert df[df["query_index"] == 2]["onet_code"].str.startswith("51-4121").any()


@pytest.mark.slow
def test_hybrid_title_coding_with_the_real_model(embedder) -> None:
    m = make_title_matcher("hybrid", onet=tiny_onet(), embedder=embedder)
    df = code_job_titles(["Senior ML scientist", "ICU nurse (nights)", "MIG welder"], m, top_k=1)
    assert df["onet_code"].tolist() == ["15-2051.00", "29-1141.00", "51-4121.00"]
