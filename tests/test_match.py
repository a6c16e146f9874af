"""Matcher: contract of the result table, filters, properties, real frameworks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from align import Framework, FrameworkInfo
from align._embed import Embedder
from align._match import MATCH_COLUMNS, Matcher, match, normalise
from align.exceptions import AlignDataWarning, InvalidArgumentError, UnknownNameError

pytestmark = pytest.mark.slow

# Hand-written test competencies (our own wording).
COMPS = [
    ("s1", "Financial analysis", "skill", ["analyse financial data", "financial analytics"]),
    ("s2", "Team leadership", "skill", ["lead teams"]),
    ("s3", "Python programming", "skill", ["Python"]),
    ("s4", "Patient care", "skill", ["care for patients"]),
    ("s5", "Public speaking", "skill", ["give presentations"]),
    ("k1", "Accounting principles", "knowledge", ["bookkeeping rules"]),
    ("k2", "Human anatomy", "knowledge", []),
    ("k3", "Machine learning", "knowledge", ["ML"]),
    ("d1", "Prepare financial reports", "dwa", []),
    ("d2", "Teach students about course material", "dwa", []),
]
LABELS = [c[1] for c in COMPS]


def _info(key: str = "demo") -> FrameworkInfo:
    return FrameworkInfo(
        key=key,
        name="Demo",
        publisher="Tests",
        version="1",
        source_url="",
        licence="CC0",
        attribution="",
    )


@pytest.fixture(scope="module")
def demo() -> Framework:
    comps = pd.DataFrame(
        {
            "id": [f"demo:{c[0]}" for c in COMPS],
            "framework": "demo",
            "code": [c[0] for c in COMPS],
            "label": LABELS,
            "description": [f"Ability described as {c[1].lower()}." for c in COMPS],
            "kind": [c[2] for c in COMPS],
            "alt_labels": [c[3] for c in COMPS],
            "url": [f"https://example.org/{c[0]}" for c in COMPS],
        }
    )
    occs = pd.DataFrame(
        {
            "id": ["demo:o1", "demo:o2"],
            "framework": "demo",
            "code": ["11-0001.00", "29-0002.00"],
            "title": ["Accountant", "Registered nurse"],
            "alt_titles": [["Bookkeeper", "Auditor"], ["Nurse", "RN"]],
        }
    )
    rels = pd.DataFrame(
        {
            "source_id": ["demo:o1", "demo:o1", "demo:o1", "demo:o2", "demo:o2"],
            "target_id": ["demo:s1", "demo:k1", "demo:d1", "demo:s4", "demo:k2"],
            "relation": "requires",
            "weight": [1.0, 0.8, 0.6, 1.0, 0.7],
        }
    )
    return Framework(_info(), comps, occs, rels)


@pytest.fixture(scope="module")
def hybrid(demo: Framework, embedder: Embedder) -> Matcher:
    return Matcher(demo, embedder=embedder).fit()


@pytest.fixture(scope="module")
def lexical(demo: Framework) -> Matcher:
    return Matcher(demo, "lexical").fit()


def test_result_contract(hybrid: Matcher) -> None:
    res = hybrid.match(["Analyse financial statements", "Lead a team of nurses"], top_k=3)
    assert tuple(res.columns) == MATCH_COLUMNS
    assert res["query_index"].tolist() == [0, 0, 0, 1, 1, 1]
    assert res["rank"].tolist() == [1, 2, 3, 1, 2, 3]
    assert res.groupby("query_index")["score"].apply(lambda s: s.is_monotonic_decreasing).all()
    assert res["score"].between(0, 1).all() and res["semantic_score"].between(0, 1).all()
    assert res.loc[0, "id"] == "demo:s1" and res.loc[0, "url"] == "https://example.org/s1"
    assert res.loc[3, "id"] == "demo:s2"
    assert set(res["matched_surface"]) <= set(hybrid.surfaces_["text"])
    # the score is the documented fusion of its two parts
    lam = hybrid.lexical_weight
    fused = (1 - lam) * res["semantic_score"] + lam * res["lexical_score"]
    np.testing.assert_allclose(res["score"], fused.clip(0, 1), atol=1e-5)


def test_alt_label_is_the_matched_surface(hybrid: Matcher) -> None:
    res = hybrid.match("give presentations", top_k=1)
    assert res.loc[0, "id"] == "demo:s5"
    assert res.loc[0, "matched_surface"] == "give presentations"
    assert res.loc[0, "lexical_score"] == 1.0


def test_a_mentioned_label_is_never_lost(demo: Framework, embedder: Embedder) -> None:
    # With a shortlist of one semantic candidate, the verbatim mention still comes in.
    narrow = Matcher(demo, embedder=embedder, shortlist=1).fit()
    res = narrow.match("Weekly duties include human anatomy revision and filing", top_k=10)
    assert "demo:k2" in set(res["id"])


def test_blank_and_bad_queries(hybrid: Matcher) -> None:
    with pytest.warns(AlignDataWarning, match="blank"):
        res = hybrid.match(["", "Python programming", "   "], top_k=2)
    assert set(res["query_index"]) == {1}
    with pytest.warns(AlignDataWarning):
        empty = hybrid.match([" "])
    assert empty.empty and tuple(empty.columns) == MATCH_COLUMNS
    assert hybrid.match([]).empty
    with pytest.raises(InvalidArgumentError, match=r"texts\[1\] is a int"):
        hybrid.match(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentError, match="top_k"):
        hybrid.match("x", top_k=0)
    with pytest.raises(InvalidArgumentError, match="min_score"):
        hybrid.match("x", min_score=1.5)


def test_huge_query_is_cut_not_crashed(hybrid: Matcher) -> None:
    with pytest.warns(AlignDataWarning, match="cut"):
        res = hybrid.match("prepare financial reports " * 2000, top_k=1)
    assert len(res) == 1


def test_filters(hybrid: Matcher) -> None:
    res = hybrid.match("financial", top_k=10, kinds=["knowledge"])
    assert set(res["kind"]) == {"knowledge"}
    res = hybrid.match("care", top_k=10, occupations=["29-0002.00"])
    assert set(res["id"]) == {"demo:s4", "demo:k2"}
    res = hybrid.match("care", top_k=10, occupations="demo:o1")
    assert set(res["id"]) == {"demo:s1", "demo:k1", "demo:d1"}
    assert len(hybrid.match("care", top_k=10, frameworks=["demo"])) == 10
    with pytest.raises(UnknownNameError, match=r"codes look like '11-0001\.00'"):
        hybrid.match("care", occupations=["99-9999.99"])
    with pytest.raises(UnknownNameError, match="not competency kinds"):
        hybrid.match("care", kinds=["skils"])
    with pytest.raises(UnknownNameError, match="were not fitted"):
        hybrid.match("care", frameworks=["onet"])


def test_kinds_at_fit(demo: Framework, embedder: Embedder) -> None:
    m = Matcher(demo, embedder=embedder, kinds=["dwa"]).fit()
    assert set(m.items_["kind"]) == {"dwa"}
    with pytest.raises(InvalidArgumentError, match="were not fitted"):
        m.match("x", kinds=["skill"])
    with pytest.raises(InvalidArgumentError, match="nothing to match"):
        Matcher(demo, embedder=embedder, kinds=["task"]).fit()


def test_default_kinds_leave_out_headings_and_onet_tasks(embedder: Embedder) -> None:
    """kinds=None: no grouping nodes anywhere; for O*NET no tasks or technology either."""
    comps = pd.DataFrame(
        {
            "id": ["onet:a", "onet:s", "onet:t", "onet:x"],
            "framework": "onet",
            "code": ["a", "s", "t", "x"],
            "label": ["Basic Skills", "Reading Comprehension", "Review loan files", "Excel"],
            "kind": ["area", "skill", "task", "technology"],
        }
    )
    onet_like = Framework(_info("onet"), comps)
    m = Matcher(onet_like, method="lexical").fit()
    assert set(m.items_["kind"]) == {"skill"}
    with pytest.raises(InvalidArgumentError, match=r"kinds=\['task'\].*kinds='all'"):
        m.match("review loan files", kinds=["task"])
    every = Matcher(onet_like, method="lexical", kinds="all").fit()
    assert set(every.items_["kind"]) == {"area", "skill", "task", "technology"}
    assert every.match("Review loan files", top_k=1)["id"].tolist() == ["onet:t"]
    other = Framework(_info("demo"), comps.assign(framework="demo"))
    assert set(Matcher(other, method="lexical").fit().items_["kind"]) == {
        "skill",
        "task",
        "technology",
    }
    with pytest.raises(UnknownNameError, match="or 'all'"):
        Matcher(onet_like, kinds=["tasks"])


def test_occupation_target(demo: Framework, embedder: Embedder) -> None:
    m = Matcher(demo, target="occupations", embedder=embedder).fit()
    res = m.match(["bookkeeper", "RN"], top_k=1)
    assert res["id"].tolist() == ["demo:o1", "demo:o2"]
    assert res["kind"].tolist() == ["occupation", "occupation"]
    assert res["matched_surface"].tolist() == ["Bookkeeper", "RN"]


def test_several_frameworks(demo: Framework, embedder: Embedder) -> None:
    other = Framework(
        _info("other"),
        pd.DataFrame(
            {
                "id": ["other:x"],
                "framework": "other",
                "code": ["x"],
                "label": ["Financial analysis"],
                "kind": ["competency"],
            }
        ),
    )
    m = Matcher([demo, other], embedder=embedder).fit()
    res = m.match("financial analysis", top_k=2)
    assert set(res["framework"]) == {"demo", "other"}
    assert m.match("financial analysis", frameworks="other")["framework"].unique().tolist() == [
        "other"
    ]


def test_bad_constructor_arguments(demo: Framework) -> None:
    with pytest.raises(InvalidArgumentError, match="method='fuzzy'"):
        Matcher(demo, "fuzzy")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="frameworks\\[0\\] is a str"):
        Matcher(["onet"])  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentError, match="empty"):
        Matcher([])
    with pytest.raises(InvalidArgumentError, match="lexical_weight"):
        Matcher(demo, lexical_weight=2)


def test_semantic_and_lexical_columns(
    demo: Framework, embedder: Embedder, lexical: Matcher
) -> None:
    sem = Matcher(demo, "semantic", embedder=embedder).fit().match("python", top_k=2)
    np.testing.assert_allclose(sem["score"], sem["semantic_score"], atol=1e-6)
    lex = lexical.match("python", top_k=2)
    assert lex["semantic_score"].isna().all()
    np.testing.assert_allclose(lex["score"], lex["lexical_score"])
    assert lex.loc[0, "id"] == "demo:s3"


def test_clause_splitting_and_priors(demo: Framework, embedder: Embedder) -> None:
    text = "Prepare financial reports, teach students and care for patients"
    split = Matcher(demo, embedder=embedder, split_queries=True).fit()
    res = split.match(text, top_k=3)
    assert {"demo:d1", "demo:d2", "demo:s4"} <= set(split.match(text, top_k=5)["id"])
    assert res["score"].between(0, 1).all()
    # A prior lifts a competency, and scores stay in [0, 1].
    plain = Matcher(demo, embedder=embedder).fit().match("numbers", top_k=10)
    low = plain["id"].iloc[-1]
    boosted = Matcher(demo, embedder=embedder, priors={low: 100.0}, prior_weight=1.0).fit()
    top = boosted.match("numbers", top_k=10)
    assert top["id"].iloc[0] == low and top["score"].between(0, 1).all()
    with pytest.raises(InvalidArgumentError, match="prior_weight"):
        Matcher(demo, prior_weight=-0.1)


def test_normalise() -> None:
    assert normalise("C++ & C# Skills!") == "c++ and c# skill"
    assert normalise("  Companies' policies ") == "company policy"


def test_plain_match_function(demo: Framework, embedder: Embedder) -> None:
    res = match(["Python programming"], demo, top_k=2, embedder=embedder)
    assert res.loc[0, "id"] == "demo:s3" and len(res) == 2


# -- properties --------------------------------------------------------------
_variants = st.sampled_from(LABELS).flatmap(
    lambda lab: st.sampled_from(
        [lab, lab.lower(), lab.upper(), f"  {lab} ", lab.replace(" ", "  ")]
    ).map(lambda q, lab=lab: (lab, q))
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=_variants, method=st.sampled_from(["hybrid", "lexical"]))
def test_exact_label_ranks_first(
    hybrid: Matcher, lexical: Matcher, case: tuple[str, str], method: str
) -> None:
    label, query = case
    m = hybrid if method == "hybrid" else lexical
    res = m.match(query, top_k=3)
    assert res.loc[0, "label"] == label


@settings(max_examples=30, deadline=None)
@given(
    text=st.text(min_size=0, max_size=60),
    low=st.floats(0, 1),
    high=st.floats(0, 1),
)
def test_scores_in_range_and_min_score_monotone(
    lexical: Matcher, text: str, low: float, high: float
) -> None:
    low, high = min(low, high), max(low, high)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        a = lexical.match([text, "financial"], top_k=5, min_score=low)
        b = lexical.match([text, "financial"], top_k=5, min_score=high)
    for res in (a, b):
        assert res["score"].between(0, 1).all() and res["lexical_score"].between(0, 1).all()
    keys_a = set(zip(a["query_index"], a["id"], strict=True))
    keys_b = set(zip(b["query_index"], b["id"], strict=True))
    assert keys_b <= keys_a


@settings(max_examples=10, deadline=None)
@given(
    text=st.sampled_from(["audit the books", "care for the sick", "teach a class", "x", "ML"]),
    low=st.floats(0, 1),
)
def test_hybrid_min_score_never_adds(hybrid: Matcher, text: str, low: float) -> None:
    base = hybrid.match(text, top_k=10)
    cut = hybrid.match(text, top_k=10, min_score=low)
    assert set(cut["id"]) <= set(base["id"])
    assert (cut["score"] >= low).all()
    assert all(0 <= s <= 1 for s in base["score"]) and not any(math.isnan(s) for s in base["score"])


# -- real frameworks (small subsets only) --------------------------------------------
@pytest.mark.realdata
def test_onet_skills_and_knowledge(onet: Framework, embedder: Embedder) -> None:
    m = Matcher(onet, kinds=["skill", "knowledge"], embedder=embedder).fit()
    res = m.match(
        ["Analyze financial statements and present findings", "Critical Thinking"], top_k=5
    )
    first = res[res["query_index"] == 0]["label"].tolist()
    assert "Economics and Accounting" in first
    assert res[res["query_index"] == 1]["label"].iloc[0] == "Critical Thinking"
    assert res["url"].str.startswith("https://").all()
    # occupation profile: only what Accountants and Auditors require
    prof = set(onet.occupation_profile("13-2011.00")["id"])
    sub = m.match("numbers", top_k=20, occupations=["13-2011.00"])
    assert set(sub["id"]) <= prof and len(sub) > 0


@pytest.mark.realdata
def test_esco_subset_exact_labels(esco: Framework, embedder: Embedder) -> None:
    comps = esco.competencies
    part = comps[
        comps["kind"].isin(["skill", "knowledge"])
        & comps["label"].str.contains("budget", case=False)
    ]
    fw = Framework(esco.info, part)
    m = Matcher(fw, embedder=embedder).fit()
    alts = {a.lower() for lst in part["alt_labels"] for a in lst}
    labels = [lab for lab in part["label"] if lab.lower() not in alts][:8]
    res = m.match(labels, top_k=1)
    assert res["label"].tolist() == labels
    assert res["url"].str.startswith("http://data.europa.eu/esco/skill/").all()


@pytest.mark.realdata
def test_onet_job_titles(onet: Framework, embedder: Embedder) -> None:
    occ = onet.occupations.head(5)
    fw = Framework(onet.info, onet.competencies.head(1), occ)
    m = Matcher(fw, target="occupations", embedder=embedder).fit()
    assert len(m.surfaces_) > len(occ)  # alternate titles are surfaces too
    alt = occ["alt_titles"].iloc[2][0]
    res = m.match([occ["title"].iloc[1], alt], top_k=1)
    assert res["code"].tolist() == [occ["code"].iloc[1], occ["code"].iloc[2]]
    assert res["matched_surface"].iloc[1] == alt


def test_label_templates_ensemble_short_labels_only(demo: Framework, embedder: Embedder) -> None:
    long_label = "Plan and deliver lessons that meet the needs of every student in the class"
    comps = demo.competencies.copy()
    comps.loc[len(comps)] = {
        **comps.iloc[0].to_dict(),
        "id": "demo:long",
        "code": "long",
        "label": long_label,
        "alt_labels": [],
    }
    fw = Framework(demo.info, comps)
    m = Matcher(fw, embedder=embedder, descriptions="never").fit()
    surf = m.surfaces_
    vec = dict(zip(zip(surf["text"], surf["type"], strict=True), m.vectors_, strict=True))
    bare = embedder.encode(
        ["Financial analysis", "Required skill: Financial analysis.", long_label]
    )
    expected = bare[0] + bare[1]
    expected /= np.linalg.norm(expected)
    np.testing.assert_allclose(vec[("Financial analysis", "label")], expected, atol=1e-5)
    # Alt labels and sentence-long labels are embedded as they are.
    np.testing.assert_allclose(
        vec[("analyse financial data", "alt")],
        embedder.encode(["analyse financial data"])[0],
        atol=1e-5,
    )
    np.testing.assert_allclose(vec[(long_label, "label")], bare[2], atol=1e-5)
    plain = Matcher(fw, embedder=embedder, descriptions="never", label_templates=()).fit()
    np.testing.assert_allclose(plain.vectors_[0], bare[0], atol=1e-5)
    # Exact labels still rank first with the templates on.
    assert m.match("Financial analysis", top_k=1)["id"].tolist() == ["demo:s1"]


@pytest.mark.parametrize("bad", [["Required skill"], [3], ("{lab}",)])
def test_label_templates_need_the_placeholder(demo: Framework, bad: list) -> None:
    with pytest.raises(InvalidArgumentError, match=r"\{label\}"):
        Matcher(demo, label_templates=bad)


def test_parent_with_the_same_label_is_not_listed_twice() -> None:
    comps = pd.DataFrame(
        {
            "id": ["x:iwa", "x:dwa", "x:other"],
            "framework": "x",
            "code": ["iwa", "dwa", "other"],
            "label": ["Analyze business or financial data.", "Analyze business or financial data",
                      "Analyze scientific data"],
            "kind": ["iwa", "dwa", "dwa"],
            "parent_id": [None, "x:iwa", "x:iwa"],
        }
    )  # fmt: skip
    m = Matcher(Framework(_info("x"), comps), method="lexical").fit()
    res = m.match("Analyze business or financial data", top_k=3)
    assert res["id"].tolist() == ["x:dwa", "x:other"]
    only_iwa = m.match("Analyze business or financial data", top_k=3, kinds=["iwa"])
    assert only_iwa["id"].tolist() == ["x:iwa"]


def test_acronym_needs_capitals_in_mixed_case_text() -> None:
    comps = pd.DataFrame(
        {
            "id": ["x:it", "x:sql"],
            "framework": "x",
            "code": ["it", "sql"],
            "label": ["information technology", "SQL"],
            "kind": "skill",
            "alt_labels": [["IT"], []],
        }
    )
    m = Matcher(Framework(_info("x"), comps), method="lexical").fit()
    # "it" the pronoun is not "IT"; "SQL" in capitals is.
    res = m.match("Put it in a report and use SQL daily", top_k=2, min_score=0.5)
    assert res["id"].tolist() == ["x:sql"]
    assert m.match("Three years in IT support", top_k=1)["id"].tolist() == ["x:it"]
    # Text without case to go by (all lower case) still finds the acronym.
    assert m.match("three years in it support", top_k=1)["id"].tolist() == ["x:it"]


# -- align.match over several frameworks (the call the CLI, dashboard and notebooks share) --
def test_match_merges_and_reranks_across_named_frameworks(tmp_path) -> None:
    texts = ["communication with a team", "nothing of the sort"]
    res = match(texts, ["nace", "cmc"], top_k=3, method="lexical", data_dir=tmp_path)
    assert list(res.columns) == list(MATCH_COLUMNS)
    for _, g in res.groupby("query_index"):
        assert list(g["rank"]) == list(range(1, len(g) + 1))
        assert g["score"].is_monotonic_decreasing
        assert len(g) <= 3
    one = match(texts, "nace", top_k=3, method="lexical", data_dir=tmp_path)
    two = match(texts, "cmc", top_k=3, method="lexical", data_dir=tmp_path)
    both = pd.concat([one, two]).sort_values(["query_index", "score"], ascending=[True, False])
    expected = both.groupby("query_index").head(3)["score"].tolist()
    assert res["score"].tolist() == expected


def test_match_takes_kinds_per_framework(tmp_path) -> None:
    texts = ["works with a team toward shared goals"]
    res = match(
        texts,
        ["nace", "cmc"],
        top_k=20,
        method="lexical",
        kinds={"nace": ["behaviour"], "cmc": "all"},
        data_dir=tmp_path,
    )
    assert set(res.loc[res["framework"] == "nace", "kind"]) <= {"behaviour"}
    only = match(
        texts, ["nace"], top_k=20, method="lexical", kinds=["competency"], data_dir=tmp_path
    )
    assert set(only["kind"]) == {"competency"}


def test_match_names_the_parameter_for_an_unknown_framework() -> None:
    with pytest.raises(UnknownNameError, match="frameworks='onett'") as info:
        match("x", ["nace", "onett"], method="lexical")
    assert "--framework" not in str(info.value)
    assert "onet-occupations" in str(info.value)
