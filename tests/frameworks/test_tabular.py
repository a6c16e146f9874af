"""Tabular loader: any CSV/XLSX with a column mapping; delimiters, encodings and bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from align.exceptions import (
    AlignDataWarning,
    FrameworkFormatError,
    FrameworkNotFoundError,
    InvalidArgumentError,
)
from align.frameworks.tabular import _depths, load_tabular

MODEL = Path(__file__).resolve().parents[1] / "data" / "tabular" / "model.csv"
MAPPING = {
    "id": "Code",
    "label": "Competency",
    "description": "Definition",
    "kind": "Type",
    "parent": "Parent",
    "alt_labels": "Also known as",
    "url": "Link",
}


def _load(path: Path, mapping: dict[str, str] | None = None, **kw: object):
    kw.setdefault("key", "demo")
    kw.setdefault("name", "Demo model")
    return load_tabular(path, MAPPING if mapping is None else mapping, **kw)  # type: ignore[arg-type]


def _model_frame() -> pd.DataFrame:
    return pd.read_csv(MODEL, sep=";", dtype=str, keep_default_na=False)


def test_full_mapping() -> None:
    fw = _load(MODEL, version="2024", publisher="Demo office", licence="CC BY 4.0")
    c = fw.competencies.set_index("code")
    assert list(c.index) == ["T1", "C1", "C2", "B1"]
    assert c.loc["C1", "id"] == "demo:C1"
    assert list(c["kind"]) == ["area", "competency", "competency", "behaviour"]
    assert c.loc["C1", "alt_labels"] == ["honesty", "ethics"]
    assert c.loc["C1", "url"] == "https://example.org/c1"
    assert c.loc["C1", "parent_id"] == "demo:T1"
    # A parent given by its label is found too.
    assert c.loc["C2", "parent_id"] == "demo:T1"
    assert list(c["level"]) == [1, 2, 2, 3]
    assert (fw.info.key, fw.info.version, fw.info.licence) == ("demo", "2024", "CC BY 4.0")
    assert fw.info.source_path.endswith("model.csv")


def test_label_only_makes_codes_from_labels(tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text("Skill\nTeam work\nTeam-work\nListening\n", "utf-8")
    fw = _load(f, {"label": "skill"})  # column names match ignoring case
    assert list(fw.competencies["code"]) == ["team-work", "team-work-2", "listening"]
    assert set(fw.competencies["kind"]) == {"competency"}
    assert list(fw.competencies["level"]) == [1, 1, 1]
    assert fw.competencies["parent_id"].isna().all()


@pytest.mark.parametrize("sep", [",", "\t", "|", ";"])
def test_delimiters_are_detected(tmp_path: Path, sep: str) -> None:
    f = tmp_path / "model.txt"
    _model_frame().to_csv(f, sep=sep, index=False)
    assert len(_load(f)) == 4


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_encodings(tmp_path: Path, encoding: str) -> None:
    f = tmp_path / "model.csv"
    f.write_text("Code,Name\nK1,Crème brûlée\n", encoding)
    assert _load(f, {"id": "Code", "label": "Name"}).competencies.loc[0, "label"] == (
        "Crème brûlée"
    )


def test_cp1252_warns(tmp_path: Path) -> None:
    f = tmp_path / "model.csv"
    f.write_bytes("Code,Name\nK1,Crème brûlée\n".encode("cp1252"))
    with pytest.warns(AlignDataWarning, match="Windows-1252"):
        fw = _load(f, {"id": "Code", "label": "Name"})
    assert fw.competencies.loc[0, "label"] == "Crème brûlée"


def test_excel_sheets(tmp_path: Path) -> None:
    f = tmp_path / "model.xlsx"
    with pd.ExcelWriter(f) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="Notes", index=False)
        _model_frame().to_excel(xw, sheet_name="Model", index=False)
    fw = _load(f, sheet="Model")
    assert list(fw.competencies["code"]) == ["T1", "C1", "C2", "B1"]
    assert len(_load(f, sheet=1)) == 4
    with pytest.raises(InvalidArgumentError, match=r"\['Notes', 'Model'\]"):
        _load(f, sheet="Other")
    with pytest.raises(FrameworkFormatError, match=r"columns found are \['x'\]"):
        _load(f)  # first sheet has other columns


def test_numeric_levels_from_file(tmp_path: Path) -> None:
    f = tmp_path / "tiers.csv"
    f.write_text("Tier,Name\n1,Personal\n2,Academic\nthree,Workplace\n", "utf-8")
    with pytest.warns(AlignDataWarning, match="not numbers"):
        fw = _load(f, {"level": "Tier", "label": "Name"})
    assert list(fw.competencies["level"].astype("Float64").fillna(-1)) == [1, 2, -1]


def test_recoverable_problems_warn(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text(
        "id,label,kind,parent\nA,Alpha,mystery,\nA,Again,skill,\nB,,skill,\nC,Gamma,,Nowhere\n",
        "utf-8",
    )
    with pytest.warns(AlignDataWarning) as record:
        fw = _load(f, {"id": "id", "label": "label", "kind": "kind", "parent": "parent"})
    text = " ".join(str(w.message) for w in record)
    assert "empty label" in text
    assert "'mystery'" in text
    assert "repeat an id" in text
    assert "match no id" in text
    c = fw.competencies
    assert list(c["code"]) == ["A", "A-2", "C"]
    assert list(c["kind"]) == ["competency", "skill", "competency"]
    assert c["parent_id"].isna().all()


# -- bad input ---------------------------------------------------------------------


def test_missing_mapped_column_lists_columns() -> None:
    with pytest.raises(FrameworkFormatError) as info:
        _load(MODEL, {"label": "Name", "id": "Code"})
    msg = str(info.value)
    assert "label='Name'" in msg
    assert "'Competency'" in msg and "'Definition'" in msg


def test_wrong_delimiter_hint(tmp_path: Path) -> None:
    # Decimal-comma locales sometimes quote whole rows; the header is then one column.
    f = tmp_path / "m.csv"
    f.write_text('"Code;Name"\n"K1;Baking"\n', "utf-8")
    with pytest.raises(FrameworkFormatError, match="contains a semicolon"):
        _load(f, {"label": "Name"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"Code,Name\n", "no data rows"),
        (b"Code,Name,Notes\nK1,Baking,ok\nK2,Fry", "looks truncated"),
        (b'Code,Name\nK1,"Baking\n', "truncated"),
        (b"\x00\x01\x02binary", "binary data"),
        (b"PK\x03\x04", "zip or Excel"),
        (b"Code,Name\nK1,\x81\x8d\x8f\x90\x9d\n", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    f = tmp_path / "m.csv"
    f.write_bytes(content)
    with pytest.raises(FrameworkFormatError, match=message):
        _load(f, {"label": "Name"})


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FrameworkNotFoundError, match="does not exist"):
        _load(tmp_path / "nope.csv", {"label": "x"})
    with pytest.raises(FrameworkFormatError, match="is a folder"):
        _load(tmp_path, {"label": "x"})


def test_damaged_workbook(tmp_path: Path) -> None:
    f = tmp_path / "m.xlsx"
    f.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(FrameworkFormatError, match="Excel workbook"):
        _load(f, {"label": "x"})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mapping": {"name": "Competency"}}, "unknown field"),
        ({"mapping": {"id": "Code"}}, "has no 'label'"),
        ({"key": "my model"}, "not a valid framework key"),
        ({"default_kind": "widget"}, "not a competency kind"),
        ({"sheet": "Model"}, "not an Excel workbook"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, object], message: str) -> None:
    mapping = kwargs.pop("mapping", MAPPING)
    with pytest.raises(InvalidArgumentError, match=message):
        _load(MODEL, mapping, **kwargs)  # type: ignore[arg-type]


# -- properties --------------------------------------------------------------------


@given(st.lists(st.integers(min_value=-1, max_value=30), min_size=1, max_size=30))
def test_depths_follow_parents(parents: list[int]) -> None:
    ids = [f"n{i}" for i in range(len(parents))]
    par = [f"n{p}" if 0 <= p < len(parents) else None for p in parents]
    depth = dict(zip(ids, _depths(ids, par), strict=True))
    parent_of = dict(zip(ids, par, strict=True))

    def on_cycle(node: str) -> bool:
        cur, steps = parent_of[node], 0
        while cur is not None and steps <= len(ids):
            if cur == node:
                return True
            cur, steps = parent_of[cur], steps + 1
        return False

    for node, parent in parent_of.items():
        if parent is None:
            assert depth[node] == 1
        else:
            # The one rule-breaker allowed: the node where a cycle was cut starts at 1.
            assert depth[node] == depth[parent] + 1 or (depth[node] == 1 and on_cycle(node))
