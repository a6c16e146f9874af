"""Literal skill mentions: names, derived names, case and context rules, real postings."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from align import Framework, FrameworkInfo
from align.exceptions import AlignDataWarning, InvalidArgumentError
from align.postings import PostingsStore
from align.postings._literal import (
    CONTEXT_RULES,
    DEFAULT_RULES,
    LITERAL_COLUMNS,
    LiteralFinder,
)

LABELS = [
    "Python (Programming Language)",
    "R (Programming Language)",
    "C (Programming Language)",
    "C++ (Programming Language)",
    "Go (Programming Language)",
    "Microsoft Excel",
    "Apache Hadoop",
    "Apache Spark",
    "Adobe Spark",
    "Amazon Web Services",
    "Make (Software)",
    "Nice (Unix Utility)",
    "Extract Transform Load (ETL)",
    "LEED Accredited Professional (AP)",
    "Economic Statistics",
    "Statistics",
    "SQL (Programming Language)",
    "Project Management",
    "Management",
    "Innovation",
    "Operations",
    "Apache 1.3",
    "Data Capture (SQL)",
]


@pytest.fixture(scope="module")
def finder() -> LiteralFinder:
    info = FrameworkInfo(key="lightcast", name="fixture", publisher="tests", version="0",
                         source_url="", licence="CC0", attribution="")  # fmt: skip
    fw = Framework(info, pd.DataFrame({
        "id": [f"lightcast:KSFIX{i:02d}" for i in range(len(LABELS))], "framework": "lightcast",
        "code": [f"KSFIX{i:02d}" for i in range(len(LABELS))], "label": LABELS, "kind": "skill",
    }))  # fmt: skip
    return LiteralFinder(fw).fit()


def names(finder: LiteralFinder, text: str) -> set[str]:
    return set(finder.find([text])["label"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # derived names: qualifier, vendor, bracketed acronym, alias
        ("Experience with Python, Hadoop and AWS.", {LABELS[0], "Apache Hadoop", LABELS[9]}),
        ("Build ETL pipelines in Spark.", {LABELS[12], "Apache Spark"}),  # alias picks Apache
        # short names need a technical context and must not be glued to letters
        ("Proficient in Python or R", {LABELS[0], LABELS[1]}),
        ("Work with our R&D team.", set()),
        ("Use C/C++ daily, and Go.", {LABELS[2], LABELS[3], LABELS[4]}),
        ("Go ahead and apply.", set()),
        ("B.S. or M.S. required (e.g. in statistics).", {"Statistics"}),
        # words that are names only when written as names
        ("You will excel at building relationships.", set()),
        ("Advanced Excel skills.", {"Microsoft Excel"}),
        ("Make sure models scale.", set()),
        ("Nice to have: experience with Python", {LABELS[0]}),
        ("Knowledge of AP style", set()),  # two-letter bracketed acronyms are not names
        # acronyms need capitals wherever the text has lower-case letters (in Glassdoor's
        # all-lower-case lines: 7 e-mail or web addresses "...com" and 1 "nltk")
        ("write sql daily", set()),
        ("Write sql daily and present to the CEO", set()),
        # punctuation separates names; names inside names count
        ("A degree in economics, statistics or physics", {"Statistics"}),
        ("Project management experience", {"Project Management", "Management"}),
    ],
)
def test_rules(finder: LiteralFinder, text: str, expected: set[str]) -> None:
    assert names(finder, text) == expected


def test_rules_can_be_switched_off(finder: LiteralFinder) -> None:
    plain = LiteralFinder(finder.frameworks, rules=()).fit()
    assert LABELS[1] in names(plain, "Work with our R&D team.")
    with pytest.raises(InvalidArgumentError, match="context rules"):
        LiteralFinder(finder.frameworks, rules=["bogus"])


@pytest.mark.parametrize(
    ("text", "default", "strict"),
    [
        # company blurbs and other senses: taken by default, dropped by rule "ordinary"
        ("Bringing innovation to government organizations drives everything.", {"Innovation"},
         set()),
        ("Apply machine learning techniques to improve operations.", {"Operations"}, set()),
        # requirement sentences and bullets keep them
        ("Experience in operations research or innovation management", {"Operations",
         "Innovation", "Management"}, {"Operations", "Innovation", "Management"}),
        ("Strong project management skills", {"Project Management", "Management"},
         {"Project Management", "Management"}),
        ("Innovation", {"Innovation"}, {"Innovation"}),
        # names that are not ordinary words are not governed by the rule
        ("Process data in Python and Hadoop every day.", {LABELS[0], "Apache Hadoop"},
         {LABELS[0], "Apache Hadoop"}),
    ],
)  # fmt: skip
def test_ordinary_rule(
    finder: LiteralFinder, text: str, default: set[str], strict: set[str]
) -> None:
    assert "ordinary" in CONTEXT_RULES and "ordinary" not in DEFAULT_RULES
    assert names(finder, text) == default
    on = LiteralFinder(finder.frameworks, rules=(*DEFAULT_RULES, "ordinary")).fit()
    assert names(on, text) == strict
    assert on.surfaces_.set_index("text").loc["Innovation", "ordinary"]
    assert not on.surfaces_.set_index("text").loc["Python", "ordinary"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # sentences about the employer ask nothing of the candidate
        ("We bring innovation to government organizations and beyond.", set()),
        ("Founded in 2008, the firm is backed by investors in Operations.", set()),
        ("Acme is the nation's leading maker of Project Management kits.", set()),
        ("Acme is the nation’s leading maker of Project Management kits.", set()),
        # ... unless they address the candidate, ask for something, or name tools
        ("We need you to bring innovation to our clients.", {"Innovation"}),
        ("We are seeking a leader in Operations.", {"Operations"}),
        ("Our team requires strong Python skills.", {LABELS[0]}),
        ("We write code in Python and Go.", {LABELS[0], LABELS[4]}),
        ("We are an innovation company building Statistics software.", {"Innovation",
         "Statistics"}),
        # "US" is a country, not the pronoun
        ("Deliver the Operations roadmap across the US.", {"Operations"}),
        # the cost, measured in recall: a team's tools named with no tool word are dropped
        ("We process data in Python and Hadoop every day.", set()),
    ],
)  # fmt: skip
def test_employer_rule(finder: LiteralFinder, text: str, expected: set[str]) -> None:
    assert "employer" in DEFAULT_RULES
    assert names(finder, text) == expected
    before = tuple(r for r in DEFAULT_RULES if r != "employer")
    off = LiteralFinder(finder.frameworks, rules=before).fit()
    assert expected <= names(off, text)


@pytest.mark.parametrize(
    ("rule", "text", "default", "with_rule"),
    [
        ("group", "Partner with the Operations team on planning.", {"Operations"}, set()),
        ("group", "Strong Operations skills.", {"Operations"}, {"Operations"}),
        ("number", "Strong operation skills.", {"Operations"}, set()),
        ("number", "Run daily operations.", {"Operations"}, {"Operations"}),
    ],
)  # fmt: skip
def test_optional_rules(
    finder: LiteralFinder, rule: str, text: str, default: set[str], with_rule: set[str]
) -> None:
    assert rule in CONTEXT_RULES and rule not in DEFAULT_RULES
    assert names(finder, text) == default
    on = LiteralFinder(finder.frameworks, rules=(*DEFAULT_RULES, rule)).fit()
    assert names(on, text) == with_rule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Improve the operation of the plant.", set()),  # singular: not the plural label
        ("Strong operation skills.", {"Operations"}),  # ... except before "skills"
        ("Run daily operations.", {"Operations"}),
    ],
)
def test_plural_rule_is_on_by_default(finder: LiteralFinder, text: str, expected: set[str]) -> None:
    assert "plural" in DEFAULT_RULES
    assert names(finder, text) == expected
    off = LiteralFinder(finder.frameworks, rules=[r for r in DEFAULT_RULES if r != "plural"])
    assert names(off.fit(), text) == {"Operations"}


def test_a_bracket_that_does_not_abbreviate_the_name_is_no_acronym(finder: LiteralFinder) -> None:
    # "(SQL)" qualifies Data Capture; it must not take the name "SQL" from SQL itself.
    assert names(finder, "Knowledge of SQL and databases") == {"SQL (Programming Language)"}
    assert names(finder, "Experience with ETL pipelines") == {"Extract Transform Load (ETL)"}


def test_an_all_lower_case_line_does_not_write_acronyms(finder: LiteralFinder) -> None:
    assert names(finder, "shai879@etl.com") == set()  # not ETL
    assert names(finder, "EXPERIENCE WITH ETL") == {"Extract Transform Load (ETL)"}


def test_a_version_number_alone_names_nothing(finder: LiteralFinder) -> None:
    assert names(finder, "1 - 3 years in predictive modeling") == set()
    assert names(finder, "Experience with Apache 1.3 servers.") == {"Apache 1.3"}


def test_output_columns_and_offsets(finder: LiteralFinder) -> None:
    texts = ["", "Hadoop and Hadoop again", "nothing here"]
    df = finder.find(texts)
    assert list(df.columns) == list(LITERAL_COLUMNS)
    assert df[["query_index", "label", "surface", "surface_type"]].values.tolist() == [
        [1, "Apache Hadoop", "Hadoop", "vendor"]
    ]
    assert texts[1][df.loc[0, "start"] : df.loc[0, "end"]] == "Hadoop"
    assert df.groupby(["query_index", "id"]).size().max() == 1


def test_real_lightcast_names_in_real_postings(data_dir: Path, tmp_path: Path) -> None:
    """The issue's examples: Hadoop, Spark and AWS are found where a posting names them."""
    from align import load_framework
    from align.postings._extract import split_posting

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        fw = load_framework("lightcast", data_dir=data_dir)
    src = data_dir / "job_postings/glassdoor_ds_jobs_2021/Uncleaned_DS_jobs.csv"
    with PostingsStore(tmp_path / "g.duckdb") as store:
        store.ingest(src, preset="glassdoor", progress=False)
        bodies = store.query("SELECT body FROM postings ORDER BY posting_id LIMIT 150")["body"]
    finder = LiteralFinder(fw, kinds=["skill", "certification"]).fit()
    for word, label in (("Hadoop", "Apache Hadoop"), ("Spark", "Apache Spark"),
                        ("AWS", "Amazon Web Services")):  # fmt: skip
        naming = [b for b in bodies if re.search(rf"\b{word}\b", b)]
        assert len(naming) >= 5
        found = 0
        for body in naming:
            found += label in set(finder.find(split_posting(body, max_chars=None))["label"])
        assert found / len(naming) >= 0.9, (word, found, len(naming))
