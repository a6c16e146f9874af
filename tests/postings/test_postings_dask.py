"""Dask engine: a 2-worker LocalCluster gives exactly the local engine's results.

The cluster runs its workers as threads (``processes=False``): spawning two
worker processes that each import torch costs tens of seconds on a shared
2-core CI machine and tests nothing more about our code, which only submits
partitions and reads results. The default engine path (``scheduler=None``)
starts worker processes; the scale benchmark exercises it.
"""

from __future__ import annotations

import json
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

    from align.postings._dask import _MATCHERS

    fw = tiny_skills
    if method == "hybrid":
        request.getfixturevalue("embedder")  # the model is present and loads
    with _store(tmp_path / "local.duckdb") as local:
        extract_skills(
            local, method=method, framework=fw, threshold=0.4, batch_size=2, progress=False
        )
        expected = _extracted(local)
    assert len(expected) >= 5
    _MATCHERS.clear()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
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
    assert report.loc[0, "rows_read"] == len(BODIES)
    assert "engine=dask" in report.loc[0, "note"]
    pd.testing.assert_frame_equal(got, expected)
    # Four partitions, but each worker fitted its matcher once.
    workers = {key[0] for key in _MATCHERS}
    assert 1 <= len(workers) <= 2 and len(_MATCHERS) == len(workers)
