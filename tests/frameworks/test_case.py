"""CASE 1.1: export validates against the official schema, import, round trip, bad input."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from align import (
    AlignDataWarning,
    Framework,
    FrameworkFormatError,
    FrameworkInfo,
    FrameworkNotFoundError,
    load_framework,
)
from align.exports import to_case, write_case
from align.frameworks.case import load_case
from align.frameworks.cmc import load_cmc
from align.frameworks.nace import load_nace

REPO = Path(__file__).resolve().parents[2]
SCHEMA = (
    REPO.parent
    / "shared"
    / "standards"
    / "case-v1p1"
    / "schema"
    / ("case_v1p1_cfpackage_schema.json")
)
FIXTURE = REPO / "tests" / "data" / "case" / "digital_skills.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft201909Validator:
    if not SCHEMA.is_file():
        pytest.fail(f"the official CASE 1.1 schema is missing at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(
        schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )


def assert_valid(validator: jsonschema.Draft201909Validator, package: dict) -> None:
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(package)]
    assert not errors, errors[:5]
    # The schema's date-time format is only checked when rfc3339-validator is installed.
    stamps = [package["CFDocument"]["lastChangeDateTime"]]
    stamps += [i["lastChangeDateTime"] for i in package.get("CFItems", [])]
    for stamp in stamps:
        datetime.fromisoformat(stamp)


def _info(key: str) -> FrameworkInfo:
    return FrameworkInfo(
        key=key,
        name=f"Tiny {key}",
        publisher="align tests",
        version="0.1",
        source_url="https://example.org/",
        licence="CC0-1.0",
        attribution="made for tests",
        retrieved_at="2024-05-01T12:00:00+00:00",
    )


def esco_like() -> Framework:
    """A tiny ESCO-shaped framework: concept-URI ids, a skill group, alt labels, relations."""
    uri = "http://data.europa.eu/esco/skill/"
    comps = pd.DataFrame(
        {
            "id": [f"esco:{uri}g1", f"esco:{uri}s1", f"esco:{uri}s2", f"esco:{uri}k1"],
            "framework": "esco",
            "code": [f"{uri}g1", f"{uri}s1", f"{uri}s2", f"{uri}k1"],
            "label": ["working with data", "clean data", "visualise data", "statistics"],
            "description": ["", "Remove errors from data sets.", "", "The study of data."],
            "kind": ["area", "skill", "skill", "knowledge"],
            "parent_id": [None, f"esco:{uri}g1", f"esco:{uri}g1", None],
            "level": [1, 2, 2, pd.NA],
            "alt_labels": [[], ["data cleansing", "data scrubbing"], [], ["stats"]],
            "url": [f"{uri}g1", f"{uri}s1", f"{uri}s2", f"{uri}k1"],
            "reuse_level": ["", "cross-sector", "transversal", "sector-specific"],
        }
    )
    occupations = pd.DataFrame(
        {"id": ["esco:occ1"], "framework": "esco", "code": ["2511.1"], "title": ["analyst"]}
    )
    relations = pd.DataFrame(
        {
            "source_id": ["esco:occ1", f"esco:{uri}s1"],
            "target_id": [f"esco:{uri}s1", f"esco:{uri}k1"],
            "relation": ["requires", "related"],
            "detail": ["essential", ""],
        }
    )
    return Framework(_info("esco"), comps, occupations, relations)


def onet_like() -> Framework:
    """A tiny O*NET-shaped framework: element codes, GWA -> IWA -> DWA, a task."""
    comps = pd.DataFrame(
        {
            "id": [
                "onet:4.A.2.a.4",
                "onet:4.A.2.a.4.I09",
                "onet:4.A.2.a.4.I09.D03",
                "onet:2.A.1.a",
            ],
            "framework": "onet",
            "code": ["4.A.2.a.4", "4.A.2.a.4.I09", "4.A.2.a.4.I09.D03", "2.A.1.a"],
            "label": [
                "Analyzing Data or Information",
                "Analyze data",
                "Analyze survey data",
                "Reading Comprehension",
            ],
            "kind": ["work_activity", "iwa", "dwa", "skill"],
            "parent_id": [None, "onet:4.A.2.a.4", "onet:4.A.2.a.4.I09", None],
            "level": [1, 2, 3, 1],
        }
    )
    return Framework(_info("onet"), comps)


# -- export validates ---------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: load_nace(data_dir="/nonexistent/align-test"),
        lambda: load_cmc(data_dir="/nonexistent/align-test"),
        esco_like,
        onet_like,
        lambda: load_case(FIXTURE),
    ],
    ids=["nace", "cmc", "esco-like", "onet-like", "case-fixture"],
)
def test_export_validates_against_official_schema(validator, make):
    fw = make()
    package = to_case(fw)
    assert_valid(validator, package)
    assert len(package["CFItems"]) == len(fw)
    children = [a for a in package["CFAssociations"] if a["associationType"] == "isChildOf"]
    # Top-level items are children of the CFDocument; extra parents add one link each.
    extra = (fw.relations["relation"] == "broader").sum()
    assert len(children) == len(fw) + extra
    assert package["CFDocument"]["caseVersion"] == "1.1"


def test_fixture_itself_is_valid_case(validator):
    assert_valid(validator, json.loads(FIXTURE.read_text("utf-8")))


def test_export_is_deterministic_and_carries_provenance():
    fw = esco_like()
    first, second = to_case(fw), to_case(esco_like())
    assert first == second
    doc = first["CFDocument"]
    assert doc["title"] == "Tiny esco" and doc["version"] == "0.1"
    assert doc["officialSourceURL"] == "https://example.org/"
    assert doc["licenseURI"]["title"] == "CC0-1.0"
    assert "made for tests" in doc["notes"]
    item = first["CFItems"][1]
    assert item["fullStatement"] == "clean data" and item["notes"].startswith("Remove errors")
    assert item["humanCodingScheme"] == "http://data.europa.eu/esco/skill/s1"
    # an item with an official page is identified by it (resolvable); others by urn:uuid
    assert item["uri"] == "http://data.europa.eu/esco/skill/s1"
    assert first["CFDocument"]["uri"] == f"urn:uuid:{first['CFDocument']['identifier']}"
    related = [a for a in first["CFAssociations"] if a["associationType"] == "isRelatedTo"]
    assert len(related) == 1  # occupation -> skill "requires" is not CASE content


def test_base_uri_and_write_case(tmp_path, validator):
    path = write_case(
        onet_like(),
        tmp_path / "out" / "onet.json",
        base_uri="https://case.example.edu/ims/case/v1p1/",
    )
    package = json.loads(path.read_text("utf-8"))
    assert_valid(validator, package)
    item = package["CFItems"][0]
    assert item["uri"] == f"https://case.example.edu/ims/case/v1p1/CFItems/{item['identifier']}"


def test_export_of_subset_puts_orphans_on_top(validator):
    fw = onet_like()
    sub = Framework(fw.info, fw.competencies.iloc[1:])
    with pytest.warns(AlignDataWarning, match="not in the framework"):
        package = to_case(sub)
    assert_valid(validator, package)


def test_export_drops_repeated_ids_with_a_warning(validator):
    fw = onet_like()
    doubled = Framework(fw.info, pd.concat([fw.competencies, fw.competencies.iloc[[0]]]))
    with pytest.warns(AlignDataWarning, match="repeated competency id"):
        package = to_case(doubled)
    assert_valid(validator, package)
    assert len({i["identifier"] for i in package["CFItems"]}) == len(package["CFItems"]) == 4


# -- round trip ---------------------------------------------------------------
def _compare(original: Framework, loaded: Framework) -> None:
    a, b = original.competencies, loaded.competencies
    for col in ("id", "code", "label", "description", "kind", "parent_id", "alt_labels", "url"):
        assert a[col].tolist() == b[col].tolist(), col
    assert a["level"].astype(object).where(a["level"].notna(), None).tolist() == (
        b["level"].astype(object).where(b["level"].notna(), None).tolist()
    )
    assert loaded.key == original.key and loaded.info.name == original.info.name


@pytest.mark.parametrize("make", [esco_like, onet_like])
def test_round_trip_examples(tmp_path, make):
    fw = make()
    loaded = load_case(write_case(fw, tmp_path / "x.json"))
    _compare(fw, loaded)


def test_round_trip_builtin_cmc_via_load_framework(tmp_path):
    fw = load_cmc(data_dir="/nonexistent/align-test")
    loaded = load_framework(write_case(fw, tmp_path / "cmc.json"))
    _compare(fw, loaded)


_text = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def frameworks(draw: st.DrawFn) -> Framework:
    n = draw(st.integers(min_value=1, max_value=12))
    parents: list[int | None] = [None]
    for i in range(1, n):
        parents.append(draw(st.one_of(st.none(), st.integers(min_value=0, max_value=i - 1))))
    kinds = draw(
        st.lists(
            st.sampled_from(["skill", "knowledge", "competency", "area", "task"]),
            min_size=n,
            max_size=n,
        )
    )
    comps = pd.DataFrame(
        {
            "id": [f"t:{i}" for i in range(n)],
            "framework": "t",
            "code": draw(st.lists(_text, min_size=n, max_size=n)),
            "label": draw(st.lists(_text, min_size=n, max_size=n)),
            "description": draw(st.lists(st.one_of(st.just(""), _text), min_size=n, max_size=n)),
            "kind": kinds,
            "parent_id": [None if p is None else f"t:{p}" for p in parents],
            "level": draw(
                st.lists(st.one_of(st.none(), st.integers(1, 9)), min_size=n, max_size=n)
            ),
            "alt_labels": draw(st.lists(st.lists(_text, max_size=2), min_size=n, max_size=n)),
        }
    )
    return Framework(_info("t"), comps)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fw=frameworks())
def test_round_trip_property(tmp_path, fw):
    loaded = load_case(write_case(fw, tmp_path / "rt.json"))
    _compare(fw, loaded)


def test_round_trip_without_align_extensions_keeps_labels_codes_hierarchy(tmp_path):
    """A CASE tool that drops our extensions still gives back the same tree."""
    fw = onet_like()
    package = to_case(fw)
    for obj in [package["CFDocument"], *package["CFItems"]]:
        obj.pop("extensions")
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(package), "utf-8")
    loaded = load_case(path)
    a, b = fw.competencies, loaded.competencies
    assert b["label"].tolist() == a["label"].tolist()
    assert b["code"].tolist() == a["code"].tolist()
    assert b["kind"].tolist() == a["kind"].tolist()
    by_code = dict(zip(b["id"], b["code"], strict=True))
    parents = [by_code.get(p) for p in b["parent_id"]]
    assert parents == [None, "4.A.2.a.4", "4.A.2.a.4.I09", None]
    assert b["level"].tolist() == [1, 2, 3, 1]
    assert loaded.key == "case" and loaded.info.name == "Tiny onet"


# -- import of a CASE package as published -------------------------------------
def test_load_published_style_package():
    fw = load_case(FIXTURE)
    comps = fw.competencies.set_index("code")
    assert comps["kind"].to_dict() == {
        "DS.1": "area",  # "Domain"
        "DS.1.1": "competency",
        "DS.1.2": "competency",  # untyped leaf
        "DS.2": "area",  # CFItemTypeURI title "Strand"
        "DS.2.1": "skill",
        "DS.2.1.a": "behaviour",  # "Indicator"
        "DS.3": "competency",
    }
    assert comps["level"].to_dict() == {
        "DS.1": 1,
        "DS.1.1": 2,
        "DS.1.2": 2,
        "DS.2": 1,
        "DS.2.1": 2,
        "DS.2.1.a": 3,
        "DS.3": 1,
    }
    assert comps.loc["DS.1.1", "alt_labels"] == ["Read charts"]
    assert comps.loc["DS.1.1", "description"] == "Reads values and trends from visualisations."
    assert comps.loc["DS.1.1", "url"].startswith("https://case.example.org/ims/case/v1p1/CFItems/")
    assert comps.index.tolist()[0] == "DS.1" and fw.key == "case"
    ids = dict(zip(fw.competencies["code"], fw.competencies["id"], strict=True))
    # DS.1.2 sits under two parents: the first by sequence is the parent, the other a relation.
    assert comps.loc["DS.1.2", "parent_id"] == ids["DS.1"]
    rel = fw.relations[["source_id", "target_id", "relation", "detail"]].values.tolist()
    assert [ids["DS.1.2"], ids["DS.2"], "broader", "isChildOf"] in rel
    assert [ids["DS.1.1"], ids["DS.2.1"], "related", "isRelatedTo"] in rel
    info = fw.info
    assert info.name == "Digital Skills Framework (test fixture)"
    assert info.publisher == "Example University" and info.version == "1.0"
    assert info.licence == "CC BY 4.0" and info.source_url == "https://example.org/digital-skills"
    assert "align test suite" in info.attribution


def test_load_case_key_and_load_framework_sniffing():
    assert load_case(FIXTURE, key="ds").competencies["id"].str.startswith("ds:").all()
    assert load_framework(FIXTURE).key == "case"


def test_wrapped_package_is_accepted(tmp_path):
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps({"CFPackage": json.loads(FIXTURE.read_text("utf-8"))}), "utf-8")
    assert len(load_case(path)) == 7


def test_dangling_parent_warns(tmp_path):
    package = json.loads(FIXTURE.read_text("utf-8"))
    package["CFItems"] = [i for i in package["CFItems"] if i["humanCodingScheme"] != "DS.2.1"]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(package), "utf-8")
    with pytest.warns(AlignDataWarning, match="not in the package"):
        fw = load_case(path)
    assert fw.competencies.set_index("code").loc["DS.2.1.a", "level"] == 1


# -- bad input ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            '{"skills": [{"id": "KS1", "name": "Python"}], "meta": {}}',
            r"found a JSON object with keys \['skills', 'meta'\]",
        ),
        ('[{"id": "KS1", "name": "Python"}]', "found a JSON list of 1 element"),
        ('"just a string"', "found a single JSON string"),
        ('{"CFDocument": [], "CFItems": []}', "found 'CFDocument' is a JSON list"),
    ],
)
def test_non_case_json_says_what_was_found_and_what_a_cfpackage_is(tmp_path, content, found):
    path = tmp_path / "x.json"
    path.write_text(content, "utf-8")
    with pytest.raises(FrameworkFormatError, match=found) as err:
        load_case(path)
    assert "is not a CASE CFPackage" in str(err.value)
    assert '"CFItems": [{"identifier", "fullStatement"' in str(err.value)
    assert str(path) in str(err.value)


def test_truncated_json(tmp_path):
    text = FIXTURE.read_text("utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2], "utf-8")
    with pytest.raises(FrameworkFormatError, match="truncated"):
        load_case(path)


def test_malformed_json_in_the_middle(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"CFDocument": {"title": "x",, "creator": "y"}}', "utf-8")
    with pytest.raises(FrameworkFormatError, match="line 1, column 30"):
        load_case(path)


def test_empty_binary_and_missing_files(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("  \n", "utf-8")
    with pytest.raises(FrameworkFormatError, match="is empty"):
        load_case(empty)
    binary = tmp_path / "zip.json"
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00")
    with pytest.raises(FrameworkFormatError, match="not UTF-8"):
        load_case(binary)
    with pytest.raises(FrameworkNotFoundError, match="does not exist"):
        load_case(tmp_path / "missing.json")


def test_wrong_types_inside_a_package(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"CFDocument": {"title": "x"}, "CFItems": {"a": 1}}', "utf-8")
    with pytest.raises(FrameworkFormatError, match="'CFItems' is a dict"):
        load_case(path)
    path.write_text('{"CFDocument": {"title": "x"}, "CFItems": ["a"]}', "utf-8")
    with pytest.raises(FrameworkFormatError, match=r"CFItems\[0\] is a str"):
        load_case(path)


def test_package_without_items_warns(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"CFDocument": {"title": "Empty", "creator": "x"}}', "utf-8")
    with pytest.warns(AlignDataWarning, match="no CFItems"):
        fw = load_case(path)
    assert len(fw) == 0 and fw.info.name == "Empty"


# -- real frameworks ------------------------------------------------------------
def _closed_subset(fw: Framework, keep: pd.Series) -> Framework:
    """The kept competencies plus every ancestor, so the exported tree is complete."""
    comps = fw.competencies
    parent = dict(zip(comps["id"], comps["parent_id"], strict=True))
    wanted = set(comps.loc[keep, "id"])
    for cid in list(wanted):
        while (cid := parent.get(cid)) is not None and cid not in wanted:
            wanted.add(cid)
    return Framework(fw.info, comps[comps["id"].isin(wanted)], relations=fw.relations)


@pytest.mark.realdata
def test_real_esco_subset_exports_valid_case_and_round_trips(esco, validator, tmp_path):
    comps = esco.competencies
    skills = comps.index[comps["kind"].isin(["skill", "knowledge"])]
    rel = esco.relations
    pairs = rel[rel["relation"] == "related"].head(20)
    keep = comps.index.isin(skills[::50]) | comps["id"].isin(pairs["source_id"])
    keep |= comps["id"].isin(pairs["target_id"])
    fw = _closed_subset(esco, keep)
    assert 250 < len(fw) < 1000
    package = to_case(fw)
    assert_valid(validator, package)
    kinds = pd.Series([a["associationType"] for a in package["CFAssociations"]]).value_counts()
    assert kinds["isRelatedTo"] >= 20  # skill-to-skill relations travel as associations
    assert kinds["isChildOf"] > len(fw)  # skills in several groups keep every parent
    loaded = load_case(write_case(fw, tmp_path / "esco.json"))
    _compare(fw, loaded)  # labels verbatim, trailing spaces included
    assert loaded.info.version == esco.info.version
    assert (loaded.relations["relation"] == "broader").sum() == kinds["isChildOf"] - len(fw)


@pytest.mark.realdata
def test_real_onet_hierarchy_exports_valid_case(onet, validator, tmp_path):
    comps = onet.competencies
    keep = comps["kind"].isin(["work_activity", "iwa", "dwa", "skill", "knowledge"])
    fw = _closed_subset(onet, keep)
    package = to_case(fw)
    assert_valid(validator, package)
    loaded = load_case(write_case(fw, tmp_path / "onet.json"))
    _compare(fw, loaded)
    dwa = loaded.competencies[loaded.competencies["kind"] == "dwa"]
    assert len(dwa) == 2087 and dwa["parent_id"].notna().all()
