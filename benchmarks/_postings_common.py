"""Shared pieces of the postings benchmarks: the real Glassdoor postings in a throwaway store."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from align.postings import PostingsStore

GLASSDOOR = "job_postings/glassdoor_ds_jobs_2021/Uncleaned_DS_jobs.csv"


def glassdoor(data_dir: Path) -> pd.DataFrame:
    """The 672 Glassdoor postings (``posting_id``, ``body``) in file order, via a temp store."""
    with PostingsStore(Path(tempfile.mkdtemp(prefix="align-bench-")) / "g.duckdb") as s:
        s.ingest(data_dir / GLASSDOOR, preset="glassdoor", progress=False)
        return s.query(
            "SELECT posting_id, body FROM postings "
            "ORDER BY CAST(split_part(posting_id, ':', 2) AS INTEGER)"
        )
