"""Every alignment opens a page that names its competency (or says why it cannot).

The rule table (``align.frameworks.TARGET_RULES``) is checked three ways: its
examples, the loaders (every competency of the real frameworks gets the page
the rule gives), and the docs (the README's and docs' table list the same
pages as the export writes).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from align.exceptions import AlignDataWarning
from align.exports import gather_alignments, to_credly, to_ob2, to_ob3
from align.frameworks import TARGET_RULES, official_target
from align.frameworks._targets import competency_id
from align.proposals import ReviewedAlignment, load_proposal

from .conftest import EXAMPLES

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("rule", TARGET_RULES, ids=lambda r: f"{r.framework}-{r.kind[:20]}")
def test_each_rule_example(rule: Any) -> None:
    code = rule.example_id.split(":", 1)[1].removeprefix("task:").removeprefix("tech:")
    if rule.framework == "onet" and rule.kind.startswith("technology"):
        code = "Python"
    occupation = "https://www.onetonline.org/link/summary/21-1091.00"
    t = official_target(rule.framework, rule.example_id, code, code, occupation)
    assert t is not None and t.url == rule.example_url
    # the page is on the framework's official site
    from align._urls import url_problem

    assert url_problem(t.url, framework=rule.framework) is None


@pytest.fixture(scope="module")
def frameworks(onet: Any, esco: Any, nace: Any, cmc: Any, data_dir: Path) -> dict[str, Any]:
    from align import load_framework

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        lightcast = load_framework("lightcast", data_dir=data_dir)
    return {"onet": onet, "esco": esco, "nace": nace, "cmc": cmc, "lightcast": lightcast}


@pytest.mark.parametrize("key", ["onet", "esco", "lightcast", "nace", "cmc"])
def test_loaders_and_exports_agree_on_every_competency(
    frameworks: dict[str, Any], key: str
) -> None:
    """What `align match` returns as a competency's page is the page every export writes."""
    comps = frameworks[key].competencies
    if key in {"esco", "lightcast"}:
        comps = comps.sample(3000, random_state=0)  # the rule is per id; a sample is enough
    wrong = []
    for row in comps.itertuples(index=False):
        t = official_target(key, row.id, row.code, row.label, row.url)
        if t is None or t.url != row.url:
            wrong.append((row.id, row.url, t))
    assert wrong == []


def test_onet_kinds_link_their_own_page(onet: Any) -> None:
    c = onet.competencies.set_index("id")
    dwa = c.loc["onet:4.A.4.a.5.I01.D06"]
    assert dwa["url"].endswith("/find/descriptor/result/4.A.4.a.5.I01.D06")  # not its GWA's
    iwa = c.loc["onet:4.A.4.a.5.I01"]
    assert iwa["url"].endswith("/find/descriptor/result/4.A.4.a.5.I01")
    assert c.loc["onet:2.A.2.a", "url"].endswith("/find/descriptor/result/2.A.2.a")
    assert c.loc["onet:2.A.1", "url"].endswith("/find/descriptor/browse/2.A.1")  # a category
    task = c.loc["onet:task:9229"]
    assert task["url"] == "https://www.onetonline.org/link/details/21-1091.00"


@pytest.mark.parametrize(
    "framework, code, url, cid",
    [
        ("onet", "9229", "https://www.onetonline.org/link/details/21-1091.00", "onet:task:9229"),
        ("onet", "4.A.4.a.5.I01.D06", None, "onet:4.A.4.a.5.I01.D06"),
        ("onet", "15-2051.00", None, "onet:15-2051.00"),
        ("onet", "Python", None, "onet:tech:python"),
        ("onet", "C++", None, "onet:tech:cpp"),
        ("nace", "communication.b2", None, "nace:communication.b2"),
        ("cmc", "1.1", None, "cmc:tier1.interpersonal_skills"),
        ("lightcast", "KS125LS6N7WP4S6SFTCK", None, "lightcast:KS125LS6N7WP4S6SFTCK"),
    ],
)
def test_ids_come_back_from_what_a_badge_carries(
    framework: str, code: str, url: str | None, cid: str, onet: Any
) -> None:
    assert competency_id(framework, code, url) == cid
    if framework == "onet" and cid != "onet:tech:cpp":
        assert cid in {*onet.competencies["id"], *onet.occupations["id"]}


# -- what a wallet shows --------------------------------------------------------------
def _alignment(fw: Any, cid: str, outcome: str | None = "LO1") -> dict[str, Any]:
    row = fw.competencies.set_index("id").loc[cid]
    return {
        "outcome": outcome,
        "framework": fw.key,
        "framework_version": fw.info.version,
        "id": cid,
        "code": str(row["code"]),
        "label": str(row["label"]),
        "url": str(row["url"]),
        "status": "accepted",
    }


@pytest.fixture(scope="module")
def wallet(frameworks: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """targetName -> OB 3.0 alignment, for one competency of each framework and kind."""
    p = load_proposal(EXAMPLES / "data-analytics.yaml")
    f = frameworks
    esco_id = f["esco"].competencies["id"].iloc[100]
    lc_id = f["lightcast"].competencies["id"].iloc[10]
    al = [
        _alignment(f["onet"], "onet:2.A.2.a"),
        _alignment(f["onet"], "onet:4.A.4.a.5.I01.D06"),
        _alignment(f["onet"], "onet:task:9229"),
        _alignment(f["onet"], "onet:tech:python"),
        _alignment(f["nace"], "nace:communication"),
        _alignment(f["nace"], "nace:teamwork.b2"),
        _alignment(f["cmc"], "cmc:tier1.interpersonal_skills"),
        _alignment(f["esco"], esco_id),
        _alignment(f["lightcast"], lc_id),
    ]
    # the dashboard records no description: the export finds the framework's
    ach = to_ob3(p, alignments=al)["credentialSubject"]["achievement"]
    return {a["targetCode"]: a for a in ach["alignment"]}


def test_descriptions_are_one_sentence_from_the_framework_then_framework_and_version(
    wallet: dict[str, dict[str, Any]], frameworks: dict[str, Any]
) -> None:
    crit = wallet["2.A.2.a"]
    assert crit["targetName"] == "Critical Thinking"
    assert crit["targetDescription"].startswith("Using logic and reasoning")
    assert crit["targetDescription"].endswith(" From O*NET 29.3.")
    assert ": 2.A.2.a in" not in crit["targetDescription"]  # the old placeholder
    for a in wallet.values():
        text = a["targetDescription"]
        assert text.endswith(f" From {a['targetFramework']}."), text
        sentence = text[: -len(f" From {a['targetFramework']}.")]
        # one sentence from the framework (a note may follow where the page is shared)
        assert len(sentence) <= 600 and sentence[0].isupper(), text
    cmc = wallet["1.1"]
    assert cmc["targetFramework"] == (
        "Competency Model Clearinghouse Building Blocks model (2017 revision)"
    )
    assert cmc["targetFramework"].count("Building Blocks") == 1  # not doubled


def test_where_no_page_names_the_competency_the_description_says_so(
    wallet: dict[str, dict[str, Any]],
) -> None:
    task = wallet["9229"]
    assert task["targetUrl"] == "https://www.onetonline.org/link/details/21-1091.00"
    assert "no page for a single task" in task["targetDescription"]
    assert "21-1091.00" in task["targetDescription"]
    behaviour = wallet["teamwork.b2"]
    assert "of the NACE competency 'Teamwork'" in behaviour["targetDescription"]
    dwa = wallet["4.A.4.a.5.I01.D06"]
    assert dwa["targetUrl"].endswith("/find/descriptor/result/4.A.4.a.5.I01.D06")
    assert dwa["targetDescription"] == "A detailed work activity in O*NET. From O*NET 29.3."


def test_same_text_in_every_badge_format(frameworks: dict[str, Any]) -> None:
    p = load_proposal(EXAMPLES / "data-analytics.yaml")
    al = [_alignment(frameworks["onet"], "onet:2.A.2.a"),
          _alignment(frameworks["nace"], "nace:communication")]  # fmt: skip
    ob3 = to_ob3(p, alignments=al)["credentialSubject"]["achievement"]["alignment"]
    ob2 = to_ob2(p, alignments=al)["alignment"]
    credly = to_credly(p, alignments=al)["alignments"]
    assert [a["targetDescription"] for a in ob3] == [a["targetDescription"] for a in ob2]
    assert [a["targetDescription"] for a in ob3] == [a["description"] for a in credly]
    assert [a["targetUrl"] for a in ob3] == [a["url"] for a in credly]


# -- the docs say what the export writes -------------------------------------------------
@pytest.mark.parametrize("doc", ["README.md", "docs/badges-and-review.md"])
def test_docs_table_matches_the_rules(doc: str) -> None:
    text = (REPO / doc).read_text("utf-8")
    for rule in TARGET_RULES:
        page = rule.page.split("<")[0] if "<" in rule.page else rule.page
        assert page in text, (doc, rule.page)
    assert "/find/descriptor/result/" in text
    # the old promise that the export did not keep
    assert not re.search(r"descriptor/browse/<element id>` \(skills", text)


def test_unreviewed_sentence_is_right_for_a_mix() -> None:
    p = load_proposal(EXAMPLES / "data-analytics.yaml")
    al = [
        ReviewedAlignment(outcome="LO5", framework="nace", id="nace:communication",
                          code="communication", label="Communication"),
        ReviewedAlignment(outcome="LO6", framework="nace", id="nace:teamwork",
                          code="teamwork", label="Teamwork", status="unreviewed"),
    ]  # fmt: skip
    with pytest.warns(AlignDataWarning, match="1 unreviewed"):
        found = gather_alignments(p, alignments=al)
    narrative = to_ob3(p, alignments=found)["credentialSubject"]["achievement"]["criteria"][
        "narrative"
    ]
    assert "1 of the 2 competency alignments have not yet been reviewed" in narrative
    assert "(NACE Career Readiness Competencies, teamwork) (not yet reviewed)" in narrative
