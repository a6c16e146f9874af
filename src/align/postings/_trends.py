"""Skill demand period by period, for charts of demand over time.

:func:`skill_demand` gives one share per skill and a trend slope;
:func:`demand_over_time` gives the share in every period (year, quarter or
month) of the postings' posted dates, in long format for a line chart, e.g.
``px.line(demand_over_time(db, occupation="15-"), x="period_start", y="share",
color="skill_name")`` with ``plotly.express as px`` (notebook 03 draws it).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from align._config import PathLike
from align.exceptions import InvalidArgumentError, PostingsDataError
from align.postings._query import (
    PERIOD_UNITS,
    Mentions,
    PeriodUnit,
    SkillSource,
    _counted_sql,
    _skills_cte,
    _where,
    _where_db,
    base_sql,
    parse_period,
)
from align.postings._store import PostingsStore, open_store

__all__ = ["TREND_COLUMNS", "demand_over_time"]

#: Columns of :func:`demand_over_time`.
TREND_COLUMNS: tuple[str, ...] = (
    "period", "period_start", "skill_id", "skill_name", "postings", "period_postings", "share",
)  # fmt: skip
_LABEL = {
    "year": "strftime(step, '%Y')",
    "quarter": "strftime(step, '%Y') || 'Q' || CAST(quarter(step) AS VARCHAR)",
    "month": "strftime(step, '%Y-%m')",
}


def demand_over_time(
    db: PostingsStore | PathLike | None = None,
    occupation: str | list[str] | None = None,
    region: str | list[str] | None = None,
    period: str | None = None,
    *,
    unit: PeriodUnit = "quarter",
    skills: list[str] | None = None,
    top: int = 8,
    source: SkillSource = "auto",
    mentions: Mentions = "asked",
) -> pd.DataFrame:
    """The share of postings asking for each skill, period by period.

    Parameters
    ----------
    db, occupation, region, period
        As in :func:`align.postings.skill_demand` (``period`` bounds the dates).
    unit : {"year", "quarter", "month"}
        Length of each period.
    skills : list of str, optional
        Skill ids or names (case-insensitive) to follow; default the ``top``
        skills with most postings over the whole window.
    top : int
        Skills followed when ``skills`` is not given.
    source, mentions
        Which skills count, as in :func:`align.postings.skill_demand`.

    Returns
    -------
    DataFrame
        Columns :data:`TREND_COLUMNS`, one row per period and skill (periods
        with postings only; a skill absent from a period has ``postings`` 0):
        ``period`` ("2024Q2"), ``period_start`` (date), ``skill_id``,
        ``skill_name``, ``postings`` (postings of the period asking for the
        skill), ``period_postings`` (postings of the period with skill data,
        the denominator) and ``share``.

    Raises
    ------
    PostingsDataError
        No matching posting has a posted date (the export had no date column).

    Examples
    --------
    >>> store = PostingsStore(":memory:")
    >>> _ = store.con.execute("INSERT INTO postings (posting_id, posted) VALUES "
    ...     "('a', '2024-01-10'), ('b', '2024-02-10'), ('c', '2024-04-02')")
    >>> _ = store.con.execute("INSERT INTO posting_skills (posting_id, skill_id, skill_name, "
    ...     "skill_type, source) VALUES ('a', 'name:sql', 'SQL', 'skill', 'export'), "
    ...     "('b', 'name:r', 'R', 'skill', 'export'), ('c', 'name:sql', 'SQL', 'skill', 'export')")
    >>> demand_over_time(store, skills=["SQL"])[["period", "postings", "share"]]
      period  postings  share
    0 2024Q1         1    0.5
    1 2024Q2         1    1.0
    """
    if unit not in PERIOD_UNITS:
        raise InvalidArgumentError(f"unit {unit!r} is not one of {', '.join(PERIOD_UNITS)}.")
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise InvalidArgumentError(f"top={top!r}; expected a positive number of skills.")
    store, owned = open_store(db, read_only=True)
    try:
        return _over_time(store, occupation, region, period, unit, skills, top, source, mentions)
    finally:
        if owned:
            store.close()


def _over_time(
    store: PostingsStore,
    occupation: Any,
    region: Any,
    period: str | None,
    unit: str,
    skills: list[str] | None,
    top: int,
    source: str,
    mentions: str,
) -> pd.DataFrame:
    win = parse_period(period) if period is not None else None
    where, params = _where(occupation, region, win)
    eff = _skills_cte(store, source)
    counted = _counted_sql(store, mentions)
    base = f"""
        base AS (SELECT b.posting_id, date_trunc('{unit}', b.posted) AS step
                 FROM ({base_sql(store)}) b WHERE {where} AND b.posted IS NOT NULL),
        eff AS ({eff}),
        hit AS (SELECT s.posting_id, s.skill_id, s.skill_name, base.step, {counted} AS counted
                FROM eff s JOIN base USING (posting_id)),
        denom AS (SELECT step, count(DISTINCT posting_id) AS n FROM hit GROUP BY step)"""
    dated = store.query(f"WITH {base} SELECT count(*) AS n FROM denom", params)
    if not int(dated["n"].iloc[0]):
        raise PostingsDataError(
            f"no matching posting with skills in {_where_db(store)} has a posted date, so "
            "there is no demand over time to show (Glassdoor and LinkedIn files without their "
            "date columns have none). Ingest an export with a POSTED column (LinkedIn: "
            "listed_time), or use skill_demand for the whole window."
        )
    if skills:
        wanted = pd.DataFrame({"w": [str(s).lower() for s in skills]})
        chosen = store.query(
            f"""WITH {base} SELECT skill_id, min(skill_name) AS skill_name,
                       count(*) FILTER (WHERE counted) AS n FROM hit
                WHERE lower(skill_id) IN (SELECT w FROM _want)
                   OR lower(skill_name) IN (SELECT w FROM _want)
                GROUP BY skill_id ORDER BY n DESC, skill_name""",
            params,
            tables={"_want": wanted},
        )
    else:
        chosen = store.query(
            f"""WITH {base} SELECT skill_id, min(skill_name) AS skill_name,
                       count(*) FILTER (WHERE counted) AS n FROM hit
                GROUP BY skill_id HAVING n > 0 ORDER BY n DESC, skill_name LIMIT ?""",
            [*params, int(top)],
        )
    label = _LABEL[unit].replace("step", "d.step")
    rows = store.query(
        f"""WITH {base},
            agg AS (SELECT step, skill_id, count(*) FILTER (WHERE counted) AS k FROM hit
                    WHERE skill_id IN (SELECT skill_id FROM _chosen) GROUP BY ALL)
            SELECT d.step, {label} AS period, c.skill_id, c.skill_name, d.n,
                   coalesce(a.k, 0) AS postings
            FROM denom d CROSS JOIN _chosen c
            LEFT JOIN agg a ON a.step = d.step AND a.skill_id = c.skill_id
            ORDER BY d.step, c.skill_name""",
        params,
        tables={"_chosen": chosen[["skill_id", "skill_name"]]},
    )
    out = pd.DataFrame(
        {
            "period": rows["period"].astype(str),
            "period_start": pd.to_datetime(rows["step"]).dt.date,
            "skill_id": rows["skill_id"],
            "skill_name": rows["skill_name"],
            "postings": rows["postings"].astype("int64"),
            "period_postings": rows["n"].astype("int64"),
        }
    )
    out["share"] = out["postings"] / out["period_postings"]
    return out[list(TREND_COLUMNS)].reset_index(drop=True)
