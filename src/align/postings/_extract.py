"""Skill extraction from posting text.

A posting's ``BODY`` is split into bullet items and sentences
(:func:`split_posting`); boilerplate (equal-opportunity statements, benefits,
application instructions) is dropped; each remaining segment is matched with
the :class:`~align._match.Matcher` against a taxonomy; matches scoring at
least ``threshold`` are kept, one row per posting and skill with its best
score and the sentence that gave it.

The default threshold (:data:`DEFAULT_THRESHOLD`) was chosen on the dev
splits of the TECH and HOUSE skill-linking benchmarks
(``benchmarks/postings_threshold.py``; see ``benchmarks/RESULTS-postings.md``).
Vectors are cached on disk by the Embedder, so re-running costs little.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from align._config import Method, PathLike
from align.exceptions import InvalidArgumentError, UnknownNameError
from align.postings._asked import AskedScorer
from align.postings._dask import require_distributed, run_on_dask
from align.postings._paraphrase import keep_mask
from align.postings._segments import MAX_SEGMENT, MIN_MATCH_WORDS, is_boilerplate, split_posting
from align.postings._store import SKILL_ROW_COLUMNS, PostingsStore, open_store

if TYPE_CHECKING:
    from align._match import Matcher
    from align.postings._literal import LiteralFinder

__all__ = [
    "DEFAULT_THRESHOLD",
    "ENGINES",
    "EXTRACT_COLUMNS",
    "EXTRACT_METHODS",
    "TAXONOMIES",
    "extract_skills",
    "extract_text_skills",
    "is_boilerplate",
    "make_skill_matcher",
    "split_posting",
]

logger = logging.getLogger(__name__)

Taxonomy = Literal["lightcast", "esco", "onet"]
#: Taxonomies skills can be extracted against, with the competency kinds used.
TAXONOMIES: dict[str, tuple[str, ...] | None] = {
    "lightcast": ("skill", "certification"),
    "esco": ("skill", "knowledge"),
    "onet": ("skill", "knowledge", "technology"),
}
Engine = Literal["local", "dask"]
#: Where extraction runs.
ENGINES: dict[str, str] = {
    "local": "this process, in batches",
    "dask": "a Dask cluster: a LocalCluster, or the scheduler given by `scheduler`",
}
ExtractMethod = Literal["hybrid", "semantic", "lexical", "literal"]
#: Extraction methods: the matcher's, or literal mentions alone.
EXTRACT_METHODS: dict[str, str] = {
    "hybrid": "literal mentions + the hybrid matcher (embedding and string evidence): default",
    "semantic": "literal mentions + embedding similarity",
    "lexical": "literal mentions + rapidfuzz string evidence (no model)",
    "literal": "literal mentions only: labels, alternate and derived names (no model, fast)",
}
#: Score a match needs to be kept; chosen on the dev benchmark with the final matcher
#: (see module docs).
DEFAULT_THRESHOLD = 0.625
#: Columns of :func:`extract_text_skills`.
EXTRACT_COLUMNS: tuple[str, ...] = SKILL_ROW_COLUMNS


def make_skill_matcher(
    taxonomy: Taxonomy = "lightcast",
    method: Method = "hybrid",
    *,
    data_dir: PathLike | None = None,
    embedder: Any = None,
    framework: Any = None,
) -> Matcher:
    """Return a fitted Matcher over a taxonomy's skills.

    Parameters
    ----------
    taxonomy : {"lightcast", "esco", "onet"}
        Which framework to extract against (kinds in :data:`TAXONOMIES`).
    method : {"hybrid", "semantic", "lexical"}
        Matching method.
    data_dir : str or PathLike, optional
        Data folder holding the framework release.
    embedder : Embedder, optional
        Embedding model (default: the shared default model).
    framework : Framework, optional
        Use this framework instead of loading ``taxonomy`` (tests, subsets).
    """
    from align._match import Matcher

    if taxonomy not in TAXONOMIES:
        raise UnknownNameError(f"taxonomy {taxonomy!r} is not one of {', '.join(TAXONOMIES)}.")
    if framework is None:
        from align.frameworks import load_framework

        framework = load_framework(taxonomy, data_dir=data_dir)
    kinds = TAXONOMIES[taxonomy]
    present = set(framework.competencies["kind"])
    kinds = tuple(k for k in kinds or () if k in present) or None
    return Matcher(framework, method, kinds=kinds, embedder=embedder).fit()


# One literal finder per fitted matcher (a Dask worker keeps its matcher for its lifetime).
_FINDERS: weakref.WeakKeyDictionary[Any, LiteralFinder] = weakref.WeakKeyDictionary()


def make_taxonomy_finder(
    taxonomy: Taxonomy | str = "lightcast",
    *,
    data_dir: PathLike | None = None,
    framework: Any = None,
) -> LiteralFinder:
    """Return a fitted :class:`LiteralFinder` over a taxonomy's skills (no model needed)."""
    from align.postings._literal import LiteralFinder

    if taxonomy not in TAXONOMIES:
        raise UnknownNameError(f"taxonomy {taxonomy!r} is not one of {', '.join(TAXONOMIES)}.")
    if framework is None:
        from align.frameworks import load_framework

        framework = load_framework(taxonomy, data_dir=data_dir)
    present = set(framework.competencies["kind"])
    kinds = [k for k in TAXONOMIES[taxonomy] or () if k in present] or None
    return LiteralFinder(framework, kinds=kinds).fit()


def make_literal_finder(matcher: Matcher) -> LiteralFinder:
    """Return a fitted :class:`LiteralFinder` over the skills a matcher was fitted on."""
    from align.postings._literal import LiteralFinder

    kinds = sorted(set(matcher.items_["kind"])) if hasattr(matcher, "items_") else None
    return LiteralFinder(matcher.frameworks, kinds=kinds).fit()


def extract_text_skills(
    posting_ids: Sequence[str],
    texts: Sequence[str | None],
    matcher: Matcher | None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    top_k: int = 3,
    literal: LiteralFinder | bool = True,
    asked: AskedScorer | bool = True,
    show_progress: bool | None = None,
) -> pd.DataFrame:
    """Extract skills from posting texts with a fitted matcher and literal mentions.

    A skill the posting names outright (its label, an alternate label or a
    derived name such as "Hadoop" for "Apache Hadoop"; see
    :mod:`align.postings._literal`) is extracted whatever its score; the
    matcher adds the skills whose score reaches ``threshold`` (paraphrases) in
    sentences of five words or more (a heading such as "Care" or "Primary
    Responsibilities" gives it nothing to go on), except a skill that is only a
    specific kind of what the sentence names ("verbal communication" is not
    *Non-Verbal Communication*; :mod:`align.postings._paraphrase`). A sentence
    repeated across postings is matched once.

    Parameters
    ----------
    posting_ids : sequence of str
        One id per text.
    texts : sequence of str
        Posting bodies.
    matcher : Matcher or None
        Fitted matcher (see :func:`make_skill_matcher`); ``None`` for literal
        mentions only (then ``literal`` must be a finder).
    threshold : float
        Minimum matcher score in [0, 1].
    top_k : int
        Candidate skills per segment.
    literal : LiteralFinder or bool
        Also extract literal mentions (``True``: a finder over the matcher's
        skills, built on first use and kept with the matcher; or a finder
        from :func:`make_literal_finder`); ``False`` for the matcher alone.
    asked : AskedScorer or bool
        Score whether each posting asks for the skills it names
        (:mod:`align.postings._asked`). ``True``: with the matcher's embedding
        model when it is the default one, else from the sentence's cue words;
        ``False`` leaves ``asked`` and ``asked_score`` empty.
    show_progress : bool, optional
        Progress bar while sentences are embedded (``None``: the matcher's
        setting). :func:`extract_skills` passes ``False``: its own bar counts
        postings.

    Returns
    -------
    DataFrame
        Columns :data:`EXTRACT_COLUMNS`: one row per posting and skill, sorted
        by posting (input order). ``asked_score`` is the highest probability,
        over the sentences that name or match the skill, that the posting asks
        for it, and ``asked`` says whether that reaches the model's threshold.
        ``evidence`` is that sentence (the first one on ties, a sentence naming
        the skill before one the matcher found); ``method`` is ``"literal"``
        when the evidence sentence names the skill, else the matcher's method.
        ``score`` is the matcher's best score for the skill in the posting
        when it reached ``threshold``, else NaN (a literal mention only).
    """
    if len(posting_ids) != len(texts):
        raise InvalidArgumentError(
            f"posting_ids has {len(posting_ids)} items but texts has {len(texts)}."
        )
    if not 0.0 <= float(threshold) <= 1.0:
        raise InvalidArgumentError(f"threshold={threshold!r}; expected a number in [0, 1].")
    if matcher is None and isinstance(literal, bool):
        raise InvalidArgumentError(
            "matcher is None, so literal must be a LiteralFinder (make_literal_finder or "
            "LiteralFinder(framework).fit()): with neither there is nothing to extract with."
        )
    seg_owner: list[int] = []
    seg_order: list[int] = []
    uniq: dict[str, int] = {}
    for i, text in enumerate(texts):
        for seg in split_posting(text, max_chars=None):
            seg_owner.append(i)
            seg_order.append(uniq.setdefault(seg, len(uniq)))
    if not seg_owner:
        return _empty_extract()
    segments = list(uniq)
    # Segment -> (owner, position); every (owner, unique segment) pair once.
    pairs = pd.DataFrame({"owner": seg_owner, "seg": seg_order, "pos": range(len(seg_owner))})
    pairs = pairs.drop_duplicates(["owner", "seg"])
    # The matcher reads at most MAX_SEGMENT characters of a segment, as it always did, and
    # only segments of MIN_MATCH_WORDS words or more: a heading or a one-word bullet ("Care",
    # "Statistics") gives it nothing to go on; names in them are still found literally.
    long = [k for k, s in enumerate(segments) if len(s.split()) >= MIN_MATCH_WORDS]
    queries = list(dict.fromkeys(segments[k][:MAX_SEGMENT] for k in long))
    q_of = {q: j for j, q in enumerate(queries)}
    frames = []
    hits = (
        matcher.match(queries, top_k=top_k, min_score=float(threshold), show_progress=show_progress)
        if matcher is not None
        else pd.DataFrame()
    )
    if matcher is not None and not hits.empty:
        seg_q = pd.DataFrame({"seg": long, "query_index": [
            q_of[segments[k][:MAX_SEGMENT]] for k in long
        ]})  # fmt: skip
        sem = hits.merge(seg_q, on="query_index").merge(pairs, on="seg")
        sem = sem[keep_mask(sem, segments, texts)]
        sem = sem.assign(evidence=[segments[k] for k in sem["seg"]], method=matcher.method)
        frames.append(sem[list(_HIT_COLUMNS)])
    if literal is not False:
        finder = literal if literal is not True else _FINDERS.get(matcher)
        if finder is None and matcher is not None:
            finder = _FINDERS[matcher] = make_literal_finder(matcher)
        assert finder is not None  # checked above: no matcher means a finder was given
        found = finder.find(segments)
        if len(found):
            lit = found.rename(columns={"query_index": "seg"}).merge(pairs, on="seg")
            lit = lit.assign(
                evidence=[segments[k] for k in lit["seg"]], method="literal", score=np.nan
            )
            frames.append(lit[list(_HIT_COLUMNS)])
    if not frames:
        return _empty_extract()
    allhits = pd.concat(frames, ignore_index=True)
    best_score = allhits.groupby(["owner", "id"])["score"].max()
    scorer = _scorer(asked, matcher)
    allhits["asked_score"] = _asked_scores(scorer, allhits, segments)
    # The sentence most likely to ask for the skill; on ties a sentence that names it, then
    # the matcher's best, then the first.
    allhits["lit"] = allhits["method"] == "literal"
    order = ["owner", "asked_score", "lit", "score", "pos"]
    allhits = allhits.sort_values(
        order, ascending=[True, False, False, False, True], kind="stable", na_position="last"
    )
    best = allhits.drop_duplicates(["owner", "id"], keep="first")
    best = best.assign(
        score=best_score.reindex(pd.MultiIndex.from_frame(best[["owner", "id"]])).to_numpy()
    )
    best = best.sort_values(["owner", "lit", "score", "pos"],
                            ascending=[True, False, False, True], kind="stable")  # fmt: skip
    flag = (
        pd.array([None] * len(best), dtype="boolean")
        if scorer is None
        else pd.array(best["asked_score"].to_numpy() >= scorer.threshold, dtype="boolean")
    )
    ids = list(posting_ids)
    out = pd.DataFrame({
        "posting_id": [ids[i] for i in best["owner"]],
        "skill_id": best["id"].to_numpy(),
        "skill_name": best["label"].to_numpy(),
        "skill_type": best["kind"].to_numpy(),
        "score": best["score"].astype(float).round(6).to_numpy(),
        "method": best["method"].to_numpy(),
        "evidence": best["evidence"].to_numpy(),
        "asked": flag,
        "asked_score": best["asked_score"].astype(float).round(4).to_numpy(),
    })  # fmt: skip
    out = out.reset_index(drop=True)
    out.attrs["asked_variant"] = "off" if scorer is None else scorer.variant
    return out


_HIT_COLUMNS = ("owner", "pos", "seg", "id", "label", "kind", "score", "method", "evidence")


# One scorer per matcher (the embedding variant needs the matcher's embedder).
_SCORERS: weakref.WeakKeyDictionary[Any, AskedScorer] = weakref.WeakKeyDictionary()


def _scorer(asked: AskedScorer | bool, matcher: Matcher | None) -> AskedScorer | None:
    if asked is False:
        return None
    if asked is not True:
        return asked
    if matcher is None:
        return AskedScorer(None)
    if matcher not in _SCORERS:
        embedder = matcher.embedder if matcher.method in ("hybrid", "semantic") else None
        _SCORERS[matcher] = AskedScorer(embedder)
    return _SCORERS[matcher]


def _asked_scores(scorer: AskedScorer | None, hits: pd.DataFrame, segments: list[str]) -> Any:
    """``asked_score`` of each hit row, each (sentence, skill) pair scored once."""
    if scorer is None:
        return np.full(len(hits), np.nan)
    named = (hits["method"] == "literal").groupby([hits["seg"], hits["label"]]).any()
    pairs = named.rename("named").reset_index()
    scores = scorer.score(
        [segments[k] for k in pairs["seg"]], pairs["label"].tolist(), pairs["named"].tolist()
    )
    pairs = pairs.assign(asked_score=scores).drop(columns="named")
    return (
        hits[["seg", "label"]]
        .merge(pairs, on=["seg", "label"], how="left")["asked_score"]
        .to_numpy()
    )


def _empty_extract() -> pd.DataFrame:
    return pd.DataFrame(columns=list(EXTRACT_COLUMNS))


def run_batch(
    batch: pd.DataFrame,
    matcher: Matcher | None,
    threshold: float,
    literal: LiteralFinder | bool = True,
) -> pd.DataFrame:
    """Extract one batch of ``posting_id``/``body`` rows.

    ``attrs`` carries ``postings`` (how many were read) and ``posting_ids``, so
    the caller can replace old extractions of postings that now match nothing.
    """
    ids = batch["posting_id"].tolist()
    # The caller's bar counts postings; an inner bar per batch of sentences would only
    # interrupt it.
    out = extract_text_skills(
        ids,
        batch["body"].tolist(),
        matcher,
        threshold=threshold,
        literal=literal,
        show_progress=False,
    )
    out.attrs["postings"] = len(batch)
    out.attrs["posting_ids"] = ids
    return out


def extract_skills(
    db: PostingsStore | PathLike | None = None,
    *,
    taxonomy: Taxonomy = "lightcast",
    method: ExtractMethod = "hybrid",
    threshold: float | None = None,
    engine: Engine = "local",
    scheduler: str | None = None,
    n_workers: int = 2,
    batch_size: int = 256,
    limit: int | None = None,
    redo: bool = False,
    data_dir: PathLike | None = None,
    matcher: Matcher | None = None,
    framework: Any = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Extract skills from the text of stored postings that lack skill lists.

    Parameters
    ----------
    db : PostingsStore or path, optional
        The postings database.
    taxonomy : {"lightcast", "esco", "onet"}
        Taxonomy to extract against.
    method : {"hybrid", "semantic", "lexical", "literal"}
        Matching method. Skills a posting names outright are always
        extracted (literal mentions, see :mod:`align.postings._literal`);
        ``"literal"`` extracts only those: no model, a few seconds for
        thousands of postings, and no paraphrases.
    threshold : float, optional
        Minimum matcher score; default :data:`DEFAULT_THRESHOLD`.
    engine : {"local", "dask"}
        Run here, or on Dask (see :data:`ENGINES`); results are identical.
    scheduler : str, optional
        Dask scheduler address; default a LocalCluster of ``n_workers``.
    n_workers : int
        Workers of the LocalCluster.
    batch_size : int
        Postings per partition (Dask), and at most per batch locally, where
        batches start small and grow to take about two seconds each, so the
        progress bar moves every couple of seconds.
    limit : int, optional
        Process at most this many postings.
    redo : bool
        Re-extract postings that already have extracted skills (their old
        extracted skills are replaced).
    data_dir : str or PathLike, optional
        Data folder holding the taxonomy.
    matcher : Matcher, optional
        A fitted matcher to use instead of building one (local engine).
    framework : Framework, optional
        Extract against this framework instead of loading ``taxonomy`` (a
        subset, or a custom list); sent once to each Dask worker.
    progress : bool
        Show a progress bar.

    Returns
    -------
    DataFrame
        The skills this run stored (columns :data:`EXTRACT_COLUMNS`: one row per
        posting and skill, with ``score``, ``method`` and the ``evidence``
        segment); they are in ``posting_skills`` with ``source='extracted'``.
        ``attrs["batch"]`` is the run's entry of the batch log (``batch_id``,
        ``rows_read`` = postings processed, ``rows_loaded`` = skills stored,
        ``note`` with throughput), also in :meth:`PostingsStore.batches`.
    """
    if engine not in ENGINES:
        raise UnknownNameError(f"engine {engine!r} is not one of {', '.join(ENGINES)}.")
    if method not in EXTRACT_METHODS:
        raise UnknownNameError(f"method {method!r} is not one of {', '.join(EXTRACT_METHODS)}.")
    if method == "literal" and engine == "dask":
        raise InvalidArgumentError(
            "method='literal' needs no model and runs thousands of postings in seconds: use "
            "engine='local' (the default)."
        )
    if taxonomy not in TAXONOMIES:
        raise UnknownNameError(f"taxonomy {taxonomy!r} is not one of {', '.join(TAXONOMIES)}.")
    thr = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 <= thr <= 1.0:
        raise InvalidArgumentError(f"threshold={threshold!r}; expected a number in [0, 1].")
    if batch_size < 1:
        raise InvalidArgumentError(f"batch_size must be at least 1, got {batch_size}.")
    if engine == "dask":
        require_distributed()
    store, owned = open_store(db)
    try:
        return _extract(
            store,
            taxonomy,
            method,
            thr,
            engine,
            scheduler,
            n_workers,
            batch_size,
            limit,
            redo,
            data_dir,
            matcher,
            framework,
            progress,
        )
    finally:
        if owned:
            store.close()


# The progress bar moves every couple of seconds: local batches start small and grow (up
# to ``batch_size``) to take about this long each.
_BATCH_SECONDS = 2.0
_FIRST_BATCH = 8


def _paced(batches: Iterable[pd.DataFrame], most: int) -> Iterator[pd.DataFrame]:
    """Re-cut the store's batches into pieces that each take about ``_BATCH_SECONDS``
    (timed from one piece to the next, the caller's work on it included)."""
    size = min(_FIRST_BATCH, most)
    for big in batches:
        start = 0
        while start < len(big):
            part = big.iloc[start : start + size]
            t0 = time.perf_counter()
            yield part
            took = time.perf_counter() - t0
            start += len(part)
            rate = len(part) / took if took > 0 else float("inf")
            size = int(max(1, min(most, rate * _BATCH_SECONDS)))


def _extract(
    store: PostingsStore,
    taxonomy: str,
    method: Any,
    thr: float,
    engine: str,
    scheduler: str | None,
    n_workers: int,
    batch_size: int,
    limit: int | None,
    redo: bool,
    data_dir: PathLike | None,
    matcher: Matcher | None,
    framework: Any,
    progress: bool,
) -> pd.DataFrame:
    t0 = time.perf_counter()
    m = None
    finder: LiteralFinder | bool = True
    if method == "literal" and matcher is None:
        finder = make_taxonomy_finder(taxonomy, data_dir=data_dir, framework=framework)
    elif engine == "local":
        m = (
            matcher
            if matcher is not None
            else make_skill_matcher(
                taxonomy,  # type: ignore[arg-type]
                method,
                data_dir=data_dir,
                framework=framework,
            )
        )
    total = store.count_texts_to_extract(limit=limit)
    done = stored = asked = 0
    variants: set[str] = set()
    fits: dict[str, int] = {}
    # One batch, one transaction: a failure leaves the database as it was.
    with store.write_batch("extract", preset=taxonomy) as batch:
        batches = store.texts_to_extract(limit=limit, redo=redo, batch_rows=batch_size)
        if engine == "dask":
            results: Iterable[pd.DataFrame] = run_on_dask(
                batches,
                make_matcher=make_skill_matcher,
                run=run_batch,
                taxonomy=taxonomy,
                method=method,
                threshold=thr,
                data_dir=data_dir,
                scheduler=scheduler,
                n_workers=n_workers,
                framework=framework,
            )
        else:
            results = (run_batch(b, m, thr, finder) for b in _paced(batches, batch_size))
        with tqdm(
            total=total, desc="extract skills", unit=" postings", disable=not progress
        ) as bar:
            if m is not None and hasattr(m, "items_"):
                # Build what the first batch would build (the literal-name index, the asked
                # score), so the bar starts moving as soon as postings are read.
                bar.set_postfix_str("preparing the skill list", refresh=True)
                finder = _FINDERS.get(m) or _FINDERS.setdefault(m, make_literal_finder(m))
                _scorer(True, m)
                bar.set_postfix_str("")
            for part in results:
                n = int(part.attrs.get("postings", 0))
                if "worker" in part.attrs:
                    worker = str(part.attrs["worker"])
                    fits[worker] = fits.get(worker, 0) + int(bool(part.attrs.get("fitted")))
                if redo:
                    batch.delete_extracted_skills(part.attrs["posting_ids"])
                stored += batch.add_extracted_skills(part)
                if len(part):
                    asked += int(part["asked"].fillna(False).sum())
                    variants.add(str(part.attrs.get("asked_variant", "off")))
                done += n
                bar.update(n)
        seconds = time.perf_counter() - t0
        rate = done / seconds if seconds > 0 else float("nan")
        note = (
            f"taxonomy={taxonomy} method={method} threshold={thr} engine={engine}; "
            f"{done:,} postings in {seconds:.1f} s ({rate:.1f} postings/s); "
            f"{asked:,} of {stored:,} skills asked for (asked score: "
            f"{', '.join(sorted(variants)) or 'none'})"
        )
        if engine == "dask":
            note += f"; {sum(fits.values())} matcher fit(s) on {len(fits)} worker(s)"
        batch.rows_read, batch.rows_loaded, batch.note = done, stored, note
    out = store.extracted_skills(batch.batch_id)
    out.attrs["batch"] = batch.record()
    return out
