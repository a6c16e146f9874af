"""Postings by O*NET-SOC occupation, with example titles and the coding's confidence.

An analyst who coded job titles with ``align postings code-titles`` should
check the coding before trusting demand by occupation: does "Data Analyst"
land on 15-2051.01 *Business Intelligence Analysts*, or on 13-2099.01
*Financial Quantitative Analysts*? :func:`coded_occupations` lists each code
with its postings, the titles that most often got it and the coder's
confidence, including how many of its postings are uncertain or tied; the
review sheet (:mod:`align.postings._review`) is how to settle them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from align.exceptions import InvalidArgumentError
from align.postings._query import (
    TITLE_KEY_SQL,
    _check_dates,
    _where,
    base_sql,
    has_table,
    parse_period,
)
from align.postings._store import PathLike, PostingsStore, open_store

__all__ = ["LOW_CONFIDENCE", "OCCUPATION_COLUMNS", "coded_occupations"]

#: Coding confidence below which a title coding is worth a human look: the coding is more
#: likely wrong than right (the confidence is calibrated on the title benchmark's dev half;
#: benchmarks/RESULTS-postings.md). A tied coding counts as low confidence too.
LOW_CONFIDENCE = 0.5

#: Columns of :func:`coded_occupations`.
OCCUPATION_COLUMNS: tuple[str, ...] = (
    "rank", "onet_code", "onet_title", "source", "postings", "share", "median_score",
    "low_confidence", "example_titles", "median_confidence", "tied",
)  # fmt: skip


def coded_occupations(
    db: PostingsStore | PathLike | None = None,
    occupation: str | list[str] | None = None,
    region: str | list[str] | None = None,
    period: str | None = None,
    top: int | None = None,
    *,
    examples: int = 3,
) -> pd.DataFrame:
    """Count postings by O*NET-SOC code, with example titles and coding confidence.

    Parameters
    ----------
    db : PostingsStore or path, optional
        The postings database (opened read-only).
    occupation, region, period
        Filters as in :func:`align.postings.skill_demand`.
    top : int, optional
        Keep the ``top`` codes with most postings.
    examples : int
        Most frequent titles (as posted) listed per code.

    Returns
    -------
    DataFrame
        Columns :data:`OCCUPATION_COLUMNS`: ``rank`` (1 = most postings),
        ``onet_code``, ``onet_title``, ``source`` (``export`` when the export
        gave the code, ``reviewed`` when an analyst reviewed the title's code
        (``onet_code`` None: no occupation fits), ``title coding`` when
        ``code-titles`` assigned it, or ``not coded`` for the postings with
        none of these: ``onet_code`` is None), ``postings``, ``share`` (of
        matching postings), ``median_score`` (the coder's score of the code),
        ``low_confidence`` (share of its postings whose coding confidence is
        below :data:`LOW_CONFIDENCE` or tied; for codings made before
        confidence existed, whose score is; NaN unless ``title coding``),
        ``example_titles`` ("Data Analyst (12); Analyst II (3)"),
        ``median_confidence`` (probability that the coding is right) and
        ``tied`` (share of its postings whose top two codes are about equally
        likely).

    Examples
    --------
    >>> store = PostingsStore(":memory:")
    >>> _ = store.con.execute("INSERT INTO postings (posting_id, title_raw) VALUES "
    ...                       "('a', 'Data Analyst'), ('b', 'Data Analyst'), ('c', 'Nurse')")
    >>> _ = store.con.execute("INSERT INTO posting_occupations VALUES "
    ...     "('a', 1, '15-2051.01', 'Business Intelligence Analysts', 0.8, 'hybrid', 1, 0.9, "
    ...     "false), ('b', 1, '15-2051.01', 'Business Intelligence Analysts', 0.4, 'hybrid', 1, "
    ...     "0.3, true)")
    >>> coded_occupations(store)[["onet_code", "postings", "low_confidence", "example_titles"]]
        onet_code  postings  low_confidence    example_titles
    0  15-2051.01         2             0.5  Data Analyst (2)
    1        None         1             NaN         Nurse (1)
    """
    if top is not None and top < 1:
        raise InvalidArgumentError(f"top must be a positive number of codes, got {top}.")
    if not isinstance(examples, int) or examples < 0:
        raise InvalidArgumentError(f"examples must be a whole number >= 0, got {examples!r}.")
    store, owned = open_store(db, read_only=True)
    try:
        return _coded(store, occupation, region, period, top, examples)
    finally:
        if owned:
            store.close()


def _coded(
    store: PostingsStore,
    occupation: Any,
    region: Any,
    period: str | None,
    top: int | None,
    examples: int,
) -> pd.DataFrame:
    win = parse_period(period) if period is not None else None
    _check_dates(store, period)
    where, params = _where(occupation, region, win)
    has_conf = bool(
        int(
            store.query(
                "SELECT count(*) AS n FROM duckdb_columns() WHERE table_name = "
                "'posting_occupations' AND column_name = 'confidence'"
            )["n"].iloc[0]
        )
    )
    conf = "o.confidence" if has_conf else "NULL::DOUBLE"
    tied = "o.tied" if has_conf else "NULL::BOOLEAN"
    reviewed = (
        f"EXISTS (SELECT 1 FROM occupation_reviews r WHERE r.title_key = {TITLE_KEY_SQL})"
        if has_table(store, "occupation_reviews")
        else "FALSE"
    )
    rows = store.query(
        f"""SELECT *, CASE WHEN p_export THEN 'export' WHEN reviewed THEN 'reviewed'
                           WHEN onet_code IS NOT NULL THEN 'title coding' ELSE 'not coded' END
                      AS source
            FROM (SELECT b.posting_id, b.occ AS onet_code, b.occ_name AS onet_title,
                         b.title_raw, p.onet IS NOT NULL OR p.soc_5 IS NOT NULL AS p_export,
                         {reviewed} AS reviewed, o.score, {conf} AS confidence,
                         {tied} AS tied
                  FROM ({base_sql(store)}) b JOIN postings p USING (posting_id)
                  LEFT JOIN posting_occupations o ON o.posting_id = b.posting_id AND o.rank = 1
                  WHERE {where})""",
        params,
    )
    title_coded = rows["source"] == "title coding"
    for col in ("score", "confidence"):
        rows[col] = rows[col].astype(float).where(title_coded)
    rows["tied"] = rows["tied"].astype("boolean").where(title_coded)
    low = rows["confidence"].lt(LOW_CONFIDENCE) | rows["tied"].fillna(False).astype(bool)
    old = rows["confidence"].isna() & rows["score"].notna()
    rows["low"] = low.where(~old, rows["score"].lt(LOW_CONFIDENCE)).astype(float)
    rows["low"] = rows["low"].where(title_coded)
    rows["tie"] = rows["tied"].astype(float)
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in OCCUPATION_COLUMNS})
    rows["key"] = rows["onet_code"].fillna("\x00")
    g = rows.groupby(["key", "source"], sort=False, dropna=False)
    out = g.agg(
        onet_code=("onet_code", "first"),
        onet_title=("onet_title", lambda s: s.mode().iat[0] if s.notna().any() else None),
        postings=("posting_id", "size"),
        median_score=("score", "median"),
        low_confidence=("low", "mean"),
        median_confidence=("confidence", "median"),
        tied=("tie", "mean"),
    ).reset_index()
    titles = (
        rows.dropna(subset=["title_raw"])
        .groupby(["key", "source", "title_raw"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["key", "source", "n", "title_raw"], ascending=[True, True, False, True])
    )
    ex = titles.groupby(["key", "source"]).head(examples)
    ex_text: dict[tuple[str, str], str] = {}
    for key, source, title, n in ex[["key", "source", "title_raw", "n"]].itertuples(index=False):
        prev = ex_text.get((key, source))
        ex_text[(key, source)] = f"{prev}; {title} ({n})" if prev else f"{title} ({n})"
    out["example_titles"] = [ex_text.get((k, s), "") for k, s in zip(out["key"], out["source"],
                                                                     strict=True)]  # fmt: skip
    out["share"] = out["postings"] / len(rows)
    # Uncoded postings last, whatever their number: they are the coverage gap, not a code.
    out["_last"] = out["source"] == "not coded"
    out = out.sort_values(["_last", "postings", "onet_code"], ascending=[True, False, True])
    coded = ~out["_last"]
    out["rank"] = pd.NA
    out.loc[coded, "rank"] = out.loc[coded, "postings"].rank(method="min", ascending=False)
    out["rank"] = out["rank"].astype("Int64")
    out["postings"] = out["postings"].astype("int64")
    out["onet_code"] = out["onet_code"].astype(object).where(out["onet_code"].notna(), None)
    if top is not None:
        out = pd.concat([out[coded].head(top), out[~coded]])
    return out[list(OCCUPATION_COLUMNS)].reset_index(drop=True)
