"""Job postings: ingest exports, store them, and measure skill demand.

Load Lightcast-style exports (or Glassdoor/LinkedIn files through a preset)
into an embedded DuckDB database with :func:`ingest_postings`, then ask
:func:`skill_demand`, :func:`occupation_counts`, :func:`coded_occupations` and
:func:`top_titles`. :func:`extract_skills` finds skills in posting text (literal
mentions and the matcher) and scores whether each posting asks for them
(:class:`AskedScorer`); :func:`code_titles` codes job titles to O*NET-SOC.
"""

from __future__ import annotations

from align.postings._asked import AskedScorer
from align.postings._demand import (
    DEMAND_COLUMNS,
    occupation_counts,
    parse_period,
    skill_demand,
    top_titles,
)
from align.postings._extract import (
    DEFAULT_THRESHOLD,
    EXTRACT_METHODS,
    extract_skills,
    extract_text_skills,
    make_skill_matcher,
    split_posting,
)
from align.postings._literal import LiteralFinder
from align.postings._load import FIELDS, PRESETS, parse_list_cell
from align.postings._occupations import coded_occupations
from align.postings._store import PostingsStore, default_db_path, ingest_postings
from align.postings._synth import synthesize_postings, write_synthetic_postings
from align.postings._titles import code_job_titles, code_titles, make_title_matcher

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEMAND_COLUMNS",
    "EXTRACT_METHODS",
    "FIELDS",
    "PRESETS",
    "AskedScorer",
    "LiteralFinder",
    "PostingsStore",
    "code_job_titles",
    "code_titles",
    "coded_occupations",
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
