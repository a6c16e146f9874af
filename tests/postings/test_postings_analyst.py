"""What analysts read back: demand over time, generic skills, stored skills, dates, writers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from align.exceptions import InvalidArgumentError, PostingsDataError
from align.postings import (
    PostingsStore,
    coded_occupations,
    demand_over_time,
    occupation_counts,
    posting_skills,
    skill_demand,
    skill_specificity,
    top_titles,
)
from align.postings._extract import _paced


def _store(rows: list[tuple[str, str, str | None]], skills: dict[str, list[str]]) -> PostingsStore:
    """Postings (id, O*NET code, posted) with export skills (by posting id)."""
    s = PostingsStore(":memory:")
    s.con.executemany(
        "INSERT INTO postings (posting_id, onet, posted, title_raw) VALUES (?, ?, ?, ?)",
        [(p, o, d, f"title {o}") for p, o, d in rows],
    )
    s.con.executemany(
        "INSERT INTO posting_skills (posting_id, skill_id, skill_name, skill_type, source) "
        "VALUES (?, ?, ?, 'skill', 'export')",
        [(p, f"name:{k.lower()}", k) for p, ks in skills.items() for k in ks],
    )
    return s


@pytest.fixture
def three_jobs() -> PostingsStore:
    """60 postings in three occupations: Communication everywhere, SQL for two, Welding one."""
    rows, skills = [], {}
    for i in range(60):
        occ = ("15-2051.00", "13-2011.00", "51-4121.00")[i % 3]
        pid = f"p{i}"
        rows.append((pid, occ, f"2024-{1 + i % 6:02d}-15"))
        skills[pid] = ["Communication"]
        if occ != "51-4121.00":
            skills[pid].append("SQL")
        if occ == "51-4121.00" and i % 2:
            skills[pid].append("Welding")
    return _store(rows, skills)


def test_specificity_sets_generic_skills_apart(three_jobs) -> None:
    sp = skill_specificity(three_jobs).set_index("skill_name")
    assert sp.loc["Communication", "generic"] and sp.loc["Communication", "specificity"] == 0
    assert not sp.loc["Welding", "generic"] and not sp.loc["SQL", "generic"]
    assert sp.loc["Welding", "specificity"] > sp.loc["SQL", "specificity"] > 0.2
    assert (sp["groups"] == 3).all()
    # One occupation group: nothing to compare, so nothing is called generic.
    one = skill_specificity(three_jobs, level="major", min_postings=25)
    assert one["specificity"].isna().all() and not one["generic"].any()
    with pytest.raises(InvalidArgumentError, match="level 'team'"):
        skill_specificity(three_jobs, level="team")  # type: ignore[arg-type]


def test_demand_shows_hides_or_down_weights_generic_skills(three_jobs) -> None:
    shown = skill_demand(three_jobs)
    assert shown["skill_name"].tolist()[0] == "Communication" and shown["generic"].iloc[0]
    assert shown.attrs["generic_hidden"] == 0
    hidden = skill_demand(three_jobs, generic="hide")
    assert "Communication" not in hidden["skill_name"].tolist()
    assert hidden.attrs["generic_hidden"] == 1
    down = skill_demand(three_jobs, generic="down-weight")
    assert down["skill_name"].tolist()[-1] == "Communication"
    assert down["rank"].tolist() == sorted(down["rank"].tolist())
    assert (down["weighted_share"] <= down["share"]).all()
    with pytest.raises(InvalidArgumentError, match="generic 'drop'"):
        skill_demand(three_jobs, generic="drop")


def test_demand_over_time_per_period(three_jobs) -> None:
    over = demand_over_time(three_jobs, unit="quarter", top=2)
    assert over["period"].unique().tolist() == ["2024Q1", "2024Q2"]
    assert set(over["skill_name"]) == {"Communication", "SQL"}
    q1 = over[(over["period"] == "2024Q1") & (over["skill_name"] == "Communication")]
    assert q1["share"].iloc[0] == 1.0 and q1["period_postings"].iloc[0] == 30
    months = demand_over_time(three_jobs, unit="month", skills=["welding"], occupation="51-")
    assert months["period"].tolist() == ["2024-03", "2024-06"]  # the months with welders
    assert months["skill_name"].eq("Welding").all() and months["share"].tolist() == [0.0, 1.0]
    assert months["postings"].sum() == 10
    undated = _store([("a", "15-2051.00", None)], {"a": ["SQL"]})
    with pytest.raises(PostingsDataError, match="posted date"):
        demand_over_time(undated)


def test_posting_skills_reads_every_run_with_the_posting(three_jobs) -> None:
    got = posting_skills(three_jobs, occupation="51-")
    assert set(got["skill_name"]) == {"Communication", "Welding"}
    assert got["occupation"].eq("51-4121.00").all() and got["posted"].notna().all()
    assert got["title"].eq("title 51-4121.00").all()
    one = posting_skills(three_jobs, posting_ids=["p0"])
    assert one["skill_name"].tolist() == ["Communication", "SQL"]
    assert posting_skills(three_jobs, source="extracted").empty


def test_linkedin_unix_times_are_posting_dates(tmp_path: Path) -> None:
    path = tmp_path / "job_postings.csv"
    path.write_text(
        "job_id,title,location,original_listed_time,listed_time\n"
        '1,Data Analyst,"Austin, TX",1713397508000.0,1713397508000.0\n'
        '2,Welder,"Dallas, TX",1699090000000,\n',
        encoding="utf-8",
    )
    with PostingsStore(":memory:") as s:
        report = s.ingest(path, preset="linkedin", progress=False)
        assert int(report["rows_loaded"].iloc[0]) == 2
        posted = s.query("SELECT posting_id, posted FROM postings ORDER BY posting_id")
        assert [str(d)[:10] for d in posted["posted"]] == ["2024-04-17", "2023-11-04"]


def test_paced_batches_keep_every_posting_in_order() -> None:
    big = [pd.DataFrame({"posting_id": [f"p{i}" for i in range(s, s + 50)]}) for s in (0, 50)]
    parts = list(_paced(iter(big), most=20))
    assert len(parts[0]) == 8  # the first batch is small, so the bar moves at once
    assert max(len(p) for p in parts) <= 20
    ids = [p for part in parts for p in part["posting_id"]]
    assert ids == [f"p{i}" for i in range(100)]


def test_every_postings_table_writes_to_parquet_and_csv(three_jobs, tmp_path: Path) -> None:
    tables = {
        "skill_demand": skill_demand(three_jobs),
        "skill_specificity": skill_specificity(three_jobs),
        "demand_over_time": demand_over_time(three_jobs),
        "posting_skills": posting_skills(three_jobs),
        "occupation_counts": occupation_counts(three_jobs),
        "top_titles": top_titles(three_jobs),
        "coded_occupations": coded_occupations(three_jobs),
        "batches": three_jobs.batches(),
    }
    for name, df in tables.items():
        json.dumps(df.attrs)  # plain values only
        df.to_parquet(tmp_path / f"{name}.parquet")
        back = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert len(back) == len(df), name
        df.to_csv(tmp_path / f"{name}.csv")
    assert np.isfinite(tables["skill_demand"]["share"]).all()
