"""Title coding confidence and ties, the review sheet and reviewed codes in demand."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from align import Framework, FrameworkInfo
from align.exceptions import PostingsFormatError
from align.postings import (
    LOW_CONFIDENCE,
    REVIEW_COLUMNS,
    PostingsStore,
    code_job_titles,
    code_titles,
    coded_occupations,
    coding_summary,
    import_review,
    make_title_coder,
    occupation_counts,
    review_sheet,
    skill_demand,
    write_review_sheet,
)
from align.postings._title_clean import Lexicon, clean_title


def fixture_onet() -> Framework:
    """Six occupations with hand-written titles (not O*NET text): two share "Data Analyst",
    and two are the same welding occupation twice, so "Welder" is a tie."""
    info = FrameworkInfo(
        key="onet", name="fixture", publisher="tests", version="0", source_url="",
        licence="CC0", attribution="",
    )  # fmt: skip
    comps = pd.DataFrame(
        {"id": ["onet:x"], "framework": "onet", "code": ["x"], "label": ["placeholder"],
         "kind": "skill", "alt_labels": [[]]}
    )  # fmt: skip
    occs = pd.DataFrame({
        "id": ["onet:15-2051.00", "onet:15-2051.01", "onet:29-1141.00", "onet:51-4121.00",
               "onet:51-4122.00", "onet:11-2022.00"],
        "framework": "onet",
        "code": ["15-2051.00", "15-2051.01", "29-1141.00", "51-4121.00", "51-4122.00",
                 "11-2022.00"],
        "title": ["Data Scientists", "Business Intelligence Analysts", "Registered Nurses",
                  "Welders", "Welders", "Sales Managers"],
        "description": "", "group": "",
        "alt_titles": [["Data Analyst", "Machine Learning Scientist"],
                       ["Data Analyst", "BI Analyst"], ["RN", "Staff Nurse"], ["Welder"],
                       ["Welder"], ["Sales Director"]],
        "url": "",
    })  # fmt: skip
    return Framework(info, comps, occs)


@pytest.fixture(scope="module")
def coder():
    return make_title_coder("lexical", onet=fixture_onet())


@pytest.fixture
def store(tmp_path: Path, coder):
    """Six LinkedIn-shaped postings (one with an export code), coded from their titles."""
    rows = [
        {"job_id": 1, "title": "Data Analyst", "location": "Austin, TX"},
        {"job_id": 2, "title": "data  analyst", "location": "Dallas, TX"},
        {"job_id": 3, "title": "Staff Nurse", "location": "Ohio"},
        {"job_id": 4, "title": "Welder", "location": "Ohio"},
        {"job_id": 5, "title": "=Data Analyst", "location": "Ohio"},
        {"job_id": 6, "title": "Sales Director", "location": "Ohio"},
    ]
    path = tmp_path / "job_postings.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    s = PostingsStore(tmp_path / "p.duckdb")
    s.ingest(path, preset="linkedin", progress=False)
    s.con.execute("UPDATE postings SET onet = '11-2022.00' WHERE posting_id = 'linkedin:6'")
    s.con.execute(
        "INSERT INTO posting_skills (posting_id, skill_id, skill_name, skill_type, source) "
        "SELECT posting_id, 'name:sql', 'SQL', 'skill', 'export' FROM postings"
    )
    code_titles(s, matcher=coder, top_k=3, progress=False)
    yield s
    s.close()


def test_clean_title_keeps_the_job_and_drops_the_rest() -> None:
    lex = Lexicon.from_titles(["Attorneys", "Data Scientists", "Registered Nurses"])
    assert clean_title("Minneapolis - Staff Attorney - Trusts and Estates", lex).core == (
        "Attorney"
    )
    assert clean_title("Research Scientist Patient Preferences (Remote)", lex).head == "scientist"
    assert clean_title("Manager, Quantitative Risk").core == "Quantitative Risk Manager"
    assert clean_title("Director of Data Science").core == "Data Science Director"
    assert clean_title("Tech 1, Installation").core == "Installation technician"
    assert clean_title("Data Scientist 3 (718)").full == "Data Scientist"


def test_a_title_two_occupations_list_is_less_certain(coder) -> None:
    df = code_job_titles(["Data Analyst", "Registered Nurse", "Data Analyst"], coder, top_k=2)
    top = df[df["rank"] == 1].set_index("query_index")
    assert set(df.loc[df["query_index"] == 0, "onet_code"]) == {"15-2051.00", "15-2051.01"}
    assert top.loc[0, "confidence"] < 0.8 < top.loc[1, "confidence"]
    assert not top["tied"].any()
    assert df["score"].between(0, 1).all() and df["confidence"].between(0, 1).all()
    # The same title twice is coded once: same rows.
    assert top.loc[0, "confidence"] == top.loc[2, "confidence"]


def test_equally_likely_codes_are_flagged_not_silently_ordered(coder) -> None:
    df = code_job_titles(["Welder"], coder, top_k=2)
    assert df["tied"].all() and df["confidence"].iloc[0] < 0.8
    assert df["score"].nunique() == 1


def test_occupations_table_flags_the_tie(store) -> None:
    occ = coded_occupations(store)
    coded = occ[occ["source"] == "title coding"].set_index("onet_code")
    welder = coded.loc[coded.index.str.startswith("51-412")].iloc[0]
    assert welder["low_confidence"] == 1.0 and welder["tied"] == 1.0
    assert coded.loc["29-1141.00", "low_confidence"] == 0.0
    assert occ.loc[occ["source"] == "export", "low_confidence"].isna().all()
    assert coding_summary(store).low_confidence == 1


def test_review_round_trip_changes_demand(store, tmp_path: Path) -> None:
    sheet_path = tmp_path / "review.csv"
    assert review_sheet(store)["title"].tolist() == ["Welder"]  # the tie
    sheet = write_review_sheet(store, sheet_path, below=0.8)
    assert list(sheet.columns) == list(REVIEW_COLUMNS)
    # The two analyst postings share one title key; "=Data Analyst" is another title.
    assert sheet["title"].tolist()[0].lower() == "data analyst" and sheet["postings"].iloc[0] == 2
    assert "Welder" in sheet["title"].tolist()
    raw = sheet_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"'=Data Analyst" in raw  # formula neutralised
    assert "15-2051.00 Data Scientists" in sheet["candidates"].iloc[0]
    edited = pd.read_csv(sheet_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    edited["reviewed_code"] = ""
    edited.loc[edited["title"] == "Data Analyst", ["reviewed_code", "note"]] = ["15-2051.01", "BI"]
    edited.loc[edited["title"] == "'=Data Analyst", "reviewed_code"] = "none"
    edited.to_csv(sheet_path, index=False)
    done = import_review(store, sheet_path, onet=fixture_onet()).set_index("title")
    assert done.loc["=Data Analyst", "action"] == "no occupation"
    assert done.loc["Data Analyst", "onet_code"] == "15-2051.01"
    assert done.loc["Data Analyst", "postings"] == 2
    # Demand and counts read the reviewed code; the "=Data Analyst" posting is not coded now.
    assert skill_demand(store, occupation="15-2051.01").attrs["postings_matching"] == 2
    counts = occupation_counts(store, by_region="none", by_period="none")
    assert counts.set_index("occupation")["postings"].get("15-2051.01") == 2
    occ = coded_occupations(store)
    assert set(occ.loc[occ["source"] == "reviewed", "postings"]) == {2, 1}
    summary = coding_summary(store)
    assert (summary.postings, summary.export_coded, summary.reviewed) == (6, 1, 3)
    assert summary.reviewed_titles == 2 and summary.low_confidence == 1
    # Reviewed titles leave the sheet; recoding keeps the review.
    assert "Data Analyst" not in review_sheet(store, below=0.8)["title"].tolist()
    code_titles(store, matcher=make_title_coder("lexical", onet=fixture_onet()), redo=True,
                progress=False)  # fmt: skip
    assert skill_demand(store, occupation="15-2051.01").attrs["postings_matching"] == 2
    # "clear" forgets the review: the coder's code is back.
    back = pd.DataFrame({"title": ["Data Analyst"], "reviewed_code": ["clear"]})
    assert import_review(store, back, onet=fixture_onet())["action"].tolist() == ["cleared"]
    assert coding_summary(store).reviewed == 1


def test_import_review_names_every_bad_row_and_stores_nothing(store, tmp_path: Path) -> None:
    sheet = pd.DataFrame(
        {
            "title": ["Data Analyst", "Welder", "Staff Nurse"],
            "reviewed_code": ["15-205", "99-9999.00", "keep"],
        }
    )
    with pytest.raises(PostingsFormatError, match=r"row 2 .*'15-205'.*row 3 .*'99-9999\.00'"):
        import_review(store, sheet, onet=fixture_onet())
    assert coding_summary(store).reviewed == 0
    with pytest.raises(PostingsFormatError, match="no column 'reviewed_code'"):
        import_review(store, pd.DataFrame({"title": ["x"]}), onet=fixture_onet())
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title,reviewed_code\nSoudeur é,keep\n".encode("latin-1"))
    with pytest.raises(PostingsFormatError, match="not UTF-8 text"):
        import_review(store, latin, onet=fixture_onet())
    # A six-digit SOC code means its .00 occupation.
    ok = pd.DataFrame({"title": ["Welder"], "reviewed_code": ["51-4121"]})
    assert import_review(store, ok, onet=fixture_onet())["onet_code"].tolist() == ["51-4121.00"]


def test_coding_results_write_to_parquet_and_csv(store, tmp_path: Path) -> None:
    found = code_titles(store, matcher=make_title_coder("lexical", onet=fixture_onet()),
                        redo=True, progress=False)  # fmt: skip
    assert isinstance(found.attrs["batch"]["loaded_at"], str)
    for frame in (found, coded_occupations(store), review_sheet(store, all_titles=True)):
        frame.to_parquet(tmp_path / "x.parquet")
        frame.to_csv(tmp_path / "x.csv")


@pytest.mark.slow
@pytest.mark.realdata
def test_real_coder_is_sure_of_clear_titles_and_unsure_of_ambiguous_ones(onet, embedder) -> None:
    # Real O*NET occupations, cut to the families these titles could land in, so a cold
    # cache embeds a few thousand titles, not all 52,000.
    occ = onet.occupations
    keep = occ["code"].str.match(r"1[35]-|19-3|29-1141|43-4|51-(4|8)")
    sub = Framework(onet.info, onet.competencies.head(1), occ[keep])
    coder = make_title_coder("hybrid", onet=sub, embedder=embedder)
    df = code_job_titles(
        ["Sr. Data Scientist - Remote", "Registered Nurse (RN) - ICU - Nights", "MIG Welder",
         "Data Analyst", "Plant Operator"],
        coder, top_k=3,
    )  # fmt: skip
    top = df[df["rank"] == 1].set_index("query_index")
    assert top.loc[0, "onet_code"] == "15-2051.00" and top.loc[0, "confidence"] > 0.9
    assert top.loc[1, "onet_code"].startswith("29-1141") and top.loc[1, "confidence"] > 0.8
    assert top.loc[2, "onet_code"] == "51-4121.00"
    # Eight O*NET occupations list "Data Analyst"; a plant of what kind is not said.
    assert top.loc[3, "confidence"] < LOW_CONFIDENCE and top.loc[4, "confidence"] < 0.8
