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
    # One bar in titles (distinct ones), not the embedder's bar per batch of texts.
    with tqdm(total=len(queries), disable=not progress, desc="code titles", unit=" titles") as bar:
        for start in range(0, len(queries), batch_size):
            chunk = queries[start : start + batch_size]
            res = m.match(chunk, top_k=top_k, min_score=min_score, show_progress=False)
            res["query"] = [chunk[i] for i in res["query_index"]]
            parts.append(res)
            bar.update(len(chunk))
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
        The codes this run stored (``posting_id``, ``rank``, ``onet_code``,
        ``onet_title``, ``score``, ``method``); they are in
        ``posting_occupations``. ``attrs["batch"]`` is the run's entry of the
        batch log (``batch_id``, ``rows_read`` = postings coded,
        ``rows_loaded`` = codes stored, ``note``).
    """
    store, owned = open_store(db)
    try:
        t0 = time.perf_counter()
        todo = store.titles_to_code(limit=limit, redo=redo)
        m = matcher if matcher is not None else make_title_matcher(method, data_dir=data_dir)
        coded = code_job_titles(
            todo["title"].tolist(), m, top_k=top_k, min_score=min_score, progress=progress
        )
        coded["posting_id"] = todo["posting_id"].to_numpy()[coded["query_index"].to_numpy(int)]
        frame = coded[["posting_id", "rank", "onet_code", "onet_title", "score"]].assign(
            method=m.method
        )
        with store.write_batch("code-titles", preset="onet") as batch:
            batch.rows_loaded = batch.replace_occupations(todo["posting_id"], frame)
            batch.rows_read = len(todo)
            seconds = time.perf_counter() - t0
            batch.note = (
                f"method={m.method} top_k={top_k} min_score={min_score}; "
                f"{todo['title'].str.lower().nunique():,} distinct titles in "
                f"{seconds:.1f} s"
            )
        out = store.occupation_codes(batch.batch_id)
        out.attrs["batch"] = batch.record()
        return out
    finally:
        if owned:
            store.close()
