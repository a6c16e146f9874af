"""Skill demand, occupation counts and top titles from the postings store.

All three take the same filters:

occupation
    O*NET-SOC code or prefix, or a list of them: ``"15-2051.01"``,
    ``"15-2051"`` (SOC detailed), ``"15-"`` or ``"15"`` (major group). A
    posting's occupation is its export's ``ONET`` (else ``SOC_2021_5``), else
    the top code from title coding (``align postings code-titles``).
region
    State (``"TX"``, ``"Texas"`` or FIPS ``"48"``), MSA (code ``"12420"`` or
    name), or county (FIPS or name as exported), matched case-insensitively;
    a list matches any of them.
period
    ``"2024"`` (year), ``"2024Q2"`` (quarter) or ``"2024-05"`` (month),
    applied to the posted date.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from align._config import PathLike
from align._warnings import warn
from align.exceptions import InvalidArgumentError, PostingsDataError
from align.postings._generic import GENERIC_MODES, apply_generic, specificity_of
from align.postings._query import (
    PERIOD_UNITS,
    SKILL_MENTIONS,
    SKILL_SOURCES,
    Mentions,
    Period,
    PeriodUnit,
    SkillSource,
    _check_dates,
    _counted_sql,
    _skills_cte,
    _where,
    _where_db,
    base_sql,
    parse_period,
)
from align.postings._store import PostingsStore, open_store

__all__ = [
    "DEMAND_COLUMNS",
    "PERIOD_UNITS",
    "SKILL_MENTIONS",
    "SKILL_SOURCES",
    "occupation_counts",
    "parse_period",
    "skill_demand",
    "top_titles",
]

RegionLevel = Literal["state", "msa", "county", "none"]
_REGION_LEVELS: dict[str, str | None] = {
    "state": "state", "msa": "msa_name", "county": "county_name", "none": None,
}  # fmt: skip
_PERIOD_GROUPS: dict[str, str | None] = {
    "year": "year",
    "quarter": "quarter",
    "month": "month",
    "none": None,
}
TitleField = Literal["title_raw", "title"]
_TITLE_FIELDS: dict[str, str] = {"title_raw": "title as posted", "title": "standardized title"}

#: Columns of :func:`skill_demand`.
DEMAND_COLUMNS: tuple[str, ...] = (
    "rank", "skill_id", "skill_name", "skill_type", "source", "postings", "share", "trend",
    "trend_periods", "specificity", "generic", "weighted_share",
)  # fmt: skip


def _no_skills(store: PostingsStore, source: str, n_matching: int) -> PostingsDataError:
    """The error for matching postings that carry no skills of the requested source."""
    with_text = int(
        store.query("SELECT count(*) AS n FROM postings WHERE body IS NOT NULL")["n"].iloc[0]
    )
    db = "" if str(store.path) == ":memory:" else f" --db {store.path}"
    if source == "export":
        what = "skills from the export's skill columns"
        fix = "Use source='auto' (--source auto) to count skills extracted from posting text" + (
            f", after `align postings extract-skills{db}`." if with_text else "."
        )
    else:
        what = "skills" if source == "auto" else "extracted skills"
        fix = (
            f"Run `align postings extract-skills{db}` (align.extract_skills in Python) to "
            f"extract skills from the text of the {with_text:,} postings that have it, then "
            "ask again."
            if with_text
            else "The postings have no text to extract skills from either: ingest an export "
            "with skill columns (SKILLS_NAME, SPECIALIZED_SKILLS_NAME, ...) or a BODY column."
        )
    return PostingsDataError(
        f"{n_matching:,} postings match, but none of them has {what} in {_where_db(store)}. " + fix
    )


def _warn_empty(what: str, occupation: Any, region: Any, period: Any) -> None:
    filters = (
        ", ".join(
            f"{k}={v!r}"
            for k, v in (("occupation", occupation), ("region", region), ("period", period))
            if v is not None
        )
        or "no filters"
    )
    warn(
        f"{what}: no postings match {filters}. Check the codes and names (regions are states "
        "like 'TX' or 'Texas', MSA or county codes or names as exported), widen the period, "
        "or load more postings.",
    )


def skill_demand(
    db: PostingsStore | PathLike | None = None,
    occupation: str | list[str] | None = None,
    region: str | list[str] | None = None,
    period: str | None = None,
    top: int | None = None,
    *,
    source: SkillSource = "auto",
    trend_unit: PeriodUnit = "year",
    skill_types: list[str] | None = None,
    mentions: Mentions = "asked",
    generic: str = "show",
) -> pd.DataFrame:
    """Rank the skills that matching postings ask for.

    Parameters
    ----------
    db : PostingsStore or path, optional
        The postings database (default: the default store file).
    occupation : str or list of str, optional
        O*NET-SOC codes or prefixes (``"15-2051"``, ``"15-"``).
    region : str or list of str, optional
        States, MSAs or counties (see the module notes).
    period : str, optional
        ``"2024"``, ``"2024Q2"`` or ``"2024-05"``; default all dates.
    top : int, optional
        Keep the ``top`` most-demanded skills.
    source : {"auto", "export", "extracted"}
        Which skills to count (see :data:`SKILL_SOURCES`).
    trend_unit : {"year", "quarter", "month"}
        Step of the trend. When the window holds fewer than two such steps
        (e.g. ``period="2024Q2"``), the step is the period's own unit and the
        window just before it is added, so the trend is the change from it.
    skill_types : list of str, optional
        Keep only these skill types (``"specialized"``, ``"software"``, ...).
    mentions : {"asked", "all"}
        Extracted skills to count (see :data:`SKILL_MENTIONS`): ``"asked"``
        counts a skill where the posting asks for it, not where it only names
        it ("Cosma provides chassis ..."); ``"all"`` counts every naming.
        Export skills always count.
    generic : {"show", "hide", "down-weight"}
        What to do with generic skills (asked for about as often by every
        occupation: :func:`align.postings.skill_specificity`): list them
        (default; see the ``generic`` column), leave them out (their number is
        ``attrs["generic_hidden"]``), or rank by ``weighted_share``.

    Returns
    -------
    DataFrame
        Columns :data:`DEMAND_COLUMNS`: ``rank`` (1 = most postings),
        ``skill_id``, ``skill_name``, ``skill_type``, ``source`` (``export``
        or ``extracted``), ``postings`` (matching postings that mention the
        skill), ``share`` (``postings`` / matching postings that carry any
        skill data, in [0, 1]), ``trend`` (least-squares slope of the share
        per ``trend_unit`` step, in share points per step; NaN with fewer
        than two dated steps), ``trend_periods`` (steps used),
        ``specificity`` (how specific the skill is to some of the database's
        occupations, in [0, 1]; NaN when the postings span fewer than two
        occupations), ``generic`` (specificity below 0.2: about as common in
        every occupation) and
        ``weighted_share`` (``share`` x ``specificity``). ``attrs`` (plain
        values) holds ``postings`` (the denominator), ``postings_matching``,
        ``generic_hidden`` and the filters.

    Raises
    ------
    PostingsDataError
        When postings match but none has skills of ``source`` (the message
        names ``align postings extract-skills``), or ``period`` is given and
        no stored posting has a date.

    Examples
    --------
    >>> store = PostingsStore(":memory:")
    >>> _ = store.con.execute("INSERT INTO postings (posting_id, onet) "
    ...                       "VALUES ('p1', '15-2051.00')")
    >>> _ = store.con.execute("INSERT INTO posting_skills (posting_id, skill_id, skill_name, "
    ...                       "skill_type, source) VALUES ('p1', 'name:sql', 'SQL', 'skill', "
    ...                       "'export')")
    >>> skill_demand(store, occupation="15-")[["rank", "skill_name", "postings", "share"]]
       rank skill_name  postings  share
    0     1        SQL         1    1.0
    """
    store, owned = open_store(db, read_only=True)
    try:
        return _skill_demand(
            store, occupation, region, period, top, source, trend_unit, skill_types, mentions,
            generic,
        )  # fmt: skip
    finally:
        if owned:
            store.close()


def _skill_demand(
    store: PostingsStore,
    occupation: Any,
    region: Any,
    period: str | None,
    top: int | None,
    source: str,
    trend_unit: str,
    skill_types: list[str] | None,
    mentions: str = "asked",
    generic: str = "show",
) -> pd.DataFrame:
    if generic not in GENERIC_MODES:
        raise InvalidArgumentError(
            f"generic {generic!r} is not one of {', '.join(GENERIC_MODES)}: 'show' lists every "
            "skill, 'hide' leaves out generic ones, 'down-weight' ranks by share x specificity."
        )
    if trend_unit not in PERIOD_UNITS:
        raise InvalidArgumentError(
            f"trend_unit {trend_unit!r} is not one of {', '.join(PERIOD_UNITS)}."
        )
    if top is not None and top < 1:
        raise InvalidArgumentError(f"top must be a positive number of skills, got {top}.")
    win = parse_period(period) if period is not None else None
    _check_dates(store, period)
    eff = _skills_cte(store, source)
    counted = _counted_sql(store, mentions)
    types_sql, type_params = "TRUE", []
    if skill_types:
        types_sql = "s.skill_type IN (" + ", ".join("?" * len(skill_types)) + ")"
        type_params = list(skill_types)
    where, params = _where(occupation, region, win)
    base = base_sql(store)
    matching = store.query(f"SELECT count(*) AS n FROM ({base}) b WHERE {where}", params)
    n_matching = int(matching["n"].iloc[0])
    sql = f"""
    WITH base AS (SELECT b.posting_id FROM ({base}) b WHERE {where}),
         eff AS ({eff}),
         hit AS MATERIALIZED (
            SELECT s.posting_id, s.skill_id, s.skill_name, s.skill_type, s.source,
                   {counted} AS counted
            FROM eff s SEMI JOIN base USING (posting_id) WHERE {types_sql})
    -- A posting lists a skill once per source (ingest and extraction dedupe), and
    -- "auto" takes one source per posting, so count(*) counts postings. The share's
    -- denominator is every posting with skill data, asked or not.
    SELECT skill_id, min(skill_name) AS skill_name, min(skill_type) AS skill_type,
           min(source) AS source, count(*) FILTER (WHERE counted) AS postings,
           (SELECT count(DISTINCT posting_id) FROM hit) AS denom
    FROM hit GROUP BY skill_id HAVING count(*) FILTER (WHERE counted) > 0
    ORDER BY postings DESC, skill_name, skill_id
    """
    df = store.query(sql, params + type_params)
    denom = (
        int(df["denom"].iloc[0])
        if len(df)
        else int(
            store.query(
                f"WITH base AS (SELECT b.posting_id FROM ({base}) b WHERE {where}), "
                f"eff AS ({eff}) SELECT count(DISTINCT s.posting_id) AS n FROM eff s "
                f"SEMI JOIN base USING (posting_id) WHERE {types_sql}",
                params + type_params,
            )["n"].iloc[0]
        )
    )
    if n_matching and not denom and not skill_types:
        raise _no_skills(store, source, n_matching)
    df = df.drop(columns="denom")
    if top is not None and generic == "show":
        df = df.head(top)
    df["share"] = df["postings"] / denom if denom else np.nan
    df["postings"] = df["postings"].astype("int64")
    df["rank"] = df["postings"].rank(method="min", ascending=False).astype("int64")
    spec = specificity_of(store, eff, counted, df["skill_id"].tolist())
    df, hidden = apply_generic(df, spec, generic)
    if top is not None:
        df = df.head(top)
    trend, steps = _trend(
        store,
        df["skill_id"].tolist(),
        eff,
        occupation,
        region,
        win,
        trend_unit,
        types_sql,
        type_params,
        counted,
    )
    df["trend"] = df["skill_id"].map(trend).astype("float64")
    df["trend_periods"] = steps
    out = df[list(DEMAND_COLUMNS)].reset_index(drop=True)
    out.attrs.update(
        {
            "postings": denom,
            "postings_matching": n_matching,
            "occupation": occupation,
            "region": region,
            "period": period,
            "source": source,
            "mentions": mentions,
            "generic": generic,
            "generic_hidden": hidden,
        }
    )
    if n_matching == 0:
        _warn_empty("skill_demand", occupation, region, period)
    return out


def _trend(
    store: PostingsStore,
    skill_ids: list[str],
    eff: str,
    occupation: Any,
    region: Any,
    win: Period | None,
    trend_unit: str,
    types_sql: str,
    type_params: list[Any],
    counted: str = "TRUE",
) -> tuple[dict[str, float], int]:
    if not skill_ids:
        return {}, 0
    unit = trend_unit
    if win is not None and PERIOD_UNITS[win.unit] <= PERIOD_UNITS[trend_unit]:
        # The window is one step or less: compare it with the window before it.
        unit = win.unit
        win = Period(win.previous().start, win.end, unit, win.label)
    where, params = _where(occupation, region, win)
    rows = store.query(
        f"""
            WITH base AS (SELECT b.posting_id, date_trunc('{unit}', b.posted) AS step
                          FROM ({base_sql(store)}) b WHERE {where} AND b.posted IS NOT NULL),
                 eff AS ({eff}),
                 hit AS (SELECT s.posting_id, s.skill_id, base.step, {counted} AS counted
                         FROM eff s JOIN base USING (posting_id) WHERE {types_sql}),
                 denom AS (SELECT step, count(DISTINCT posting_id) AS n FROM hit GROUP BY step)
            SELECT h.skill_id, h.step, count(*) FILTER (WHERE h.counted) AS k,
                   any_value(d.n) AS n
            FROM hit h JOIN denom d USING (step)
            WHERE h.skill_id IN (SELECT skill_id FROM _trend_skills)
            GROUP BY h.skill_id, h.step
            UNION ALL
            SELECT NULL, step, 0, n FROM denom
            """,
        params + type_params,
        tables={"_trend_skills": pd.DataFrame({"skill_id": skill_ids})},
    )
    steps = rows.loc[rows["skill_id"].isna(), ["step", "n"]].drop_duplicates("step")
    if len(steps) < 2:
        return dict.fromkeys(skill_ids, float("nan")), len(steps)
    step_dates = pd.to_datetime(steps["step"])
    months = step_dates.dt.year * 12 + step_dates.dt.month
    x = ((months - months.min()) / PERIOD_UNITS[unit]).to_numpy(dtype=float)
    order = np.argsort(x)
    x = x[order]
    n = steps["n"].to_numpy(dtype=float)[order]
    keyed = rows[rows["skill_id"].notna()]
    k = keyed.pivot_table(index="skill_id", columns="step", values="k", aggfunc="sum", fill_value=0)
    k = k.reindex(columns=steps["step"].to_numpy()[order], fill_value=0)
    k = k.reindex(skill_ids, fill_value=0)
    share = k.to_numpy(dtype=float) / n
    xc = x - x.mean()
    slope = (share * xc).sum(axis=1) / (xc**2).sum()
    return dict(zip(k.index, slope, strict=True)), len(steps)


def occupation_counts(
    db: PostingsStore | PathLike | None = None,
    occupation: str | list[str] | None = None,
    region: str | list[str] | None = None,
    period: str | None = None,
    *,
    by_region: RegionLevel = "state",
    by_period: Literal["year", "quarter", "month", "none"] = "year",
) -> pd.DataFrame:
    """Count postings by occupation, region and time.

    Parameters
    ----------
    db, occupation, region, period
        As in :func:`skill_demand`.
    by_region : {"state", "msa", "county", "none"}
        Regional level of the breakdown.
    by_period : {"year", "quarter", "month", "none"}
        Time step of the breakdown (labels ``2024``, ``2024Q2``, ``2024-05``).

    Returns
    -------
    DataFrame
        Columns ``occupation`` (O*NET-SOC code; ``None`` when uncoded),
        ``occupation_name``, ``region``, ``period``, ``postings``, sorted by
        period, region, then postings descending.

    Examples
    --------
    >>> occupation_counts(PostingsStore(":memory:")).columns.tolist()
    ['occupation', 'occupation_name', 'region', 'period', 'postings']
    """
    if by_region not in _REGION_LEVELS:
        raise InvalidArgumentError(
            f"by_region {by_region!r} is not one of {', '.join(_REGION_LEVELS)}."
        )
    if by_period not in _PERIOD_GROUPS:
        raise InvalidArgumentError(
            f"by_period {by_period!r} is not one of {', '.join(_PERIOD_GROUPS)}."
        )
    store, owned = open_store(db, read_only=True)
    try:
        win = parse_period(period) if period is not None else None
        _check_dates(store, period)
        where, params = _where(occupation, region, win)
        reg_col = _REGION_LEVELS[by_region]
        reg = f"b.{reg_col}" if reg_col else "NULL"
        per = {
            "year": "CAST(year(b.posted) AS VARCHAR)",
            "quarter": "CAST(year(b.posted) AS VARCHAR) || 'Q' || CAST(quarter(b.posted) AS "
            "VARCHAR)",
            "month": "strftime(b.posted, '%Y-%m')",
            "none": "NULL",
        }[by_period]
        df = store.query(
            f"""SELECT b.occ AS occupation, mode(b.occ_name) AS occupation_name,
                       {reg} AS region, {per} AS period, count(*) AS postings
                FROM ({base_sql(store)}) b WHERE {where}
                GROUP BY ALL ORDER BY period NULLS LAST, region NULLS LAST, postings DESC,
                occupation""",
            params,
        )
        df["postings"] = df["postings"].astype("int64")
        for col in ("occupation", "occupation_name", "region", "period"):
            df[col] = df[col].astype(object).where(df[col].notna(), None)
        return df[["occupation", "occupation_name", "region", "period", "postings"]]
    finally:
        if owned:
            store.close()


def top_titles(
    db: PostingsStore | PathLike | None = None,
    occupation: str | list[str] | None = None,
    region: str | list[str] | None = None,
    period: str | None = None,
    top: int | None = 20,
    *,
    field: TitleField = "title_raw",
) -> pd.DataFrame:
    """The most frequent job titles among matching postings.

    Parameters
    ----------
    db, occupation, region, period
        As in :func:`skill_demand`.
    top : int, optional
        Number of titles (None for all).
    field : {"title_raw", "title"}
        Title as posted, or the standardized title.

    Returns
    -------
    DataFrame
        Columns ``rank``, ``title``, ``postings``, ``share`` (of matching
        postings with a title).

    Examples
    --------
    >>> top_titles(PostingsStore(":memory:")).columns.tolist()
    ['rank', 'title', 'postings', 'share']
    """
    if field not in _TITLE_FIELDS:
        raise InvalidArgumentError(f"field {field!r} is not one of {', '.join(_TITLE_FIELDS)}.")
    store, owned = open_store(db, read_only=True)
    try:
        win = parse_period(period) if period is not None else None
        _check_dates(store, period)
        where, params = _where(occupation, region, win)
        df = store.query(
            f"""SELECT b.{field} AS title, count(*) AS postings,
                       count(*) / sum(count(*)) OVER () AS share
                FROM ({base_sql(store)}) b WHERE {where} AND b.{field} IS NOT NULL
                GROUP BY b.{field} ORDER BY postings DESC, title""",
            params,
        )
        if top is not None:
            df = df.head(top)
        df["postings"] = df["postings"].astype("int64")
        df["rank"] = df["postings"].rank(method="min", ascending=False).astype("int64")
        return df[["rank", "title", "postings", "share"]].reset_index(drop=True)
    finally:
        if owned:
            store.close()
