"""CMC: the built-in Building Blocks model, industry-model import (CSV, CASE), bad input."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

from align import AlignDataWarning, FrameworkFormatError, FrameworkNotFoundError, load_framework
from align.frameworks.cmc import CMC_URL, TIERS, load_cmc

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "cmc"
CSV = FIXTURES / "industry_model.csv"
CASE = FIXTURES / "industry_model_case.json"

TIER_1 = [
    "Interpersonal Skills",
    "Integrity",
    "Professionalism",
    "Initiative",
    "Dependability and Reliability",
    "Adaptability and Flexibility",
    "Lifelong Learning",
]
TIER_2 = [
    "Reading",
    "Writing",
    "Mathematics",
    "Science and Technology",
    "Communication",
    "Critical and Analytical Thinking",
    "Basic Computer Skills",
]
TIER_3 = [
    "Teamwork",
    "Customer Focus",
    "Planning and Organizing",
    "Creative Thinking",
    "Problem Solving and Decision Making",
    "Working with Tools and Technology",
    "Scheduling and Coordinating",
    "Checking, Examining, and Recording",
    "Business Fundamentals",
    "Sustainable Practices",
    "Health and Safety",
]


@pytest.fixture
def builtin():
    return load_cmc(data_dir="/nonexistent/align-test")


# -- built-in -----------------------------------------------------------------
def test_builtin_tiers_are_area_nodes_with_tier_as_level(builtin):
    tiers = builtin.competencies[builtin.competencies["kind"] == "area"]
    assert tiers["id"].tolist() == [f"cmc:tier{t}" for t in range(1, 6)]
    assert tiers["label"].tolist() == [TIERS[t] for t in range(1, 6)]
    assert tiers["level"].tolist() == [1, 2, 3, 4, 5]
    assert tiers["parent_id"].isna().all()


@pytest.mark.parametrize(("tier", "names"), [(1, TIER_1), (2, TIER_2), (3, TIER_3)])
def test_builtin_foundational_tiers(builtin, tier, names):
    comps = builtin.competencies
    block = comps[comps["parent_id"] == f"cmc:tier{tier}"]
    assert block["label"].tolist() == names
    assert (block["kind"] == "competency").all() and (block["level"] == tier).all()
    assert block["code"].tolist() == [f"{tier}.{n}" for n in range(1, len(names) + 1)]
    assert block["id"].str.fullmatch(rf"cmc:tier{tier}\.[a-z_]+").all()
    assert (block["description"].str.len() > 20).all()


def test_builtin_industry_tiers_hold_no_invented_competencies(builtin):
    comps = builtin.competencies
    assert comps["parent_id"].isin(["cmc:tier4", "cmc:tier5"]).sum() == 0
    tier4 = builtin.competency("cmc:tier4")
    assert "import an industry model" in tier4["description"]


def test_builtin_metadata_and_urls(builtin):
    assert builtin.competency("cmc:tier1.integrity")["code"] == "1.2"
    assert (builtin.competencies["url"] == CMC_URL).all()
    assert CMC_URL.startswith("https://www.careeronestop.org/CompetencyModel/")
    info = builtin.info
    assert info.key == "cmc" and "paraphrase" in info.name
    assert "not the CMC's text" in info.attribution
    assert "Department of Labor" in info.attribution


def test_load_framework_cmc_builtin(tmp_path):
    fw = load_framework("cmc", data_dir=tmp_path)
    assert len(fw) == 30


# -- CSV industry models -------------------------------------------------------
def test_csv_import_builds_tiers_areas_competencies_and_behaviours():
    fw = load_cmc(CSV)
    comps = fw.competencies.set_index("id")
    assert fw.counts().to_dict() == {"behaviour": 8, "area": 5, "competency": 4}
    # Rows of one competency merge; ';', '|' and line breaks split behaviours; bullets go.
    quality = "cmc:tier4.data_management.data_quality"
    kids = comps[comps["parent_id"] == quality]
    assert kids["label"].tolist() == [
        "Checks incoming data for gaps and duplicates",
        "Documents cleaning steps so others can repeat them",
        "Flags suspicious records to the data owner",
    ]
    assert comps.loc[quality, "parent_id"] == "cmc:tier4.data_management"
    assert comps.loc["cmc:tier4.data_management", "parent_id"] == "cmc:tier4"
    assert comps.loc[quality, "description"] == "Keeps data fit for its intended use."
    coding = "cmc:tier5.health_analytics.clinical_coding"
    assert comps.loc[f"{coding}.b1", "label"] == "Maps diagnoses to standard code sets"
    assert comps.loc[coding, "level"] == 5  # tier given by name
    assert comps.loc["cmc:tier1.integrity", "parent_id"] == "cmc:tier1"  # no area
    assert comps.loc["cmc:tier1", "label"] == TIERS[1]
    assert fw.info.source_path == str(CSV) and fw.info.version == "imported"


def test_case_import_takes_tier_from_cmc_codes():
    fw = load_cmc(CASE)
    comps = fw.competencies.set_index("code")
    assert comps["level"].to_dict() == {"4.1": 4, "4.1.1": 4, "5.1": 5}
    assert comps.loc["4.1", "kind"] == "area"
    assert comps.loc["4.1.1", "kind"] == "behaviour"
    assert fw.key == "cmc" and fw.competencies["id"].str.startswith("cmc:").all()


def test_data_dir_cmc_folder_loads_every_model(tmp_path):
    (tmp_path / "cmc").mkdir()
    shutil.copy(CSV, tmp_path / "cmc")
    shutil.copy(CASE, tmp_path / "cmc")
    fw = load_framework("cmc", data_dir=tmp_path)
    assert len(fw) == 17 + 3
    assert "industry_model" in fw.info.name and "industry_model_case" in fw.info.name


def test_same_competency_in_two_files_is_kept_once(tmp_path):
    shutil.copy(CSV, tmp_path / "a.csv")
    shutil.copy(CSV, tmp_path / "b.csv")
    fw = load_cmc(tmp_path)
    assert len(fw) == 17 and fw.competencies["id"].is_unique


@pytest.mark.parametrize(
    ("tier", "level"),
    [
        ("Tier 2", 2),
        ("3", 3),
        ("personal effectiveness", 1),
        ("Industry-Specific Technical Competencies", 5),
    ],
)
def test_tier_spellings(tmp_path, tier, level):
    path = tmp_path / "m.csv"
    path.write_text(f"tier,competency\n{tier},Something\n", "utf-8")
    assert load_cmc(path).competencies["level"].tolist() == [level, level]


def test_hidden_folders_under_data_dir_are_ignored(tmp_path):
    (tmp_path / "cmc" / ".import-tmp").mkdir(parents=True)
    shutil.copy(CSV, tmp_path / "cmc" / ".import-tmp")
    shutil.copy(CSV, tmp_path / "cmc")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_cmc(data_dir=tmp_path)) == 17


def test_rows_without_competency_warn(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("tier,area,competency,key behaviours\n4,A,,x\n4,A,Real,y\n", "utf-8")
    with pytest.warns(AlignDataWarning, match="line 2"):
        fw = load_cmc(path)
    assert fw.counts()["competency"] == 1


def test_semicolon_separated_csv(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("Tier;Area;Competency;Key Behaviors\n4;Ops;Safety;Wears gear\n", "utf-8")
    assert "cmc:tier4.ops.safety.b1" in set(load_cmc(path).competencies["id"])


# -- bad input ----------------------------------------------------------------
def test_wrong_columns(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("skill,notes\nA,B\n", "utf-8")
    with pytest.raises(FrameworkFormatError, match=r"no 'tier' or 'competency' column"):
        load_cmc(path)


def test_bad_tier_names_the_line(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("tier,area,competency\n4,A,Fine\nten,A,Bad\n", "utf-8")
    with pytest.raises(FrameworkFormatError, match=r"line 3: tier 'ten'"):
        load_cmc(path)


def test_empty_and_binary_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", "utf-8")
    with pytest.raises(FrameworkFormatError, match="is empty"):
        load_cmc(empty)
    binary = tmp_path / "model.csv"
    binary.write_bytes("tier,competency\n4,Safety\n".encode("utf-16-le"))
    with pytest.raises(FrameworkFormatError, match="NUL bytes"):
        load_cmc(binary)


def test_windows_1252_csv_warns(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes("tier,competency\n4,Sécurité\n".encode("cp1252"))
    with pytest.warns(AlignDataWarning, match="Windows-1252"):
        fw = load_cmc(path)
    assert "Sécurité" in set(fw.competencies["label"])


def test_broken_case_file_is_reported(tmp_path):
    path = tmp_path / "model.json"
    path.write_text('{"CFDocument": {"title": "x"', "utf-8")
    with pytest.raises(FrameworkFormatError, match="truncated"):
        load_cmc(path)


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(FrameworkNotFoundError, match="does not exist"):
        load_cmc(tmp_path / "nope.csv")
    with pytest.raises(FrameworkNotFoundError, match="holds no"):
        load_cmc(tmp_path)
