"""Ingest: formats, header case, list-column styles, idempotency, batch log, presets."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from align.postings import PostingsStore, ingest_postings, parse_list_cell, skill_demand

EXPECTED_SKILLS = {
    ("p1", "lightcast:KSTEST0000SQL", "specialized"),
    ("p1", "lightcast:KSTEST0000COM", "common"),
    ("p2", "lightcast:KSTEST00PYTHON", "specialized"),
    ("p2", "lightcast:KSTEST0000SQL", "specialized"),
    ("p3", "lightcast:KSTEST00PATIENT", "specialized"),
    ("p3", "lightcast:KSTEST0000COM", "common"),
    ("p4", "lightcast:KSTEST0000SQL", "specialized"),
    ("p5", "lightcast:KSTEST00PYTHON", "specialized"),
}


@pytest.mark.parametrize("fmt", ["csv", "csv_lower", "jsonl", "parquet", "xlsx"])
def test_every_format_gives_the_same_tables(export_files: dict[str, Path], fmt: str) -> None:
    with PostingsStore(":memory:") as store:
        report = store.ingest(export_files[fmt], progress=False)
        assert report.loc[0, ["rows_read", "rows_loaded", "rows_rejected"]].tolist() == [5, 5, 0]
        skills = store.query("SELECT posting_id, skill_id, skill_type FROM posting_skills")
        assert set(map(tuple, skills.to_numpy().tolist())) == EXPECTED_SKILLS
        p1 = store.query("SELECT * FROM postings WHERE posting_id = 'p1'").iloc[0]
        assert str(p1["posted"])[:10] == "2023-03-01"
        assert p1["onet"] == "15-2051.01" and p1["soc_5"] == "15-2051"
        assert p1["state"] == "TX" and p1["msa_name"].startswith("Austin")
        assert p1["body"].startswith("Analyze data with SQL.\nBuild dashboards.")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('["Python", "SQL"]', ["Python", "SQL"]),
        ("['Python', 'SQL']", ["Python", "SQL"]),
        ("Python; SQL", ["Python", "SQL"]),
        ("Python|SQL", ["Python", "SQL"]),
        (["Python", "SQL"], ["Python", "SQL"]),
        ("", []),
        ("[]", []),
        (None, []),
        (float("nan"), []),
    ],
)
def test_parse_list_cell_styles(cell: object, expected: list[str]) -> None:
    assert parse_list_cell(cell) == expected


def test_python_literal_is_never_evaluated(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    cell = f"[__import__('pathlib').Path({str(marker)!r}).touch()]"
    with pytest.raises(ValueError, match="unparseable list"):
        parse_list_cell(cell)
    assert not marker.exists()


@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
            min_size=1,
            max_size=12,
        ),
        max_size=8,
    )
)
@example(["[{", "[{", "[{", "[{", "[{"])  # brackets inside names are not nesting
@example(["it's", '"[[[[[[[[["'])
def test_json_and_literal_lists_round_trip(items: list[str]) -> None:
    assert parse_list_cell(json.dumps(items)) == items
    assert parse_list_cell(repr(items)) == items


def test_same_file_twice_is_skipped_and_logged_once(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    first = ingest_postings(
        Path(__file__).parents[1] / "data/postings/lightcast_small.csv", db, progress=False
    )
    again = ingest_postings(
        Path(__file__).parents[1] / "data/postings/lightcast_small.csv", db, progress=False
    )
    assert "already loaded" in again.loc[0, "note"]
    with PostingsStore(db, read_only=True) as store:
        assert store.counts()["postings"] == 5
        assert store.counts()["posting_skills"] == len(EXPECTED_SKILLS)
        log = store.batches()
    assert len(log) == 1
    src = Path(__file__).parents[1] / "data/postings/lightcast_small.csv"
    assert log.loc[0, "sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert first.loc[0, "sha256"] == log.loc[0, "sha256"]


def test_overlapping_export_appends_only_new_ids(
    tmp_path: Path, lightcast_frame: pd.DataFrame
) -> None:
    newer = lightcast_frame.iloc[3:].copy()  # p4, p5 again ...
    extra = lightcast_frame.iloc[[0]].copy()
    extra["ID"] = "p6"  # ... and one new posting
    newer = pd.concat([newer, extra, extra])  # a duplicate inside the file too
    path = tmp_path / "newer.csv"
    newer.to_csv(path, index=False)
    with PostingsStore(":memory:") as store:
        store.ingest(
            Path(__file__).parents[1] / "data/postings/lightcast_small.csv", progress=False
        )
        report = store.ingest(path, progress=False)
        assert report.loc[0, ["rows_read", "rows_loaded", "rows_duplicate"]].tolist() == [4, 1, 3]
        assert store.counts()["postings"] == 6
        n = store.query("SELECT count(*) AS n FROM posting_skills WHERE posting_id = 'p6'")
        assert int(n.loc[0, "n"]) == 2
        assert store.batches()["rows_loaded"].tolist() == [5, 1]


def test_column_mapping_overrides_the_preset(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    pd.DataFrame(
        {
            "job_ref": ["a", "b"],
            "Role": ["Nurse", "Welder"],
            "occ": ["29-1141.00", "51-4121"],
            "where": ["Austin, TX", "Ohio"],
            "skills": ["Patient care; Charting", "Welding"],
        }
    ).to_csv(path, index=False)
    with PostingsStore(":memory:") as store:
        store.ingest(
            path,
            mapping={
                "job_ref": "id",
                "Role": "title_raw",
                "occ": "onet",
                "where": "location",
                "skills": "skills_name",
            },
            progress=False,
        )
        rows = store.query("SELECT posting_id, onet, state, city FROM postings ORDER BY 1")
        assert rows[["posting_id", "onet", "state"]].to_numpy().tolist() == [
            ["a", "29-1141.00", "TX"],
            ["b", "51-4121.00", "OH"],
        ]
        assert rows.loc[0, "city"] == "Austin" and pd.isna(rows.loc[1, "city"])
        demand = skill_demand(store)
        assert set(demand["skill_id"]) == {"name:patient care", "name:charting", "name:welding"}


@pytest.mark.realdata
def test_glassdoor_preset_loads_the_real_file(data_dir: Path) -> None:
    src = data_dir / "job_postings/glassdoor_ds_jobs_2021/Uncleaned_DS_jobs.csv"
    with PostingsStore(":memory:") as store:
        report = store.ingest(src, preset="glassdoor", progress=False)
        assert int(report.loc[0, "rows_loaded"]) == 672
        stats = store.query(
            "SELECT count(body) AS bodies, count(state) AS states, "
            "min(length(body)) AS shortest FROM postings"
        ).iloc[0]
        assert stats["bodies"] == 672 and stats["shortest"] > 50
        assert stats["states"] > 500  # 'City, ST' locations parsed
        assert (
            store.query("SELECT count(*) AS n FROM postings WHERE company LIKE '%\n%'").loc[0, "n"]
            == 0
        )


@pytest.mark.realdata
def test_linkedin_preset_joins_job_functions(data_dir: Path) -> None:
    src = data_dir / "job_postings/linkedin_2023_structured/job_postings.csv.gz"
    with PostingsStore(":memory:") as store:
        report = store.ingest(src, preset="linkedin", progress=False)
        assert int(report.loc[0, "rows_loaded"]) == 33_246
        demand = skill_demand(store, region="CA", top=5)
        assert (demand["skill_type"] == "job_function").all()
        assert demand["skill_id"].str.startswith("linkedin:").all()
        assert demand.attrs["postings"] > 1000


def test_default_db_is_never_inside_the_shared_release_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from align.postings import default_db_path

    monkeypatch.setenv("ALIGN_DATA_DIR", str(tmp_path / "shared"))
    monkeypatch.delenv("ALIGN_POSTINGS_DB", raising=False)
    assert (tmp_path / "shared") not in default_db_path().parents
    monkeypatch.setenv("ALIGN_POSTINGS_DB", str(tmp_path / "mine.duckdb"))
    assert default_db_path() == tmp_path / "mine.duckdb"
    assert default_db_path(tmp_path) == tmp_path / "postings" / "postings.duckdb"
