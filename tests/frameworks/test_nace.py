"""NACE: the built-in paraphrase, the import of NACE's own tables, and bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from rapidfuzz import fuzz, process

from align import AlignDataWarning, FrameworkFormatError, FrameworkNotFoundError, load_framework
from align.frameworks.nace import NACE_URL, load_nace

NAMES = [
    "Career & Self-Development",
    "Communication",
    "Critical Thinking",
    "Equity & Inclusion",
    "Leadership",
    "Professionalism",
    "Teamwork",
    "Technology",
]
# NACE's 2021 sample behaviours per competency, in the order above (a published fact).
REAL_BEHAVIOURS = [9, 6, 6, 8, 6, 8, 7, 6]

# Tiny tables in NACE's shape, with our own made-up wording.
COMPETENCIES_CSV = (
    "competency_id,competency,definition\n"
    "X-1,Communication,Shares ideas so others understand them.\n"
    "X-2,Teamwork,Works with others toward a shared aim.\n"
)
BEHAVIOURS_CSV = (
    "competency_id,competency,behavior_index,sample_behavior\n"
    "X-1,Communication,2,Listens before answering.\n"
    "X-1,Communication,1,Writes plainly.\n"
    "X-2,Teamwork,1,Shares the load.\n"
)


@pytest.fixture
def builtin():
    return load_nace(data_dir="/nonexistent/align-test")


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


# -- built-in -----------------------------------------------------------------
def test_builtin_has_the_eight_competencies_with_behaviours(builtin):
    comps = builtin.competencies
    top = comps[comps["kind"] == "competency"]
    assert top["label"].tolist() == NAMES
    assert top["id"].tolist()[:2] == ["nace:career_and_self_development", "nace:communication"]
    assert (top["level"] == 1).all() and top["parent_id"].isna().all()
    assert (top["description"].str.len() > 60).all()
    behaviours = comps[comps["kind"] == "behaviour"]
    assert set(behaviours["parent_id"]) == set(top["id"])
    assert (behaviours["level"] == 2).all()
    assert behaviours.groupby("parent_id").size().min() >= 5
    assert behaviours["id"].str.fullmatch(r"nace:[a-z_]+\.b\d+").all()
    assert comps["id"].is_unique
    assert (comps["url"] == NACE_URL).all()
    assert NACE_URL.startswith("https://www.naceweb.org/career-readiness/")


def test_builtin_says_it_is_a_paraphrase_and_credits_nace(builtin):
    info = builtin.info
    assert info.key == "nace" and info.version == "2021" and info.source_path == ""
    assert "paraphrase" in info.name
    assert "not NACE's text" in info.attribution
    assert "National Association of Colleges and Employers" in info.attribution


def test_load_framework_nace_uses_builtin_without_imported_files(tmp_path):
    fw = load_framework("nace", data_dir=tmp_path)
    assert "paraphrase" in fw.info.name
    assert int((fw.competencies["kind"] == "competency").sum()) == 8


@pytest.mark.realdata
def test_builtin_wording_is_not_nace_text(builtin, data_dir):
    official = load_nace(data_dir / "nace").competencies
    theirs = [t for t in [*official["label"], *official["description"]] if t]
    ours = builtin.competencies
    ours_text = [*ours.loc[ours["kind"] == "behaviour", "label"], *ours["description"]]

    def grams(text: str, n: int = 4) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z]+", text.lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    their_grams = set().union(*(grams(t) for t in theirs))
    for text in filter(None, ours_text):
        assert not grams(text) & their_grams, text
        _, score, _ = process.extractOne(text, theirs, scorer=fuzz.ratio)
        assert score < 75, text


# -- import of NACE's tables --------------------------------------------------
@pytest.mark.realdata
def test_import_real_nace_folder(data_dir, builtin):
    fw = load_nace(data_dir / "nace")
    comps = fw.competencies
    top = comps[comps["kind"] == "competency"]
    assert top["label"].tolist() == NAMES
    # The same ids as the built-in, so results line up whichever text is loaded.
    assert top["id"].tolist() == builtin.competencies.query("kind == 'competency'")["id"].tolist()
    behaviours = comps[comps["kind"] == "behaviour"]
    assert len(behaviours) == 56
    assert behaviours.groupby("parent_id", sort=False).size().tolist() == REAL_BEHAVIOURS
    assert behaviours["label"].iloc[0].startswith("Show an awareness")
    assert fw.info.version == "2021" and "©" in fw.info.licence
    assert fw.info.source_path == str(data_dir / "nace")


@pytest.mark.realdata
def test_data_dir_with_nace_folder_loads_the_imported_text(data_dir):
    fw = load_framework("nace", data_dir=data_dir)
    assert "paraphrase" not in fw.info.name
    assert (fw.competencies["kind"] == "behaviour").sum() == 56


@pytest.mark.realdata
def test_import_one_real_file(data_dir):
    fw = load_nace(data_dir / "nace" / "nace_career_readiness_competencies_2021.csv")
    assert fw.counts().to_dict() == {"competency": 8}
    with pytest.warns(AlignDataWarning, match="no competency definitions"):
        fw = load_nace(data_dir / "nace" / "nace_sample_behaviors_2021.csv")
    assert fw.counts().to_dict() == {"behaviour": 56, "competency": 8}


def test_import_orders_behaviours_by_index(tmp_path):
    _write(tmp_path, "competencies.csv", COMPETENCIES_CSV)
    _write(tmp_path, "behaviours.csv", BEHAVIOURS_CSV)
    fw = load_nace(tmp_path)
    comps = fw.competencies.set_index("id")
    assert comps.loc["nace:communication.b1", "label"] == "Writes plainly."
    assert comps.loc["nace:communication.b2", "label"] == "Listens before answering."
    assert comps.loc["nace:teamwork.b1", "parent_id"] == "nace:teamwork"
    assert fw.info.version == "imported"


def test_data_dir_uses_newest_release_subfolder(tmp_path):
    _write(tmp_path / "nace" / "2019", "c.csv", "competency,definition\nOld,Old text.\n")
    _write(tmp_path / "nace" / "2021", "c.csv", COMPETENCIES_CSV)
    fw = load_nace(data_dir=tmp_path)
    assert fw.competencies["label"].tolist() == ["Communication", "Teamwork"]
    assert fw.info.version == "2021"


def test_import_xlsx(tmp_path):
    path = tmp_path / "nace.xlsx"
    pd.DataFrame({"Competency": ["Teamwork"], "Definition": ["Works with others."]}).to_excel(
        path, index=False
    )
    assert load_nace(path).competencies["id"].tolist() == ["nace:teamwork"]


def test_behaviours_for_unknown_competency_warn(tmp_path):
    _write(tmp_path, "competencies.csv", COMPETENCIES_CSV)
    _write(tmp_path, "b.csv", "competency,sample_behavior\nCommunicaton,Typo in the name.\n")
    with pytest.warns(AlignDataWarning, match="Communicaton"):
        fw = load_nace(tmp_path)
    assert fw.counts().to_dict() == {"competency": 2}


def test_duplicate_competency_warns_and_keeps_first(tmp_path):
    path = _write(tmp_path, "c.csv", COMPETENCIES_CSV + "X-3,Teamwork,Second definition.\n")
    with pytest.warns(AlignDataWarning, match="more than once"):
        fw = load_nace(path)
    assert fw.competency("nace:teamwork")["description"] == "Works with others toward a shared aim."


# -- separators and encodings that offices produce ----------------------------
@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_files_load(tmp_path, sep):
    path = _write(tmp_path, "c.csv", COMPETENCIES_CSV.replace(",", sep))
    assert len(load_nace(path)) == 2


def test_utf16_with_bom_loads(tmp_path):
    path = _write(tmp_path, "c.csv", COMPETENCIES_CSV.replace("ideas", "idées"), "utf-16")
    assert "idées" in load_nace(path).competency("nace:communication")["description"]


def test_windows_1252_file_loads_with_a_warning(tmp_path):
    path = _write(tmp_path, "c.csv", COMPETENCIES_CSV.replace("ideas", "idées"), "cp1252")
    with pytest.warns(AlignDataWarning, match="Windows-1252"):
        fw = load_nace(path)
    assert "idées" in fw.competency("nace:communication")["description"]


# -- bad input ----------------------------------------------------------------
def test_wrong_columns_name_the_file_and_what_is_expected(tmp_path):
    path = _write(tmp_path, "c.csv", "title,text\nA,B\n")
    with pytest.raises(FrameworkFormatError, match=r"columns \['title', 'text'\].*'definition'"):
        load_nace(path)


def test_unknown_delimiter_is_reported_as_wrong_columns(tmp_path):
    path = _write(tmp_path, "c.csv", "competency#definition\nTeamwork#Works with others.\n")
    with pytest.raises(FrameworkFormatError, match="comma, semicolon or tab"):
        load_nace(path)


def test_empty_file(tmp_path):
    path = _write(tmp_path, "c.csv", "")
    with pytest.raises(FrameworkFormatError, match="is empty"):
        load_nace(path)


def test_header_only_file(tmp_path):
    path = _write(tmp_path, "c.csv", "competency,definition\n")
    with pytest.raises(FrameworkFormatError, match="no rows"):
        load_nace(path)


def test_binary_file_renamed_to_csv(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(FrameworkFormatError, match="binary"):
        load_nace(path)


def test_unclosed_quote_is_a_format_error(tmp_path):
    path = _write(tmp_path, "c.csv", 'competency,definition\nTeamwork,"Works with others\n')
    with pytest.raises(FrameworkFormatError, match="well-formed"):
        load_nace(path)


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(FrameworkNotFoundError, match="does not exist"):
        load_nace(tmp_path / "nope")
    with pytest.raises(FrameworkNotFoundError, match=r"holds no \.csv"):
        load_nace(tmp_path)
