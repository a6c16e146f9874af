"""Skill extraction: splitting, boilerplate, matching, storing, demand from text."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align import Framework
from align.exceptions import InvalidArgumentError, UnknownNameError
from align.postings import (
    PostingsStore,
    extract_skills,
    extract_text_skills,
    make_skill_matcher,
    skill_demand,
    split_posting,
)
from align.postings._extract import EXTRACT_COLUMNS, is_boilerplate

BODY_1 = (
    "About the role\n"
    "Responsibilities:\n"
    "- Write SQL queries against the warehouse\n"
    "• Build dashboards in Tableau\n"
    "You will train machine learning models in Python. You will present results.\n"
    "We are an equal opportunity employer and consider all qualified applicants without "
    "regard to race or veteran status.\n"
    "Benefits: medical, dental and vision insurance, 401(k) match.\n"
)
BODY_2 = "Seeking a nurse. Provide patient care on a busy ward. Strong communication skills."


@pytest.fixture(scope="module")
def lexical(tiny_skills: Framework):
    return make_skill_matcher("lightcast", "lexical", framework=tiny_skills)


def test_split_keeps_bullets_and_sentences_and_drops_boilerplate() -> None:
    parts = split_posting(BODY_1)
    assert parts[:4] == [
        "Write SQL queries against the warehouse",
        "Build dashboards in Tableau",
        "You will train machine learning models in Python.",
        "You will present results.",
    ]
    assert not any("opportunity" in p or "dental" in p for p in parts)
    assert any("opportunity" in p for p in split_posting(BODY_1, drop_boilerplate=False))
    assert split_posting(None) == [] and split_posting("  \n ]]> \n") == []
    headings = "Job Description\nREQUIREMENTS\nPreferred Qualifications:\nSkills and Experience"
    assert split_posting(headings + "\nNeural Networks") == ["Neural Networks"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EOE: we are an Equal Employment Opportunity employer.", True),
        ("We offer a competitive salary and paid time off.", True),
        ("Reasonable accommodation is available on request.", True),
        ("Experience with dental imaging software", True),  # benefits words are dropped too
        ("Design relational databases.", False),
        ("Retirement Plan", True),
        ("Compensation", True),
        ("Educational Assistance", True),
        ("Analyze compensation data to benchmark salaries across the market.", False),
    ],
)
def test_boilerplate(text: str, expected: bool) -> None:
    assert is_boilerplate(text) is expected


def test_extract_text_skills_lexical(lexical) -> None:
    df = extract_text_skills(["a", "b"], [BODY_1, BODY_2], lexical, threshold=0.5)
    got = {(r.posting_id, r.skill_name) for r in df.itertuples()}
    assert {
        ("a", "SQL (Programming Language)"),
        ("a", "Tableau (Business Intelligence Software)"),
        ("a", "Python (Programming Language)"),
        ("a", "Machine Learning"),
        ("b", "Patient Care"),
        ("b", "Communication"),
    } <= got
    # Boilerplate never becomes evidence.
    assert not {"Equal Opportunity Law", "Dental Hygiene"} & {n for _, n in got}
    assert df.groupby(["posting_id", "skill_id"]).size().max() == 1
    # A named skill is a literal mention; its score is the matcher's when that reached 0.5.
    assert set(df["method"]) <= {"literal", "lexical"}
    assert (df["score"].between(0.5, 1.0) | df["score"].isna()).all()
    sql = df[df["skill_name"].str.startswith("SQL")].iloc[0]
    assert sql["evidence"] == "Write SQL queries against the warehouse"
    assert sql["method"] == "literal"
    plain = extract_text_skills(["a", "b"], [BODY_1, BODY_2], lexical, threshold=0.5, literal=False)
    assert (plain["method"] == "lexical").all() and plain["score"].notna().all()


@settings(max_examples=15, deadline=None)
@given(st.floats(0.0, 0.95), st.floats(0.0, 0.05))
def test_raising_the_threshold_never_adds_skills(lexical, low: float, step: float) -> None:
    a = extract_text_skills(["a", "b"], [BODY_1, BODY_2], lexical, threshold=low)
    b = extract_text_skills(["a", "b"], [BODY_1, BODY_2], lexical, threshold=min(1, low + step))
    pairs = lambda d: set(zip(d["posting_id"], d["skill_id"], strict=True))  # noqa: E731
    assert pairs(b) <= pairs(a)


def _text_store(tmp_path: Path) -> PostingsStore:
    path = tmp_path / "text.jsonl"
    rows = [
        {
            "ID": "a",
            "TITLE_RAW": "Data Analyst",
            "BODY": BODY_1,
            "ONET": "15-2051.01",
            "STATE": "TX",
            "POSTED": "2024-01-05",
        },
        {
            "ID": "b",
            "TITLE_RAW": "Nurse",
            "BODY": BODY_2,
            "ONET": "29-1141.00",
            "STATE": "CA",
            "POSTED": "2024-02-05",
        },
        {
            "ID": "c",
            "TITLE_RAW": "Analyst",
            "BODY": "Use SQL daily.",
            "ONET": "15-2051.00",
            "SKILLS_NAME": ["Excel"],
            "POSTED": "2024-03-05",
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    store = PostingsStore(tmp_path / "t.duckdb")
    store.ingest(path, progress=False)
    return store


def test_extract_skills_stores_and_feeds_demand(tmp_path: Path, lexical) -> None:
    with _text_store(tmp_path) as store:
        found = extract_skills(store, matcher=lexical, threshold=0.5, progress=False)
        report = found.attrs["batch"]
        # c has export skills, so only a and b are read.
        assert report["rows_read"] == 2 and report["kind"] == "extract"
        rows = store.query("SELECT * FROM posting_skills WHERE source = 'extracted'")
        assert set(rows["posting_id"]) == {"a", "b"}
        assert (rows["score"].notna() | (rows["method"] == "literal")).all()
        assert int(report["rows_loaded"]) == len(rows) == len(found)
        # The function returns what it stored.
        assert list(found.columns) == list(EXTRACT_COLUMNS)
        assert set(found["posting_id"]) == {"a", "b"}
        assert store.batches()["batch_id"].iloc[-1] == report["batch_id"]
        demand = skill_demand(store, occupation="15-")
        by = demand.set_index("skill_name")
        assert by.loc["SQL (Programming Language)", "source"] == "extracted"
        assert by.loc["Excel", "source"] == "export"
        assert demand.attrs["postings"] == 2
        again = extract_skills(store, matcher=lexical, threshold=0.5, progress=False)
        assert again.attrs["batch"]["rows_read"] == 0 and again.empty
        redo = extract_skills(store, matcher=lexical, threshold=0.9, redo=True, progress=False)
        assert redo.attrs["batch"]["rows_read"] == 2
        n = store.query("SELECT count(*) AS n FROM posting_skills WHERE source = 'extracted'")
        assert (
            int(n.loc[0, "n"]) == int(redo.attrs["batch"]["rows_loaded"]) == len(redo) <= len(rows)
        )


def test_failed_extraction_leaves_the_store_unchanged(tmp_path: Path) -> None:
    class Broken:
        method = "broken"

        def match(self, *args, **kwargs):
            raise RuntimeError("model crashed")

    with _text_store(tmp_path) as store:
        before = store.counts()
        with pytest.raises(RuntimeError, match="model crashed"):
            extract_skills(store, matcher=Broken(), progress=False)  # type: ignore[arg-type]
        assert store.counts() == before


@pytest.mark.slow
def test_hybrid_with_the_real_model(embedder, tiny_skills: Framework) -> None:
    m = make_skill_matcher("lightcast", "hybrid", framework=tiny_skills, embedder=embedder)
    strict = extract_text_skills(["a", "b"], [BODY_1, BODY_2], m)  # DEFAULT_THRESHOLD
    loose = extract_text_skills(["a", "b"], [BODY_1, BODY_2], m, threshold=0.5)
    assert "Patient Care" in set(strict["skill_name"])
    assert set(strict["skill_id"]) <= set(loose["skill_id"])
    names = set(loose["skill_name"])
    assert {
        "SQL (Programming Language)",
        "Python (Programming Language)",
        "Machine Learning",
        "Patient Care",
        "Communication",
    } <= names
    assert not {"Welding", "Forklift Operation", "Dental Hygiene"} & names
    # Named skills are literal mentions; the matcher adds the rest ("Patient Care" from
    # "Provide patient care" is named; paraphrases come from the matcher).
    assert set(loose["method"]) <= {"hybrid", "literal"}
    assert (loose.loc[loose["method"] == "hybrid", "score"] >= 0.5).all()


def test_literal_method_needs_no_model(tmp_path: Path, tiny_skills: Framework) -> None:
    with _text_store(tmp_path) as store:
        extract_skills(store, method="literal", framework=tiny_skills, progress=False)
        rows = store.query("SELECT * FROM posting_skills WHERE source = 'extracted'")
        assert set(rows["method"]) == {"literal"} and rows["score"].isna().all()
        got = set(zip(rows["posting_id"], rows["skill_name"], strict=True))
        assert ("a", "SQL (Programming Language)") in got and ("b", "Patient Care") in got
        # Every evidence sentence names its skill.
        assert all(
            n.split(" (")[0].lower() in e.lower()
            for n, e in zip(rows["skill_name"], rows["evidence"], strict=True)
        )
    with pytest.raises(InvalidArgumentError, match="engine='local'"):
        extract_skills(tmp_path / "x.duckdb", method="literal", engine="dask")
    with pytest.raises(UnknownNameError, match="method"):
        extract_skills(tmp_path / "x.duckdb", method="fuzzy")  # type: ignore[arg-type]


def test_matcher_hits_narrower_than_their_sentence_are_dropped() -> None:
    """*Non-Verbal Communication* is not what "written and verbal communication" asks for."""

    class Stub:
        method = "hybrid"

        def match(self, queries, top_k=3, min_score=0.0, show_progress=None):
            rows = []
            for i, q in enumerate(queries):
                labels = (
                    ["Non-Verbal Communication", "Communication"]
                    if "communication" in q
                    else ["Programming (Music)", "G Programming Language", "Computer Programming"]
                )
                for label in labels:
                    rows.append({"query_index": i, "rank": 1, "id": f"t:{label}", "label": label,
                                 "kind": "skill", "score": 0.8})  # fmt: skip
            return pd.DataFrame(rows)

    text = "Strong written and verbal communication skills, e.g. in meetings.\n" + (
        "Outstanding programming skills in Python and other programming languages."
    )
    got = extract_text_skills(["p"], [text], Stub(), literal=False, asked=False)  # type: ignore[arg-type]
    assert set(got["skill_name"]) == {"Communication", "Computer Programming"}
