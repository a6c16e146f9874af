"""Job postings: ingest exports, store them, and measure skill demand.

Load Lightcast-style exports (or Glassdoor/LinkedIn files through a preset)
into an embedded DuckDB database with :func:`ingest_postings`, then ask
:func:`skill_demand`, :func:`occupation_counts`, :func:`coded_occupations` and
:func:`top_titles`. :func:`extract_skills` finds skills in posting text (literal
mentions and the matcher) and scores whether each posting asks for them
(:class:`AskedScorer`); :func:`code_titles` codes job titles to O*NET-SOC
(:class:`TitleCoder`), and :func:`write_review_sheet` / :func:`import_review`
let an analyst review the uncertain codings in a spreadsheet.
:func:`posting_skills` reads stored skills back, :func:`demand_over_time` gives
demand period by period and :func:`skill_specificity` sets generic skills apart.
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
from align.postings._generic import (
    GENERIC_BELOW,
    GENERIC_MODES,
    SPECIFICITY_COLUMNS,
    skill_specificity,
)
from align.postings._literal import LiteralFinder
from align.postings._load import FIELDS, PRESETS, parse_list_cell
from align.postings._occupations import LOW_CONFIDENCE, OCCUPATION_COLUMNS, coded_occupations
from align.postings._review import (
    REVIEW_COLUMNS,
    CodingSummary,
    coding_summary,
    import_review,
    review_sheet,
    write_review_sheet,
)
from align.postings._skills import POSTING_SKILL_COLUMNS, posting_skills
from align.postings._store import PostingsStore, default_db_path, ingest_postings
from align.postings._synth import synthesize_postings, write_synthetic_postings
from align.postings._titles import (
    TITLE_COLUMNS,
    TitleCoder,
    code_job_titles,
    code_titles,
    make_title_coder,
    make_title_matcher,
    title_key,
)
from align.postings._trends import TREND_COLUMNS, demand_over_time

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEMAND_COLUMNS",
    "EXTRACT_METHODS",
    "FIELDS",
    "GENERIC_BELOW",
    "GENERIC_MODES",
    "LOW_CONFIDENCE",
    "OCCUPATION_COLUMNS",
    "POSTING_SKILL_COLUMNS",
    "PRESETS",
    "REVIEW_COLUMNS",
    "SPECIFICITY_COLUMNS",
    "TITLE_COLUMNS",
    "TREND_COLUMNS",
    "AskedScorer",
    "CodingSummary",
    "LiteralFinder",
    "PostingsStore",
    "TitleCoder",
    "code_job_titles",
    "code_titles",
    "coded_occupations",
    "coding_summary",
    "default_db_path",
    "demand_over_time",
    "extract_skills",
    "extract_text_skills",
    "import_review",
    "ingest_postings",
    "make_skill_matcher",
    "make_title_coder",
    "make_title_matcher",
    "occupation_counts",
    "parse_list_cell",
    "parse_period",
    "posting_skills",
    "review_sheet",
    "skill_demand",
    "skill_specificity",
    "split_posting",
    "synthesize_postings",
    "title_key",
    "top_titles",
    "write_review_sheet",
    "write_synthetic_postings",
]
