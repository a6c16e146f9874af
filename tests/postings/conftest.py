"""Fixtures for the postings tests: the hand-made Lightcast-shaped export in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "postings"
LIGHTCAST_CSV = FIXTURES / "lightcast_small.csv"


def _lists(df: pd.DataFrame) -> pd.DataFrame:
    """The fixture with every list column parsed to Python lists."""
    from align.postings import parse_list_cell

    out = df.copy()
    for c in out.columns:
        if "SKILLS" in c or "CERTIFICATIONS" in c:
            out[c] = [parse_list_cell(v) for v in out[c]]
    return out


@pytest.fixture
def lightcast_frame() -> pd.DataFrame:
    """The fixture export as strings (list cells as written in the CSV)."""
    return pd.read_csv(LIGHTCAST_CSV, dtype=str, keep_default_na=False)


@pytest.fixture
def export_files(tmp_path: Path, lightcast_frame: pd.DataFrame) -> dict[str, Path]:
    """The same five postings as CSV, lower-case-header CSV, JSONL, Parquet and XLSX."""
    files = {"csv": LIGHTCAST_CSV}
    lower = lightcast_frame.rename(columns=str.lower)
    files["csv_lower"] = tmp_path / "lower.csv"
    lower.to_csv(files["csv_lower"], index=False)
    listed = _lists(lightcast_frame)
    files["jsonl"] = tmp_path / "export.jsonl"
    with open(files["jsonl"], "w", encoding="utf-8") as fh:
        for rec in listed.to_dict("records"):
            fh.write(json.dumps(rec) + "\n")
    files["parquet"] = tmp_path / "export.parquet"
    listed.to_parquet(files["parquet"], index=False)
    delimited = listed.copy()
    for c in delimited.columns:
        if isinstance(delimited[c].iloc[0], list):
            delimited[c] = ["; ".join(v) for v in delimited[c]]
    files["xlsx"] = tmp_path / "export.xlsx"
    delimited.to_excel(files["xlsx"], index=False)
    return files


@pytest.fixture(scope="session")
def tiny_skills():
    """A hand-made Lightcast-shaped skills list (fixture ids, not real Lightcast ids)."""
    labels = [
        "SQL (Programming Language)",
        "Tableau (Business Intelligence Software)",
        "Machine Learning",
        "Python (Programming Language)",
        "Patient Care",
        "Communication",
        "Welding",
        "Forklift Operation",
        "Equal Opportunity Law",
        "Dental Hygiene",
    ]
    from align import Framework, FrameworkInfo

    info = FrameworkInfo(
        key="lightcast",
        name="fixture",
        publisher="tests",
        version="0",
        source_url="",
        licence="CC0",
        attribution="",
    )
    alts = [["SQL"], ["Tableau"], [], ["Python"], [], [], [], [], [], []]
    return Framework(info, pd.DataFrame({
        "id": [f"lightcast:KSFIX{i:02d}" for i in range(len(labels))],
        "framework": "lightcast", "code": [f"KSFIX{i:02d}" for i in range(len(labels))],
        "label": labels, "kind": "skill", "alt_labels": alts,
    }))  # fmt: skip
