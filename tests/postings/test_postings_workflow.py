"""The analyst's workflow on text-only exports: what the store can't answer says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from align.exceptions import PostingsBusyError, PostingsDataError, PostingsFormatError
from align.postings import PostingsStore, ingest_postings, skill_demand, top_titles
from align.postings._occupations import OCCUPATION_COLUMNS, coded_occupations


def _text_only(tmp_path: Path) -> Path:
    """Postings with text and titles but no skills and no dates (like a Glassdoor file)."""
    rows = [
        {"ID": "a", "TITLE_RAW": "Data Analyst", "BODY": "Write SQL queries."},
        {"ID": "b", "TITLE_RAW": "Data Analyst", "BODY": "Build dashboards in Tableau."},
        {"ID": "c", "TITLE_RAW": "Nurse", "BODY": "Provide patient care."},
    ]
    src = tmp_path / "text.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "t.duckdb"
    with PostingsStore(db) as store:
        store.ingest(src, progress=False)
    return db


def test_demand_without_skills_names_the_command(tmp_path: Path) -> None:
    db = _text_only(tmp_path)
    with pytest.raises(PostingsDataError, match="align postings extract-skills") as err:
        skill_demand(db)
    assert "3 postings match" in str(err.value) and str(db) in str(err.value)
    with pytest.raises(PostingsDataError, match="source='auto'"):
        skill_demand(db, source="export")


def test_period_on_dateless_postings_says_there_are_no_dates(tmp_path: Path) -> None:
    db = _text_only(tmp_path)
    with pytest.raises(PostingsDataError, match=r"none of the 3 postings .* has a posted date"):
        skill_demand(db, period="2024")
    with pytest.raises(PostingsDataError, match="Leave out --period"):
        top_titles(db, period="2024Q2")


def test_coded_occupations_lists_codes_titles_and_confidence(tmp_path: Path) -> None:
    db = _text_only(tmp_path)
    with PostingsStore(db) as store:
        store.con.execute(
            "INSERT INTO posting_occupations (posting_id, rank, onet_code, onet_title, "
            "score, method, batch_id) VALUES "
            "('a', 1, '13-2099.01', 'Financial Quantitative Analysts', 0.42, 'hybrid', 2), "
            "('b', 1, '13-2099.01', 'Financial Quantitative Analysts', 0.61, 'hybrid', 2), "
            "('b', 2, '15-2051.01', 'Business Intelligence Analysts', 0.60, 'hybrid', 2)"
        )
    df = coded_occupations(db)
    assert list(df.columns) == list(OCCUPATION_COLUMNS)
    first = df.iloc[0]
    assert (first["onet_code"], first["postings"], first["source"]) == (
        "13-2099.01",
        2,
        "title coding",
    )
    assert first["example_titles"] == "Data Analyst (2)"
    assert first["low_confidence"] == 0.5 and first["median_score"] == pytest.approx(0.515)
    last = df.iloc[-1]
    assert last["onet_code"] is None and last["source"] == "not coded"
    assert last["example_titles"] == "Nurse (1)"
    assert df["share"].sum() == pytest.approx(1.0)
    assert coded_occupations(db, occupation="13-")["postings"].tolist() == [2]


def test_failed_first_ingest_leaves_no_database(tmp_path: Path) -> None:
    src = tmp_path / "odd.csv"
    src.write_text("job ref,Role\n1,Analyst\n", encoding="utf-8")
    db = tmp_path / "new" / "postings.duckdb"
    with pytest.raises(PostingsFormatError):
        ingest_postings(src, db, progress=False)  # unknown columns, no preset or mapping
    assert not db.exists() and not list(db.parent.glob("postings.duckdb*"))
    # An existing database is never removed, whatever fails.
    good = _text_only(tmp_path)
    with pytest.raises(PostingsFormatError):
        ingest_postings(src, good, progress=False)
    assert good.exists() and PostingsStore(good, read_only=True).counts()["postings"] == 3


def test_a_second_writer_is_told_who_is_busy(tmp_path: Path) -> None:
    db = _text_only(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); "
         "time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises(PostingsBusyError, match=r"database busy: .*\(PID \d+\) is writing"):
            PostingsStore(db)
        with pytest.raises(PostingsBusyError, match="retry when it ends"):
            skill_demand(db)  # a read waits for the writer too
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert PostingsStore(db, read_only=True).counts()["postings"] == 3


def test_cli_occupations(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from align.cli import app

    db = _text_only(tmp_path)
    res = CliRunner().invoke(app, ["postings", "occupations", "--db", str(db), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "not coded" in res.output and "Data Analyst (2)" in res.output
