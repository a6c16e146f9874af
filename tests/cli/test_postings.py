"""`align postings ...`: ingest -> demand in one command each, and plain errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from align.cli import app
from align.exceptions import PostingsFormatError

FIXTURE = Path(__file__).parents[1] / "data" / "postings" / "lightcast_small.csv"
runner = CliRunner()


def test_ingest_then_demand_in_every_output_format(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    res = runner.invoke(app, ["postings", "ingest", str(FIXTURE), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "lightcast_small.csv" in res.output
    res = runner.invoke(
        app,
        [
            "postings",
            "demand",
            "--db",
            str(db),
            "--occupation",
            "15-",
            "--region",
            "TX",
            "--format",
            "csv",
        ],
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout))
    assert df["skill_name"].tolist() == ["Python", "SQL", "Communication"]
    assert df["postings"].tolist() == [2, 2, 1]
    res = runner.invoke(
        app,
        [
            "postings",
            "demand",
            "--db",
            str(db),
            "--period",
            "2024",
            "--top",
            "1",
            "--format",
            "json",
        ],
    )
    rows = json.loads(res.stdout)
    # Python and SQL tie at 2 postings; ties are ordered by name.
    assert len(rows) == 1 and rows[0]["skill_name"] == "Python" and rows[0]["postings"] == 2
    res = runner.invoke(app, ["postings", "demand", "--db", str(db)])
    assert res.exit_code == 0 and "Skill demand: 5 postings" in res.output
    # Below 110 columns the table keeps rank, skill, postings, share and trend (no empty "nan").
    assert "skill_name" in res.output and "skill_id" not in res.output and "nan" not in res.output
    res = runner.invoke(app, ["postings", "batches", "--db", str(db), "--format", "csv"])
    assert "lightcast_small.csv" in res.stdout and res.exit_code == 0


def test_ingest_with_map_and_preset(tmp_path: Path) -> None:
    src = tmp_path / "other.csv"
    pd.DataFrame({"ref": ["a"], "Role": ["Nurse"], "occ": ["29-1141.00"]}).to_csv(src, index=False)
    db = tmp_path / "p.duckdb"
    res = runner.invoke(
        app,
        [
            "postings",
            "ingest",
            str(src),
            "--db",
            str(db),
            "--map",
            "ref=id",
            "--map",
            "Role=title_raw",
            "--map",
            "occ=onet",
        ],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["postings", "ingest", str(src), "--db", str(db), "--map", "ref"])
    assert res.exit_code != 0 and "COL=FIELD" in res.output


def test_missing_columns_is_an_align_error(tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("Job Title,Job Description\nAnalyst,SQL\n", encoding="utf-8")
    res = runner.invoke(app, ["postings", "ingest", str(src), "--db", str(tmp_path / "d.db")])
    assert isinstance(res.exception, PostingsFormatError)
    assert "--preset" in str(res.exception)


def test_main_prints_one_plain_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from align.cli import main

    src = tmp_path / "bad.csv"
    src.write_text("Job Title\nAnalyst\n", encoding="utf-8")
    monkeypatch.setattr(
        "sys.argv",
        [
            "align",
            "postings",
            "ingest",
            str(src),
            "--db",
            str(tmp_path / "d.db"),
            "--preset",
            "glassdoor",
        ],
    )
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "missing required columns" in err and "Traceback" not in err


@pytest.mark.realdata
# The shared O*NET copy is a partial release and its loader says so; that is not under test.
@pytest.mark.filterwarnings("ignore::align.exceptions.AlignDataWarning")
def test_synth_writes_a_labelled_file(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "s.parquet"
    res = runner.invoke(
        app,
        [
            "postings",
            "synth",
            "--rows",
            "50",
            "--out",
            str(out),
            "--format",
            "parquet",
            "--seed",
            "7",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert res.exit_code == 0, res.output
    df = pd.read_parquet(out)
    assert len(df) == 50 and (df["SOURCES"] == "align-synthetic").all()


@pytest.mark.realdata
# The shared framework copies are partial releases and their loaders say so.
@pytest.mark.filterwarnings("ignore::align.exceptions.AlignDataWarning")
def test_extract_skills_and_code_titles_commands(tmp_path: Path, data_dir: Path) -> None:
    src = tmp_path / "text.jsonl"
    rows = [
        {
            "ID": "t1",
            "TITLE_RAW": "Registered Nurse",
            "STATE": "TX",
            "BODY": "- Patient care\n- Microsoft Excel\nWe are an equal opportunity employer.",
        },
        {
            "ID": "t2",
            "TITLE_RAW": "Data Scientist",
            "STATE": "TX",
            "BODY": "Experience with Python (Programming Language) and SQL. Our platform "
            "helps hospitals plan forestry and water treatment projects across the country.",
        },
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = str(tmp_path / "p.duckdb")
    assert runner.invoke(app, ["postings", "ingest", str(src), "--db", db]).exit_code == 0
    common = ["--db", db, "--data-dir", str(data_dir), "--method", "lexical"]
    res = runner.invoke(app, ["postings", "extract-skills", *common, "--threshold", "0.5"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["postings", "code-titles", *common, "--top-k", "2"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app, ["postings", "demand", "--db", db, "--occupation", "29-1141", "--format", "json"]
    )
    names = {r["skill_name"] for r in json.loads(res.stdout)}
    assert "Microsoft Excel" in names and all(
        r["source"] == "extracted" for r in json.loads(res.stdout)
    )
    # The company sentence names Forestry without asking for it: only --mentions all counts it.
    demand = ["postings", "demand", "--db", db]
    # (the title wraps with the table's width)
    assert "skills the postings ask for" in " ".join(runner.invoke(app, demand).output.split())
    every_title = runner.invoke(app, [*demand, "--mentions", "all"]).output
    assert "every skill named" in " ".join(every_title.split())
    asked = runner.invoke(app, [*demand, "--format", "csv"]).stdout
    every = runner.invoke(app, [*demand, "--mentions", "all", "--format", "csv"]).stdout
    assert "Forestry" not in asked and "Forestry" in every and "SQL" in asked
    res = runner.invoke(app, ["postings", "demand", "--db", db, "--mentions", "some"])
    assert "mentions 'some' is not one of asked, all" in str(res.exception)


@pytest.mark.realdata
@pytest.mark.filterwarnings("ignore::align.exceptions.AlignDataWarning")
def test_occupations_review_sheet_out_and_back(tmp_path: Path, data_dir: Path) -> None:
    src = tmp_path / "job_postings.jsonl"
    rows = [
        {"job_id": i, "title": t, "location": "Austin, TX"}
        for i, t in enumerate(["Data Analyst", "Data Analyst", "Welder", "Registered Nurse"])
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = str(tmp_path / "p.duckdb")
    ingest = ["postings", "ingest", str(src), "--db", db, "--preset", "linkedin"]
    assert runner.invoke(app, ingest).exit_code == 0
    common = ["--db", db, "--data-dir", str(data_dir)]
    res = runner.invoke(app, ["postings", "code-titles", *common, "--method", "lexical"])
    assert res.exit_code == 0, res.output
    assert "review them with `align postings occupations --review" in res.stderr
    sheet = tmp_path / "review.csv"
    res = runner.invoke(app, ["postings", "occupations", *common, "--review", str(sheet),
                              "--review-below", "0.99"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "--import-review" in " ".join(res.stderr.split())
    edited = pd.read_csv(sheet, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert "Data Analyst" in edited["title"].tolist()
    edited["reviewed_code"] = ["15-2051.01" if t == "Data Analyst" else "" for t in edited["title"]]
    edited.to_csv(sheet, index=False)
    res = runner.invoke(
        app, ["postings", "occupations", *common, "--import-review", str(sheet), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    done = json.loads(res.stdout)
    assert [(r["title"], r["onet_code"], r["postings"]) for r in done] == [
        ("Data Analyst", "15-2051.01", 2)
    ]
    res = runner.invoke(app, ["postings", "occupations", *common, "--format", "json"])
    table = {(r["onet_code"], r["source"]): r["postings"] for r in json.loads(res.stdout)}
    assert table[("15-2051.01", "reviewed")] == 2
    # A bad code is refused with the row, and both flags at once are refused.
    edited["reviewed_code"] = ["15-99"] + [""] * (len(edited) - 1)
    edited.to_csv(sheet, index=False)
    res = runner.invoke(app, ["postings", "occupations", *common, "--import-review", str(sheet)])
    assert isinstance(res.exception, PostingsFormatError) and "'15-99'" in str(res.exception)
    both = ["--review", str(tmp_path / "x.csv"), "--import-review", str(sheet)]
    assert runner.invoke(app, ["postings", "occupations", *common, *both]).exit_code == 2
    # The analyst's edited sheet is not written over without --force.
    again = ["postings", "occupations", *common, "--review", str(sheet)]
    assert "already exists" in str(runner.invoke(app, again).exception)
    assert runner.invoke(app, [*again, "--force"]).exit_code == 0
