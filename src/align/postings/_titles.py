"""Job title -> O*NET-SOC coding.

:func:`code_job_titles` codes a list of titles and :func:`code_titles` the
stored postings without an O*NET code, both with the
:class:`~align.postings._title_coder.TitleCoder`: titles are cleaned
(seniority, schedule, pay and places dropped), O*NET occupations are
shortlisted by their titles and alternate and reported titles, and a model
fitted on a hand-labelled benchmark re-ranks them and says how likely the top
code is right (``confidence``; ``tied`` when two codes are equally likely).
Identical titles are coded once, so a file of a million postings with a few
thousand distinct titles costs a few thousand codings.
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
from align.postings._title_coder import CODE_COLUMNS, TitleCoder

if TYPE_CHECKING:
    from align._match import Matcher

__all__ = [
    "TITLE_COLUMNS",
    "TitleCoder",
    "code_job_titles",
    "code_titles",
    "make_title_coder",
    "make_title_matcher",
    "title_key",
]

#: Columns of :func:`code_job_titles` (``score``: the probability that the code is the
#: title's occupation; ``confidence``: that the title's top code is right; ``tied``: the
#: runner-up is about as likely as the top code).
TITLE_COLUMNS: tuple[str, ...] = CODE_COLUMNS
_SPACE = re.compile(r"\s+")
# ASCII whitespace, as the database's regular expressions see it (reviews are keyed in SQL).
_KEY_SPACE = re.compile(r"[ \t\n\r\f\v]+")
# Distinct titles coded at a time: the progress bar moves every batch (a few seconds).
_BATCH = 256


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


def make_title_coder(
    method: Method = "hybrid",
    *,
    onet: Any = None,
    data_dir: PathLike | None = None,
    embedder: Any = None,
    matcher: Matcher | None = None,
) -> TitleCoder:
    """Return a fitted :class:`TitleCoder` (reuse it to code many lists of titles).

    Parameters
    ----------
    method : {"hybrid", "semantic", "lexical"}
        ``hybrid`` (default) and ``semantic`` embed titles with the model;
        ``lexical`` compares strings only (no model; less accurate: see
        ``benchmarks/RESULTS-postings.md``).
    onet, data_dir, embedder
        The O*NET framework (default: loaded from ``data_dir``) and model.
    matcher : Matcher, optional
        A fitted occupations matcher (:func:`make_title_matcher`) to build on;
        its method wins over ``method``.
    """
    return TitleCoder(
        onet, method=method, data_dir=data_dir, embedder=embedder, matcher=matcher
    ).fit()


def title_key(title: Any) -> str:
    """The identity of a title: whitespace collapsed, lower case (as the store keys reviews).

    Examples
    --------
    >>> title_key("  Data   Analyst ")
    'data analyst'
    """
    return _KEY_SPACE.sub(" ", str(title)).strip(" ").lower()


def _norm_title(title: Any) -> str:
    return _SPACE.sub(" ", str(title)).strip()


def code_job_titles(
    titles: Sequence[str | None],
    matcher: Matcher | TitleCoder | None = None,
    *,
    top_k: int = 5,
    min_score: float = 0.0,
    method: Method = "hybrid",
    data_dir: PathLike | None = None,
    batch_size: int = _BATCH,
    progress: bool = False,
) -> pd.DataFrame:
    """Code job titles to O*NET-SOC occupations.

    Parameters
    ----------
    titles : sequence of str
        Job titles as posted.
    matcher : TitleCoder or Matcher, optional
        A fitted coder (:func:`make_title_coder`), or an occupations matcher
        (:func:`make_title_matcher`) to build one on; built from ``method``
        and ``data_dir`` when omitted.
    top_k : int
        Codes per title.
    min_score : float
        Drop codes whose ``score`` is below this.
    method, data_dir
        Used only when ``matcher`` is omitted.
    batch_size : int
        Distinct titles coded at a time (the progress bar moves per batch).
    progress : bool
        Show a progress bar in titles.

    Returns
    -------
    DataFrame
        Columns :data:`TITLE_COLUMNS`: ``query_index`` (position in
        ``titles``), ``title``, ``rank`` (1 = best), ``onet_code``,
        ``onet_title``, ``score`` (probability that the code is the title's
        occupation, in [0, 1]), ``confidence`` (probability that the title's
        rank-1 code is right, calibrated on the dev half of the title
        benchmark) and ``tied`` (the runner-up is at least 90 % as likely as
        the top code: the order between them says little). Blank titles get
        no rows.
    """
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
        raise InvalidArgumentError(f"top_k={top_k!r}; expected a positive integer such as 5.")
    if isinstance(matcher, TitleCoder):
        coder = matcher if hasattr(matcher, "codes_") else matcher.fit()
    else:
        coder = make_title_coder(method, data_dir=data_dir, matcher=matcher)
    norm = [_norm_title(t) if t is not None else "" for t in titles]
    by_key: dict[str, str] = {}
    for t in sorted({t for t in norm if t}, key=str.lower):
        by_key.setdefault(t.lower(), t)
    queries = list(by_key.values())
    parts = []
    # One bar in distinct titles, moving every batch.
    with tqdm(total=len(queries), disable=not progress, desc="code titles", unit=" titles") as bar:
        for start in range(0, len(queries), max(1, batch_size)):
            chunk = queries[start : start + batch_size]
            res = coder.code(chunk, top_k=top_k)
            res["key"] = [chunk[i].lower() for i in res["query_index"]]
            parts.append(res.drop(columns=["query_index", "title"]))
            bar.update(len(chunk))
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in TITLE_COLUMNS})
    if not parts:
        return empty
    res = pd.concat(parts, ignore_index=True)
    res = res[res["score"] >= min_score]
    keys = pd.DataFrame(
        {"query_index": range(len(norm)), "title": norm, "key": [t.lower() for t in norm]}
    )
    out = keys[keys["title"] != ""].merge(res, on="key", how="inner")
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
    matcher: Matcher | TitleCoder | None = None,
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
        Coding method (:func:`make_title_coder`).
    min_score : float
        Store only codes whose ``score`` is at least this.
    limit : int, optional
        Code at most this many postings.
    redo : bool
        Recode postings coded before (their old codes are replaced).
    data_dir : str or PathLike, optional
        Data folder holding O*NET.
    matcher : TitleCoder or Matcher, optional
        A fitted coder (:func:`make_title_coder`) or occupations matcher to use.
    progress : bool
        Show a progress bar (distinct titles, moving every few seconds).

    Returns
    -------
    DataFrame
        The codes this run stored (``posting_id``, ``rank``, ``onet_code``,
        ``onet_title``, ``score``, ``method``, ``confidence``, ``tied``; see
        :func:`code_job_titles`); they are in ``posting_occupations``.
        ``attrs["batch"]`` is the run's entry of the batch log (plain values:
        ``batch_id``, ``rows_read`` = postings coded, ``rows_loaded`` = codes
        stored, ``note``, ``loaded_at`` as ISO text), also in
        :meth:`PostingsStore.batches`.
    """
    store, owned = open_store(db)
    try:
        t0 = time.perf_counter()
        todo = store.titles_to_code(limit=limit, redo=redo)
        if isinstance(matcher, TitleCoder):
            coder = matcher if hasattr(matcher, "codes_") else matcher.fit()
        elif todo.empty:
            coder = None
        else:
            coder = make_title_coder(method, data_dir=data_dir, matcher=matcher)
        used = coder.method if coder is not None else str(method)
        coded = (
            code_job_titles(
                todo["title"].tolist(), coder, top_k=top_k, min_score=min_score, progress=progress
            )
            if coder is not None
            else pd.DataFrame(columns=list(TITLE_COLUMNS))
        )
        coded["posting_id"] = todo["posting_id"].to_numpy()[coded["query_index"].to_numpy(int)]
        frame = coded[
            ["posting_id", "rank", "onet_code", "onet_title", "score", "confidence", "tied"]
        ].assign(method=used)
        with store.write_batch("code-titles", preset="onet") as batch:
            batch.rows_loaded = batch.replace_occupations(todo["posting_id"], frame)
            batch.rows_read = len(todo)
            seconds = time.perf_counter() - t0
            batch.note = (
                f"method={used} top_k={top_k} min_score={min_score}; "
                f"{todo['title'].str.lower().nunique():,} distinct titles in "
                f"{seconds:.1f} s"
            )
        out = store.occupation_codes(batch.batch_id)
        out.attrs["batch"] = batch.record()
        return out
    finally:
        if owned:
            store.close()
