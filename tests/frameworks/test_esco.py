"""ESCO loader: a tiny hand-made release (CSV folder, .csv.gz, zips), bad input, real 1.1.1."""

from __future__ import annotations

import gzip
import math
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from align import load_framework
from align.exceptions import AlignDataWarning, FrameworkFormatError, FrameworkNotFoundError
from align.frameworks.esco import load_crosswalk, load_esco

DATA = Path(__file__).resolve().parents[1] / "data" / "esco"
RELEASE = DATA / "esco" / "v1.0.10"
CROSSWALK = DATA / "crosswalk" / "crosswalk_esco_onet.csv"
SKILL = "http://data.europa.eu/esco/skill/aaaaaaaa-0000-4000-8000-0000000000"
OCC = "http://data.europa.eu/esco/occupation/bbbbbbbb-0000-4000-8000-0000000000"
CLASSIFICATION = ("skills_en.csv", "occupations_en.csv", "skillGroups_en.csv")
RELATIONS = (
    "occupationSkillRelations.csv",
    "broaderRelationsSkillPillar.csv",
    "broaderRelationsOccPillar.csv",
    "skillSkillRelations.csv",
)

# Fixture releases get a fresh cache folder (see conftest.py).
pytestmark = pytest.mark.usefixtures("isolated_cache")


@pytest.fixture(scope="module")
def mini():
    """The hand-made release, found as the newest under the test data folder."""
    return load_esco(data_dir=DATA, use_cache=False)


def _zips(tmp_path: Path, version: str = "v1.0.10") -> Path:
    """Pack the fixture as the two official zips; return the classification zip."""
    en = tmp_path / f"ESCO dataset - {version} - classification - en - csv.zip"
    rel = tmp_path / f"ESCO dataset - {version} - classification -  - csv.zip"
    with zipfile.ZipFile(en, "w") as zf:
        for name in CLASSIFICATION:
            zf.write(RELEASE / name, name)
    with zipfile.ZipFile(rel, "w") as zf:
        for name in RELATIONS:
            zf.write(RELEASE / name, name)
    return en


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "v1.0.10"
    shutil.copytree(RELEASE, dst)
    return dst


def _same(a, b) -> None:
    for t in ("competencies", "occupations", "relations"):
        pdt.assert_frame_equal(getattr(a, t), getattr(b, t))


# -- content -----------------------------------------------------------------------


def test_newest_release_and_metadata(mini) -> None:
    # v1.0.10 beats v1.0.9: versions compare as numbers, not text.
    assert mini.version == "1.0.10"
    assert mini.info.publisher == "European Commission"
    assert "2011/833/EU" in mini.info.licence
    assert "European Commission" in mini.info.attribution
    assert "crosswalk" in mini.info.attribution
    assert mini.info.source_path.endswith("v1.0.10")


def test_skills_kinds_labels_and_extras(mini) -> None:
    c = mini.competencies.set_index("code")
    assert mini.counts().to_dict() == {"skill": 3, "area": 2, "knowledge": 1}
    hot = c.loc["aaaaaaaa-0000-4000-8000-000000000011"]
    assert hot["id"] == f"esco:{SKILL}11"
    assert hot["url"] == f"{SKILL}11"
    assert hot["label"] == "prepare hot drinks"
    # The quoted multi-line field is one field; the preferred label is not repeated.
    assert hot["alt_labels"] == ["make hot drinks", "serve hot beverages"]
    assert hot["description"] == "Make tea, coffee\nand cocoa for guests."
    assert hot["hidden_labels"] == ["espresso machine"]
    assert (hot["skill_type"], hot["reuse_level"]) == ("skill/competence", "sector-specific")
    roast = c.loc["aaaaaaaa-0000-4000-8000-000000000012"]
    assert roast["kind"] == "knowledge"
    assert roast["description"] == "How beans are roasted."  # definition when no description
    kiosk = c.loc["aaaaaaaa-0000-4000-8000-000000000014"]
    assert (kiosk["kind"], kiosk["skill_type"]) == ("skill", "")


def test_groups_hierarchy_and_levels(mini) -> None:
    c = mini.competencies.set_index("code")
    assert c.loc["S", "kind"] == "area"
    assert c.loc["S", "parent_id"] is None
    assert c.loc["S1", "parent_id"] == f"esco:{SKILL}01"
    assert c.loc["S1", "alt_labels"] == ["serving guests"]
    levels = {code: int(c.loc[code, "level"]) for code in c.index}
    assert levels == {
        "S": 1,
        "S1": 2,
        "aaaaaaaa-0000-4000-8000-000000000011": 3,
        "aaaaaaaa-0000-4000-8000-000000000012": 3,  # first broader listed: the group
        "aaaaaaaa-0000-4000-8000-000000000013": 2,
        "aaaaaaaa-0000-4000-8000-000000000014": 2,
    }


def test_occupations(mini) -> None:
    o = mini.occupations.set_index("code")
    assert list(o.index) == ["5132.1", "5132.1.1"]
    assert o.loc["5132.1", "title"] == "barista"
    assert o.loc["5132.1", "group"] == "5132"
    assert o.loc["5132.1", "alt_titles"] == ["coffee maker"]
    assert o.loc["5132.1", "url"] == f"{OCC}a1"
    assert o.loc["5132.1", "description"] == "Baristas make coffee drinks\nin a cafe."


def test_relations(mini) -> None:
    r = mini.relations
    counts = r.groupby("relation").size().to_dict()
    # broader: 6 skill-pillar edges (one to an unknown concept left out) + occupation -> occupation
    # (the edge to an ISCO group is left out); crosswalk: the ISCO-group row is left out.
    assert counts == {"requires": 5, "broader": 7, "related": 1, "crosswalk": 2}
    req = r[r["relation"] == "requires"]
    assert set(zip(req["detail"], req["weight"], strict=True)) == {
        ("essential", 1.0),
        ("optional", 0.5),
    }
    cw = r[r["relation"] == "crosswalk"].set_index("source_id")
    assert cw.loc[f"esco:{OCC}a1", "target_id"] == "onet:35-3023.01"
    assert cw.loc[f"esco:{OCC}a1", "detail"] == "exactMatch"
    assert math.isnan(cw.loc[f"esco:{OCC}a2", "weight"])
    rel = r[r["relation"] == "related"].iloc[0]
    assert (rel["source_id"], rel["target_id"], rel["detail"]) == (
        f"esco:{SKILL}11",
        f"esco:{SKILL}13",
        "optional",
    )


def test_occupation_profile_by_code_and_uri(mini) -> None:
    prof = mini.occupation_profile("5132.1")
    assert set(prof["label"][:2]) == {"prepare hot drinks", "greet guests"}
    assert list(prof["weight"]) == [1.0, 1.0, 0.5]
    assert prof["label"].iloc[-1] == "coffee roasting methods"
    pdt.assert_frame_equal(prof, mini.occupation_profile(f"{OCC}a1"))


def test_without_crosswalk(tmp_path: Path) -> None:
    fw = load_esco(RELEASE, data_dir=tmp_path, use_cache=False)
    assert "crosswalk" not in set(fw.relations["relation"])
    assert "crosswalk" not in fw.info.attribution


def test_load_framework_by_name_and_path(mini) -> None:
    _same(load_framework("esco", data_dir=DATA, use_cache=False), mini)
    _same(load_framework(RELEASE, data_dir=DATA, use_cache=False), mini)
    # A folder of releases: the newest one is read, not a mix of all.
    _same(load_esco(DATA / "esco", data_dir=DATA, use_cache=False), mini)


def test_cache_round_trip(mini) -> None:
    first = load_esco(data_dir=DATA)
    second = load_esco(data_dir=DATA)
    _same(first, mini)
    _same(second, mini)
    assert isinstance(second.competencies["hidden_labels"].iloc[0], list)


def test_gzipped_csvs(tmp_path: Path, mini) -> None:
    folder = tmp_path / "v1.0.10"
    folder.mkdir()
    for f in RELEASE.iterdir():
        (folder / (f.name + ".gz")).write_bytes(gzip.compress(f.read_bytes()))
    _same(load_esco(folder, data_dir=DATA, use_cache=False), mini)


def test_official_zips_same_as_csvs(tmp_path: Path, mini) -> None:
    en = _zips(tmp_path)
    from_zip = load_esco(en, data_dir=DATA, use_cache=False)
    _same(from_zip, mini)
    assert from_zip.version == "1.0.10"
    _same(load_esco(tmp_path, data_dir=DATA, use_cache=False), mini)
    _same(load_framework(en, data_dir=DATA, use_cache=False), mini)


def test_zip_without_relations_warns(tmp_path: Path) -> None:
    en = _zips(tmp_path)
    (tmp_path / "ESCO dataset - v1.0.10 - classification -  - csv.zip").unlink()
    with pytest.warns(
        AlignDataWarning, match=r"lacks occupationSkillRelations\.csv.*relations zip"
    ):
        fw = load_esco(en, data_dir=tmp_path, use_cache=False)
    assert len(fw.occupations) == 2
    assert fw.relations.empty


def test_load_crosswalk() -> None:
    cw = load_crosswalk(data_dir=DATA)
    assert list(cw.columns) == [
        "esco_uri",
        "esco_title",
        "esco_kind",
        "onet_code",
        "onet_title",
        "match_type",
        "esco_description",
        "onet_description",
    ]
    assert list(cw["match_type"]) == ["exactMatch", "narrowMatch", "exactISCO"]
    assert list(cw["esco_kind"]) == ["occupation", "occupation", "isco_group"]
    # The published file has UTF-8 text decoded once as Windows-1252; it is repaired.
    assert cw.loc[0, "esco_description"] == "Makes coffee drinks."


# -- bad input ---------------------------------------------------------------------


def test_missing_release_folder(tmp_path: Path) -> None:
    with pytest.raises(FrameworkNotFoundError, match=r"esco\.ec\.europa\.eu"):
        load_esco(data_dir=tmp_path)
    with pytest.raises(FrameworkNotFoundError, match="does not exist"):
        load_esco(tmp_path / "nowhere")


def test_folder_without_skills(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "skills_en.csv").unlink()
    with pytest.raises(FrameworkFormatError, match=r"skills_en\.csv"):
        load_esco(folder, data_dir=tmp_path)


def test_zip_with_wrong_layout(tmp_path: Path) -> None:
    bad = tmp_path / "esco-download.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("readme.txt", "not ESCO")
    with pytest.raises(FrameworkFormatError, match=r"readme\.txt.*esco\.ec\.europa\.eu"):
        load_esco(bad, data_dir=tmp_path)


def test_truncated_zip(tmp_path: Path) -> None:
    en = _zips(tmp_path)
    en.write_bytes(en.read_bytes()[:300])
    with pytest.raises(FrameworkFormatError, match="truncated or damaged"):
        load_esco(en, data_dir=tmp_path)


def test_single_csv_is_not_a_release(tmp_path: Path) -> None:
    with pytest.raises(FrameworkFormatError, match="single file"):
        load_esco(RELEASE / "skills_en.csv", data_dir=tmp_path)


def test_semicolon_delimiter(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    f = folder / "occupationSkillRelations.csv"
    f.write_text(f.read_text("utf-8").replace(",", ";"), "utf-8")
    with pytest.raises(FrameworkFormatError, match=r"occupationSkillRelations.*semicolon"):
        load_esco(folder, data_dir=tmp_path)


def test_wrong_encoding(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    f = folder / "skills_en.csv"
    f.write_bytes(f.read_text("utf-8").replace("cocoa", "cocoa café").encode("cp1252"))
    with pytest.raises(FrameworkFormatError, match=r"skills_en\.csv.*not UTF-8.*0xe9"):
        load_esco(folder, data_dir=tmp_path)


def test_truncated_inside_quoted_field(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    f = folder / "skills_en.csv"
    text = f.read_text("utf-8")
    f.write_text(text[: text.index("serve hot")], "utf-8")
    with pytest.raises(FrameworkFormatError, match=r"skills_en\.csv.*truncated"):
        load_esco(folder, data_dir=tmp_path)


def test_truncated_mid_row(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    f = folder / "occupationSkillRelations.csv"
    text = f.read_text("utf-8")
    f.write_text(text[: text.rindex(",essential")], "utf-8")
    with pytest.raises(FrameworkFormatError, match="looks truncated: its last row has 1 of 4"):
        load_esco(folder, data_dir=tmp_path)


def test_truncated_gzip(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    f = folder / "skills_en.csv"
    gz = folder / "skills_en.csv.gz"
    gz.write_bytes(gzip.compress(f.read_bytes())[:200])
    f.unlink()
    with pytest.raises(FrameworkFormatError, match=r"skills_en\.csv\.gz.*truncated"):
        load_esco(folder, data_dir=tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "occupations_en.csv").write_text("", "utf-8")
    with pytest.raises(FrameworkFormatError, match=r"occupations_en\.csv' is empty"):
        load_esco(folder, data_dir=tmp_path)


def test_wrong_columns(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    f = folder / "skills_en.csv"
    f.write_text(f.read_text("utf-8").replace("conceptUri", "uri", 1), "utf-8")
    with pytest.raises(FrameworkFormatError, match=r"no column\(s\) \['conceptUri'\]; found"):
        load_esco(folder, data_dir=tmp_path)


def test_crosswalk_bad_input(tmp_path: Path) -> None:
    with pytest.raises(FrameworkNotFoundError, match=r"crosswalk_esco_onet\.csv"):
        load_crosswalk(data_dir=tmp_path)
    bad = tmp_path / "cw.csv"
    bad.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(FrameworkFormatError, match="O\\*NET Id"):
        load_crosswalk(bad)


def test_bad_input_is_never_a_raw_pandas_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "skillSkillRelations.csv").write_bytes(b'a,"b\n')
    with pytest.raises(FrameworkFormatError) as info:
        load_esco(folder, data_dir=tmp_path)
    assert "skillSkillRelations" in str(info.value)
    assert not isinstance(info.value, pd.errors.ParserError)


# -- real ESCO 1.1.1 ---------------------------------------------------------------


@pytest.mark.realdata
def test_real_counts(esco) -> None:
    counts = esco.counts()
    assert counts["skill"] + counts["knowledge"] == 13_896
    assert counts["area"] == 640
    assert len(esco.occupations) == 3_007
    rel = esco.relations.groupby("relation").size()
    assert rel["requires"] == 123_855
    assert rel["related"] == 5_899
    assert rel["crosswalk"] == 4_210
    assert esco.version == "1.1.1"
    assert esco.competencies["id"].is_unique
    assert esco.competencies["url"].str.startswith("http://data.europa.eu/esco/").all()


@pytest.mark.realdata
def test_real_occupation_profile(esco) -> None:
    occ = esco.occupations
    code = occ.loc[occ["title"] == "data scientist", "code"].iloc[0]
    prof = esco.occupation_profile(code)
    assert len(prof) > 10
    assert set(prof["detail"]) == {"essential", "optional"}
    assert prof["weight"].is_monotonic_decreasing
    assert (esco.relations["target_id"].str.startswith("onet:")).sum() == 4_210


@pytest.mark.realdata
def test_real_crosswalk(data_dir: Path) -> None:
    cw = load_crosswalk(data_dir=data_dir)
    assert len(cw) == 4_253
    assert set(cw["match_type"]) == {
        "exactMatch",
        "closeMatch",
        "broadMatch",
        "narrowMatch",
        "exactISCO",
    }
    assert cw["onet_code"].str.fullmatch(r"\d\d-\d{4}\.\d\d").all()
    assert not cw["esco_title"].str.contains("Â").any()


@pytest.mark.realdata
@pytest.mark.slow
def test_real_zips_same_as_csvs(data_dir: Path, esco) -> None:
    zips = data_dir / "esco" / "v1.1.1" / "zip"
    en = next(p for p in zips.glob("*.zip") if " en " in p.name)
    fw = load_esco(en, data_dir=data_dir, use_cache=False)
    assert fw.version == "1.1.1"
    for t in ("competencies", "occupations", "relations"):
        pdt.assert_frame_equal(getattr(fw, t), getattr(esco, t))
