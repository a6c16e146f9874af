"""Unit tests of the Framework model, the registry and the parsed-framework cache."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from align import (
    Framework,
    FrameworkFormatError,
    FrameworkInfo,
    UnknownNameError,
    available_frameworks,
    load_framework,
)
from align.exceptions import AlignDataWarning, AlignError
from align.frameworks import COMPETENCY_COLUMNS, OCCUPATION_COLUMNS, RELATION_COLUMNS
from align.frameworks._cache import cached_framework, clear_framework_cache, hash_files


def _info(key: str = "demo") -> FrameworkInfo:
    return FrameworkInfo(
        key=key,
        name="Demo",
        publisher="Us",
        version="1",
        source_url="",
        licence="CC0",
        attribution="Demo attribution",
    )


def _demo() -> Framework:
    comps = pd.DataFrame(
        {
            "id": ["demo:a", "demo:b", "demo:c"],
            "framework": "demo",
            "code": ["a", "b", "c"],
            "label": ["Data analysis", "Writing", "Statistics"],
            "kind": ["skill", "skill", "knowledge"],
            "parent_id": [None, None, "demo:a"],
            "alt_labels": [["analysing data"], None, []],
            "extra": [1, 2, 3],
        }
    )
    occs = pd.DataFrame(
        {
            "id": ["demo:o1"],
            "framework": "demo",
            "code": ["15-2051.00"],
            "title": ["Data Scientist"],
        }
    )
    rels = pd.DataFrame(
        {
            "source_id": ["demo:o1", "demo:o1", "demo:c"],
            "target_id": ["demo:a", "demo:c", "demo:a"],
            "relation": ["requires", "requires", "broader"],
            "weight": [0.9, 0.4, None],
            "importance": [4.6, 2.6, None],
            "level": [5.0, 3.0, None],
        }
    )
    return Framework(_info(), comps, occs, rels)


def test_tables_have_documented_columns_then_extras() -> None:
    fw = _demo()
    assert tuple(fw.competencies.columns[: len(COMPETENCY_COLUMNS)]) == COMPETENCY_COLUMNS
    assert fw.competencies.columns[-1] == "extra"
    assert tuple(fw.occupations.columns) == OCCUPATION_COLUMNS
    assert tuple(fw.relations.columns) == RELATION_COLUMNS
    assert fw.competencies["alt_labels"].tolist() == [["analysing data"], [], []]
    assert fw.competencies["parent_id"].tolist() == [None, None, "demo:a"]


def test_unknown_kind_is_a_format_error() -> None:
    comps = pd.DataFrame(
        {"id": ["x:1"], "framework": "x", "code": "1", "label": "L", "kind": ["gizmo"]}
    )
    with pytest.raises(FrameworkFormatError, match="unknown kind"):
        Framework(_info("x"), comps)


def test_missing_required_column_is_reported() -> None:
    with pytest.raises(FrameworkFormatError, match="label"):
        Framework(
            _info(), pd.DataFrame({"id": ["a"], "framework": "d", "code": "a", "kind": "skill"})
        )


def test_occupation_profile_sorted_by_weight_with_both_levels() -> None:
    prof = _demo().occupation_profile("15-2051.00")
    assert prof["id"].tolist() == ["demo:a", "demo:c"]
    assert prof["importance"].tolist() == [4.6, 2.6]
    assert prof["rating_level"].tolist() == [5.0, 3.0]
    assert {"weight", "occupation_id", "level", "label"} <= set(prof.columns)
    # the same occupation by namespaced id
    assert len(_demo().occupation_profile("demo:o1")) == 2


def test_occupation_profile_unknown_code_says_how_codes_look() -> None:
    with pytest.raises(UnknownNameError, match=r"15-2051\.00") as exc:
        _demo().occupation_profile("99-9999.99")
    assert isinstance(exc.value, KeyError) and isinstance(exc.value, AlignError)
    assert "99-9999.99" in str(exc.value)


def test_subset_keeps_relations_between_kept_items() -> None:
    sub = _demo().subset(["skill"])
    assert set(sub.competencies["kind"]) == {"skill"}
    assert set(sub.relations["target_id"]) == {"demo:a"}
    with pytest.raises(UnknownNameError):
        _demo().subset(["gizmo"])


def test_summary_and_html() -> None:
    fw = _demo()
    s = fw.summary()
    assert s["kinds"] == {"skill": 2, "knowledge": 1}
    assert s["occupations"] == 1
    assert "Demo attribution" in fw._repr_html_()


def test_cache_round_trip_and_invalidation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "source.txt"
    src.write_text("v1")
    calls: list[int] = []

    def build() -> Framework:
        calls.append(1)
        return _demo()

    first = cached_framework("demo", [src], build)
    second = cached_framework("demo", [src], build)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first.competencies, second.competencies)
    pd.testing.assert_frame_equal(first.relations, second.relations)
    assert second.info == first.info
    src.write_text("v2")  # changed source: parsed again
    cached_framework("demo", [src], build)
    assert len(calls) == 2
    assert clear_framework_cache() == 2


def test_build_version_invalidates_only_that_loaders_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "s.txt"
    src.write_text("x")
    built: list[str] = []

    def build(key: str) -> Framework:
        built.append(key)
        return _demo()

    for key in ("one", "two"):
        cached_framework(key, [src], lambda key=key: build(key), build_version="1")
    cached_framework("one", [src], lambda: build("one"), build_version="2")  # loader changed
    cached_framework("two", [src], lambda: build("two"), build_version="1")  # still cached
    assert built == ["one", "two", "one"]


def test_corrupt_cache_entry_is_rebuilt_with_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "s.txt"
    src.write_text("x")
    cached_framework("demo", [src], _demo)
    (entry,) = (tmp_path / "cache" / "frameworks").iterdir()
    (entry / "competencies.parquet").write_bytes(b"not parquet")
    with pytest.warns(AlignDataWarning, match="could not be read"):
        fw = cached_framework("demo", [src], _demo)
    assert len(fw) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(cached_framework("demo", [src], _demo)) == 3


def test_hash_files_depends_on_content(tmp_path: Path) -> None:
    a = tmp_path / "a"
    a.write_text("1")
    h1 = hash_files([a])
    a.write_text("2")
    assert hash_files([a]) != h1


def test_load_framework_unknown_name_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="onet, esco"):
        load_framework("no-such-framework", data_dir=tmp_path)


def test_load_framework_unrecognised_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(FrameworkFormatError, match="Occupation Data"):
        load_framework(tmp_path, data_dir=tmp_path)


def test_load_framework_bad_zip(tmp_path: Path) -> None:
    bad = tmp_path / "release.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(FrameworkFormatError, match="not a readable zip"):
        load_framework(bad, data_dir=tmp_path)


def test_available_frameworks_reports_presence(tmp_path: Path) -> None:
    (tmp_path / "onet" / "db_29_3").mkdir(parents=True)
    (tmp_path / "onet" / "db_29_3" / "x.txt").write_text("")
    table = available_frameworks(tmp_path).set_index("name")
    assert bool(table.loc["onet", "available"])
    assert not bool(table.loc["esco", "available"])
    assert bool(table.loc["nace", "available"])  # built in


def test_load_framework_recognises_cmc_and_nace_tables(tmp_path: Path) -> None:
    cmc = load_framework(Path(__file__).parents[1] / "data" / "cmc" / "industry_model.csv")
    assert cmc.key == "cmc"
    nace_file = tmp_path / "competencies.csv"
    nace_file.write_text(
        "competency,definition\nCommunication,Shares ideas clearly with others.\n", "utf-8"
    )
    assert load_framework(nace_file).key == "nace"
    assert load_framework(tmp_path).key == "nace"  # a folder of NACE tables


@pytest.mark.realdata
def test_load_framework_on_real_nace_folder(data_dir: Path) -> None:
    fw = load_framework(data_dir / "nace")
    assert fw.key == "nace"
    assert fw.counts().to_dict() == {"behaviour": 56, "competency": 8}
