"""Demand: filters, shares, trend, ranks, sources, occupation counts and top titles."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from align.exceptions import AlignDataWarning, InvalidArgumentError
from align.postings import (
    DEMAND_COLUMNS,
    PostingsStore,
    occupation_counts,
    parse_period,
    skill_demand,
    top_titles,
)

FIXTURE = Path(__file__).parents[1] / "data" / "postings" / "lightcast_small.csv"
SQL, PY, COM, CARE = (
    f"lightcast:KSTEST{s}" for s in ("0000SQL", "00PYTHON", "0000COM", "00PATIENT")
)


@pytest.fixture
def store():
    with PostingsStore(":memory:") as s:
        s.ingest(FIXTURE, progress=False)
        yield s


def _by_id(df: pd.DataFrame) -> dict[str, dict]:
    return df.set_index("skill_id").to_dict("index")


def test_all_postings_counts_shares_ranks(store: PostingsStore) -> None:
    df = skill_demand(store)
    assert df.columns.tolist() == list(DEMAND_COLUMNS)
    got = _by_id(df)
    # SQL in p1, p2, p4; Python p2, p5; Communication p1, p3; Patient Care p3 (5 postings).
    assert {k: v["postings"] for k, v in got.items()} == {SQL: 3, PY: 2, COM: 2, CARE: 1}
    assert got[SQL]["share"] == pytest.approx(3 / 5)
    assert [got[s]["rank"] for s in (SQL, PY, COM, CARE)] == [1, 2, 2, 4]
    assert got[COM]["skill_type"] == "common" and got[SQL]["source"] == "export"
    # Yearly trend: SQL 1/1 in 2023, 2/4 in 2024 -> slope -0.5 per year.
    assert got[SQL]["trend"] == pytest.approx(-0.5)
    assert got[CARE]["trend"] == pytest.approx(0.25)
    assert df.attrs["postings"] == 5 and df.attrs["postings_matching"] == 5


@pytest.mark.parametrize(
    ("kwargs", "postings"),
    [
        ({"occupation": "15-"}, 4),
        ({"occupation": "15"}, 4),
        ({"occupation": "15-2051"}, 3),
        ({"occupation": "15-2051.01"}, 2),
        ({"occupation": ["15-1252", "29-1141.00"]}, 2),
        ({"region": "TX"}, 3),
        ({"region": "texas"}, 3),
        ({"region": "48"}, 3),
        ({"region": "31080"}, 2),
        ({"region": "Austin-Round Rock-Georgetown, TX"}, 2),
        ({"region": "travis, tx"}, 2),
        ({"region": ["12420", "CA"]}, 4),
        ({"period": "2024"}, 4),
        ({"period": "2024Q2"}, 2),
        ({"period": "2024-07"}, 1),
        ({"occupation": "15-", "region": "TX", "period": "2024"}, 2),
    ],
)
def test_filters(store: PostingsStore, kwargs: dict, postings: int) -> None:
    df = skill_demand(store, **kwargs)
    assert df.attrs["postings_matching"] == postings


def test_top_and_quarter_trend_uses_previous_quarter(store: PostingsStore) -> None:
    df = skill_demand(store, period="2024Q3", top=1)
    # 2024Q3: p4 (SQL). 2024Q2: p2 (Python, SQL), p3 (Patient Care, Communication).
    assert df["skill_id"].tolist() == [SQL]
    assert df.loc[0, "share"] == 1.0
    assert df.loc[0, "trend"] == pytest.approx(1.0 - 0.5)
    assert df.loc[0, "trend_periods"] == 2


def test_extracted_skills_fill_in_only_where_exports_have_none(store: PostingsStore) -> None:
    store.con.execute(
        "INSERT INTO postings (posting_id, posted, onet, state) VALUES "
        "('t1', DATE '2024-03-01', '15-2051.00', 'TX')"
    )
    store.con.execute(
        "INSERT INTO posting_skills (posting_id, skill_id, skill_name, skill_type, source, "
        "score, method, evidence, batch_id, asked, asked_score) VALUES "
        "('t1', 'esco:x', 'data mining', 'skill', 'extracted', 0.8, 'hybrid', 'ev', 9, TRUE, .9), "
        "('p1', 'esco:y', 'ignored', 'skill', 'extracted', 0.9, 'hybrid', 'ev', 9, TRUE, .9)"
    )
    auto = _by_id(skill_demand(store))
    assert "esco:x" in auto and "esco:y" not in auto  # p1 has export skills
    assert auto["esco:x"]["source"] == "extracted"
    assert set(_by_id(skill_demand(store, source="extracted"))) == {"esco:x", "esco:y"}
    assert "esco:x" not in _by_id(skill_demand(store, source="export"))


def _extracted(store: PostingsStore, rows: str) -> None:
    store.con.execute(
        "INSERT INTO posting_skills (posting_id, skill_id, skill_name, skill_type, source, "
        "score, method, evidence, batch_id, asked, asked_score) VALUES " + rows
    )


def test_demand_counts_asked_skills_unless_told_all(store: PostingsStore) -> None:
    store.con.execute(
        "INSERT INTO postings (posting_id, onet) VALUES ('t1', '15-2051.00'), ('t2', '15-2051.00')"
    )
    _extracted(
        store,
        "('t1', 'x:py', 'Python', 'skill', 'extracted', NULL, 'literal', 'Python required.', "
        "9, TRUE, .95), "
        "('t2', 'x:py', 'Python', 'skill', 'extracted', NULL, 'literal', 'Use Python.', "
        "9, TRUE, .9), "
        "('t2', 'x:ch', 'Chassis', 'skill', 'extracted', NULL, 'literal', "
        "'Cosma provides chassis.', 9, FALSE, .2)",
    )
    asked = _by_id(skill_demand(store, source="extracted"))
    assert set(asked) == {"x:py"} and asked["x:py"]["postings"] == 2
    # A skill only named does not count, but its posting stays in the share's denominator.
    every = skill_demand(store, source="extracted", mentions="all")
    assert _by_id(every)["x:ch"]["postings"] == 1
    assert every.attrs["postings"] == 2 and every.attrs["mentions"] == "all"
    only_named = skill_demand(store, source="extracted", occupation="15-", mentions="asked")
    assert only_named.attrs["postings"] == 2
    # Export skills count whatever mentions says.
    assert _by_id(skill_demand(store, source="export"))[SQL]["postings"] >= 1


def test_extractions_without_asked_scores_count_and_say_how_to_score_them(
    store: PostingsStore,
) -> None:
    store.con.execute("INSERT INTO postings (posting_id) VALUES ('t1')")
    _extracted(
        store, "('t1', 'x:py', 'Python', 'skill', 'extracted', .7, 'hybrid', 'e', 9, NULL, NULL)"
    )
    with pytest.warns(AlignDataWarning, match=r"no asked score.*extract-skills --redo"):
        df = skill_demand(store, source="extracted")
    assert _by_id(df)["x:py"]["postings"] == 1


def test_database_from_before_asked_scores_is_upgraded(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE posting_skills (posting_id VARCHAR, skill_id VARCHAR, skill_name VARCHAR, "
        "skill_type VARCHAR, source VARCHAR, score DOUBLE, method VARCHAR, evidence VARCHAR, "
        "batch_id INTEGER)"
    )
    con.execute("INSERT INTO posting_skills VALUES ('a', 'x:py', 'Python', 'skill', 'export', "
                "NULL, 'export', NULL, 1)")  # fmt: skip
    con.close()
    con = duckdb.connect(str(path))  # an old extraction, read before the upgrade: it counts
    con.execute(
        "CREATE TABLE postings (posting_id VARCHAR, posted DATE, onet VARCHAR, soc_5 VARCHAR, "
        "onet_name VARCHAR, state VARCHAR, state_name VARCHAR, msa VARCHAR, msa_name VARCHAR, "
        "county VARCHAR, county_name VARCHAR, title_raw VARCHAR, title VARCHAR)"
    )
    con.execute(
        "CREATE TABLE posting_occupations (posting_id VARCHAR, rank INTEGER, "
        "onet_code VARCHAR, onet_title VARCHAR)"
    )
    con.execute("INSERT INTO postings (posting_id) VALUES ('b')")
    con.execute("INSERT INTO posting_skills VALUES ('b', 'x:sql', 'SQL', 'skill', 'extracted', "
                "0.7, 'hybrid', 'e', 2)")  # fmt: skip
    con.close()
    with pytest.warns(AlignDataWarning, match="no asked score"):
        old = skill_demand(path, source="extracted")  # opened read-only: no column to add
    assert old["skill_id"].tolist() == ["x:sql"]
    with PostingsStore(path) as s:  # opened for writing: the columns are added
        cols = s.query("SELECT * FROM posting_skills").columns.tolist()
    assert cols[-2:] == ["asked", "asked_score"]


def test_bad_mentions(store: PostingsStore) -> None:
    with pytest.raises(InvalidArgumentError, match=r"mentions 'some'.*'asked'.*'all'"):
        skill_demand(store, mentions="some")  # type: ignore[arg-type]


def test_coded_titles_count_as_occupation(store: PostingsStore) -> None:
    store.con.execute("INSERT INTO postings (posting_id, title_raw) VALUES ('c1', 'Nurse')")
    store.con.execute(
        "INSERT INTO posting_skills (posting_id, skill_id, skill_name, skill_type, source, "
        "score, method, evidence, batch_id) VALUES ('c1', 'name:triage', 'Triage', "
        "'skill', 'export', NULL, 'export', NULL, 9)"
    )
    store.con.execute(
        "INSERT INTO posting_occupations (posting_id, rank, onet_code, onet_title, "
        "score, method, batch_id) VALUES "
        "('c1', 1, '29-1141.00', 'Registered Nurses', 0.9, 'hybrid', 9), "
        "('c1', 2, '15-2051.00', 'Data Scientists', 0.2, 'hybrid', 9)"
    )
    assert "name:triage" in _by_id(skill_demand(store, occupation="29-"))
    assert "name:triage" not in _by_id(skill_demand(store, occupation="15-"))


def test_no_match_warns_and_returns_empty(store: PostingsStore) -> None:
    with pytest.warns(AlignDataWarning, match="no postings match region='Atlantis'"):
        df = skill_demand(store, region="Atlantis")
    assert df.empty and df.columns.tolist() == list(DEMAND_COLUMNS)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"occupation": "nurse"}, "not an O\\*NET-SOC code"),
        ({"period": "Q2 2024"}, "not a year, quarter or month"),
        ({"top": 0}, "top must be"),
        ({"source": "both"}, "source 'both'"),
        ({"trend_unit": "week"}, "trend_unit 'week'"),
    ],
)
def test_bad_arguments(store: PostingsStore, kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        skill_demand(store, **kwargs)


def test_path_and_missing_database(tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    with PostingsStore(db) as s:
        s.ingest(FIXTURE, progress=False)
    assert len(skill_demand(db, occupation="29-")) == 2
    from align.exceptions import PostingsFormatError

    with pytest.raises(PostingsFormatError, match="does not exist"):
        skill_demand(tmp_path / "none.duckdb")


def test_occupation_counts_by_region_and_time(store: PostingsStore) -> None:
    df = occupation_counts(store, by_region="state", by_period="year")
    rows = {(r.occupation, r.region, r.period): r.postings for r in df.itertuples()}
    assert rows[("15-2051.01", "TX", "2023")] == 1
    assert rows[("15-2051.01", "CA", "2024")] == 1
    assert df["postings"].sum() == 5
    q = occupation_counts(store, occupation="15-", by_region="msa", by_period="quarter")
    assert set(q["period"]) == {"2023Q1", "2024Q1", "2024Q2", "2024Q3"}
    total = occupation_counts(store, by_region="none", by_period="none")
    assert total["postings"].sum() == 5 and total["region"].isna().all()


def test_top_titles(store: PostingsStore) -> None:
    df = top_titles(store, occupation="15-2051", field="title")
    assert df.to_dict("records")[0] == {
        "rank": 1,
        "title": "Data Analysts",
        "postings": 2,
        "share": pytest.approx(2 / 3),
    }
    assert top_titles(store, region="CA", top=1)["postings"].tolist() == [1]


def test_parse_period_previous() -> None:
    p = parse_period("2024Q1").previous()
    assert (p.start.isoformat(), p.end.isoformat()) == ("2023-10-01", "2024-01-01")
    assert parse_period("2024-2").label == "2024-02"
