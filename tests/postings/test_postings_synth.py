"""Synthetic generator: labelled, reproducible, long-tailed, readable by the loader."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from align.exceptions import InvalidArgumentError
from align.postings import (
    PostingsStore,
    skill_demand,
    synthesize_postings,
    write_synthetic_postings,
)

SKILLS = pd.DataFrame({
    "id": [f"KSFAKE{i:04d}" for i in range(200)],
    "name": [f"Fixture skill {i}" for i in range(200)],
    "group": ["specialized"] * 150 + ["common"] * 40 + ["certification"] * 10,
})  # fmt: skip
OCCS = pd.DataFrame({
    "code": ["15-2051.00", "29-1141.00", "51-4121.00"],
    "title": ["Fixture scientists", "Fixture nurses", "Fixture welders"],
    "alt_titles": [["Fixture analyst"], [], ["Fixture fabricator"]],
})  # fmt: skip


def _frame(rows: int, seed: int = 0) -> pd.DataFrame:
    return pd.concat(
        list(synthesize_postings(rows, seed=seed, skills=SKILLS, occupations=OCCS, chunk_rows=700)),
        ignore_index=True,
    )


def test_rows_are_labelled_synthetic_and_reproducible() -> None:
    a, b = _frame(1500, seed=3), _frame(1500, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert (a["SOURCES"] == "align-synthetic").all()
    assert a["ID"].str.startswith("SYNTH-").all() and a["ID"].is_unique
    assert not _frame(50, seed=4)["ID"].isin(a["ID"]).any()
    assert set(a["ONET"]) <= set(OCCS["code"])
    years = pd.to_datetime(a["POSTED"]).dt.year
    assert set(years) == {2021, 2022, 2023, 2024}


def test_skill_frequency_is_long_tailed() -> None:
    counts = _frame(3000)["SKILLS"].explode().value_counts()
    # Zipf: the most common skill is far above the median one, and a tenth of the
    # skills take a large part of all mentions (uniform draws would give a tenth).
    assert counts.iloc[0] > 10 * counts.median()
    assert counts.iloc[:20].sum() / counts.sum() > 0.35


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl", "xlsx"])
def test_every_format_round_trips_through_ingest(tmp_path: Path, fmt: str) -> None:
    path = write_synthetic_postings(
        tmp_path / f"s.{fmt}", 400, seed=1, skills=SKILLS, occupations=OCCS, progress=False
    )
    with PostingsStore(":memory:") as store:
        report = store.ingest(path, progress=False)
        assert int(report.loc[0, "rows_loaded"]) == 400
        demand = skill_demand(store, occupation="29-", top=5)
    direct = _frame(400, seed=1)
    nurses = direct[direct["ONET"] == "29-1141.00"]
    top = nurses["SKILLS"].explode().value_counts()
    assert demand["postings"].iloc[0] == top.iloc[0]
    assert demand["skill_id"].iloc[0] == "lightcast:" + top.index[0]


def test_files_carry_a_synthetic_note(tmp_path: Path) -> None:
    pq_path = write_synthetic_postings(
        tmp_path / "s.parquet", 10, skills=SKILLS, occupations=OCCS, progress=False
    )
    meta = pq.read_schema(pq_path).metadata
    assert b"SYNTHETIC" in meta[b"align_note"]
    js = write_synthetic_postings(
        tmp_path / "s.jsonl", 3, skills=SKILLS, occupations=OCCS, progress=False
    )
    rec = json.loads(js.read_text("utf-8").splitlines()[0])
    assert rec["SOURCES"] == "align-synthetic" and isinstance(rec["SKILLS"], list)


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="format 'txt'"):
        write_synthetic_postings(tmp_path / "s.txt", 5, skills=SKILLS, occupations=OCCS)
    with pytest.raises(InvalidArgumentError, match="rows must be"):
        next(synthesize_postings(-1, skills=SKILLS, occupations=OCCS))


@pytest.mark.realdata
def test_real_vocabularies_give_real_codes_and_skills(data_dir: Path, onet) -> None:
    from align import load_framework

    df = _real(data_dir)
    assert set(df["ONET"]) <= set(onet.occupations["code"])
    lc = load_framework("lightcast", data_dir=data_dir)
    assert set(df["SKILLS"].explode().dropna()) <= set(lc.competencies["code"])


def _real(data_dir: Path) -> pd.DataFrame:
    import warnings

    from align.exceptions import AlignDataWarning

    with warnings.catch_warnings():
        # The shared copies are partial releases; their loaders say so.
        warnings.simplefilter("ignore", AlignDataWarning)
        return pd.concat(list(synthesize_postings(300, data_dir=data_dir)), ignore_index=True)
