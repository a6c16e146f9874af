"""O*NET loader: tiny hand-made releases (both layouts, .txt/.xlsx/zip), bad input, real 29.3."""

from __future__ import annotations

import math
import shutil
import sys
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from align import load_framework
from align.exceptions import (
    AlignDataWarning,
    AlignError,
    FrameworkFormatError,
    FrameworkNotFoundError,
)
from align.frameworks.onet import (
    _forget_partial_warnings,
    find_onet_release,
    load_onet,
    onet_version,
)

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "onet"
V29 = FIXTURES / "db_29_1"
V28 = FIXTURES / "db_28_0"
TABLES = ("competencies", "occupations", "relations")

# Fixture releases get a fresh cache folder (see conftest.py).
pytestmark = pytest.mark.usefixtures("isolated_cache")


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _load_quiet(path: Path | str, **kw: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        return load_onet(path, **kw)


def _assert_same(a, b) -> None:
    for t in TABLES:
        left = getattr(a, t).sort_values(list(getattr(a, t).columns[:2])).reset_index(drop=True)
        right = getattr(b, t).sort_values(list(getattr(b, t).columns[:2])).reset_index(drop=True)
        pdt.assert_frame_equal(left, right)


# -- content of a complete 29.x release --------------------------------------------
@pytest.fixture(scope="module")
def v29():
    return load_onet(V29, use_cache=False)


def test_metadata(v29) -> None:
    info = v29.info
    assert (info.key, info.version, info.licence) == ("onet", "29.1", "CC BY 4.0")
    assert info.publisher == "National Center for O*NET Development (USDOL/ETA)"
    assert "O*NET 29.1 Database" in info.attribution
    assert "USDOL/ETA" in info.attribution and "trademark" in info.attribution
    assert info.source_path == str(V29)


def test_kinds_and_hierarchy(v29) -> None:
    comp = v29.competencies
    counts = comp["kind"].value_counts().to_dict()
    assert counts["skill"] == 5
    assert counts["knowledge"] == 2
    assert (counts["ability"], counts["work_activity"], counts["work_style"]) == (1, 2, 1)
    assert (counts["iwa"], counts["dwa"], counts["task"]) == (2, 3, 6)
    assert counts["technology"] == 5
    assert comp["id"].is_unique
    # every parent exists, and 2.D (education) / 4.C (work context) are not competencies
    assert comp["parent_id"].dropna().isin(comp["id"]).all()
    assert not comp["code"].isin(["2.D", "2.D.1", "4.C", "4.C.1"]).any()
    skill = v29.competency("onet:2.B.3.e")
    assert (skill["label"], skill["kind"], skill["parent_id"], skill["level"]) == (
        "Programming",
        "skill",
        "onet:2.B.3",
        4,
    )
    assert skill["description"] == "Write programs for a purpose."
    assert skill["url"] == "https://www.onetonline.org/find/descriptor/result/2.B.3.e"
    assert v29.competency("onet:2.B.3")["kind"] == "area"
    dwa = v29.competency("onet:4.A.2.a.4.I07.D05")
    assert dwa["parent_id"] == "onet:4.A.2.a.4.I07"
    assert v29.competency("onet:4.A.2.a.4.I07")["parent_id"] == "onet:4.A.2.a.4"
    assert (dwa["level"], v29.competency("onet:4.A.2.a.4.I07")["level"]) == (7, 6)
    broader = v29.relations[v29.relations["relation"] == "broader"]
    assert len(broader) == comp["parent_id"].notna().sum()


def test_occupations(v29) -> None:
    occ = v29.occupations.set_index("code")
    assert list(occ.index) == ["15-2051.00", "11-1011.00", "29-1141.00"]
    ds = occ.loc["15-2051.00"]
    assert ds["id"] == "onet:15-2051.00" and ds["group"] == "4"
    # alternate + short + reported titles, de-duplicated, without the title itself
    assert ds["alt_titles"] == [
        "Machine Learning Scientist",
        "ML Scientist",
        "Data Analytics Scientist",
    ]
    assert ds["url"] == "https://www.onetonline.org/link/summary/15-2051.00"
    assert occ.loc["29-1141.00", "group"] == ""  # no job zone in the file


def _rel(fw, source: str, target: str) -> pd.Series:
    r = fw.relations
    hit = r[(r["source_id"] == source) & (r["target_id"] == target)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_ratings_merge_and_flags(v29) -> None:
    prog = _rel(v29, "onet:15-2051.00", "onet:2.B.3.e")
    assert (prog["relation"], prog["importance"], prog["level"]) == ("requires", 4.25, 5.0)
    assert prog["weight"] == pytest.approx((4.25 - 1) / 4)
    # a suppressed level is missing, the importance stays
    crit = _rel(v29, "onet:15-2051.00", "onet:2.A.2.a")
    assert crit["importance"] == 4.12 and math.isnan(crit["level"])
    # work styles have importance only
    assert math.isnan(_rel(v29, "onet:15-2051.00", "onet:1.C.1.a")["level"])
    r = v29.relations
    ceo = r[r["source_id"] == "onet:11-1011.00"]
    assert "onet:2.B.3.e" not in set(ceo["target_id"])  # Not Relevant = Y
    assert "onet:2.C.3.a" not in set(ceo["target_id"])  # both values suppressed
    req = r[r["relation"] == "requires"]["weight"].dropna()
    assert req.between(0, 1).all()


def test_tasks_dwas_and_technology(v29) -> None:
    t = _rel(v29, "onet:15-2051.00", "onet:task:1001")
    assert (t["detail"], t["importance"]) == ("core", 4.5)
    sup = _rel(v29, "onet:15-2051.00", "onet:task:1003")
    assert sup["detail"] == "supplemental" and math.isnan(sup["importance"])  # suppressed
    assert _rel(v29, "onet:task:1001", "onet:4.A.2.a.4.I07.D05")["relation"] == "related"
    assert "onet:task:9999" not in set(v29.relations["source_id"])  # unknown task dropped
    task = v29.competency("onet:task:1001")
    # no page per task: its occupation's details list it
    assert task["code"] == "1001" and task["url"].endswith("/link/details/15-2051.00")
    dwa = v29.competency("onet:4.A.2.a.4.I07.D05")
    assert dwa["url"].endswith("/find/descriptor/result/4.A.2.a.4.I07.D05")  # its own page
    tech = v29.competencies[v29.competencies["kind"] == "technology"].set_index("label")
    assert tech.loc["Python", "id"] == "onet:tech:python"
    assert tech.loc["C++", "id"] == "onet:tech:cpp"
    assert bool(tech.loc["Python", "hot_technology"]) is True
    assert bool(tech.loc["C++", "hot_technology"]) is False
    # colliding slugs get distinct ids; an example in two commodities sits under the commoner
    assert tech.loc["Node.js", "id"] != tech.loc["Node JS", "id"]
    assert tech.loc["Microsoft Excel", "parent_id"] == "onet:unspsc:43232110"
    assert _rel(v29, "onet:15-2051.00", "onet:tech:python")["detail"] == "hot"
    assert _rel(v29, "onet:15-2051.00", "onet:tech:cpp")["detail"] == ""
    assert tech["url"].str.startswith("https://www.onetonline.org/").all()


def test_occupation_profile(v29) -> None:
    prof = v29.occupation_profile("15-2051.00")
    top = prof.iloc[0]
    assert (top["id"], top["rating_level"]) == ("onet:4.A.2.a.4", 5.8)
    assert top["weight"] == pytest.approx(0.975)
    skills = prof[prof["kind"] == "skill"]
    assert set(skills["label"]) == {
        "Programming",
        "Mathematics",
        "Reading Comprehension",
        "Critical Thinking",
        "Complex Problem Solving",
    }
    assert prof["weight"].dropna().is_monotonic_decreasing


# -- layouts and containers -----------------------------------------------------------
def test_28_layout_partial_release_warns_once() -> None:
    _forget_partial_warnings()
    with pytest.warns(AlignDataWarning) as record:
        fw = load_onet(V28, use_cache=False)
    assert len(record) == 1
    # Once per process: loading the same release again says nothing more.
    with warnings.catch_warnings():
        warnings.simplefilter("error", AlignDataWarning)
        load_onet(V28, use_cache=False)
    msg = str(record[0].message)
    for name in ("Abilities", "Work Activities", "Work Styles", "Task Ratings"):
        assert name in msg
    assert "align data fetch onet" in msg
    assert fw.version == "28.0"
    # the 28.0 files (no Title column) give the same skills ratings as the 29.x files
    v29 = load_onet(V29, use_cache=False)
    cols = ["source_id", "target_id", "weight", "importance", "level"]

    def skills(f):
        r = f.relations.merge(f.competencies[["id", "kind"]], left_on="target_id", right_on="id")
        r = r[r["kind"] == "skill"][cols]
        return r.sort_values(cols[:2]).reset_index(drop=True)

    pdt.assert_frame_equal(skills(fw), skills(v29))
    assert len(fw.competencies[fw.competencies["kind"] == "dwa"]) == 3


def _to_xlsx(txt: Path, dst: Path) -> None:
    df = pd.read_csv(txt, sep="\t", dtype=str, keep_default_na=False)
    # Excel stores numbers as numbers: mimic it so the loader's text normalisation is tested.
    for col in ("Task ID", "Job Zone", "Commodity Code", "Data Value", "N"):
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    df.to_excel(dst, index=False)


def test_mixed_text_and_excel_subfolders(tmp_path: Path, v29) -> None:
    root = tmp_path / "db_29_1"
    (root / "text").mkdir(parents=True)
    (root / "excel").mkdir()
    for f in V29.glob("*.txt"):
        if f.stem in {"Skills", "Task Statements", "Technology Skills", "Job Zones"}:
            _to_xlsx(f, root / "excel" / f"{f.stem}.xlsx")
        else:
            shutil.copy(f, root / "text" / f.name)
    fw = load_onet(root, use_cache=False)
    _assert_same(fw, v29)


def test_excel_without_calamine(tmp_path: Path, v29, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy(V29, tmp_path / "db_29_1")
    for stem in ("Skills", "Task Statements"):
        _to_xlsx(root / f"{stem}.txt", root / f"{stem}.xlsx")
        (root / f"{stem}.txt").unlink()
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # import fails: openpyxl reads
    _assert_same(load_onet(root, use_cache=False), v29)


def test_text_preferred_over_excel(tmp_path: Path, v29) -> None:
    root = _copy(V29, tmp_path / "db_29_1")
    (root / "Skills.xlsx").write_bytes(b"not a workbook")  # never read: the .txt wins
    _assert_same(load_onet(root, use_cache=False), v29)


def test_release_zip(tmp_path: Path, v29) -> None:
    zpath = tmp_path / "db_29_1_text.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in V29.iterdir():
            zf.write(f, f"db_29_1_text/{f.name}")
    fw = load_onet(zpath, use_cache=False)
    _assert_same(fw, v29)
    assert fw.version == "29.1"
    assert load_framework(zpath).info.key == "onet"


def test_find_newest_release(tmp_path: Path) -> None:
    onet = tmp_path / "onet"
    _copy(V28, onet / "db_28_0")
    _copy(V29, onet / "db_29_1_text")
    _copy(V28, onet / "db_9_9")  # 9.9 < 29.1 although "9" > "2" as text
    (onet / "notes").mkdir()
    assert find_onet_release(tmp_path) == onet / "db_29_1_text"
    fw = load_framework("onet", data_dir=tmp_path)
    assert fw.version == "29.1"
    # a zip of a newer release wins over older folders
    with zipfile.ZipFile(onet / "db_29_2_text.zip", "w") as zf:
        for f in V29.iterdir():
            zf.write(f, f"db_29_2_text/{f.name}")
    assert find_onet_release(tmp_path) == onet / "db_29_2_text.zip"


def test_files_straight_in_onet_folder(tmp_path: Path) -> None:
    _copy(V29, tmp_path / "onet")
    assert find_onet_release(tmp_path) == tmp_path / "onet"
    assert load_framework("onet", data_dir=tmp_path).version == "29.1"


def test_no_release_in_data_dir(tmp_path: Path) -> None:
    with pytest.raises(FrameworkNotFoundError, match="align data fetch onet"):
        load_framework("onet", data_dir=tmp_path)


def test_version_and_sniffing() -> None:
    assert onet_version(V29) == "29.1"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        assert load_framework(V28).version == "28.0"


def test_cache_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(cache))
    root = _copy(V29, tmp_path / "db_29_1")
    first = load_onet(root)
    entries = list((cache / "frameworks").iterdir())
    assert len(entries) == 1
    second = load_onet(root)
    _assert_same(first, second)
    assert second.competencies["hot_technology"].dtype == "boolean"
    # a changed file is parsed again, into a new entry
    occ = root / "Occupation Data.txt"
    occ.write_text(occ.read_text("utf-8").replace("Data Scientists", "Data Science Staff"))
    third = load_onet(root)
    assert "Data Science Staff" in set(third.occupations["title"])
    assert len(list((cache / "frameworks").iterdir())) == 2


# -- bad input ------------------------------------------------------------------------
def _broken(tmp_path: Path, name: str, content: bytes) -> Path:
    root = _copy(V29, tmp_path / "db_29_1")
    target = root / name
    for old in root.glob(f"{Path(name).stem}.*"):
        old.unlink()
    target.write_bytes(content)
    return root


def _error(root: Path, cls: type[AlignError] = FrameworkFormatError) -> str:
    with pytest.raises(cls) as info:
        _load_quiet(root, use_cache=False)
    return str(info.value)


def test_missing_occupation_data(tmp_path: Path) -> None:
    root = _copy(V29, tmp_path / "db_29_1")
    (root / "Occupation Data.txt").unlink()
    msg = _error(root, FrameworkNotFoundError)
    assert "Occupation Data" in msg and "--data-dir" in msg and "align data fetch onet" in msg


def test_missing_folder(tmp_path: Path) -> None:
    assert "does not exist" in _error(tmp_path / "nowhere", FrameworkNotFoundError)


@pytest.mark.parametrize(("sep", "word"), [(",", "comma"), (";", "semicolon")])
def test_wrong_delimiter(tmp_path: Path, sep: str, word: str) -> None:
    text = (V29 / "Skills.txt").read_text("utf-8").replace("\t", sep)
    msg = _error(_broken(tmp_path, "Skills.txt", text.encode()))
    assert "Skills.txt" in msg and f"{word}-separated" in msg and "tab-delimited" in msg


def test_not_utf8(tmp_path: Path) -> None:
    text = (V29 / "Occupation Data.txt").read_text("utf-8").replace("organisation", "organisé")
    msg = _error(_broken(tmp_path, "Occupation Data.txt", text.encode("latin-1")))
    assert "Occupation Data.txt" in msg and "not UTF-8" in msg and "0xe9" in msg


def test_utf16(tmp_path: Path) -> None:
    text = (V29 / "Job Zones.txt").read_text("utf-8")
    msg = _error(_broken(tmp_path, "Job Zones.txt", text.encode("utf-16")))
    assert "UTF-16" in msg and "Job Zones.txt" in msg


def test_empty_file(tmp_path: Path) -> None:
    msg = _error(_broken(tmp_path, "Task Statements.txt", b""))
    assert "Task Statements.txt" in msg and "is empty" in msg


def test_header_only(tmp_path: Path) -> None:
    header = (V29 / "Knowledge.txt").read_text("utf-8").split("\n", 1)[0] + "\n"
    msg = _error(_broken(tmp_path, "Knowledge.txt", header.encode()))
    assert "no data rows" in msg


def test_truncated_mid_row(tmp_path: Path) -> None:
    raw = (V29 / "Skills.txt").read_bytes()
    cut = raw[: raw.rfind(b"\t", 0, len(raw) - 30)]
    msg = _error(_broken(tmp_path, "Skills.txt", cut))
    assert "truncated" in msg and "Skills.txt" in msg


def test_wrong_columns(tmp_path: Path) -> None:
    text = (V29 / "DWA Reference.txt").read_text("utf-8").replace("DWA Title", "Statement")
    msg = _error(_broken(tmp_path, "DWA Reference.txt", text.encode()))
    assert "DWA Reference.txt" in msg and "lacks ['DWA Title']" in msg and "expected" in msg


def test_corrupt_xlsx(tmp_path: Path) -> None:
    msg = _error(_broken(tmp_path, "Skills.xlsx", b"PK\x03\x04 this is not a workbook"))
    assert "Skills.xlsx" in msg and "Excel workbook" in msg and ".txt" in msg


def test_zip_without_release(tmp_path: Path) -> None:
    zpath = tmp_path / "db_29_1_text.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("readme.md", "nothing here")
    msg = _error(zpath)
    assert "Occupation Data" in msg and "readme.md" in msg


def test_zip_with_two_releases(tmp_path: Path) -> None:
    zpath = tmp_path / "both.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for folder in (V28, V29):
            for f in folder.iterdir():
                zf.write(f, f"{folder.name}/{f.name}")
    assert "copies" in _error(zpath)


def test_not_a_zip(tmp_path: Path) -> None:
    zpath = tmp_path / "db_29_1_text.zip"
    zpath.write_bytes(b"<html>Not found</html>")
    assert "not a readable zip" in _error(zpath)


# -- the real O*NET 29.3 (../shared/data) ---------------------------------------------
@pytest.mark.realdata
def test_real_counts(onet) -> None:
    counts = onet.competencies["kind"].value_counts()
    assert len(onet.occupations) == 1016
    assert counts["task"] == 18796
    assert counts["dwa"] == 2087
    assert counts["iwa"] == 332
    skills = onet.competencies[onet.competencies["kind"] == "skill"]
    assert len(skills) == 35
    assert skills["code"].str.startswith("2.A.").sum() == 10
    assert skills["code"].str.startswith("2.B.").sum() == 25
    assert counts["knowledge"] == 33
    assert onet.version == "29.3"
    assert onet.competencies["id"].is_unique
    assert onet.competencies["parent_id"].dropna().isin(onet.competencies["id"]).all()
    reading = onet.competency("onet:2.A.1.a")
    assert reading["label"] == "Reading Comprehension" and reading["description"]


@pytest.mark.realdata
def test_real_profile(onet, data_dir: Path) -> None:
    prof = onet.occupation_profile("15-2051.01")
    rated = prof[prof["kind"].isin(["skill", "knowledge"])]
    assert set(rated["kind"]) == {"skill", "knowledge"}
    # 35 skills minus those O*NET marks Not Relevant for this occupation
    assert 20 <= len(rated[rated["kind"] == "skill"]) <= 35
    assert rated["weight"].between(0, 1).all()
    raw = pd.read_excel(data_dir / "onet/db_29_3/excel/Skills.xlsx", engine="calamine")
    raw = raw[(raw["O*NET-SOC Code"] == "15-2051.01") & (raw["Element ID"] == "2.A.1.a")]
    im = raw.loc[raw["Scale ID"] == "IM", "Data Value"].iloc[0]
    lv = raw.loc[raw["Scale ID"] == "LV", "Data Value"].iloc[0]
    row = rated[rated["id"] == "onet:2.A.1.a"].iloc[0]
    assert (row["importance"], row["rating_level"]) == (im, lv)
    assert row["weight"] == pytest.approx((im - 1) / 4)
    assert rated["importance"].notna().all()
    # 29.3 has no skill ratings for Data Scientists (15-2051.00): tasks and tools only
    ds = onet.occupation_profile("15-2051.00")
    assert set(ds["kind"]) == {"task", "technology"}
    assert (ds["kind"] == "task").sum() > 10


@pytest.mark.realdata
def test_real_partial_release_warns(data_dir: Path) -> None:
    _forget_partial_warnings()
    with pytest.warns(AlignDataWarning) as record:
        load_framework("onet", data_dir=data_dir)
    messages = [str(w.message) for w in record if issubclass(w.category, AlignDataWarning)]
    assert len(messages) == 1
    for name in ("Abilities", "Work Activities", "Task Ratings"):
        assert name in messages[0]


@pytest.mark.realdata
@pytest.mark.slow
def test_real_cache_round_trip(data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    first = _load_quiet(find_onet_release(data_dir))
    second = _load_quiet(find_onet_release(data_dir))
    _assert_same(first, second)
    assert len(list((tmp_path / "frameworks").iterdir())) == 1


def test_build_steps_can_be_called_alone() -> None:
    """The loader's steps (read, occupations, elements, activities, tasks, technology)."""
    from align.frameworks import onet as m

    release = m._locate(FIXTURES / "db_29_1")
    frames = m._read_frames(release, "29.1")
    occ = m._occupations(frames)
    assert occ["id"].str.startswith("onet:").all() and len(occ) == 3
    elements, gwa_ids = m._elements(frames)
    assert {"skill", "knowledge", "area"} <= set(elements["kind"])
    acts = m._activities(frames, gwa_ids)
    assert {k for part in acts for k in part["kind"]} <= {"iwa", "dwa"}
    parts, rels = m._tasks(frames, set(occ["id"]))
    assert all(p["kind"].eq("task").all() for p in parts)
    assert {r["relation"].iloc[0] for r in rels if len(r)} <= {"requires", "related"}
    tparts, trels = m._technology(frames, set(occ["id"]))
    assert len(tparts) in (0, 2) and len(trels) in (0, 1)
    whole = m._build(release, "29.1")
    built = m._competencies([elements, *acts, *parts, *tparts])
    # The Framework adds its documented columns; the rows are the steps' rows, in order.
    assert whole.competencies["id"].tolist() == built["id"].tolist()
