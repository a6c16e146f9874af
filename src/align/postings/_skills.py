"""The stored skills of postings, with the postings' title, company, date and occupation.

:func:`extract_skills` returns what one run stored; :func:`posting_skills`
reads back whatever is stored, from every run and the exports, filtered as the
demand functions filter, with no batch number to know.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from align._config import PathLike
from align.exceptions import InvalidArgumentError
from align.postings._query import _check_dates, _where, base_sql, parse_period
from align.postings._store import PostingsStore, open_store

__all__ = ["POSTING_SKILL_COLUMNS", "posting_skills"]

#: Columns of :func:`posting_skills`.
POSTING_SKILL_COLUMNS: tuple[str, ...] = (
    "posting_id", "title", "company", "posted", "state", "occupation", "skill_id", "skill_name",
    "skill_type", "source", "asked", "asked_score", "score", "method", "evidence",
)  # fmt: skip
_SOURCES = {"all": "TRUE", "export": "s.source = 'export'", "extracted": "s.source = 'extracted'"}


def posting_skills(
    db: PostingsStore | PathLike | None = None,
    occupation: str | list[str] | None = None,
    region: str | list[str] | None = None,
    period: str | None = None,
    *,
    source: Literal["all", "export", "extracted"] = "all",
    asked_only: bool = False,
    posting_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Every stored (posting, skill) pair, one row each, with the posting's details.

    Parameters
    ----------
    db : PostingsStore or path, optional
        The postings database (opened read-only).
    occupation, region, period
        Filters as in :func:`align.postings.skill_demand`.
    source : {"all", "export", "extracted"}
        Skills from the export's columns, extracted from text, or both.
    asked_only : bool
        Only extracted skills the posting asks for (and export skills).
    posting_ids : list of str, optional
        Only these postings.

    Returns
    -------
    DataFrame
        Columns :data:`POSTING_SKILL_COLUMNS`: the posting (``posting_id``,
        ``title`` as posted, ``company``, ``posted`` date, ``state``,
        ``occupation`` as demand sees it: export code, reviewed code or title
        coding), the skill (``skill_id``, ``skill_name``, ``skill_type``,
        ``source``) and, for extracted skills, ``asked``, ``asked_score``,
        ``score``, ``method`` and the ``evidence`` sentence.

    Examples
    --------
    >>> store = PostingsStore(":memory:")
    >>> _ = store.con.execute("INSERT INTO postings (posting_id, title_raw) VALUES "
    ...                       "('a', 'Data Analyst')")
    >>> _ = store.con.execute("INSERT INTO posting_skills (posting_id, skill_id, skill_name, "
    ...     "skill_type, source, asked) VALUES ('a', 'name:sql', 'SQL', 'skill', 'extracted', "
    ...     "true)")
    >>> posting_skills(store)[["title", "skill_name", "asked"]]
              title skill_name  asked
    0  Data Analyst        SQL   True
    """
    if source not in _SOURCES:
        raise InvalidArgumentError(f"source {source!r} is not one of {', '.join(_SOURCES)}.")
    store, owned = open_store(db, read_only=True)
    try:
        return _read(store, occupation, region, period, source, asked_only, posting_ids)
    finally:
        if owned:
            store.close()


def _read(
    store: PostingsStore,
    occupation: Any,
    region: Any,
    period: str | None,
    source: str,
    asked_only: bool,
    posting_ids: list[str] | None,
) -> pd.DataFrame:
    win = parse_period(period) if period is not None else None
    _check_dates(store, period)
    where, params = _where(occupation, region, win)
    clauses = [where, _SOURCES[source]]
    if asked_only:
        clauses.append("(s.source = 'export' OR s.asked IS NOT FALSE)")
    tables = {}
    if posting_ids is not None:
        clauses.append("b.posting_id IN (SELECT posting_id FROM _ids)")
        tables["_ids"] = pd.DataFrame({"posting_id": pd.Series(posting_ids, dtype=str)})
    rows = store.query(
        f"""SELECT b.posting_id, coalesce(b.title_raw, b.title) AS title, p.company, b.posted,
                   b.state, b.occ AS occupation, s.skill_id, s.skill_name, s.skill_type,
                   s.source, s.asked, s.asked_score, s.score, s.method, s.evidence
            FROM ({base_sql(store)}) b JOIN postings p USING (posting_id)
            JOIN posting_skills s ON s.posting_id = b.posting_id
            WHERE {" AND ".join(clauses)}
            ORDER BY b.posting_id, s.source, s.skill_name""",
        params,
        tables=tables,
    )
    rows["posted"] = pd.to_datetime(rows["posted"]).dt.date
    rows["asked"] = rows["asked"].astype("boolean")
    return rows[list(POSTING_SKILL_COLUMNS)].reset_index(drop=True)
