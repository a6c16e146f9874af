"""Job postings: ingest exports, store them, and measure skill demand.

Load Lightcast-style exports (or Glassdoor/LinkedIn files through a preset)
into an embedded DuckDB database with :func:`ingest_postings`, then ask
:func:`skill_demand`, :func:`occupation_counts` and :func:`top_titles`.
"""

from __future__ import annotations

from align.postings._demand import (
    DEMAND_COLUMNS,
    occupation_counts,
    parse_period,
    skill_demand,
    top_titles,
)
from align.postings._extract import (
    DEFAULT_THRESHOLD,
    extract_skills,
    extract_text_skills,
    make_skill_matcher,
    split_posting,
)
from align.postings._load import FIELDS, PRESETS, parse_list_cell
from align.postings._store import PostingsStore, default_db_path, ingest_postings
from align.postings._synth import synthesize_postings, write_synthetic_postings
from align.postings._titles import code_job_titles, code_titles, make_title_matcher

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEMAND_COLUMNS",
    "FIELDS",
    "PRESETS",
    "PostingsStore",
    "code_job_titles",
    "code_titles",
    "default_db_path",
    "extract_skills",
    "extract_text_skills",
    "ingest_postings",
    "make_skill_matcher",
    "make_title_matcher",
    "occupation_counts",
    "parse_list_cell",
    "parse_period",
    "skill_demand",
    "split_posting",
    "synthesize_postings",
    "top_titles",
    "write_synthetic_postings",
]
