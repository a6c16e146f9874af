"""The SQL every postings table shares: filters, a posting's occupation, which skills count.

Demand, occupation counts, top titles, the occupations table, stored skills,
specificity and demand over time all filter postings the same way
(occupation, region, period; see :mod:`align.postings._demand`) and read a
posting's occupation the same way (:func:`base_sql`: the export's code, else
an analyst's review of the title, else the title coder's code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from align._warnings import warn
from align.exceptions import AlignDataWarning, InvalidArgumentError, PostingsDataError
from align.postings._load import state_abbr
from align.postings._store import PostingsStore

__all__ = [
    "PERIOD_UNITS",
    "SKILL_MENTIONS",
    "SKILL_SOURCES",
    "TITLE_KEY_SQL",
    "Period",
    "base_sql",
    "has_table",
    "parse_period",
]

PeriodUnit = Literal["year", "quarter", "month"]
#: Period granularities, with the number of months in each.
PERIOD_UNITS: dict[str, int] = {"year": 12, "quarter": 3, "month": 1}
SkillSource = Literal["auto", "export", "extracted"]
#: Which skills demand counts.
SKILL_SOURCES: dict[str, str] = {
    "auto": "the export's skill columns where a posting has them, else the extracted skills",
    "export": "only skills from the export's skill columns",
    "extracted": "only skills extracted from posting text",
}
Mentions = Literal["asked", "all"]
#: Which extracted skills demand counts (:mod:`align.postings._asked`).
SKILL_MENTIONS: dict[str, str] = {
    "asked": "extracted skills the posting asks for (asked score at the threshold; skills "
    "extracted before asked scores existed count too); export skills always count",
    "all": "every skill a posting names, company descriptions and team names included",
}


@dataclass(frozen=True)
class Period:
    """A half-open date window ``[start, end)`` of one unit."""

    start: date
    end: date
    unit: str
    label: str

    def previous(self) -> Period:
        """The window of the same length just before this one."""
        months = PERIOD_UNITS[self.unit]
        return Period(
            _add_months(self.start, -months), self.start, self.unit, f"before {self.label}"
        )


def _add_months(d: date, months: int) -> date:
    m = d.year * 12 + d.month - 1 + months
    return date(m // 12, m % 12 + 1, 1)


def parse_period(period: str) -> Period:
    """Parse ``"2024"``, ``"2024Q2"`` (or ``"2024-Q2"``) or ``"2024-05"``.

    Examples
    --------
    >>> p = parse_period("2024Q2")
    >>> (p.start.isoformat(), p.end.isoformat(), p.unit)
    ('2024-04-01', '2024-07-01', 'quarter')
    >>> parse_period("2024-12").end.isoformat()
    '2025-01-01'
    """
    try:
        return _parse_period(period)
    except ValueError as exc:  # a year Python's dates cannot hold (0, 9999 + 1)
        if isinstance(exc, InvalidArgumentError):
            raise
        raise InvalidArgumentError(
            f"period {period!r} is outside the dates align handles ({exc}); use a year "
            "between 1 and 9998, e.g. '2024', '2024Q2' or '2024-05'."
        ) from None


def _parse_period(period: str) -> Period:
    text = str(period).strip().upper()
    if m := re.fullmatch(r"(\d{4})", text):
        y = int(m[1])
        return Period(date(y, 1, 1), date(y + 1, 1, 1), "year", text)
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
        start = date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1)
        return Period(start, _add_months(start, 3), "quarter", f"{m[1]}Q{m[2]}")
    if (m := re.fullmatch(r"(\d{4})-(\d{1,2})", text)) and 1 <= int(m[2]) <= 12:
        start = date(int(m[1]), int(m[2]), 1)
        return Period(start, _add_months(start, 1), "month", f"{m[1]}-{int(m[2]):02d}")
    raise InvalidArgumentError(
        f"period {period!r} is not a year, quarter or month. Use '2024', '2024Q2' or '2024-05'."
    )


_OCC = re.compile(r"^\d{2}(-(\d{1,4}(\.\d{0,2})?)?)?$")


def _as_list(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _where(
    occupation: Any, region: Any, period: Period | None, alias: str = "b"
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    codes = _as_list(occupation)
    if codes:
        ors = []
        for code in codes:
            c = code.strip()
            if not _OCC.match(c):
                raise InvalidArgumentError(
                    f"occupation {code!r} is not an O*NET-SOC code or prefix. Use e.g. "
                    "'15-2051.01', '15-2051' or '15-' (the first digits of the code)."
                )
            if len(c) == 2:
                c += "-"
            ors.append(f"{alias}.occ LIKE ?")
            params.append(c + "%")
        clauses.append("(" + " OR ".join(ors) + ")")
    regions = _as_list(region)
    if regions:
        ors = []
        for r in regions:
            val = r.strip().lower()
            abbr = state_abbr(r)
            parts = [
                f"lower({alias}.{c}) = ?"
                for c in ("state_name", "msa", "msa_name", "county", "county_name")
            ]
            params.extend([val] * 5)
            if abbr:
                parts.append(f"{alias}.state = ?")
                params.append(abbr)
            ors.append("(" + " OR ".join(parts) + ")")
        clauses.append("(" + " OR ".join(ors) + ")")
    if period is not None:
        clauses.append(f"{alias}.posted >= ? AND {alias}.posted < ?")
        params.extend([period.start, period.end])
    return (" AND ".join(clauses) or "TRUE"), params


_BASE = """
SELECT p.posting_id, p.posted, coalesce(p.onet, p.soc_5, o.onet_code) AS occ,
       coalesce(p.onet_name, o.onet_title) AS occ_name, p.state, p.state_name, p.msa,
       p.msa_name, p.county, p.county_name, p.title_raw, p.title
FROM postings p
LEFT JOIN (SELECT posting_id, onet_code, onet_title FROM posting_occupations WHERE rank = 1) o
  USING (posting_id)
"""
#: SQL of a posting's title key (``align.postings._titles.title_key``): reviews are per title.
TITLE_KEY_SQL = (
    "lower(trim(regexp_replace(coalesce(p.title_raw, p.title), '[ \\t\\n\\r\\f\\v]+', ' ', 'g')))"
)
# With reviewed codes: an export's code, else the analyst's review of the title (which may
# say no occupation fits: NULL), else the title coder's rank-1 code.
_BASE_REVIEWED = f"""
SELECT p.posting_id, p.posted,
       CASE WHEN p.onet IS NOT NULL OR p.soc_5 IS NOT NULL THEN coalesce(p.onet, p.soc_5)
            WHEN r.title_key IS NOT NULL THEN r.onet_code ELSE o.onet_code END AS occ,
       CASE WHEN p.onet IS NOT NULL OR p.soc_5 IS NOT NULL THEN coalesce(p.onet_name, o.onet_title)
            WHEN r.title_key IS NOT NULL THEN r.onet_title ELSE o.onet_title END AS occ_name,
       p.state, p.state_name, p.msa, p.msa_name, p.county, p.county_name, p.title_raw, p.title
FROM postings p
LEFT JOIN (SELECT posting_id, onet_code, onet_title FROM posting_occupations WHERE rank = 1) o
  USING (posting_id)
LEFT JOIN occupation_reviews r ON r.title_key = {TITLE_KEY_SQL}
"""


def has_table(store: PostingsStore, name: str) -> bool:
    """Whether the database has a table (older databases opened read-only may lack new ones)."""
    found = store.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = ?", [name])
    return bool(int(found["n"].iloc[0]))


def base_sql(store: PostingsStore) -> str:
    """The postings with their occupation (``occ``, ``occ_name``) as demand filters see it."""
    return _BASE_REVIEWED if has_table(store, "occupation_reviews") else _BASE


def _skills_cte(store: PostingsStore, source: str) -> str:
    if source not in SKILL_SOURCES:
        raise InvalidArgumentError(f"source {source!r} is not one of {', '.join(SKILL_SOURCES)}.")
    if source == "export":
        return "SELECT * FROM posting_skills WHERE source = 'export'"
    if source == "extracted":
        return "SELECT * FROM posting_skills WHERE source = 'extracted'"
    has_extracted = store.query(
        "SELECT count(*) AS n FROM (SELECT 1 FROM posting_skills WHERE source = 'extracted' "
        "LIMIT 1)"
    ).iloc[0, 0]
    if not has_extracted:
        return "SELECT * FROM posting_skills"
    return (
        "SELECT * FROM posting_skills WHERE source = 'export' UNION ALL "
        "SELECT * FROM posting_skills WHERE source = 'extracted' AND posting_id NOT IN "
        "(SELECT DISTINCT posting_id FROM posting_skills WHERE source = 'export')"
    )


def _counted_sql(store: PostingsStore, mentions: str) -> str:
    """SQL true for the ``posting_skills`` rows (alias ``s``) that demand counts."""
    if mentions not in SKILL_MENTIONS:
        raise InvalidArgumentError(
            f"mentions {mentions!r} is not one of {', '.join(SKILL_MENTIONS)}: 'asked' counts "
            "the skills a posting asks for, 'all' every skill it names."
        )
    if mentions == "all":
        return "TRUE"
    cols = store.query(
        "SELECT count(*) AS n FROM duckdb_columns() WHERE table_name = 'posting_skills' "
        "AND column_name = 'asked'"
    )
    # A database written before asked scores existed and opened read-only has no column.
    scored = bool(int(cols["n"].iloc[0]))
    unscored = int(
        store.query(
            "SELECT count(*) AS n FROM posting_skills WHERE source = 'extracted'"
            + (" AND asked IS NULL" if scored else "")
        )["n"].iloc[0]
    )
    if unscored:
        warn(
            f"{unscored:,} extracted skills in {_where_db(store)} have no asked score (they "
            "were extracted by an earlier align), so they all count as asked for. Run `align "
            "postings extract-skills --redo` to score them.",
            AlignDataWarning,
        )
    return "s.asked IS NOT FALSE" if scored else "TRUE"


def _check_dates(store: PostingsStore, period: str | None) -> None:
    """A period filter on postings that carry no dates would silently match nothing."""
    if period is None:
        return
    counts = store.query("SELECT count(*) AS n, count(posted) AS dated FROM postings")
    n, dated = int(counts["n"].iloc[0]), int(counts["dated"].iloc[0])
    if n and not dated:
        raise PostingsDataError(
            f"period={period!r} cannot be applied: none of the {n:,} postings in "
            f"{_where_db(store)} has a posted date (the export had no date column, as "
            "Glassdoor and LinkedIn files do not). Leave out --period (period= in Python), "
            "or ingest an export with a POSTED column."
        )


def _where_db(store: PostingsStore) -> str:
    return "this in-memory store" if str(store.path) == ":memory:" else repr(str(store.path))
