"""Bulk review of title codings: a sheet out, the analyst's decisions back in.

The title coder says how likely each coding is right (``confidence``) and
flags near ties. :func:`review_sheet` lists the uncertain codings, one row per
distinct title with the postings that carry it, the coder's code and its best
alternatives; the analyst fills ``reviewed_code`` in a spreadsheet and
:func:`import_review` stores the decisions. A reviewed title's code wins over
the coder's for every posting with that title (now and after a re-coding);
an export's own O*NET code wins over both. Demand, occupation counts and the
occupations table read the reviewed codes.

``reviewed_code`` takes an O*NET-SOC code (``15-2051.01``; ``15-2051`` means
``15-2051.00``), ``keep`` (the coder's code is right), ``none`` (no O*NET
occupation fits: the postings count as not coded) or ``clear`` (forget an
earlier review); a blank cell leaves the title as it is.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from align._config import PathLike
from align._safeio import _read_bytes, check_regular_file, decode_text
from align._safeout import csv_text, record_output, restore_csv_cell, write_text_atomic
from align.exceptions import InvalidArgumentError, PostingsFormatError
from align.postings._occupations import LOW_CONFIDENCE
from align.postings._query import TITLE_KEY_SQL, _where, has_table
from align.postings._store import REVIEW_ROW_COLUMNS, PostingsStore, open_store

__all__ = [
    "REVIEW_ACTIONS",
    "REVIEW_COLUMNS",
    "CodingSummary",
    "coding_summary",
    "import_review",
    "review_sheet",
    "write_review_sheet",
]

#: Columns of the review sheet (:func:`review_sheet`); the analyst fills the last two.
REVIEW_COLUMNS: tuple[str, ...] = (
    "title", "postings", "onet_code", "onet_title", "confidence", "tied", "candidates",
    "reviewed_code", "note",
)  # fmt: skip
#: Words ``reviewed_code`` takes besides an O*NET-SOC code.
REVIEW_ACTIONS: dict[str, str] = {
    "keep": "the coder's code is right",
    "none": "no O*NET occupation fits: the postings count as not coded",
    "clear": "forget an earlier review of the title",
}
_CODE = re.compile(r"^\d{2}-\d{4}(\.\d{2})?$")
_MAX_SHEET_BYTES = 50_000_000


def _key(title: Any) -> str:
    from align.postings._titles import title_key

    return title_key(title)


def review_sheet(
    db: PostingsStore | PathLike | None = None,
    *,
    below: float = LOW_CONFIDENCE,
    occupation: str | list[str] | None = None,
    region: str | list[str] | None = None,
    all_titles: bool = False,
    candidates: int = 3,
) -> pd.DataFrame:
    """The title codings worth a human look, one row per distinct title.

    Parameters
    ----------
    db : PostingsStore or path, optional
        The postings database (opened read-only).
    below : float
        Titles whose coding ``confidence`` is below this, or tied, are listed
        (default :data:`~align.postings._occupations.LOW_CONFIDENCE`: more
        likely wrong than right).
    occupation, region
        Filters as in :func:`align.postings.skill_demand` (occupation: the
        coder's code).
    all_titles : bool
        List every title-coded title, reviewed ones included (to check them all).
    candidates : int
        Codes listed in ``candidates`` (the coder's best, with their scores).

    Returns
    -------
    DataFrame
        Columns :data:`REVIEW_COLUMNS`: ``title`` (as most often posted),
        ``postings``, ``onet_code``/``onet_title`` (the coder's code, or the
        earlier review's), ``confidence``, ``tied``, ``candidates``
        ("15-2051.01 Business Intelligence Analysts (0.41); ..."),
        ``reviewed_code`` (empty, or the earlier review) and ``note``; titles
        with most postings first.
    """
    if not 0.0 <= float(below) <= 1.0:
        raise InvalidArgumentError(f"below={below!r}; expected a confidence in [0, 1] (0.5).")
    store, owned = open_store(db, read_only=True)
    try:
        return _sheet(store, float(below), occupation, region, all_titles, candidates)
    finally:
        if owned:
            store.close()


def _sheet(
    store: PostingsStore,
    below: float,
    occupation: Any,
    region: Any,
    all_titles: bool,
    candidates: int,
) -> pd.DataFrame:
    where, params = _where(occupation, region, None, alias="c")
    conf, tied = ("o.confidence", "coalesce(o.tied, FALSE)") if _has_confidence(store) else (
        "o.score", "FALSE"
    )  # fmt: skip
    if has_table(store, "occupation_reviews"):
        rev_cols = "r.onet_code AS rev_code, r.note AS rev_note, r.title_key IS NOT NULL"
        rev_join = f"LEFT JOIN occupation_reviews r ON r.title_key = {TITLE_KEY_SQL}"
    else:
        rev_cols, rev_join = "NULL AS rev_code, NULL AS rev_note, FALSE", ""
    if not all_titles:
        where += " AND (c.confidence < ? OR c.tied) AND NOT c.reviewed"
        params = [*params, below]
    rows = store.query(
        f"""SELECT c.* FROM (
                SELECT p.posting_id, coalesce(p.title_raw, p.title) AS title,
                       {TITLE_KEY_SQL} AS key, o.onet_code AS occ, o.onet_title,
                       {conf} AS confidence, {tied} AS tied, p.state, p.state_name, p.msa,
                       p.msa_name, p.county, p.county_name, {rev_cols} AS reviewed
                FROM postings p
                JOIN posting_occupations o ON o.posting_id = p.posting_id AND o.rank = 1
                {rev_join}
                WHERE p.onet IS NULL AND p.soc_5 IS NULL) c
            WHERE {where}""",
        params,
    )
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in REVIEW_COLUMNS})
    per = rows.groupby("key", sort=False).agg(
        title=("title", lambda s: s.mode().iat[0]),
        postings=("posting_id", "size"),
        posting_id=("posting_id", "first"),
        onet_code=("occ", "first"),
        onet_title=("onet_title", "first"),
        confidence=("confidence", "median"),
        tied=("tied", "max"),
        reviewed_code=("rev_code", "first"),
        note=("rev_note", "first"),
    )
    cands = store.query(
        "SELECT posting_id, rank, onet_code, onet_title, score FROM posting_occupations "
        "WHERE posting_id IN (SELECT posting_id FROM _ids) AND rank <= ? ORDER BY posting_id, rank",
        [int(candidates)],
        tables={"_ids": per[["posting_id"]]},
    )
    cands["text"] = [
        f"{c} {t} ({s:.2f})"
        for c, t, s in zip(cands["onet_code"], cands["onet_title"], cands["score"], strict=True)
    ]
    text = cands.groupby("posting_id")["text"].agg("; ".join)
    per["candidates"] = per["posting_id"].map(text).fillna("")
    per["reviewed_code"] = per["reviewed_code"].fillna("")
    per["note"] = per["note"].fillna("")
    per["confidence"] = per["confidence"].astype(float).round(3)
    per["tied"] = per["tied"].astype(bool)
    per["postings"] = per["postings"].astype("int64")
    out = per.sort_values(["postings", "confidence"], ascending=[False, True], kind="stable")
    return out[list(REVIEW_COLUMNS)].reset_index(drop=True)


def _has_confidence(store: PostingsStore) -> bool:
    """Codings made before confidence existed have only the matcher's score."""
    found = store.query(
        "SELECT count(*) AS n FROM duckdb_columns() WHERE table_name = 'posting_occupations' "
        "AND column_name = 'confidence'"
    )
    return bool(int(found["n"].iloc[0]))


def write_review_sheet(
    db: PostingsStore | PathLike | None, path: PathLike, **options: Any
) -> pd.DataFrame:
    """Write :func:`review_sheet` to a CSV file (UTF-8 with a byte-order mark, which
    spreadsheets read as UTF-8) and return it; ``options`` go to :func:`review_sheet`.

    Cells that a spreadsheet would run as a formula get a leading ``'``; the import
    takes it off again.
    """
    sheet = review_sheet(db, **options)
    write_text_atomic(path, "\ufeff" + csv_text(sheet), "review sheet")
    record_output(path)
    return sheet


def _read_sheet(sheet: PathLike | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(sheet, pd.DataFrame):
        return sheet.copy(), "the review table"
    path = check_regular_file(sheet, "review file", error=PostingsFormatError)
    raw = _read_bytes(path, "review file", _MAX_SHEET_BYTES, PostingsFormatError)
    text = decode_text(raw, str(path), error=PostingsFormatError)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise PostingsFormatError(
            f"review file {str(path)!r} is not a CSV file align can read ({exc}). Save it from "
            "the spreadsheet as CSV UTF-8 (comma-delimited)."
        ) from None
    return frame, f"review file {str(path)!r}"


def import_review(
    db: PostingsStore | PathLike | None,
    sheet: PathLike | pd.DataFrame,
    *,
    data_dir: PathLike | None = None,
    onet: Any = None,
) -> pd.DataFrame:
    """Store an analyst's reviewed codes (a sheet from :func:`write_review_sheet`, edited).

    Parameters
    ----------
    db : PostingsStore or path
        The postings database.
    sheet : path or DataFrame
        The edited sheet: ``title`` and ``reviewed_code`` (``note`` optional).
        Rows with a blank ``reviewed_code`` are left alone.
    data_dir, onet
        Where O*NET is (codes are checked against its occupations), or the
        framework itself.

    Returns
    -------
    DataFrame
        One row per title decided: ``title``, ``postings`` (postings with the
        title and no export code: those the review applies to), ``coded_code``
        (the coder's), ``onet_code`` (the reviewed code; None for ``none`` and
        ``clear``), ``onet_title``, ``action`` (``changed``, ``kept``, ``no
        occupation``, ``cleared``).

    Raises
    ------
    PostingsFormatError
        The sheet lacks a column, or a ``reviewed_code`` is not an O*NET-SOC code
        of the release nor one of :data:`REVIEW_ACTIONS` (every such row is named).
    """
    frame, name = _read_sheet(sheet)
    missing = [c for c in ("title", "reviewed_code") if c not in frame.columns]
    if missing:
        raise PostingsFormatError(
            f"{name} has no column {', '.join(repr(c) for c in missing)} (it has "
            f"{', '.join(map(repr, frame.columns[:8]))}). Import the sheet that `align postings "
            "occupations --review FILE` wrote, with reviewed_code filled in."
        )
    frame = frame.fillna("").astype(str)
    frame["title"] = frame["title"].map(restore_csv_cell)
    frame["reviewed_code"] = frame["reviewed_code"].map(restore_csv_cell).str.strip()
    frame["note"] = frame["note"].map(restore_csv_cell) if "note" in frame else ""
    todo = frame[frame["reviewed_code"] != ""]
    names = _onet_titles(onet, data_dir) if len(todo) else {}
    decided: list[tuple[str, str, str | None, str]] = []
    problems: list[str] = []
    for i, row in zip(range(len(todo)), todo.to_dict("records"), strict=True):
        code = row["reviewed_code"]
        low = code.lower()
        if low in REVIEW_ACTIONS:
            decided.append((row["title"], low, None, row["note"]))
            continue
        if _CODE.match(code) and "." not in code:
            code += ".00"
        if not _CODE.match(code) or code not in names:
            line = int(todo.index[i]) + 2  # the header is line 1
            problems.append(f"row {line} ({row['title'][:40]!r}): {row['reviewed_code']!r}")
            continue
        decided.append((row["title"], "code", code, row["note"]))
    if problems:
        raise PostingsFormatError(
            f"{name}: {len(problems)} reviewed_code value(s) are not O*NET-SOC codes of the "
            f"release: {'; '.join(problems[:8])}. Write a code such as 15-2051.01, 'keep' for "
            "the coder's code, 'none' when no O*NET occupation fits, 'clear' to forget a "
            "review, or leave the cell empty; nothing was stored."
        )
    store, owned = open_store(db)
    try:
        return _store_reviews(store, decided, names)
    finally:
        if owned:
            store.close()


def _onet_titles(onet: Any, data_dir: PathLike | None) -> dict[str, str]:
    if onet is None:
        from align.frameworks import load_framework

        onet = load_framework("onet", data_dir=data_dir)
    occ = onet.occupations
    return dict(zip(occ["code"].astype(str), occ["title"].astype(str), strict=True))


def _store_reviews(
    store: PostingsStore, decided: list[tuple[str, str, str | None, str]], names: dict[str, str]
) -> pd.DataFrame:
    cols = ["title", "postings", "coded_code", "onet_code", "onet_title", "action"]
    if not decided:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    keys = pd.DataFrame({"key": [_key(t) for t, *_ in decided]}).drop_duplicates()
    coded = store.query(
        f"""SELECT {TITLE_KEY_SQL} AS key, count(*) AS postings,
                   mode(o.onet_code) AS coded_code
            FROM postings p LEFT JOIN posting_occupations o
              ON o.posting_id = p.posting_id AND o.rank = 1
            WHERE {TITLE_KEY_SQL} IN (SELECT key FROM _keys)
              AND p.onet IS NULL AND p.soc_5 IS NULL
            GROUP BY ALL""",
        tables={"_keys": keys},
    ).set_index("key")
    now = datetime.now(UTC).replace(tzinfo=None)
    rows, report = [], []
    for title, action, code, note in decided:
        key = _key(title)
        coded_code = coded["coded_code"].get(key)
        coded_code = None if pd.isna(coded_code) else str(coded_code)
        if action == "keep":
            code = coded_code
        label = "cleared" if action == "clear" else "no occupation" if action == "none" else (
            "kept" if code == coded_code else "changed"
        )  # fmt: skip
        if action != "clear":
            rows.append((key, code, names.get(code) if code else None, coded_code, note, now))
        report.append({
            "title": title, "postings": int(coded["postings"].get(key, 0)),
            "coded_code": coded_code, "onet_code": code if action != "clear" else None,
            "onet_title": names.get(code) if code and action != "clear" else None,
            "action": label,
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(REVIEW_ROW_COLUMNS))
    with store.write_batch("review", preset="onet") as batch:
        batch.replace_reviews(keys["key"], frame.drop_duplicates("title_key", keep="last"))
        out = pd.DataFrame(report, columns=cols)
        batch.rows_read = len(decided)
        batch.rows_loaded = int(out["postings"].sum())
        counts = out["action"].value_counts().to_dict()
        batch.note = "reviewed titles: " + ", ".join(f"{v} {k}" for k, v in counts.items())
    return out


@dataclass(frozen=True)
class CodingSummary:
    """Where the postings' occupation codes come from (the dashboard's postings panel).

    Attributes
    ----------
    postings : int
        Postings in the database.
    export_coded : int
        Postings whose export gave an O*NET or SOC code.
    title_coded : int
        Postings coded from their titles by the coder (reviewed ones excluded).
    reviewed : int
        Postings whose code an analyst reviewed (``reviewed_titles`` distinct titles).
    reviewed_titles : int
        Titles reviewed.
    low_confidence : int
        Title-coded postings, not reviewed, whose coding is below
        :data:`~align.postings._occupations.LOW_CONFIDENCE` or tied.
    """

    postings: int
    export_coded: int
    title_coded: int
    reviewed: int
    reviewed_titles: int
    low_confidence: int


def coding_summary(db: PostingsStore | PathLike | None = None) -> CodingSummary:
    """Count postings by where their occupation code comes from (see :class:`CodingSummary`).

    Examples
    --------
    >>> coding_summary(PostingsStore(":memory:"))
    CodingSummary(postings=0, export_coded=0, title_coded=0, reviewed=0, reviewed_titles=0, \
low_confidence=0)
    """
    store, owned = open_store(db, read_only=True)
    try:
        reviews = has_table(store, "occupation_reviews")
        low = (
            f"(coalesce(o.confidence, o.score) < {LOW_CONFIDENCE} OR coalesce(o.tied, FALSE))"
            if _has_confidence(store)
            else f"o.score < {LOW_CONFIDENCE}"
        )
        rev = "r.title_key IS NOT NULL" if reviews else "FALSE"
        join = f"LEFT JOIN occupation_reviews r ON r.title_key = {TITLE_KEY_SQL}" if reviews else ""
        row = store.query(
            f"""SELECT count(*) AS postings,
                   count(*) FILTER (WHERE export) AS export_coded,
                   count(*) FILTER (WHERE NOT export AND reviewed) AS reviewed,
                   count(DISTINCT key) FILTER (WHERE NOT export AND reviewed) AS reviewed_titles,
                   count(*) FILTER (WHERE NOT export AND NOT reviewed AND coded) AS title_coded,
                   count(*) FILTER (WHERE NOT export AND NOT reviewed AND coded AND low)
                     AS low_confidence
                FROM (SELECT p.onet IS NOT NULL OR p.soc_5 IS NOT NULL AS export,
                             {rev} AS reviewed, {TITLE_KEY_SQL} AS key,
                             o.onet_code IS NOT NULL AS coded, coalesce({low}, FALSE) AS low
                      FROM postings p
                      LEFT JOIN posting_occupations o
                        ON o.posting_id = p.posting_id AND o.rank = 1
                      {join})"""
        ).iloc[0]
        return CodingSummary(**{k: int(row[k] or 0) for k in CodingSummary.__annotations__})
    finally:
        if owned:
            store.close()
