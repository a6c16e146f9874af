"""Bad input: clear errors or warnings, and the database never half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from align.exceptions import AlignDataWarning, PostingsFormatError, UnknownNameError
from align.postings import PostingsStore

FIXTURE = Path(__file__).parents[1] / "data" / "postings" / "lightcast_small.csv"


@pytest.fixture
def store():
    with PostingsStore(":memory:") as s:
        s.ingest(FIXTURE, progress=False)
        yield s


def _unchanged(store: PostingsStore) -> None:
    assert store.counts() == {
        "postings": 5,
        "posting_skills": 8,
        "posting_occupations": 0,
        "batches": 1,
    }


def test_missing_columns_names_found_expected_and_fix(store: PostingsStore, tmp_path: Path) -> None:
    path = tmp_path / "glassdoor_like.csv"
    pd.DataFrame({"Job Title": ["Analyst"], "Job Description": ["SQL"]}).to_csv(path, index=False)
    with pytest.raises(PostingsFormatError) as err:
        store.ingest(path, progress=False)
    msg = str(err.value)
    assert "Job Title" in msg and "Job Description" in msg  # found
    assert "ID" in msg  # expected
    assert "--preset" in msg and "--map" in msg  # the fix
    _unchanged(store)


def test_unknown_preset_and_mapping_field(store: PostingsStore) -> None:
    with pytest.raises(UnknownNameError, match="preset 'emsi'"):
        store.ingest(FIXTURE, preset="emsi", progress=False)  # type: ignore[arg-type]
    with pytest.raises(UnknownNameError, match="not a posting field"):
        store.ingest(FIXTURE, mapping={"ID": "identifier"}, progress=False)


def test_malformed_rows_are_skipped_counted_and_sampled(tmp_path: Path) -> None:
    text = FIXTURE.read_text("utf-8")
    lines = text.splitlines()
    bad = [
        'b1,2024-13-45,,Analyst,,,,15-2051.00,,48,,,,,,,"[""X""]","[""X""]",,,,',  # bad date
        "b2,2024-01-02,,Analyst",  # too few fields
        ",2024-01-02,,No id,,,,15-2051.00,,48,,,,,,,,,,,,",  # blank id
        "b3,2024-01-02,,Analyst,,,,15-2051.00,,48,,,,,,,\"['X', \",\"['X']\",,,,",  # bad list
        'b4,2024-01-02,,Analyst,,,,15-2051.00,,48,,,,,,,"[""A"", ""B""]","[""A""]",,,,',
    ]
    path = tmp_path / "messy.csv"
    path.write_text("\n".join([*lines, *bad]) + "\n", encoding="utf-8")
    with PostingsStore(":memory:") as store:
        with pytest.warns(AlignDataWarning, match=r"skipped 5 malformed row\(s\) of 10"):
            report = store.ingest(path, progress=False)
        assert report.loc[0, ["rows_loaded", "rows_rejected"]].tolist() == [5, 5]
        sample = json.loads(report.loc[0, "rejected_sample"])
        joined = " ".join(sample)
        assert "not an ISO date" in joined and "expected 22" in joined
        assert "blank id" in joined and "unparseable list" in joined
        assert store.counts()["postings"] == 5
        assert store.batches().loc[0, "rows_rejected"] == 5


def test_non_utf8_file_fails_cleanly_then_loads_with_its_encoding(
    store: PostingsStore, tmp_path: Path
) -> None:
    path = tmp_path / "latin.csv"
    pd.DataFrame(
        {"ID": ["x1", "x2"], "TITLE_RAW": ["Caf\u00e9 manager", "Se\u00f1or analyst"]}
    ).to_csv(path, index=False, encoding="cp1252")
    with pytest.raises(PostingsFormatError, match=r"not valid utf-8.*--encoding cp1252"):
        store.ingest(path, progress=False)
    _unchanged(store)
    store.ingest(path, encoding="cp1252", progress=False)
    titles = store.query("SELECT title_raw FROM postings WHERE posting_id LIKE 'x%' ORDER BY 1")
    assert titles["title_raw"].tolist() == ["Caf\u00e9 manager", "Se\u00f1or analyst"]


def test_gigantic_cells_are_cut_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    big = "SQL and Python. " * 40_000  # 640,000 characters
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"ID": "h1", "BODY": big, "TITLE_RAW": "x" * 20_000}) + "\n")
    with PostingsStore(":memory:") as store:
        with pytest.warns(AlignDataWarning, match=r"cut 2 oversized cell"):
            store.ingest(path, progress=False)
        lens = store.query("SELECT length(body) AS b, length(title_raw) AS t FROM postings")
        assert lens.loc[0, "b"] == 200_000 and lens.loc[0, "t"] == 5_000


def test_parquet_with_wrong_schema(store: PostingsStore, tmp_path: Path) -> None:
    path = tmp_path / "wrong.parquet"
    # (a number is a date now: LinkedIn exports Unix times; a true/false column is not)
    table = pa.table(
        {"ID": ["w1"], "SKILLS": pa.array([[1, 2]], pa.list_(pa.int64())), "POSTED": [True]}
    )
    pq.write_table(table, path)
    with pytest.raises(PostingsFormatError) as err:
        store.ingest(path, progress=False)
    msg = str(err.value)
    assert "wrong schema" in msg and "SKILLS is list<" in msg and "POSTED" in msg
    _unchanged(store)


def test_not_a_parquet_file(store: PostingsStore, tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(PostingsFormatError, match="not a readable Parquet file"):
        store.ingest(path, progress=False)
    _unchanged(store)


def test_failure_late_in_a_file_rolls_everything_back(store: PostingsStore, tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(30):
            fh.write(json.dumps({"ID": f"l{i}", "TITLE_RAW": "Analyst"}) + "\n")
        fh.write('{"ID": "bad", "TITLE_RAW": "caf\u00e9"}\n'.encode("cp1252").decode("latin-1"))
    path.write_bytes(
        path.read_bytes().replace("é".encode("latin-1").decode("latin-1").encode("utf-8"), b"\xe9")
    )
    with pytest.raises(PostingsFormatError, match="not valid utf-8"):
        store.ingest(path, chunk_rows=10, progress=False)  # three chunks staged first
    _unchanged(store)


def test_unknown_suffix_and_missing_file(store: PostingsStore, tmp_path: Path) -> None:
    odd = tmp_path / "export.dat"
    odd.write_text("ID\n1\n")
    with pytest.raises(PostingsFormatError, match="cannot tell its format"):
        store.ingest(odd, progress=False)
    with pytest.raises(PostingsFormatError, match="does not exist"):
        store.ingest(tmp_path / "nope.csv", progress=False)


def test_no_staging_files_are_left_behind(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    bad = tmp_path / "bad.csv"
    bad.write_text("Title\nAnalyst\n", encoding="utf-8")
    with PostingsStore(db) as s:
        s.ingest(FIXTURE, progress=False)
        with pytest.raises(PostingsFormatError):
            s.ingest(bad, progress=False)
    assert not list(tmp_path.glob(".align-staging-*"))


def test_excel_date_cells_and_numeric_ids(tmp_path: Path) -> None:
    import datetime as dt

    path = tmp_path / "dates.xlsx"
    pd.DataFrame(
        {
            "ID": [101, 102],
            "POSTED": [dt.datetime(2024, 5, 14), dt.date(2023, 1, 2)],
            "TITLE_RAW": ["Analyst", "Nurse"],
        }
    ).to_excel(path, index=False)
    with PostingsStore(":memory:") as s:
        s.ingest(path, progress=False)
        got = s.query("SELECT posting_id, CAST(posted AS VARCHAR) AS d FROM postings ORDER BY 1")
    assert got.to_numpy().tolist() == [["101", "2024-05-14"], ["102", "2023-01-02"]]
