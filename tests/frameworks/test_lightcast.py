"""Lightcast Open Skills loader: CSV and Skills API JSON fixtures, bad input, the real 2021 list."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest

from align import load_framework
from align.exceptions import AlignDataWarning, FrameworkFormatError, FrameworkNotFoundError
from align.frameworks.lightcast import load_lightcast

DATA = Path(__file__).resolve().parents[1] / "data" / "lightcast"
API = DATA / "lightcast_skills_v9.9.json"
CSV = DATA / "skills.csv"
EMSI = DATA / "emsi_export.csv"
PAGE = "https://lightcast.io/open-skills/skills/"

# Fixture releases get a fresh cache folder (see conftest.py).
pytestmark = pytest.mark.usefixtures("isolated_cache")


def _by_code(fw):
    return fw.competencies.set_index("code")


# -- content -----------------------------------------------------------------------


def test_api_json() -> None:
    fw = load_lightcast(API, use_cache=False)
    c = _by_code(fw)
    assert list(c["kind"]) == ["skill", "skill", "certification"]
    assert list(c["skill_type"]) == ["Specialized Skill", "Common Skill", "Certification"]
    assert c.loc["KSTEST000000000000A1", "id"] == "lightcast:KSTEST000000000000A1"
    assert c.loc["KSTEST000000000000A1", "label"] == "Espresso Extraction"
    assert c.loc["KSTEST000000000000A1", "subcategory"] == "Coffee Service"
    assert c.loc["KSTEST000000000000A1", "description"].startswith("Pulling a shot")
    # infoUrl as given; the Open Skills page when the response has none.
    assert c.loc["KSTEST000000000000A1", "url"].endswith("/espresso-extraction")
    assert c.loc["KSTEST000000000000A3", "url"] == PAGE + "KSTEST000000000000A3"
    assert c.loc["KSTEST000000000000A2", "subcategory"] == ""
    assert fw.version == "9.9"
    assert fw.info.publisher == "Lightcast"
    assert "Demo attribution line" in fw.info.attribution
    assert "lightcast.io/open-skills" in fw.info.attribution


def test_csv_columns_in_any_case() -> None:
    fw = load_lightcast(CSV, use_cache=False)
    c = _by_code(fw)
    assert len(c) == 4
    assert c.loc["KSTEST000000000000B3", "label"] == "Barista Certificate, Level 1"
    assert c.loc["KSTEST000000000000B3", "kind"] == "certification"
    assert c.loc["KSTEST000000000000B1", "category"] == "Hospitality"
    assert c.loc["KSTEST000000000000B4", "subcategory"] == "Cashiering"
    assert c.loc["KSTEST000000000000B2", "url"] == PAGE + "KSTEST000000000000B2"
    assert fw.version == "unknown"


def test_emsi_export_placeholder_category_is_blanked() -> None:
    with pytest.warns(AlignDataWarning, match=r"'General' for all 3 skills.*left blank"):
        fw = load_lightcast(EMSI, use_cache=False)
    c = _by_code(fw)
    assert set(c["category"]) == {""}
    assert list(c["kind"]) == ["skill", "skill", "certification"]
    assert list(c["skill_type"]) == ["Hard Skill", "Soft Skill", "Certification"]
    assert fw.version == "unknown (c. 2021 EMSI snapshot)"


def test_real_categories_are_kept(tmp_path: Path) -> None:
    f = tmp_path / "two.csv"
    f.write_text("id,name,type,category\nK1,Baking,Hard Skill,Food\nK2,Frying,Hard Skill,Food\n")
    # Two rows in one category is a real grouping, not a placeholder.
    assert set(load_lightcast(f, use_cache=False).competencies["category"]) == {"Food"}


def test_newest_file_under_data_dir(tmp_path: Path) -> None:
    folder = tmp_path / "lightcast"
    folder.mkdir()
    shutil.copy(API, folder / "skills_v9.9.json")
    shutil.copy(CSV, folder / "skills_v9.10.csv")
    (folder / "PROVENANCE.md").write_text("notes")
    fw = load_lightcast(data_dir=tmp_path)
    assert fw.version == "9.10"
    assert len(fw) == 4
    assert load_framework("lightcast", data_dir=tmp_path).version == "9.10"


def test_load_framework_sniffs_json_and_csv() -> None:
    assert load_framework(API, use_cache=False).key == "lightcast"
    assert len(load_framework(CSV, use_cache=False)) == 4


def test_cached_load_is_identical() -> None:
    first = load_lightcast(CSV)
    second = load_lightcast(CSV)
    assert first.competencies.equals(second.competencies)


def test_placeholder_warning_once_then_cached_blank(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    with pytest.warns(AlignDataWarning, match="placeholder"):
        first = load_lightcast(EMSI)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the cached copy is already blank: no warning again
        second = load_lightcast(EMSI)
    for fw in (first, second):
        assert set(fw.competencies["category"]) == {""}


def test_semicolon_csv_and_cp1252_warning(tmp_path: Path) -> None:
    f = tmp_path / "skills.csv"
    f.write_bytes("id;name;type\nK1;Crème brûlée;Specialized Skill\n".encode("cp1252"))
    with pytest.warns(AlignDataWarning, match="Windows-1252"):
        fw = load_lightcast(f, use_cache=False)
    assert fw.competencies.loc[0, "label"] == "Crème brûlée"


def test_duplicate_ids_warn(tmp_path: Path) -> None:
    f = tmp_path / "skills.csv"
    f.write_text("id,name,type\nK1,Baking,Hard Skill\nK1,Baking again,Hard Skill\n")
    with pytest.warns(AlignDataWarning, match="more than once"):
        fw = load_lightcast(f, use_cache=False)
    assert list(fw.competencies["label"]) == ["Baking"]


# -- bad input ---------------------------------------------------------------------


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FrameworkNotFoundError, match="does not exist"):
        load_lightcast(tmp_path / "nope.csv")
    with pytest.raises(FrameworkNotFoundError, match="does not exist"):
        load_lightcast(data_dir=tmp_path)
    (tmp_path / "lightcast").mkdir()
    with pytest.raises(FrameworkNotFoundError, match=r"no Lightcast skills file"):
        load_lightcast(data_dir=tmp_path)


def test_csv_without_id_column(tmp_path: Path) -> None:
    f = tmp_path / "skills.csv"
    f.write_text("code,title\nK1,Baking\n")
    with pytest.raises(
        FrameworkFormatError, match=r"no id or name column; found \['code', 'title'\]"
    ):
        load_lightcast(f, use_cache=False)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"id,name,type\n", "no skills"),
        (b"id,name,type\nK1,Baking,Hard Skill\nK2,Fry", "looks truncated"),
        (b'id,name,type\nK1,"Baking,Hard Skill\n', "truncated"),
        (b"PK\x03\x04rest-of-a-workbook", "zip or Excel"),
    ],
)
def test_bad_csv(tmp_path: Path, content: bytes, message: str) -> None:
    f = tmp_path / "skills.csv"
    f.write_bytes(content)
    with pytest.raises(FrameworkFormatError, match=message):
        load_lightcast(f, use_cache=False)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ('{"data": [{"id": "K1", "name": "Bak', "not valid JSON"),
        ('{"skills": []}', r"not a Lightcast skills list.*found \['skills'\]"),
        ('{"data": []}', "empty skills list"),
        ('{"data": [{"id": "K1"}]}', "no 'id' or 'name'"),
    ],
)
def test_bad_json(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "skills.json"
    f.write_text(content, "utf-8")
    with pytest.raises(FrameworkFormatError, match=message):
        load_lightcast(f, use_cache=False)


def test_json_list_without_envelope(tmp_path: Path) -> None:
    # A saved "data" array alone is accepted too.
    items = json.loads(API.read_text("utf-8"))["data"]
    f = tmp_path / "skills.json"
    f.write_text(json.dumps(items), "utf-8")
    assert len(load_lightcast(f, use_cache=False)) == 3


# -- real list (c. 2021 EMSI snapshot) ---------------------------------------------


@pytest.mark.realdata
def test_real_emsi_list(data_dir: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fw = load_lightcast(data_dir=data_dir, use_cache=False)
    assert any("'General' for all 31,278 skills" in str(w.message) for w in caught)
    assert len(fw) == 31_278
    assert fw.counts().to_dict() == {"skill": 29_427, "certification": 1_851}
    assert fw.version == "unknown (c. 2021 EMSI snapshot)"
    assert set(fw.competencies["category"]) == {""}
    c = _by_code(fw)
    assert c.loc["KS1200B62W5ZF38RJ7TD", "label"] == ".NET Framework"
    assert c.loc["KS1200B62W5ZF38RJ7TD", "url"] == PAGE + "KS1200B62W5ZF38RJ7TD"
    assert fw.competencies["id"].is_unique
