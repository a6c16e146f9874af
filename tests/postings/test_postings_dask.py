"""Dask engine: a 2-worker LocalCluster gives exactly the local engine's results.

Two paths: a cluster whose workers are threads (``processes=False``, fast, also
with the model), and the default path (``scheduler=None``), which starts worker
*processes*: the matcher factory and batch function must pickle to them, and
each worker fits its matcher once. The tests read only public results (the
stored skills and the batch note), never the engine's private state.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from align.postings import PostingsStore, extract_skills

BODIES = [
    "- Write SQL queries\n- Build dashboards in Tableau\nTrain machine learning models.",
    "Provide patient care. Strong communication skills. We are an equal opportunity employer.",
    "Operate a forklift safely. Welding experience is a plus.",
    "Python and SQL for analysis.",
    "Nothing relevant here at all.",
    "Communication with patients and families.",
    "Tableau reporting; SQL.",
]


def _store(path: Path) -> PostingsStore:
    src = path.parent / f"{path.stem}.jsonl"
    src.write_text(
        "".join(
            json.dumps({"ID": f"d{i}", "BODY": b, "TITLE_RAW": "x"}) + "\n"
            for i, b in enumerate(BODIES)
        ),
        encoding="utf-8",
    )
    store = PostingsStore(path)
    store.ingest(src, progress=False)
    return store


def _extracted(store: PostingsStore) -> pd.DataFrame:
    return store.query(
        "SELECT posting_id, skill_id, skill_name, skill_type, score, method, "
        "evidence FROM posting_skills WHERE source = 'extracted' "
        "ORDER BY posting_id, skill_id"
    )


@pytest.mark.parametrize("method", ["lexical", pytest.param("hybrid", marks=pytest.mark.slow)])
def test_dask_matches_local(
    tmp_path: Path, method: str, tiny_skills, request: pytest.FixtureRequest
) -> None:
    from distributed import LocalCluster

    fw = tiny_skills
    if method == "hybrid":
        request.getfixturevalue("embedder")  # the model is present and loads
    with _store(tmp_path / "local.duckdb") as local:
        extract_skills(
            local, method=method, framework=fw, threshold=0.4, batch_size=2, progress=False
        )
        expected = _extracted(local)
    assert len(expected) >= 5
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        _store(tmp_path / "dask.duckdb") as d,
    ):
        report = extract_skills(
            d,
            method=method,
            framework=fw,
            threshold=0.4,
            batch_size=2,
            engine="dask",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
        got = _extracted(d)
    assert report.attrs["batch"]["rows_read"] == len(BODIES)
    assert "engine=dask" in report.attrs["batch"]["note"]
    pd.testing.assert_frame_equal(got, expected)
    _assert_one_fit_per_worker(report.attrs["batch"]["note"])


def _assert_one_fit_per_worker(note: str) -> None:
    """Four partitions, but each worker fitted its matcher once (the note says so)."""
    m = re.search(r"(\d+) matcher fit\(s\) on (\d+) worker\(s\)", note)
    assert m, note
    fits, workers = int(m.group(1)), int(m.group(2))
    assert 1 <= workers <= 2 and fits == workers


def test_dask_worker_processes_match_local(tmp_path: Path, tiny_skills) -> None:
    """The default engine path: a LocalCluster of worker processes (scheduler=None)."""
    fw = tiny_skills
    with _store(tmp_path / "local.duckdb") as local:
        extract_skills(
            local, method="lexical", framework=fw, threshold=0.4, batch_size=2, progress=False
        )
        expected = _extracted(local)
    with _store(tmp_path / "dask.duckdb") as d:
        report = extract_skills(
            d,
            method="lexical",
            framework=fw,
            threshold=0.4,
            batch_size=2,
            engine="dask",
            n_workers=2,
            progress=False,
        )
        got = _extracted(d)
    pd.testing.assert_frame_equal(got, expected)
    _assert_one_fit_per_worker(report.attrs["batch"]["note"])


def test_dask_engine_without_dask_names_the_extra(
    tmp_path: Path, tiny_skills, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from align.exceptions import AlignError, MissingDependencyError

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with _store(tmp_path / "d.duckdb") as d, pytest.raises(MissingDependencyError) as info:
        extract_skills(d, method="lexical", framework=tiny_skills, engine="dask", progress=False)
    assert isinstance(info.value, AlignError) and isinstance(info.value, ImportError)
    assert "pip install 'align[dask]'" in str(info.value)
