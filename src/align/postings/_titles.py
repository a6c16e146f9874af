"""Job title -> O*NET-SOC coding.

Titles are matched with the :class:`~align._match.Matcher` against O*NET
occupations (``target="occupations"``): each occupation's title and its
alternate and sample-reported titles are surface forms. Identical titles are
coded once, so a file of a million postings with a few thousand distinct
titles costs a few thousand matches.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from tqdm.auto import tqdm

from align._config import Method, PathLike
from align.exceptions import InvalidArgumentError
from align.postings._store import PostingsStore, open_store

if TYPE_CHECKING:
    from align._match import Matcher

__all__ = ["TITLE_COLUMNS", "code_job_titles", "code_titles", "make_title_matcher"]

#: Columns of :func:`code_job_titles`.
TITLE_COLUMNS: tuple[str, ...] = (
    "query_index",
    "title",
    "rank",
    "onet_code",
    "onet_title",
    "score",
)
_SPACE = re.compile(r"\s+")


def make_title_matcher(
    method: Method = "hybrid",
    *,
    onet: Any = None,
    data_dir: PathLike | None = None,
    embedder: Any = None,
    alt_titles: bool = True,
) -> Matcher:
    """Return a fitted Matcher over O*NET occupation titles.

    Parameters
    ----------
    method : {"hybrid", "semantic", "lexical"}
        Matching method.
    onet : Framework, optional
        The O*NET framework (default: loaded from the data folder).
    data_dir : str or PathLike, optional
        Data folder holding the O*NET release.
    embedder : Embedder, optional
        Embedding model.
    alt_titles : bool
        Use alternate and sample-reported titles as surfaces too.
    """
    from align._match import Matcher

    if onet is None:
        from align.frameworks import load_framework

        onet = load_framework("onet", data_dir=data_dir)
    return Matcher(
        onet, method, target="occupations", embedder=embedder, alt_labels=alt_titles
    ).fit()


def _norm_title(title: Any) -> str:
    return _SPACE.sub(" ", str(title)).strip()


def code_job_titles(
    titles: Sequence[str],
    matcher: Matcher | None = None,
    *,
    top_k: int = 5,
    min_score: float = 0.0,
    method: Method = "hybrid",
    data_dir: PathLike | None = None,
    batch_size: int = 2048,
    progress: bool = False,
) -> pd.DataFrame:
    """Code job titles to O*NET-SOC occupations.

    Parameters
    ----------
    titles : sequence of str
        Job titles as posted.
    matcher : Matcher, optional
        Fitted occupations matcher (:func:`make_title_matcher`); built from
        ``method`` and ``data_dir`` when omitted.
    top_k : int
        Codes per title.
    min_score : float
        Drop codes scoring below this.
    method, data_dir
        Used only when ``matcher`` is omitted.
    batch_size : int
        Distinct titles matched at a time.
    progress : bool
        Show a progress bar.

    Returns
    -------
    DataFrame
        Columns :data:`TITLE_COLUMNS`: ``query_index`` (position in
        ``titles``), ``title``, ``rank`` (1 = best), ``onet_code``,
        ``onet_title``, ``score`` in [0, 1]. Blank titles get no rows.
    """
    if not isinstance(top_k, int) or top_k < 1:
        raise InvalidArgumentError(f"top_k={top_k!r}; expected a positive integer such as 5.")
    m = matcher if matcher is not None else make_title_matcher(method, data_dir=data_dir)
    norm = [_norm_title(t) if t is not None else "" for t in titles]
    unique = sorted({t for t in norm if t}, key=str.lower)
    by_lower: dict[str, str] = {}
    for t in unique:
        by_lower.setdefault(t.lower(), t)
    queries = list(by_lower.values())
    parts = []
    for start in tqdm(
        range(0, len(queries), batch_size),
        disable=not progress,
        desc="code titles",
        unit=" batches",
    ):
        chunk = queries[start : start + batch_size]
        res = m.match(chunk, top_k=top_k, min_score=min_score)
        res["query"] = [chunk[i] for i in res["query_index"]]
        parts.append(res)
    empty = pd.DataFrame(columns=list(TITLE_COLUMNS))
    if not parts:
        return empty
    res = pd.concat(parts, ignore_index=True)
    res["key"] = res["query"].str.lower()
    res = res.rename(columns={"code": "onet_code", "label": "onet_title"})
    keys = pd.DataFrame(
        {"query_index": range(len(norm)), "title": norm, "key": [t.lower() for t in norm]}
    )
    out = keys[keys["title"] != ""].merge(
        res[["key", "rank", "onet_code", "onet_title", "score"]], on="key", how="inner"
    )
    out = out.sort_values(["query_index", "rank"], kind="stable").reset_index(drop=True)
    return out[list(TITLE_COLUMNS)] if len(out) else empty


def code_titles(
    db: PostingsStore | PathLike | None = None,
    *,
    top_k: int = 3,
    method: Method = "hybrid",
    min_score: float = 0.0,
    limit: int | None = None,
    redo: bool = False,
    data_dir: PathLike | None = None,
    matcher: Matcher | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Code stored postings that have no O*NET code from their titles.

    Parameters
    ----------
    db : PostingsStore or path, optional
        The postings database.
    top_k : int
        Codes stored per posting (rank 1 is used by demand filters).
    method : {"hybrid", "semantic", "lexical"}
        Matching method.
    min_score : float
        Store only codes scoring at least this.
    limit : int, optional
        Code at most this many postings.
    redo : bool
        Recode postings coded before (their old codes are replaced).
    data_dir : str or PathLike, optional
        Data folder holding O*NET.
    matcher : Matcher, optional
        A fitted occupations matcher to use.
    progress : bool
        Show a progress bar.

    Returns
    -------
    DataFrame
        One batch-report row (``rows_read`` = postings coded, ``rows_loaded``
        = codes stored). Codes go to ``posting_occupations``.
    """
    store, owned = open_store(db)
    try:
        t0 = time.perf_counter()
        where = "onet IS NULL AND soc_5 IS NULL AND coalesce(title_raw, title) IS NOT NULL"
        if not redo:
            where += " AND posting_id NOT IN (SELECT posting_id FROM posting_occupations)"
        sql = (
            f"SELECT posting_id, coalesce(title_raw, title) AS title FROM postings "
            f"WHERE {where} ORDER BY posting_id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        todo = store.query(sql)
        m = matcher if matcher is not None else make_title_matcher(method, data_dir=data_dir)
        coded = code_job_titles(
            todo["title"].tolist(), m, top_k=top_k, min_score=min_score, progress=progress
        )
        coded["posting_id"] = todo["posting_id"].to_numpy()[coded["query_index"].to_numpy(int)]
        con = store.con
        with store._transaction():
            bid = store._next_batch_id()
            frame = coded[["posting_id", "rank", "onet_code", "onet_title", "score"]].copy()
            frame["method"] = m.method
            frame["batch_id"] = bid
            con.register("_coded", frame)
            con.register("_todo", todo[["posting_id"]])
            con.execute(
                "DELETE FROM posting_occupations WHERE posting_id IN (SELECT posting_id FROM _todo)"
            )
            con.execute(
                "INSERT INTO posting_occupations SELECT posting_id, rank, onet_code, "
                "onet_title, score, method, batch_id FROM _coded"
            )
            con.unregister("_coded")
            con.unregister("_todo")
            seconds = time.perf_counter() - t0
            store.log_batch(
                batch_id=bid,
                kind="code-titles",
                preset="onet",
                rows_read=len(todo),
                rows_loaded=len(frame),
                rows_duplicate=0,
                rows_rejected=0,
                note=(
                    f"method={m.method} top_k={top_k} min_score={min_score}; "
                    f"{todo['title'].str.lower().nunique():,} distinct titles in "
                    f"{seconds:.1f} s"
                ),
            )
        return store.query("SELECT * FROM batches WHERE batch_id = ?", [bid])
    finally:
        if owned:
            store.close()
